// src/claims/evaluate.ts: the Holm families of one result's statistical tests and trend regimes.
// Expected values are exact small cases worked out by hand:
// - Jonckheere–Terpstra, two groups (1,2,3) < (4,5,6): J = 9 = P, the only arrangement of C(6,3) = 20
//   with J = 9, so the one-sided exact p is 1/20 in the claimed direction and 1 in the other.
// - three groups of 6 sorted 1..18: J = P = 108, p = 1/(18!/(6!)³) = 1/17153136.
// - null variance without ties (N = 18, n = 6,6,6): (N²(2N+3) − Σ n²(2n+3))/72 = (324·39 − 3·36·15)/72 = 153;
//   two groups of 3: (36·15 − 2·9·9)/72 = 5.25.
// - normal quantiles (tables): z_0.95 = 1.6448536270, z_0.975 = 1.9599639845, z_0.9833… = 2.1280452342,
//   z_0.8 = 0.8416212336.
import { describe, expect, it } from 'vitest';
import { statisticalVerdicts, trendVerdicts, type DirectedStudy } from './evaluate.ts';
import type { StatisticalStudy, StatTest, TrendRegime } from './claim.ts';
import { slackOf } from './claim.ts';

const test = (label: string, pValue: number, extra: Partial<StatTest> = {}): StatTest => ({ label, test: 'planted', statistic: 0, pValue, ...extra });
const study = (...tests: StatTest[]): StatisticalStudy => ({ tests, instances: tests.length });

describe('statisticalVerdicts: one Holm family across every test of every statistical claim', () => {
  // p = (0.01, 0.04 | 0.03 | 0.005), m = 4 (hand): sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06,
  // 0.04·1 = 0.04 → running max 0.02, 0.03, 0.06, 0.06.
  const out = statisticalVerdicts([study(test('a1', 0.01), test('a2', 0.04)), study(test('b', 0.03)), study(test('c', 0.005, { effect: 0.3, n: 7 }))], 0.05);

  it('adjusts across claims (m = 4), keeping each claim\'s tests in order', () => {
    expect(out).toHaveLength(3);
    expect(out.map((s) => s.tests.map((t) => t.label))).toEqual([['a1', 'a2'], ['b'], ['c']]);
    const adj = out.flatMap((s) => s.tests.map((t) => t.pAdjusted));
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
    expect(out.flatMap((s) => s.tests.map((t) => t.rejected))).toEqual([true, false, false, true]);
  });

  it('a claim is rejected when any of its tests is; p = 0.03 alone would be rejected, in the family it is not', () => {
    expect(out.map((s) => s.verdict)).toEqual(['rejected', 'not rejected', 'rejected']);
    expect(statisticalVerdicts([study(test('b', 0.03))], 0.05)[0]!.verdict).toBe('rejected');
  });

  it('keeps the test fields (raw p, effect, n)', () => {
    expect(out[2]!.tests[0]).toEqual({ label: 'c', test: 'planted', statistic: 0, pValue: 0.005, effect: 0.3, n: 7, pAdjusted: expect.closeTo(0.02, 12), rejected: true });
  });

  it('a claim without tests is not rejected; no studies, no verdicts', () => {
    const r = statisticalVerdicts([study(), study(test('x', 0.001))], 0.05);
    expect(r[0]).toEqual({ tests: [], verdict: 'not rejected' });
    expect(r[1]!.verdict).toBe('rejected');
    expect(r[1]!.tests[0]!.pAdjusted).toBeCloseTo(0.001, 15); // m = 1: the empty claim adds nothing
    expect(statisticalVerdicts([], 0.05)).toEqual([]);
  });
});

const up3 = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], [13, 14, 15, 16, 17, 18]];
const flat3 = [[1, 5, 9, 13, 17, 4], [2, 6, 10, 14, 18, 3], [3, 7, 11, 15, 16, 8]];
const regime = (label: string, groups: number[][], confusion = true, details?: Record<string, unknown>): TrendRegime =>
  ({ label, levels: groups.map((_, i) => i + 1), groups, confusion, ...(details ? { details } : {}) });
const directed = (direction: 'increasing' | 'decreasing', ...regimes: TrendRegime[]): DirectedStudy =>
  ({ direction, study: { measure: 'η', regimes, instances: regimes.length } });

