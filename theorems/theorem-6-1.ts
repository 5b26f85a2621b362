/**
 * Theorem 6.1 (THEOREMS.md) — orthogonal initialization of deep linear networks: gradient
 * confusion does not depend on depth.
 *
 * Exact identity [derived]: for g(x) = W_β ⋯ W_0 x whose partial products are orthogonal
 * (P Pᵀ = I above each layer, Qᵀ Q = I below it), ∇_{W_p} f_i = Pᵀ r_i (Q x_i)ᵀ, so
 * <∇_{W_p} f_i, ∇_{W_p} f_j> = <r_i, r_j><x_i, x_j> for every layer and
 *   Gram(depth β) = (β + 1) · Gram(depth 0 with the same end-to-end map M = W_β ⋯ W_0),
 * and all cosine similarities are equal. Checked as a fast-check property over depth, d, N and
 * output size, for random orthogonal factorizations of one end-to-end map M = A B (A with
 * orthonormal rows, B with orthonormal columns; W_0 = R_1 B, W_p = R_{p+1} R_pᵀ, W_β = A R_βᵀ with
 * Haar R_p) and for the project's 'orthogonal' initializer (independent Haar layers, M their
 * product). Tolerance: float32 — |G_β − (β+1) G_0| ≤ GRAM_REL_TOL_F32 · (β+1) · max|G_0| and
 * |cos_β − cos_0| ≤ COSINE_ABS_TOL_F32 (src/tolerance.ts; the weights are float32 roundings of
 * exactly orthogonal float64 matrices, the Grams float32 computations).
 *
 * Statistical: with width = d and one output, the end-to-end map is a Haar unit vector at every
 * depth, so the law of the normalized confusion (the minimum pairwise cosine) is the same at every
 * depth, and so is the law of η/(β+1) — two-sample KS of each depth against depth 0. Both claims'
 * eight tests form one Holm family at family-wise false-alarm rate ALPHA = 0.05 (theorems/define.ts).
 *
 * Trends (their own Holm family at ALPHA): raw η grows like (β + 1) (so the printed raw bound can
 * only be depth-independent after a 1/(β+1) rescaling of η); the normalized confusion falls as d
 * grows (min cosine increases with d), and so does raw η.
 *
 * The exact verdict is the identity's alone.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { deepLinear } from '../models/linear.ts';
import { initWeights } from '../models/init.ts';
import { randomOrthogonal } from '../models/linalg.ts';
import { buildModel } from '../models/build.ts';
import type { Weights } from '../models/weights.ts';
import { computeGram } from '../src/probe/gram.ts';
import { gramCosines } from '../src/probe/stats.ts';
import { sampleSphere } from '../src/data/sphere.ts';
import { labelPoints, makeLabeler } from '../src/data/labelers.ts';
import { Rng } from '../src/rng.ts';
import { COSINE_ABS_TOL_F32, GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { ksTwoSample, ksTwoSampleMinDetectable } from '../src/stats/ks.ts';
import { matmul, transpose } from '../src/sgd/linalg.ts';
import { regimeHasConfusion, type ConfusionMeasures } from '../src/claims/confusion.ts';
import { trialSeed, type TrialConfig } from '../src/pool/trial.ts';
import { withPool, type TrialPool } from '../src/pool/pool.ts';
import { formatTighten, tightenSearch, type TightenSpec } from '../src/pool/tighten-search.ts';
import { slackOf, type ExactClaim, type Statement, type StatisticalClaim, type StatisticalStudy, type TrendClaim, type Verdict } from '../src/claims/claim.ts';
import { defineTheorem, exactProperty } from './define.ts';
import type { Tightener, TightenOptions } from './tighten.ts';

/** The result as data. */
export const statement: Statement = {
  id: 'theorem-6-1',
  title: 'Theorem 6.1: orthogonal deep linear nets — Gram(depth β) = (β+1)·Gram(depth 0), cosines depth-independent',
  wording: 'Deep linear network with orthogonal weights, sphere data: confusion bound η holds with probability ≥ 1 − N² exp(−c d η²), independent of depth.',
  hypotheses: ['g(x) = W_β ⋯ W_0 x', 'every partial product orthogonal (d ≤ l ≥ outputs)', 'x_i uniform on S^{d−1}', 'square loss'],
  bound: 'max(abs(G_beta - (beta + 1) * G_0)) <= tol * (beta + 1) * max(abs(G_0))',
  version: 'ICML 2020 (final), Theorem 6.1; identity derived in THEOREMS.md',
  confidence: 'medium (constants), derived (identity)',
};

