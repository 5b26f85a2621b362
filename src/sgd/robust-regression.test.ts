import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ROBUST_DPHI_MAX, RobustRegression, robustDphi, robustPhi } from './robust-regression.ts';
import { confusionAt } from './problem.ts';
import { enumerateSgd } from './enumerate.ts';
import { familyArb, materialize } from './instances.ts';
import { sqNorm } from './linalg.ts';

const SEED = 34;

describe(`robust (Geman–McClure) regression: a smooth non-convex family (fast-check seed ${SEED})`, () => {
  it('max|φ\'| = 9/(8√3) and φ\'\' ∈ [−1/2, 2] (so L = 2 max‖a_i‖²), on a fine grid; φ\' matches finite differences', () => {
    let maxD = 0;
    let minDD = Infinity;
    let maxDD = -Infinity;
    const h = 1e-5;
    for (let r = -20; r <= 20; r += 1e-3) {
      maxD = Math.max(maxD, Math.abs(robustDphi(r)));
      const dd = (robustDphi(r + h) - robustDphi(r - h)) / (2 * h);
      minDD = Math.min(minDD, dd);
      maxDD = Math.max(maxDD, dd);
      expect(robustDphi(r)).toBeCloseTo((robustPhi(r + h) - robustPhi(r - h)) / (2 * h), 8);
    }
    expect(maxD).toBeLessThanOrEqual(ROBUST_DPHI_MAX);
    expect(maxD).toBeGreaterThan(ROBUST_DPHI_MAX * (1 - 1e-6));
    expect(maxDD).toBeCloseTo(2, 6);
    expect(minDD).toBeCloseTo(-0.5, 6);
    expect(minDD).toBeLessThan(0); // non-convex
  });

  it('F is non-convex for some instance: the midpoint inequality fails', () => {
    const p = RobustRegression.interpolating([Float64Array.of(1)], Float64Array.of(0));
    // φ(1) = 1/2, φ(3) = 0.9, φ(2) = 0.8 > (0.5 + 0.9)/2 = 0.7.
    expect(p.value(Float64Array.of(2))).toBeGreaterThan((p.value(Float64Array.of(1)) + p.value(Float64Array.of(3))) / 2);
  });

  it('residual box, η, μ and gapMax hold at every reachable iterate (enumerated)', () => {
    fc.assert(fc.property(fc.oneof(familyArb('robust-interp'), familyArb('robust-noisy')), (inst) => {
      const p = materialize(inst) as RobustRegression;
      const alpha = inst.alphaFrac * (2 / p.L);
      const w0 = Float64Array.from(inst.w0);
      const T = inst.T;
      const pc = p.pathConstants(w0, alpha, T);
      // the global bound of the module doc
      let cmax = 0;
      for (let i = 0; i < p.n; i++) for (let j = i + 1; j < p.n; j++) cmax = Math.max(cmax, Math.abs(p.gram[i * p.n + j]!));
      expect(pc.eta).toBeLessThanOrEqual((27 / 64) * cmax * (1 + 1e-12));
      const g = new Float64Array(p.d);
      enumerateSgd(p, w0, alpha, T, {
        visit: (k, w) => {
          const box = p.residualBox(w0, alpha, k);
          for (let i = 0; i < p.n; i++) expect(Math.abs(p.residual(i, w))).toBeLessThanOrEqual(box[i]! * (1 + 1e-12) + 1e-12);
          expect(p.gap(w)).toBeLessThanOrEqual(pc.gapMax * (1 + 1e-12));
          if (k > T - 1) return;
          expect(confusionAt(p, w)).toBeLessThanOrEqual(pc.eta * (1 + 1e-10) + 1e-300);
          for (let i = 0; i < p.n; i++) {
            p.grad(i, w, g);
            const f = p.loss(i, w);
            if (f > 0) expect(0.5 * sqNorm(g) / f).toBeGreaterThanOrEqual(pc.mu * (1 - 1e-10));
          }
        },
      });
    }), { seed: SEED, numRuns: 60 });
  });
});
