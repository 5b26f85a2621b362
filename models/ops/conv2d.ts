/**
 * 2-D convolution (NHWC input, kernel [kh, kw, cin/groups, cout]) with explicit geometry, its
 * patches, and hand-written gradients where the backend lacks or botches its own.
 *
 * Geometry: kernel kh×kw, strides (sh, sw), explicit zero padding [top, bottom, left, right],
 * optional dilations (dh, dw) (default 1: kernel tap (dy, dx) reads input offset (dy·dh, dx·dw)).
 * Dilation is supported by the patches (hence by the probe's conv2d rule, which ONNX graphs feed),
 * not by the forward `conv2d` below (no spec layer is dilated; it refuses). `tfGeometry` gives TensorFlow's "same"/"valid" padding ("same" is asymmetric for
 * stride > 1: the extra row/column goes bottom/right). Groups as PyTorch and Keras: input channel
 * c belongs to group ⌊c / (cin/G)⌋, output channel o to group ⌊o / (cout/G)⌋ (groups = cin is
 * depthwise).
 *
 * Slow twins (models/ops/ops.test.ts): `convPatches` vs a conv with an identity kernel,
 * `conv2dInputGrad` vs tf.conv2dTranspose, and the wasm gradients of `conv2d` vs the cpu
 * backend's stock gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { hasConvFilterGrad } from '../../src/backend/index.ts';

/** Kernel size, strides and explicit zero padding of a convolution. */
export interface ConvGeometry {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  /** Zero padding [top, bottom, left, right] (each ≥ 0). */
  pads: [number, number, number, number];
  /** Dilations (default 1): the kernel spans (kh − 1)·dh + 1 rows and (kw − 1)·dw + 1 columns. */
  dilationH?: number;
  dilationW?: number;
}

/** The rows and columns a kernel spans: (k − 1)·d + 1. */
export function kernelSpan(g: ConvGeometry): [number, number] {
  return [(g.kh - 1) * (g.dilationH ?? 1) + 1, (g.kw - 1) * (g.dilationW ?? 1) + 1];
}

/** Total and leading ("top"/"left") padding of TensorFlow's padding rules along one axis. */
export function convPadding(size: number, k: number, stride: number, padding: 'same' | 'valid'): { out: number; before: number; total: number } {
  if (padding === 'valid') return { out: Math.floor((size - k) / stride) + 1, before: 0, total: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return { out, before: Math.floor(total / 2), total };
}

/** The geometry of a square k×k conv with stride s and TF padding on an h×w input. */
export function tfGeometry(h: number, w: number, k: number, stride: number, padding: 'same' | 'valid'): ConvGeometry {
  const ph = convPadding(h, k, stride, padding);
  const pw = convPadding(w, k, stride, padding);
  return { kh: k, kw: k, strideH: stride, strideW: stride, pads: [ph.before, ph.total - ph.before, pw.before, pw.total - pw.before] };
}

/** Output size [ho, wo] of the convolution on an h×w input. */
export function convOutSize(g: ConvGeometry, h: number, w: number): [number, number] {
  const [sh, sw] = kernelSpan(g);
  return [
    Math.floor((h + g.pads[0] + g.pads[1] - sh) / g.strideH) + 1,
    Math.floor((w + g.pads[2] + g.pads[3] - sw) / g.strideW) + 1,
  ];
}

/**
 * Patches [B, Ho, Wo, kh·kw·cin] of x, ordered (dy, dx, channel) like a kernel [kh, kw, cin, cout]
 * flattened over its first three axes, so that conv2d(x, w) = patches · reshape(w, [kh·kw·cin, cout]).
 * Built from kh·kw strided slices of the padded input (pure data movement). Plain slices after a
 * stride-phase reshape, not tf.stridedSlice: on wasm the latter is ~8× slower for stride 2.
 */
export function convPatches(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const parts = patchSlices(x, g);
    return (parts.length === 1 ? parts[0]! : tf.concat(parts, 3)) as tf.Tensor4D;
  });
}

/**
 * The same patches with the kernel offset first: [kh·kw, B, Ho, Wo, cin] (entry [dy·kw + dx, b, i, j, c]
 * = patches[b, i, j, (dy·kw + dx)·cin + c]). Stacking on the leading axis is a contiguous copy,
 * cheaper than convPatches' channel interleave when the consumer transposes anyway.
 */
