import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../src/backend/index.ts';
import { TrialPool } from '../src/pool/pool.ts';
import { runTrial, trialSeed, type TrialConfig, type TrialResult } from '../src/pool/trial.ts';
import { measureConfig } from '../src/pool/tighten-search.ts';
import { jonckheereTerpstra } from '../src/stats/jonckheere.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { checkExactInstance, checkTrial, DEPTH_REGIMES, DEPTHS, derivedBound, entry, exactArbitrary, exponent51, regimeConfigs, sigmoidArbitrary, smallConfig, tightener, tightenSpec, trendStudy, zeta0 } from './theorem-5-1.ts';

const SEED = 51;

describe(`theorem-5-1 (seed ${SEED})`, () => {
  let pool: TrialPool;
  beforeAll(async () => { await initBackend('wasm'); pool = await TrialPool.open({ workers: 2 }); });
  afterAll(async () => { await pool.close(); });

  it('derived bound R² Σ_p Π_{q≠p} s_q² by hand; the exponent d e²/(16 ζ₀⁴ (β+2)⁴) with ζ₀ = 2√β', () => {
    const c = (activation: TrialConfig['activation'], loss: TrialConfig['loss']) => smallConfig(4, 4, 2, 3, activation, loss);
    expect(derivedBound(c('tanh', 'mse'), [1, 1, 1])).toBe(12); // R = 2, three layers: 4·3 = 4(β+1)
    expect(derivedBound(c('tanh', 'logistic'), [1, 1, 1])).toBe(3);
    expect(derivedBound(c('relu', 'mse'), [0.5, 1, 1])).toBeCloseTo(1.5 ** 2 * (1 + 0.25 + 0.25), 14);
    expect(derivedBound(c('sigmoid', 'mse'), [1, 1, 1])).toBeNull();
    expect(zeta0(4)).toBe(4);
    expect(exponent51(32, 2, 0.5)).toBeCloseTo((32 * 0.25) / (16 * 64 * 256), 16);
  });

  it('exact: Assumption 1 and |G_ij| ≤ 4(β+1) on every instance (tanh, ReLU; square, logistic)', () => {
    fc.assert(fc.property(exactArbitrary, (p) => checkExactInstance(p).holds), { seed: SEED, numRuns: 20 });
  });

  it('the exact check can fail: Gaussian (Strategy 4.1) weights violate Assumption 1; an inflated Gram violates the bound', () => {
    const g: TrialConfig = { ...smallConfig(16, 32, 2, 4, 'tanh', 'mse'), init: { name: 'gaussian', kappa: 1 } };
    const r = runTrial(g, 3);
    const v = checkTrial(g, r);
    expect(v.holds).toBe(false);
    expect(v.measured.maxOperatorNorm!).toBeGreaterThan(1);
    const ok = runTrial(smallConfig(16, 32, 2, 4, 'tanh', 'mse'), 3);
    expect(checkTrial(smallConfig(16, 32, 2, 4, 'tanh', 'mse'), ok).holds).toBe(true);
    const fake: TrialResult = { ...ok, maxAbsG: 12 * (1 + 2 * GRAM_REL_TOL_F32) };
    expect(checkTrial(smallConfig(16, 32, 2, 4, 'tanh', 'mse'), fake).holds).toBe(false);
  });

  it('finding: the sanity bound fails for the sigmoid; the counterexample fast-check finds replays', () => {
    const prop = fc.property(sigmoidArbitrary, (p) => runTrial(smallConfig(p.d, p.width, 1, p.n, 'sigmoid', 'mse'), p.seed).maxAbsG <= 8 * (1 + GRAM_REL_TOL_F32));
    const out = fc.check(prop, { seed: SEED, numRuns: 30 });
    expect(out.failed).toBe(true);
    const cx = out.counterexample![0];
    const again = runTrial(smallConfig(cx.d, cx.width, 1, cx.n, 'sigmoid', 'mse'), cx.seed);
    expect(again.maxAbsG).toBeGreaterThan(8);
    expect(Math.max(...again.opNorms!)).toBeLessThanOrEqual(1 + 1e-12); // Assumption 1 still holds
  });

  it('trend study: verdicts are well-formed and a regime\'s statistic replays in-process from its seeds', async () => {
    const s = await trendStudy(pool, SEED, 24);
    expect(s.exactFailures).toEqual([]);
    for (const d of [...s.depth.raw, ...s.depth.normalized]) expect(['holds', 'reversed', 'not detected']).toContain(d.outcome.verdict);
    for (const w of s.width) expect(w.raw.jt.minDetectableTau).toBeGreaterThan(0);
    const cfgs = regimeConfigs(DEPTH_REGIMES[0]!, 'depth', DEPTHS);
    const groups = cfgs.map((c) => Array.from({ length: 24 }, (_, i) => runTrial(c, trialSeed(SEED, c, i)).eta));
    expect(jonckheereTerpstra(groups, 'increasing').statistic).toBe(s.depth.raw[0]!.outcome.statistic);
  });

  it('registry entry (quick): exact claims hold; the sigmoid finding is reported with a replay', async () => {
    const r = await entry.run({ seed: SEED, budget: 'quick' });
    expect(r.kind).toBe('exact');
    expect(r.holds).toBe(true);
    const findings = r.details.findings as { what: string; counterexample?: unknown }[];
    expect(findings.some((f) => f.what.includes('sigmoid') && f.counterexample !== undefined)).toBe(true);
  });

  it('tightener: ĉ, interval, worst configuration and a counterexample above ĉ that replays', async () => {
    const doc = await tightener.run({ budget: 3, seed: SEED });
    for (const k of ['theorem', 'form', 'cHat', 'ci', 'worst', 'counterexample', 'seed', 'path', 'trials', 'vacuous']) expect(doc).toHaveProperty(k);
    const cx = doc.counterexample as { c: number; configuration: Parameters<typeof tightenSpec.trial>[0]; threshold: number; exceedances: number } | null;
    if (doc.cHat !== null) {
      expect(cx).not.toBeNull();
      expect(cx!.c).toBeGreaterThan(doc.cHat as number);
      const local = await TrialPool.open({ workers: 0 });
      const v = await measureConfig(tightenSpec, local, cx!.configuration, SEED);
      expect(v.filter((e) => e > cx!.threshold).length).toBe(cx!.exceedances);
    }
    expect(String((doc.vacuous as { statement: string }).statement).length).toBeGreaterThan(10);
  });
});
