/**
 * The forward pass's fast paths against their slow twins: patches vs a conv with a 0/1 identity
 * kernel, conv2dInputGrad vs tf.conv2dTranspose, and (on wasm) the hand-written conv and dense
 * gradients vs the cpu backend's stock gradients. Tolerance: float32 (relative to the max entry).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.ts';
import { conv2d, conv2dExplicit, conv2dInputGrad, convPatches, denseMatMul } from './build.ts';
import { relErr } from '../src/probe/instances.ts';

const convArb = fc.record({
  b: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
  cin: fc.integer({ min: 1, max: 3 }), cout: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 4 }),
  stride: fc.integer({ min: 1, max: 3 }), padding: fc.constantFrom<'same' | 'valid'>('same', 'valid'), seed: fc.integer({ min: 0, max: 1e6 }),
}).filter((c) => c.padding === 'same' || (c.k <= c.h && c.k <= c.w));

/** Slow twin of convPatches: conv2d with the [k, k, c, k·k·c] identity kernel. */
function patchesByIdentityConv(x: tf.Tensor4D, k: number, stride: number, padding: 'same' | 'valid'): tf.Tensor4D {
  const c = x.shape[3];
  const n = k * k * c;
  const eye = new Float32Array(n * n);
  for (let j = 0; j < n; j++) eye[j * n + j] = 1;
  // On wasm, tf.conv2d's own "same" padding is wrong when k < stride (see conv2dExplicit): there the
  // twin passes TF's padding as numbers; on cpu it is tf.conv2d's own "same".
  const kernel = tf.tensor4d(eye, [k, k, c, n]);
  return tf.getBackend() === 'wasm' ? conv2dExplicit(x, kernel, stride, padding) : tf.conv2d(x, kernel, stride, padding);
}

const TOL = 1e-5; // a few float32 roundings of sums of ≤ 48 products, relative to the largest entry

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`conv fast paths on ${backend} (fast-check seed 7)`, () => {
    it('convPatches = conv with an identity kernel; conv2dInputGrad = tf.conv2dTranspose', async () => {
      await initBackend(backend);
      fc.assert(fc.property(convArb, (c) => {
        tf.tidy(() => {
          const x = tf.randomNormal([c.b, c.h, c.w, c.cin], 0, 1, 'float32', c.seed) as tf.Tensor4D;
          const w = tf.randomNormal([c.k, c.k, c.cin, c.cout], 0, 1, 'float32', c.seed + 1) as tf.Tensor4D;
          expect(relErr(convPatches(x, c.k, c.stride, c.padding).dataSync(), patchesByIdentityConv(x, c.k, c.stride, c.padding).dataSync())).toBeLessThanOrEqual(TOL);
          const y = tf.conv2d(x, w, c.stride, c.padding);
          const dy = tf.randomNormal(y.shape, 0, 1, 'float32', c.seed + 2) as tf.Tensor4D;
          expect(relErr(conv2dInputGrad(dy, w, x.shape, c.stride, c.padding).dataSync(), tf.conv2dTranspose(dy, w, x.shape, c.stride, c.padding).dataSync())).toBeLessThanOrEqual(TOL);
        });
      }), { seed: 7, numRuns: 60 });
    });
  });
}

describe('tfjs-backend-wasm conv2d "same" with kernel < stride (a backend bug the forward pass works around)', () => {
  it('explicit padding on wasm = the cpu backend; the forward conv agrees with cpu', async () => {
    const run = () => tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from({ length: 18 }, (_, i) => Math.sin(i + 1)), [1, 1, 9, 2]);
      const w = tf.tensor4d(Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)), [2, 2, 2, 3]);
      return [Array.from(conv2dExplicit(x, w, 3, 'same').dataSync()), Array.from(conv2d(x, w, 3, 'same').dataSync())];
    });
    await initBackend('cpu');
    const [cpuOut] = run();
    await initBackend('wasm');
    const [explicit, forward] = run();
    expect(relErr(explicit!, cpuOut!)).toBeLessThanOrEqual(TOL);
    expect(relErr(forward!, cpuOut!)).toBeLessThanOrEqual(TOL);
  });
});

describe('wasm gradients of conv2d and dense = the cpu backend\'s stock gradients (fast-check seed 8)', () => {
  it('input and kernel gradients agree', async () => {
    const cases = fc.sample(convArb, { seed: 8, numRuns: 25 });
    const run = (c: (typeof cases)[number], mine: boolean) => tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from({ length: c.b * c.h * c.w * c.cin }, (_, i) => Math.sin(i + c.seed)), [c.b, c.h, c.w, c.cin]);
      const w = tf.tensor4d(Float32Array.from({ length: c.k * c.k * c.cin * c.cout }, (_, i) => Math.cos(i * 1.3 + c.seed)), [c.k, c.k, c.cin, c.cout]);
      const conv = mine ? (a: tf.Tensor, b: tf.Tensor) => conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.padding) : (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.padding);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(conv(a, b))))([x, w]);
      const a2 = tf.tensor2d(Float32Array.from({ length: 4 * c.h }, (_, i) => Math.sin(i)), [4, c.h]);
      const w2 = tf.tensor2d(Float32Array.from({ length: c.h * c.w }, (_, i) => Math.cos(i)), [c.h, c.w]);
      const dm = mine ? denseMatMul : (p: tf.Tensor2D, q: tf.Tensor2D) => tf.matMul(p, q);
      const g2 = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(dm(p as tf.Tensor2D, q as tf.Tensor2D))))([a2, w2]);
      return [...g, ...g2].map((t) => Array.from(t.dataSync()));
    });
    await initBackend('wasm');
    const fast = cases.map((c) => run(c, true));
    await initBackend('cpu');
    const stock = cases.map((c) => run(c, false));
    fast.forEach((f, i) => f.forEach((arr, j) => expect(relErr(arr, stock[i]![j]!)).toBeLessThanOrEqual(TOL)));
  });
});
