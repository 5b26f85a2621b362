/** The instance arbitraries of Theorems 3.1 / 3.2: sizes, shapes and grids each family promises, materialize by hand, the oracle choice. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALL_FAMILIES, exactExpectations, familyArb, materialize, maxEnumerableT, type Family, type SgdInstance } from './instances.ts';
import { LeastSquares } from './least-squares.ts';
import { LogisticRegression } from './logistic.ts';
import { RobustRegression } from './robust-regression.ts';

const SIZES: Record<Family, { n: [number, number]; d: [number, number] }> = {
  'ls-interp': { n: [2, 5], d: [1, 4] }, 'ls-noisy': { n: [2, 6], d: [1, 3] },
  'logistic-orth': { n: [2, 3], d: [2, 4] }, 'logistic-near': { n: [2, 3], d: [2, 4] },
  'robust-interp': { n: [2, 4], d: [1, 3] }, 'robust-noisy': { n: [2, 4], d: [1, 3] },
};
const onGrid = (v: number, step: number) => Number.isInteger(v / step);

describe('maxEnumerableT', () => {
  it('the largest T with N^T ≤ cap (729 by default), the cap included', () => {
    expect([2, 3, 4, 6, 9, 27, 729, 730].map((n) => maxEnumerableT(n))).toEqual([9, 6, 4, 3, 3, 2, 1, 0]);
    expect(maxEnumerableT(2, 8)).toBe(3);
    expect(maxEnumerableT(2, 7)).toBe(2);
  });
});

describe('familyArb', () => {
  for (const family of ALL_FAMILIES) {
    it(`${family}: sizes, grids, labels, step fraction and horizon as promised (200 samples, seed 5)`, () => {
      const insts = fc.sample(familyArb(family), { seed: 5, numRuns: 200 });
      const { n, d } = SIZES[family];
      const enumerated = !family.startsWith('ls-');
      const seenT = new Set<number>();
      for (const x of insts) {
        const N = x.rows.length;
        const D = x.rows[0]!.length;
        expect(x.family).toBe(family);
        expect(N).toBeLessThanOrEqual(n[1]);
        expect(N).toBeGreaterThanOrEqual(family.startsWith('logistic') ? Math.min(n[0], D) : n[0]);
        expect(D).toBeGreaterThanOrEqual(family === 'ls-noisy' ? 1 : d[0]);
        expect(D).toBeLessThanOrEqual(d[1]);
        expect(x.rows.every((r) => r.length === D)).toBe(true);
        expect(x.w0).toHaveLength(D);
        expect(x.w0.every((v) => onGrid(v, 0.25) && Math.abs(v) <= 2)).toBe(true);
        expect(x.aux).toHaveLength(N);
        expect(onGrid(x.alphaFrac, 1 / 64) && x.alphaFrac > 0 && x.alphaFrac < 1).toBe(true);
        expect(x.T).toBeGreaterThanOrEqual(1);
        expect(x.T).toBeLessThanOrEqual(enumerated ? Math.max(1, Math.min(9, maxEnumerableT(N))) : 24);
        seenT.add(x.T);
        expect(materialize(x)).not.toBeNull();
        if (family === 'ls-noisy') expect(D).toBeLessThanOrEqual(N - 1);
        if (family.startsWith('logistic')) {
          expect(N).toBeLessThanOrEqual(D);
          expect(x.aux.every((y) => y === 1 || y === -1)).toBe(true);
        } else {
          expect(x.aux.every((v) => onGrid(v, 0.25) && Math.abs(v) <= 2)).toBe(true);
        }
        if (family === 'logistic-orth') {
          // Diagonal rows ±s·j/4, j ∈ 1..8, s = 2^e, e ∈ −2..2.
          x.rows.forEach((r, i) => r.forEach((v, k) => {
            if (k !== i) expect(v).toBe(0);
            else { expect(v).not.toBe(0); expect(onGrid(Math.abs(v), 1 / 16) && Math.abs(v) <= 8).toBe(true); }
          }));
        }
        if (!family.startsWith('logistic')) expect(x.rows.flat().every((v) => onGrid(v, 1 / 16) && Math.abs(v) <= 8)).toBe(true);
      }
      // The horizon range is used, not one value.
      expect(seenT.size).toBeGreaterThan(2);
      if (!enumerated) expect(Math.max(...seenT)).toBeGreaterThan(9);
    });
  }

  it('logistic-near perturbs the orthogonal rows (some off-diagonal entry ≠ 0); logistic-orth never does', () => {
    const near = fc.sample(familyArb('logistic-near'), { seed: 5, numRuns: 100 });
    expect(near.some((x) => x.rows.some((r, i) => r.some((v, k) => k !== i && v !== 0)))).toBe(true);
    // Both signs of the diagonal occur.
    const orth = fc.sample(familyArb('logistic-orth'), { seed: 5, numRuns: 100 });
    const diag = orth.flatMap((x) => x.rows.map((r, i) => r[i]!));
    expect(diag.some((v) => v > 0) && diag.some((v) => v < 0)).toBe(true);
  });
});

describe('materialize', () => {
  it('ls-interp by hand: rows (1), (2), w0 = 1, aux = (1, 0) ⇒ w* = w0 − Σ aux_i a_i = 0, F(w0) − F* = 1.25', () => {
    const inst: SgdInstance = { family: 'ls-interp', rows: [[1], [2]], aux: [1, 0], alphaFrac: 0.5, T: 1, w0: [1] };
    const p = materialize(inst)!;
    expect(p).toBeInstanceOf(LeastSquares);
    expect(p.gap(Float64Array.of(0))).toBe(0);
    expect(p.gap(Float64Array.of(1))).toBeCloseTo(1.25, 15);
    // aux acts through every coordinate: rows (1, 1), w0 = (1, 2), aux = 0.5 ⇒ w* = (0.5, 1.5).
    const q = materialize({ family: 'ls-interp', rows: [[1, 1]], aux: [0.5], alphaFrac: 0.5, T: 1, w0: [1, 2] })!;
    expect(q.gap(Float64Array.of(0.5, 1.5))).toBe(0);
  });

  it('each family gives its problem class; degenerate data gives null', () => {
    const base = { alphaFrac: 0.5, T: 1 };
    expect(materialize({ ...base, family: 'robust-interp', rows: [[1], [2]], aux: [1, 0], w0: [1] })).toBeInstanceOf(RobustRegression);
    expect(materialize({ ...base, family: 'robust-noisy', rows: [[1], [2]], aux: [1, 0], w0: [1] })).toBeInstanceOf(RobustRegression);
    expect(materialize({ ...base, family: 'ls-noisy', rows: [[1], [2]], aux: [1, 0], w0: [1] })!.family).toBe('ls-noisy');
    expect(materialize({ ...base, family: 'logistic-orth', rows: [[1, 0], [0, -1]], aux: [1, -1], w0: [0, 0] })).toBeInstanceOf(LogisticRegression);
    expect(materialize({ ...base, family: 'ls-noisy', rows: [[0], [0]], aux: [1, 0], w0: [1] })).toBeNull();
    expect(materialize({ ...base, family: 'ls-interp', rows: [[0], [0]], aux: [1, 0], w0: [1] })).toBeNull();
  });
});

describe('exactExpectations', () => {
  it('least squares: the moment oracle (auto) and the enumeration agree; other families always enumerate', () => {
    const p = materialize({ family: 'ls-interp', rows: [[1, 0], [1, 1]], aux: [0.5, -0.25], alphaFrac: 0.5, T: 3, w0: [1, 2] })!;
    const w0 = Float64Array.of(1, 2);
    const m = exactExpectations(p, w0, 0.2, 3);
    const e = exactExpectations(p, w0, 0.2, 3, 'enumerate');
    expect([m.method, e.method]).toEqual(['moments', 'enumeration']);
    for (let k = 0; k <= 3; k++) expect(m.gap[k]!).toBeCloseTo(e.gap[k]!, 13);
    const r = materialize({ family: 'robust-interp', rows: [[1], [2]], aux: [1, 0], alphaFrac: 0.5, T: 1, w0: [1] })!;
    expect(exactExpectations(r, Float64Array.of(1), 0.1, 2).method).toBe('enumeration');
  });
});
