/**
 * Ordinary least squares for the small regressions of constant fitting (THEOREMS.md, Theorems
 * 4.1, 5.1, 6.1 leave c, c₁, c₂ open; src/stats/forms.ts fits them through log-linear models).
 * Exact normal-equation solve by Gaussian elimination with partial pivoting on the p×p system
 * (p ≤ ~10 here), standard errors from σ̂² (XᵀX)⁻¹, t-based confidence intervals.
 */
import { tQuantile } from './special.ts';

/** One fitted coefficient. */
export interface Coefficient { name: string; estimate: number; se: number; ci: [number, number] }

/** Result of {@link ols}. */
export interface OlsResult {
  coefficients: Coefficient[];
  residuals: number[];
  /** Residual sum of squares. */
  rss: number;
  /** Residual degrees of freedom n − p. */
  df: number;
  /** sqrt(rss / df) (NaN when df = 0). */
  sigma: number;
  /** 1 − rss / Σ(y − ȳ)² (relative to the intercept-only model). */
  r2: number;
}

/** Solve A z = b (A p×p row-major, copied) by Gaussian elimination with partial pivoting; null if singular. */
export function solve(a: readonly number[][], b: readonly number[]): number[] | null {
  const p = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    const scale = Math.max(...m.map((row) => Math.abs(row[c]!)), 1e-300);
    if (Math.abs(m[piv]![c]!) <= 1e-13 * scale) return null;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      if (f === 0) continue;
      for (let k = c; k <= p; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[p]! / row[i]!);
}

/**
 * OLS fit of y on the columns of X (n×p, each row one observation; include a column of ones for
 * an intercept). Confidence intervals at `level` from the t distribution with n − p df.
 * @throws RangeError when n < p or XᵀX is singular.
 */
export function ols(X: readonly number[][], y: readonly number[], names: readonly string[], level = 0.95): OlsResult {
  const n = y.length;
  const p = names.length;
  if (X.length !== n || X.some((r) => r.length !== p)) throw new RangeError('ols: X must be n × p with p = names.length');
  if (n < p) throw new RangeError(`ols: ${n} observations for ${p} coefficients`);
  const xtx = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => X.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const xty = Array.from({ length: p }, (_, i) => X.reduce((s, r, k) => s + r[i]! * y[k]!, 0));
  const beta = solve(xtx, xty);
  if (!beta) throw new RangeError('ols: the design matrix is singular (collinear covariates)');
  const residuals = y.map((v, k) => v - X[k]!.reduce((s, x, i) => s + x * beta[i]!, 0));
  const rss = residuals.reduce((s, r) => s + r * r, 0);
  const df = n - p;
  const sigma = df > 0 ? Math.sqrt(rss / df) : NaN;
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const tss = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  const t = df > 0 ? tQuantile(1 - (1 - level) / 2, df) : NaN;
  const coefficients = names.map((name, i) => {
    const e = Array.from({ length: p }, (_, k) => (k === i ? 1 : 0));
    const col = solve(xtx, e)!;
    const se = df > 0 ? sigma * Math.sqrt(Math.max(0, col[i]!)) : NaN;
    return { name, estimate: beta[i]!, se, ci: [beta[i]! - t * se, beta[i]! + t * se] as [number, number] };
  });
  return { coefficients, residuals, rss, df, sigma, r2: tss > 0 ? 1 - rss / tss : NaN };
}
