/**
 * Spec builder for the paper's fully connected family (Section 4):
 * g_W(x) = s(W_beta s(W_{beta-1} ... s(W_1 s(W_0 x)))), W_0 in R^{l x d}, W_p in R^{l x l},
 * W_beta mapping to the outputs.
 */
import type { Activation, Loss, ModelSpec } from './spec.ts';
import { ACTIVATIONS, LOSSES, validateSpec } from './spec.ts';
import { boolArg, nonNegativeInt, oneOf, positiveInt } from './args.ts';

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Input dimension d. */
  input: number;
  /** Width l: units of every hidden layer. */
  width: number;
  /** Depth beta >= 0: the number of hidden layers, so the net has beta + 1 weight matrices. */
  depth: number;
  /** Output units (default 1, the paper's scalar output). */
  outputs?: number;
  /** The nonlinearity s (default 'tanh', which satisfies the paper's P1-P2). */
  activation?: Activation;
  /** 'paper' (default): s after every layer, the output included; 'linear-output': no s on W_beta. */
  variant?: 'paper' | 'linear-output';
  /** Per-example loss (default 'mse', the paper's square loss 1/2 (C(x) - g_W(x))^2). */
  loss?: Loss;
  /** Bias vectors (default false for 'paper', whose model has none; true for 'linear-output'). */
  bias?: boolean;
}

/**
 * The multilayer perceptron of the paper's Section 4 as a validated `ModelSpec`.
 *
 * Depth beta maps to beta + 1 dense layers W_0..W_beta: W_0 is d -> l, W_1..W_{beta-1} are
 * l -> l, and W_beta is l -> outputs (with depth 0 the net is the single layer d -> outputs and
 * `width` is unused). Variant 'paper' applies s at every layer including the output, exactly
 * g_W above (default: no bias, one output, square loss); 'linear-output' is the usual MLP whose
 * last layer is linear (default bias true), e.g. for softmax-xent classification.
 * Weight names: `layers.<p>.kernel` is W_p (stored [in, out], i.e. W_p transposed).
 * @throws BadInputError naming the field (`mlp.width`, `mlp.depth`, ...) or, from
 *   validateSpec, a loss that does not fit the outputs.
 */
export function mlp(o: MlpOptions): ModelSpec {
  const input = positiveInt(o.input, 'mlp.input');
  const width = positiveInt(o.width, 'mlp.width');
  const depth = nonNegativeInt(o.depth, 'mlp.depth');
  const outputs = o.outputs === undefined ? 1 : positiveInt(o.outputs, 'mlp.outputs');
  const activation = oneOf(o.activation, ACTIVATIONS, 'mlp.activation', 'tanh');
  const variant = oneOf(o.variant, ['paper', 'linear-output'] as const, 'mlp.variant', 'paper');
  const loss = oneOf(o.loss, LOSSES, 'mlp.loss', 'mse');
  const bias = boolArg(o.bias, 'mlp.bias', variant === 'linear-output');
  const layers = [];
  for (let p = 0; p <= depth; p++) {
    const last = p === depth;
    layers.push({
      type: 'dense',
      units: last ? outputs : width,
      activation: last && variant === 'linear-output' ? 'linear' : activation,
      bias,
    });
  }
  return validateSpec({ input: [input], layers, loss });
}
