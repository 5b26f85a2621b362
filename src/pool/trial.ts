/**
 * One Monte-Carlo trial at initialization (THEOREMS.md, Theorems 4.1, 5.1, 6.1 and Corollary 5.1):
 * the paper's network g_W (models/mlp.ts, variant 'paper', no bias) with freshly initialized
 * weights, N points uniform on the sphere S^{d−1} with bounded 1-Lipschitz labels, and the
 * per-example gradient Gram from the probe's single backward pass (src/probe/gram.ts).
 * Runs on whatever tfjs backend is active — inside a pool worker (src/pool/worker.ts) or in-process.
 *
 * Seeding: the trial seed drives everything, through independent child streams: weights
 * (initWeights with the trial seed), data (sphere points), labeler direction, ball perturbations.
 * `trialSeed(base, config, index)` makes the seeds of a configuration's trials from one user seed,
 * so every trial is replayable from (base seed, configuration, index) alone.
 *
 * Measures (from the Gram G, B = N examples): η = max(0, −min_{i≠j} G_ij) (Definition 2.1), the
 * signed min off-diagonal entry, the min and mean cosine over pairs of non-zero gradients (null
 * when fewer than two are non-zero — never NaN), the count of zero gradients, max |G_ij| over all
 * entries, and max G_ii. Optionally the exact operator norm of every kernel (Assumption 1) and the
 * same measures at sampled points W' of a ball around W (Corollary 5.1).
 */
import * as tf from '@tensorflow/tfjs';
import { mlp } from '../../models/mlp.ts';
import { initWeights, operatorNorm } from '../../models/init.ts';
import { buildModel } from '../../models/build.ts';
import type { Activation } from '../../models/spec.ts';
import type { Weights } from '../../models/weights.ts';
import { computeGram } from '../probe/gram.ts';
import { gramStats } from '../probe/stats.ts';
import { sampleSphere } from '../data/sphere.ts';
import { labelPoints, makeLabeler, toLogisticLabels, type LabelerKind } from '../data/labelers.ts';
import { fmix32, fnv1a, Rng } from '../rng.ts';

/** The initializer of a trial (models/init.ts). */
export type TrialInit =
  | { name: 'gaussian'; kappa: number }
  | { name: 'small-weights'; scale?: number }
  | { name: 'orthogonal' };

/** A configuration of trials: network, initializer, data. */
export interface TrialConfig {
  /** Input dimension d (data on S^{d−1}). */
  d: number;
  /** Number of examples N. */
  n: number;
  /** Width l. */
  width: number;
  /** Depth β ≥ 0 (β + 1 weight matrices). */
  depth: number;
  /** Output units (default 1; must be 1 for the logistic loss). */
  outputs?: number;
  activation: Activation;
  loss: 'mse' | 'logistic';
  init: TrialInit;
  /** Labeler family C(x) = φ(<u, x>) with ‖u‖ = 1 (default 'tanh'); logistic labels are sign(C(x)). */
  labeler?: LabelerKind;
  /** Also measure the exact operator norm of every kernel (Assumption 1). */
  norms?: boolean;
  /**
   * Corollary 5.1: also measure at `samples` points W' = W + Δ of the ball of radius `radius`:
   * 'operator' — every layer moved by Δ_p = radius · G_p/‖G_p‖₂ (Gaussian G_p), i.e. on the boundary
   * of the per-layer operator-norm ball ‖W'_p − W_p‖ ≤ r; 'frobenius' — Δ uniform in the Euclidean
   * ball ‖Δ‖_F ≤ r of all weights.
   */
  ball?: { radius: number; samples: number; norm: 'operator' | 'frobenius' };
}

/** Gram measures of one weight setting. */
export interface GramMeasures {
  eta: number;
  minOffDiag: number;
  minCos: number | null;
  meanCos: number | null;
  zeroGrads: number;
  maxAbsG: number;
  maxDiag: number;
  /** Exact operator norm of each kernel W_0..W_β (when measured). */
  opNorms?: number[];
}

/** The result of one trial. */
export interface TrialResult extends GramMeasures {
  seed: number;
  /** Measures at the ball points (Corollary 5.1), in sampling order. */
  ball?: GramMeasures[];
}

/** A canonical key of a configuration (field order fixed), used to derive its trial seeds. */
export function configKey(c: TrialConfig): string {
  const init = c.init.name === 'gaussian' ? `gaussian:${c.init.kappa}` : c.init.name === 'small-weights' ? `small-weights:${c.init.scale ?? 1}` : 'orthogonal';
  const ball = c.ball ? `${c.ball.norm}:${c.ball.radius}:${c.ball.samples}` : '-';
  return [c.d, c.n, c.width, c.depth, c.outputs ?? 1, c.activation, c.loss, init, c.labeler ?? 'tanh', ball].join('|');
}

/** Seed of trial `index` of configuration `c` under user seed `base` (32-bit, deterministic). */
export function trialSeed(base: number, c: TrialConfig, index: number): number {
  return fmix32(fmix32((base | 0) ^ 0x5bd1e995) + fnv1a(configKey(c)) + Math.imul(index + 1, 0x9e3779b1));
}

/** Child seed `k` of a trial seed (independent streams for data, labels, ball). */
export function childSeed(seed: number, k: number): number {
  return fmix32(seed + Math.imul(k, 0x27d4eb2d));
}

