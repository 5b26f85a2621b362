/**
 * Tail constants: estimating the open constant c of a bound of the form
 *   P(measure > e) ≤ A · exp(−c · X(e))
 * (THEOREMS.md: Theorem 4.1 with X = (l d + l² β) e² / (16 ζ₀⁴ (β+2)⁴), A = N²; Theorem 5.1 with
 * X = d e² / (16 ζ₀⁴ (β+2)⁴); Corollary 5.1 with 64 in place of 16; Theorem 6.1 with X = d e²)
 * from Monte-Carlo exceedance counts, and comparing which functional form X explains the tails.
 *
 * A "cell" is one configuration at one threshold e: k of n independent trials exceeded e. The bound
 * with constant c is violated at that cell iff p > A exp(−c X), i.e. iff c > c(p) := (ln A − ln p)/X.
 * The largest c the configurations allow is c* = inf over cells of c(p_cell), decreasing in p.
 * With Clopper–Pearson intervals [p_lo, p_hi] holding simultaneously for all M cells
 * (Bonferroni: each at level 1 − α/M), with probability ≥ 1 − α:
 *   min_cells c(p_hi) ≤ min_cells c(p_true),  and every c > min_cells c(p_lo) is violated at the
 *   minimizing cell (there p_true ≥ p_lo > A exp(−c X)).
 * So ĉ := min_cells c(p_lo) is "the largest c for which the bound is not violated at confidence
 * 1 − α over the cells searched"; [min c(p_hi), ĉ] is the confidence interval for c* restricted to
 * the cells searched (the true c* over all configurations can only be smaller: finite search).
 */
import { clopperPearson } from './binomial.ts';
import { ols, type Coefficient } from './regression.ts';
import { fCdf, tQuantile } from './special.ts';

/** One configuration at one threshold: k of n trials had measure > e; the bound is exp(logA − c x). */
export interface TailCell {
  k: number;
  n: number;
  e: number;
  /** The form's exponent factor X(e) > 0. */
  x: number;
  /** ln A (e.g. 2 ln N), possibly e-dependent (Corollary 5.1's extra term). */
  logA: number;
  /** Index of the configuration the cell belongs to (for reporting). */
  config: number;
}

/** c(p) = (ln A − ln p)/X: the constant at which the bound equals p at this cell (+∞ for p = 0). */
export function cellConstant(p: number, x: number, logA: number): number {
  if (p <= 0) return Infinity;
  return (logA - Math.log(p)) / x;
}

/**
 * The cells of one configuration: thresholds just below the k-th largest value, for k in
 * `levels` (default 1, 2, 4, … ≤ n/2), keeping those with a positive threshold and X > 0.
 * `form(e)` gives X(e) and ln A(e) (null when the form does not apply at e, e.g. e ≤ 4 for
 * Theorem 4.1 part 1). Exceedances are counted exactly (#{v > e}), so ties are handled.
 */
export function tailCells(values: readonly number[], form: (e: number) => { x: number; logA: number } | null, config: number, levels?: readonly number[]): TailCell[] {
  const n = values.length;
  const sorted = [...values].sort((a, b) => b - a);
  const ks = levels ?? Array.from({ length: Math.max(1, Math.floor(Math.log2(Math.max(1, n / 2))) + 1) }, (_, i) => 2 ** i).filter((k) => k <= Math.max(1, n / 2));
  const out: TailCell[] = [];
  const seen = new Set<number>();
  for (const k of ks) {
    const v = sorted[k - 1];
    if (v === undefined || !(v > 0) || !Number.isFinite(v)) continue;
    const e = v * (1 - 1e-12);
    if (seen.has(e)) continue;
    seen.add(e);
    const f = form(e);
    if (!f || !(f.x > 0) || !Number.isFinite(f.x)) continue;
    const kk = values.reduce((s, w) => s + (w > e ? 1 : 0), 0);
    out.push({ k: kk, n, e, x: f.x, logA: f.logA, config });
  }
  return out;
}

