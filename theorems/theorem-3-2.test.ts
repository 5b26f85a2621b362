import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arbitrary, check, entry, RUNS, statisticalCheck, tightener, VARIANTS } from './theorem-3-2.ts';
import { variantProperty, type VariantReport } from '../src/bounds/variant-search.ts';
import type { SgdInstance } from '../src/sgd/instances.ts';

const SEED = 321;

describe(`theorem-3-2, derived form (fast-check seed ${SEED})`, () => {
  it('holds exactly on random least-squares, logistic and robust (non-convex) instances', () => {
    fc.assert(fc.property(arbitrary, (p) => check(p).holds), { seed: SEED, numRuns: 150 });
  });

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
    expect(derived.bound).toBeCloseTo((rho * 2) / (1 / 256), 10);
  });

  it(`registry entry: quick budget runs ${RUNS.quick} instances and holds; the statistical spot check does not reject`, async () => {
    const r = await entry.run({ seed: SEED, budget: 'quick' });
    expect(r.kind).toBe('exact');
    expect(r.holds).toBe(true);
    expect(r.instances).toBe(RUNS.quick);
    expect(r.details.minSlack as number).toBeGreaterThanOrEqual(0);
    expect(Object.keys(r.details.perFamily as object).length).toBe(6);
    // False-alarm rate of the spot check: δ = 1e-3 (Bonferroni over its 64 steps).
    expect((r.details.statisticalSpotCheck as { holds: boolean }).holds).toBe(true);
  });

  it('the statistical spot check has power: it rejects the bound shrunk 10⁴× (a false claim) and accepts the true one', () => {
    const s = statisticalCheck({ seed: 5, runs: 4000 });
    expect(s.holds).toBe(true);
    expect(s.measured.lowerConfidence!).toBeLessThanOrEqual(s.measured.measured!);
    const f = statisticalCheck({ seed: 5, runs: 4000, boundFactor: 1e-4 });
    expect(f.bound).toBeLessThan(f.measured.measured!);
    expect(f.holds).toBe(false);
  });

  describe('tightening: counterexample search', () => {
    let doc: Record<string, unknown> | undefined;
    const reports = async (): Promise<VariantReport[]> => {
      doc ??= await tightener.run({ budget: 300, seed: SEED });
      return doc.variants as VariantReport[];
    };

    it('does not refute the derived form and refutes the printed form; the counterexample is re-checked independently', async () => {
      const rs = await reports();
      expect(rs.map((r) => r.name)).toEqual(['theorem-3-2', 'as-printed']);
      expect(rs[0]!.refuted).toBe(false);
      const printed = rs[1]!;
      expect(printed.refuted).toBe(true);
      expect(printed.measured!).toBeGreaterThan(printed.bound!);
      expect(printed.recheck?.refuted, JSON.stringify(printed.recheck)).toBe(true);
    });

    it('the refutation replays from its seed and path with fc.assert', async () => {
      const r = (await reports())[1]!;
      const spec = VARIANTS.find((v) => v.name === r.name)!;
      const out = fc.check(variantProperty(spec), { seed: r.seed, path: r.path! });
      expect(out.failed).toBe(true);
      expect(out.counterexample?.[0]).toEqual(r.counterexample);
      expect(() => fc.assert(variantProperty(spec), { seed: r.seed, path: r.path! })).toThrow();
    });
  });
});