/** The model spec of a configuration (models/mlp.ts, the paper's g_W without bias). */
export function trialSpec(c: TrialConfig) {
  return mlp({ input: c.d, width: c.width, depth: c.depth, outputs: c.outputs ?? 1, activation: c.activation, variant: 'paper', loss: c.loss, bias: false });
}

/** Data of a trial: x (N × d, on the sphere) and targets (N × outputs). */
export function trialData(c: TrialConfig, seed: number): { x: Float32Array; y: Float32Array } {
  const k = c.outputs ?? 1;
  const xs = sampleSphere(c.n, c.d, childSeed(seed, 1));
  const y = new Float32Array(c.n * k);
  for (let o = 0; o < k; o++) {
    const lab = makeLabeler(c.labeler ?? 'tanh', c.d, childSeed(seed, 2 + o));
    let v = labelPoints(lab, xs, c.n, c.d);
    if (c.loss === 'logistic') v = toLogisticLabels(v);
    for (let i = 0; i < c.n; i++) y[i * k + o] = v[i]!;
  }
  return { x: Float32Array.from(xs), y };
}

/** Initial weights of a trial. */
export function trialWeights(c: TrialConfig, seed: number): Weights {
  const spec = trialSpec(c);
  switch (c.init.name) {
    case 'gaussian': return initWeights(spec, { init: 'gaussian', seed, kappa: c.init.kappa });
    case 'small-weights': return initWeights(spec, { init: 'small-weights', seed, scale: c.init.scale ?? 1 });
    case 'orthogonal': return initWeights(spec, { init: 'orthogonal', seed });
  }
}

/** Kernel names W_0..W_β of a trial's model, in forward order. */
export function kernelNames(c: TrialConfig): string[] {
  return Array.from({ length: c.depth + 1 }, (_, p) => `layers.${p}.kernel`);
}

/** Exact operator norms of the kernels (models/linalg.ts operatorNorm on the float32 data). */
export function kernelNorms(c: TrialConfig, w: Weights): number[] {
  return kernelNames(c).map((name) => {
    const k = w.get(name)!;
    return operatorNorm(k.data, k.shape[0]!, k.shape[1]!);
  });
}

/** Measures of the Gram of per-example gradients for weights `w` on data (x, y). */
export function gramMeasures(c: TrialConfig, w: Weights, x: Float32Array, y: Float32Array): GramMeasures {
  const spec = trialSpec(c);
  const model = buildModel(spec, w);
  const xt = tf.tensor2d(x, [c.n, c.d]);
  const yt = tf.tensor2d(y, [c.n, c.outputs ?? 1]);
  try {
    const { gram } = computeGram(model, xt, yt);
    const n = c.n;
    const s = gramStats(gram, n);
    let minOff = Infinity;
    let maxAbs = 0;
    let maxDiag = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = gram[i * n + j]!;
        maxAbs = Math.max(maxAbs, Math.abs(v));
        if (i === j) maxDiag = Math.max(maxDiag, v);
        else minOff = Math.min(minOff, v);
      }
    }
    return {
      eta: s.eta, minOffDiag: n > 1 ? minOff : 0, minCos: s.cosine?.min ?? null, meanCos: s.cosine?.mean ?? null,
      zeroGrads: s.zeroGradients.length, maxAbsG: maxAbs, maxDiag,
    };
  } finally {
    model.dispose();
    tf.dispose([xt, yt]);
  }
}

/** W + Δ for one ball sample (see TrialConfig.ball); float64 arithmetic, stored as float32. */
export function perturb(c: TrialConfig, w: Weights, rng: Rng): Weights {
  const ball = c.ball!;
  const names = kernelNames(c);
  const out: Weights = new Map(w);
  if (ball.norm === 'operator') {
    for (const name of names) {
      const k = w.get(name)!;
      const g = rng.normals(k.data.length);
      const s = operatorNorm(g, k.shape[0]!, k.shape[1]!);
      const data = new Float32Array(k.data.length);
      for (let i = 0; i < data.length; i++) data[i] = k.data[i]! + (ball.radius * g[i]!) / s;
      out.set(name, { shape: [...k.shape], data });
    }
    return out;
  }
  const total = names.reduce((a, nm) => a + w.get(nm)!.data.length, 0);
  const g = rng.normals(total);
  let sq = 0;
  for (const v of g) sq += v * v;
  const rho = ball.radius * rng.uniform() ** (1 / total); // uniform in the ball: radius ∝ U^{1/P}
  let off = 0;
  for (const name of names) {
    const k = w.get(name)!;
    const data = new Float32Array(k.data.length);
    for (let i = 0; i < data.length; i++) data[i] = k.data[i]! + (rho * g[off + i]!) / Math.sqrt(sq);
    off += data.length;
    out.set(name, { shape: [...k.shape], data });
  }
  return out;
}

/** Run one trial with the given seed on the active backend. */
export function runTrial(c: TrialConfig, seed: number): TrialResult {
  const w = trialWeights(c, seed);
  const { x, y } = trialData(c, seed);
  const base: TrialResult = { seed, ...gramMeasures(c, w, x, y) };
  if (c.norms) base.opNorms = kernelNorms(c, w);
  if (c.ball) {
    const rng = new Rng(childSeed(seed, 99));
    base.ball = [];
    for (let s = 0; s < c.ball.samples; s++) {
      const w2 = perturb(c, w, rng);
      const m = gramMeasures(c, w2, x, y);
      m.opNorms = kernelNorms(c, w2);
      base.ball.push(m);
    }
  }
  return base;
}
