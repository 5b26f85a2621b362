import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.ts';
import { TrialPool } from '../src/pool/pool.ts';
import { configKey, runTrial, trialSeed, type TrialConfig, type TrialResult } from '../src/pool/trial.ts';
import { formatTighten, measureConfig, tightenSearch } from '../src/pool/tighten-search.ts';
import { jonckheereTerpstra } from '../src/stats/jonckheere.ts';
import { Rng } from '../src/rng.ts';
import type { ClaimContext, ClaimResult, TheoremResult, TrendRegimeResult } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { plantedClaim } from './define.ts';
import {
  DEPTHS, depthConfigs, finiteClaim, formConfigs, gaussianConfig, MEASURES, regimes, runConfigs, theorem, tightenSpec, valuesOf, WIDTHS, widthConfigs,
  type Regime, type Study41,
} from './theorem-4-1.ts';

const SEED = 41;

const trend = (c: ClaimResult | undefined) => {
  if (!c || c.kind !== 'trend') throw new Error('not a trend claim');
  return c;
};

describe(`theorem-4-1 (seed ${SEED})`, () => {
  let r: TheoremResult;
  const claim = (id: string) => r.claims.find((c) => c.id === id);
  const reg = (id: string, label: string): TrendRegimeResult => {
    const g = trend(claim(id)).regimes.find((x) => x.label === label);
    if (!g) throw new Error(`${id}: no regime ${label}`);
    return g;
  };
  beforeAll(async () => {
    await initBackend('wasm');
    r = await theorem.run({ seed: SEED, budget: 'test' });
  }, 120_000);

  it('grid: test regimes tanh κ ∈ {1, 4}, sigmoid, ReLU; quick adds the logistic loss; full has 24; configurations dedupe', async () => {
    expect(regimes('test').map((x) => `${x.activation}/${x.kappa}/${x.loss}`)).toEqual(['tanh/1/mse', 'tanh/4/mse', 'sigmoid/1/mse', 'relu/1/mse']);
    expect(new Set(regimes('quick').map((x) => x.loss))).toEqual(new Set(['mse', 'logistic']));
    expect(regimes('full')).toHaveLength(24);
    expect(widthConfigs(regimes('test')[0]!).map((c) => c.width)).toEqual(WIDTHS);
    expect(depthConfigs(regimes('test')[0]!).map((c) => c.depth)).toEqual(DEPTHS);
    const local = await TrialPool.open({ workers: 0 });
    const c = gaussianConfig(8, 8, 1, 3, 1, 'tanh', 'mse');
    const m = await runConfigs(local, [c, { ...c }, gaussianConfig(8, 8, 2, 3, 1, 'tanh', 'mse')], SEED, 2);
    expect(m.size).toBe(2);
    expect(m.get(configKey(c))![0]!.seed).toBe(trialSeed(SEED, c, 0));
  });

  it('exact: no measure is NaN or infinite over every trial (4 regimes × 7 configurations + 7 form configurations, 32 trials each, some with dead ReLUs)', () => {
    const c = claim('measures-finite')!;
    expect(c.kind).toBe('exact');
    expect(c.verdict).toBe('holds');
    expect(c.instances).toBe(34 * 32);
    expect(r.holds).toBe(true);
    expect((c.details as { trialsWithZeroGradients: number }).trialsWithZeroGradients).toBeGreaterThan(0);
  });

  it('zero gradients (dead ReLUs) never produce NaN: cosines skip them, η stays finite', () => {
    const c = gaussianConfig(32, 64, 8, 8, 4, 'relu', 'mse');
    const rs = Array.from({ length: 12 }, (_, i) => runTrial(c, trialSeed(SEED, c, i)));
    expect(rs.filter((x) => x.zeroGrads > 0).length).toBeGreaterThan(0);
    for (const x of rs) {
      expect(Number.isFinite(x.eta)).toBe(true);
      expect(x.minCos === null || Number.isFinite(x.minCos)).toBe(true);
    }
  });

  it('the sigmoid regime has no confusion: η = 0 in most trials (median 0 at every level, min cosine ≈ +0.998) — no verdict for any of the four claims', () => {
    for (const id of ['width-lowers-raw-eta', 'width-lowers-normalized', 'depth-raises-raw-eta', 'depth-raises-normalized']) {
      const g = reg(id, 'sigmoid, κ = 1, mse');
      expect(g.verdict).toBe('no confusion in this regime');
      expect(g.outcome).toBeUndefined();
      const d = g.details as { confusedTrials: number; trials: number; medians: number[] };
      expect(d.confusedTrials).toBeLessThan(0.2 * d.trials);
    }
    expect((reg('width-lowers-raw-eta', 'sigmoid, κ = 1, mse').details as { medians: number[] }).medians).toEqual([0, 0, 0, 0]);
    for (const m of (reg('width-lowers-normalized', 'sigmoid, κ = 1, mse').details as { medians: number[] }).medians) expect(m).toBeLessThan(-0.99);
  });

  // Findings pinned at seed 41 (test budget): direction and magnitude range.
  it('finding: raw η RISES with width in every tanh and ReLU regime (reversed; tanh κ = 1: τ ∈ [0.5, 0.7], median 0.017 → 0.115)', () => {
    const t1 = reg('width-lowers-raw-eta', 'tanh, κ = 1, mse');
    expect(t1.verdict).toBe('reversed');
    expect(t1.outcome!.tau).toBeGreaterThan(0.5);
    expect(t1.outcome!.tau).toBeLessThan(0.7);
    expect(t1.outcome!.medians[3]! / t1.outcome!.medians[0]!).toBeGreaterThan(4);
    const t4 = reg('width-lowers-raw-eta', 'tanh, κ = 4, mse');
    expect(t4.verdict).toBe('reversed');
    expect(t4.outcome!.tau).toBeGreaterThan(0.45);
    const relu = reg('width-lowers-raw-eta', 'relu, κ = 1, mse');
    expect(relu.verdict).toBe('reversed');
    expect(relu.outcome!.tau).toBeGreaterThan(0.1);
    expect(relu.outcome!.tau).toBeLessThan(0.35);
    expect(r.findings).toContain('width-lowers-raw-eta');
  });

  it('finding: normalized confusion falls with width only for tanh κ = 4 (τ ∈ [−0.4, −0.2]); not detected for tanh κ = 1 (|τ| < 0.15) and ReLU (τ ∈ [0, 0.25])', () => {
    const t4 = reg('width-lowers-normalized', 'tanh, κ = 4, mse');
    expect(t4.verdict).toBe('holds');
    expect(t4.outcome!.tau).toBeGreaterThan(-0.4);
    expect(t4.outcome!.tau).toBeLessThan(-0.2);
    const t1 = reg('width-lowers-normalized', 'tanh, κ = 1, mse');
    expect(t1.verdict).toBe('not detected');
    expect(Math.abs(t1.outcome!.tau)).toBeLessThan(0.15);
    const relu = reg('width-lowers-normalized', 'relu, κ = 1, mse');
    expect(relu.verdict).toBe('not detected');
    expect(relu.outcome!.tau).toBeGreaterThan(0);
    expect(relu.outcome!.tau).toBeLessThan(0.25);
  });

  it('finding: depth raises raw η only for tanh κ = 1 (τ ∈ [0.35, 0.6]); it falls for tanh κ = 4 (τ < −0.85, median 0.03 → 1e-5: vanishing gradients) and ReLU (τ ∈ [−0.4, −0.15])', () => {
    const t1 = reg('depth-raises-raw-eta', 'tanh, κ = 1, mse');
    expect(t1.verdict).toBe('holds');
    expect(t1.outcome!.tau).toBeGreaterThan(0.35);
    expect(t1.outcome!.tau).toBeLessThan(0.6);
    const t4 = reg('depth-raises-raw-eta', 'tanh, κ = 4, mse');
    expect(t4.verdict).toBe('reversed');
    expect(t4.outcome!.tau).toBeLessThan(-0.85);
    expect(t4.outcome!.medians[0]! / t4.outcome!.medians[3]!).toBeGreaterThan(100);
    const relu = reg('depth-raises-raw-eta', 'relu, κ = 1, mse');
    expect(relu.verdict).toBe('reversed');
    expect(relu.outcome!.tau).toBeGreaterThan(-0.4);
    expect(relu.outcome!.tau).toBeLessThan(-0.15);
  });

  it('depth raises the normalized confusion in every regime with confusion (τ ∈ [0.2, 0.45])', () => {
    for (const label of ['tanh, κ = 1, mse', 'tanh, κ = 4, mse', 'relu, κ = 1, mse']) {
      const g = reg('depth-raises-normalized', label);
      expect(g.verdict, label).toBe('holds');
      expect(g.outcome!.tau).toBeGreaterThan(0.2);
      expect(g.outcome!.tau).toBeLessThan(0.45);
    }
    expect(r.findings).not.toContain('depth-raises-normalized');
  });

  it('a finding replays: its regime rerun in-process from the recorded seeds gives the same groups and statistic', async () => {
    const g = reg('width-lowers-raw-eta', 'relu, κ = 1, mse');
    const rp = (g.details as { replay: { seed: number; trialsPerGroup: number; configs: TrialConfig[] } }).replay;
    const local = await TrialPool.open({ workers: 0 });
    const res = await runConfigs(local, rp.configs, rp.seed, rp.trialsPerGroup);
    const groups = rp.configs.map((c) => valuesOf(res.get(configKey(c))!, MEASURES.raw.of));
    expect(jonckheereTerpstra(groups, 'decreasing').statistic).toBe(g.outcome!.statistic);
  });

  it('forms: both forms and both measures are fitted with intervals and a lack-of-fit test; three bound constants each', () => {
    const forms = r.details.forms as { measure: string; comparison: { fits: { form: string; c: number; ci: [number, number]; lackOfFit: unknown }[] }; constants: unknown[] }[];
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
    expect(formConfigs()).toHaveLength(13);
  });

  it('figures: one per trend claim; integer ticks; width on log x; raw η on log y (it spans decades), without the η = 0 sigmoid line', () => {
    const figs = r.details.figures as FigureData[];
    expect(figs.map((f) => f.id)).toEqual(['width-lowers-raw-eta', 'width-lowers-normalized', 'depth-raises-raw-eta', 'depth-raises-normalized']);
    for (const f of figs) expect(f.x.integer).toBe(true);
    expect(figs[0]!.x.scale).toBe('log');
    expect(figs[2]!.x.scale).toBeUndefined();
    expect(figs[0]!.y.scale).toBe('log');
    expect(figs[2]!.y.scale).toBe('log');
    expect(figs[1]!.y.scale).toBeUndefined();
    for (const f of [figs[0]!, figs[2]!]) {
      expect(f.series.find((s) => s.name.startsWith('sigmoid'))!.points).toEqual([]);
      for (const s of f.series) for (const [, y] of s.points) expect(y).toBeGreaterThan(0);
    }
    // normalized figures plot the median minimum cosine (= −median of −min cos): tanh values in (−1, 0)
    const t = figs[1]!.series.find((s) => s.name.startsWith('tanh, κ = 1'))!;
    expect(t.points.map((p) => p[0])).toEqual(WIDTHS);
    for (const [, y] of t.points) { expect(y).toBeLessThan(0); expect(y).toBeGreaterThan(-1); }
    expect(figs[0]!.series.find((s) => s.name.startsWith('tanh, κ = 1'))!.name).toContain('(reversed)');
  });

  it('tightener (in the definition): ĉ for the final form, the ICLR and part-1 forms alongside, a counterexample that replays', async () => {
    expect(theorem.tightener!.id).toBe('theorem-4-1');
    expect(theorem.tightener!.format).toBe(formatTighten);
    // the definition's tightener is tightenSearch(tightenSpec); run it with a shrink budget of 3 evaluations (default 12) to keep this file fast
    const doc = await tightenSearch({ ...tightenSpec, shrinkEvaluations: 3 }, { budget: 2, seed: SEED });
    expect(theorem.tightener!.format(doc)).toContain('ĉ');
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

describe('power and direction: each trend claim on planted studies', () => {
  /** A planted trial: only the fields the analysis reads. */
  const trial = (eta: number, minCos: number | null, seed: number): TrialResult => ({ seed, eta, minOffDiag: -eta, minCos, meanCos: 0, zeroGrads: 0, maxAbsG: 1, maxDiag: 1 });
  /**
   * Planted study: every configuration of every regime gets 32 trials with η = e^{0.3 u + shift·k}
   * and min cos = −0.3 − 0.05 u − 0.1·shift·k at level index k (u standard normal), so the raw and
   * the normalized confusion both move by `shift` per level (τ ≈ ±0.5 for shift = ±0.3: p ≪ 0.05).
   */
  const planted = (shift: { width: number; depth: number }, rs: Regime[] = [{ kappa: 1, activation: 'tanh', loss: 'mse' }, { kappa: 1, activation: 'relu', loss: 'mse' }], seed = 9): Study41 => {
    const rng = new Rng(seed);
    const results = new Map<string, TrialResult[]>();
    const fill = (c: TrialConfig, s: number) => results.set(configKey(c), Array.from({ length: 32 }, (_, i) => {
      const u = rng.normal();
      return trial(Math.exp(0.3 * u + s), -0.3 - 0.05 * u - 0.1 * s, i);
    }));
    for (const r of rs) {
      // the depth-2 width-64 configuration is shared by both sweeps (width level 2, depth level 1):
      // it follows the width sweep unless the depth sweep is the one planted
      widthConfigs(r).forEach((c, k) => fill(c, shift.width * k));
      depthConfigs(r).forEach((c, k) => { if (c.depth !== 2 || shift.depth !== 0) fill(c, shift.depth * k); });
    }
    return { seed: 0, trials: 32, regimes: rs, results };
  };
  const verdict = async (id: string, s: Study41) => trend(await plantedClaim(theorem, id, s)).verdict;

  it('width claims (claimed: decreasing): planted fall → holds, rise → reversed, none → not detected', async () => {
    for (const id of ['width-lowers-raw-eta', 'width-lowers-normalized']) {
      expect(await verdict(id, planted({ width: -0.3, depth: 0 })), id).toBe('holds');
      expect(await verdict(id, planted({ width: 0.3, depth: 0 })), id).toBe('reversed');
      expect(await verdict(id, planted({ width: 0, depth: 0 })), id).toBe('not detected');
    }
  });

  it('depth claims (claimed: increasing): planted rise → holds, fall → reversed, none → not detected', async () => {
    for (const id of ['depth-raises-raw-eta', 'depth-raises-normalized']) {
      expect(await verdict(id, planted({ width: 0, depth: 0.3 })), id).toBe('holds');
      expect(await verdict(id, planted({ width: 0, depth: -0.3 })), id).toBe('reversed');
      expect(await verdict(id, planted({ width: 0, depth: 0 })), id).toBe('not detected');
    }
  });

  it('no confusion: η = 0 and min cosine +0.998 in every trial, or η > 0 in only 2 of 32 trials per level (sigmoid-like) → no verdict', async () => {
    const s = planted({ width: -0.3, depth: 0.3 });
    const flat = { ...s, results: new Map([...s.results].map(([k, v]) => [k, v.map((t) => trial(0, 0.998, t.seed))])) };
    expect(await verdict('width-lowers-raw-eta', flat)).toBe('no confusion in this regime');
    expect(await verdict('depth-raises-normalized', flat)).toBe('no confusion in this regime');
    const rare = { ...s, results: new Map([...s.results].map(([k, v]) => [k, v.map((t, i) => (i < 2 ? trial(0.01 * (i + 1), -0.999, t.seed) : trial(0, 0.998, t.seed)))])) };
    expect(await verdict('width-lowers-raw-eta', rare)).toBe('no confusion in this regime');
    // … while 20 of 32 confused trials per level is a regime with confusion (and no trend here)
    const many = { ...s, results: new Map([...s.results].map(([k, v]) => [k, v.map((t, i) => (i < 20 ? trial(0.01 * (i + 1), -0.5, t.seed) : trial(0, 0.998, t.seed)))])) };
    expect(await verdict('width-lowers-raw-eta', many)).toBe('not detected');
  });

  it('false alarms: over 60 planted null studies (2 regimes each), "holds" for width-lowers-raw-eta stays near α = 0.05', async () => {
    let holds = 0;
    for (let k = 1; k <= 60; k++) if ((await verdict('width-lowers-raw-eta', planted({ width: 0, depth: 0 }, undefined, 1000 + 7919 * k))) === 'holds') holds++;
    // Holm over 2 regimes at family-wise 0.05: P(holds) ≤ 0.05 per study; E ≤ 3, P(Bin(60, 0.05) ≥ 9) ≈ 0.003.
    expect(holds).toBeLessThan(9);
  });
});

describe('the exact claim never fails on correct code (seeds 1…40) and can fail', () => {
  it('measures-finite holds for seeds 1…40 on a small study (3 configurations × 4 trials, incl. dead-ReLU depth 8)', async () => {
    const { runStudy } = await import('./theorem-4-1.ts');
    const local = await TrialPool.open({ workers: 0 });
    const small = (seed: number) => runConfigs(local, [gaussianConfig(16, 16, 2, 4, 1, 'tanh', 'mse'), gaussianConfig(16, 32, 8, 4, 4, 'relu', 'mse'), gaussianConfig(16, 16, 2, 4, 1, 'sigmoid', 'logistic')], seed, 4);
    expect(runStudy).toBeTypeOf('function');
    for (let seed = 1; seed <= 40; seed++) {
      const results = await small(seed);
      const s: Study41 = { seed, trials: 4, regimes: [], results };
      const ctx: ClaimContext = { seed, budget: 'test', memo: <T>() => Promise.resolve(s as unknown as T) };
      const o = await finiteClaim.check(ctx, { trials: 4, regimes: 'test' });
      expect(o.holds, `seed ${seed}`).toBe(true);
      expect(o.instances).toBe(12);
    }
  });

  it('a NaN measure is a counterexample', async () => {
    const results = new Map([['x', [{ seed: 7, eta: NaN, minOffDiag: 0, minCos: 0.1, meanCos: 0, zeroGrads: 0, maxAbsG: 1, maxDiag: 1 }]]]);
    const ctx: ClaimContext = { seed: 1, budget: 'test', memo: <T>() => Promise.resolve({ seed: 1, trials: 1, regimes: [], results } as unknown as T) };
    const o = await finiteClaim.check(ctx, { trials: 1, regimes: 'test' });
    expect(o.holds).toBe(false);
    expect(o.counterexample).toMatchObject({ seed: 7 });
  });
});
