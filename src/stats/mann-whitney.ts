/**
 * The Mann–Whitney (Wilcoxon rank-sum) test of two samples, one- or two-sided — the pairwise
 * building block for trend claims (pairwise comparisons with Holm, src/stats/multiple.ts) and
 * the k = 2 case of Jonckheere–Terpstra (it is computed by it, so exact and tie-corrected
 * normal p-values come from one implementation).
 *
 * U = #{(x_i, y_j): x_i > y_j} + ½ #{x_i = y_j}; under H0 E U = n_x n_y / 2 and, without ties,
 * Var U = n_x n_y (n_x + n_y + 1)/12. Effect size: the probability of superiority
 * A = U/(n_x n_y) (= P(X > Y) + ½ P(X = Y)) and Cliff's δ = 2A − 1.
 */
import { jonckheereTerpstra, jtMinDetectableTau } from './jonckheere.ts';

/** 'greater': x tends to be larger than y; 'less': smaller. */
export type TwoSampleAlternative = 'greater' | 'less' | 'two-sided';

/** Result of {@link mannWhitney}. */
export interface MannWhitneyResult {
  test: 'Mann–Whitney';
  alternative: TwoSampleAlternative;
  /** U for x (see module doc). */
  statistic: number;
  z: number;
  pValue: number;
  method: 'exact' | 'normal';
  /** Probability of superiority U/(n_x n_y). */
  superiority: number;
  /** Cliff's δ = 2·superiority − 1. */
  cliffDelta: number;
}

/**
 * Mann–Whitney test of x against y.
 * @throws RangeError when a sample is empty or contains NaN.
 */
export function mannWhitney(x: readonly number[], y: readonly number[], alternative: TwoSampleAlternative = 'two-sided'): MannWhitneyResult {
  if (x.length === 0 || y.length === 0) throw new RangeError('mannWhitney: both samples must be non-empty');
  // J over the ordered groups (y, x) counts pairs with y < x (+½ ties) = U for x.
  const jt = jonckheereTerpstra([y, x], alternative === 'greater' ? 'increasing' : alternative === 'less' ? 'decreasing' : 'two-sided');
  const a = jt.statistic / (x.length * y.length);
  return { test: 'Mann–Whitney', alternative, statistic: jt.statistic, z: jt.z, pValue: jt.pValue, method: jt.method, superiority: a, cliffDelta: 2 * a - 1 };
}

/**
 * Smallest Cliff's δ a one-sided Mann–Whitney test at level α detects with the given power
 * (normal approximation with the null variance; see `jtMinDetectableTau`, of which this is the
 * two-group case: τ = δ).
 */
export function mwMinDetectableDelta(nx: number, ny: number, alpha: number, power = 0.8): number {
  return jtMinDetectableTau([ny, nx], alpha, power);
}
