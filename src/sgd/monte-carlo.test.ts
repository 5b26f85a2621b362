import { describe, expect, it } from 'vitest';
import { exceedancePValue, meanBound, monteCarloSgd } from './monte-carlo.ts';
import { sqNorm } from './linalg.ts';
import { LeastSquares } from './least-squares.ts';
import { Rng } from '../rng.ts';

describe('Monte-Carlo one-sided confidence bounds (seeds 1..)', () => {
  it('reproduces the Hoeffding half-width by hand when it is the smaller deviation', () => {
    // Samples spread over the whole range: variance ≈ 1/4 of range², Hoeffding wins.
    const s = Array.from({ length: 10 }, (_, i) => (i % 2 ? 1 : 0));
    const b = meanBound(s, [0, 1], 0.1);
    const hoeff = Math.sqrt(Math.log(2 / 0.1) / 20);
    expect(b.mean).toBe(0.5);
    expect(b.upper).toBeCloseTo(0.5 + hoeff, 14);
    expect(b.lower).toBeCloseTo(0.5 - hoeff, 14);
  });

  it('covers the true mean at least at rate 1 − δ (Bernoulli(0.1) and a skewed law, 2000 repetitions)', () => {
    // δ = 0.05 per side. Over 2000 independent repetitions the number of misses of a valid bound is
    // Binomial(2000, ≤ 0.05): P(misses > 130) < 1e-5 (Chernoff), so 130 is the threshold; the
    // bounds are conservative and in practice miss almost never.
    const rng = new Rng(1);
    const laws: Array<{ mean: number; draw: () => number }> = [
      { mean: 0.1, draw: () => (rng.uniform() < 0.1 ? 1 : 0) },
      { mean: 1 / 3, draw: () => rng.uniform() ** 2 },
    ];
    for (const law of laws) {
      let missUp = 0;
      let missLo = 0;
      for (let r = 0; r < 2000; r++) {
        const x = Array.from({ length: 200 }, law.draw);
        const b = meanBound(x, [0, 1], 0.05);
        if (law.mean > b.upper) missUp++;
        if (law.mean < b.lower) missLo++;
      }
      expect(missUp).toBeLessThanOrEqual(130);
      expect(missLo).toBeLessThanOrEqual(130);
    }
  });

  it('empirical Bernstein is at least 5× tighter than Hoeffding for a low-variance sample', () => {
    const x = Array.from({ length: 10_000 }, (_, i) => 0.5 + 1e-3 * Math.sin(i));
    const b = meanBound(x, [0, 1], 1e-3);
    // EB deviation ≈ 7·ln(4/δ)/(3(n−1)) ≈ 0.0019 here, Hoeffding√(ln(2/δ)/(2n)) ≈ 0.0195.
    expect(b.upper - b.mean).toBeLessThan(0.2 * Math.sqrt(Math.log(2e3) / 20_000));
  });

  it('monteCarloSgd is reproducible from its seed and rejects samples outside the stated range', () => {
    const p = LeastSquares.interpolating([Float64Array.of(1, 0), Float64Array.of(0.5, 1)], Float64Array.of(0, 0));
    const w0 = Float64Array.of(1, 1);
    const a = monteCarloSgd(p, w0, 0.3, 5, { runs: 50, seed: 3, delta: 0.01 });
    const b = monteCarloSgd(p, w0, 0.3, 5, { runs: 50, seed: 3, delta: 0.01 });
    expect(a.gap.map((x) => x.mean)).toEqual(b.gap.map((x) => x.mean));
    expect(() => monteCarloSgd(p, w0, 0.3, 5, { runs: 5, seed: 3, delta: 0.01, gapRange: [0, 1e-3], gradSqRange: [0, 1e3] })).toThrow(/outside/);
  });

  // Expected values below computed independently (Python, the formulas of the module doc).
  it('empirical Bernstein when it is the smaller deviation, by value: 999 × 0.5 and one 0.6 in [0, 1], δ = 0.1', () => {
    const b = meanBound([...Array<number>(999).fill(0.5), 0.6], [0, 1], 0.1);
    expect(b.mean).toBeCloseTo(0.5001, 15);
    expect(b.upper).toBeCloseTo(0.5089876216974749, 13);
    expect(b.lower).toBeCloseTo(0.491212378302525, 13);
    expect([b.n, b.delta, b.range]).toEqual([1000, 0.1, [0, 1]]);
  });

  it('Hoeffding by value on a range wider than the samples: 1..10 twenty times in [0, 10], δ = 0.05 → 5.5 ± 0.96032', () => {
    const b = meanBound(Array.from({ length: 200 }, (_, i) => (i % 10) + 1), [0, 10], 0.05);
    expect(b.upper).toBeCloseTo(6.460322791319921, 12);
    expect(b.lower).toBeCloseTo(4.539677208680079, 12);
  });

  it('the bounds are clipped to the range; n < 2 and δ ∉ (0, 1) are errors', () => {
    const b = meanBound([0, 1, 0, 1], [0, 1], 0.1);
    expect([b.upper, b.lower]).toEqual([1, 0]);
    expect(() => meanBound([0.5], [0, 1], 0.1)).toThrow(/^meanBound needs at least 2 samples$/);
    for (const d of [0, 1, -0.5, 2, NaN]) expect(() => meanBound([0, 1], [0, 1], d), String(d)).toThrow(/^delta must be in \(0, 1\)/);
    expect(() => meanBound([0, 1], [0, 1], 0.999)).not.toThrow();
  });

  it('exceedancePValue: the δ at which the lower bound reaches b (b = lower at δ = 0.01 and 1e-6 → p = 0.01, 1e-6); mean ≤ b → 1; b far below → 1e-300', () => {
    const s = [...Array<number>(999).fill(0.5), 0.6];
    const p2 = exceedancePValue(s, [0, 1], 0.4857597583022063);
    expect(p2 / 0.01).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(p2 / 0.01).toBeLessThan(1 + 1e-9);
    const p6 = exceedancePValue(s, [0, 1], 0.4640422207861811);
    expect(Math.abs(p6 / 1e-6 - 1)).toBeLessThan(1e-9);
    expect(exceedancePValue(s, [0, 1], 0.5001)).toBe(1);
    expect(exceedancePValue(s, [0, 1], 0.6)).toBe(1);
    expect(exceedancePValue(s, [0, 1], -0.1)).toBe(1e-300); // the lower bound is clipped at 0 > b for every δ
    // Just below the bound at δ → 1: a p-value close to (but below) 1.
    const near = exceedancePValue(s, [0, 1], 0.495); // lower at δ → 1 is ≈ 0.4967
    expect(near).toBeGreaterThan(0.01);
    expect(near).toBeLessThan(1);
  });

  it('monteCarloSgd: T + 1 steps of samples (w_0 … w_T), the gap and ‖∇F‖² of each, the given ranges widened by 1e-9 relative', () => {
    const p = LeastSquares.interpolating([Float64Array.of(1, 0), Float64Array.of(0.5, 1)], Float64Array.of(0, 0));
    const w0 = Float64Array.of(1, 1);
    const r = monteCarloSgd(p, w0, 0.3, 4, { runs: 6, seed: 2, delta: 0.05, keepSamples: true, gapRange: [0, 10], gradSqRange: [0, 20] });
    expect(r.gap).toHaveLength(5);
    expect(r.samples!.gap).toHaveLength(5);
    expect(Array.from(r.samples!.gap[0]!)).toEqual(Array(6).fill(p.gap(w0)));
    expect(Array.from(r.samples!.gradSq[0]!)).toEqual(Array(6).fill(sqNorm(p.fullGrad(w0))));
    expect(r.samples!.gap[4]!.every((g) => g < p.gap(w0))).toBe(true);
    expect(r.gap[0]!.range).toEqual([-1e-8, 10 + 1e-8]);
    expect(r.gradSq[0]!.range).toEqual([-2e-8, 20 + 2e-8]);
    expect([r.runs, r.seed]).toEqual([6, 2]);
    expect(monteCarloSgd(p, w0, 0.3, 4, { runs: 6, seed: 2, delta: 0.05 }).samples).toBeUndefined();
    // A sample exactly at the range's end passes (the widening); one ‖∇F‖² above it fails.
    const g0 = sqNorm(p.fullGrad(w0));
    expect(() => monteCarloSgd(p, w0, 0.3, 0, { runs: 2, seed: 2, delta: 0.05, gapRange: [0, p.gap(w0)], gradSqRange: [0, g0] })).not.toThrow();
    expect(() => monteCarloSgd(p, w0, 0.3, 0, { runs: 2, seed: 2, delta: 0.05, gapRange: [0, 10], gradSqRange: [0, g0 / 2] })).toThrow(/outside/);
    expect(() => monteCarloSgd(p, w0, 0.3, 0, { runs: 2, seed: 2, delta: 0.05, gapRange: [p.gap(w0) * 2, 10], gradSqRange: [0, 20] })).toThrow(/outside/);
    expect(() => monteCarloSgd(p, w0, 0.3, 0, { runs: 2, seed: 2, delta: 0.05, gapRange: [0, 10], gradSqRange: [g0 * 2, 30] })).toThrow(/outside/);
    // Without ranges they come from pathConstants; with only one given, the other does.
    const pc = p.pathConstants(w0, 0.3, 4);
    const auto = monteCarloSgd(p, w0, 0.3, 4, { runs: 3, seed: 2, delta: 0.05, gapRange: [0, 10] });
    expect(auto.gradSq[0]!.range[1]).toBeCloseTo(pc.gradSqMax * (1 + 1e-9), 12);
    expect(auto.gap[0]!.range[1]).toBeCloseTo(10 * (1 + 1e-9), 12);
  });
});
