/** Group sums shared by the rules. Shapes in the names: B = K·m examples. */
import * as tf from '@tensorflow/tfjs';

/** [B, ...rest] → [K, ...rest] summing each contiguous group of B/K rows. */
export function groupRows(t: tf.Tensor, groups: number): tf.Tensor {
  const b = t.shape[0]!;
  if (groups === b) return t;
  return tf.sum(t.reshape([groups, b / groups, ...t.shape.slice(1)]), 1);
}

/** S^T G S for the B×B Gram G and the group indicator S: [B, B] → [K, K]. */
export function groupGram(g: tf.Tensor2D, groups: number): tf.Tensor2D {
  const b = g.shape[0];
  if (groups === b) return g;
  const m = b / groups;
  return tf.sum(g.reshape([groups, m, groups, m]), [1, 3]) as tf.Tensor2D;
}

/**
 * M Mᵀ for M [K, P]. The explicit transpose is deliberate: on wasm, matMul with a transpose flag
 * misses XNNPACK's fast path (measured 43 ms vs 7 ms for [64, 18432]).
 */
export function outer(m: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(m, tf.transpose(m));
}
