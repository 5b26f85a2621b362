import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.ts';
import { TrialPool } from '../src/pool/pool.ts';
import { configKey, runTrial, trialSeed, type TrialConfig } from '../src/pool/trial.ts';
import { measureConfig } from '../src/pool/tighten-search.ts';
import { trendFamily } from '../src/stats/trend.ts';
import type { TheoremResult } from './verdict.ts';
import { DEPTHS, depthConfigs, entry, gaussianConfig, MEASURES, regimes, runConfigs, tightener, tightenSpec, valuesOf, WIDTHS, widthConfigs } from './theorem-4-1.ts';

const SEED = 41;

interface Finding {
  claim: string; measure: string; verdict: string; tau: number; pValue: number;
  replay: { seed: number; trialsPerGroup: number; configs: TrialConfig[] };
}

describe(`theorem-4-1 (seed ${SEED})`, () => {
  let result: TheoremResult;
  beforeAll(async () => {
    await initBackend('wasm');
    result = await entry.run({ seed: SEED, budget: 'quick' });
  });

  it('grid: quick regimes cover tanh/sigmoid/ReLU, two κ, both losses; levels as documented; configurations dedupe', async () => {
    const rs = regimes('quick');
    expect(new Set(rs.map((r) => r.activation))).toEqual(new Set(['tanh', 'sigmoid', 'relu']));
    expect(new Set(rs.map((r) => r.loss))).toEqual(new Set(['mse', 'logistic']));
    expect(widthConfigs(rs[0]!).map((c) => c.width)).toEqual(WIDTHS);
    expect(depthConfigs(rs[0]!).map((c) => c.depth)).toEqual(DEPTHS);
    expect(regimes('full').length).toBe(24);
    const local = await TrialPool.open({ workers: 0 });
    const c = gaussianConfig(8, 8, 1, 3, 1, 'tanh', 'mse');
    const m = await runConfigs(local, [c, { ...c }, gaussianConfig(8, 8, 2, 3, 1, 'tanh', 'mse')], SEED, 2);
    expect(m.size).toBe(2);
    expect(m.get(configKey(c))![0]!.seed).toBe(trialSeed(SEED, c, 0));
  });

  it('zero gradients (dead ReLUs) never produce NaN: cosines skip them, η stays finite', () => {
    // depth-8 ReLU nets at init often kill every example; look for a trial with zero gradients
    const c = gaussianConfig(32, 64, 8, 8, 4, 'relu', 'mse');
    const rs = Array.from({ length: 12 }, (_, i) => runTrial(c, trialSeed(SEED, c, i)));
    const withZero = rs.filter((r) => r.zeroGrads > 0);
    expect(withZero.length).toBeGreaterThan(0);
    for (const r of rs) {
      expect(Number.isFinite(r.eta)).toBe(true);
      expect(r.minCos === null || Number.isFinite(r.minCos)).toBe(true);
    }
    expect(result.details.exact).toMatchObject({ holds: true, nonFiniteTrials: 0 });
  });

  it('registry entry (quick): trend kind, both measures for both claims, every non-holding regime is a finding with a replay', () => {
    expect(result.kind).toBe('trend');
    const claims = result.details.claims as { claim: string; measure: string; regimes: { outcome: { verdict: string } }[] }[];
    expect(claims.map((c) => `${c.claim} / ${c.measure}`)).toEqual([
      'width lowers confusion / raw η', 'width lowers confusion / normalized (−min cosine)',
      'depth raises confusion / raw η', 'depth raises confusion / normalized (−min cosine)',
    ]);
    const nonHolding = claims.flatMap((c) => c.regimes.filter((r) => r.outcome.verdict !== 'holds')).length;
    const findings = result.details.findings as Finding[];
    expect(findings).toHaveLength(nonHolding);
    expect(result.holds).toBe(claims.filter((c) => c.measure === 'raw η').every((c) => c.regimes.every((r) => r.outcome.verdict === 'holds')));
    expect((result.details.test as { alpha: number }).alpha).toBe(0.05);
  });

  it('a finding replays: its regime rerun in-process from the recorded seeds gives the same test statistic', async () => {
    const findings = result.details.findings as Finding[];
    if (findings.length === 0) return; // nothing to replay: every claim held
    const f = findings[0]!;
    const local = await TrialPool.open({ workers: 0 });
    const m = MEASURES.find((x) => x.name === f.measure)!;
    const res = await runConfigs(local, f.replay.configs, f.replay.seed, f.replay.trialsPerGroup);
    const groups = f.replay.configs.map((c) => valuesOf(res.get(configKey(c))!, m.of));
    const claims = result.details.claims as { claim: string; measure: string; regimes: { replay: { configs: TrialConfig[] }; outcome: { statistic: number } }[] }[];
    const recorded = claims.find((c) => c.claim === f.claim && c.measure === f.measure)!.regimes.find((r) => configKey(r.replay.configs[0]!) === configKey(f.replay.configs[0]!))!;
    const again = trendFamily([groups], f.claim.startsWith('width') ? 'decreasing' : 'increasing', 0.05)[0]!;
    expect(again.statistic).toBe(recorded.outcome.statistic);
    expect(again.tau).toBeCloseTo(f.tau, 12);
  });

  it('functional forms: both forms and both measures are fitted with intervals and a lack-of-fit test', () => {
    const forms = result.details.forms as { measure: string; comparison: { fits: { form: string; c: number; ci: [number, number]; lackOfFit: { pValue: number } | null }[]; best: string; free: unknown }; constants: { form: string }[] }[];
    expect(forms.map((f) => f.measure)).toEqual(['raw η', 'normalized (−min cosine)']);
    for (const f of forms) {
      expect(f.comparison.fits.map((x) => x.form)).toEqual(['ICLR: d/(16ζ₀⁴(β+2)⁴)', 'final: (l d + l² β)/(16ζ₀⁴(β+2)⁴)']);
      for (const x of f.comparison.fits) {
        expect(x.ci[0]).toBeLessThanOrEqual(x.c);
        expect(x.ci[1]).toBeGreaterThanOrEqual(x.c);
        expect(x.lackOfFit).not.toBeNull();
      }
      expect(f.constants).toHaveLength(3);
    }
  });

  it('tightener: ĉ for the final form, the ICLR and part-1 forms alongside, a counterexample that replays', async () => {
    const doc = await tightener.run({ budget: 3, seed: SEED });
    for (const k of ['theorem', 'form', 'cHat', 'ci', 'worst', 'counterexample', 'seed', 'path', 'trials', 'vacuous', 'forms']) expect(doc).toHaveProperty(k);
    expect((doc.forms as unknown[]).length).toBe(3);
    const cx = doc.counterexample as { c: number; configuration: Parameters<typeof tightenSpec.trial>[0]; threshold: number; exceedances: number } | null;
    if (doc.cHat !== null) {
      expect(cx!.c).toBeGreaterThan(doc.cHat as number);
      const local = await TrialPool.open({ workers: 0 });
      const v = await measureConfig(tightenSpec, local, cx!.configuration, SEED);
      expect(v.filter((e) => e > cx!.threshold).length).toBe(cx!.exceedances);
    }
  });
});
