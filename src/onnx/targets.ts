/**
 * Targets for an ONNX model's per-example loss, validated against its output size K, as the
 * [B, K] float32 matrix the losses take (DESIGN.md "Losses per example"): mse [B, K] (or [B]
 * when K = 1); logistic [B] or [B, 1] of ±1 with K = 1; softmax-xent integer labels [B] in
 * 0..K−1 or one-hot [B, K].
 */
import { BadInputError } from '../errors.ts';
import type { OnnxLoss } from './reference.ts';

/**
 * @param y targets as read from .npy (shape and numbers).
 * @throws BadInputError naming the problem (count, shape, NaN, label range, ±1).
 */
export function targetMatrix(loss: OnnxLoss, batch: number, k: number, y: { shape: readonly number[]; data: ArrayLike<number> }, source = 'targets'): Float32Array {
  const s = y.shape;
  if (s[0] !== batch) throw new BadInputError(`${source}: ${s[0] ?? 0} targets for ${batch} examples`);
  for (let i = 0; i < y.data.length; i++) if (!Number.isFinite(y.data[i]!)) throw new BadInputError(`${source}: NaN or Inf at index ${i}`);
  const out = new Float32Array(batch * k);
  if (loss === 'softmax-xent' && s.length === 1) {
    for (let i = 0; i < batch; i++) {
      const c = y.data[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= k) throw new BadInputError(`${source}: label ${c} at index ${i} is not an integer class in 0..${k - 1}`);
      out[i * k + c] = 1;
    }
    return out;
  }
  const per = s.slice(1).reduce((a, b) => a * b, 1);
  if (s.length > 2 || per !== k) throw new BadInputError(`${source}: shape [${s.join(', ')}] does not match the model output (${k} per example: expected [${batch}, ${k}]${k === 1 ? ` or [${batch}]` : ''})`);
  if (loss === 'logistic' && k !== 1) throw new BadInputError(`${source}: the logistic loss needs one output per example; the model has ${k}`);
  for (let i = 0; i < batch * k; i++) out[i] = y.data[i]!;
  if (loss === 'logistic') for (let i = 0; i < batch; i++) if (out[i] !== 1 && out[i] !== -1) throw new BadInputError(`${source}: logistic targets must be -1 or +1 (index ${i} is ${out[i]})`);
  if (loss === 'softmax-xent') {
    for (let i = 0; i < batch; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const v = out[i * k + j]!;
        if (v !== 0 && v !== 1) throw new BadInputError(`${source}: softmax-xent targets must be one-hot or integer labels (row ${i} has ${v})`);
        sum += v;
      }
      if (sum !== 1) throw new BadInputError(`${source}: row ${i} is not one-hot`);
    }
  }
  return out;
}
