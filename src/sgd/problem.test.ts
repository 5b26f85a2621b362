/** confusionAt (Definition 2.1 from explicit gradients, the oracle the family tests check η against) and the exact-check tolerance, by hand. */
import { describe, expect, it } from 'vitest';
import { confusionAt, type FiniteSumProblem } from './problem.ts';
import { exactTolerance } from './tolerance.ts';

/** A problem whose per-example gradients are the given constant vectors. */
function constantGradients(gs: number[][]): FiniteSumProblem {
  return {
    family: 'toy', n: gs.length, d: gs[0]?.length ?? 1, L: 1, fstarExact: true, fstar: 0,
    loss: () => 0, value: () => 0, gap: () => 0, fullGrad: () => new Float64Array(0), pathConstants: () => { throw new Error('unused'); },
    grad: (i, _w, out) => { out.set(gs[i]!); return out; },
  };
}
const at = (gs: number[][]) => confusionAt(constantGradients(gs), new Float64Array(gs[0]?.length ?? 1));

describe('confusionAt', () => {
  it('η = −(most negative off-diagonal inner product): (1,0), (−1,1), (0,2) → dots −1, 0, 2 → 1', () => {
    expect(at([[1, 0], [-1, 1], [0, 2]])).toBe(1);
    // The last pair (i = 1, j = 2) is the most negative one: (1,0)·(2,3) = 2, (1,0)·(−3,−1) = −3, (2,3)·(−3,−1) = −9.
    expect(at([[1, 0], [2, 3], [-3, -1]])).toBe(9);
    // The last coordinate counts: (1, −5)·(1, 1) = −4.
    expect(at([[1, -5], [1, 1]])).toBe(4);
  });

  it('no disagreeing pair → 0; the diagonal (‖g_i‖²) is ignored; one component → 0; an orthogonal pair → 0; an opposite pair → ‖g‖²', () => {
    expect(at([[1, 2], [3, 4], [5, 6]])).toBe(0);
    expect(at([[2, 0]])).toBe(0);
    expect(at([[1, 0], [0, 1]])).toBe(0);
    expect(at([[1, 1], [-1, -1]])).toBe(2);
  });
});

describe('exactTolerance', () => {
  it('1e-12 · (k + 1) · |scale|', () => {
    expect(exactTolerance(0, 2)).toBeCloseTo(2e-12, 26);
    expect(exactTolerance(3, -5)).toBeCloseTo(2e-11, 25);
    expect(exactTolerance(9, 0.5)).toBeCloseTo(5e-12, 26);
  });
});
