/** bench/peers.ts helpers: the matMul timer and the profile summary. */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.ts';
import { matmulMs, profileOf } from './peers.ts';

describe('peer bench helpers (wasm)', () => {
  it('matmulMs times a square matMul and frees its tensors', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    expect(matmulMs(64, 3)).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('profileOf sums kernel calls by name and reports the peak bytes', async () => {
    await initBackend('wasm');
    const a = tf.ones([32, 32]);
    const p = await profileOf(() => { tf.tidy(() => tf.add(tf.matMul(a, a), tf.matMul(a, a)).dataSync()); });
    const names = p.kernels.map((k) => k.kernel);
    expect(names).toContain('BatchMatMul');
    expect(p.kernels.find((k) => k.kernel === 'BatchMatMul')!.calls).toBe(2);
    // a, two products and their sum are live at the peak: ≥ 3 · 32·32·4 bytes beyond nothing.
    expect(p.peakBytes).toBeGreaterThanOrEqual(3 * 32 * 32 * 4);
    a.dispose();
  });
});
