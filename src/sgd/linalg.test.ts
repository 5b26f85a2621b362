/** Float64 linear algebra of the Section 3 problems, against hand values and independent closed forms. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { axpy, dot, leastSquaresSolve, matmul, meanOuter, rowGram, sqNorm, symEig, transpose } from './linalg.ts';

const rows = (...r: number[][]) => r.map((x) => Float64Array.from(x));

describe('vector and matrix helpers by hand', () => {
  it('dot, sqNorm, axpy (in place, returns y)', () => {
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(12);
    expect(sqNorm([3, 4])).toBe(25);
    const y = Float64Array.of(1, 1, 1);
    expect(axpy(2, [1, 2, 3], y)).toBe(y);
    expect(Array.from(y)).toEqual([3, 5, 7]);
  });

  it('rowGram: C_ij = <a_i, a_j>, symmetric, both triangles filled', () => {
    expect(Array.from(rowGram(rows([1, 0], [1, 2], [0, 3])))).toEqual([1, 1, 0, 1, 5, 6, 0, 6, 9]);
  });

  it('meanOuter: (1/N) Σ a aᵀ, zero entries skipped correctly', () => {
    // a = (1, 2): [[1, 2], [2, 4]]; a = (0, 3): [[0, 0], [0, 9]]; mean [[0.5, 1], [1, 6.5]].
    expect(Array.from(meanOuter(rows([1, 2], [0, 3]), 2))).toEqual([0.5, 1, 1, 6.5]);
    expect(Array.from(meanOuter(rows([3, 0], [1, 1]), 2))).toEqual([5, 0.5, 0.5, 0.5]);
  });

  it('matmul (2×3 · 3×2) and transpose (2×3) by hand, zero entries included', () => {
    const a = [1, 0, 2, -1, 3, 1];
    const b = [3, 1, 2, 1, 1, 0];
    expect(Array.from(matmul(a, b, 2, 3, 2))).toEqual([5, 1, 4, 2]);
    expect(Array.from(transpose(a, 2, 3))).toEqual([1, -1, 0, 3, 2, 1]);
    expect(Array.from(matmul([2], [3, 4], 1, 1, 2))).toEqual([6, 8]);
  });
});

describe('symEig (cyclic Jacobi)', () => {
  it('a 2×2 against the closed form: [[2, 1], [1, 2]] → 1, 3 with vectors (1, −1)/√2, (1, 1)/√2', () => {
    const { values, vectors } = symEig(Float64Array.of(2, 1, 1, 2), 2);
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    expect(Math.abs(vectors[0]![0]! * vectors[0]![1]!)).toBeCloseTo(0.5, 14);
    expect(vectors[0]![0]! * vectors[0]![1]!).toBeLessThan(0);
    expect(vectors[1]![0]! * vectors[1]![1]!).toBeGreaterThan(0);
  });

  it('a diagonal matrix: values sorted ascending, vectors the matching unit vectors', () => {
    const { values, vectors } = symEig(Float64Array.of(5, 0, 0, 0, -1, 0, 0, 0, 2), 3);
    expect(Array.from(values)).toEqual([-1, 2, 5]);
    expect(vectors.map((v) => Array.from(v))).toEqual([[0, 1, 0], [0, 0, 1], [1, 0, 0]]);
  });

  it('random symmetric matrices (d ≤ 6): V is orthonormal, M v_k = λ_k v_k, trace and Frobenius norm preserved (fast-check, seed 8)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }).chain((d) => fc.tuple(fc.constant(d), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: d * d, maxLength: d * d }))), ([d, x]) => {
      const m = new Float64Array(d * d);
      for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) m[p * d + q] = (x[p * d + q]! + x[q * d + p]!) / 2;
      const { values, vectors } = symEig(m, d);
      const scale = Math.max(1, Math.sqrt(dot(m, m)));
      for (let k = 1; k < d; k++) expect(values[k]!).toBeGreaterThanOrEqual(values[k - 1]!);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) expect(Math.abs(dot(vectors[i]!, vectors[j]!) - (i === j ? 1 : 0))).toBeLessThan(1e-12);
        const mv = matmul(m, vectors[i]!, d, d, 1);
        for (let p = 0; p < d; p++) expect(Math.abs(mv[p]! - values[i]! * vectors[i]![p]!)).toBeLessThan(1e-11 * scale);
      }
      let tr = 0;
      for (let p = 0; p < d; p++) tr += m[p * d + p]!;
      expect(Math.abs(values.reduce((s, v) => s + v, 0) - tr)).toBeLessThan(1e-11 * scale);
      expect(Math.abs(sqNorm(values) - dot(m, m))).toBeLessThan(1e-10 * scale * scale);
    }), { seed: 8, numRuns: 200 });
  });
});

describe('leastSquaresSolve', () => {
  it('an overdetermined 3×2 system by hand: rows (1,0), (0,1), (1,1), b = (1, 2, 4) → w = (4/3, 7/3)', () => {
    // AᵀA = [[2, 1], [1, 2]], Aᵀb = (5, 6) ⇒ w = (1/3)[[2, −1], [−1, 2]](5, 6) = (4/3, 7/3).
    const w = leastSquaresSolve(rows([1, 0], [0, 1], [1, 1]), [1, 2, 4], 2)!;
    expect(w[0]).toBeCloseTo(4 / 3, 14);
    expect(w[1]).toBeCloseTo(7 / 3, 14);
  });

  it('rank deficient → null; condition number above maxCond → null, at or below → a solution', () => {
    expect(leastSquaresSolve(rows([1, 1], [2, 2]), [1, 2], 2)).toBeNull();
    expect(leastSquaresSolve(rows([0, 0]), [1], 2)).toBeNull();
    // AᵀA = diag(1, 1e-6): condition number 1e6.
    const a = rows([1, 0], [0, 1e-3]);
    expect(leastSquaresSolve(a, [1, 1], 2, 1e5)).toBeNull();
    const w = leastSquaresSolve(a, [1, 1], 2, 1e7)!;
    expect(w[0]).toBeCloseTo(1, 12);
    expect(w[1]).toBeCloseTo(1000, 8);
    expect(leastSquaresSolve(a, [1, 1], 2)).not.toBeNull();
  });

  it('iterative refinement: on an ill-conditioned system (cond 1e7) the normal-equation residual Aᵀ(b − Aw) is at rounding level', () => {
    const a = rows([1, 1], [1, 1 + 1e-3], [1, 1 - 1e-3]);
    const b = [1, 2, 0.5];
    const w = leastSquaresSolve(a, b, 2)!;
    const g = [0, 0];
    a.forEach((r, i) => { const res = b[i]! - dot(r, w); g[0]! += res * r[0]!; g[1]! += res * r[1]!; });
    expect(Math.abs(g[0]!) + Math.abs(g[1]!)).toBeLessThan(1e-12);
    // By hand: w₀ + w₁(1 + t) with t = (0, 1e-3, −1e-3) is a fit of b on (1, t): slope w₁ = Σtb/Σt² = 1.5e-3/2e-6 = 750, intercept w₀ + w₁ = mean b = 7/6.
    expect(w[1]!).toBeCloseTo(750, 6);
    expect(w[0]! + w[1]!).toBeCloseTo(3.5 / 3, 9);
  });
});
