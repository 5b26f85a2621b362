/** Backend selection and the start-up self-check (against float64 references in plain JS). */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, backendSelfCheck, initBackend, requestedBackend, SELF_CHECK_TOL, unavailableReason } from './index.ts';

describe('backends', () => {
  it('wasm and cpu are always available; webgpu and tensorflow say what is missing', async () => {
    const avail = await availableBackends();
    expect(avail.slice(0, 2)).toEqual(['wasm', 'cpu']);
    if (!avail.includes('webgpu')) expect(await unavailableReason('webgpu')).toMatch(/webgpu|Dawn|adapter/);
    if (!avail.includes('tensorflow')) expect(await unavailableReason('tensorflow')).toMatch(/tfjs-node/);
  });

  it('name resolution: argument, then GRADCONF_BACKEND, then wasm; unknown names are errors', () => {
    const saved = process.env.GRADCONF_BACKEND;
    try {
      delete process.env.GRADCONF_BACKEND;
      expect(requestedBackend()).toBe('wasm');
      process.env.GRADCONF_BACKEND = 'cpu';
      expect(requestedBackend()).toBe('cpu');
      expect(requestedBackend('wasm')).toBe('wasm');
      expect(() => requestedBackend('tpu')).toThrow(/unknown backend "tpu"; known backends: wasm, cpu, webgpu, tensorflow/);
    } finally {
      if (saved === undefined) delete process.env.GRADCONF_BACKEND; else process.env.GRADCONF_BACKEND = saved;
    }
  });

  for (const b of ['cpu', 'wasm'] as const) {
    it(`self-check passes on ${b} (matmul and stride-2 "same" conv vs float64)`, async () => {
      await initBackend(b);
      expect(tf.getBackend()).toBe(b);
      const e = backendSelfCheck();
      expect(e.matmul).toBeLessThanOrEqual(1e-5);
      expect(e.conv).toBeLessThanOrEqual(1e-5);
      expect(SELF_CHECK_TOL).toBeGreaterThan(1e-5);
    });
  }
});