/** Family-wise false-alarm rate of the statistical and trend claims. */
export const ALPHA = 0.05;

/** An identity instance. */
export interface IdentityParams {
  d: number;
  /** width = max(d, outputs) + extra. */
  extra: number;
  outputs: number;
  n: number;
  depths: number[];
  seed: number;
  /** 'gauge': random orthogonal factorizations of one map A·B; 'init': the 'orthogonal' initializer. */
  mode: 'gauge' | 'init';
}

/** Instances of the identity property. */
export const identityArbitrary: fc.Arbitrary<IdentityParams> = fc.record({
  d: fc.integer({ min: 1, max: 12 }),
  extra: fc.integer({ min: 0, max: 10 }),
  outputs: fc.integer({ min: 1, max: 3 }),
  n: fc.integer({ min: 2, max: 10 }),
  depths: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 3 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  mode: fc.constantFrom<'gauge' | 'init'>('gauge', 'init'),
});

/** Width of an instance: max(d, outputs) + extra (so d ≤ l ≥ outputs). */
export const widthOf = (p: { d: number; outputs: number; extra: number }): number => Math.max(p.d, p.outputs) + p.extra;

/**
 * A random orthogonal factorization of M = A B into β + 1 factors (math layout, W_p is out×in):
 * W_0 = R_1 B, W_p = R_{p+1} R_pᵀ, W_β = A R_βᵀ with Haar R_p (l×l); β = 0 gives [A B].
 * `bondScale` = s ≠ 1 multiplies row 0 of W_0 by s and column 0 of W_1 by 1/s — the same
 * product, but the partial products are no longer orthogonal (a negative control: the identity
 * and the equality of cosines must then fail; needs β ≥ 1).
 */
export function factorize(A: Float64Array, B: Float64Array, o: number, l: number, d: number, depth: number, rng: Rng, bondScale = 1): Float64Array[] {
  if (depth === 0) return [matmul(A, B, o, l, d)];
  const R = Array.from({ length: depth }, () => randomOrthogonal(l, l, rng));
  const ws: Float64Array[] = [matmul(R[0]!, B, l, l, d)];
  for (let p = 1; p < depth; p++) ws.push(matmul(R[p]!, transpose(R[p - 1]!, l, l), l, l, l));
  ws.push(matmul(A, transpose(R[depth - 1]!, l, l), o, l, l));
  if (bondScale !== 1) {
    for (let j = 0; j < d; j++) ws[0]![j] = ws[0]![j]! * bondScale; // row 0 of W_0 (l×d)
    const c1 = depth === 1 ? o : l;
    for (let i = 0; i < c1; i++) ws[1]![i * l] = ws[1]![i * l]! / bondScale; // column 0 of W_1 (c1×l)
  }
  return ws;
}

/** Weights of a deepLinear spec from math-layout factors (kernel = Wᵀ, float32). */
function toWeights(ws: Float64Array[], dims: number[]): Weights {
  const w: Weights = new Map();
  ws.forEach((m, p) => {
    const out = dims[p + 1]!;
    const inp = dims[p]!;
    w.set(`layers.${p}.kernel`, { shape: [inp, out], data: Float32Array.from(transpose(m, out, inp)) });
  });
  return w;
}

/** End-to-end map W_β ⋯ W_0 (float64 product of the float32 kernels actually used). */
function endToEnd(w: Weights, depth: number, dims: number[]): Float64Array {
  let m: Float64Array = Float64Array.from(transpose(w.get('layers.0.kernel')!.data, dims[0]!, dims[1]!));
  for (let p = 1; p <= depth; p++) m = matmul(transpose(w.get(`layers.${p}.kernel`)!.data, dims[p]!, dims[p + 1]!), m, dims[p + 1]!, dims[p]!, dims[0]!);
  return m;
}

function gramOf(d: number, l: number, o: number, depth: number, w: Weights, x: Float32Array, y: Float32Array, n: number): Float64Array {
  const spec = deepLinear({ input: d, width: l, depth, outputs: o });
  const model = buildModel(spec, w);
  const xt = tf.tensor2d(x, [n, d]);
  const yt = tf.tensor2d(y, [n, o]);
  try {
    return computeGram(model, xt, yt).gram;
  } finally {
    model.dispose();
    tf.dispose([xt, yt]);
  }
}

