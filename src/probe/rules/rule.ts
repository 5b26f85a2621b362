/**
 * The contract of a per-layer Gram rule (BackPACK-style module extension, keyed by layer type).
 *
 * Shapes: B examples in K contiguous groups of m = B/K (K = B: per-example mode). `input` is the
 * layer input (dense [B, in]; conv2d [B, H, W, cin]) or, for batch norm, the normalized input x̂
 * [B, ..., C]; `delta` is ∂(Σ_i f_i)/∂(pre-activation) with the layer's output shape [B, ...].
 * For every layer here the parameter gradient is a sum over examples of per-example
 * contributions g_i(input_i, delta_i); the rule returns the K×K Gram of the group sums
 * s_a = Σ_{i∈a} g_i of this layer's parameters (kernel and bias, or gamma and beta).
 */
import type * as tf from '@tensorflow/tfjs';
import type { LayerRecord } from '../../../models/build.ts';

export type GramStrategy = 'auto' | 'ghost' | 'materialize';

export interface RuleContext {
  record: LayerRecord;
  delta: tf.Tensor;
  /** Number of contiguous groups K (B for per-example mode). */
  groups: number;
  /** Force a strategy (tests, benchmarks); 'auto' picks by estimated cost. */
  strategy: GramStrategy;
}

export interface LayerRule {
  /** K×K Gram of the group-summed gradients of this layer's parameters. */
  gram(ctx: RuleContext): tf.Tensor2D;
  /** Estimated multiply-adds of each strategy (for 'auto' and for reporting). */
  cost?(ctx: RuleContext): { ghost: number; materialize: number };
}
