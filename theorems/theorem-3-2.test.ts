import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALPHA, analyzeSpot, arbitrary, check, MC_RUNS, RUNS, sampleSpot, SPOT, spotProblem, theorem, VARIANTS, type SpotSample } from './theorem-3-2.ts';
import { plantedClaim, runClaim } from './define.ts';
import { THM32_BOUND } from '../src/bounds/sgd-bounds.ts';
import { variantProperty, type VariantReport } from '../src/bounds/variant-search.ts';
import type { SgdInstance } from '../src/sgd/instances.ts';
import type { ClaimResult, TheoremResult } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';

const SEED = 321;

describe(`theorem-3-2, derived form (fast-check seed ${SEED})`, () => {
  let r: TheoremResult;
  const claim = (id: string) => r.claims.find((c) => c.id === id)!;
  beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); });

  it('the exact verdict is the exact claim\'s alone, and it holds; the kinds are exact then statistical', () => {
    expect(r.kinds).toEqual(['exact', 'statistical']);
    expect(r.holds).toBe(true);
    const c = claim('bound-holds') as Extract<ClaimResult, { kind: 'exact' }>;
    expect(c.verdict).toBe('holds');
    expect(c.instances).toBe(RUNS.test);
    expect(Object.keys(c.details!.perFamily as object).length).toBe(6);
  });

  it('smallest slack over non-degenerate instances is far from 0 (the derived bound is loose by ≥ 5×)', () => {
    const c = claim('bound-holds') as Extract<ClaimResult, { kind: 'exact' }>;
    expect(c.minSlack!).toBeGreaterThan(0.8);
    expect(c.minSlack!).toBeLessThan(0.95);
    expect(c.degenerate!).toBeGreaterThanOrEqual(0);
  });

  it('statistical spot check: not rejected, at the stated α, one intersection-union test', () => {
    const c = claim('monte-carlo-spot-check');
    if (c.kind !== 'statistical') throw new Error('kind');
    expect(c.verdict).toBe('not rejected');
    expect(c.alpha).toBe(ALPHA);
    expect(c.tests).toHaveLength(1);
    expect(c.instances).toBe(MC_RUNS.test);
    // the true min_k E‖∇F‖² ≈ 0.011 is < 1e-3 of the bound: p = 1
    expect(c.tests[0]!.pValue).toBe(1);
    expect(c.tests[0]!.effect!).toBeLessThan(1e-3);
  });

  it('figure: measured vs bound over k on the tightest instance, log y, measured below bound', () => {
    const f = (r.details.figures as FigureData[])[0]!;
    expect(f.y.scale).toBe('log');
    const [b, m] = f.series.map((s) => s.points);
    expect(m!.length).toBe(b!.length);
    m!.forEach((p, i) => expect(p[1]).toBeLessThanOrEqual(b![i]![1]));
  });

  it('seeds 1..40 at the test budget: the exact claim never fails on correct code', async () => {
    for (let seed = 1; seed <= 40; seed++) expect((await runClaim(theorem, 'bound-holds', { seed, budget: 'test' })).verdict, `seed ${seed}`).toBe('holds');
  }, 60_000);

  it('hand computation: N = 2, d = 1, a = (2, 2), w* = 0, w0 = 1, T = 1 — the printed form fails, the derived holds', () => {
    // f_i = ½(2w)² = 2w², F = 2w², ∇F = 4w: measured = ‖∇F(w0)‖² = 16. F(w1) − F* = 2 (paper's w_1 = our w0).
    // L = 4, α = (1/64)·2/(2·4) = 1/256; ρ = 2·2/(2 − 2·4/256) = 4/(1.96875) = 2.031746…
    // c_12 = 4 = ‖a1‖‖a2‖ ⇒ η = 0. printed: ρ·2/1 = 4.0635 < 16; derived: ρ·2/(α·1) = 1040.25 ≥ 16.
    const inst: SgdInstance = { family: 'ls-interp', rows: [[2], [2]], aux: [0.25, 0.25], alphaFrac: 1 / 64, T: 1, w0: [1] };
    const rho = 4 / (2 - 8 / 256);
    const printed = check(inst, 'as-printed');
    expect(printed.holds).toBe(false);
    expect(printed.measured.measured).toBeCloseTo(16, 13);
    expect(printed.bound).toBeCloseTo(rho * 2, 13);
    const derived = check(inst);
    expect(derived.holds).toBe(true);
    expect(derived.bound).toBeCloseTo(1040.2539682539682, 10);
    expect(derived.measured.L).toBe(4);
  });

  it('the bound expression against a hand value with η > 0', () => {
    // N = 3, L = 2, α = 0.1: ρ = 6/(2 − 0.6) = 4.285714…; gap1 = 1, T = 5: ρ/(0.5) = 8.571428…;
    // ρη with η = 0.2: 0.857142… ⇒ 9.428571428571429 (L off by 2: ρ = 6/(2 − 1.2) = 7.5, bound 16.5)
    expect(THM32_BOUND.evaluate({ N: 3, L: 2, alpha: 0.1, gap1: 1, T: 5, eta: 0.2 })).toBeCloseTo(9.428571428571429, 13);
  });

  it('a both-sides-0 instance (w_0 = w*, interpolating, η = 0) is degenerate', () => {
    const v = check({ family: 'ls-interp', rows: [[2], [2]], aux: [0, 0], alphaFrac: 0.5, T: 3, w0: [1] });
    expect(v.holds).toBe(true);
    expect(v.degenerate).toBe(true);
  });

  it('a fast property over the arbitrary (seed 8): every instance holds', () => {
    fc.assert(fc.property(arbitrary, (p) => check(p).holds), { seed: 8, numRuns: 60 });
  });

  describe('power and direction of the spot check (planted bounds through the claim\'s own analysis)', () => {
    let truth: number;
    let quick: SpotSample;
    beforeAll(() => {
      // The truth, min_k E‖∇F(w_k)‖² on the spot instance of seed 321, from 20 000 independent paths
      // (another path seed): its standard error is ~1e-5, far below the factor 2 the tests plant.
      const big = sampleSpot(SEED, 20_000, 99);
      truth = Math.min(...big.values.map((v) => v.reduce((a, x) => a + x, 0) / v.length));
      quick = sampleSpot(SEED, MC_RUNS.quick);
    });

    it('the instance: N = 16, d = 8, T = 32, α = 0.9·2/(NL); the truth is ≈ 0.0107', () => {
      const { p, alpha } = spotProblem(SEED);
      expect(p.n).toBe(SPOT.n);
      expect(alpha * p.n * p.L).toBeCloseTo(1.8, 14);
      expect(truth).toBeGreaterThan(0.0100);
      expect(truth).toBeLessThan(0.0115);
    });

    it('power: a bound half the true value is rejected at the quick and at the test budget', async () => {
      const c = await plantedClaim(theorem, 'monte-carlo-spot-check', { ...quick, bound: truth / 2 });
      expect(c.verdict).toBe('rejected');
      const t = await plantedClaim(theorem, 'monte-carlo-spot-check', { ...sampleSpot(SEED, MC_RUNS.test), bound: truth / 2 });
      expect(t.verdict).toBe('rejected');
    });

    it('direction: a bound twice the true value is not rejected (p = 1)', async () => {
      const c = await plantedClaim(theorem, 'monte-carlo-spot-check', { ...quick, bound: 2 * truth });
      expect(c.verdict).toBe('not rejected');
      if (c.kind !== 'statistical') throw new Error('kind');
      expect(c.tests[0]!.pValue).toBe(1);
    });

    it('false alarms: with the bound at the truth itself (the boundary of the null), 20 independent samples of 500 runs reject at most once', () => {
      // Each rejects with probability ≤ ALPHA = 1e-3 (the p-values are valid, conservative); P(≥ 2 of 20) ≤ 2e-4.
      let rejected = 0;
      for (let s = 1; s <= 20; s++) if (analyzeSpot({ ...sampleSpot(SEED, 500, 1000 + s), bound: truth }).tests[0]!.pValue <= ALPHA) rejected++;
      expect(rejected).toBeLessThanOrEqual(1);
    });

    it('the p-value is that of the worst k (intersection-union): one k below the bound keeps p = 1', () => {
      const s = { ...quick, bound: truth / 2 };
      const v = s.values.map((x) => x.slice());
      v[5] = v[5]!.map(() => 0);
      expect(analyzeSpot({ ...s, values: v }).tests[0]!.pValue).toBe(1);
      expect(analyzeSpot(s).tests[0]!.pValue).toBeLessThan(1e-6);
    });
  });

  describe('tightening: counterexample search', () => {
    let doc: Record<string, unknown> | undefined;
    const reports = async (): Promise<VariantReport[]> => {
      doc ??= await theorem.tightener!.run({ budget: 300, seed: SEED });
      return doc.variants as VariantReport[];
    };

    it('does not refute the derived form and refutes the printed form with a positive bound; re-checked independently', async () => {
      const rs = await reports();
      expect(rs.map((x) => x.name)).toEqual(['theorem-3-2', 'as-printed']);
      expect(rs[0]!.status).toBe('not refuted');
      const printed = rs[1]!;
      expect(printed.status).toBe('refuted');
      expect(printed.bound!).toBeGreaterThan(0);
      expect(printed.measured!).toBeGreaterThan(printed.bound!);
      expect(printed.recheck?.refuted, JSON.stringify(printed.recheck)).toBe(true);
    });

    it('the refutation replays from its seed and path with fc.assert', async () => {
      const x = (await reports())[1]!;
      const spec = VARIANTS.find((v) => v.name === x.name)!;
      const out = fc.check(variantProperty(spec), { seed: x.seed, path: x.path! });
      expect(out.failed).toBe(true);
      expect(out.counterexample?.[0]).toEqual(x.counterexample);
    });

    it('a custom bound 0 is not a meaningful variant (never a refutation); a custom bound below the truth but positive is refuted', async () => {
      const zero = (await theorem.tightener!.run({ budget: 40, seed: SEED, bound: '0 * T' })).variants as VariantReport[];
      expect(zero.find((x) => x.name === 'custom')!.status).toBe('not a meaningful variant here');
      const tiny = (await theorem.tightener!.run({ budget: 40, seed: SEED, bound: '1e-9 * N' })).variants as VariantReport[];
      expect(tiny.find((x) => x.name === 'custom')!.status).toBe('refuted');
    });
  });
});
