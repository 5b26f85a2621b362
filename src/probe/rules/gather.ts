/**
 * gather rule: y = table[ids], ids [B, …] (T per example), table [V, D], δ [B, …, D]. The
 * per-example gradient adds δ_it to row id_it: g_i = Σ_t e_{id_it} ⊗ δ_it (a matmul with one-hot
 * input), so
 *   ghost:       <g_i, g_j> = Σ_{t,s} [id_it = id_js] (δ_it·δ_js)      ~ B²T²(D + 1)
 *   materialize: s_k = Σ_{i∈k} onehot(ids_i)ᵀ δ_i [V, D], G = S Sᵀ      ~ B·T·V·D + K²·V·D
 * 'auto' takes the smaller estimate.
 */
import * as tf from '@tensorflow/tfjs';
import type { GatherCall } from '../../../models/primitives.ts';
import type { PrimitiveRule, PrimitiveUse } from './rule.ts';
import { oneHotRows } from '../../../models/ops/gather.ts';
import { ghostSum, groupGram, groupOuterSums, outer, rowBlock } from './blocks.ts';

function dims(u: PrimitiveUse<GatherCall>) {
  const b = u.call.input.shape[0]!;
  const [v, d] = u.call.paramShape as [number, number];
  return { b, t: u.call.input.size / b, v, d };
}

export const gatherRule: PrimitiveRule<GatherCall> = {
  kind: 'gather',
  cost(u, k) {
    const { b, t, v, d } = dims(u);
    return { ghost: b * b * t * t * (d + 2), materialize: b * t * v * d + k * k * v * d };
  },
  gram(u, k, form) {
    if (form === 'materialize') return tf.tidy(() => outer(this.materialize(u, k)));
    const { b, t, d } = dims(u);
    return tf.tidy(() => {
      const ids = u.call.input.reshape([b * t]);
      const col = ids.reshape([1, b * t]);
      const dd = u.delta.reshape([b * t, d]) as tf.Tensor2D;
      const ddt = tf.transpose(dd);
      const same = (r0: number, r: number) => tf.cast(tf.equal(ids.slice([r0 * t], [r * t]).reshape([r * t, 1]), col), 'float32') as tf.Tensor2D;
      return groupGram(ghostSum(b, t, same, (r0, r) => rowBlock(dd, ddt, t, r0, r)), k);
    });
  },
  materialize(u, k) {
    const { b, t, v, d } = dims(u);
    return tf.tidy(() => {
      const rows = (b / k) * t;
      const oneHot = oneHotRows(u.call.input, v).reshape([k, rows, v]) as tf.Tensor3D;
      return groupOuterSums(oneHot, u.delta.reshape([k, rows, d]) as tf.Tensor3D).reshape([k, v * d]) as tf.Tensor2D;
    });
  },
};
