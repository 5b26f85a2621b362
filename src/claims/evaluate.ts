/**
 * Verdicts of one result's claims (src/claims/claim.ts): the statistical tests of all its
 * statistical claims form one Holm family at the result's α; the trend regimes of all its trend
 * claims form another (each direction its own Holm family, as in src/stats/trend.ts). Exact
 * claims are never touched by either: claim kinds are never mixed in one verdict.
 */
import { holm } from '../stats/multiple.ts';
import { jonckheereTerpstra, jtMinDetectableTau } from '../stats/jonckheere.ts';
import { median, type TrendOutcome } from '../stats/trend.ts';
import type { AdjustedStatTest, StatisticalStudy, TrendRegimeResult, TrendStudy, TrendVerdict } from './claim.ts';

/**
 * Holm across every test of every study at family-wise level α: the returned studies carry
 * each test's adjusted p and whether it is rejected. A claim is 'rejected' when any of its tests is.
 */
export function statisticalVerdicts(studies: readonly StatisticalStudy[], alpha: number): { tests: AdjustedStatTest[]; verdict: 'not rejected' | 'rejected' }[] {
  const all = studies.flatMap((s) => s.tests);
  const h = holm(all.map((t) => t.pValue), alpha);
  let k = 0;
  return studies.map((s) => {
    const tests = s.tests.map((t) => ({ ...t, pAdjusted: h.adjusted[k]!, rejected: h.rejected[k++]! }));
    return { tests, verdict: tests.some((t) => t.rejected) ? 'rejected' : 'not rejected' };
  });
}

/** A trend study with its claimed direction. */
export interface DirectedStudy { direction: 'increasing' | 'decreasing'; study: TrendStudy }

/**
 * One-sided Jonckheere–Terpstra per regime with confusion, in the claimed direction and in the
 * opposite one, Holm across all such regimes of all studies (m = their number) for each direction
 * at family-wise level α: 'holds' when the claimed direction is significant, 'reversed' when the
 * opposite one is, else 'not detected'. A regime without confusion is not tested.
 */
export function trendVerdicts(studies: readonly DirectedStudy[], alpha: number): { regimes: TrendRegimeResult[]; verdict: TrendVerdict | 'mixed' }[] {
  type Item = { s: number; r: number; fwd: ReturnType<typeof jonckheereTerpstra>; bwd: ReturnType<typeof jonckheereTerpstra> };
  const items: Item[] = [];
  studies.forEach((d, s) => d.study.regimes.forEach((reg, r) => {
    if (!reg.confusion) return;
    const groups = reg.groups.filter((g) => g.length > 0);
    if (groups.length < 2) return;
    const rev = d.direction === 'increasing' ? 'decreasing' : 'increasing';
    items.push({ s, r, fwd: jonckheereTerpstra(groups, d.direction), bwd: jonckheereTerpstra(groups, rev) });
  }));
  const m = Math.max(1, items.length);
  const hf = holm(items.map((i) => i.fwd.pValue), alpha);
  const hb = holm(items.map((i) => i.bwd.pValue), alpha);
  return studies.map((d, s) => {
    const regimes: TrendRegimeResult[] = d.study.regimes.map((reg, r) => {
      const k = items.findIndex((i) => i.s === s && i.r === r);
      if (k < 0) {
        return { label: reg.label, levels: reg.levels, verdict: reg.confusion ? 'not detected' : 'no confusion in this regime', ...(reg.details ? { details: reg.details } : {}) };
      }
      const it = items[k]!;
      const sizes = reg.groups.map((g) => g.length);
      const verdict: TrendVerdict = hf.rejected[k] ? 'holds' : hb.rejected[k] ? 'reversed' : 'not detected';
      const outcome: TrendOutcome = {
        test: `Jonckheere–Terpstra, one-sided (${d.direction}), Holm over ${items.length} regime(s) of this result`,
        direction: d.direction, alpha, statistic: it.fwd.statistic, z: it.fwd.z, method: it.fwd.method,
        pValue: it.fwd.pValue, pAdjusted: hf.adjusted[k]!, reversePValue: it.bwd.pValue, reverseAdjusted: hb.adjusted[k]!,
        tau: it.fwd.tau, minDetectableTau: jtMinDetectableTau(sizes.filter((n) => n > 0), alpha / m),
        medians: reg.groups.map((g) => median(g)), sizes, verdict: verdict === 'holds' || verdict === 'reversed' ? verdict : 'not detected',
      };
      return { label: reg.label, levels: reg.levels, verdict, outcome, ...(reg.details ? { details: reg.details } : {}) };
    });
    const tested = regimes.filter((x) => x.verdict !== 'no confusion in this regime');
    const kinds = new Set(tested.map((x) => x.verdict));
    const verdict: TrendVerdict | 'mixed' = tested.length === 0 ? 'no confusion in this regime' : kinds.size === 1 ? tested[0]!.verdict : 'mixed';
    return { regimes, verdict };
  });
}
