/**
 * Per-example losses (DESIGN.md contracts) and target validation.
 *
 * - mse: f_i = 1/2 Σ_k (out_ik − y_ik)² — the paper's square loss.
 * - logistic: f_i = log(1 + exp(−y_i out_i)), scalar output, y_i ∈ {−1, +1}.
 * - softmax-xent: f_i = −Σ_k y_ik log softmax(out_i)_k, one-hot y (integer labels accepted).
 *
 * Outputs [T, C] per position (sequence models; mse and softmax-xent): an example's loss is the
 * sum over its positions (a sequence is one example).
 *
 * The loss of a batch is the SUM of per-example losses (a minibatch gradient is the mean).
 */
import * as tf from '@tensorflow/tfjs';
import type { Loss, ModelSpec } from './spec.ts';
import { outputShape } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

/**
 * Per-example losses [B] for outputs [B, K] or [B, T, C] and prepared targets [B, K] (K = T·C for
 * per-position outputs; see `prepareTargets`).
 */
export function exampleLosses(loss: Loss, out: tf.Tensor, y: tf.Tensor2D): tf.Tensor1D {
  const b = out.shape[0]!;
  const yy = out.rank === 2 ? y : y.reshape(out.shape);
  const perExample = (t: tf.Tensor) => (t.rank === 2 ? tf.sum(t, 1) : tf.sum(t.reshape([b, -1]), 1)) as tf.Tensor1D;
  switch (loss) {
    case 'mse':
      return tf.mul(0.5, perExample(tf.square(tf.sub(out, yy)))) as tf.Tensor1D;
    case 'logistic':
      return tf.softplus(tf.neg(tf.mul(yy, out))).reshape([-1]) as tf.Tensor1D;
    case 'softmax-xent':
      return tf.neg(perExample(tf.mul(yy, tf.logSoftmax(out)))) as tf.Tensor1D;
  }
}

/**
 * Validate targets against the spec and the number of examples, and return them as a row-major
 * [B, K] float32 matrix the loss takes (K = prod of the output shape): mse [B, K] (or [B] when
 * K = 1); logistic [B] or [B, 1] of ±1; softmax-xent one-hot [B, K] or integer labels [B] in
 * 0..K−1. Per-position outputs [T, C]: targets [B, T, C] (mse; one-hot for softmax-xent) or, for
 * softmax-xent, integer ids [B, T] (a one-hot row per position).
 */
export function prepareTargets(spec: ModelSpec, n: number, y: { shape: number[]; data: ArrayLike<number> }, source = 'targets'): Float32Array {
  const outShape = outputShape(spec);
  const k = outShape[outShape.length - 1]!;
  const positions = outShape.length === 2 ? outShape[0]! : 1;
  const total = positions * k;
  const shape = y.shape;
  if (shape[0] !== n) throw new BadInputError(`${source}: ${shape[0] ?? 0} targets for ${n} examples`);
  for (let i = 0; i < y.data.length; i++) {
    if (!Number.isFinite(y.data[i]!)) throw new BadInputError(`${source}: NaN or Inf at index ${i}`);
  }
  const out = new Float32Array(n * total);
  const seq = outShape.length === 2;
  const where = (i: number) => (seq ? `example ${Math.floor(i / positions)}, position ${i % positions}` : `index ${i}`);
  const labelsShape = seq ? shape.length === 2 && shape[1] === positions : shape.length === 1;
  if (spec.loss === 'softmax-xent' && labelsShape) {
    for (let i = 0; i < n * positions; i++) {
      const c = y.data[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= k) throw new BadInputError(`${source}: label ${c} at ${where(i)} is not an integer class in 0..${k - 1}`);
      out[i * k + c] = 1;
    }
    return out;
  }
  const exact = seq
    ? shape.length === 3 && shape[1] === positions && shape[2] === k || (k === 1 && labelsShape)
    : shape.length <= 2 && shape.slice(1).reduce((a, b) => a * b, 1) === k;
  if (!exact) {
    const expected = seq
      ? `[${n}, ${positions}, ${k}]${spec.loss === 'softmax-xent' ? ` or ids [${n}, ${positions}]` : ''}`
      : `[${n}, ${k}]${k === 1 ? ` or [${n}]` : ''}`;
    throw new BadInputError(`${source}: shape [${shape}] does not match the model output [${outShape}] (expected ${expected})`);
  }
  for (let i = 0; i < n * total; i++) out[i] = y.data[i]!;
  if (spec.loss === 'logistic') {
    for (let i = 0; i < n; i++) if (out[i] !== 1 && out[i] !== -1) throw new BadInputError(`${source}: logistic targets must be -1 or +1 (index ${i} is ${out[i]})`);
  }
  if (spec.loss === 'softmax-xent') {
    for (let i = 0; i < n * positions; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const v = out[i * k + j]!;
        if (v !== 0 && v !== 1) throw new BadInputError(`${source}: softmax-xent targets must be one-hot (${seq ? where(i) : `row ${i}`} has ${v})`);
        s += v;
      }
      if (s !== 1) throw new BadInputError(`${source}: softmax-xent target ${seq ? `at ${where(i)}` : `row ${i}`} is not one-hot (sums to ${s})`);
    }
  }
  return out;
}
