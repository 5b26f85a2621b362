import { describe, expect, it } from 'vitest';
import { runSgd } from './sgd.ts';
import { enumerateSgd } from './enumerate.ts';
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
});
