import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitrary, check, entry, RUNS, tightener, VARIANTS } from './theorem-3-1.ts';
import { variantProperty, type VariantReport } from '../src/bounds/variant-search.ts';
import type { SgdInstance } from '../src/sgd/instances.ts';

const SEED = 311;

describe(`theorem-3-1 (fast-check seed ${SEED})`, () => {
  it('holds exactly on random least-squares, logistic and robust instances', () => {
    fc.assert(fc.property(arbitrary, (p) => check(p).holds), { seed: SEED, numRuns: 150 });
  });

  it('measured and bound agree with a hand computation (N = 2, d = 1, interpolating, T = 1)', () => {
    // a = (1, 2), w0 = 1, z = (1, 0) ⇒ w* = w0 − Aᵀz = 0. L = 4, μ = 1, α = (32/64)·2/(2·4) = 0.125.
    // Paths: i = 1: w1 = 1 − 0.125 = 0.875; i = 2: w1 = 1 − 0.125·4 = 0.5. F(w) = 1.25w².
    // E F(w1) = 1.25 (0.765625 + 0.25)/2 = 0.634765625. c_12 = 2 > 0 and ‖a1‖‖a2‖ = |c_12| ⇒ η = 0.
    // ρ = 1 − (2·1/2)(0.125 − 2·4·0.015625/2) = 1 − 0.0625 = 0.9375; bound = 0.9375·1.25 = 1.171875.
    const inst: SgdInstance = { family: 'ls-interp', rows: [[1], [2]], aux: [1, 0], alphaFrac: 0.5, T: 1, w0: [1] };
    const v = check(inst);
    expect(v.holds).toBe(true);
    expect(v.measured.measured).toBeCloseTo(0.634765625, 15);
    expect(v.measured.eta).toBe(0);
    expect(v.bound).toBeCloseTo(1.171875, 15);
  });

  it('the neighbourhood term is needed: at the noisy optimum one step leaves it (hand computation)', () => {
    // N = 2, d = 1, a = (1, 1), b = (0.5, −0.5): w* = 0, F* = 0.125, w0 = w*. α = (32/64)·2/(2·1) = 0.5.
    // w1 = ∓α·0.5 = ∓0.25 ⇒ F(w1) = ((0.25 − 0.5)² + (0.25 + 0.5)²)/4 = 0.15625 on both paths, so
    // E[F(w1)] − F* = 0.03125 > ρ·0 = 0: "no neighbourhood term" fails; the theorem (η > 0) holds.
    const inst: SgdInstance = { family: 'ls-noisy', rows: [[1], [1]], aux: [0.5, -0.5], alphaFrac: 0.5, T: 1, w0: [0] };
    const bad = check(inst, 'no-neighbourhood');
    expect(bad.holds).toBe(false);
    expect(bad.measured.measured).toBeCloseTo(0.03125, 15);
    expect(bad.bound).toBe(0);
    const good = check(inst);
    expect(good.holds).toBe(true);
    expect(good.measured.eta).toBeGreaterThan(0);
  });

  it(`registry entry: quick budget runs ${RUNS.quick} instances and holds`, async () => {
    const r = await entry.run({ seed: SEED, budget: 'quick' });
    expect(r.kind).toBe('exact');
    expect(r.holds).toBe(true);
    expect(r.instances).toBe(RUNS.quick);
    expect(r.details.minSlack as number).toBeGreaterThanOrEqual(0);
    expect(Object.keys(r.details.perFamily as object).sort()).toEqual(['logistic-near', 'logistic-orth', 'ls-interp', 'ls-noisy', 'robust-interp']);
  });

  describe('tightening: counterexample search', () => {
    const budget = 300;
    let doc: Record<string, unknown> | undefined;
    const reports = async (): Promise<VariantReport[]> => {
      doc ??= await tightener.run({ budget, seed: SEED });
      return doc.variants as VariantReport[];
    };

    it('does not refute the statement and refutes every variant; each counterexample is re-checked independently', async () => {
      const rs = await reports();
      expect(rs.map((r) => r.name)).toEqual(['theorem-3-1', 'step-2-over-L', 'no-neighbourhood', 'eta-zero']);
      for (const r of rs) {
        expect(r.refuted, `${r.name}: refuted`).toBe(r.expectRefuted);
        if (!r.refuted) continue;
        expect(r.measured!).toBeGreaterThan(r.bound!);
        expect(r.recheck?.refuted, `${r.name}: re-check ${JSON.stringify(r.recheck)}`).toBe(true);
      }
      expect(tightener.format(doc!)).toContain('REFUTED');
    });

    it('every refutation replays from its seed and path with fc.assert', async () => {
      const rs = await reports();
      for (const r of rs.filter((x) => x.refuted)) {
        const spec = VARIANTS.find((v) => v.name === r.name)!;
        const out = fc.check(variantProperty(spec), { seed: r.seed, path: r.path! });
        expect(out.failed).toBe(true);
        expect(out.counterexample?.[0]).toEqual(r.counterexample);
        expect(() => fc.assert(variantProperty(spec), { seed: r.seed, path: r.path! })).toThrow();
      }
    });
  });
});
