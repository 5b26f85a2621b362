/**
 * Figure 1 (toy, Section 2 of the paper; ../shared/paper/THEOREMS.md, "Section 2 examples"):
 * linear regression on N = 100 Gaussian samples, d = 120 (over-parameterized) vs d = 80
 * (under-parameterized), SGD with batch 1, 3 runs: the over-parameterized problem converges faster
 * (linearly, to zero loss) and has lower confusion (per-sample gradient cosines closer to 0).
 *
 * Protocol (ours; the paper gives no numbers): a_i ~ N(0, I_d / d) (so ‖a_i‖ ≈ 1 for both d),
 * targets b_i ~ N(0, 1) independent of the a_i (nothing to learn: d = 120 > N can interpolate them,
 * d = 80 < N cannot, F* ≈ (N − d)/(2N) = 0.1), f_i = ½(a_iᵀw − b_i)², w_0 = 0,
 * α = 1/max_i ‖a_i‖² (each step then moves at most to the example's own solution set), `epochs`
 * passes of N uniformly sampled steps. Seeds s ∈ {1, 2, 3}; the data of (d, s) come from
 * Rng(1000·s + d), the sampling order from Rng(1000·s + d + 500).
 *
 * Recorded: the training loss F(w) after every epoch; all per-sample gradient cosines
 * cos(∇f_i, ∇f_j), i < j, at w_0 and at the end (for least squares cos = sign(r_i r_j)·cos(a_i, a_j));
 * an exactly zero gradient (r_i = 0 in float64) is counted and left out, never NaN.
 *
 * Decision rule (kind: trend). Two one-sided exact Wilcoxon–Mann–Whitney rank-sum tests, 3 runs vs
 * 3 runs: (1) final loss of d = 120 below that of d = 80; (2) minimum end-of-training cosine of
 * d = 120 above (closer to 0 than) that of d = 80. Under H0 (the 6 values exchangeable) the
 * p-value of complete separation (U = 0) is 1/C(6,3) = 0.05, the smallest attainable with 3 runs;
 * each claim is accepted iff p ≤ 0.05, so each test's false-alarm rate is 5%. The effect sizes
 * (ratio of the final losses, difference of the minimum cosines) are reported too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LeastSquares } from '../src/sgd/least-squares.ts';
import { dot } from '../src/sgd/linalg.ts';
import { runSgd } from '../src/sgd/sgd.ts';
import { Rng } from '../src/rng.ts';
import type { RunOptions, TheoremEntry, TheoremResult } from './verdict.ts';

/** The statement as data. */
export const statement = {
  id: 'figure-1',
  title: 'Figure 1: over-parameterized linear regression converges lower and has lower confusion',
  wording: 'Linear regression, N = 100 Gaussian samples, d = 120 vs d = 80, SGD batch 1, 3 runs: the over-parameterized problem converges faster and its per-sample gradient cosines are closer to 0.',
  hypotheses: ['a_i ~ N(0, I/d), b_i ~ N(0, 1), w_0 = 0, α = 1/max‖a_i‖²'],
  bound: 'one-sided exact Wilcoxon–Mann–Whitney, 3 vs 3 runs, p ≤ 0.05 (final loss lower; min cosine higher)',
  version: 'ICML 2020 (final), Figure 1 (toy example, Section 2)',
  confidence: 'sure',
  kind: 'trend' as const,
};

/** Summary of a sample of cosines. */
export interface CosineSummary {
  count: number;
  zeroGradients: number;
  min: number;
  q05: number;
  median: number;
  mean: number;
  q95: number;
  max: number;
  /** Histogram on [−1, 1] with `bins` equal bins. */
  histogram: { lo: number; hi: number; counts: number[] };
}

