/**
 * shift rule: y = x + β, β broadcast against x's trailing axes (biases, normalization β).
 * Per-example gradient g_i = Σ over the broadcast positions of δ_i (for a dense layer on a flat
 * input, δ_i itself), always materialized, G = S Sᵀ.
 */
import * as tf from '@tensorflow/tfjs';
import type { ShiftCall } from '../../../models/primitives.ts';
import type { PrimitiveRule } from './rule.ts';
import { groupRows, outer, sumToParam } from './blocks.ts';

export const shiftRule: PrimitiveRule<ShiftCall> = {
  kind: 'shift',
  cost: (u) => ({ ghost: Infinity, materialize: u.delta.size }),
  gram(u, k) { return tf.tidy(() => outer(this.materialize(u, k))); },
  materialize: (u, k) => tf.tidy(() => groupRows(sumToParam(u.delta, u.call.paramShape), k) as tf.Tensor2D),
};
