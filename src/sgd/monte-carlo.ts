/**
 * A seeded Monte-Carlo runner for SGD expectations with valid one-sided confidence bounds, for
 * finite sums where no exact oracle applies (or to validate one): Theorems 3.1 and 3.2.
 *
 * The inequality: for i.i.d. Z_1..Z_n with values in a known interval [lo, hi] (assumption: the
 * interval holds almost surely — here it comes from the problem's `pathConstants`, i.e. from a
 * region that provably contains every SGD path, and the runner throws if a sample leaves it),
 * each of the following holds with probability ≥ 1 − δ:
 * - Hoeffding (1963):            E Z ≤ Z̄ + (hi − lo) √(ln(1/δ) / (2n));
 * - empirical Bernstein (Maurer & Pontil 2009, Thm 4), n ≥ 2, V the unbiased sample variance:
 *                                E Z ≤ Z̄ + √(2 V ln(2/δ) / n) + 7 (hi − lo) ln(2/δ) / (3(n − 1)).
 * `upper` is the smaller of the two, each taken at δ/2 (union bound: valid at δ); `lower` is the
 * mirror image (apply the same to hi − Z). Runs are independent because each path uses its own
 * child seed of one `Rng`.
 */
import { BadInputError } from '../errors.ts';
import { Rng } from '../rng.ts';
import { sqNorm } from './linalg.ts';
import type { FiniteSumProblem } from './problem.ts';
import { sgdStep } from './sgd.ts';

/** A one-sided (or, with both ends, two-sided) confidence bound on a mean. */
export interface MeanBound {
  mean: number;
  n: number;
  /** Upper confidence bound, valid with probability ≥ 1 − delta. */
  upper: number;
  /** Lower confidence bound, valid with probability ≥ 1 − delta (separately from `upper`). */
  lower: number;
  delta: number;
  range: [number, number];
  method: string;
}

