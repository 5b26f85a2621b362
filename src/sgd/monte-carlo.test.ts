import { describe, expect, it } from 'vitest';
import { meanBound, monteCarloSgd } from './monte-carlo.ts';
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
});
