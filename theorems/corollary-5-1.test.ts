import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../src/backend/index.ts';
import { TrialPool } from '../src/pool/pool.ts';
import { runTrial, type TrialResult } from '../src/pool/trial.ts';
import { measureConfig } from '../src/pool/tighten-search.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { ballConfig, ballStudy, checkBallTrial, corollaryCell, entry, exactArbitrary, RADII, REGIMES, supEta, tightener, tightenSpec } from './corollary-5-1.ts';

const SEED = 515;

describe(`corollary-5-1 (seed ${SEED})`, () => {
  let pool: TrialPool;
  beforeAll(async () => { await initBackend('wasm'); pool = await TrialPool.open({ workers: 2 }); });
  afterAll(async () => { await pool.close(); });

  it('the bound\'s exponent by hand: d = 32, β = 1, N = 8 (ζ₀² = 4, 64 ζ₀⁴ (β+2)⁴ = 82944)', () => {
    const small = corollaryCell(32, 1, 8, 1e-4, 0.02); // r ≤ e/(4ζ₀²) = 0.00125: no extra term
    expect(small.x).toBeCloseTo((32 * 0.0004) / 82944, 18);
    expect(small.logA).toBeCloseTo(2 * Math.log(8), 14);
    const big = corollaryCell(32, 1, 8, 0.1, 0.02); // extra 8 d ζ₀² r / e = 8·32·4·0.1/0.02 = 5120
    expect(big.logA).toBeCloseTo(2 * Math.log(8) + 5120, 9);
  });

  it('exact: the measured-norm bound holds at every sampled ball point', () => {
    fc.assert(fc.property(exactArbitrary, (p) => {
      const c = ballConfig(p.d, p.width, p.depth, p.n, p.activation, p.loss, p.radius, 2);
      return checkBallTrial(c, runTrial(c, p.seed)).holds;
    }), { seed: SEED, numRuns: 10 });
  });

  it('the exact check can fail (a ball point with an inflated Gram) and the sup is the max over center and samples', () => {
    const c = ballConfig(8, 8, 1, 4, 'tanh', 'mse', 0.1, 2);
    const r = runTrial(c, 7);
    expect(r.ball).toHaveLength(2);
    expect(supEta(r)).toBe(Math.max(r.eta, r.ball![0]!.eta, r.ball![1]!.eta));
    expect(checkBallTrial(c, r).holds).toBe(true);
    // every ball point's norms exceed 1 by at most r (triangle inequality) and the center's are ≤ 1
    for (const b of r.ball!) expect(Math.max(...b.opNorms!)).toBeLessThanOrEqual(1 + 0.1 + 1e-6);
    const bad: TrialResult = { ...r, ball: [{ ...r.ball![0]!, maxAbsG: 100 * (1 + GRAM_REL_TOL_F32) }] };
    expect(checkBallTrial(c, bad).holds).toBe(false);
  });

  it('ball study: structure, growth verdicts, declared violations exceed their bound', async () => {
    const s = await ballStudy(pool, SEED, 16, 2);
    expect(s.exactFailures).toEqual([]);
    expect(s.growth).toHaveLength(REGIMES.length);
    for (const g of s.growth) expect(g.outcome.medians).toHaveLength(RADII.length);
    expect(s.ballCells).toBeGreaterThan(0);
    for (const v of s.violations) expect(v.pLower).toBeGreaterThan(v.bound);
  });

  it('registry entry (quick): exact claim holds; the statistical claim carries its test and α', async () => {
    const r = await entry.run({ seed: SEED, budget: 'quick' });
    expect(r.kind).toBe('exact');
    const claims = r.details.claims as { kind: string; holds?: boolean; test?: { alpha: number } }[];
    expect(claims[0]!.holds).toBe(true);
    expect(claims[1]!.test!.alpha).toBe(0.1);
    expect(r.holds).toBe(claims[0]!.holds! && claims[1]!.holds!);
  });

  it('tightener: ĉ, interval, and a counterexample above ĉ that replays', async () => {
    const doc = await tightener.run({ budget: 3, seed: SEED });
    for (const k of ['theorem', 'form', 'cHat', 'ci', 'worst', 'counterexample', 'seed', 'path', 'trials', 'vacuous']) expect(doc).toHaveProperty(k);
    const cx = doc.counterexample as { c: number; configuration: Parameters<typeof tightenSpec.trial>[0]; threshold: number; exceedances: number } | null;
    if (doc.cHat !== null) {
      expect(cx!.c).toBeGreaterThan(doc.cHat as number);
      const local = await TrialPool.open({ workers: 0 });
      const v = await measureConfig(tightenSpec, local, cx!.configuration, SEED);
      expect(v.filter((e) => e > cx!.threshold).length).toBe(cx!.exceedances);
    }
  });
});
