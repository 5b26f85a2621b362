// models/loss.ts: per-example losses against hand-derived values, and every branch of target
// validation with its exact one-line message. Expected numbers are worked out by hand in comments
// (log 2, log 4, log 4/3 ...); nothing here is computed by the code under test.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { exampleLosses, prepareTargets } from './loss.ts';
import { validateSpec } from './spec.ts';
import type { Loss, ModelSpec } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

tf.setBackend('cpu');

const losses = (loss: Loss, out: number[][] | number[][][], y: number[][]) => {
  const r = exampleLosses(loss, tf.tensor(out), tf.tensor2d(y));
  expect(r.rank).toBe(1);
  const v = Array.from(r.dataSync());
  r.dispose();
  return v;
};

/** A model whose output is [k] (input [3]) or, with `positions`, [positions, k] (input [positions, 3]). */
const spec = (loss: Loss, k: number, positions?: number): ModelSpec =>
  validateSpec({ input: positions ? [positions, 3] : [3], layers: [{ type: 'dense', units: k }], loss });

const targets = (shape: number[], data: number[]) => ({ shape, data });

/** The message of the BadInputError `f` throws (fails the test when it does not throw one). */
function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return (e as Error).message;
  }
  throw new Error('expected a BadInputError, nothing was thrown');
}

describe('exampleLosses', () => {
  it('mse is half the squared distance per example, summed over outputs', () => {
    // ex0: ½((1−0)² + (2−2)²) = ½; ex1: ½((3−1)² + (5−1)²) = ½(4 + 16) = 10
    expect(losses('mse', [[1, 2], [3, 5]], [[0, 2], [1, 1]])).toEqual([0.5, 10]);
  });

  it('mse on per-position outputs [B, T, C] sums over positions (targets given as [B, T·C])', () => {
    // ex0: ½(1² + 0² + 2² + 1²) = 3; ex1: ½(0 + 0 + 0 + 3²) = 4.5
    const out = [[[1, 0], [2, 1]], [[0, 0], [0, 3]]];
    expect(losses('mse', out, [[0, 0, 0, 0], [0, 0, 0, 0]])).toEqual([3, 4.5]);
    expect(losses('mse', out, [[1, 1, 1, 1], [0, 0, 0, 0]])).toEqual([1, 4.5]); // ex0: ½(0 + 1 + 1 + 0)
  });

  it('logistic is log(1 + exp(−y·out)) per example', () => {
    // out 0, y +1: log 2; out ln 3, y −1: log(1 + 3) = log 4; out ln 3, y +1: log(1 + 1/3) = log(4/3)
    const v = losses('logistic', [[0], [Math.log(3)], [Math.log(3)]], [[1], [-1], [1]]);
    expect(v).toHaveLength(3);
    expect(v[0]).toBeCloseTo(Math.log(2), 6);
    expect(v[1]).toBeCloseTo(Math.log(4), 6);
    expect(v[2]).toBeCloseTo(Math.log(4 / 3), 6);
  });

  it('softmax-xent is −log softmax(out)_class per example', () => {
    // logits [0, ln 3]: softmax [1/4, 3/4]; class 0: log 4, class 1: log(4/3). Logits [0, 0, 0]: log 3.
    const v = losses('softmax-xent', [[0, Math.log(3)], [0, Math.log(3)]], [[1, 0], [0, 1]]);
    expect(v[0]).toBeCloseTo(Math.log(4), 6);
    expect(v[1]).toBeCloseTo(Math.log(4 / 3), 6);
    expect(losses('softmax-xent', [[0, 0, 0]], [[0, 0, 1]])[0]).toBeCloseTo(Math.log(3), 6);
  });

  it('softmax-xent on [B, T, C] sums the per-position cross-entropies of an example', () => {
    // ex0: positions [0, ln 3] (class 0 → log 4) and [0, 0] (class 1 → log 2) = log 8; ex1: log(4/3) + log 2
    const out = [[[0, Math.log(3)], [0, 0]], [[0, Math.log(3)], [0, 0]]];
    const v = losses('softmax-xent', out, [[1, 0, 0, 1], [0, 1, 1, 0]]);
    expect(v[0]).toBeCloseTo(Math.log(8), 6);
    expect(v[1]).toBeCloseTo(Math.log(8 / 3), 6);
  });
});