/** Hoeffding / empirical-Bernstein bounds on E Z from samples in [lo, hi] (see module doc). */
export function meanBound(samples: ArrayLike<number>, range: [number, number], delta: number): MeanBound {
  const n = samples.length;
  const [lo, hi] = range;
  if (n < 2) throw new BadInputError('meanBound needs at least 2 samples');
  if (!(delta > 0 && delta < 1)) throw new BadInputError(`delta must be in (0, 1) (got ${delta})`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (samples[i]! - mean) ** 2;
  const v = ss / (n - 1);
  const w = hi - lo;
  const hoeff = w * Math.sqrt(Math.log(2 / delta) / (2 * n));
  const lg = Math.log(4 / delta);
  const eb = Math.sqrt((2 * v * lg) / n) + (7 * w * lg) / (3 * (n - 1));
  const dev = Math.min(hoeff, eb);
  return { mean, n, upper: Math.min(hi, mean + dev), lower: Math.max(lo, mean - dev), delta, range, method: 'min(Hoeffding, empirical Bernstein [Maurer–Pontil 2009]) at δ/2 each' };
}

/** Options of `monteCarloSgd`. */
export interface MonteCarloOptions {
  runs: number;
  seed: number;
  /** Confidence parameter of each bound returned (per quantity, per step: Bonferroni is the caller's). */
  delta: number;
  /** A.s. ranges of F(w_k) − F* and ‖∇F(w_k)‖² for k ≤ T (default from `pathConstants(w0, α, T)`). */
  gapRange?: [number, number];
  gradSqRange?: [number, number];
  /** Keep the raw samples in the result (`samples`), e.g. for a test that needs more than a bound. */
  keepSamples?: boolean;
}

/** Per-step bounds on E[F(w_k) − F*] and E‖∇F(w_k)‖², k = 0..T. */
export interface MonteCarloResult {
  gap: MeanBound[];
  gradSq: MeanBound[];
  runs: number;
  seed: number;
  /** The raw samples per step (with `keepSamples`): gap[k][r], gradSq[k][r]. */
  samples?: { gap: Float64Array[]; gradSq: Float64Array[] };
}

/**
 * Runs `runs` independent SGD paths of T steps from w0 and bounds E[F(w_k) − F*] and E‖∇F(w_k)‖²
 * for every k. Samples must lie in the ranges (slack 1e-9 relative for rounding), else it throws:
 * a sample outside would mean the path region of `pathConstants` is wrong.
 */
export function monteCarloSgd(p: FiniteSumProblem, w0: ArrayLike<number>, alpha: number, T: number, o: MonteCarloOptions): MonteCarloResult {
  const pc = o.gapRange && o.gradSqRange ? undefined : p.pathConstants(Float64Array.from(w0), alpha, T);
  const gapRange = o.gapRange ?? [0, pc!.gapMax];
  const gradRange = o.gradSqRange ?? [0, pc!.gradSqMax];
  const widen = (r: [number, number]): [number, number] => [r[0] - 1e-9 * Math.abs(r[1] - r[0]), r[1] + 1e-9 * Math.abs(r[1] - r[0])];
  const gr = widen(gapRange);
  const dr = widen(gradRange);
  const gapS = Array.from({ length: T + 1 }, () => new Float64Array(o.runs));
  const gradS = Array.from({ length: T + 1 }, () => new Float64Array(o.runs));
  const master = new Rng(o.seed);
  const w = new Float64Array(p.d);
  const g = new Float64Array(p.d);
  for (let r = 0; r < o.runs; r++) {
    const rng = new Rng(master.childSeed());
    w.set(Array.from(w0));
    for (let k = 0; k <= T; k++) {
      const gap = p.gap(w);
      const gs = sqNorm(p.fullGrad(w));
      if (gap < gr[0] || gap > gr[1] || gs < dr[0] || gs > dr[1]) {
        throw new Error(`monteCarloSgd: sample outside its a.s. range at step ${k} (gap ${gap} ∉ [${gr}] or ‖∇F‖² ${gs} ∉ [${dr}])`);
      }
      gapS[k]![r] = gap;
      gradS[k]![r] = gs;
      if (k < T) sgdStep(p, w, rng.int(p.n), alpha, g);
    }
  }
  return {
    gap: gapS.map((x) => meanBound(x, gr, o.delta)),
    gradSq: gradS.map((x) => meanBound(x, dr, o.delta)),
    runs: o.runs,
    seed: o.seed,
    ...(o.keepSamples ? { samples: { gap: gapS, gradSq: gradS } } : {}),
  };
}

/**
 * One-sided p-value of H0: E Z ≤ b from samples in [lo, hi]: the smallest δ at which the lower
 * confidence bound of `meanBound` exceeds b (1 when the sample mean is ≤ b, or when no δ < 1 gives
 * lower > b). Valid: under H0, P(p ≤ δ) = P(lower_δ > b) ≤ P(lower_δ > E Z) ≤ δ. Found by bisection
 * on log δ ∈ [ln 1e-300, ln(1 − 1e-12)] (`lower` increases with δ), 200 steps: the returned p is
 * within a factor 1 + 1e-12 of the infimum, rounded up (never below it).
 */
export function exceedancePValue(samples: ArrayLike<number>, range: [number, number], b: number): number {
  const lowerAt = (logDelta: number) => meanBound(samples, range, Math.exp(logDelta)).lower;
  let hiLog = Math.log1p(-1e-12);
  if (!(lowerAt(hiLog) > b)) return 1;
  let loLog = Math.log(1e-300);
  if (lowerAt(loLog) > b) return 1e-300;
  for (let it = 0; it < 200 && hiLog - loLog > 1e-12; it++) {
    const mid = (loLog + hiLog) / 2;
    if (lowerAt(mid) > b) hiLog = mid;
    else loLog = mid;
  }
  return Math.exp(hiLog);
}
