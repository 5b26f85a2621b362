import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LogisticRegression, plRatio, sigmoid, softplus } from './logistic.ts';
import { confusionAt } from './problem.ts';
import { enumerateSgd } from './enumerate.ts';
import { familyArb, materialize } from './instances.ts';
import { sqNorm } from './linalg.ts';

const SEED = 33;

describe(`logistic regression: constants valid along the SGD path (fast-check seed ${SEED})`, () => {
  it('plRatio is quasi-concave: on a fine grid over [−60, 60] it increases then decreases', () => {
    // This is what lets μ = ‖x_i‖² min(h(lo), h(hi)) use the endpoints of a margin interval.
    let peaked = false;
    let prev = plRatio(-60);
    for (let m = -60 + 1e-3; m <= 60; m += 1e-3) {
      const v = plRatio(m);
      if (v < prev) peaked = true;
      else if (peaked) expect(v).toBeLessThanOrEqual(prev * (1 + 1e-12));
      prev = v;
    }
    expect(peaked).toBe(true);
  });

  it('softplus and sigmoid match their definitions where those are safe', () => {
    for (const z of [-30, -2, -0.5, 0, 0.5, 2, 30]) {
      expect(softplus(z)).toBeCloseTo(Math.log(1 + Math.exp(z)), 12);
      expect(sigmoid(z)).toBeCloseTo(1 / (1 + Math.exp(-z)), 15);
    }
    expect(softplus(1000)).toBe(1000);
    expect(sigmoid(-1000)).toBe(0);
  });

  it('every reachable margin lies in marginBox; confusion ≤ η and the PL ratio ≥ μ at every reachable iterate', () => {
    fc.assert(fc.property(fc.oneof(familyArb('logistic-orth'), familyArb('logistic-near')), (inst) => {
      const p = materialize(inst) as LogisticRegression;
      const alpha = inst.alphaFrac * (2 / p.L);
      const w0 = Float64Array.from(inst.w0);
      const T = inst.T;
      const pc = p.pathConstants(w0, alpha, T);
      if (inst.family === 'logistic-orth') expect(pc.eta).toBe(0);
      const g = new Float64Array(p.d);
      enumerateSgd(p, w0, alpha, T, {
        visit: (k, w) => {
          const box = p.marginBox(w0, alpha, k);
          for (let i = 0; i < p.n; i++) {
            const m = p.margin(i, w);
            const slackM = 1e-12 * (1 + Math.abs(m));
            expect(m).toBeGreaterThanOrEqual(box.lo[i]! - slackM);
            expect(m).toBeLessThanOrEqual(box.hi[i]! + slackM);
          }
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

  it('gradient matches central finite differences and L = max‖x‖²/4 bounds the curvature', () => {
    const p = new LogisticRegression([Float64Array.of(1, 0.2), Float64Array.of(-0.3, 2)], [1, -1]);
    const w = Float64Array.of(0.4, -0.7);
    const h = 1e-6;
    for (let i = 0; i < 2; i++) {
      const g = p.grad(i, w, new Float64Array(2));
      for (let k = 0; k < 2; k++) {
        const wp = Float64Array.from(w); wp[k]! += h;
        const wm = Float64Array.from(w); wm[k]! -= h;
        expect(g[k]!).toBeCloseTo((p.loss(i, wp) - p.loss(i, wm)) / (2 * h), 7);
      }
    }
    expect(p.L).toBeCloseTo((0.09 + 4) / 4, 15);
    // f_i'' along x_i/‖x_i‖ = σ(m)σ(−m)‖x_i‖² ≤ ‖x_i‖²/4, maximal at m = 0 (grid check).
    let maxCurv = 0;
    for (let m = -10; m <= 10; m += 1e-3) maxCurv = Math.max(maxCurv, sigmoid(m) * sigmoid(-m));
    expect(maxCurv).toBeCloseTo(0.25, 12);
  });

  it('rejects linearly dependent data (F* = 0 would not be guaranteed) and bad labels', () => {
    expect(() => new LogisticRegression([Float64Array.of(1, 1), Float64Array.of(2, 2)], [1, 1])).toThrow(/independent/);
    expect(() => new LogisticRegression([Float64Array.of(1, 0)], [0])).toThrow(/labels/);
  });
});
