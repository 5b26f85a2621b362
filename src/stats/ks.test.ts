import { describe, expect, it } from 'vitest';
import { kolmogorovQ, ksOneSample, ksOneSampleMinDetectable, ksTwoSample, ksTwoSampleCritical, ksTwoSampleMinDetectable, ksTwoSamplePValue } from './ks.ts';

const uniformCdf = (t: number) => Math.min(1, Math.max(0, t));

describe('two-sample KS: exact null law by lattice paths', () => {
  // Gnedenko–Korolyuk for m = n: P(D ≥ k/n) = 2 Σ_{j≥1} (−1)^{j+1} C(2n, n − jk) / C(2n, n).
  // n = 10, C(20,10) = 184756: k = 6 → 2·C(20,4) = 9690; k = 7 → 2·C(20,3) = 2280; k = 5 → 2(C(20,5) − C(20,0)) = 31006.
  it('matches the Gnedenko–Korolyuk closed form for m = n = 10 (evaluated by hand)', () => {
    expect(ksTwoSamplePValue(10, 10, 60).pValue).toBeCloseTo(9690 / 184756, 12);
    expect(ksTwoSamplePValue(10, 10, 70).pValue).toBeCloseTo(2280 / 184756, 12);
    expect(ksTwoSamplePValue(10, 10, 50).pValue).toBeCloseTo(31006 / 184756, 12);
  });
  it('critical value for m = n = 10 at α = 0.05 is 7/10 (Massey 1951 table)', () => {
    expect(ksTwoSampleCritical(10, 10, 0.05)).toBeCloseTo(0.7, 12);
  });
  it('data: (1,2,3) vs (4,5,6) gives D = 1 and p = 2/C(6,3) = 0.1; unequal sizes give D on the 1/(mn) grid', () => {
    const r = ksTwoSample([1, 2, 3], [4, 5, 6]);
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(0.1, 14);
    // x = (1, 3), y = (2, 4, 5): after 1: |1/2 − 0| = 1/2; after 2: |1/2 − 1/3| = 1/6; after 3: |1 − 1/3| = 2/3; → D = 2/3
    expect(ksTwoSample([1, 3], [2, 4, 5]).statistic).toBeCloseTo(2 / 3, 14);
  });
  it('ties are evaluated at distinct values: identical samples give D = 0, p = 1', () => {
    const r = ksTwoSample([1, 1, 2], [1, 2, 1]);
    expect(r.statistic).toBe(0);
    expect(r.pValue).toBe(1);
  });
  it('asymptotic branch agrees with the exact law for large samples (m = n = 2100, D = 0.04)', () => {
    const m = 2100;
    const dInt = 0.04 * m * m;
    const asym = ksTwoSamplePValue(m, m, dInt); // m·n > EXACT_PATHS → asymptotic
    expect(asym.method).toBe('asymptotic');
    // Exact for m = n via Gnedenko–Korolyuk in log space would be the reference; the Kolmogorov
    // limit Q(λ) with λ = √(m/2)·D = 1.2961 is 0.0696 (table of Q: Q(1.30) = 0.0681, Q(1.29) = 0.0718).
    expect(asym.pValue).toBeGreaterThan(0.0681 - 0.003);
    expect(asym.pValue).toBeLessThan(0.0718 + 0.003);
  });
  it('minimum detectable difference exceeds the critical value by the two Hoeffding margins', () => {
    const crit = ksTwoSampleCritical(50, 50, 0.05);
    const eps = Math.sqrt(Math.log(4 / 0.2) / 100);
    expect(ksTwoSampleMinDetectable(50, 50, 0.05, 0.8)).toBeCloseTo(crit + 2 * eps, 12);
  });
});

describe('one-sample KS (stdlib kstest)', () => {
  it('n = 1: D = max(F, 1 − F) and P(D ≥ d) = 2(1 − d) (by hand)', () => {
    const r = ksOneSample([0.8], uniformCdf);
    expect(r.statistic).toBeCloseTo(0.8, 14);
    expect(r.pValue).toBeCloseTo(0.4, 10);
  });
  it('statistic by hand: (0.1, 0.4, 0.7) against U(0,1) has D = 1 − 0.7 = 0.3', () => {
    expect(ksOneSample([0.7, 0.1, 0.4], uniformCdf).statistic).toBeCloseTo(0.3, 14);
  });
  it('n = 10 sample with D = 0.40925 (the tabled 5% critical value, Miller 1956) has p ≈ 0.05', () => {
    const x = Array.from({ length: 10 }, (_, i) => 0.40925 + i * 0.059);
    const r = ksOneSample(x, uniformCdf);
    expect(r.statistic).toBeCloseTo(0.40925, 12);
    expect(r.pValue).toBeGreaterThan(0.049);
    expect(r.pValue).toBeLessThan(0.051);
  });
  it('Kolmogorov limit: Q(1.3581) = 0.05 and Q(1.6276) = 0.01 (tabled quantiles)', () => {
    expect(kolmogorovQ(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovQ(1.6276)).toBeCloseTo(0.01, 4);
    expect(ksOneSampleMinDetectable(10000, 0.05, 0.8)).toBeCloseTo(1.3581 / (100 + 0.12 + 0.0011) + Math.sqrt(Math.log(10) / 20000), 4);
  });
});
