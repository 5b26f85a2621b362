/**
 * tfjs-backend-wasm 4.22 does not check its allocator: when a tensor no longer fits its heap
 * (emscripten's maximum, 4 GiB − 64 KiB), the next kernel writes out of bounds and WebAssembly
 * traps with "memory access out of bounds" — a cryptic internal error, and the heap is unusable
 * afterwards. This names the likely cause in one line instead (measured here: zeros of 256 MiB
 * each trap at the 16th allocation, with the heap at 3.84 GiB).
 */
import * as tf from '@tensorflow/tfjs';

/** emscripten's getHeapMax() in tfjs-backend-wasm 4.22. */
export const WASM_HEAP_MAX_BYTES = 4294901760;

/** Bytes of the wasm backend's heap now, or undefined when the wasm backend was never started. */
export function wasmHeapBytes(): number | undefined {
  try {
    const b = tf.findBackend('wasm') as unknown as { wasm?: { HEAPU8?: Uint8Array } } | null;
    return b?.wasm?.HEAPU8?.length;
  } catch {
    return undefined;
  }
}

/**
 * A one-line explanation when `e` is the wasm trap of an exhausted heap; undefined otherwise.
 * `heapBytes` is the heap size when the error was caught (wasm grows its heap on demand, so a
 * heap near its maximum says the trap came from an allocation that did not fit).
 */
export function wasmHeapExhausted(e: unknown, heapBytes = wasmHeapBytes()): string | undefined {
  const msg = String((e as Error)?.message ?? e);
  if (!msg.includes('memory access out of bounds')) return undefined;
  const gib = (b: number) => (b / 2 ** 30).toFixed(2);
  const full = heapBytes !== undefined && heapBytes > 0.75 * WASM_HEAP_MAX_BYTES;
  return `the wasm backend ran out of memory${heapBytes !== undefined ? ` (heap ${gib(heapBytes)} of ${gib(WASM_HEAP_MAX_BYTES)} GiB)` : ''}`
    + `${full ? '' : ' or hit a memory fault'}: this model and batch size are too large for wasm; use a smaller batch, --scale small, --backend cpu or a GPU backend`;
}
