import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { sampleSphere } from '../src/data/sphere.ts';
import { betaDensity, capIsDegenerate, logCapUpper } from '../src/data/sphere-law.ts';
import { lnBeta } from '../src/stats/special.ts';
import { Rng } from '../src/rng.ts';
import type { ClaimResult, TheoremResult } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { claimOf, plantedClaim } from './define.ts';
import { BoundExpression } from '../src/bounds/bound-expression.ts';
import { capArbitrary, capOutcome, capProbability, checkCap, histogram, innerProducts, SAMPLER_DIMS, sampleSampler, statement, theorem, type SamplerSample } from './lemma-sphere.ts';

const SEED = 4242;

describe(`lemma-sphere (seed ${SEED})`, () => {
  it('exact law, closed forms by hand: d = 2 → P(|t| ≥ e) = 2 arccos(e)/π; d = 3 → 1 − e (Archimedes)', () => {
    expect(capProbability(2, 0.5)).toBeCloseTo(2 / 3, 13);
    expect(capProbability(2, Math.SQRT1_2)).toBeCloseTo(0.5, 13);
    expect(capProbability(3, 0.3)).toBeCloseTo(0.7, 13);
    expect(capProbability(3, 0.9)).toBeCloseTo(0.1, 13);
  });

  it('the bound expression on one instance by hand: d = 3, e = 0.9', () => {
    // P = 1 − 0.9 = 0.1 (Archimedes); bound 2 exp(−3·0.81/2) = 2 exp(−1.215) = 0.59342003;
    // slack = 1 − 0.1/0.59342003 = 0.83148530; halved bound exp(−1.215) = 0.29671001.
    const v = checkCap({ d: 3, e: 0.9 });
    expect(v.holds).toBe(true);
    expect(v.measured.probability!).toBeCloseTo(0.1, 13);
    expect(v.bound).toBeCloseTo(0.59342003, 8);
    expect(v.slack).toBeCloseTo(0.8314853, 7);
    expect(checkCap({ d: 3, e: 0.9 }, 1).bound).toBeCloseTo(0.29671001, 8);
    // the statement's bound expression (what the report renders) gives the same number
    expect(new BoundExpression(statement.id, statement.bound!, '').evaluate({ d: 3, e: 0.9 })).toBeCloseTo(0.59342003, 8);
    expect(v.degenerate).toBeUndefined();
  });

  it('the Beta density by hand: d = 3 → uniform (a = 1); d = 5 → 6x(1 − x) (a = 2); it integrates to 1', () => {
    expect(betaDensity(1, 0.3)).toBeCloseTo(1, 13);
    expect(betaDensity(2, 0.5)).toBeCloseTo(1.5, 13);
    expect(betaDensity(2, 0.1)).toBeCloseTo(0.54, 13);
    // at the ends: x^{a−1} → ∞ for a < 1, 1 for a = 1 (uniform), 0 for a > 1
    expect(betaDensity(0.5, 0)).toBe(Infinity);
    expect(betaDensity(1, 1)).toBe(1);
    expect(betaDensity(1, 0)).toBe(1);
    expect(betaDensity(2, 0)).toBe(0);
    expect(betaDensity(2, 1)).toBe(0);
    for (const a of [0.5, 2, 24.5]) {
      let s = 0;
      const k = 200_000;
      for (let i = 0; i < k; i++) s += betaDensity(a, (i + 0.5) / k) / k;
      // midpoint rule; for a = 0.5 the endpoint singularities x^{−1/2} lose ~2·√(1/(2k))·2/π mass
      expect(s).toBeGreaterThan(a < 1 ? 0.99 : 0.99999);
      expect(s).toBeLessThan(1.00001);
    }
  });

  it('degenerate instances are exactly those where P rounds to 1 (e below the resolution of (1 − e)/2)', () => {
    expect(capIsDegenerate(2, 1e-300)).toBe(true);
    expect(capIsDegenerate(4096, 1e-17)).toBe(true);
    expect(capIsDegenerate(2, 1e-6)).toBe(false);
    expect(checkCap({ d: 2, e: 1e-300 }).degenerate).toBe(true);
    // P = 2 arccos(1e-6)/π = 1 − 6.37e-7 < 1: not degenerate, and its ratio P/bound is just below 1/2
    const v = checkCap({ d: 2, e: 1e-6 });
    expect(v.measured.ratio!).toBeGreaterThan(0.4999996);
    expect(v.measured.ratio!).toBeLessThan(0.5);
  });

  it('log-space branch: used where the bound underflows, and its analytic upper bound dominates the exact CDF where both exist', () => {
    const v = checkCap({ d: 4096, e: 0.9 });
    expect(v.measured.logSpace).toBe(1);
    expect(v.holds).toBe(true);
    for (const [d, e] of [[1000, 0.5], [2000, 0.3], [101, 0.95], [4096, 0.2]] as const) {
      const a = (d - 1) / 2;
      const x = (1 - e) / 2;
      const exact = Math.log(2 * betaCdf(x, a, a));
      const upper = Math.LN2 + Math.log(x) + (a - 1) * Math.log(x * (1 - x)) - lnBeta(a, a);
      expect(logCapUpper(d, e)).toBeCloseTo(upper, 9);
      expect(upper).toBeGreaterThanOrEqual(exact - 1e-9);
    }
    expect(() => logCapUpper(2, 0.5)).toThrow(/needs d ≥ 3/);
    // d = 3 (a = 1) is allowed and exact there: ln 2 + ln 0.25 + 0 − ln B(1, 1) = ln 0.5 = ln P (P = 1 − e)
    expect(logCapUpper(3, 0.5)).toBeCloseTo(Math.log(0.5), 13);
  });

  it('the check can fail: a strengthened bound is refuted by fast-check (0.9·exp(−de²/2) near e → 0; 2exp(−2de²) at d = 3, e = 0.9)', () => {
    const weak = capOutcome(SEED, 300, 0.9);
    expect(weak.holds).toBe(false);
    expect(weak.counterexample).toBeDefined();
    const stronger = (p: { d: number; e: number }) => capProbability(p.d, p.e) <= 2 * Math.exp(-2 * p.d * p.e * p.e);
    expect(stronger({ d: 3, e: 0.9 })).toBe(false); // 0.1 > 2 exp(−4.86) = 0.0155
    expect(fc.check(fc.property(capArbitrary, stronger), { seed: SEED, numRuns: 2000 }).failed).toBe(true);
  });

  it('the sampler\'s law against independent computations: E<x,y> = 0, E<x,y>² = 1/d, E<x,y>⁴ = 3/(d(d+2)) (Bernstein, false-alarm 1e-6 each)', () => {
    // X ∈ [−1, 1] (or [0, 1]) with |X − μ| ≤ b = 1 and variance σ²: Bernstein for the mean of n
    // copies, P(|mean − μ| ≥ τ) ≤ 2 exp(−n τ² / (2σ² + 2bτ/3)); solving for the level α = 1e-6
    // gives τ = (2L/3 + √((2L/3)² + 8nσ²L)) / (2n), L = ln(2/α). Moments of t on S^{d−1}:
    // E t = 0, E t² = 1/d, E t⁴ = 3/(d(d+2)), E t⁸ = 105/(d(d+2)(d+4)(d+6)).
    const tau = (n: number, s2: number) => { const L = Math.log(2e6); return (2 * L / 3 + Math.sqrt((2 * L / 3) ** 2 + 8 * n * s2 * L)) / (2 * n); };
    const n = 20_000;
    for (const d of [3, 10, 50]) {
      const t = innerProducts(d, n, 7 + d);
      const m2 = 1 / d;
      const m4 = 3 / (d * (d + 2));
      const m8 = 105 / (d * (d + 2) * (d + 4) * (d + 6));
      const mean = (f: (v: number) => number) => t.reduce((s, v) => s + f(v), 0) / n;
      expect(Math.abs(mean((v) => v))).toBeLessThan(tau(n, m2));
      expect(Math.abs(mean((v) => v * v) - m2)).toBeLessThan(tau(n, m4 - m2 * m2));
      expect(Math.abs(mean((v) => v ** 4) - m4)).toBeLessThan(tau(n, m8 - m4 * m4));
    }
    // For d = 10, n = 20000 the band on E t² is ±0.0049: a sampler on S^{d−2} (E t² = 1/9) is outside it.
    expect(tau(n, 3 / 120 - 0.01)).toBeLessThan(1 / 9 - 1 / 10);
  });

  it('histogram by hand: all t = 0 puts density 1/width in the middle bin', () => {
    const h = histogram(new Float64Array(10), 16, 30); // half-range 4/(2·4) = 0.5 → [0, 1], width 1/30
    expect(h.lo).toBeCloseTo(0, 14);
    expect(h.width).toBeCloseTo(1 / 30, 14);
    expect(h.density[15]).toBeCloseTo(30, 10);
    expect(h.density.reduce((a, b) => a + b, 0) * h.width).toBeCloseTo(1, 12);
  });

  describe('verify at the test budget (the same claim code as gradconf verify)', () => {
    let r: TheoremResult;
    const claim = (id: string) => r.claims.find((c) => c.id === id)!;
    beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); }, 60_000);

    it('the exact verdict is that of the two exact claims, and both hold', () => {
      expect(r.holds).toBe(true);
      expect(r.kinds).toEqual(['exact', 'statistical']);
      expect(claim('cap-bound').verdict).toBe('holds');
      expect(claim('cap-bound-halved').verdict).toBe('holds');
    });

    it('finding pinned: P/bound stays below 1/2 and approaches it (the factor 2 is never needed); degenerate instances counted apart', () => {
      const c = claim('cap-bound');
      if (c.kind !== 'exact') throw new Error('kind');
      const maxRatio = c.details!.maxRatioProbabilityToBound as number;
      // sup over e of P/(2exp(−de²/2)) is 1/2 (e → 0); fast-check draws e as small as ~1e-300, so
      // the max over 2000 instances is within 1e-3 of it, never at or above it.
      expect(maxRatio).toBeLessThan(0.5);
      expect(maxRatio).toBeGreaterThan(0.499);
      expect(c.minSlack!).toBeGreaterThanOrEqual(0.5); // = 0.5 to rounding where P = 1 − 1e-16
      expect(c.minSlack!).toBeLessThan(0.502);
      // the two e = 1e-300 edge examples at least (P = 1 exactly)
      expect(c.degenerate!).toBeGreaterThanOrEqual(2);
      const h = claim('cap-bound-halved');
      if (h.kind !== 'exact') throw new Error('kind');
      expect(h.minSlack!).toBeGreaterThanOrEqual(0);
      expect(h.minSlack!).toBeLessThan(0.004);
      expect(h.degenerate).toBe(c.degenerate);
    });

    it('statistical: the sampler passes one Holm family of 7 KS tests at α = 0.01, with stated power', () => {
      const c = claim('sampler-law');
      if (c.kind !== 'statistical') throw new Error('kind');
      // The sampler is exact, so a rejection at this fixed seed has probability ≤ 0.01.
      expect(c.verdict).toBe('not rejected');
      expect(c.alpha).toBe(0.01);
      expect(c.tests.map((t) => t.label)).toEqual(SAMPLER_DIMS.map((d) => `d = ${d}`));
      expect(c.correction).toContain('7 statistical test');
      // Power at 3000 pairs and Holm's first-step level 0.01/7 = 1.43e-3: λ with Q(λ) = 1.43e-3 is
      // ≈ 1.90, D_crit ≈ 1.90/(√3000 + 0.12) = 0.0347, plus √(ln 10/6000) = 0.0196 → 0.054.
      for (const t of c.tests) { expect(t.minDetectable!).toBeGreaterThan(0.052); expect(t.minDetectable!).toBeLessThan(0.056); }
    });

    it('figures: the sampler histogram against the Beta density (d = 5, 50) and the cap bound above the exact P', () => {
      const figs = r.details.figures as FigureData[];
      expect(figs.map((f) => f.id)).toEqual(['sampler-law', 'cap-bound']);
      const hist = figs[0]!;
      expect(hist.series.map((s) => s.name)).toEqual(['sampler, d = 5', 'Beta density, d = 5', 'sampler, d = 50', 'Beta density, d = 50']);
      // histogram and density agree within a few percent of the peak where the density is large
      for (const k of [0, 2]) {
        const [emp, dens] = [hist.series[k]!.points, hist.series[k + 1]!.points];
        const peak = Math.max(...dens.map((p) => p[1]));
        for (let i = 0; i < emp.length; i++) expect(Math.abs(emp[i]![1] - dens[i]![1])).toBeLessThan(0.25 * peak);
      }
      const cap = figs[1]!;
      expect(cap.y.scale).toBe('log');
      for (const d of [10, 100]) {
        const exact = new Map(cap.series.find((s) => s.name === `exact P, d = ${d}`)!.points);
        for (const [e, b] of cap.series.find((s) => s.name === `bound 2exp(−de²/2), d = ${d}`)!.points) if (exact.has(e)) expect(b).toBeGreaterThan(2 * exact.get(e)! * (1 - 1e-12));
      }
    });
  });

  it('every seed 1..40: no exact claim fails at a small budget (300 instances each)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      for (const id of ['cap-bound', 'cap-bound-halved']) {
        const o = await claimOf(theorem, id, 'exact').check({ seed, budget: 'test', memo: (_k, f) => f() }, 300);
        expect(o.holds, `${id} seed ${seed}`).toBe(true);
      }
    }
  });

  describe('power and direction tests: the sampler claim on planted studies', () => {
    // Planted: t drawn by an independent route — the inverse Beta CDF of uniforms — from the exact
    // law (null true) or from the law of another dimension at one d (null false at that d only).
    const planted = (pairs: number, seed: number, wrong?: { at: number; as: number }): SamplerSample => {
      const rng = new Rng(seed);
      return {
        dims: SAMPLER_DIMS,
        t: SAMPLER_DIMS.map((d) => {
          const dd = wrong && wrong.at === d ? wrong.as : d;
          const a = (dd - 1) / 2;
          return Float64Array.from({ length: pairs }, () => 2 * betaQuantile(rng.uniform(), a, a) - 1);
        }),
      };
    };
    const verdictOf = (s: SamplerSample): Promise<ClaimResult> => plantedClaim(theorem, 'sampler-law', s);

    it('the exact law (independent route) is not rejected; the law of d = 20 planted at d = 10 is rejected, at d = 10 alone', async () => {
      expect((await verdictOf(planted(3000, 1))).verdict).toBe('not rejected');
      const c = await verdictOf(planted(3000, 1, { at: 10, as: 20 }));
      if (c.kind !== 'statistical') throw new Error('kind');
      expect(c.verdict).toBe('rejected');
      expect(c.tests.filter((t) => t.rejected).map((t) => t.label)).toEqual(['d = 10']);
    });

    it('the real sampler\'s draws go through the same analysis; a sampler on S^{d−2} padded with a zero is rejected', async () => {
      expect((await verdictOf(sampleSampler(3000, SEED))).verdict).toBe('not rejected');
      const padded = (n: number, d: number, seed: number) => {
        const low = sampleSphere(n, Math.max(1, d - 1), seed);
        const out = new Float64Array(n * d);
        for (let i = 0; i < n; i++) for (let j = 0; j < d - 1; j++) out[i * d + j] = low[i * (d - 1) + j]!;
        return out;
      };
      expect((await verdictOf(sampleSampler(3000, SEED, padded))).verdict).toBe('rejected');
    });

    it('false-alarm rate: over 100 planted null studies (300 pairs per d) the rejections stay near α = 0.01', async () => {
      let rejected = 0;
      for (let seed = 1; seed <= 100; seed++) if ((await verdictOf(planted(300, seed))).verdict === 'rejected') rejected++;
      // Holm over 7 tests keeps the family-wise rate ≤ 0.01: E ≤ 1, P(Bin(100, 0.01) ≥ 5) ≈ 0.003.
      // A level set to 0.5 would reject in most studies.
      expect(rejected).toBeLessThan(5);
    });
  });
});
