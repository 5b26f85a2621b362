/**
 * Spec builder for the deep linear network of the paper's Theorem 6.1 (orthogonal init):
 * g(x) = W_beta ... W_1 W_0 x.
 */
import type { ModelSpec } from './spec.ts';
import { mlp } from './mlp.ts';

/** Options of {@link deepLinear}. */
export interface DeepLinearOptions {
  /** Input dimension d. */
  input: number;
  /** Width l of the hidden layers. */
  width: number;
  /** Depth beta >= 0: beta hidden layers, beta + 1 weight matrices W_0..W_beta. */
  depth: number;
  /** Output units (default 1). */
  outputs?: number;
}

/**
 * Theorem 6.1's deep linear network as a validated `ModelSpec`: dense layers W_0 (d -> l),
 * W_1..W_{beta-1} (l -> l), W_beta (l -> outputs), all activations linear, no bias, square loss.
 * It is `mlp` with activation 'linear' and the paper variant. With 'orthogonal' init and
 * d <= l >= outputs every partial product is orthogonal in the sense of the theorem, so the
 * per-example Gram is (beta + 1) times the depth-0 Gram of the same end-to-end map.
 * @throws BadInputError naming the field (`mlp.width`, ...).
 */
export function deepLinear(o: DeepLinearOptions): ModelSpec {
  return mlp({ ...o, activation: 'linear', variant: 'paper', bias: false, loss: 'mse' });
}