/** Check the identity on one instance (every depth in p.depths against depth 0 of its own end-to-end map). */
export function checkIdentity(p: IdentityParams, bondScale = 1): Verdict {
  const l = widthOf(p);
  const { d, outputs: o, n } = p;
  const rng = new Rng(p.seed);
  const A = randomOrthogonal(o, l, rng);
  const B = randomOrthogonal(l, d, rng);
  const x = Float32Array.from(sampleSphere(n, d, p.seed ^ 0x51ed));
  const y = new Float32Array(n * o);
  const xs = Float64Array.from(x);
  for (let k = 0; k < o; k++) {
    const v = labelPoints(makeLabeler('tanh', d, (p.seed + 31 * (k + 1)) | 0), xs, n, d);
    for (let i = 0; i < n; i++) y[i * o + k] = v[i]!;
  }
  let worstRel = 0;
  let worstCos = 0;
  for (const depth of p.depths) {
    const dims = [d, ...Array.from({ length: depth }, () => l), o];
    const w = p.mode === 'gauge'
      ? toWeights(factorize(A, B, o, l, d, depth, rng, bondScale), dims)
      : (() => {
        const spec = deepLinear({ input: d, width: l, depth, outputs: o });
        const iw = initWeights(spec, { init: 'orthogonal', seed: (p.seed + 1009 * depth) | 0 });
        if (bondScale !== 1 && depth > 0) {
          // kernels are Wᵀ: column 0 of kernel 0 is row 0 of W_0; row 0 of kernel 1 is column 0 of W_1
          const k0 = iw.get('layers.0.kernel')!;
          const k1 = iw.get('layers.1.kernel')!;
          iw.set('layers.0.kernel', { shape: k0.shape, data: k0.data.map((v, i) => (i % k0.shape[1]! === 0 ? v * bondScale : v)) });
          iw.set('layers.1.kernel', { shape: k1.shape, data: k1.data.map((v, i) => (i < k1.shape[1]! ? v / bondScale : v)) });
        }
        return iw;
      })();
    const m = endToEnd(w, depth, dims);
    const w0 = toWeights([m], [d, o]);
    const g = gramOf(d, l, o, depth, w, x, y, n);
    const g0 = gramOf(d, l, o, 0, w0, x, y, n);
    let maxAbs0 = 0;
    let maxDiff = 0;
    for (let i = 0; i < n * n; i++) {
      maxAbs0 = Math.max(maxAbs0, Math.abs(g0[i]!));
      maxDiff = Math.max(maxDiff, Math.abs(g[i]! - (depth + 1) * g0[i]!));
    }
    worstRel = Math.max(worstRel, maxAbs0 > 0 ? maxDiff / ((depth + 1) * maxAbs0) : maxDiff);
    const c = gramCosines(g, n);
    const c0 = gramCosines(g0, n);
    if (c.cosines.length !== c0.cosines.length) worstCos = Math.max(worstCos, 2);
    else for (let i = 0; i < c.cosines.length; i++) worstCos = Math.max(worstCos, Math.abs(c.cosines[i]! - c0.cosines[i]!));
  }
  const ratio = Math.max(worstRel / GRAM_REL_TOL_F32, worstCos / COSINE_ABS_TOL_F32);
  return {
    holds: worstRel <= GRAM_REL_TOL_F32 && worstCos <= COSINE_ABS_TOL_F32,
    measured: { maxRelativeDeviation: worstRel, maxCosineDeviation: worstCos },
    bound: 1,
    slack: slackOf(ratio, 1),
  };
}

/** Trial configuration of the statistical checks: linear net, orthogonal init, square loss. */
export function linearConfig(d: number, width: number, depth: number, n: number, outputs = 1): TrialConfig {
  return { d, n, width, depth, outputs, activation: 'linear', loss: 'mse', init: { name: 'orthogonal' } };
}

/** The Monte-Carlo study behind the statistical and trend claims: per-trial measures by group. */
export interface OrthogonalStudy {
  depths: number[];
  dLevels: number[];
  trials: number;
  /** Trials of width = d = 16, N = 8, one output, at each depth. */
  byDepth: ConfusionMeasures[][];
  /** Trials of width = d, depth 2, N = 8 at each d. */
  byD: ConfusionMeasures[][];
}

export const DEPTHS = [0, 1, 2, 4, 8];
export const D_LEVELS = [4, 8, 16, 32, 64];

