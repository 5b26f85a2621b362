/**
 * The interpreter's own gradients (used where tfjs-backend-wasm lacks kernels) against the cpu
 * backend's kernels, as slow twins: conv2d's kernel and input gradients (Conv2DBackpropFilter /
 * Conv2DBackpropInput) and gather's (UnsortedSegmentSum), on random shapes, strides and axes.
 * Also auto_pad SAME_UPPER / SAME_LOWER against the equivalent explicit pads.
 *
 * Tolerance: float32 sums of at most a few hundred products, different orders: 1e-5 relative
 * to the largest entry (rounding ~√300 · 6e-8 ≈ 1e-6).
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend/index.ts';
import { OnnxProgram } from '../program.ts';
import { parseOnnx } from '../read-model.ts';
import { buildOnnx, tensorProto, valueInfo } from '../testing/build-onnx.ts';
import { maxRel } from '../testing/fixtures.ts';
import { conv2dOwnGrad } from './conv.ts';
import { gatherOwnGrad } from './gather.ts';

const TOL = 1e-5;

beforeAll(async () => {
  await initBackend('cpu');
});

const wave = (n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + phase));

describe('own gradients vs the cpu backend (seed 4242)', () => {
  it('conv2d: kernel and input gradients', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 7 }), fc.integer({ min: 3, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
      (n, h, w, c, m, kh, kw, sh, sw) => {
        fc.pre(kh <= h && kw <= w);
        const x = tf.tensor4d(wave(n * h * w * c, 0.2), [n, h, w, c]);
        const k = tf.tensor4d(wave(kh * kw * c * m, 1.1), [kh, kw, c, m]);
        const dy = tf.tidy(() => tf.conv2d(x, k, [sh, sw], 'valid').mul(0).add(1));
        const gOwn = tf.grads((a: tf.Tensor, b: tf.Tensor) => conv2dOwnGrad(a as tf.Tensor4D, b as tf.Tensor4D, [sh, sw]).mul(tf.range(0, dy.size).reshape(dy.shape).sin()).sum() as tf.Scalar)([x, k]);
        const gRef = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [sh, sw], 'valid').mul(tf.range(0, dy.size).reshape(dy.shape).sin()).sum() as tf.Scalar)([x, k]);
        expect(maxRel(gOwn[0]!.dataSync(), gRef[0]!.dataSync())).toBeLessThanOrEqual(TOL);
        expect(maxRel(gOwn[1]!.dataSync(), gRef[1]!.dataSync())).toBeLessThanOrEqual(TOL);
        tf.dispose([x, k, dy, ...gOwn, ...gRef]);
      },
    ), { seed: 4242, numRuns: 30 });
  });

  it('gather: data gradient on any axis, repeated indices', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.nat(2), fc.array(fc.nat(100), { minLength: 1, maxLength: 6 }),
      (shape, axisSeed, raw) => {
        const axis = axisSeed % shape.length;
        const idx = tf.tensor1d(raw.map((v) => v % shape[axis]!), 'int32');
        const x = tf.tensor(wave(shape.reduce((a, b) => a * b, 1), 0.5), shape);
        const weight = (t: tf.Tensor) => t.mul(tf.range(0, t.size).reshape(t.shape).cos()).sum() as tf.Scalar;
        const [own] = tf.grads((a: tf.Tensor) => weight(gatherOwnGrad(a, idx, axis)))([x]);
        const [ref] = tf.grads((a: tf.Tensor) => weight(tf.gather(a, idx, axis)))([x]);
        expect(maxRel(own!.dataSync(), ref!.dataSync())).toBeLessThanOrEqual(TOL);
        tf.dispose([idx, x, own!, ref!]);
      },
    ), { seed: 4242, numRuns: 40 });
  });
});

describe('Conv auto_pad', () => {
  const conv = (attrs: Record<string, number[] | string>) => new OnnxProgram(parseOnnx(buildOnnx({
    inputs: [valueInfo('x', ['batch', 2, 6, 5])],
    outputs: [valueInfo('y', ['batch', 3, 3, 3])],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { strides: [2, 2], ...attrs } }],
    initializers: [tensorProto('w', [3, 2, 3, 3], wave(54, 0.9))],
  })));
  const run = (p: OnnxProgram) => tf.tidy(() => Array.from(p.run(tf.tensor4d(wave(60, 0.3), [1, 2, 6, 5])).outputs[0]!.dataSync()));
  it('SAME_UPPER puts the odd pad at the end, SAME_LOWER at the start', () => {
    // h = 6, stride 2, k = 3: total pad (3 − 1)·2 + 3 − 6 = 1; w = 5: (3 − 1)·2 + 3 − 5 = 2.
    expect(run(conv({ auto_pad: 'SAME_UPPER' }))).toEqual(run(conv({ pads: [0, 1, 1, 1] })));
    expect(run(conv({ auto_pad: 'SAME_LOWER' }))).toEqual(run(conv({ pads: [1, 1, 0, 1] })));
    expect(run(conv({ auto_pad: 'SAME_UPPER' }))).not.toEqual(run(conv({ auto_pad: 'SAME_LOWER' })));
    expect(run(conv({ auto_pad: 'VALID' }))).toEqual(run(conv({})));
  });
});
