/**
 * Batch-norm rule. Shapes: x̂ = normalized input [B, ..., C], D = delta at the output
 * y = γ x̂ + β, same shape. Per-example gradients γ: Σ_positions D_i ⊙ x̂_i, β: Σ_positions D_i
 * ([C] each) are materialized (cheap: B·2C numbers), summed per group, G = S Sᵀ. Valid for stored
 * statistics (per-example mode) and for batch statistics per group (minibatch mode), since γ and β
 * enter only through y.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerRule } from './rule.ts';
import { groupRows, outer } from './blocks.ts';

export const batchnormRule: LayerRule = {
  gram(ctx) {
    return tf.tidy(() => {
      const xhat = ctx.record.input;
      const d = ctx.delta;
      const b = d.shape[0]!;
      const c = d.shape[d.rank - 1]!;
      const dg = tf.sum(tf.mul(d, xhat).reshape([b, -1, c]), 1);
      const db = tf.sum(d.reshape([b, -1, c]), 1);
      return outer(groupRows(tf.concat([dg, db], 1), ctx.groups) as tf.Tensor2D);
    });
  },
};