/** Run the study with `trials` per group on a pool. */
export async function sampleStudy(pool: TrialPool, seed: number, trials: number, progress?: (done: number, total: number) => void): Promise<OrthogonalStudy> {
  const D = 16;
  const N = 8;
  const depthConfigs = DEPTHS.map((b) => linearConfig(D, D, b, N));
  const dConfigs = D_LEVELS.map((d) => linearConfig(d, d, 2, N));
  const all = [...depthConfigs, ...dConfigs];
  const res = await pool.run(all.map((c) => ({ config: c, seeds: Array.from({ length: trials }, (_, i) => trialSeed(seed, c, i)) })), progress);
  const strip = (rs: readonly ConfusionMeasures[]) => rs.map((r) => ({ eta: r.eta, minCos: r.minCos }));
  return { depths: DEPTHS, dLevels: D_LEVELS, trials, byDepth: res.slice(0, DEPTHS.length).map(strip), byD: res.slice(DEPTHS.length).map(strip) };
}

const study = (ctx: { seed: number; memo<T>(k: string, f: () => Promise<T>): Promise<T>; progress?: (d: number, t: number) => void }, trials: number) =>
  ctx.memo(`study:${trials}`, () => withPool({}, (pool) => sampleStudy(pool, ctx.seed, trials, ctx.progress)));

/** min cosine per trial, leaving out trials with fewer than two non-zero gradients (no cosine). */
const minCosOf = (rs: readonly ConfusionMeasures[]): number[] => rs.filter((r) => r.minCos !== null).map((r) => r.minCos!);

/** KS of every depth against depth 0 (the null: the same law at every depth). */
function depthLaw(s: OrthogonalStudy, groups: number[][], what: string): StatisticalStudy {
  const m = groups.length - 1;
  return {
    instances: groups.reduce((n, g) => n + g.length, 0),
    tests: groups.slice(1).map((g, k) => {
      const ks = ksTwoSample(groups[0]!, g);
      // smallest sup-difference caught with power 0.8 at the per-test level Holm's first step
      // allows across this claim's tests and the sibling claim's (2m tests at family-wise ALPHA)
      return { label: `${what}: depth ${s.depths[k + 1]} vs depth 0`, test: 'two-sample Kolmogorov–Smirnov (exact)', statistic: ks.statistic, pValue: ks.pValue,
        effect: ks.statistic, minDetectable: ksTwoSampleMinDetectable(groups[0]!.length, g.length, ALPHA / (2 * m)), n: g.length };
    }),
  };
}

const BUDGET_TRIALS = { test: 120, quick: 400, full: 1000 };

/** Exact: the identity, over depth, d, N, outputs and both factorization modes. */
export const identityClaim: ExactClaim = {
  id: 'gram-identity', kind: 'exact', source: 'derived',
  statement: 'Gram(depth β) = (β+1)·Gram(depth 0) of the same end-to-end map, and all cosines equal',
  budgets: { test: 25, quick: 40, full: 1000 },
  check: (ctx, numRuns) => exactProperty(ctx, identityArbitrary, numRuns, checkIdentity,
    { tolerance: `|ΔG| ≤ ${GRAM_REL_TOL_F32}·(β+1)·max|G_0|, |Δcos| ≤ ${COSINE_ABS_TOL_F32} (float32)` }),
};

/** Statistical: the min-cosine law is the same at every depth (width = d = 16, N = 8). */
export const cosineLawClaim: StatisticalClaim<number, OrthogonalStudy> = {
  id: 'min-cosine-law-depth-free', kind: 'statistical', source: 'paper',
  statement: 'the law of the normalized confusion (min cosine) is the same at depths 1, 2, 4, 8 as at depth 0 (width = d = 16, N = 8, one output)',
  budgets: BUDGET_TRIALS,
  sample: (ctx, trials) => study(ctx, trials),
  analyze: (s) => depthLaw(s, s.byDepth.map(minCosOf), 'min cosine'),
};

/** Statistical: the law of η/(β+1) is the same at every depth. */
export const scaledEtaLawClaim: StatisticalClaim<number, OrthogonalStudy> = {
  id: 'scaled-eta-law-depth-free', kind: 'statistical', source: 'derived',
  statement: 'the law of η/(β+1) is the same at depths 1, 2, 4, 8 as at depth 0',
  budgets: BUDGET_TRIALS,
  sample: (ctx, trials) => study(ctx, trials),
  analyze: (s) => depthLaw(s, s.byDepth.map((rs, k) => rs.map((r) => r.eta / (s.depths[k]! + 1))), 'η/(β+1)'),
};

