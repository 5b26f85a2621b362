/**
 * The peer (issue 16): jax-js (`@jax-js/jax`, the other JavaScript library with per-example
 * gradients) computing the same per-example Gram the idiomatic JAX way — per-example gradients
 * by `vmap(grad(loss))`, then G = Σ_params g gᵀ with g the [B, P] per-example gradients of each
 * parameter — all inside one `jit` (jit is jax-js's own fast path: it fuses and caches the
 * kernels; measured 2× faster than the eager vmap(grad) on the mlp). Plus jax-js's plain batched
 * gradient (jit(grad) of the summed loss, the model written with its batch axis) for context.
 *
 * The jax-js model is written from the same spec and weights as the tfjs one: dense, conv2d
 * (TensorFlow padding, groups), flatten and activation (tanh, relu, sigmoid, linear); losses
 * softmax-xent and mse. Other layers are an error naming the layer: the peer is a benchmark of
 * the mlp and cnn presets, not a second model implementation. (jax-js has every op these two
 * need.) Images: per example [h, w, c] as in the spec; jax-js convolutions are NCHW with OIHW
 * kernels, so the input is transposed in and back before flatten (same flatten order as tfjs).
 *
 * jax-js starts in Node only as `await init('wasm'); defaultDevice('wasm')` (ENVIRONMENT.md).
 * Arrays are reference counted and consumed by every call (`.ref` to reuse one).
 */
import { defaultDevice, grad, init, jit, lax, nn, numpy as np, vmap, type Array as JaxArray } from '@jax-js/jax';
import type { ModelSpec } from '../models/spec.ts';
import type { Weights } from '../models/weights.ts';
import { tfGeometry } from '../models/ops/conv2d.ts';

type Arr = JaxArray;
type Params = Record<string, Arr>;

let started: Promise<void> | undefined;
/** Start jax-js's wasm device once per process. */
export function startJax(): Promise<void> {
  started ??= (async () => {
    await init('wasm');
    defaultDevice('wasm');
  })();
  return started;
}

function activate(h: Arr, a: string, where: string): Arr {
  switch (a) {
    case 'tanh': return np.tanh(h);
    case 'relu': return nn.relu(h);
    case 'sigmoid': return nn.sigmoid(h);
    case 'linear': return h;
    default: throw new Error(`jax-js peer: activation "${a}" at ${where} is not ported`);
  }
}

/**
 * The per-example loss f(params, x_i, y_i) of a spec, in jax-js; `batched`: the summed loss
 * Σ_i f_i of a batch x [B, …] written directly with the batch axis (no vmap: what a jax-js user
 * writes for an ordinary training gradient).
 */