/** One run: (d, seed). */
export interface Figure1Run {
  d: number;
  seed: number;
  alpha: number;
  /** F(w) after epoch e = 0..epochs (e = 0: at w_0). */
  loss: number[];
  /** F* (the least-squares minimum; 0 up to rounding when d ≥ N). */
  fstar: number;
  /** (ln F(end) − ln F(mid)) / (epochs/2): the linear-convergence rate over the second half (< 0: falling). */
  logRatePerEpoch: number;
  cosines: { init: CosineSummary; end: CosineSummary };
  /** All end-of-training cosines (i < j, row-major pair order), rounded to 1e-5, for density plots. */
  endCosines: number[];
}

/** A one-sided exact rank-sum test result. */
export interface RankTest {
  claim: string;
  /** Exact one-sided p-value. */
  p: number;
  level: number;
  accepted: boolean;
  effect: Record<string, number>;
}

/** The curve data `writeFigure1Json` saves (the report issue plots it). */
export interface Figure1Data {
  id: 'figure-1';
  n: number;
  dims: [number, number];
  seeds: number[];
  epochs: number;
  runs: Figure1Run[];
  tests: { loss: RankTest; cosine: RankTest };
  holds: boolean;
}

/** Options (defaults are the paper's setting). */
export interface Figure1Options {
  n?: number;
  /** [over-parameterized, under-parameterized]. */
  dims?: [number, number];
  seeds?: number[];
  epochs?: number;
}

const BINS = 80;

function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Per-sample gradient cosines at w (least squares), zero gradients left out and counted. */
export function gradientCosines(p: LeastSquares, w: Float64Array): { cosines: Float64Array; zeroGradients: number } {
  const r = Float64Array.from({ length: p.n }, (_, i) => p.residual(i, w));
  const norms = Float64Array.from({ length: p.n }, (_, i) => Math.abs(r[i]!) * Math.sqrt(p.sqNorms[i]!));
  const out: number[] = [];
  for (let i = 0; i < p.n; i++) {
    if (norms[i] === 0) continue;
    for (let j = i + 1; j < p.n; j++) {
      if (norms[j] === 0) continue;
      // <g_i, g_j> = r_i r_j <a_i, a_j>
      out.push((r[i]! * r[j]! * dot(p.rows[i]!, p.rows[j]!)) / (norms[i]! * norms[j]!));
    }
  }
  return { cosines: Float64Array.from(out), zeroGradients: norms.filter((v) => v === 0).length };
}

function summarize(c: { cosines: Float64Array; zeroGradients: number }): CosineSummary {
  const s = Float64Array.from(c.cosines).sort();
  const counts = new Array<number>(BINS).fill(0);
  let sum = 0;
  for (const v of s) {
    sum += v;
    counts[Math.min(BINS - 1, Math.max(0, Math.floor(((v + 1) / 2) * BINS)))]!++;
  }
  const n = s.length;
  return {
    count: n, zeroGradients: c.zeroGradients,
    min: n ? s[0]! : NaN, q05: n ? quantile(s, 0.05) : NaN, median: n ? quantile(s, 0.5) : NaN, mean: n ? sum / n : NaN, q95: n ? quantile(s, 0.95) : NaN, max: n ? s[n - 1]! : NaN,
    histogram: { lo: -1, hi: 1, counts },
  };
}

/**
 * Exact one-sided p-value of the Wilcoxon–Mann–Whitney test that `x` tends to be larger than `y`:
 * P_H0(U ≥ U_obs) with U = #{(i, j): x_i > y_j} (+ ½ per tie), over all C(m+n, m) equally likely
 * assignments of the pooled values to the groups (H0: exchangeable). Enumerates the assignments
 * (fine for the 3 vs 3 of Figure 1; refuses more than 20 values).
 */
