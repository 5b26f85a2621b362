/**
 * scale rule: y = x ⊙ γ, γ broadcast against x's trailing axes (normalization γ). Per-example
 * gradient g_i = Σ over the broadcast positions of δ_i ⊙ x_i — a vector of γ's size, so it is
 * always materialized (B·|y| multiply-adds), G = S Sᵀ.
 */
import * as tf from '@tensorflow/tfjs';
import type { ScaleCall } from '../../../models/primitives.ts';
import type { PrimitiveRule } from './rule.ts';
import { groupRows, outer, sumToParam } from './blocks.ts';

export const scaleRule: PrimitiveRule<ScaleCall> = {
  kind: 'scale',
  cost: (u) => ({ ghost: Infinity, materialize: u.delta.size }),
  gram(u, k) { return tf.tidy(() => outer(this.materialize(u, k))); },
  materialize: (u, k) => tf.tidy(() => groupRows(sumToParam(tf.mul(u.delta, u.call.input), u.call.paramShape), k) as tf.Tensor2D),
};
