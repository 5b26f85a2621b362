/**
 * Dense layer rule. Shapes: A = input [B, in], D = delta [B, out]; per-example gradient of the
 * kernel g_i = a_i d_iᵀ (and d_i for the bias), so <g_i, g_j> = (a_i·a_j + 1)(d_i·d_j):
 *   ghost:       G = (A Aᵀ + 1) ⊙ (D Dᵀ)                       ~ B²(in + out)
 *   materialize: per group s_a = A_aᵀ D_a (and Σ D_a), G = S Sᵀ     ~ B·in·out + K²·in·out
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerRule, RuleContext } from './rule.ts';
import { groupGram, groupOuterSums, groupRows, outer } from './blocks.ts';

function dims(ctx: RuleContext) {
  const [b, inDim] = ctx.record.input.shape as [number, number];
  const out = ctx.delta.shape[1]!;
  return { b, inDim, out, k: ctx.groups, bias: ctx.record.layer.type === 'dense' && ctx.record.layer.bias };
}

export const denseRule: LayerRule = {
  cost(ctx) {
    const { b, inDim, out, k } = dims(ctx);
    return { ghost: b * b * (inDim + out), materialize: b * inDim * out + k * k * inDim * out };
  },
  gram(ctx) {
    const { b, inDim, out, k, bias } = dims(ctx);
    const c = this.cost!(ctx);
    const ghost = ctx.strategy === 'ghost' || (ctx.strategy === 'auto' && c.ghost <= c.materialize);
    return tf.tidy(() => {
      const a = ctx.record.input as tf.Tensor2D;
      const d = ctx.delta as tf.Tensor2D;
      if (ghost) {
        let aa = outer(a);
        if (bias) aa = tf.add(aa, 1);
        return groupGram(tf.mul(aa, outer(d)), k);
      }
      const m = b / k;
      const s = groupOuterSums(a.reshape([k, m, inDim]), d.reshape([k, m, out])).reshape([k, inDim * out]) as tf.Tensor2D;
      let g = outer(s);
      if (bias) g = tf.add(g, outer(groupRows(d, k) as tf.Tensor2D));
      return g;
    });
  },
};
