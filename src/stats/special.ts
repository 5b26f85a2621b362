/**
 * Special functions and distribution helpers the statistics layer needs beyond what the installed
 * `@stdlib/*` packages export: log-gamma (for log-space tail bounds of the Beta law in the sphere
 * lemma, THEOREMS.md "Section 2 examples"), the t quantile (confidence intervals of fitted
 * constants) and the F distribution function (lack-of-fit tests), the last two built on stdlib's
 * t and Beta CDFs.
 */
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';

/** Lanczos coefficients (g = 7, n = 9), as in Numerical Recipes 3rd ed. / Boost's lanczos9. */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/**
 * ln Γ(x) for x > 0 (Lanczos approximation, relative error ~1e-15 for x ≥ 0.5; the reflection
 * formula Γ(x)Γ(1−x) = π / sin(πx) below 0.5).
 * @throws RangeError for x ≤ 0 or NaN.
 */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnGamma: x must be > 0 (got ${x})`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0. */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/**
 * Inverse of a continuous increasing function on (lo, hi) by bisection to full float64
 * precision (at most 200 halvings). Used for quantiles whose CDF stdlib has but whose quantile
 * function is not among the installed packages.
 */
export function invertIncreasing(f: (x: number) => number, target: number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200; i++) {
    const m = 0.5 * (a + b);
    if (m === a || m === b) break;
    if (f(m) < target) a = m;
    else b = m;
  }
  return 0.5 * (a + b);
}

/**
 * Quantile of Student's t distribution with `df` degrees of freedom: the t with
 * P(T ≤ t) = p, by bisection on stdlib's t CDF (accurate to the CDF's own precision).
 * @throws RangeError for p outside (0, 1) or df ≤ 0.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1) (got ${p})`);
  if (!(df > 0)) throw new RangeError(`tQuantile: df must be > 0 (got ${df})`);
  if (p === 0.5) return 0;
  // Bracket: |t| grows without bound as p → 0 or 1; expand until the CDF crosses p.
  let hi = 1;
  while (tCdf(hi, df) < Math.max(p, 1 - p)) hi *= 2;
  const t = invertIncreasing((x) => tCdf(x, df), Math.max(p, 1 - p), 0, hi);
  return p > 0.5 ? t : -t;
}

/**
 * CDF of the F distribution with (d1, d2) degrees of freedom at x ≥ 0, via the identity
 * P(F ≤ x) = I_{d1 x / (d1 x + d2)}(d1/2, d2/2) (regularized incomplete Beta = stdlib's Beta CDF).
 */
export function fCdf(x: number, d1: number, d2: number): number {
  if (!(d1 > 0 && d2 > 0)) throw new RangeError(`fCdf: degrees of freedom must be > 0 (got ${d1}, ${d2})`);
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return betaCdf((d1 * x) / (d1 * x + d2), d1 / 2, d2 / 2);
}
