import { describe, expect, it } from 'vitest';
import { runSgd } from './sgd.ts';
import { enumerateSgd, replayExpectation } from './enumerate.ts';
import { sqNorm } from './linalg.ts';
import { LeastSquares } from './least-squares.ts';

describe('SGD runner and path enumeration', () => {
  it('runSgd with explicit indices follows w ← w − α r_i a_i by hand', () => {
    const p = LeastSquares.interpolating([Float64Array.of(1, 0), Float64Array.of(1, 1)], Float64Array.of(0, 0));
    // w0 = (1, 2); i = 1: r = 3, w = (1, 2) − 0.1·3·(1, 1) = (0.7, 1.7); i = 0: r = 0.7, w = (0.63, 1.7).
    const w = runSgd(p, [1, 2], 0.1, 2, { indices: [1, 0] });
    expect(w[0]).toBeCloseTo(0.63, 15);
    expect(w[1]).toBeCloseTo(1.7, 15);
  });

  it('runSgd is reproducible from its seed and records every `every` steps', () => {
    const p = LeastSquares.interpolating([Float64Array.of(1, 0), Float64Array.of(1, 1), Float64Array.of(0, 2)], Float64Array.of(0, 0));
    const ks: number[] = [];
    const a = runSgd(p, [1, 2], 0.1, 10, { seed: 4, every: 3, record: (k) => ks.push(k) });
    const b = runSgd(p, [1, 2], 0.1, 10, { seed: 4 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(ks).toEqual([0, 3, 6, 9, 10]);
    // The seed is used (another seed, another path) and defaults to 0.
    expect(Array.from(runSgd(p, [1, 2], 0.1, 10, { seed: 5 }))).not.toEqual(Array.from(a));
    expect(Array.from(runSgd(p, [1, 2], 0.1, 10))).toEqual(Array.from(runSgd(p, [1, 2], 0.1, 10, { seed: 0 })));
    expect(Array.from(runSgd(p, [1, 2], 0.1, 10, { seed: 4, indices: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }))).toEqual(Array.from(runSgd(p, [1, 2], 0.1, 10, { seed: 9, indices: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] })));
  });

  it('enumerateSgd averages over all paths: N = 2, d = 1, T = 2 by hand', () => {
    // f_1 = ½w², f_2 = ½(2w)²; α = 0.1: multipliers 0.9 (i=1), 0.6 (i=2). F(w) = 1.25 w².
    // E F(w_2) = 1.25 · mean(0.81², 0.81·0.36 (twice), 0.36²) = 1.25 · ((0.9² + 0.6²)/2)².
    const p = LeastSquares.interpolating([Float64Array.of(1), Float64Array.of(2)], Float64Array.of(0));
    const r = enumerateSgd(p, [1], 0.1, 2);
    expect(r.gap[2]).toBeCloseTo(1.25 * ((0.81 + 0.36) / 2) ** 2, 15);
    expect(() => enumerateSgd(p, [1], 0.1, 30)).toThrow(/exceeds/);
  });

  it('N = 3, d = 2, k = 2: the enumeration and the path-by-path replay equal the mean over the 9 index sequences run one by one', () => {
    const p = LeastSquares.interpolating([Float64Array.of(1, 0), Float64Array.of(1, 1), Float64Array.of(0, 2)], Float64Array.of(0.5, -0.5));
    const w0 = [1, 2];
    let gap = 0;
    let grad = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      const w = runSgd(p, w0, 0.1, 2, { indices: [i, j] });
      gap += p.gap(w) / 9;
      grad += sqNorm(p.fullGrad(w)) / 9;
    }
    const e = enumerateSgd(p, w0, 0.1, 2);
    const r = replayExpectation(p, w0, 0.1, 2);
    expect(r.paths).toBe(9);
    expect(e.gap[2]).toBeCloseTo(gap, 14);
    expect(e.gradSq[2]).toBeCloseTo(grad, 13);
    expect(r.gap).toBeCloseTo(gap, 14);
    expect(r.gradSq).toBeCloseTo(grad, 13);
    // k = 0: the start itself.
    expect(e.gap[0]).toBeCloseTo(p.gap(Float64Array.from(w0)), 15);
    expect(replayExpectation(p, w0, 0.1, 0).gap).toBeCloseTo(p.gap(Float64Array.from(w0)), 15);
  });

  it('the path caps include their bound: N^T = cap is enumerated, one more is an error naming the count', () => {
    const p = LeastSquares.interpolating([Float64Array.of(1), Float64Array.of(2), Float64Array.of(3)], Float64Array.of(0));
    expect(() => enumerateSgd(p, [1], 0.01, 2, { maxLeaves: 9 })).not.toThrow();
    expect(() => enumerateSgd(p, [1], 0.01, 2, { maxLeaves: 8 })).toThrow(/^enumeration of 3\^2 SGD paths exceeds 8$/);
    expect(replayExpectation(p, [1], 0.01, 2, 9).paths).toBe(9);
    expect(() => replayExpectation(p, [1], 0.01, 2, 8)).toThrow(/^replay of 3\^2 SGD paths exceeds 8$/);
  });
});