describe('trendVerdicts: direction', () => {
  it('a planted monotone increase gives holds for "increasing", exactly p = 1/17153136', () => {
    const [r] = trendVerdicts([directed('increasing', regime('up', up3))], 0.05);
    expect(r!.verdict).toBe('holds');
    const o = r!.regimes[0]!.outcome!;
    expect(o.verdict).toBe('holds');
    expect(o.direction).toBe('increasing');
    expect(o.method).toBe('exact');
    expect(o.statistic).toBe(108);
    expect(o.tau).toBe(1);
    expect(o.pValue).toBeCloseTo(1 / 17153136, 15);
    expect(o.pAdjusted).toBeCloseTo(1 / 17153136, 15); // m = 1
    expect(o.reversePValue).toBe(1);
    expect(o.reverseAdjusted).toBe(1);
    expect(o.z).toBeCloseTo(54 / Math.sqrt(153), 12); // (J − P/2)/sd = (108 − 54)/√153
    expect(o.alpha).toBe(0.05);
    expect(o.medians).toEqual([3.5, 9.5, 15.5]);
    expect(o.sizes).toEqual([6, 6, 6]);
    expect(o.test).toBe('Jonckheere–Terpstra, one-sided (increasing), Holm over 1 regime(s) of this result');
  });

  it('the same data claimed "decreasing" is reversed; the mirrored data claimed "increasing" is reversed', () => {
    const [a] = trendVerdicts([directed('decreasing', regime('up', up3))], 0.05);
    expect(a!.verdict).toBe('reversed');
    const o = a!.regimes[0]!.outcome!;
    expect(o.verdict).toBe('reversed');
    expect(o.direction).toBe('decreasing');
    expect(o.pValue).toBe(1);
    expect(o.reversePValue).toBeCloseTo(1 / 17153136, 15);
    expect(o.statistic).toBe(108); // J is the statistic of the claimed order, whichever the direction
    expect(o.test).toBe('Jonckheere–Terpstra, one-sided (decreasing), Holm over 1 regime(s) of this result');
    const [b] = trendVerdicts([directed('increasing', regime('down', [...up3].reverse()))], 0.05);
    expect(b!.verdict).toBe('reversed');
    expect(b!.regimes[0]!.outcome!.tau).toBe(-1);
    const [c] = trendVerdicts([directed('decreasing', regime('down', [...up3].reverse()))], 0.05);
    expect(c!.verdict).toBe('holds');
    expect(c!.regimes[0]!.outcome!.pValue).toBeCloseTo(1 / 17153136, 15);
  });

  it('interleaved groups are not detected (neither direction significant)', () => {
    const [r] = trendVerdicts([directed('increasing', regime('flat', flat3))], 0.05);
    expect(r!.verdict).toBe('not detected');
    const o = r!.regimes[0]!.outcome!;
    expect(o.verdict).toBe('not detected');
    expect(o.pValue).toBeGreaterThan(0.05);
    expect(o.reversePValue).toBeGreaterThan(0.05);
  });
});

describe('trendVerdicts: one Holm family per direction across all trend claims of a result', () => {
  const small = [[1, 2, 3], [4, 5, 6]]; // exact one-sided p = 1/20 = 0.05
  it('p = 1/20 holds alone at α = 0.06; two such regimes (same claim or two claims) adjust to 0.1: not detected', () => {
    const alone = trendVerdicts([directed('increasing', regime('a', small))], 0.06);
    expect(alone[0]!.verdict).toBe('holds');
    expect(alone[0]!.regimes[0]!.outcome!.pAdjusted).toBeCloseTo(0.05, 15);
    const oneClaim = trendVerdicts([directed('increasing', regime('a', small), regime('b', small))], 0.06);
    expect(oneClaim[0]!.regimes.map((x) => x.verdict)).toEqual(['not detected', 'not detected']);
    expect(oneClaim[0]!.regimes[1]!.outcome!.pAdjusted).toBeCloseTo(0.1, 15);
    const twoClaims = trendVerdicts([directed('increasing', regime('a', small)), directed('increasing', regime('b', small))], 0.06);
    expect(twoClaims.map((x) => x.verdict)).toEqual(['not detected', 'not detected']);
    expect(twoClaims[1]!.regimes[0]!.outcome!.pAdjusted).toBeCloseTo(0.1, 15);
    expect(twoClaims[1]!.regimes[0]!.outcome!.test).toBe('Jonckheere–Terpstra, one-sided (increasing), Holm over 2 regime(s) of this result');
  });

  it('the reverse direction is a family too: two reversed p = 1/20 regimes adjust to 0.1 and are not detected', () => {
    const rev = [[4, 5, 6], [1, 2, 3]];
    const one = trendVerdicts([directed('increasing', regime('a', rev))], 0.06);
    expect(one[0]!.verdict).toBe('reversed');
    expect(one[0]!.regimes[0]!.outcome!.reverseAdjusted).toBeCloseTo(0.05, 15);
    const two = trendVerdicts([directed('increasing', regime('a', rev)), directed('decreasing', regime('b', small))], 0.06);
    expect(two.map((x) => x.verdict)).toEqual(['not detected', 'not detected']);
    expect(two[0]!.regimes[0]!.outcome!.reverseAdjusted).toBeCloseTo(0.1, 15);
    expect(two[1]!.regimes[0]!.outcome!.reverseAdjusted).toBeCloseTo(0.1, 15);
  });

  it('regimes without confusion, or with fewer than two non-empty groups, are not in the family (m counts tested ones)', () => {
    const r = trendVerdicts([
      directed('increasing', regime('a', small), regime('quiet', small, false), regime('one group', [[1, 2], [], []])),
      directed('increasing', regime('quiet too', small, false)),
    ], 0.06);
    expect(r[0]!.regimes.map((x) => x.verdict)).toEqual(['holds', 'no confusion in this regime', 'not detected']);
    expect(r[0]!.regimes[0]!.outcome!.pAdjusted).toBeCloseTo(0.05, 15);
    expect(r[0]!.regimes[1]!.outcome).toBeUndefined();
    expect(r[0]!.regimes[2]!.outcome).toBeUndefined();
    expect(r[0]!.verdict).toBe('mixed');
    expect(r[1]!.verdict).toBe('no confusion in this regime');
  });
});

