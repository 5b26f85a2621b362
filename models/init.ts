/**
 * Weight initializers for a `ModelSpec`: the paper's Gaussian Strategy 4.1 (with its kappa), He
 * and Glorot (Section 7 trains with MSRA/He init), Haar-orthogonal (Theorem 6.1) and
 * "small weights" (Assumption 1: operator norm <= 1 per layer, Theorem 5.1).
 *
 * Only kernels are random (every parameter whose layer module declares init 'kernel': dense,
 * conv and attention kernels, embedding tables). Biases are 0; normalization starts as the
 * identity map: gamma 1, beta 0, stored mean 0, stored variance 1 ('ones' / 'zeros' in the
 * layer modules, models/layers/).
 *
 * Shapes: dense kernels [in, out] are `in x out` matrices (row-major); conv kernels
 * [kh, kw, cin, cout] are treated as the `(kh*kw*cin) x cout` matrix of the same memory layout,
 * which is the matrix the convolution applies to each input patch.
 *
 * Seeding: each kernel draws from its own stream, `new Rng(kernelSeed(seed, name))`, where the
 * child seed is a hash of the user seed and the parameter's safetensors name. So the same seed
 * gives identical weights, layers are independent, and a layer's weights do not depend on which
 * other layers the model has.
 */
import { BadInputError } from '../src/errors.ts';
import { fmix32, fnv1a, Rng } from '../src/rng.ts';
import type { ModelSpec, ParamSpec } from './spec.ts';
import { paramSpecs } from './spec.ts';
import type { Weights } from './weights.ts';
import { operatorNorm, randomOrthogonal } from './linalg.ts';

export { operatorNorm } from './linalg.ts';

/** The initializer names, as the CLI's `--init` accepts them. */
export const INIT_NAMES = ['gaussian', 'he', 'glorot', 'orthogonal', 'small-weights'] as const;
/** One of {@link INIT_NAMES}. */
export type InitName = (typeof INIT_NAMES)[number];

/** Options of {@link initWeights}. */
export interface InitOptions {
  init: InitName;
  /** Any integer; the same seed gives identical weights. */
  seed: number;
  /** Strategy 4.1's kappa > 0 ('gaussian' only; default 1): later layers get N(0, 1/(kappa fan_in)). */
  kappa?: number;
  /** Operator-norm bound of every kernel ('small-weights' only; default 1, Assumption 1). */
  scale?: number;
  /** Multiplies every kernel ('gaussian', 'he', 'glorot', 'orthogonal'; default 1). */
  gain?: number;
}

/** `layers.2.layers.0` -> `layers[2].layers[0]`, the path style of spec validation errors. */
function layerPath(layerName: string): string {
  return layerName.replace(/\.(\d+)/g, '[$1]');
}

/**
 * The 32-bit seed of the stream that initializes parameter `name` (e.g. `layers.3.kernel`)
 * under user seed `seed`: a hash of both, so streams of different layers are unrelated.
 */
export function kernelSeed(seed: number, name: string): number {
  const lo = seed | 0;
  const hi = Math.floor(seed / 2 ** 32) | 0;
  return fmix32(fmix32(lo ^ fmix32(hi + 0x9e3779b9)) + fnv1a(name));
}

function positive(v: number | undefined, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new BadInputError(`${field} must be a positive finite number (got ${JSON.stringify(v) ?? String(v)})`);
  }
  return v;
}

/**
 * Exact Assumption 1 scaling: returns `scale * g / ||g||` rounded to float32, shrunk just enough
 * that the float32 kernel W satisfies ||W||_2 <= scale with a certificate rather than a hope:
 * with c = target / (sigma (1 + 1e-10)) and E = W - c g (computed exactly in float64),
 * ||W|| <= ||c g|| + ||E||_2 <= target + ||E||_F, and we require target + ||E||_F <= scale.
 * `sigma` comes from the exact `operatorNorm` (relative error < 1e-12, covered by the 1e-10).
 */
function smallWeights(g: Float64Array, rows: number, cols: number, scale: number): Float32Array {
  const sigma = operatorNorm(g, rows, cols);
  if (sigma === 0) return new Float32Array(g.length);
  for (let margin = 1e-6; margin < 1e-2; margin *= 4) {
    const target = scale * (1 - margin);
    const c = target / (sigma * (1 + 1e-10));
    const w = new Float32Array(g.length);
    let e2 = 0;
    for (let i = 0; i < g.length; i++) {
      const x = c * g[i]!;
      w[i] = x;
      const d = w[i]! - x;
      e2 += d * d;
    }
    if (target + Math.sqrt(e2) * (1 + 1e-10) <= scale) return w;
  }
  // Unreachable for finite input: float32 rounding error is ~6e-8 relative per entry.
  throw new Error('small-weights: could not certify the norm bound');
}

