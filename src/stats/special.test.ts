import { describe, expect, it } from 'vitest';
import { fCdf, lnBeta, lnGamma, tQuantile } from './special.ts';

describe('special functions (closed forms and published table values)', () => {
  it('lnGamma: Γ(1) = 1, Γ(1/2) = √π, Γ(10) = 9!, Γ(0.1) = 9.513507699 (A&S table)', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lnGamma(0.1)).toBeCloseTo(Math.log(9.513507699), 9);
    // Stirling with two correction terms at x = 1000: (x − ½) ln x − x + ½ ln 2π + 1/(12x) − 1/(360x³)
    const x = 1000;
    expect(lnGamma(x)).toBeCloseTo((x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3), 8);
    expect(lnBeta(1, 1)).toBeCloseTo(0, 13);
    expect(lnBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 13); // B(2,3) = 1!2!/4! = 1/12
  });
  it('tQuantile matches Student-t tables', () => {
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706205, 4);
    expect(tQuantile(0.95, 5)).toBeCloseTo(2.015048, 5);
    expect(tQuantile(0.025, 10)).toBeCloseTo(-2.228139, 5);
    expect(tQuantile(0.5, 3)).toBe(0);
  });
  it('fCdf: closed form for d1 = 2, P(F ≤ x) = 1 − (1 + 2x/d2)^{−d2/2}, and the F(2,10) 95% point 4.102821', () => {
    expect(fCdf(1, 2, 10)).toBeCloseTo(1 - 1.2 ** -5, 10);
    expect(fCdf(4.102821, 2, 10)).toBeCloseTo(0.95, 6);
    expect(fCdf(0, 3, 4)).toBe(0);
  });
});
