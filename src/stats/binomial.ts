/**
 * Exact binomial confidence bounds (Clopper–Pearson), the building block of every statistical
 * claim at initialization (THEOREMS.md, Theorems 4.1, 5.1, 6.1 and Corollary 5.1 bound a
 * failure probability; a Monte-Carlo estimate k/n of it gets an exact interval here).
 *
 * Clopper & Pearson (1934): with X ~ Binomial(n, p) observed as k, the two-sided interval at
 * level 1 − α is [B(α/2; k, n − k + 1), B(1 − α/2; k + 1, n − k)] with B(q; a, b) the Beta
 * quantile (lower = 0 when k = 0, upper = 1 when k = n). It is exact in the sense that its
 * coverage is ≥ 1 − α for every p (conservative, never anti-conservative). One-sided bounds use
 * α instead of α/2 on the one side.
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';

/** A confidence interval for a probability. */
export interface ProbabilityInterval {
  lower: number;
  upper: number;
  /** Confidence level 1 − α of the statement. */
  level: number;
  side: 'two-sided' | 'lower' | 'upper';
}

function checkCounts(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`clopperPearson: n must be a positive integer (got ${n})`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`clopperPearson: k must be an integer in [0, n] (got ${k})`);
}

/**
 * Clopper–Pearson interval for p from k successes in n trials.
 * - `side: 'two-sided'` (default): both ends at α/2 each.
 * - `side: 'lower'`: a one-sided lower confidence bound (upper = 1), P(p ≥ lower) ≥ 1 − α.
 * - `side: 'upper'`: a one-sided upper confidence bound (lower = 0), P(p ≤ upper) ≥ 1 − α.
 * @param level confidence 1 − α in (0, 1) (default 0.95)
 * @throws RangeError for invalid counts or level.
 */
export function clopperPearson(k: number, n: number, level = 0.95, side: ProbabilityInterval['side'] = 'two-sided'): ProbabilityInterval {
  checkCounts(k, n);
  if (!(level > 0 && level < 1)) throw new RangeError(`clopperPearson: level must be in (0, 1) (got ${level})`);
  const alpha = 1 - level;
  const a = side === 'two-sided' ? alpha / 2 : alpha;
  const lower = side === 'upper' || k === 0 ? 0 : betaQuantile(a, k, n - k + 1);
  const upper = side === 'lower' || k === n ? 1 : betaQuantile(1 - a, k + 1, n - k);
  return { lower, upper, level, side };
}