export function rankSumPValue(x: readonly number[], y: readonly number[]): number {
  const pooled = [...x, ...y];
  const m = x.length;
  if (pooled.length > 20) throw new Error('rankSumPValue: at most 20 values');
  const u = (xs: number[], ys: number[]) => {
    let s = 0;
    for (const a of xs) for (const b of ys) s += a > b ? 1 : a === b ? 0.5 : 0;
    return s;
  };
  const uObs = u([...x], [...y]);
  let total = 0;
  let atLeast = 0;
  const n = pooled.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    let bits = 0;
    for (let k = 0; k < n; k++) if (mask & (1 << k)) bits++;
    if (bits !== m) continue;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < n; k++) (mask & (1 << k) ? xs : ys).push(pooled[k]!);
    total++;
    if (u(xs, ys) >= uObs - 1e-12) atLeast++;
  }
  return atLeast / total;
}

/** Runs one (d, seed) of Figure 1. */
export function figure1Run(n: number, d: number, seed: number, epochs: number): Figure1Run {
  const rng = new Rng(1000 * seed + d);
  const rows = Array.from({ length: n }, () => rng.normals(d, 1 / Math.sqrt(d)));
  const b = rng.normals(n);
  const p = d >= n ? LeastSquares.interpolating(rows, minNormSolution(rows, b)) : LeastSquares.fromData(rows, b);
  const alpha = 1 / p.L;
  const w0 = new Float64Array(d);
  const loss: number[] = [];
  const init = gradientCosines(p, w0);
  const wEnd = runSgd(p, w0, alpha, epochs * n, { seed: 1000 * seed + d + 500, every: n, record: (_k, w) => loss.push(p.value(w)) });
  const end = gradientCosines(p, wEnd);
  const mid = Math.floor(epochs / 2);
  const logRatePerEpoch = epochs - mid > 0 ? (Math.log(loss[epochs]!) - Math.log(loss[mid]!)) / (epochs - mid) : 0;
  return {
    d, seed, alpha, loss, fstar: p.fstar, logRatePerEpoch,
    cosines: { init: summarize(init), end: summarize(end) },
    endCosines: Array.from(end.cosines, (v) => Math.round(v * 1e5) / 1e5),
  };
}

/**
 * For d ≥ N: w* = Aᵀ(AAᵀ)⁻¹ b, the minimum-norm interpolating solution, by Cholesky of the N×N Gram
 * AAᵀ (positive definite for Gaussian rows) and two steps of iterative refinement. It is the
 * reference point of `LeastSquares.interpolating`, whose targets are then A w* = b up to rounding
 * (~1e-15); SGD itself never uses w*.
 */
function minNormSolution(rows: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = rows.length;
  const d = rows[0]!.length;
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = dot(rows[i]!, rows[j]!); g[i * n + j] = v; g[j * n + i] = v; }
  // Cholesky G = C Cᵀ.
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = g[i * n + j]!;
      for (let k = 0; k < j; k++) s -= c[i * n + k]! * c[j * n + k]!;
      c[i * n + j] = i === j ? Math.sqrt(s) : s / c[j * n + j]!;
    }
  }
  const solve = (rhs: Float64Array): Float64Array => {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) { let s = rhs[i]!; for (let k = 0; k < i; k++) s -= c[i * n + k]! * y[k]!; y[i] = s / c[i * n + i]!; }
    const z = new Float64Array(n);
    for (let i = n - 1; i >= 0; i--) { let s = y[i]!; for (let k = i + 1; k < n; k++) s -= c[k * n + i]! * z[k]!; z[i] = s / c[i * n + i]!; }
    return z;
  };
  const w = new Float64Array(d);
  const addAtz = (z: Float64Array) => rows.forEach((a, i) => { for (let k = 0; k < d; k++) w[k]! += z[i]! * a[k]!; });
  addAtz(solve(b));
  // Two steps of iterative refinement on the residual b − A w.
  for (let it = 0; it < 2; it++) addAtz(solve(Float64Array.from(rows, (a, i) => b[i]! - dot(a, w))));
  return w;
}

