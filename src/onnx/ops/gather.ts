/**
 * tf.gather with a gradient that works on every backend: tfjs computes Gather's gradient with
 * UnsortedSegmentSum, which tfjs-backend-wasm 4.22 does not register. Where it is missing, the
 * gradient is written here as a one-hot product: dx = onehot(idx)ᵀ · dy (reshaped around
 * `axis`) — the same sum, exact in float32 for the small index counts of shape ops and
 * embeddings. Slow twin: the backend's own gradient on cpu (gather.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

function hasSegmentSum(): boolean {
  return tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
}

/** x.gather(idx, axis), idx int32 of any shape with entries in [0, x.shape[axis]). */
export function gatherAxis(x: tf.Tensor, idx: tf.Tensor, axis: number): tf.Tensor {
  return hasSegmentSum() || x.dtype !== 'float32' ? tf.gather(x, idx, axis) : gatherOwnGrad(x, idx, axis);
}

/** tf.gather with the one-hot gradient written here. */
export function gatherOwnGrad(x: tf.Tensor, idx: tf.Tensor, axis: number): tf.Tensor {
  const shape = x.shape;
  // Tensors the gradient needs must be saved: the forward scope disposes everything else.
  const f = tf.customGrad(((xx: tf.Tensor, ii: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ii]);
    return {
      value: tf.gather(xx, ii, axis),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const id = saved[0]!;
        const n = shape[axis]!;
        const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
        const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        const m = id.size;
        // [m, n]; tf.oneHot needs a depth ≥ 2.
        const oneHot = tf.slice(tf.oneHot(id.reshape([m]), Math.max(n, 2)).toFloat(), [0, 0], [m, n]);
        const d = tf.transpose(dy.reshape([outer, m, inner]), [1, 0, 2]).reshape([m, outer * inner]);
        const dx = tf.matMul(oneHot, d, true, false).reshape([n, outer, inner]);
        return [tf.transpose(dx, [1, 0, 2]).reshape(shape), tf.zerosLike(id)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, idx) as tf.Tensor;
}
