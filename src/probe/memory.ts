/**
 * The probe's memory budget (issue 15, "Any batch size"): parsing `--max-memory`, the default
 * per backend, and a meter of the peak tensor bytes a computation holds.
 *
 * What the budget covers: TENSOR memory, as tfjs counts it (`tf.memory().numBytes`: every live
 * tensor's bytes on the active backend — wasm's heap, the cpu backend's typed arrays, GPU
 * buffers). Host-side float64 results (the B×B Gram itself, B²·8 bytes) and the blocked probe's
 * host copy of the per-block activations and δ's are plain JS memory outside it; the probe reports
 * them next to the tensor peak (blocked-gram.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { BadInputError } from '../errors.ts';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/**
 * A byte count from "1073741824", "512MB", "1.5 GiB", "64kB" (case-insensitive; kB/MB/GB/TB are
 * powers of 1000, KiB/MiB/GiB/TiB powers of 1024). Anything else — negative, zero, fractional
 * bytes, an unknown unit, a bare "M" — is a one-line BadInputError naming `name`.
 */
export function parseByteSize(text: string, name = '--max-memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? (m[2] === '' ? 'b' : m[2]!.toLowerCase()) : '';
  const factor = UNITS[unit];
  if (!m || factor === undefined) {
    throw new BadInputError(`${name} must be a byte count or a size like 512MB, 2GiB (units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB; got "${text}")`);
  }
  const bytes = Number(m[1]) * factor;
  if (!Number.isFinite(bytes) || bytes < 1 || !Number.isSafeInteger(Math.round(bytes)) || (factor === 1 && !Number.isInteger(bytes))) {
    throw new BadInputError(`${name} must be a positive whole number of bytes (got "${text}")`);
  }
  return Math.round(bytes);
}

/**
 * Default tensor-memory budget per backend, with the reason for each:
 * - wasm: 1 GiB. The heap cannot exceed 4 GiB − 64 KiB (wasm-heap.ts) and never shrinks, and a
 *   freed block is reused only by allocations that fit in it, so a quarter of the maximum leaves
 *   room for fragmentation and for the weights and data outside the probe's own tensors.
 * - cpu: 2 GiB. Tensors are JS typed arrays in V8's heap-external memory; 2 GiB stays well within
 *   a developer machine and within V8's per-array limit.
 * - webgpu: 1 GiB. Integrated and small GPUs share a few GiB; WebGPU caps one storage binding at
 *   maxStorageBufferBindingSize (128 MiB – 2 GiB by adapter), which only blocks keep small.
 * - tensorflow (tfjs-node): 4 GiB, native memory on a server.
 * Any other backend: 1 GiB.
 */
export function defaultMaxMemory(backend: string): number {
  switch (backend) {
    case 'cpu': return 2 * 2 ** 30;
    case 'tensorflow': return 4 * 2 ** 30;
    default: return 2 ** 30;
  }
}

/** "1.50 GiB", "512.0 MiB", "300 B": a byte count for messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

interface EngineStateLike { numBytes: number }
const listeners = new Set<(bytes: number) => void>();
let restore: (() => void) | undefined;

/**
 * Watch every change of tfjs's live-tensor byte count (the engine's `numBytes`, what
 * `tf.memory().numBytes` reads): the field is replaced by an accessor while at least one meter
 * runs, so every allocation and release — including intermediates that live only inside one
 * kernel call — is seen. tfjs's own `tf.profile` reports a peak only at kernel boundaries and is
 * asynchronous; this is synchronous and exact.
 */
function install(): void {
  if (restore) return;
  const state = (tf.engine() as unknown as { state: EngineStateLike }).state;
  let value = state.numBytes;
  Object.defineProperty(state, 'numBytes', {
    configurable: true, enumerable: true,
    get: () => value,
    set: (v: number) => { value = v; for (const l of listeners) l(v); },
  });
  restore = () => {
    delete (state as Partial<EngineStateLike>).numBytes;
    state.numBytes = value;
    restore = undefined;
  };
}

/**
 * Run `fn` and return its result with the high-water mark of live tensor bytes while it ran
 * (`peakBytes`, absolute: includes what was live before) and the bytes live when it started.
 * Meters nest.
 */
export function measurePeak<T>(fn: () => T): { result: T; peakBytes: number; startBytes: number } {
  const startBytes = tf.memory().numBytes;
  let peak = startBytes;
  const l = (b: number) => { if (b > peak) peak = b; };
  install();
  listeners.add(l);
  try {
    const result = fn();
    return { result, peakBytes: peak, startBytes };
  } finally {
    listeners.delete(l);
    if (listeners.size === 0) restore?.();
  }
}

/**
 * Like `measurePeak`, in phases: `fn` calls `cut()` to close the current phase and open the next
 * one. Returns each phase's high-water mark of live tensor bytes above the start (`phases`, in
 * order; the last phase is closed when `fn` returns).
 */
export function measurePhases<T>(fn: (cut: () => void) => T): { result: T; phases: number[] } {
  const startBytes = tf.memory().numBytes;
  const phases: number[] = [];
  let peak = startBytes;
  const l = (b: number) => { if (b > peak) peak = b; };
  const cut = () => {
    phases.push(peak - startBytes);
    peak = tf.memory().numBytes;
  };
  install();
  listeners.add(l);
  try {
    const result = fn(cut);
    cut();
    return { result, phases };
  } finally {
    listeners.delete(l);
    if (listeners.size === 0) restore?.();
  }
}
