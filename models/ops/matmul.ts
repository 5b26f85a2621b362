/**
 * x·w on the last axis: x [..., in] (any rank ≥ 2, batch first), w [in, out] → [..., out]. The
 * leading axes are folded into rows of one 2-D matMul.
 *
 * On wasm, tfjs's own matMul gradient uses transpose flags that miss XNNPACK's fast path (4×
 * slower for the 784→512×4 MLP); there the gradients are written with explicit transposes.
 * `kernelGrad: false` (the probe, which differentiates only w.r.t. activations) skips the
 * kernel gradient. Slow twin: the cpu backend's stock tf.matMul gradients (models/ops/ops.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** 2-D x [n, in] · w [in, out] with the wasm gradients described above. */
export function denseMatMul(x: tf.Tensor2D, w: tf.Tensor2D, kernelGrad = true): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(x, w);
  if (!kernelGrad) {
    const f = tf.customGrad(((xx: tf.Tensor, save: tf.GradSaveFunc) => {
      save([w]); // w may be an intermediate (a transposed tied table): keep it for the backward pass
      return { value: tf.matMul(xx as tf.Tensor2D, w), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[0]!))] };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x) as tf.Tensor2D;
  }
  const f = tf.customGrad(((xx: tf.Tensor, ww: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx, ww]);
    return {
      value: tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, w0] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(w0)), tf.matMul(tf.transpose(x0), dy as tf.Tensor2D)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor2D;
}

/**
 * x [..., in] · w [in, out] → [..., out] on any rank (rows folded); `stock` uses tf.matMul and
 * its own gradients (the benchmark's baseline).
 */
export function matMulLastAxis(x: tf.Tensor, w: tf.Tensor2D, kernelGrad = true, stock = false): tf.Tensor {
  const inDim = x.shape[x.rank - 1]!;
  const x2 = (x.rank === 2 ? x : x.reshape([-1, inDim])) as tf.Tensor2D;
  const y = stock ? tf.matMul(x2, w) : denseMatMul(x2, w, kernelGrad);
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), w.shape[1]]);
}