function kernel(p: ParamSpec, opts: Required<Omit<InitOptions, 'seed'>>, seed: number, first: boolean): Float32Array {
  const n = p.shape.reduce((a, b) => a * b, 1);
  const cols = p.shape[p.shape.length - 1]!;
  const rows = n / cols;
  const rng = new Rng(kernelSeed(seed, p.name));
  let std: number;
  switch (opts.init) {
    case 'gaussian':
      std = first ? 1 / Math.sqrt(p.fanIn) : 1 / Math.sqrt(opts.kappa * p.fanIn);
      break;
    case 'he':
      std = Math.sqrt(2 / p.fanIn);
      break;
    case 'glorot':
      std = Math.sqrt(2 / (p.fanIn + p.fanOut));
      break;
    case 'orthogonal': {
      const q = randomOrthogonal(rows, cols, rng);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = opts.gain * q[i]!;
      return out;
    }
    case 'small-weights':
      return smallWeights(rng.normals(n), rows, cols, opts.scale);
  }
  return Float32Array.from(rng.normals(n, opts.gain * std));
}

/**
 * Fresh weights for `spec` (names and shapes from `paramSpecs`; the result passes
 * `checkWeights`). Kernels by `opts.init`:
 * - `'gaussian'` — the paper's Strategy 4.1: the first kernel in forward order (the paper's W_0,
 *   `depthIndex` 0 whenever the model starts with a dense or conv layer) has entries
 *   N(0, 1/d), d its fan-in; every later kernel N(0, 1/(kappa * fan_in)), kappa default 1
 *   (fan_in = l_{p-1} for dense, kh*kw*cin for conv).
 * - `'he'` — N(0, 2/fan_in) (MSRA, used in the paper's Section 7 experiments).
 * - `'glorot'` — N(0, 2/(fan_in + fan_out)) (fan_out as `paramSpecs`: units, or kh*kw*filters).
 * - `'orthogonal'` — Haar-random and exactly orthogonal (Theorem 6.1): Householder QR in float64
 *   of a Gaussian matrix with R_ii > 0 (models/linalg.ts `qrThin`, hand-written: ~50x faster than
 *   mathjs's qr at 512 x 512). For the `rows x cols` kernel matrix, W^T W = I if rows >= cols,
 *   else W W^T = I; conv kernels via the (kh*kw*cin) x cout reshape. Times `gain`.
 * - `'small-weights'` — Assumption 1: a Gaussian matrix rescaled so that the float32 kernel has
 *   operator norm <= `scale` (default 1), certified with the exact `operatorNorm` and a bound
 *   on the float32 rounding, and (typically) within 1e-5 relative of `scale`. Dense layers only.
 * `gain` scales the Gaussian standard deviation (or the orthogonal matrix); it is an error to
 * pass an option the chosen initializer does not use.
 * @throws BadInputError for an unknown init, a non-integer seed, a non-positive or unused
 *   kappa/scale/gain, or a conv layer under 'small-weights'.
 */
export function initWeights(spec: ModelSpec, opts: InitOptions): Weights {
  const init = opts.init;
  if (!(INIT_NAMES as readonly string[]).includes(init)) {
    throw new BadInputError(`init must be one of ${INIT_NAMES.map((n) => `"${n}"`).join(', ')} (got ${JSON.stringify(init) ?? 'nothing'})`);
  }
  if (typeof opts.seed !== 'number' || !Number.isSafeInteger(opts.seed)) {
    throw new BadInputError(`seed must be an integer (got ${JSON.stringify(opts.seed) ?? 'nothing'})`);
  }
  if (opts.kappa !== undefined && init !== 'gaussian') throw new BadInputError(`kappa applies only to init "gaussian" (got init "${init}")`);
  if (opts.scale !== undefined && init !== 'small-weights') throw new BadInputError(`scale applies only to init "small-weights" (got init "${init}")`);
  if (opts.gain !== undefined && init === 'small-weights') throw new BadInputError('gain does not apply to init "small-weights"; use scale');
  const full = {
    init,
    kappa: positive(opts.kappa, 'kappa', 1),
    scale: positive(opts.scale, 'scale', 1),
    gain: positive(opts.gain, 'gain', 1),
  };
  const params = paramSpecs(spec);
  if (init === 'small-weights') {
    const conv = params.find((p) => p.init === 'kernel' && p.shape.length === 4);
    if (conv) throw new BadInputError(`small-weights supports dense layers only (${layerPath(conv.layerName)} is conv2d)`);
  }
  const firstKernel = params.find((p) => p.init === 'kernel')?.name;
  const out: Weights = new Map();
  for (const p of params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    switch (p.init) {
      case 'kernel':
        data = kernel(p, full, opts.seed, p.name === firstKernel);
        break;
      case 'ones': // gamma, variance
        data = new Float32Array(n).fill(1);
        break;
      case 'zeros': // bias, beta, mean
        data = new Float32Array(n);
    }
    out.set(p.name, { shape: [...p.shape], data });
  }
  return out;
}
