/**
 * The toy problem of Figure 1 (Section 2 of the paper; ../shared/paper/THEOREMS.md, "Section 2
 * examples"): linear regression f_i(w) = ½(a_iᵀw − b_i)² on N Gaussian samples, SGD with batch 1,
 * and what theorems/figure-1.ts measures on it — the training loss and suboptimality F(w_k) − F*
 * per epoch, a fitted linear rate, and all per-sample gradient cosines at w_0 and at the end.
 *
 * Protocol: a_i ~ N(0, I_d / d) (so ‖a_i‖ ≈ 1 for every d), targets b_i ~ N(0, 1) independent of
 * the a_i; d ≥ N interpolates (F* = 0 exactly: the targets are re-expressed as A w* with w* the
 * minimum-norm solution), d < N cannot (F* > 0, the exact least-squares minimum); w_0 = 0,
 * α = 1/max_i ‖a_i‖², `epochs` passes of N uniformly sampled steps. The data of (d, s) come from
 * Rng(1000·s + d), the sampling order from Rng(1000·s + d + 500).
 */
import { LeastSquares } from '../sgd/least-squares.ts';
import { dot } from '../sgd/linalg.ts';
import { runSgd } from '../sgd/sgd.ts';
import { quantileSorted } from '../probe/stats.ts';
import { Rng } from '../rng.ts';

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

/** One run of Figure 1: (d, seed). */
export interface Figure1Run {
  d: number;
  seed: number;
  alpha: number;
  /** F(w) after epoch e = 0..epochs (e = 0: at w_0). */
  loss: number[];
  /** F* (the exact least-squares minimum; 0 when d ≥ N). */
  fstar: number;
  /** F(w_e) − F* per epoch. */
  suboptimality: number[];
  /** (F(w_end) − F*) / (F(w_0) − F*). */
  relativeSuboptimality: number;
  /** Least-squares slope of ln(F(w_e) − F*) against e over all epochs (< 0: converging; more negative = faster). */
  ratePerEpoch: number;
  cosines: { init: CosineSummary; end: CosineSummary };
  /** All end-of-training cosines (i < j, row-major pair order), rounded to 1e-5, for density plots. */
  endCosines: number[];
}

const BINS = 80;

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

/** Min, quantiles, mean, max and an 80-bin histogram on [−1, 1] of a sample of cosines (NaN fields when empty). */
export function summarizeCosines(c: { cosines: Float64Array; zeroGradients: number }): CosineSummary {
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
    min: n ? s[0]! : NaN, q05: n ? quantileSorted(s, 0.05) : NaN, median: n ? quantileSorted(s, 0.5) : NaN, mean: n ? sum / n : NaN, q95: n ? quantileSorted(s, 0.95) : NaN, max: n ? s[n - 1]! : NaN,
    histogram: { lo: -1, hi: 1, counts },
  };
}

/**
 * Least-squares slope of ln(v_e) against e (e = 0..len−1), over the entries with v_e > 0; 0 when
 * fewer than two are positive. The "fitted linear rate" of a suboptimality curve.
 */
export function logLinearRate(v: readonly number[]): number {
  const pts = v.flatMap((y, e) => (y > 0 ? [[e, Math.log(y)] as const] : []));
  if (pts.length < 2) return 0;
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; }
  return sxy / sxx;
}

/** The least-squares problem of (n, d, seed), as the module doc says. */
export function figure1Problem(n: number, d: number, seed: number): LeastSquares {
  const rng = new Rng(1000 * seed + d);
  const rows = Array.from({ length: n }, () => rng.normals(d, 1 / Math.sqrt(d)));
  const b = rng.normals(n);
  return d >= n ? LeastSquares.interpolating(rows, minNormSolution(rows, b)) : LeastSquares.fromData(rows, b);
}

/** Runs one (d, seed) of Figure 1. */
export function figure1Run(n: number, d: number, seed: number, epochs: number): Figure1Run {
  const p = figure1Problem(n, d, seed);
  const alpha = 1 / p.L;
  const w0 = new Float64Array(d);
  const loss: number[] = [];
  const init = gradientCosines(p, w0);
  const wEnd = runSgd(p, w0, alpha, epochs * n, { seed: 1000 * seed + d + 500, every: n, record: (_k, w) => loss.push(p.value(w)) });
  const end = gradientCosines(p, wEnd);
  const suboptimality = loss.map((f) => f - p.fstar);
  return {
    d, seed, alpha, loss, fstar: p.fstar, suboptimality,
    relativeSuboptimality: suboptimality[epochs]! / suboptimality[0]!,
    ratePerEpoch: logLinearRate(suboptimality),
    cosines: { init: summarizeCosines(init), end: summarizeCosines(end) },
    endCosines: Array.from(end.cosines, (v) => Math.round(v * 1e5) / 1e5),
  };
}

/**
 * For d ≥ N: w* = Aᵀ(AAᵀ)⁻¹ b, the minimum-norm interpolating solution, by Cholesky of the N×N Gram
 * AAᵀ (positive definite for Gaussian rows) and two steps of iterative refinement. It is the
 * reference point of `LeastSquares.interpolating`, whose targets are then A w* = b up to rounding
 * (~1e-15); SGD itself never uses w*.
 */
export function minNormSolution(rows: readonly Float64Array[], b: Float64Array): Float64Array {
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