describe('prepareTargets', () => {
  it('copies [B, K] targets row-major as float32', () => {
    const r = prepareTargets(spec('mse', 2), 2, targets([2, 2], [0.5, -1, 2, 3]));
    expect(r).toBeInstanceOf(Float32Array);
    expect(Array.from(r)).toEqual([0.5, -1, 2, 3]);
    // K = 1 accepts [B] as well as [B, 1]
    expect(Array.from(prepareTargets(spec('mse', 1), 3, targets([3], [1, 2, 3])))).toEqual([1, 2, 3]);
    expect(Array.from(prepareTargets(spec('mse', 1), 3, targets([3, 1], [1, 2, 3])))).toEqual([1, 2, 3]);
  });

  it('names the count mismatch, with the source', () => {
    expect(message(() => prepareTargets(spec('mse', 2), 3, targets([2, 2], [0, 0, 0, 0])))).toBe('targets: 2 targets for 3 examples');
    expect(message(() => prepareTargets(spec('mse', 2), 1, targets([], [])))).toBe('targets: 0 targets for 1 examples');
    expect(message(() => prepareTargets(spec('mse', 2), 3, targets([1, 2], [0, 0]), 'y.json'))).toBe('y.json: 1 targets for 3 examples');
  });

  it('rejects NaN and ±Inf at the first bad index', () => {
    expect(message(() => prepareTargets(spec('mse', 2), 2, targets([2, 2], [0, 1, NaN, 2])))).toBe('targets: NaN or Inf at index 2');
    expect(message(() => prepareTargets(spec('mse', 2), 2, targets([2, 2], [Infinity, 1, 0, 2])))).toBe('targets: NaN or Inf at index 0');
    expect(message(() => prepareTargets(spec('mse', 2), 2, targets([2, 2], [0, 1, 0, -Infinity])))).toBe('targets: NaN or Inf at index 3');
  });

  it('turns integer labels [B] into one-hot rows for softmax-xent (0 and K−1 included)', () => {
    const r = prepareTargets(spec('softmax-xent', 3), 3, targets([3], [2, 0, 1]));
    expect(Array.from(r)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it('rejects labels that are not integer classes 0..K−1', () => {
    const s = spec('softmax-xent', 3);
    expect(message(() => prepareTargets(s, 2, targets([2], [0, 3])))).toBe('targets: label 3 at index 1 is not an integer class in 0..2');
    expect(message(() => prepareTargets(s, 2, targets([2], [-1, 0])))).toBe('targets: label -1 at index 0 is not an integer class in 0..2');
    expect(message(() => prepareTargets(s, 2, targets([2], [1, 1.5])))).toBe('targets: label 1.5 at index 1 is not an integer class in 0..2');
  });

  it('turns integer ids [B, T] into one-hot rows per position for per-position softmax-xent', () => {
    const s = spec('softmax-xent', 3, 2); // output [2, 3]
    const r = prepareTargets(s, 2, targets([2, 2], [0, 2, 1, 1]));
    expect(Array.from(r)).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0]);
    expect(message(() => prepareTargets(s, 2, targets([2, 2], [0, 2, 3, 1])))).toBe('targets: label 3 at example 1, position 0 is not an integer class in 0..2');
    expect(message(() => prepareTargets(s, 2, targets([2, 2], [0, -1, 1, 1])))).toBe('targets: label -1 at example 0, position 1 is not an integer class in 0..2');
  });

  it('accepts one-hot [B, T, C] for per-position outputs, and [B, T] when C = 1', () => {
    const s = spec('softmax-xent', 2, 2);
    expect(Array.from(prepareTargets(s, 1, targets([1, 2, 2], [0, 1, 1, 0])))).toEqual([0, 1, 1, 0]);
    expect(Array.from(prepareTargets(spec('mse', 2, 2), 1, targets([1, 2, 2], [0.5, 1, 2, -3])))).toEqual([0.5, 1, 2, -3]);
    expect(Array.from(prepareTargets(spec('mse', 1, 3), 2, targets([2, 3], [1, 2, 3, 4, 5, 6])))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(prepareTargets(spec('mse', 1, 3), 2, targets([2, 3, 1], [1, 2, 3, 4, 5, 6])))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names the expected shapes when the target shape does not fit the output', () => {
    expect(message(() => prepareTargets(spec('mse', 2), 2, targets([2], [0, 1])))).toBe('targets: shape [2] does not match the model output [2] (expected [2, 2])');
    expect(message(() => prepareTargets(spec('mse', 2), 2, targets([2, 3], [0, 0, 0, 0, 0, 0])))).toBe('targets: shape [2,3] does not match the model output [2] (expected [2, 2])');
    expect(message(() => prepareTargets(spec('mse', 2), 2, targets([2, 1, 2], [0, 0, 0, 0])))).toBe('targets: shape [2,1,2] does not match the model output [2] (expected [2, 2])');
    expect(message(() => prepareTargets(spec('mse', 1), 2, targets([2, 2], [0, 0, 0, 0])))).toBe('targets: shape [2,2] does not match the model output [1] (expected [2, 1] or [2])');
    expect(message(() => prepareTargets(spec('softmax-xent', 2), 2, targets([2, 3], [0, 0, 0, 0, 0, 0])))).toBe('targets: shape [2,3] does not match the model output [2] (expected [2, 2])');
  });

  it('names the expected shapes for per-position outputs', () => {
    const xent = spec('softmax-xent', 3, 2);
    const mse = spec('mse', 3, 2);
    const zeros = (n: number) => new Array<number>(n).fill(0);
    expect(message(() => prepareTargets(xent, 1, targets([1, 2, 2], zeros(4))))).toBe('targets: shape [1,2,2] does not match the model output [2,3] (expected [1, 2, 3] or ids [1, 2])');
    expect(message(() => prepareTargets(xent, 1, targets([1, 3, 3], zeros(9))))).toBe('targets: shape [1,3,3] does not match the model output [2,3] (expected [1, 2, 3] or ids [1, 2])');
    expect(message(() => prepareTargets(xent, 1, targets([1, 6], zeros(6))))).toBe('targets: shape [1,6] does not match the model output [2,3] (expected [1, 2, 3] or ids [1, 2])');
    expect(message(() => prepareTargets(mse, 1, targets([1, 6], zeros(6))))).toBe('targets: shape [1,6] does not match the model output [2,3] (expected [1, 2, 3])');
    expect(message(() => prepareTargets(mse, 1, targets([1, 2], zeros(2))))).toBe('targets: shape [1,2] does not match the model output [2,3] (expected [1, 2, 3])');
    expect(message(() => prepareTargets(mse, 1, targets([1, 2, 3, 1], zeros(6))))).toBe('targets: shape [1,2,3,1] does not match the model output [2,3] (expected [1, 2, 3])');
    // C = 1: [B, T] is exact only with the right T
    expect(message(() => prepareTargets(spec('mse', 1, 3), 1, targets([1, 2], zeros(2))))).toBe('targets: shape [1,2] does not match the model output [3,1] (expected [1, 3, 1])');
  });

  it('logistic targets must be ±1; mse targets need not be', () => {
    expect(Array.from(prepareTargets(spec('logistic', 1), 3, targets([3], [1, -1, -1])))).toEqual([1, -1, -1]);
    expect(Array.from(prepareTargets(spec('logistic', 1), 2, targets([2, 1], [-1, 1])))).toEqual([-1, 1]);
    expect(message(() => prepareTargets(spec('logistic', 1), 3, targets([3], [1, 0, 1])))).toBe('targets: logistic targets must be -1 or +1 (index 1 is 0)');
    expect(message(() => prepareTargets(spec('logistic', 1), 2, targets([2], [1, 2])))).toBe('targets: logistic targets must be -1 or +1 (index 1 is 2)');
    expect(message(() => prepareTargets(spec('logistic', 1), 2, targets([2], [-2, 1])))).toBe('targets: logistic targets must be -1 or +1 (index 0 is -2)');
    expect(Array.from(prepareTargets(spec('mse', 1), 2, targets([2], [0, 2])))).toEqual([0, 2]);
  });

  it('one-hot softmax-xent targets: entries in {0, 1}, each row summing to 1', () => {
    const s = spec('softmax-xent', 3);
    expect(Array.from(prepareTargets(s, 2, targets([2, 3], [0, 1, 0, 0, 0, 1])))).toEqual([0, 1, 0, 0, 0, 1]);
    expect(message(() => prepareTargets(s, 2, targets([2, 3], [0, 1, 0, 0.5, 0.5, 0])))).toBe('targets: softmax-xent targets must be one-hot (row 1 has 0.5)');
    expect(message(() => prepareTargets(s, 2, targets([2, 3], [0, 1, 0, 0, 2, 0])))).toBe('targets: softmax-xent targets must be one-hot (row 1 has 2)');
    expect(message(() => prepareTargets(s, 2, targets([2, 3], [1, 1, 0, 0, 1, 0])))).toBe('targets: softmax-xent target row 0 is not one-hot (sums to 2)');
    expect(message(() => prepareTargets(s, 2, targets([2, 3], [1, 0, 0, 0, 0, 0])))).toBe('targets: softmax-xent target row 1 is not one-hot (sums to 0)');
    // the last column counts: [0, 0, 1] is one-hot, [0, 1, 1] is not
    expect(message(() => prepareTargets(s, 1, targets([1, 3], [0, 1, 1])))).toBe('targets: softmax-xent target row 0 is not one-hot (sums to 2)');
    // mse targets are not checked for one-hot
    expect(Array.from(prepareTargets(spec('mse', 3), 1, targets([1, 3], [0.5, 0.5, 2])))).toEqual([0.5, 0.5, 2]);
  });

  it('one-hot checks per position name the example and the position', () => {
    const s = spec('softmax-xent', 2, 2);
    expect(message(() => prepareTargets(s, 2, targets([2, 2, 2], [1, 0, 0.5, 0.5, 1, 0, 0, 1])))).toBe('targets: softmax-xent targets must be one-hot (example 0, position 1 has 0.5)');
    expect(message(() => prepareTargets(s, 2, targets([2, 2, 2], [1, 0, 0, 1, 0, 0, 0, 1])))).toBe('targets: softmax-xent target at example 1, position 0 is not one-hot (sums to 0)');
    expect(message(() => prepareTargets(s, 2, targets([2, 2, 2], [1, 0, 0, 1, 1, 0, 1, 1])))).toBe('targets: softmax-xent target at example 1, position 1 is not one-hot (sums to 2)');
  });
});
