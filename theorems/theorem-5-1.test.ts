import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.ts';
import { TrialPool } from '../src/pool/pool.ts';
import { runTrial, trialSeed, trialWeights, type TrialConfig } from '../src/pool/trial.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { Rng } from '../src/rng.ts';
import type { ClaimResult, TheoremResult } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { BoundExpression } from '../src/bounds/bound-expression.ts';
import { claimOf, plantedClaim } from './define.ts';
import { checkAssumption, checkTrial, DEPTH_REGIMES, DEPTHS, derivedBound, exponent51, regimeConfigs, sigmoidBound, smallConfig, statement, theorem, tightenSpec, WIDTHS, zeta0, type SmallWeightsStudy } from './theorem-5-1.ts';

const SEED = 51;

/** ‖A‖₂ by power iteration on AᵀA in float64 (an independent route to models/linalg.ts operatorNorm). */
function powerNorm(a: Float32Array, rows: number, cols: number): number {
  let v = Float64Array.from({ length: cols }, (_, i) => 1 + Math.sin(i + 1));
  let s = 0;
  for (let it = 0; it < 3000; it++) {
    const u = new Float64Array(rows);
    for (let i = 0; i < rows; i++) { let t = 0; for (let j = 0; j < cols; j++) t += a[i * cols + j]! * v[j]!; u[i] = t; }
    const w = new Float64Array(cols);
    for (let j = 0; j < cols; j++) { let t = 0; for (let i = 0; i < rows; i++) t += a[i * cols + j]! * u[i]!; w[j] = t; }
    const nw = Math.sqrt(w.reduce((x, y) => x + y * y, 0));
    s = Math.sqrt(nw / Math.sqrt(v.reduce((x, y) => x + y * y, 0)));
    v = w.map((x) => x / nw);
  }
  return s;
}

