/**
 * Model spec → functional forward pass on tfjs that exposes pre-activations.
 *
 * Shapes: inputs are [B, ...spec.input] (NHWC for images). Every parametric layer (dense, conv2d,
 * batchnorm) is a "tap": its output before the activation (for batchnorm: gamma·x̂ + beta) can get a
 * tensor added (`taps`, zeros in the probe) so that `tf.grads` w.r.t. those tensors yields every
 * per-example backprop signal δ in one backward pass. `record` collects what the probe's rules
 * need: the layer's input (dense, conv2d) or its normalized input x̂ (batchnorm).
 *
 * Batch norm normalizes the last axis. `bnMode: 'stored'` uses the stored mean/variance
 * (inference; per-example gradients are well defined); `'batch'` uses the statistics of each
 * contiguous group of `groupSize` examples (training mode, the paper's minibatch protocol; the
 * biased variance as TensorFlow).
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, Layer, ModelSpec } from './spec.ts';
import { layerOutputShape, paramSpecs } from './spec.ts';
import type { Weights } from './weights.ts';
import { checkWeights } from './weights.ts';
import { hasConvFilterGrad } from '../src/backend/index.ts';

/** A spec with its parameters as tfjs tensors (kept until `dispose`). */
export interface BuiltModel {
  spec: ModelSpec;
  /** By safetensors name (`layers.0.kernel`, ...), including batchnorm mean/variance. */
  params: Map<string, tf.Tensor>;
  dispose(): void;
}

/** One parametric layer met during a forward pass. */
export interface LayerRecord {
  /** `layers.3` or `layers.2.layers.0`. */
  layerName: string;
  layer: Extract<Layer, { type: 'dense' | 'conv2d' | 'batchnorm' }>;
  /** dense/conv2d: the layer input; batchnorm: the normalized input x̂. Kept (caller disposes). */
  input: tf.Tensor;
}

export interface ForwardOptions {
  /** Tensors added to the pre-activation of each parametric layer, by layer name. */
  taps?: Map<string, tf.Tensor>;
  /** When given, each parametric layer pushes a LayerRecord whose tensor is tf.keep'd. */
  record?: LayerRecord[];
  /**
   * Replace parameters (e.g. to differentiate w.r.t. them); falls back to model.params. Pass this
   * whenever gradients w.r.t. kernels are wanted: without it, the wasm paths skip kernel gradients.
   */
  params?: Map<string, tf.Tensor>;
  bnMode?: 'stored' | 'batch';
  /** For bnMode 'batch': statistics per contiguous group of this many examples (default: whole batch). */
  groupSize?: number;
  /**
   * Use tfjs's own ops and gradients for dense layers (tf.matMul), not gradconf's wasm fast path:
   * only for the benchmark's "stock" baseline. Conv layers are unaffected (wasm has no stock
   * conv kernel gradient).
   */
  stockDense?: boolean;
}

/** Build tensors for the weights (validated against the spec first). */
export function buildModel(spec: ModelSpec, weights: Weights): BuiltModel {
  checkWeights(spec, weights);
  const params = new Map<string, tf.Tensor>();
  for (const p of paramSpecs(spec)) {
    const w = weights.get(p.name)!;
    params.set(p.name, tf.keep(tf.tensor(w.data, p.shape, 'float32')));
  }
  return { spec, params, dispose: () => params.forEach((t) => t.dispose()) };
}

/** Output shape (with batch axis) of every parametric layer, keyed by layer name, for a batch of B. */
export function tapShapes(spec: ModelSpec, batch: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const walk = (layers: Layer[], inShape: number[], prefix: string): number[] => {
    let s = inShape;
    layers.forEach((l, i) => {
      const name = `${prefix}.${i}`;
      const next = l.type === 'residual' ? (walk(l.layers, s, `${name}.layers`), s) : layerOutputShape(l, s, name);
      if (l.type === 'dense' || l.type === 'conv2d' || l.type === 'batchnorm') out.set(name, [batch, ...next]);
      s = next;
    });
    return s;
  };
  walk(spec.layers, spec.input, 'layers');
  return out;
}

/** Pointwise activation. */
export function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'tanh': return tf.tanh(x);
    case 'relu': return tf.relu(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'linear': return x;
  }
}

