/**
 * matmul rule: y = a·W on the last axis, a [B, …, in] (T = positions per example, 1 for a flat
 * input), δ [B, …, out], W [in, out]. Per-example gradient g_i = Σ_t a_it ⊗ δ_it, so
 *   ghost:       <g_i, g_j> = Σ_{t,s} (a_it·a_js)(δ_it·δ_js)     ~ B²T²(in + out)
 *   materialize: s_k = Σ_{i∈k} Σ_t a_it ⊗ δ_it, G = S Sᵀ           ~ B·T·in·out + K²·in·out
 * 'auto' takes the smaller estimate — the Gram analogue of fastDP's ghost-norm rule 2T² ≤ p·d
 * (ghost wins when positions are few relative to the layer's size). With `transposed` (W stored
 * [out, in], y = a·Wᵀ: a tied table) the Gram is the same; materialized sums are δ ⊗ a.
 */
import * as tf from '@tensorflow/tfjs';
import type { MatmulCall } from '../../../models/primitives.ts';
import type { PrimitiveRule, PrimitiveUse } from './rule.ts';
import { ghostSum, groupGram, groupOuterSums, outer, rowBlock } from './blocks.ts';

function dims(u: PrimitiveUse<MatmulCall>) {
  const a = u.call.input;
  const b = a.shape[0]!;
  const inDim = a.shape[a.rank - 1]!;
  const out = u.delta.shape[u.delta.rank - 1]!;
  return { b, t: a.size / (b * inDim), inDim, out };
}

export const matmulRule: PrimitiveRule<MatmulCall> = {
  kind: 'matmul',
  cost(u, k) {
    const { b, t, inDim, out } = dims(u);
    return { ghost: b * b * t * t * (inDim + out + 1), materialize: b * t * inDim * out + k * k * inDim * out };
  },
  gram(u, k, form) {
    if (form === 'materialize') return tf.tidy(() => outer(this.materialize(u, k)));
    return matmulGhost(u, k, false);
  },
  materialize(u, k) {
    const { b, t, inDim, out } = dims(u);
    return tf.tidy(() => {
      const rows = (b / k) * t;
      const a = u.call.input.reshape([k, rows, inDim]) as tf.Tensor3D;
      const d = u.delta.reshape([k, rows, out]) as tf.Tensor3D;
      return (u.call.transposed ? groupOuterSums(d, a) : groupOuterSums(a, d)).reshape([k, inDim * out]) as tf.Tensor2D;
    });
  },
};

/**
 * The ghost form, optionally with a bias that shares this use's δ folded in (y = a·W + b):
 * Σ_{t,s} (a_it·a_js + 1)(δ_it·δ_js) is the Gram of W and b together, one D Dᵀ instead of two.
 */
export function matmulGhost(u: PrimitiveUse<MatmulCall>, k: number, withBias: boolean): tf.Tensor2D {
  const { b, t, inDim, out } = dims(u);
  return tf.tidy(() => {
    const a = u.call.input.reshape([b * t, inDim]) as tf.Tensor2D;
    const d = u.delta.reshape([b * t, out]) as tf.Tensor2D;
    const plus = (m: tf.Tensor2D) => (withBias ? tf.add(m, 1) as tf.Tensor2D : m);
    if (t === 1) return groupGram(tf.mul(plus(outer(a)), outer(d)), k);
    const at = tf.transpose(a);
    const dt = tf.transpose(d);
    return groupGram(ghostSum(b, t, (r0, r) => plus(rowBlock(a, at, t, r0, r)), (r0, r) => rowBlock(d, dt, t, r0, r)), k);
  });
}