export function jaxLoss(spec: ModelSpec, batched = false): (p: Params, x: Arr, y: Arr) => Arr {
  const steps: ((h: Arr, p: Params) => Arr)[] = [];
  let s = [...spec.input];
  let nchw = false; // per-example layout [1, c, h, w] while between convolutions
  spec.layers.forEach((l, i) => {
    const name = `layers.${i}`;
    switch (l.type) {
      case 'dense': {
        if (s.length !== 1) throw new Error(`jax-js peer: dense on a rank-${s.length} input at ${name} is not ported`);
        // [in] per example or [B, in] batched: the same matmul.
        const units = l.units;
        steps.push((h, p) => {
          let z = np.matmul(h, p[`${name}.kernel`]!);
          if (l.bias) z = z.add(p[`${name}.bias`]!);
          return activate(z, l.activation, name);
        });
        s = [units];
        break;
      }
      case 'conv2d': {
        const [hh, ww, c] = s as [number, number, number];
        const g = tfGeometry(hh, ww, l.kernel, l.stride, l.padding);
        const toNchw = !nchw;
        const filters = l.filters;
        steps.push((h, p) => {
          const x4 = !toNchw ? h : batched ? h.transpose([0, 3, 1, 2]) : h.transpose([2, 0, 1]).reshape([1, c, hh, ww]);
          const k = p[`${name}.kernel`]!.transpose([3, 2, 0, 1]); // [kh, kw, cin/G, cout] → OIHW
          let z = lax.convGeneralDilated(x4, k, [l.stride, l.stride], [[g.pads[0], g.pads[1]], [g.pads[2], g.pads[3]]], { featureGroupCount: l.groups });
          if (l.bias) z = z.add(p[`${name}.bias`]!.reshape([1, filters, 1, 1]));
          return activate(z, l.activation, name);
        });
        nchw = true;
        const ho = Math.floor((hh + g.pads[0] + g.pads[1] - l.kernel) / l.stride) + 1;
        const wo = Math.floor((ww + g.pads[2] + g.pads[3] - l.kernel) / l.stride) + 1;
        s = [ho, wo, filters];
        break;
      }
      case 'flatten': {
        const [hh, ww, c] = s.length === 3 ? s as [number, number, number] : [1, 1, s.reduce((a, b) => a * b, 1)];
        const fromNchw = nchw;
        steps.push((h) => {
          if (batched) {
            const b = h.shape[0]!;
            return (fromNchw ? h.transpose([0, 2, 3, 1]) : h).reshape([b, hh * ww * c]);
          }
          return (fromNchw ? h.reshape([c, hh, ww]).transpose([1, 2, 0]) : h).reshape([hh * ww * c]);
        });
        nchw = false;
        s = [hh * ww * c];
        break;
      }
      case 'activation':
        steps.push((h) => activate(h, l.activation, name));
        break;
      default:
        throw new Error(`jax-js peer: layer type "${l.type}" at ${name} is not ported (dense, conv2d, flatten, activation)`);
    }
  });
  if (spec.loss !== 'softmax-xent' && spec.loss !== 'mse') throw new Error(`jax-js peer: loss "${spec.loss}" is not ported`);
  return (p, x, y) => {
    // Every parameter is used exactly once below; the layer steps consume their arrays.
    let h = x;
    for (const step of steps) h = step(h, p);
    if (spec.loss === 'mse') return np.square(h.sub(y)).sum().mul(0.5);
    return nn.logSoftmax(h).mul(y).sum().neg();
  };
}

/** A spec model's trainable weights as jax-js arrays (every tensor of `weights`; spec models have no others here). */
export function jaxParams(weights: Weights): Params {
  const p: Params = {};
  for (const [name, w] of weights) p[name] = np.array(Float32Array.from(w.data)).reshape(w.shape);
  return p;
}

export interface JaxPeer {
  /** B×B Gram of the per-example gradients (row-major float32 as jax-js returns it). */
  gram(x: Float32Array, xShape: number[], y: Float32Array, yShape: number[]): Promise<Float32Array>;
  /** The plain batched gradient Σ_i ∇f_i, forced; returns the number of floats (for a sanity check). */
  plain(x: Float32Array, xShape: number[], y: Float32Array, yShape: number[]): Promise<number>;
  dispose(): void;
}

/** The jax-js peer for a spec and its weights (call {@link startJax} first). */
export function jaxPeer(spec: ModelSpec, weights: Weights): JaxPeer {
  const loss = jaxLoss(spec);
  const batchLoss = jaxLoss(spec, true);
  const params = jaxParams(weights);
  const names = Object.keys(params);
  const refs = (): Params => Object.fromEntries(names.map((n) => [n, params[n]!.ref]));
  const gramFn = jit((p: Params, x: Arr, y: Arr): Arr => {
    const g = vmap(grad(loss), [null, 0, 0])(p, x, y) as unknown as Params;
    const b = x.shape[0]!;
    let total: Arr | undefined;
    for (const n of names) {
      const m = g[n]!.reshape([b, -1]);
      const part = np.matmul(m.ref, m.transpose());
      total = total ? total.add(part) : part;
    }
    return total!;
  });
  const plainFn = jit((p: Params, x: Arr, y: Arr): Params => grad(batchLoss)(p, x, y) as unknown as Params);
  const arrays = (x: Float32Array, xShape: number[], y: Float32Array, yShape: number[]) => [np.array(x).reshape(xShape), np.array(y).reshape(yShape)] as const;
  return {
    async gram(x, xShape, y, yShape) {
      const [xa, ya] = arrays(x, xShape, y, yShape);
      const g = gramFn(refs(), xa, ya);
      return (await g.data()) as Float32Array;
    },
    async plain(x, xShape, y, yShape) {
      const [xa, ya] = arrays(x, xShape, y, yShape);
      const g = plainFn(refs(), xa, ya);
      let n = 0;
      for (const name of names) n += (await g[name]!.data()).length;
      return n;
    },
    dispose() {
      for (const n of names) params[n]!.dispose();
      gramFn.dispose();
      plainFn.dispose();
    },
  };
}
