/**
 * A real exhausted wasm heap gives the one-line explanation (and exit 2 through the CLI's error
 * reporter); other errors are left alone.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './index.ts';
import { WASM_HEAP_MAX_BYTES, wasmHeapBytes, wasmHeapExhausted } from './wasm-heap.ts';
import { reportError } from '../cli/common.ts';

describe('wasm heap exhaustion', () => {
  it('is recognized only for the wasm trap', () => {
    expect(wasmHeapExhausted(new Error('shapes do not match'), 3.9 * 2 ** 30)).toBeUndefined();
    const full = wasmHeapExhausted(new WebAssembly.RuntimeError('memory access out of bounds'), 3.9 * 2 ** 30)!;
    expect(full).toMatch(/^the wasm backend ran out of memory \(heap 3\.90 of 4\.00 GiB\): /);
    expect(wasmHeapExhausted(new WebAssembly.RuntimeError('memory access out of bounds'), 2 ** 28)).toMatch(/or hit a memory fault/);
  });

  it('a real allocation past the 4 GiB heap: one line, exit 2', async () => {
    await initBackend('wasm');
    const kept: tf.Tensor[] = [];
    let caught: unknown;
    try {
      for (let i = 0; i < 20; i++) kept.push(tf.zeros([2 ** 26])); // 256 MiB each
    } catch (e) {
      caught = e;
    }
    expect(caught, 'the 20th 256 MiB tensor cannot fit a 4 GiB heap').toBeInstanceOf(WebAssembly.RuntimeError);
    expect(wasmHeapBytes()!).toBeGreaterThan(0.75 * WASM_HEAP_MAX_BYTES);
    const errs: string[] = [];
    const ew = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => { errs.push(String(s)); return true; }) as typeof process.stderr.write;
    let code: number;
    try { code = reportError(caught); } finally { process.stderr.write = ew; }
    expect(code).toBe(2);
    expect(errs.join('').trim().split('\n')).toHaveLength(1);
    expect(errs.join('')).toMatch(/^gradconf: the wasm backend ran out of memory \(heap 3\.\d\d of 4\.00 GiB\): /);
  });
});
