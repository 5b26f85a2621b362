import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { momentOracle, momentOracleDense } from './moment-oracle.ts';
import { enumerateSgd } from './enumerate.ts';
import { monteCarloSgd } from './monte-carlo.ts';
import { LeastSquares } from './least-squares.ts';
import { familyArb, materialize } from './instances.ts';

const SEED = 32;

describe(`exact moment oracle for least squares (fast-check seed ${SEED})`, () => {
  it('equals the enumeration of all N^T SGD paths (its slow twin) to float64 rounding', () => {
    // Both are exact in real arithmetic; they differ only by rounding. Budget: 1e-12 relative to
    // the largest value of the trajectory (src/sgd/tolerance.ts derives ≤ 1e-13·(k+1) for these sizes).
    fc.assert(fc.property(fc.oneof(familyArb('ls-interp'), familyArb('ls-noisy')), (inst) => {
      const p = materialize(inst) as LeastSquares;
      const T = Math.min(inst.T, Math.floor(Math.log(4096) / Math.log(p.n)));
      const alpha = inst.alphaFrac * (2 / p.L);
      const w0 = Float64Array.from(inst.w0);
      const fast = momentOracle(p, w0, alpha, T);
      const slow = enumerateSgd(p, w0, alpha, T);
      const gScale = Math.max(...slow.gap.map(Math.abs), 1e-300);
      const dScale = Math.max(...slow.gradSq.map(Math.abs), 1e-300);
      for (let k = 0; k <= T; k++) {
        expect(Math.abs(fast.gap[k]! - slow.gap[k]!)).toBeLessThanOrEqual(1e-12 * (k + 1) * gScale);
        expect(Math.abs(fast.gradSq[k]! - slow.gradSq[k]!)).toBeLessThanOrEqual(1e-12 * (k + 1) * dScale);
      }
    }), { seed: SEED, numRuns: 80 });
  });

  it('equals its dense-matrix twin (explicit P_i, generic products) at long horizons too', () => {
    fc.assert(fc.property(fc.oneof(familyArb('ls-interp'), familyArb('ls-noisy')), (inst) => {
      const p = materialize(inst) as LeastSquares;
      const alpha = inst.alphaFrac * (2 / (p.n * p.L));
      const w0 = Float64Array.from(inst.w0);
      const T = 3 * inst.T;
      const fast = momentOracle(p, w0, alpha, T);
      const slow = momentOracleDense(p, w0, alpha, T);
      const gScale = Math.max(...slow.gap.map(Math.abs), 1e-300);
      const dScale = Math.max(...slow.gradSq.map(Math.abs), 1e-300);
      for (let k = 0; k <= T; k++) {
        expect(Math.abs(fast.gap[k]! - slow.gap[k]!)).toBeLessThanOrEqual(1e-12 * (k + 1) * gScale);
        expect(Math.abs(fast.gradSq[k]! - slow.gradSq[k]!)).toBeLessThanOrEqual(1e-12 * (k + 1) * dScale);
      }
    }), { seed: SEED, numRuns: 60 });
  });

  it('agrees with Monte Carlo within a two-sided 1 − 1e-6 confidence interval, which excludes a wrong oracle', () => {
    // N = 5, d = 3 noisy least squares, T = 30 (too many paths to enumerate: 5^30). Interval: the
    // Hoeffding/empirical-Bernstein bounds of src/sgd/monte-carlo.ts on the a.s. range of the ball
    // argument, lower and upper each at δ = 5e-7 → coverage ≥ 1 − 1e-6 per comparison; 3 steps are
    // compared, so the false-alarm rate of this test is ≤ 3e-6.
    const rows = [[1, 0.5, 0], [0.2, -1, 0.3], [0, 0.4, 1.1], [-0.7, 0.1, 0.5], [0.3, 0.3, -0.6]].map((r) => Float64Array.from(r));
    const b = [1, -0.5, 0.25, 2, -1];
    const p = LeastSquares.fromData(rows, b);
    const alpha = 0.5 * (2 / (p.n * p.L));
    const w0 = Float64Array.of(2, -1, 1);
    const T = 30;
    const exact = momentOracle(p, w0, alpha, T);
    const mc = monteCarloSgd(p, w0, alpha, T, { runs: 40_000, seed: 9, delta: 5e-7 });
    for (const k of [5, 15, 30]) {
      expect(exact.gap[k]!).toBeGreaterThanOrEqual(mc.gap[k]!.lower);
      expect(exact.gap[k]!).toBeLessThanOrEqual(mc.gap[k]!.upper);
    }
    // Power: the oracle with a 30% larger step predicts a different E[F(w_15) − F*]; the interval must
    // exclude it (otherwise this comparison could not detect a wrong recursion of that size).
    const wrong = momentOracle(p, w0, alpha * 1.3, T);
    const k = 15;
    expect(wrong.gap[k]! < mc.gap[k]!.lower || wrong.gap[k]! > mc.gap[k]!.upper).toBe(true);
  });

  it('reproduces a hand computation: N = 2, d = 1, a = (1, 2), b = (0, 0), one step from w0 = 1', () => {
    // f_1 = ½w², f_2 = ½(2w)² = 2w². Step α = 0.1: w1 = 0.9 (i = 1) or w1 = 1 − 0.1·4 = 0.6 (i = 2).
    // F(w) = (½w² + 2w²)/2 = 1.25w². E F(w1) = 1.25(0.81 + 0.36)/2 = 0.73125. ∇F = 2.5w:
    // E‖∇F‖² = 6.25(0.81 + 0.36)/2 = 3.65625.
    const p = LeastSquares.interpolating([Float64Array.of(1), Float64Array.of(2)], Float64Array.of(0));
    const r = momentOracle(p, Float64Array.of(1), 0.1, 1);
    expect(r.gap[0]).toBeCloseTo(1.25, 15);
    expect(r.gap[1]).toBeCloseTo(0.73125, 15);
    expect(r.gradSq[1]).toBeCloseTo(3.65625, 14);
    expect(r.mean[1]![0]).toBeCloseTo(0.75, 15);
  });
});