describe('trendVerdicts: the claim verdict over regimes', () => {
  it('holds only when every tested regime holds; regimes without confusion do not count; else mixed', () => {
    const v = (...regimes: TrendRegime[]) => trendVerdicts([directed('increasing', ...regimes)], 0.05)[0]!.verdict;
    expect(v(regime('a', up3), regime('b', up3))).toBe('holds');
    expect(v(regime('a', up3), regime('q', up3, false))).toBe('holds');
    expect(v(regime('q', flat3, false), regime('a', [...up3].reverse()))).toBe('reversed');
    expect(v(regime('a', flat3), regime('b', flat3))).toBe('not detected');
    expect(v(regime('a', up3), regime('b', flat3))).toBe('mixed');
    expect(v(regime('a', up3), regime('b', [...up3].reverse()))).toBe('mixed');
    expect(v(regime('q', up3, false), regime('r', up3, false))).toBe('no confusion in this regime');
    expect(v()).toBe('no confusion in this regime');
  });

  it('a regime without confusion keeps its label, levels and details, and gets no rank test', () => {
    const [r] = trendVerdicts([directed('increasing', regime('q', up3, false, { why: 'η = 0' }), regime('p', up3))], 0.05);
    expect(r!.regimes[0]).toEqual({ label: 'q', levels: [1, 2, 3], verdict: 'no confusion in this regime', details: { why: 'η = 0' } });
    expect(r!.regimes[1]!.label).toBe('p');
    expect(r!.regimes[1]!.levels).toEqual([1, 2, 3]);
    expect('details' in r!.regimes[1]!).toBe(false);
    const [t] = trendVerdicts([directed('increasing', regime('p', up3, true, { seeds: 3 }))], 0.05);
    expect(t!.regimes[0]!.details).toEqual({ seeds: 3 });
    const [u] = trendVerdicts([directed('increasing', regime('u', [[1], [], []], true, { x: 1 }))], 0.05);
    expect(u!.regimes[0]).toEqual({ label: 'u', levels: [1, 2, 3], verdict: 'not detected', details: { x: 1 } });
  });
});

describe('trendVerdicts: minimum detectable τ at the per-test level α/m', () => {
  // τ_min = 2 (z_{1−α/m} + z_0.8) sd₀ / P
  it('m = 1: sizes 6,6,6 at α = 0.05 → 2(1.6448536 + 0.8416212)·√153/108', () => {
    const [r] = trendVerdicts([directed('increasing', regime('a', up3))], 0.05);
    expect(r!.regimes[0]!.outcome!.minDetectableTau).toBeCloseTo((2 * (1.644853627 + 0.8416212336) * Math.sqrt(153)) / 108, 8);
  });

  it('m = 2 across two claims: α/2 = 0.025 → z = 1.9599640', () => {
    const r = trendVerdicts([directed('increasing', regime('a', up3)), directed('decreasing', regime('b', flat3))], 0.05);
    const want = (2 * (1.9599639845 + 0.8416212336) * Math.sqrt(153)) / 108;
    expect(r[0]!.regimes[0]!.outcome!.minDetectableTau).toBeCloseTo(want, 8);
    expect(r[1]!.regimes[0]!.outcome!.minDetectableTau).toBeCloseTo(want, 8);
  });

  it('m = 3 with an empty group: sizes [3, 0, 3] → the test on (3, 3), α/3 → z = 2.1280452; capped at 1', () => {
    const r = trendVerdicts([directed('increasing', regime('a', [[1, 2, 3], [], [4, 5, 6]]), regime('b', flat3), regime('c', up3))], 0.05);
    const o = r[0]!.regimes[0]!.outcome!;
    expect(o.sizes).toEqual([3, 0, 3]);
    expect(o.medians[0]).toBe(2);
    expect(o.medians[1]).toBeNaN();
    expect(o.medians[2]).toBe(5);
    expect(o.pValue).toBeCloseTo(0.05, 15); // the empty group is dropped: the two-group exact law
    // 2(2.1280452 + 0.8416212)·√5.25/9 = 1.5123 → capped at 1
    expect(o.minDetectableTau).toBe(1);
    expect(r[0]!.regimes[2]!.outcome!.minDetectableTau).toBeCloseTo((2 * (2.1280452342 + 0.8416212336) * Math.sqrt(153)) / 108, 7);
  });
});

describe('slackOf', () => {
  it('(bound − measured)/|bound|, floored at 1e-300', () => {
    expect(slackOf(1, 4)).toBe(0.75);
    expect(slackOf(3, -2)).toBe(-2.5); // (−2 − 3)/2
    expect(slackOf(6, 4)).toBe(-0.5);
    expect(slackOf(0, 0)).toBe(0);
    expect(slackOf(-1e-310, 0)).toBeCloseTo(1e-10, 20);
  });
});
