/**
 * Kolmogorov–Smirnov tests. One-sample (the sphere lemma: the sampler's inner products against the
 * exact Beta law, THEOREMS.md "Section 2 examples") via stdlib's `kstest` (exact two-sided
 * p-value by Marsaglia–Tsang–Wang); two-sample (Theorem 6.1: the law of the normalized confusion
 * does not change with depth; Theorem 5.1: no width dependence) implemented here, with the exact
 * null law from lattice-path counting.
 *
 * Two-sample statistic: D = sup_t |F̂_x(t) − F̂_y(t)|. Since F̂_x = i/m and F̂_y = j/n at every jump,
 * m n D = max |i n − j m| over the merged order is an integer. Under H0 (one continuous law) the
 * merged order is a uniformly random lattice path from (0, 0) to (m, n), so
 * P(D < d) = P(the path keeps |i n − j m| < m n d), computed by dynamic programming over the path
 * with transition probabilities (m − i)/(m + n − i − j) and (n − j)/(m + n − i − j) (no overflow,
 * O(m n)). With ties in the data D is computed exactly at the distinct values and the p-value
 * from the continuous null law is conservative. Above EXACT_PATHS lattice points the asymptotic
 * Kolmogorov law with Stephens' small-sample correction is used.
 */
import kstest from '@stdlib/stats-kstest';
import { invertIncreasing } from './special.ts';

/** Largest m·n for which the exact two-sample p-value is computed. */
export const EXACT_PATHS = 4_000_000;

/** Result of a KS test. */
export interface KsResult {
  test: 'Kolmogorov–Smirnov (one-sample)' | 'Kolmogorov–Smirnov (two-sample)';
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/**
 * One-sample two-sided KS test of x against a continuous CDF (stdlib `kstest`, exact p-value).
 * @throws RangeError on an empty sample or NaN values.
 */
export function ksOneSample(x: ArrayLike<number>, cdf: (t: number) => number): KsResult {
  if (x.length === 0) throw new RangeError('ksOneSample: empty sample');
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i]!)) throw new RangeError(`ksOneSample: value ${i} is NaN`);
  const r = kstest(Array.from(x), (t: number) => cdf(t));
  return { test: 'Kolmogorov–Smirnov (one-sample)', statistic: r.statistic, pValue: Math.min(1, Math.max(0, r.pValue)), method: 'exact' };
}

/** Kolmogorov's limiting survival function Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2 k² λ²). */
export function kolmogorovQ(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 0.2) return 1; // the series is 1 to double precision here (1 − Q < 1e-20)
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    s += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-18) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/** m n D: the integer statistic max |i n − j m| of two samples (ties handled at distinct values). */
export function ksTwoSampleIntegerStatistic(x: readonly number[], y: readonly number[]): number {
  const a = [...x].sort((p, q) => p - q);
  const b = [...y].sort((p, q) => p - q);
  const m = a.length;
  const n = b.length;
  let i = 0;
  let j = 0;
  let best = 0;
  while (i < m || j < n) {
    const v = Math.min(i < m ? a[i]! : Infinity, j < n ? b[j]! : Infinity);
    while (i < m && a[i] === v) i++;
    while (j < n && b[j] === v) j++;
    best = Math.max(best, Math.abs(i * n - j * m));
  }
  return best;
}

/** P(max |i n − j m| < dInt along a uniformly random lattice path (0,0) → (m,n)). */
function probInside(m: number, n: number, dInt: number): number {
  let row = new Float64Array(n + 1); // row[j] = P(at (i, j), inside so far), for the current i
  row[0] = 1;
  for (let j = 1; j <= n; j++) {
    const from = row[j - 1]! * ((n - (j - 1)) / (m + n - (j - 1)));
    row[j] = Math.abs(j * m) < dInt ? from : 0;
  }
  for (let i = 1; i <= m; i++) {
    const next = new Float64Array(n + 1);
    for (let j = 0; j <= n; j++) {
      if (Math.abs(i * n - j * m) >= dInt) { next[j] = 0; continue; }
      let p = row[j]! * ((m - (i - 1)) / (m + n - (i - 1) - j)); // step in i from (i − 1, j)
      if (j > 0) p += next[j - 1]! * ((n - (j - 1)) / (m + n - i - (j - 1))); // step in j from (i, j − 1)
      next[j] = p;
    }
    row = next;
  }
  return row[n]!;
}

