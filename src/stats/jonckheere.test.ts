import { describe, expect, it } from 'vitest';
import { jonckheereNullDistribution, jonckheereStatistic, jonckheereTerpstra, jtVariance, mannWhitneyNullCounts } from './jonckheere.ts';
import { mannWhitney } from './mann-whitney.ts';
import { midRanks } from './ranks.ts';
import { median, trendFamily } from './trend.ts';

describe('Mann–Whitney null law (Gaussian binomial coefficients, counted by hand)', () => {
  it('[4 choose 2]_q = 1 + q + 2q² + q³ + q⁴', () => {
    expect(Array.from(mannWhitneyNullCounts(2, 2))).toEqual([1, 1, 2, 1, 1]);
  });
  it('n = m = 5: counts of U = 0..4 are the partitions 1, 1, 2, 3, 5; total C(10,5) = 252', () => {
    const c = mannWhitneyNullCounts(5, 5);
    expect(Array.from(c.slice(0, 5))).toEqual([1, 1, 2, 3, 5]);
    expect(c.reduce((a, b) => a + b, 0)).toBe(252);
  });
  it('one-sided exact p: P(U ≤ 4) = 12/252 for n = m = 5 (the 5% table entry); P(U ≤ 5) = 19/252 (p(5) = 7)', () => {
    const y = [5, 6, 7, 8, 9];
    const r4 = mannWhitney([1, 2, 3, 4, 8.5], y, 'less'); // 8.5 exceeds 5, 6, 7, 8: U = 4
    expect(r4.statistic).toBe(4);
    expect(r4.method).toBe('exact');
    expect(r4.pValue).toBeCloseTo(12 / 252, 14);
    const r5 = mannWhitney([1, 2, 3, 4, 10], y, 'less'); // 10 exceeds all five: U = 5
    expect(r5.statistic).toBe(5);
    expect(r5.pValue).toBeCloseTo(19 / 252, 14);
    const r0 = mannWhitney([1, 2, 3, 4, 4.5], y, 'less');
    expect(r0.statistic).toBe(0);
    expect(r0.pValue).toBeCloseTo(1 / 252, 14);
  });
  it('x = (1,2,3) vs y = (4,5,6): U = 0, one-sided p = 1/20, two-sided 1/10; superiority 0, Cliff δ = −1', () => {
    const r = mannWhitney([1, 2, 3], [4, 5, 6], 'less');
    expect(r.pValue).toBeCloseTo(0.05, 14);
    expect(mannWhitney([1, 2, 3], [4, 5, 6]).pValue).toBeCloseTo(0.1, 14);
    expect(r.superiority).toBe(0);
    expect(r.cliffDelta).toBe(-1);
    expect(mannWhitney([1, 2, 3], [4, 5, 6], 'greater').pValue).toBeCloseTo(1, 14);
  });
});

describe('Jonckheere–Terpstra', () => {
  it('three singletons: J counts concordant pairs; null law of a random permutation of 3 (1,2,2,1)/6', () => {
    expect(Array.from(jonckheereNullDistribution([1, 1, 1])).map((v) => v * 6)).toEqual([1, 2, 2, 1].map((v) => expect.closeTo(v, 12)));
    expect(jonckheereTerpstra([[1], [2], [3]]).pValue).toBeCloseTo(1 / 6, 14);
    const r = jonckheereTerpstra([[2], [1], [3]]);
    expect(r.statistic).toBe(2);
    expect(r.pValue).toBeCloseTo(3 / 6, 14);
    expect(jonckheereTerpstra([[3], [2], [1]], 'decreasing').pValue).toBeCloseTo(1 / 6, 14);
  });
  it('J with ties counts ½ per tied pair', () => {
    expect(jonckheereStatistic([[1, 2], [2, 3]])).toBe(3.5); // 1<2, 1<3, 2=2 (½), 2<3
  });
  it('null moments without ties: sizes (5,5,5): mean 37.5, variance (225·33 − 3·25·13)/72 = 89.58333', () => {
    const r = jonckheereTerpstra([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]]);
    expect(r.mean).toBe(37.5);
    expect(r.variance).toBeCloseTo(6450 / 72, 12);
    expect(r.statistic).toBe(75);
    expect(r.tau).toBe(1);
    expect(r.pValue).toBeCloseTo(1 / (3003 * 252), 15); // only the sorted arrangement: 1 / (15! / 5!³)
  });
  it('tie-corrected variance reduces to the Mann–Whitney tie formula for two groups (by hand: 7.285714)', () => {
    // n = (3, 4), ties of sizes 2 and 3: n1 n2/12 [(N+1) − Σ(t³ − t)/(N(N−1))] = 8 − 30/42
    expect(jtVariance([3, 4], [2, 3])).toBeCloseTo(8 - 30 / 42, 12);
    expect(jtVariance([3, 4], [])).toBeCloseTo((3 * 4 * 8) / 12, 12);
  });
  it('normal approximation with ties: z = (J − mean)/sd from the hand-computed moments', () => {
    const g = [[0, 0, 1], [1, 2, 2, 3]]; // ties: 0 (×2), 1 (×2), 2 (×2)
    const r = jonckheereTerpstra(g);
    expect(r.method).toBe('normal');
    // J: x=0 vs (1,2,2,3): 4 each → 8; x=1 vs: 1=1 ½ + 3 → 3.5; total 11.5. mean 6.
    expect(r.statistic).toBe(11.5);
    // variance: n=(3,4), N=7, ties (2,2,2): [7·6·19 − (66+156) − 3·18]/72 + [6+24]·0/… + [6+12]·6/(8·42)
    const v = (798 - 222 - 54) / 72 + (18 * 6) / 336;
    expect(r.variance).toBeCloseTo(v, 12);
    expect(r.z).toBeCloseTo((11.5 - 6) / Math.sqrt(v), 12);
  });
  it('median and midRanks', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const r = midRanks([10, 20, 20, 30]);
    expect(Array.from(r.ranks)).toEqual([1, 2.5, 2.5, 4]);
    expect(r.ties).toEqual([2]);
  });
  it('trendFamily: holds / reversed / not detected, with Holm across regimes', () => {
    const up = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], [13, 14, 15, 16, 17, 18]];
    const down = up.slice().reverse();
    const flat = [[1, 5, 9, 13, 17, 4], [2, 6, 10, 14, 18, 3], [3, 7, 11, 15, 16, 8]];
    const out = trendFamily([up, down, flat], 'increasing', 0.05);
    expect(out.map((o) => o.verdict)).toEqual(['holds', 'reversed', 'not detected']);
    // exact one-sided p of the perfectly sorted arrangement: 1/(18!/(6!)³) = 1/17153136
    expect(out[0]!.pValue).toBeCloseTo(1 / 17153136, 14);
    expect(out[0]!.pAdjusted).toBeCloseTo(3 / 17153136, 14);
    expect(out[0]!.medians).toEqual([3.5, 9.5, 15.5]);
  });
  it('trendFamily: a regime with fewer than two non-empty groups is untestable (p = 1, not detected)', () => {
    const out = trendFamily([[[1, 2], [], []], [[1, 2, 3], [4, 5, 6]]], 'increasing', 0.05);
    expect(out[0]!.pValue).toBe(1);
    expect(out[0]!.verdict).toBe('not detected');
    expect(out[1]!.pValue).toBeCloseTo(1 / 20, 14);
  });
});