/** Total and leading ("top"/"left") padding of TensorFlow's padding rules along one axis. */
export function convPadding(size: number, k: number, stride: number, padding: 'same' | 'valid'): { out: number; before: number; total: number } {
  if (padding === 'valid') return { out: Math.floor((size - k) / stride) + 1, before: 0, total: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return { out, before: Math.floor(total / 2), total };
}

/**
 * Patches [B, Ho, Wo, k·k·cin] of x for a k×k conv with the given stride and TF padding, ordered
 * (dy, dx, channel) like a conv kernel [kh, kw, cin, cout] flattened over its first three axes, so
 * that conv2d(x, w) = patches · reshape(w, [k·k·cin, cout]). Built from k² strided slices of the
 * padded input (pure data movement, no arithmetic). Plain slices after a stride-phase reshape, not
 * tf.stridedSlice: on wasm the latter is ~8× slower for stride 2.
 */
export function convPatches(x: tf.Tensor4D, k: number, stride: number, padding: 'same' | 'valid'): tf.Tensor4D {
  return tf.tidy(() => {
    const parts = patchSlices(x, k, stride, padding);
    return (parts.length === 1 ? parts[0]! : tf.concat(parts, 3)) as tf.Tensor4D;
  });
}

/**
 * The same patches with the kernel offset first: [k·k, B, Ho, Wo, cin] (entry [dy·k + dx, b, i, j, c]
 * = patches[b, i, j, (dy·k + dx)·cin + c]). Stacking on the leading axis is a contiguous copy,
 * cheaper than convPatches' channel interleave when the consumer transposes anyway.
 */
export function convPatchesStacked(x: tf.Tensor4D, k: number, stride: number, padding: 'same' | 'valid'): tf.Tensor5D {
  return tf.tidy(() => tf.stack(patchSlices(x, k, stride, padding), 0) as tf.Tensor5D);
}

/** The k² shifted, strided views [B, Ho, Wo, cin] of x, in (dy, dx) order. */
function patchSlices(x: tf.Tensor4D, k: number, stride: number, padding: 'same' | 'valid'): tf.Tensor4D[] {
  const [b, h, w, c] = x.shape;
  const ph = convPadding(h, k, stride, padding);
  const pw = convPadding(w, k, stride, padding);
  const s = stride;
  // Pad (TF's leading padding, then zeros up to a multiple of the stride that covers every
  // window) so that rows and columns of one phase are a plain, non-strided slice after a reshape.
  const hp = s * Math.ceil(Math.max(h + ph.before, (ph.out - 1) * s + k) / s);
  const wp = s * Math.ceil(Math.max(w + pw.before, (pw.out - 1) * s + k) / s);
  const xp = tf.pad(x, [[0, 0], [ph.before, hp - h - ph.before], [pw.before, wp - w - pw.before], [0, 0]]);
  const xr = xp.reshape([b, hp / s, s, wp * c]);
  const parts: tf.Tensor4D[] = [];
  for (let dy = 0; dy < k; dy++) {
    const rows = tf.slice(xr, [0, Math.floor(dy / s), dy % s, 0], [b, ph.out, 1, wp * c]).reshape([b * ph.out, wp / s, s, c]);
    for (let dx = 0; dx < k; dx++) {
      parts.push(tf.slice(rows, [0, Math.floor(dx / s), dx % s, 0], [b * ph.out, pw.out, 1, c]).reshape([b, ph.out, pw.out, c]));
    }
  }
  return parts;
}

/** Insert s − 1 zeros after every row and column of dy [B, Ho, Wo, C] → [B, Ho·s, Wo·s, C] (rank-4 pads only). */
function dilate(dy: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return dy;
  const [b, ho, wo, c] = dy.shape;
  const cols = tf.pad(dy.reshape([b * ho, wo, 1, c]), [[0, 0], [0, 0], [0, s - 1], [0, 0]]).reshape([b, ho, 1, wo * s * c]);
  return tf.pad(cols, [[0, 0], [0, 0], [0, s - 1], [0, 0]]).reshape([b, ho * s, wo * s, c]);
}

/**
 * The input gradient of conv2d (what Conv2DBackpropInput computes) as a forward conv2d: the
 * stride-dilated dy correlated with the spatially flipped kernel with in/out channels swapped,
 * padded by k − 1 − (TF's leading padding). On wasm the forward conv runs on XNNPACK and is 2.7×
 * faster than the backend's own Conv2DBackpropInput (44 vs 119 ms for [64, 28, 28, 32], 3×3×64,
 * stride 2). Its slow twin is tf.conv2dTranspose (compared in build.test.ts).
 */
export function conv2dInputGrad(dy: tf.Tensor4D, w: tf.Tensor4D, xShape: [number, number, number, number], stride: number, padding: 'same' | 'valid'): tf.Tensor4D {
  return tf.tidy(() => {
    const k = w.shape[0];
    const [, h, wd] = xShape;
    const dyd = dilate(dy, stride);
    const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    const pads = (before: number, len: number, size: number): [number, number] => {
      const pb = k - 1 - before;
      return [pb, size - len + k - 1 - pb];
    };
    const [hb, ha] = pads(convPadding(h, k, stride, padding).before, dyd.shape[1], h);
    const [wb, wa] = pads(convPadding(wd, k, stride, padding).before, dyd.shape[2], wd);
    // A negative trailing pad means dy's last dilated rows/columns fall outside x: crop them.
    const inp = ha < 0 || wa < 0 ? tf.slice(dyd, [0, 0, 0, 0], [-1, dyd.shape[1] + Math.min(0, ha), dyd.shape[2] + Math.min(0, wa), -1]) : dyd;
    return tf.conv2d(inp, wf, 1, [[0, 0], [hb, Math.max(0, ha)], [wb, Math.max(0, wa)], [0, 0]]);
  });
}

/**
 * tf.conv2d with TF's "same" padding passed as explicit numbers. Needed on wasm: tfjs-backend-wasm
 * 4.22 computes wrong outputs for padding "same" when the kernel is smaller than the stride and
 * (out − 1)·stride + k < in (e.g. 1×9 input, 2×2 kernel, stride 3: off by O(1)); explicit
 * padding gives the right result (models/build.test.ts checks against the cpu backend).
 */
export function conv2dExplicit(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, padding: 'same' | 'valid'): tf.Tensor4D {
  if (padding === 'valid') return tf.conv2d(x, w, stride, 'valid');
  const k = w.shape[0];
  const ph = convPadding(x.shape[1], k, stride, 'same');
  const pw = convPadding(x.shape[2], k, stride, 'same');
  return tf.conv2d(x, w, stride, [[0, 0], [ph.before, ph.total - ph.before], [pw.before, pw.total - pw.before], [0, 0]]);
}

/**
 * conv2d for the model's forward pass. Where the backend is wasm, the gradients are written here:
 * the input gradient by `conv2dInputGrad`, the kernel gradient (only with `kernelGrad`, the
 * probe never needs it) as patchesᵀ·dy, since wasm has no Conv2DBackpropFilter kernel. Elsewhere
 * the backend's own conv2d and gradients are used.
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, padding: 'same' | 'valid', kernelGrad = true): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm' && hasConvFilterGrad()) return tf.conv2d(x, w, stride, padding);
  const value = (xx: tf.Tensor, ww: tf.Tensor) => conv2dExplicit(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, padding);
  if (!kernelGrad) {
    const f = tf.customGrad(((xx: tf.Tensor, save: tf.GradSaveFunc) => {
      save([xx]);
      return { value: value(xx, w), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [conv2dInputGrad(dy as tf.Tensor4D, w, (saved[0] as tf.Tensor4D).shape, stride, padding)] };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x) as tf.Tensor4D;
  }
  const f = tf.customGrad(((xx: tf.Tensor, ww: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx, ww]);
    return {
      value: value(xx, ww),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, w0] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        const [kh, kw, cin, cout] = w0.shape;
        const dx = conv2dInputGrad(dy4, w0, x0.shape, stride, padding);
        const u = convPatches(x0, kh, stride, padding).reshape([-1, kh * kw * cin]);
        // Explicit transpose + plain matMul: wasm's matMul with a transpose flag misses XNNPACK's fast path.
        const dw = tf.matMul(tf.transpose(u), dy4.reshape([-1, cout])).reshape([kh, kw, cin, cout]);
        return [dx, dw];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor4D;
}

/**
 * x·w for a dense layer. On wasm, tfjs's own matMul gradient uses transpose flags that miss
 * XNNPACK's fast path (4× slower for the 784→512×4 MLP); there the gradients are written with
 * explicit transposes. `kernelGrad: false` (the probe, which differentiates only w.r.t. the
 * pre-activation taps) skips the kernel gradient altogether.
 */
export function denseMatMul(x: tf.Tensor2D, w: tf.Tensor2D, kernelGrad = true): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(x, w);
  if (!kernelGrad) {
    const f = tf.customGrad(((xx: tf.Tensor, save: tf.GradSaveFunc) => {
      save([xx]);
      return { value: tf.matMul(xx as tf.Tensor2D, w), gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(w))] };
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

function batchnorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor,
  eps: number, mode: 'stored' | 'batch', groupSize: number | undefined): { xhat: tf.Tensor; y: tf.Tensor } {
  let xhat: tf.Tensor;
  if (mode === 'stored') {
    xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
  } else {
    const b = x.shape[0]!;
    const m = groupSize ?? b;
    if (b % m !== 0) throw new Error(`batch of ${b} is not a multiple of the batch-norm group size ${m}`);
    const g = x.reshape([b / m, m, ...x.shape.slice(1)]);
    const axes = Array.from({ length: g.rank - 2 }, (_, i) => i + 1); // group members and spatial axes
    const mom = tf.moments(g, axes, true);
    xhat = tf.div(tf.sub(g, mom.mean), tf.sqrt(tf.add(mom.variance, eps))).reshape(x.shape);
  }
  return { xhat, y: tf.add(tf.mul(xhat, gamma), beta) };
}

/** Forward pass of x [B, ...input] through the model; returns the output [B, outputs]. */
export function forward(model: BuiltModel, x: tf.Tensor, opts: ForwardOptions = {}): tf.Tensor2D {
  const P = (name: string): tf.Tensor => {
    const t = opts.params?.get(name) ?? model.params.get(name);
    if (!t) throw new Error(`parameter ${name} missing`);
    return t;
  };
  // Kernel gradients are only needed when differentiating w.r.t. parameters passed in `params`.
  const kernelGrads = opts.params !== undefined;
  const tap = (name: string, t: tf.Tensor): tf.Tensor => {
    const z = opts.taps?.get(name);
    return z ? tf.add(t, z) : t;
  };
  const rec = (layerName: string, layer: LayerRecord['layer'], input: tf.Tensor) => {
    if (opts.record) opts.record.push({ layerName, layer, input: tf.keep(input.clone()) });
  };
  const run = (layers: Layer[], h0: tf.Tensor, prefix: string): tf.Tensor => {
    let h = h0;
    layers.forEach((l, i) => {
      const name = `${prefix}.${i}`;
      switch (l.type) {
        case 'dense': {
          rec(name, l, h);
          let z: tf.Tensor = opts.stockDense ? tf.matMul(h as tf.Tensor2D, P(`${name}.kernel`) as tf.Tensor2D) : denseMatMul(h as tf.Tensor2D, P(`${name}.kernel`) as tf.Tensor2D, kernelGrads);
          if (l.bias) z = tf.add(z, P(`${name}.bias`));
          h = activate(tap(name, z), l.activation);
          break;
        }
        case 'conv2d': {
          rec(name, l, h);
          let z: tf.Tensor = conv2d(h as tf.Tensor4D, P(`${name}.kernel`) as tf.Tensor4D, l.stride, l.padding, kernelGrads);
          if (l.bias) z = tf.add(z, P(`${name}.bias`));
          h = activate(tap(name, z), l.activation);
          break;
        }
        case 'batchnorm': {
          const { xhat, y } = batchnorm(h, P(`${name}.gamma`), P(`${name}.beta`), P(`${name}.mean`), P(`${name}.variance`),
            l.epsilon, opts.bnMode ?? 'stored', opts.groupSize);
          rec(name, l, xhat);
          h = tap(name, y);
          break;
        }
        case 'flatten':
          h = h.reshape([h.shape[0]!, -1]);
          break;
        case 'activation':
          h = activate(h, l.activation);
          break;
        case 'avgpool':
          h = tf.avgPool(h as tf.Tensor4D, l.size, l.size, 'valid');
          break;
        case 'residual':
          h = tf.add(h, run(l.layers, h, `${name}.layers`));
          break;
      }
    });
    return h;
  };
  return run(model.spec.layers, x, 'layers') as tf.Tensor2D;
}
