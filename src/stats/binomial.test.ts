import { describe, expect, it } from 'vitest';
import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';
import { clopperPearson } from './binomial.ts';

describe('clopperPearson (reference values derived by hand or from published tables)', () => {
  it('k = 0 and k = n have closed forms: upper = 1 − (α/2)^{1/n}, lower = (α/2)^{1/n}', () => {
    // 0.025^{0.1} = exp(0.1 ln 0.025) = exp(−0.36888794) = 0.69150289 (by hand)
    const r0 = clopperPearson(0, 10);
    expect(r0.lower).toBe(0);
    expect(r0.upper).toBeCloseTo(1 - 0.69150289, 7);
    const rn = clopperPearson(10, 10);
    expect(rn.upper).toBe(1);
    expect(rn.lower).toBeCloseTo(0.69150289, 7);
  });
  it('5 of 10 at 95%: [0.1871, 0.8129] (the classic textbook value)', () => {
    const r = clopperPearson(5, 10);
    expect(r.lower).toBeCloseTo(0.187086, 5);
    expect(r.upper).toBeCloseTo(0.812914, 5);
  });
  it('1 of 2: solves 1 − (1 − p)² = 0.025 and 1 − p² = 0.025 (by hand: 1 − √0.975, √0.975)', () => {
    const r = clopperPearson(1, 2);
    expect(r.lower).toBeCloseTo(1 - Math.sqrt(0.975), 9);
    expect(r.upper).toBeCloseTo(Math.sqrt(0.975), 9);
  });
  it('one-sided bounds use all of α on one side: 10 of 10, lower bound 0.05^{0.1} = 0.7411344', () => {
    const r = clopperPearson(10, 10, 0.95, 'lower');
    expect(r.lower).toBeCloseTo(0.7411344, 6);
    expect(r.upper).toBe(1);
    const u = clopperPearson(0, 10, 0.95, 'upper');
    expect(u.upper).toBeCloseTo(1 - 0.7411344, 6);
  });
  it('the ends solve the defining binomial tail equations (checked with stdlib binomial CDF)', () => {
    for (const [k, n] of [[3, 17], [12, 40], [1, 200]] as const) {
      const r = clopperPearson(k, n, 0.9);
      // P(X ≥ k | p = lower) = α/2 and P(X ≤ k | p = upper) = α/2
      expect(1 - binomialCdf(k - 1, n, r.lower)).toBeCloseTo(0.05, 8);
      expect(binomialCdf(k, n, r.upper)).toBeCloseTo(0.05, 8);
    }
  });
  it('rejects invalid counts and levels', () => {
    expect(() => clopperPearson(11, 10)).toThrow(RangeError);
    expect(() => clopperPearson(1.5, 10)).toThrow(RangeError);
    expect(() => clopperPearson(1, 10, 1)).toThrow(RangeError);
  });
});