/** Trend: raw η grows with depth. */
export const rawEtaDepthClaim: TrendClaim<number, OrthogonalStudy> = {
  id: 'raw-eta-grows-with-depth', kind: 'trend', direction: 'increasing', source: 'derived',
  statement: 'raw η grows with depth (so the printed raw bound needs a 1/(β+1) rescaling to be depth-independent)',
  budgets: BUDGET_TRIALS,
  sample: (ctx, trials) => study(ctx, trials),
  analyze: (s) => ({ measure: 'η (raw)', instances: s.byDepth.flat().length,
    regimes: [{ label: 'width = d = 16, N = 8', levels: s.depths, groups: s.byDepth.map((rs) => rs.map((r) => r.eta)), confusion: regimeHasConfusion(s.byDepth) }] }),
};

/** Trend: the normalized confusion falls as d grows. */
export const cosineDClaim: TrendClaim<number, OrthogonalStudy> = {
  id: 'min-cosine-rises-with-d', kind: 'trend', direction: 'increasing', source: 'paper',
  statement: 'normalized confusion falls as d grows: the min cosine increases with d (d ∈ {4,…,64}, width = d, depth 2)',
  budgets: BUDGET_TRIALS,
  sample: (ctx, trials) => study(ctx, trials),
  analyze: (s) => ({ measure: 'min cosine', instances: s.byD.flat().length,
    regimes: [{ label: 'width = d, depth 2, N = 8', levels: s.dLevels, groups: s.byD.map(minCosOf), confusion: regimeHasConfusion(s.byD) }] }),
};

/** Trend: raw η falls as d grows. */
export const etaDClaim: TrendClaim<number, OrthogonalStudy> = {
  id: 'raw-eta-falls-with-d', kind: 'trend', direction: 'decreasing', source: 'paper',
  statement: 'raw η falls as d grows (d ∈ {4,…,64}, width = d, depth 2)',
  budgets: BUDGET_TRIALS,
  sample: (ctx, trials) => study(ctx, trials),
  analyze: (s) => ({ measure: 'η (raw)', instances: s.byD.flat().length,
    regimes: [{ label: 'width = d, depth 2, N = 8', levels: s.dLevels, groups: s.byD.map((rs) => rs.map((r) => r.eta)), confusion: regimeHasConfusion(s.byD) }] }),
};

/** A configuration searched by the tightener. */
export interface SearchConfig { d: number; extra: number; depth: number; n: number; outputs: number }

/** The tightening search of Theorem 6.1's c (forms: printed raw η, and η rescaled by 1/(β+1)). */
export const tightenSpec: TightenSpec<SearchConfig> = {
  theorem: statement.id,
  arbitrary: fc.record({
    d: fc.integer({ min: 2, max: 48 }),
    extra: fc.integer({ min: 0, max: 16 }),
    depth: fc.integer({ min: 1, max: 8 }),
    n: fc.integer({ min: 2, max: 16 }),
    outputs: fc.integer({ min: 1, max: 2 }),
  }),
  trial: (c) => linearConfig(c.d, widthOf(c), c.depth, c.n, c.outputs),
  measure: (r) => r.eta,
  measureName: 'η (raw confusion)',
  forms: [
    { name: 'printed: N² exp(−c d η²) (depth-independent)', cell: (c, e) => ({ x: c.d * e * e, logA: 2 * Math.log(c.n) }) },
    { name: 'rescaled: N² exp(−c d (η/(β+1))²)', cell: (c, e) => ({ x: (c.d * e * e) / (c.depth + 1) ** 2, logA: 2 * Math.log(c.n) }) },
  ],
  trialsPerConfig: 64,
};

/** `gradconf tighten theorem-6-1`: Theorem 6.1's c (printed raw form and the 1/(β+1)-rescaled form). */
const tightener: Tightener = {
  id: statement.id,
  description: 'estimate Theorem 6.1\'s c in P(η > e) ≤ N² exp(−c d e²) for orthogonal deep linear nets (budget = configurations, 64 trials each)',
  defaultBudget: 24,
  run: (o: TightenOptions) => tightenSearch(tightenSpec, o),
  format: formatTighten,
};

/** Theorem 6.1: statement, claims, tightener. */
export const theorem = defineTheorem({
  statement, alpha: ALPHA,
  claims: [identityClaim, cosineLawClaim, scaledEtaLawClaim, rawEtaDepthClaim, cosineDClaim, etaDClaim],
  tightener,
});
