/**
 * The contract of a Gram rule, one per parametric PRIMITIVE (models/primitives.ts), not per layer
 * (BackPACK-style extensions keyed by how a parameter enters the computation).
 *
 * A use of a primitive is the call the forward pass reported (kind, parameter name and shape, the
 * tensor that multiplies the parameter, metadata) plus δ = ∂(Σ_i f_i)/∂y at its output y. Shapes:
 * B examples in K contiguous groups of m = B/K (K = B: per-example mode), batch axis first.
 * Through one use the parameter's gradient is a sum over examples of per-example contributions
 * g_i(input_i, δ_i); a rule returns the K×K Gram of the group sums s_a = Σ_{i∈a} g_i, or the
 * group sums themselves (`materialize`, in the parameter's own layout) so that several uses of one
 * parameter (tied weights) can be added before the Gram (src/probe/parameter-gram.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { PrimitiveCall, PrimitiveKind } from '../../../models/primitives.ts';

export type GramStrategy = 'auto' | 'ghost' | 'materialize';

/** One primitive call with the δ at its output. */
export interface PrimitiveUse<C extends PrimitiveCall = PrimitiveCall> {
  call: C;
  /** δ = ∂(Σ_i f_i)/∂y, same shape as the primitive's output y [B, …]. */
  delta: tf.Tensor;
}

export interface PrimitiveRule<C extends PrimitiveCall = PrimitiveCall> {
  kind: PrimitiveKind;
  /**
   * Estimated multiply-adds of the ghost form and of materializing the group sums (Infinity for a
   * form the rule does not have); 'auto' picks the smaller.
   */
  cost(use: PrimitiveUse<C>, groups: number): { ghost: number; materialize: number };
  /** K×K Gram of the group-summed gradients through this use (a form the rule lacks falls back to the other). */
  gram(use: PrimitiveUse<C>, groups: number, form: 'ghost' | 'materialize'): tf.Tensor2D;
  /** [K, P] group sums of the per-example gradients, P = prod(paramShape), row-major in the parameter's layout. */
  materialize(use: PrimitiveUse<C>, groups: number): tf.Tensor2D;
}
