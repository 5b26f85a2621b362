import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { sampleSphere } from '../src/data/sphere.ts';
import { lnBeta } from '../src/stats/special.ts';
import { capArbitrary, capProbability, checkCap, entry, samplerFamily } from './lemma-sphere.ts';

const SEED = 4242;

describe(`lemma-sphere (fast-check seed ${SEED})`, () => {
  it('exact law, closed forms by hand: d = 2 → P(|t| ≥ e) = 2 arccos(e)/π; d = 3 → 1 − e (Archimedes)', () => {
    expect(capProbability(2, 0.5)).toBeCloseTo(2 / 3, 13);
    expect(capProbability(2, Math.SQRT1_2)).toBeCloseTo(0.5, 13);
    expect(capProbability(3, 0.3)).toBeCloseTo(0.7, 13);
    expect(capProbability(3, 0.9)).toBeCloseTo(0.1, 13);
  });
  it('the cap bound holds on every instance d ∈ [2, 4096], e ∈ (0, 1)', () => {
    fc.assert(fc.property(capArbitrary, (p) => checkCap(p).holds), { seed: SEED, numRuns: 3000 });
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
      expect(upper).toBeGreaterThanOrEqual(exact - 1e-9);
    }
  });
  it('the check can fail: a strengthened bound 2 exp(−2 d e²) is refuted by fast-check (d = 3, e = 0.9: 0.1 > 0.0155)', () => {
    const stronger = (p: { d: number; e: number }) => capProbability(p.d, p.e) <= 2 * Math.exp(-2 * p.d * p.e * p.e);
    expect(stronger({ d: 3, e: 0.9 })).toBe(false);
    const r = fc.check(fc.property(capArbitrary, stronger), { seed: SEED, numRuns: 2000 });
    expect(r.failed).toBe(true);
  });
  it('the sampler passes the KS family at the stated level; a wrong sampler (S^{d−2} padded with a zero) is rejected', () => {
    const ok = samplerFamily(3000, SEED);
    // The sampler is exact, so a rejection happens with probability ≤ 0.01 (Holm, family-wise);
    // the seed is fixed, so this is deterministic.
    expect(ok.rejected).toBe(false);
    // Power: D_crit ≈ λ_0.01/(√3000 + 0.12) = 1.6276/54.9 = 0.0297, plus the Hoeffding margin
    // √(ln 10/6000) = 0.0196: laws at sup-distance ≥ 0.0493 are caught with probability ≥ 0.8.
    expect(ok.checks.every((c) => c.minDetectable < 0.05)).toBe(true);
    const padded = (n: number, d: number, seed: number) => {
      const low = sampleSphere(n, Math.max(1, d - 1), seed);
      const out = new Float64Array(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d - 1; j++) out[i * d + j] = low[i * (d - 1) + j]!;
      return out;
    };
    expect(samplerFamily(3000, SEED, padded).rejected).toBe(true);
  });
  it('registry entry: exact claim holds, sampler not rejected, replay data present', async () => {
    const r = await entry.run({ seed: SEED, budget: 'quick' });
    expect(r.kind).toBe('exact');
    expect(r.holds).toBe(true);
    const claims = r.details.claims as { holds: boolean; maxRatioProbabilityToBound?: number; test?: { alpha: number } }[];
    expect(claims[0]!.holds).toBe(true);
    expect(claims[0]!.maxRatioProbabilityToBound!).toBeLessThan(1);
    expect(claims[1]!.test!.alpha).toBe(0.01);
    expect(r.details.minSlack as number).toBeGreaterThan(0);
  });
});