export function convPatchesStacked(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor5D {
  return tf.tidy(() => tf.stack(patchSlices(x, g), 0) as tf.Tensor5D);
}

/** The kh·kw shifted, strided views [B, Ho, Wo, cin] of x, in (dy, dx) order (offsets dy·dh, dx·dw). */
function patchSlices(x: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D[] {
  const [b, h, w, c] = x.shape;
  const [ho, wo] = convOutSize(g, h, w);
  const sh = g.strideH;
  const sw = g.strideW;
  const dh = g.dilationH ?? 1;
  const dw = g.dilationW ?? 1;
  const [spanH, spanW] = kernelSpan(g);
  const [top, , left] = g.pads;
  // Pad (the leading padding, then zeros up to a multiple of the stride that covers every window
  // and every input row) so that rows and columns of one phase are a plain slice after a reshape.
  // Rows past h + top are zero padding in the true padded input too, so extra zeros are harmless.
  const hp = sh * Math.ceil(Math.max(h + top, (ho - 1) * sh + spanH) / sh);
  const wp = sw * Math.ceil(Math.max(w + left, (wo - 1) * sw + spanW) / sw);
  const xp = tf.pad(x, [[0, 0], [top, hp - h - top], [left, wp - w - left], [0, 0]]);
  const xr = xp.reshape([b, hp / sh, sh, wp * c]);
  const parts: tf.Tensor4D[] = [];
  for (let dy = 0; dy < g.kh; dy++) {
    const oy = dy * dh;
    const rows = tf.slice(xr, [0, Math.floor(oy / sh), oy % sh, 0], [b, ho, 1, wp * c]).reshape([b * ho, wp / sw, sw, c]);
    for (let dx = 0; dx < g.kw; dx++) {
      const ox = dx * dw;
      parts.push(tf.slice(rows, [0, Math.floor(ox / sw), ox % sw, 0], [b * ho, wo, 1, c]).reshape([b, ho, wo, c]));
    }
  }
  return parts;
}

/** Insert s − 1 zeros after every row (sh) and column (sw) of dy [B, Ho, Wo, C] (rank-4 pads only). */
export function dilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [b, ho, wo, c] = dy.shape;
  let t = dy;
  if (sw > 1) t = tf.pad(t.reshape([b * ho, wo, 1, c]), [[0, 0], [0, 0], [0, sw - 1], [0, 0]]).reshape([b, ho, wo * sw, c]);
  if (sh > 1) t = tf.pad(t.reshape([b, ho, 1, t.shape[2] * c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0]]).reshape([b, ho * sh, t.shape[2], c]);
  return t;
}

/** Zero-pad (positive) or crop (negative) the two spatial axes of x by [top, bottom, left, right]. */
export function padOrCrop(x: tf.Tensor4D, p: [number, number, number, number]): tf.Tensor4D {
  const [, h, w] = x.shape;
  const crop = p.map((v) => Math.max(0, -v)) as [number, number, number, number];
  let t = x;
  if (crop.some((v) => v > 0)) t = tf.slice(t, [0, crop[0], crop[2], 0], [-1, h - crop[0] - crop[1], w - crop[2] - crop[3], -1]);
  const pad = p.map((v) => Math.max(0, v));
  return pad.some((v) => v > 0) ? tf.pad(t, [[0, 0], [pad[0]!, pad[1]!], [pad[2]!, pad[3]!], [0, 0]]) : t;
}

/**
 * The input gradient of conv2d (what Conv2DBackpropInput computes) as a forward conv2d: the
 * stride-dilated dy correlated with the spatially flipped kernel with in/out channels swapped,
 * padded by k − 1 − (leading padding). On wasm the forward conv runs on XNNPACK and is 2.7×
 * faster than the backend's own Conv2DBackpropInput (44 vs 119 ms for [64, 28, 28, 32], 3×3×64,
 * stride 2). Its slow twin is tf.conv2dTranspose. Ungrouped kernels only.
 */
export function conv2dInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: [number, number, number, number], g: ConvGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, wd] = xShape;
    const dyd = dilate(dy, g.strideH, g.strideW);
    const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const top = g.kh - 1 - g.pads[0];
    const left = g.kw - 1 - g.pads[2];
    const inp = padOrCrop(dyd, [top, h - dyd.shape[1] + g.kh - 1 - top, left, wd - dyd.shape[2] + g.kw - 1 - left]);
    return tf.conv2d(inp, wf, 1, 'valid');
  });
}

/**
 * tf.conv2d with the geometry's padding passed as explicit numbers. Needed on wasm: tfjs-backend-wasm
 * 4.22 computes wrong outputs for padding "same" when the kernel is smaller than the stride and
 * (out − 1)·stride + k < in (e.g. 1×9 input, 2×2 kernel, stride 3: off by O(1)); explicit
 * padding gives the right result (models/ops/ops.test.ts checks against the cpu backend).
 */
export function conv2dExplicit(x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [t, b, l, r] = g.pads;
  const strides: [number, number] = [g.strideH, g.strideW];
  if (t === 0 && b === 0 && l === 0 && r === 0) return tf.conv2d(x, w, strides, 'valid');
  return tf.conv2d(x, w, strides, [[0, 0], [t, b], [l, r], [0, 0]]);
}