/** The estimate of {@link estimateTailConstant}. */
export interface TailConstantEstimate {
  /** Plug-in min over cells of c(k/n) (null = +∞: no exceedance anywhere). */
  cPoint: number | null;
  /** ĉ = min over cells of c(p_lo): largest c not violated at confidence `level` (null = +∞). */
  cHat: number | null;
  /** [min c(p_hi), ĉ] (null = +∞). */
  ci: [number | null, number | null];
  level: number;
  /** Number of cells M (the Bonferroni divisor). */
  cells: number;
  /** The cell that attains ĉ (the worst), with its interval. */
  worst: (TailCell & { pHat: number; pLower: number; pUpper: number; c: number }) | null;
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** ĉ, its confidence interval and the worst cell from exceedance cells (see module doc). */
export function estimateTailConstant(cells: readonly TailCell[], level = 0.95): TailConstantEstimate {
  const M = Math.max(1, cells.length);
  const cellLevel = 1 - (1 - level) / M;
  let cPoint = Infinity;
  let cLow = Infinity;
  let cHat = Infinity;
  let worst: TailConstantEstimate['worst'] = null;
  for (const c of cells) {
    const iv = clopperPearson(c.k, c.n, cellLevel);
    cPoint = Math.min(cPoint, cellConstant(c.k / c.n, c.x, c.logA));
    cLow = Math.min(cLow, cellConstant(iv.upper, c.x, c.logA));
    const hi = cellConstant(iv.lower, c.x, c.logA);
    if (hi < cHat) {
      cHat = hi;
      worst = { ...c, pHat: c.k / c.n, pLower: iv.lower, pUpper: iv.upper, c: hi };
    }
  }
  return { cPoint: fin(cPoint), cHat: fin(cHat), ci: [fin(cLow), fin(cHat)], level, cells: cells.length, worst };
}

/** One configuration's point in a functional-form comparison. */
export interface FormPoint {
  /** ln((ln A − ln p)/g(e_p)) at a fixed tail level p (see `logTailRate`). */
  logRate: number;
  /** Covariates of the free model (e.g. { 'ln l': …, 'ln d': …, 'ln β': … }). */
  covariates: Record<string, number>;
  /** Per form: ln F(config) − ln K(β), so that ln c = logRate − offset if the form is right. */
  offsets: Record<string, number>;
}

/**
 * ln of the tail rate at a fixed tail level: with e_p the value exceeded by a fraction p = k/n of
 * the trials, rate = (ln A − ln p)/g(e_p) where g(e) = e² (or (e − 4)² etc.): if
 * P(measure > e) = A exp(−c F g(e)/K), then ln rate = ln c + ln F − ln K. Null when e_p ≤ 0.
 */
export function logTailRate(values: readonly number[], k: number, logA: number, g: (e: number) => number): number | null {
  const sorted = [...values].sort((a, b) => b - a);
  const v = sorted[k - 1];
  if (v === undefined) return null;
  const gv = g(v);
  if (!(gv > 0) || !Number.isFinite(gv)) return null;
  const p = k / values.length;
  return Math.log((logA - Math.log(p)) / gv);
}

/** How well one form explains the configurations' tail rates. */
export interface FormFit {
  form: string;
  /** Geometric-mean constant exp(mean(ln c_config)) with a t interval. */
  c: number;
  ci: [number, number];
  /** Residual standard deviation of ln c_config across configurations. */
  residualSd: number;
  /** 1 − Σ(ln c_i − mean)² / Σ(logRate_i − mean)²: share of the variation of the tail rates the form explains (≤ 1; negative = worse than a constant). */
  r2: number;
  /** Lack-of-fit F test: do ln c_config still depend on the covariates? Small p = the form misses a dependence. */
  lackOfFit: { F: number; df1: number; df2: number; pValue: number } | null;
}

/** Result of {@link compareForms}. */
export interface FormComparison {
  fits: FormFit[];
  /** The form with the smallest residual SD. */
  best: string;
  /** Free log-linear model ln rate = a + Σ b_i covariate_i (empirical exponents), null if singular. */
  free: { coefficients: Coefficient[]; r2: number; residualSd: number } | null;
  points: number;
}

/**
 * Compare functional forms on configurations' tail rates (one point per configuration).
 * Each form's constant is the geometric mean of c_config = exp(logRate − offset); the lack-of-fit
 * test regresses ln c_config on [1, covariates] and F-tests the covariates (df1 = #covariates,
 * df2 = n − #covariates − 1).
 * @throws RangeError with fewer than 3 points.
 */
export function compareForms(points: readonly FormPoint[], forms: readonly string[], covariates: readonly string[], level = 0.95): FormComparison {
  const n = points.length;
  if (n < 3) throw new RangeError(`compareForms: need at least 3 configurations (got ${n})`);
  const y = points.map((p) => p.logRate);
  const ybar = y.reduce((a, b) => a + b, 0) / n;
  const tss = y.reduce((s, v) => s + (v - ybar) ** 2, 0);
  const X = points.map((p) => [1, ...covariates.map((c) => p.covariates[c]!)]);
  const fits = forms.map((form): FormFit => {
    const z = points.map((p) => p.logRate - p.offsets[form]!);
    const zbar = z.reduce((a, b) => a + b, 0) / n;
    const rss0 = z.reduce((s, v) => s + (v - zbar) ** 2, 0);
    const sd = Math.sqrt(rss0 / (n - 1));
    const t = tQuantile(1 - (1 - level) / 2, n - 1);
    let lackOfFit: FormFit['lackOfFit'] = null;
    const q = covariates.length;
    if (n - q - 1 >= 1) {
      try {
        const fit = ols(X, z, ['1', ...covariates], level);
        // A form that explains every point exactly (rss0 = 0) has nothing left to explain: F = 0.
        const F = rss0 <= 1e-24 ? 0 : fit.rss > 0 ? ((rss0 - fit.rss) / q) / (fit.rss / (n - q - 1)) : Infinity;
        lackOfFit = { F, df1: q, df2: n - q - 1, pValue: Number.isFinite(F) ? 1 - fCdf(Math.max(0, F), q, n - q - 1) : 0 };
      } catch { lackOfFit = null; }
    }
    return { form, c: Math.exp(zbar), ci: [Math.exp(zbar - (t * sd) / Math.sqrt(n)), Math.exp(zbar + (t * sd) / Math.sqrt(n))], residualSd: sd, r2: tss > 0 ? 1 - rss0 / tss : NaN, lackOfFit };
  });
  let free: FormComparison['free'] = null;
  try {
    const fit = ols(X, y, ['intercept', ...covariates], level);
    free = { coefficients: fit.coefficients, r2: fit.r2, residualSd: fit.sigma };
  } catch { free = null; }
  const best = [...fits].sort((a, b) => a.residualSd - b.residualSd)[0]!.form;
  return { fits, best, free, points: n };
}
