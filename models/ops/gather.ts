/**
 * Embedding lookup: rows of table [V, D] at integer ids [...] → [..., D].
 *
 * tfjs's gather gradient needs UnsortedSegmentSum, which tfjs-backend-wasm 4.22 does not have;
 * there the table gradient is written here as onehot(ids)ᵀ · dy ([V, n] · [n, D], exact: each
 * row of dy is added to its id's row once). Elsewhere tf.gather and its own gradient are used.
 * Slow twin: the cpu backend's stock gradient (models/ops/ops.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const [v, d] = table.shape;
  if (tf.getBackend() !== 'wasm') return tf.gather(table, ids);
  const f = tf.customGrad(((tt: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ids]); // ids may be an intermediate of the forward pass: keep it for the backward pass
    return {
      value: tf.gather(tt, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const oneHot = oneHotRows(saved[0]!, v);
        return [tf.matMul(tf.transpose(oneHot), dy.reshape([-1, d]))];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(table);
}

/** onehot(ids) as float [n, V] (tf.oneHot needs depth ≥ 2: a vocab of 1 is padded and cut). */
export function oneHotRows(ids: tf.Tensor, v: number): tf.Tensor2D {
  const flat = ids.reshape([-1]) as tf.Tensor1D;
  const oh = tf.oneHot(flat, Math.max(2, v)).toFloat() as tf.Tensor2D;
  return v >= 2 ? oh : tf.slice(oh, [0, 0], [-1, v]);
}