describe(`theorem-5-1 (seed ${SEED})`, () => {
  let pool: TrialPool;
  beforeAll(async () => { await initBackend('wasm'); pool = await TrialPool.open({ workers: 2 }); });
  afterAll(async () => { await pool.close(); });

  it('bound expressions by hand: R² Σ_p Π_{q≠p} s_q², the sigmoid bound, ζ₀ and the exponent', () => {
    const c = (activation: TrialConfig['activation'], loss: TrialConfig['loss']) => smallConfig(4, 4, 2, 3, activation, loss);
    expect(derivedBound(c('tanh', 'mse'), [1, 1, 1])).toBe(12); // R = 2, three layers: 4·3 = 4(β+1)
    expect(derivedBound(c('tanh', 'logistic'), [1, 1, 1])).toBe(3);
    expect(derivedBound(c('linear', 'mse'), [1, 1, 1])).toBe(12);
    // ReLU, norms (0.5, 1, 1): sup|g| ≤ 0.5 → R = 1.5; Σ = 1·1 + 0.25·1 + 0.25·1 = 1.5 → 2.25·1.5 = 3.375
    expect(derivedBound(c('relu', 'mse'), [0.5, 1, 1])).toBeCloseTo(3.375, 14);
    expect(derivedBound(c('sigmoid', 'mse'), [1, 1, 1])).toBeNull();
    // sigmoid, β = 1, width 4, square loss, norms (1, 1): R = 2; ‖δ_1‖ ≤ 2/4 = 0.5, ‖δ_0‖ ≤ 0.5/4 = 0.125;
    // A_{−1} = 1, A_0 = min(2, 2/2 + 1·1/4) = 1.25 → 0.125² + (0.5·1.25)² = 0.015625 + 0.390625 = 0.40625
    expect(sigmoidBound(smallConfig(4, 4, 1, 3, 'sigmoid', 'mse'), [1, 1])).toBeCloseTo(0.40625, 14);
    expect(sigmoidBound(smallConfig(4, 4, 0, 3, 'sigmoid', 'logistic'), [1])).toBeCloseTo(1 / 16, 14); // (R/4)² with R = 1
    expect(sigmoidBound(smallConfig(4, 4, 1, 3, 'tanh', 'mse'), [1, 1])).toBeNull();
    expect(zeta0(4)).toBe(4);
    // d = 32, β = 2, e = 0.5: 32·0.25 / (16·(2√2)⁴·4⁴) = 8 / (16·64·256) = 3.0517578125e-5
    expect(exponent51(32, 2, 0.5)).toBeCloseTo(3.0517578125e-5, 16);
    expect(exponent51(32, 2, 0.5, 64)).toBeCloseTo(3.0517578125e-5 / 4, 16);
    // the statement's bound at N = 8, c = 1e5, d = 32, β = 2, η = 0.5: 64 exp(−1e5·3.0517578125e-5) = 64·0.0472762 = 3.02565
    expect(new BoundExpression(statement.id, statement.bound!, '').evaluate({ N: 8, c: 1e5, d: 32, beta: 2, eta: 0.5 })).toBeCloseTo(64 * Math.exp(-3.0517578125), 10);
    expect(64 * Math.exp(-3.0517578125)).toBeCloseTo(3.02565, 4);
    // norms above 1 (ball points): tanh keeps R = 2 (|g| ≤ 1): 4·(1.21 + 1.21) = 9.68; ReLU has R = 1 + 1.21 → 2.21²·2.42 = 11.819522
    expect(derivedBound(smallConfig(4, 4, 1, 3, 'tanh', 'mse'), [1.1, 1.1])).toBeCloseTo(9.68, 12);
    expect(derivedBound(smallConfig(4, 4, 1, 3, 'relu', 'mse'), [1.1, 1.1])).toBeCloseTo(11.819522, 9);
  });

  it('the small-weights initializer\'s scale, measured independently: every kernel\'s norm is in [0.99, 1] (scale 1) and [0.495, 0.5] (scale 0.5)', () => {
    for (const [scale, lo] of [[1, 0.99], [0.5, 0.495]] as const) {
      const c: TrialConfig = { ...smallConfig(7, 12, 2, 3, 'tanh', 'mse'), init: { name: 'small-weights', scale } };
      const w = trialWeights(c, 5);
      for (let p = 0; p <= 2; p++) {
        const k = w.get(`layers.${p}.kernel`)!;
        const s = powerNorm(k.data, k.shape[0]!, k.shape[1]!);
        expect(s).toBeGreaterThanOrEqual(lo);
        expect(s).toBeLessThanOrEqual(scale * (1 + 1e-9));
      }
    }
    const r = runTrial(smallConfig(7, 12, 2, 3, 'tanh', 'mse'), 5);
    const w = trialWeights(smallConfig(7, 12, 2, 3, 'tanh', 'mse'), 5);
    r.opNorms!.forEach((s, p) => { const k = w.get(`layers.${p}.kernel`)!; expect(s).toBeCloseTo(powerNorm(k.data, k.shape[0]!, k.shape[1]!), 9); });
  });

  it('the exact checks can fail: Gaussian (Strategy 4.1) weights violate Assumption 1; an inflated Gram violates the bound', () => {
    const p = { d: 16, width: 32, depth: 2, n: 4, activation: 'tanh' as const, loss: 'mse' as const, seed: 3 };
    const v = checkAssumption(p, { name: 'gaussian', kappa: 1 });
    expect(v.holds).toBe(false);
    expect(v.measured.maxOperatorNorm!).toBeGreaterThan(1);
    expect(checkAssumption(p).holds).toBe(true);
    const c = smallConfig(16, 32, 2, 4, 'tanh', 'mse');
    const ok = runTrial(c, 3);
    expect(checkTrial(c, ok)!.holds).toBe(true);
    const b = derivedBound(c, ok.opNorms!)!;
    expect(checkTrial(c, { ...ok, maxAbsG: b * (1 + 2 * GRAM_REL_TOL_F32) })!.holds).toBe(false);
    const sc = smallConfig(8, 20, 1, 4, 'sigmoid', 'mse');
    const so = runTrial(sc, 3);
    expect(checkTrial(sc, so)!.holds).toBe(true);
    expect(checkTrial(sc, { ...so, maxAbsG: sigmoidBound(sc, so.opNorms!)! * 1.01 })!.holds).toBe(false);
    expect(checkTrial({ ...c, activation: 'gelu' }, ok)).toBeNull();
  });

  it('limit of our derived bound, pinned: sigmoid, d = 16, width 1024, depth 1, seed 1 has max|G| ≈ 16.6 > 4(β+1) = 8, inside the sigmoid bound', () => {
    const c = smallConfig(16, 1024, 1, 8, 'sigmoid', 'mse');
    const r = runTrial(c, 1);
    expect(r.maxAbsG).toBeGreaterThan(15);
    expect(r.maxAbsG).toBeLessThan(18);
    expect(Math.max(...r.opNorms!)).toBeLessThanOrEqual(1 + 1e-12); // Assumption 1 still holds
    expect(derivedBound(c, r.opNorms!)).toBeNull(); // the 4(β+1) bound is not applied to the sigmoid
    const v = checkTrial(c, r)!;
    expect(v.holds).toBe(true);
    // A_0 = min(32, 16 + s_0/4) ≈ 16.25 → bound ≈ (0.5·16.25)² = 66.0
    expect(v.bound).toBeGreaterThan(65);
    expect(v.bound).toBeLessThan(66.1);
  });

  describe('verify at the test budget (the same claim code as gradconf verify)', () => {
    let r: TheoremResult;
    const claim = (id: string) => r.claims.find((c) => c.id === id)!;
    beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); }, 120_000);

    it('the exact verdict is that of the three exact claims, and they hold', () => {
      expect(r.holds).toBe(true);
      for (const id of ['assumption-1', 'gram-bound-lipschitz', 'gram-bound-sigmoid']) expect(claim(id).verdict).toBe('holds');
      const a = claim('assumption-1');
      if (a.kind !== 'exact') throw new Error('kind');
      // the initializer certifies ‖W‖ ≤ 1 with a margin of 1e-6 … 1e-2 (models/init.ts)
      expect(a.minSlack!).toBeGreaterThan(0);
      expect(a.minSlack!).toBeLessThan(1e-2);
    });

    it('the sigmoid claim reports where 4(β+1) is exceeded, as a limit of our derived bound (source derived)', () => {
      const c = claim('gram-bound-sigmoid');
      if (c.kind !== 'exact') throw new Error('kind');
      expect(c.source).toBe('derived');
      const lim = c.details!.limitOfDerivedBound as { source: string; instancesAboveFourBetaPlusOne: number; worst: { maxAbsG: number; fourBetaPlusOne: number } };
      expect(lim.source).toBe('derived');
      expect(lim.instancesAboveFourBetaPlusOne).toBeGreaterThanOrEqual(1);
      expect(lim.worst.maxAbsG / lim.worst.fourBetaPlusOne).toBeGreaterThan(1);
      expect(lim.worst.maxAbsG / lim.worst.fourBetaPlusOne).toBeLessThan(4);
      expect(r.findings).not.toContain('gram-bound-sigmoid');
    });

    it('finding pinned: raw η tails shrink with depth (reversed in all three regimes, τ ≤ −0.3; tanh/square τ ≈ −0.9)', () => {
      const c = claim('raw-eta-grows-with-depth');
      if (c.kind !== 'trend') throw new Error('kind');
      expect(c.verdict).toBe('reversed');
      for (const g of c.regimes) { expect(g.verdict).toBe('reversed'); expect(g.outcome!.tau).toBeLessThan(-0.3); }
      expect(c.regimes[0]!.outcome!.tau).toBeGreaterThan(-1);
      expect(c.regimes[0]!.outcome!.tau).toBeLessThan(-0.8);
      expect(r.findings).toContain('raw-eta-grows-with-depth');
    });

    it('confirmed: the normalized confusion grows with depth in all three regimes (τ between 0.4 and 0.7)', () => {
      const c = claim('normalized-confusion-grows-with-depth');
      if (c.kind !== 'trend') throw new Error('kind');
      expect(c.verdict).toBe('holds');
      for (const g of c.regimes) { expect(g.outcome!.tau).toBeGreaterThan(0.4); expect(g.outcome!.tau).toBeLessThan(0.7); }
    });

    it('finding pinned: a width dependence is detected (one Holm family of 8 tests; smallest adjusted p in (0.005, 0.05))', () => {
      const c = claim('no-width-dependence');
      if (c.kind !== 'statistical') throw new Error('kind');
      expect(c.correction).toContain('8 statistical test');
      expect(c.verdict).toBe('rejected');
      const pmin = Math.min(...c.tests.map((t) => t.pAdjusted));
      expect(pmin).toBeGreaterThan(0.005);
      expect(pmin).toBeLessThan(0.05);
      // the effects are small: |τ| ≤ 0.3 for every JT
      for (const t of c.tests.filter((x) => x.test.startsWith('Jonckheere'))) expect(Math.abs(t.effect!)).toBeLessThan(0.3);
      expect(r.findings).toContain('no-width-dependence');
    });

    it('a regime\'s group replays in-process from its trial seeds', () => {
      const c = claim('raw-eta-grows-with-depth');
      if (c.kind !== 'trend') throw new Error('kind');
      const cfg = regimeConfigs(DEPTH_REGIMES[0]!, 'depth', DEPTHS)[3]!;
      const etas = Array.from({ length: 32 }, (_, i) => runTrial(cfg, trialSeed(SEED, cfg, i)).eta).sort((a, b) => a - b);
      expect((etas[15]! + etas[16]!) / 2).toBeCloseTo(c.regimes[0]!.outcome!.medians[3]!, 12);
    });

    it('figures: median η and −min cosine vs depth, one series per regime', () => {
      const figs = r.details.figures as FigureData[];
      expect(figs.map((f) => f.id)).toEqual(['raw-eta-grows-with-depth', 'normalized-confusion-grows-with-depth']);
      for (const f of figs) { expect(f.series).toHaveLength(3); for (const s of f.series) expect(s.points.map((p) => p[0])).toEqual(DEPTHS); }
    });
  });

  it('every seed 1..40: no exact claim fails at a small budget', async () => {
    const ctx = (seed: number) => ({ seed, budget: 'test' as const, memo: <T>(_k: string, f: () => Promise<T>) => f() });
    for (let seed = 1; seed <= 40; seed++) {
      for (const [id, n] of [['assumption-1', 2], ['gram-bound-lipschitz', 3], ['gram-bound-sigmoid', 1]] as const) {
        const o = await claimOf(theorem, id, 'exact').check(ctx(seed), n);
        expect(o.holds, `${id} seed ${seed}`).toBe(true);
      }
    }
  });

  describe('power and direction tests: each claim\'s analysis on planted studies', () => {
    // Planted: η = 0.01·|u|·exp(4·shift(k)) and min cosine = −(0.3 + shift·k + 0.1u) at level k, u
    // standard normal; depth groups and width groups alike.
    const planted = (shift: (k: number) => number, trials = 40, seed = 9): SmallWeightsStudy => {
      const rng = new Rng(seed);
      const group = (k: number) => Array.from({ length: trials }, () => { const u = rng.normal(); return { eta: 0.01 * Math.abs(u) * Math.exp(4 * shift(k)), minCos: -(0.3 + shift(k) + 0.1 * u) }; });
      return { seed, trials, depths: DEPTHS, widths: WIDTHS, byDepth: DEPTH_REGIMES.map(() => DEPTHS.map((_, k) => group(k))), byWidth: [0, 1].map(() => WIDTHS.map((_, k) => group(k))) };
    };
    const verdictOf = (id: string, s: SmallWeightsStudy): Promise<ClaimResult> => plantedClaim(theorem, id, s);

    it('depth trends: an increasing shift holds, the mirror is reversed (raw and normalized)', async () => {
      for (const id of ['raw-eta-grows-with-depth', 'normalized-confusion-grows-with-depth']) {
        expect((await verdictOf(id, planted((k) => 0.1 * k))).verdict).toBe('holds');
        expect((await verdictOf(id, planted((k) => -0.1 * k))).verdict).toBe('reversed');
      }
    });

    it('depth trends without a planted shift: over 40 null studies a verdict other than "not detected" stays near its rate', async () => {
      for (const id of ['raw-eta-grows-with-depth', 'normalized-confusion-grows-with-depth']) {
        let detected = 0;
        for (let seed = 1; seed <= 40; seed++) if ((await verdictOf(id, planted(() => 0, 40, seed))).verdict !== 'not detected') detected++;
        // Holm over 3 regimes at 0.05 per direction: P(any verdict) ≤ 0.1 per study, E ≤ 4;
        // P(Bin(40, 0.1) ≥ 10) ≈ 0.008. Swapped 'holds'/'not detected' labels would give ~40.
        expect(detected).toBeLessThan(10);
      }
    });

    it('a depth regime without confusion (η = 0 and min cosine > 0 throughout) gets no trend verdict', async () => {
      const s = planted((k) => 0.1 * k);
      s.byDepth[1] = s.byDepth[1]!.map((g) => g.map(() => ({ eta: 0, minCos: 0.9 })));
      const c = await verdictOf('raw-eta-grows-with-depth', s);
      if (c.kind !== 'trend') throw new Error('kind');
      expect(c.regimes.map((g) => g.verdict)).toEqual(['holds', 'no confusion in this regime', 'holds']);
    });

    it('width: no planted dependence is not rejected; a planted one is rejected by its own tests only', async () => {
      expect((await verdictOf('no-width-dependence', planted(() => 0))).verdict).toBe('not rejected');
      const s = planted(() => 0);
      s.byWidth[1] = planted((k) => 0.3 * k, 40, 11).byWidth[1]!;
      const c = await verdictOf('no-width-dependence', s);
      if (c.kind !== 'statistical') throw new Error('kind');
      expect(c.verdict).toBe('rejected');
      const rej = c.tests.filter((t) => t.rejected);
      expect(rej.length).toBeGreaterThan(0);
      for (const t of rej) expect(t.label.startsWith('relu')).toBe(true);
      // direction of the effect: η grows with width in the planted regime → τ > 0 for raw η
      expect(c.tests.find((t) => t.label.startsWith('relu') && t.label.includes('raw η: JT'))!.effect!).toBeGreaterThan(0.3);
    });

    it('false-alarm rate of the width family: over 100 planted null studies the rejections stay near α = 0.05', async () => {
      let rejected = 0;
      for (let seed = 1; seed <= 100; seed++) if ((await verdictOf('no-width-dependence', planted(() => 0, 30, seed))).verdict === 'rejected') rejected++;
      // 30 trials per width (pooled 120 > 100: JT's normal approximation, fast). Holm over 8 tests: family-wise ≤ 0.05, E ≤ 5; P(Bin(100, 0.05) ≥ 12) ≈ 0.005. Without the
      // correction (8 tests at 0.05 each) the rate would be ≈ 0.2–0.3.
      expect(rejected).toBeLessThan(12);
    });
  });

  it('tightener (in the definition): its forms are Theorem 5.1\'s exponent and the depth-free one, by hand', () => {
    expect(theorem.tightener!.id).toBe('theorem-5-1');
    const cfg = { d: 32, width: 8, depth: 2, n: 8, activation: 'tanh' as const, loss: 'mse' as const };
    // paper form at e = 0.5: x = 3.0517578125e-5 (above), logA = ln 64 = 4.158883; depth-free: x = 32·0.25 = 8
    const [paper, free] = tightenSpec.forms.map((f) => f.cell(cfg, 0.5)!);
    expect(paper!.x).toBeCloseTo(3.0517578125e-5, 16);
    expect(paper!.logA).toBeCloseTo(4.1588830834, 9);
    expect(free!.x).toBeCloseTo(8, 14);
    expect(tightenSpec.trial(cfg)).toEqual(smallConfig(32, 8, 2, 8, 'tanh', 'mse'));
  });
});

