/**
 * Trend claims across ordered groups, as the paper states them (THEOREMS.md, Theorem 4.1: width
 * lowers and depth raises confusion; Theorem 5.1: tails grow with depth; Theorem 6.1: confusion
 * falls as d grows): a one-sided Jonckheere–Terpstra test per regime, Holm's correction across the
 * regimes of one claim, and a three-way verdict with the effect size.
 *
 * Verdicts at family-wise level α (each direction its own Holm family):
 * - 'holds': the claimed direction is significant (false-alarm rate ≤ α across the regimes);
 * - 'reversed': the opposite direction is significant (also ≤ α family-wise);
 * - 'not detected': neither; the minimum detectable effect says how large an effect could hide.
 */
import { holm } from './multiple.ts';
import { jonckheereTerpstra, jtMinDetectableTau } from './jonckheere.ts';

/** One regime's outcome. */
export interface TrendOutcome {
  test: string;
  direction: 'increasing' | 'decreasing';
  /** Family-wise false-alarm rate of the verdicts. */
  alpha: number;
  statistic: number;
  z: number;
  method: 'exact' | 'normal';
  /** Raw one-sided p-value in the claimed direction and its Holm-adjusted value. */
  pValue: number;
  pAdjusted: number;
  /** Raw one-sided p-value in the opposite direction and its Holm-adjusted value. */
  reversePValue: number;
  reverseAdjusted: number;
  /** Concordance τ (positive = increasing). */
  tau: number;
  /** Smallest |τ| detectable at the per-test level α/m with power 0.8 (normal approximation). */
  minDetectableTau: number;
  medians: number[];
  sizes: number[];
  verdict: 'holds' | 'reversed' | 'not detected';
}

/** Median of a sample (mean of the middle two for even sizes); NaN for an empty sample. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/**
 * Test one claimed direction in each regime (each regime = groups in the claimed order) with Holm
 * across regimes at family-wise level α.
 */
export function trendFamily(regimes: readonly (readonly (readonly number[])[])[], direction: 'increasing' | 'decreasing', alpha: number): TrendOutcome[] {
  const rev = direction === 'increasing' ? 'decreasing' : 'increasing';
  // A regime with fewer than two non-empty groups cannot be tested: p = 1 both ways ('not detected').
  const testable = (g: readonly (readonly number[])[]) => g.filter((x) => x.length > 0).length >= 2;
  const jt = (g: readonly (readonly number[])[], alt: 'increasing' | 'decreasing') => (testable(g)
    ? jonckheereTerpstra(g, alt)
    : { statistic: NaN, z: 0, method: 'normal' as const, pValue: 1, tau: 0 });
  const fwd = regimes.map((g) => jt(g, direction));
  const bwd = regimes.map((g) => jt(g, rev));
  const hf = holm(fwd.map((r) => r.pValue), alpha);
  const hb = holm(bwd.map((r) => r.pValue), alpha);
  const m = Math.max(1, regimes.length);
  return regimes.map((g, i) => {
    const r = fwd[i]!;
    const sizes = g.map((x) => x.length);
    return {
      test: `Jonckheere–Terpstra, one-sided (${direction}), Holm over ${regimes.length} regime(s)`,
      direction, alpha, statistic: r.statistic, z: r.z, method: r.method,
      pValue: r.pValue, pAdjusted: hf.adjusted[i]!, reversePValue: bwd[i]!.pValue, reverseAdjusted: hb.adjusted[i]!,
      tau: r.tau, minDetectableTau: testable(g) ? jtMinDetectableTau(sizes.filter((k) => k > 0), alpha / m) : 1, medians: g.map((x) => median(x)), sizes,
      verdict: hf.rejected[i] ? 'holds' : hb.rejected[i] ? 'reversed' : 'not detected',
    };
  });
}
