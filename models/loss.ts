/**
 * Per-example losses (DESIGN.md contracts) and target validation.
 *
 * - mse: f_i = 1/2 Σ_k (out_ik − y_ik)² — the paper's square loss.
 * - logistic: f_i = log(1 + exp(−y_i out_i)), scalar output, y_i ∈ {−1, +1}.
 * - softmax-xent: f_i = −Σ_k y_ik log softmax(out_i)_k, one-hot y (integer labels accepted).
 *
 * The loss of a batch is the SUM of per-example losses (a minibatch gradient is the mean).
 */
import * as tf from '@tensorflow/tfjs';
import type { Loss, ModelSpec } from './spec.ts';
import { outputShape } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

/** Per-example losses [B] for outputs [B, K] and prepared targets (see `prepareTargets`). */
export function exampleLosses(loss: Loss, out: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor1D {
  switch (loss) {
    case 'mse':
      return tf.mul(0.5, tf.sum(tf.square(tf.sub(out, y)), 1)) as tf.Tensor1D;
    case 'logistic':
      return tf.softplus(tf.neg(tf.mul(y, out))).reshape([-1]) as tf.Tensor1D;
    case 'softmax-xent':
      return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(out)), 1)) as tf.Tensor1D;
  }
}

/**
 * Validate targets against the spec and the number of examples, and return them as a
 * [B, K] float32 matrix the loss takes: mse [B, K] (or [B] when K = 1); logistic [B] or [B, 1]
 * of ±1; softmax-xent one-hot [B, K] or integer labels [B] in 0..K−1.
 */
export function prepareTargets(spec: ModelSpec, n: number, y: { shape: number[]; data: ArrayLike<number> }, source = 'targets'): Float32Array {
  const k = outputShape(spec)[0]!;
  const shape = y.shape;
  if (shape[0] !== n) throw new BadInputError(`${source}: ${shape[0] ?? 0} targets for ${n} examples`);
  for (let i = 0; i < y.data.length; i++) {
    if (!Number.isFinite(y.data[i]!)) throw new BadInputError(`${source}: NaN or Inf at index ${i}`);
  }
  const flatK = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * k);
  if (spec.loss === 'softmax-xent' && shape.length === 1) {
    for (let i = 0; i < n; i++) {
      const c = y.data[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= k) throw new BadInputError(`${source}: label ${c} at index ${i} is not an integer class in 0..${k - 1}`);
      out[i * k + c] = 1;
    }
    return out;
  }
  if (shape.length > 2 || flatK !== k) {
    throw new BadInputError(`${source}: shape [${shape}] does not match the model output (${k} per example: expected [${n}, ${k}]${k === 1 ? ` or [${n}]` : ''})`);
  }
  for (let i = 0; i < n * k; i++) out[i] = y.data[i]!;
  if (spec.loss === 'logistic') {
    for (let i = 0; i < n; i++) if (out[i] !== 1 && out[i] !== -1) throw new BadInputError(`${source}: logistic targets must be -1 or +1 (index ${i} is ${out[i]})`);
  }
  if (spec.loss === 'softmax-xent') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const v = out[i * k + j]!;
        if (v !== 0 && v !== 1) throw new BadInputError(`${source}: softmax-xent targets must be one-hot (row ${i} has ${v})`);
        s += v;
      }
      if (s !== 1) throw new BadInputError(`${source}: softmax-xent target row ${i} is not one-hot (sums to ${s})`);
    }
  }
  return out;
}