/** Slices of channel axis 3 of t into `groups` equal parts. */
function channelGroups<T extends tf.Tensor4D>(t: T, groups: number): T[] {
  if (groups === 1) return [t];
  const c = t.shape[3] / groups;
  return Array.from({ length: groups }, (_, q) => tf.slice(t, [0, 0, 0, q * c], [-1, -1, -1, c]) as T);
}

/** The forward value: per-group explicit-padding convs, concatenated in group order. */
function convValue(x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry, groups: number): tf.Tensor4D {
  const xs = channelGroups(x, groups);
  const ws = channelGroups(w, groups);
  const outs = xs.map((xq, q) => conv2dExplicit(xq, ws[q]!, g));
  return outs.length === 1 ? outs[0]! : tf.concat(outs, 3);
}

/** Input gradient of the grouped conv: per group, concatenated. */
function convInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: [number, number, number, number], g: ConvGeometry, groups: number): tf.Tensor4D {
  const dys = channelGroups(dy, groups);
  const ws = channelGroups(w, groups);
  const shape: [number, number, number, number] = [xShape[0], xShape[1], xShape[2], xShape[3] / groups];
  const parts = dys.map((d, q) => conv2dInputGrad(d, ws[q]!, shape, g));
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 3);
}

/** Kernel gradient of the grouped conv, patchesᵀ·dy per group, in the kernel layout [kh, kw, cin/G, cout]. */
function convKernelGrad(dy: tf.Tensor4D, x: tf.Tensor4D, g: ConvGeometry, groups: number): tf.Tensor4D {
  const xs = channelGroups(x, groups);
  const dys = channelGroups(dy, groups);
  const parts = xs.map((xq, q) => {
    const cin = xq.shape[3];
    const cout = dys[q]!.shape[3];
    const u = convPatches(xq, g).reshape([-1, g.kh * g.kw * cin]);
    // Explicit transpose + plain matMul: wasm's matMul with a transpose flag misses XNNPACK's fast path.
    return tf.matMul(tf.transpose(u), dys[q]!.reshape([-1, cout])).reshape([g.kh, g.kw, cin, cout]) as tf.Tensor4D;
  });
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 3);
}

/**
 * conv2d of x [B, H, W, cin] with kernel w [kh, kw, cin/groups, cout] (kh, kw from w). Groups:
 * input channels q·cin/G.. and output channels q·cout/G.. form group q (concatenated in group
 * order). Where the backend is wasm (or lacks Conv2DBackpropFilter) the gradients are written
 * here: the input gradient by `conv2dInputGrad`, the kernel gradient (only with `kernelGrad`;
 * the probe never needs it) as patchesᵀ·dy. Elsewhere the backend's own conv2d and gradients
 * are used (per group, through slice and concat).
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, g: ConvGeometry, groups = 1, kernelGrad = true): tf.Tensor4D {
  if ((g.dilationH ?? 1) !== 1 || (g.dilationW ?? 1) !== 1) throw new Error('models/ops conv2d: dilated convolutions are supported by convPatches (the probe rule) only, not by this forward pass');
  if (tf.getBackend() !== 'wasm' && hasConvFilterGrad()) {
    const [t, b, l, r] = g.pads;
    const pad = t === 0 && b === 0 && l === 0 && r === 0 ? 'valid' as const : [[0, 0], [t, b], [l, r], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]];
    const xs = channelGroups(x, groups);
    const ws = channelGroups(w, groups);
    const outs = xs.map((xq, q) => tf.conv2d(xq, ws[q]!, [g.strideH, g.strideW], pad));
    return outs.length === 1 ? outs[0]! : tf.concat(outs, 3);
  }
  if (!kernelGrad) {
    const f = tf.customGrad(((xx: tf.Tensor, save: tf.GradSaveFunc) => {
      save([w]); // w may be an intermediate of the forward pass: keep it for the backward pass
      const xShape = (xx as tf.Tensor4D).shape;
      return { value: convValue(xx as tf.Tensor4D, w, g, groups), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [convInputGrad(dy as tf.Tensor4D, saved[0] as tf.Tensor4D, xShape, g, groups)] };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x) as tf.Tensor4D;
  }
  const f = tf.customGrad(((xx: tf.Tensor, ww: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx, ww]);
    return {
      value: convValue(xx as tf.Tensor4D, ww as tf.Tensor4D, g, groups),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, w0] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [convInputGrad(dy as tf.Tensor4D, w0, x0.shape, g, groups), convKernelGrad(dy as tf.Tensor4D, x0, g, groups)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor4D;
}
