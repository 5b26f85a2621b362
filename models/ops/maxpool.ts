/**
 * k×k max pooling of [B, H, W, C] with stride s, "valid" (floor), and its gradient: dy goes to
 * the FIRST maximum of each window in (row, column) order, as tfjs's cpu backend, TensorFlow and
 * PyTorch do.
 *
 * tfjs-backend-wasm 4.22's MaxPoolGrad drops gradient entries (e.g. a 4×4 input, 2×2 windows,
 * stride 2: one window's dy is lost entirely; pinned in models/ops/ops.test.ts), so on wasm the
 * gradient is written here: the windows as kernel-offset-major patches, the argmax over the
 * offsets, and for each offset the masked dy placed back on the input grid (stride-dilated and
 * shifted by the offset). Elsewhere tf.maxPool and its own gradient. Slow twin: a float64 loop
 * and the cpu backend's stock gradient (models/ops/ops.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { convPatchesStacked, dilate, padOrCrop, type ConvGeometry } from './conv2d.ts';

export function maxPool(x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm') return tf.maxPool(x, size, stride, 'valid');
  const f = tf.customGrad(((xx: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx]);
    return {
      value: tf.maxPool(xx as tf.Tensor4D, size, stride, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [maxPoolGrad(dy as tf.Tensor4D, saved[0] as tf.Tensor4D, size, stride)],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}

/** dx [B, H, W, C] of max pooling for dy [B, Ho, Wo, C] (first maximum of each window). */
export function maxPoolGrad(dy: tf.Tensor4D, x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const [, ho, wo] = dy.shape;
    const g: ConvGeometry = { kh: size, kw: size, strideH: stride, strideW: stride, pads: [0, 0, 0, 0] };
    const windows = convPatchesStacked(x, g); // [k², B, Ho, Wo, C]
    const arg = tf.argMax(windows, 0); // first maximum
    let dx: tf.Tensor4D | undefined;
    for (let a = 0; a < size; a++) {
      for (let b = 0; b < size; b++) {
        const masked = tf.mul(tf.cast(tf.equal(arg, a * size + b), 'float32'), dy) as tf.Tensor4D;
        const placed = padOrCrop(dilate(masked, stride, stride), [a, h - ho * stride - a, b, w - wo * stride - b]);
        dx = dx ? tf.add(dx, placed) : placed;
      }
    }
    return dx!;
  });
}