/**
 * P(D ≥ dInt/(m n)) under H0 for sample sizes m, n: exact by lattice paths when m n ≤ EXACT_PATHS,
 * else asymptotic Q((√e + 0.12 + 0.11/√e) D) with e = m n/(m + n) (Stephens 1970).
 */
export function ksTwoSamplePValue(m: number, n: number, dInt: number): { pValue: number; method: 'exact' | 'asymptotic' } {
  if (dInt <= 0) return { pValue: 1, method: 'exact' };
  if (m * n <= EXACT_PATHS) return { pValue: Math.min(1, Math.max(0, 1 - probInside(m, n, dInt))), method: 'exact' };
  const en = Math.sqrt((m * n) / (m + n));
  return { pValue: kolmogorovQ((en + 0.12 + 0.11 / en) * (dInt / (m * n))), method: 'asymptotic' };
}

/**
 * Two-sample two-sided KS test.
 * @throws RangeError on an empty sample or NaN values.
 */
export function ksTwoSample(x: readonly number[], y: readonly number[]): KsResult {
  if (x.length === 0 || y.length === 0) throw new RangeError('ksTwoSample: both samples must be non-empty');
  [...x, ...y].forEach((v, i) => { if (Number.isNaN(v)) throw new RangeError(`ksTwoSample: value ${i} is NaN`); });
  const m = x.length;
  const n = y.length;
  const dInt = ksTwoSampleIntegerStatistic(x, y);
  const { pValue, method } = ksTwoSamplePValue(m, n, dInt);
  return { test: 'Kolmogorov–Smirnov (two-sample)', statistic: dInt / (m * n), pValue, method };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Critical value of the two-sample test: the smallest D with P(D ≥ D_crit) ≤ α under H0. */
export function ksTwoSampleCritical(m: number, n: number, alpha: number): number {
  let lo = 1;
  let hi = m * n; // P(D ≥ 1) = 2/C(m+n, m) ≤ α for reasonable sizes; bisection on the integer scale
  if (ksTwoSamplePValue(m, n, hi).pValue > alpha) return Infinity;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ksTwoSamplePValue(m, n, mid).pValue <= alpha) hi = mid;
    else lo = mid + 1;
  }
  // m n D = |i n − j m| takes only multiples of gcd(m, n): report the attainable value.
  const g = gcd(m, n);
  return (Math.ceil(lo / g) * g) / (m * n);
}

/**
 * Smallest sup-distance Δ = sup_t |F_x(t) − F_y(t)| between the true laws that the two-sample
 * test at level α detects with probability ≥ `power`, guaranteed (not approximated): if Δ is
 * attained at t*, then D ≥ Δ − |F̂_x(t*) − F_x(t*)| − |F̂_y(t*) − F_y(t*)|, and Hoeffding gives
 * P(|F̂(t*) − F(t*)| ≥ ε) ≤ 2 exp(−2 n ε²) at the fixed point t*. With
 * ε_i = sqrt(ln(4/(1 − power))/(2 n_i)) both deviations stay below ε_i with probability ≥ power,
 * so Δ ≥ D_crit + ε_x + ε_y is detected with probability ≥ power.
 */
export function ksTwoSampleMinDetectable(m: number, n: number, alpha: number, power = 0.8): number {
  const b = 1 - power;
  const eps = (k: number) => Math.sqrt(Math.log(4 / b) / (2 * k));
  return Math.min(1, ksTwoSampleCritical(m, n, alpha) + eps(m) + eps(n));
}

/**
 * One-sample analogue of {@link ksTwoSampleMinDetectable}: Δ ≥ D_crit + sqrt(ln(2/(1 − power))/(2n))
 * is detected with probability ≥ power. D_crit from the asymptotic law with Stephens' correction
 * (D_crit ≈ λ_α/(√n + 0.12 + 0.11/√n), within 1% of the exact value for n ≥ 35).
 */
export function ksOneSampleMinDetectable(n: number, alpha: number, power = 0.8): number {
  const lambda = invertIncreasing((l) => 1 - kolmogorovQ(l), 1 - alpha, 0.2, 10);
  const crit = lambda / (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n));
  return Math.min(1, crit + Math.sqrt(Math.log(2 / (1 - power)) / (2 * n)));
}