/** Runs Figure 1 and applies the decision rule of the module doc. */
export function figure1Data(o: Figure1Options = {}): Figure1Data {
  const n = o.n ?? 100;
  const dims = o.dims ?? [120, 80];
  const seeds = o.seeds ?? [1, 2, 3];
  const epochs = o.epochs ?? 300;
  const runs = dims.flatMap((d) => seeds.map((s) => figure1Run(n, d, s, epochs)));
  const over = runs.filter((r) => r.d === dims[0]);
  const under = runs.filter((r) => r.d === dims[1]);
  const finalLoss = (r: Figure1Run) => r.loss[r.loss.length - 1]!;
  const level = 0.05;
  const pLoss = rankSumPValue(under.map(finalLoss), over.map(finalLoss));
  const pCos = rankSumPValue(over.map((r) => r.cosines.end.min), under.map((r) => r.cosines.end.min));
  const gmean = (v: number[]) => Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length);
  const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
  const loss: RankTest = {
    claim: `final training loss of d = ${dims[0]} < that of d = ${dims[1]}`, p: pLoss, level, accepted: pLoss <= level,
    effect: { geometricMeanOver: gmean(over.map(finalLoss)), geometricMeanUnder: gmean(under.map(finalLoss)), ratioUnderOverOver: gmean(under.map(finalLoss)) / gmean(over.map(finalLoss)) },
  };
  const cosine: RankTest = {
    claim: `minimum end-of-training gradient cosine of d = ${dims[0]} closer to 0 (higher) than that of d = ${dims[1]}`, p: pCos, level, accepted: pCos <= level,
    effect: { meanMinCosineOver: mean(over.map((r) => r.cosines.end.min)), meanMinCosineUnder: mean(under.map((r) => r.cosines.end.min)), difference: mean(over.map((r) => r.cosines.end.min)) - mean(under.map((r) => r.cosines.end.min)) },
  };
  return { id: 'figure-1', n, dims, seeds, epochs, runs, tests: { loss, cosine }, holds: loss.accepted && cosine.accepted };
}

/** Saves Figure 1's data as JSON (suggested path: out/figure-1.json; out/ is git-ignored). */
export function writeFigure1Json(path: string, data: Figure1Data): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data)}\n`);
}

/** Epochs per budget. */
export const EPOCHS = { quick: 300, full: 1000 } as const;

/** The registry entry (`gradconf verify`): runs Figure 1, a compact summary in `details`. */
export const entry: TheoremEntry = {
  id: statement.id,
  title: statement.title,
  kind: 'trend',
  async run(opts: RunOptions): Promise<TheoremResult> {
    const t0 = performance.now();
    const data = figure1Data({ epochs: EPOCHS[opts.budget] });
    opts.progress?.(data.runs.length, data.runs.length);
    return {
      id: statement.id, title: statement.title, kind: 'trend', holds: data.holds, instances: data.runs.length,
      details: {
        epochs: data.epochs, seeds: data.seeds, dims: data.dims,
        runs: data.runs.map((r) => ({ d: r.d, seed: r.seed, alpha: r.alpha, finalLoss: r.loss[r.loss.length - 1], fstar: r.fstar, logRatePerEpoch: r.logRatePerEpoch, minCosineEnd: r.cosines.end.min, q05End: r.cosines.end.q05, q95End: r.cosines.end.q95, minCosineInit: r.cosines.init.min, zeroGradientsEnd: r.cosines.end.zeroGradients })),
        tests: data.tests,
        // For the report's plots: loss curves (every epoch up to 300, then thinned) and end-of-training cosine histograms.
        curves: data.runs.map((r) => ({ d: r.d, seed: r.seed, loss: r.loss.filter((_, e) => r.loss.length <= 301 || e % Math.ceil(r.loss.length / 300) === 0 || e === r.loss.length - 1) })),
        histograms: data.runs.map((r) => ({ d: r.d, seed: r.seed, ...r.cosines.end.histogram })),
        note: 'seeds fixed: the figure is a deterministic function of them; the seed option is not used. Save the curves with writeFigure1Json(path, figure1Data()).',
      },
      seed: opts.seed, ms: performance.now() - t0,
    };
  },
};
