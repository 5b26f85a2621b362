/**
 * The exact law of inner products of independent uniform points on S^{d−1} (THEOREMS.md, "Section 2
 * examples"): with t = <x, y>, (1 + t)/2 ~ Beta(a, a), a = (d − 1)/2. Used by the sphere lemma
 * (theorems/lemma-sphere.ts) and by the tests of the sampler (src/data/sphere.ts).
 *
 * - capProbability: P(|t| ≥ e) = 2 I_{(1−e)/2}(a, a) by the symmetry of Beta(a, a) (no 1 − CDF
 *   cancellation); 2·I can exceed 1 by rounding only where (1 − e)/2 rounds to 1/2, so it is capped.
 * - logCapUpper: a rigorous upper bound of ln P for a ≥ 1, x = (1 − e)/2 ≤ 1/2:
 *   I_x(a, a) ≤ x (x(1 − x))^{a−1} / B(a, a) (the integrand (u(1 − u))^{a−1} increases on [0, 1/2]),
 *   usable where P underflows.
 * - betaDensity: the Beta(a, a) density x^{a−1}(1 − x)^{a−1}/B(a, a) (for figures and tests).
 */
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { lnBeta } from '../stats/special.ts';

/** a = (d − 1)/2, the Beta parameter of (1 + <x, y>)/2 on S^{d−1}. */
export const betaParameter = (d: number): number => (d - 1) / 2;

/** P(|<x, y>| ≥ e) on S^{d−1} (d ≥ 2, 0 ≤ e ≤ 1), exactly: min(1, 2 I_{(1−e)/2}(a, a)). */
export function capProbability(d: number, e: number): number {
  const a = betaParameter(d);
  return Math.min(1, 2 * betaCdf((1 - e) / 2, a, a));
}

/** Whether P(|t| ≥ e) is exactly 1 in double precision (2·I rounds to ≥ 1: e below the resolution of (1 − e)/2). */
export function capIsDegenerate(d: number, e: number): boolean {
  const a = betaParameter(d);
  return 2 * betaCdf((1 - e) / 2, a, a) >= 1;
}

/** Upper bound of ln P(|t| ≥ e): ln 2 + ln x + (a − 1) ln(x(1 − x)) − ln B(a, a), x = (1 − e)/2 (valid for a ≥ 1). */
export function logCapUpper(d: number, e: number): number {
  const a = betaParameter(d);
  if (a < 1) throw new RangeError(`logCapUpper: needs d ≥ 3 (a ≥ 1), got d = ${d}`);
  const x = (1 - e) / 2;
  return Math.LN2 + Math.log(x) + (a - 1) * Math.log(x * (1 - x)) - lnBeta(a, a);
}

/** CDF of (1 + t)/2 on S^{d−1}: the Beta(a, a) CDF. */
export function sphereBetaCdf(d: number, z: number): number {
  const a = betaParameter(d);
  return betaCdf(z, a, a);
}

/** Density of Beta(a, a) at x ∈ (0, 1). */
export function betaDensity(a: number, x: number): number {
  if (x <= 0 || x >= 1) return a < 1 ? Infinity : a === 1 ? 1 : 0;
  return Math.exp((a - 1) * Math.log(x * (1 - x)) - lnBeta(a, a));
}
