import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../src/backend/index.ts';
import type { ClaimContext, TheoremResult } from '../src/claims/claim.ts';
import { arbitrary, check, etaClaim, probeEta, theorem } from './definition-2-1.ts';

const SEED = 21;

/**
 * η by brute force from the definition itself: the smallest η ≥ 0 such that G_ij ≥ −η for every
 * i ≠ j, searched over the only candidates that can be smallest — 0 and every −G_ij — each checked
 * against every pair (no min/max shortcut).
 */
function bruteForceEta(g: Float64Array, n: number): number {
  const candidates = [0];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && -g[i * n + j]! > 0) candidates.push(-g[i * n + j]!);
  const admissible = candidates.filter((eta) => {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && g[i * n + j]! < -eta) return false;
    return true;
  });
  return admissible.reduce((a, b) => (b < a ? b : a), Infinity);
}

/** A random symmetric n×n "Gram" with entries in [−s, s] (diagonal arbitrary too: η must ignore it). */
const gramArb = fc.integer({ min: 2, max: 9 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n * n, maxLength: n * n })))
  .map(([n, v]) => {
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { g[i * n + j] = v[i * n + j]!; g[j * n + i] = v[i * n + j]!; }
    return { n, g };
  });

describe(`definition-2-1 (fast-check seed ${SEED})`, () => {
  beforeAll(async () => { await initBackend('wasm'); });

  it('η of the probe statistics equals the brute-force smallest admissible bound, on random symmetric matrices', () => {
    fc.assert(fc.property(gramArb, ({ n, g }) => probeEta(g, n) === bruteForceEta(g, n)), { seed: SEED, numRuns: 500 });
  });

  it('hand-computed cases: all pairs agreeing → 0; the most negative off-diagonal entry; the diagonal is ignored', () => {
    expect(probeEta(Float64Array.from([1, 0.2, 0.2, 1]), 2)).toBe(0);
    expect(probeEta(Float64Array.from([4, -0.5, 0.1, -0.5, -9, -2, 0.1, -2, 1]), 3)).toBe(2);
    expect(probeEta(Float64Array.from([-7, 0, 0, -7]), 2)).toBe(0);
  });

  it('the probe η equals the definition computed from explicit gradients (random architectures)', () => {
    fc.assert(fc.property(arbitrary, (p) => check(p).holds), { seed: SEED, numRuns: 10 });
  });

  it('the check can fail: an η half or twice the true one is caught', () => {
    const half = (g: Float64Array, n: number) => probeEta(g, n) / 2;
    const twice = (g: Float64Array, n: number) => 2 * probeEta(g, n);
    const out = fc.check(fc.property(arbitrary, (p) => check(p, half).holds), { seed: SEED, numRuns: 30 });
    expect(out.failed).toBe(true);
    const out2 = fc.check(fc.property(arbitrary, (p) => check(p, twice).holds), { seed: SEED, numRuns: 30 });
    expect(out2.failed).toBe(true);
  });

  describe('verify at the test budget', () => {
    let r: TheoremResult;
    beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); });
    it('one exact claim, it holds on 15 instances with non-negative slack', () => {
      expect(r.kinds).toEqual(['exact']);
      expect(r.holds).toBe(true);
      const c = r.claims[0]!;
      expect(c.id).toBe('probe-eta-equals-definition');
      expect(c.verdict).toBe('holds');
      expect(c.instances).toBe(15);
      if (c.kind !== 'exact') throw new Error('kind');
      expect(c.minSlack!).toBeGreaterThanOrEqual(0);
    });
  });

  it('the exact claim holds for seeds 1…40 (2 instances each)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const ctx: ClaimContext = { seed, budget: 'test', memo: () => { throw new Error('unused'); } };
      const o = await etaClaim.check(ctx, 2);
      expect(o.holds, `seed ${seed}`).toBe(true);
    }
  });
});
