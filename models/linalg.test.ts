import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { operatorNorm, qrThin, randomOrthogonal } from './linalg.ts';
import { Rng } from '../src/rng.ts';
import { BadInputError } from '../src/errors.ts';

// Row-major helpers written independently of the code under test.
function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const aip = a[i * k + p]!;
    for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + aip * b[p * n + j]!;
  }
  return c;
}
/** Householder reflector I - 2 v v^T / |v|^2 (orthogonal and symmetric). */
function reflector(v: number[]): Float64Array {
  const n = v.length;
  const vv = v.reduce((a, x) => a + x * x, 0);
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[i * n + j] = (i === j ? 1 : 0) - (2 * v[i]! * v[j]!) / vv;
  return h;
}
const norm2 = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0));
const relClose = (got: number, want: number, tol = 1e-12): void => {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(tol * Math.abs(want));
};

describe('operatorNorm against closed forms (seeded, seed 7)', () => {
  it('diagonal matrices: the largest |entry|, square and rectangular', () => {
    relClose(operatorNorm(Float64Array.from([3, 0, 0, 0, -7, 0, 0, 0, 2]), 3, 3), 7);
    relClose(operatorNorm(Float64Array.from([1, 0, 0, -5, 0, 0, 0, 0]), 4, 2), 5);
    relClose(operatorNorm(Float64Array.from([0.5, 0, 0, 0, 0, 0.25, 0, 0]), 2, 4), 0.5);
    relClose(operatorNorm(Float64Array.from([-4]), 1, 1), 4);
  });

  it('rank one u v^T has norm |u| |v| (tall, wide, square, vectors)', () => {
    const rng = new Rng(7);
    for (const [m, n] of [[1, 1], [1, 9], [9, 1], [5, 5], [40, 7], [7, 40], [64, 64]] as const) {
      const u = rng.normals(m);
      const v = rng.normals(n);
      const a = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[i * n + j] = u[i]! * v[j]!;
      relClose(operatorNorm(a, m, n), norm2(u) * norm2(v));
    }
  });

  it('orthogonal matrices have norm 1: rotation, permutation, normalized Hadamard', () => {
    const t = 0.3;
    relClose(operatorNorm(Float64Array.from([Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)]), 2, 2), 1);
    relClose(operatorNorm(Float64Array.from([0, 1, 0, 0, 0, 1, 1, 0, 0]), 3, 3), 1);
    // Sylvester Hadamard H_16 / 4: H[i][j] = (-1)^popcount(i & j).
    const n = 16;
    const h = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let b = i & j; let c = 0;
      while (b) { c += b & 1; b >>= 1; }
      h[i * n + j] = (c % 2 ? -1 : 1) / 4;
    }
    relClose(operatorNorm(h, n, n), 1);
  });

  it('U diag(s) V^T with reflectors U, V has norm max |s| (tall and wide)', () => {
    const rng = new Rng(8);
    for (const [m, n] of [[30, 12], [12, 30], [25, 25]] as const) {
      const k = Math.min(m, n);
      const s = Array.from({ length: k }, (_, i) => (i === 3 ? 2.5 : rng.uniform() * 2));
      const sig = new Float64Array(m * n);
      s.forEach((v, i) => { sig[i * n + i] = v; });
      const u = reflector(Array.from(rng.normals(m)));
      const vt = reflector(Array.from(rng.normals(n)));
      const a = matmul(matmul(u, sig, m, m, n), vt, m, n, n);
      relClose(operatorNorm(a, m, n), Math.max(...s), 1e-12);
    }
  });

  it('2x2: [[3,0],[4,5]] has singular values sqrt(45), sqrt(5)', () => {
    relClose(operatorNorm(Float64Array.from([3, 0, 4, 5]), 2, 2), Math.sqrt(45));
  });

  it('2x2 closed form (sqrt((a+d)^2+(b-c)^2) + sqrt((a-d)^2+(b+c)^2)) / 2 for random entries', () => {
    const entry = fc.double({ min: -100, max: 100, noNaN: true });
    fc.assert(fc.property(entry, entry, entry, entry, (a, b, c, d) => {
      const want = (Math.hypot(a + d, b - c) + Math.hypot(a - d, b + c)) / 2;
      const got = operatorNorm(Float64Array.from([a, b, c, d]), 2, 2);
      // Absolute slack relative to the largest entry: the closed form itself loses accuracy
      // when a + d or b - c cancel.
      const big = Math.max(Math.abs(a), Math.abs(b), Math.abs(c), Math.abs(d));
      return Math.abs(got - want) <= 1e-12 * Math.max(want, big);
    }), { seed: 11, numRuns: 300 });
  });

  it('is scale-invariant across extreme magnitudes and accepts Float32Array', () => {
    relClose(operatorNorm(Float64Array.from([1e200, 0, 0, 3e200]), 2, 2), 3e200);
    relClose(operatorNorm(Float64Array.from([1e-200, 0, 0, -3e-200]), 2, 2), 3e-200);
    relClose(operatorNorm(Float32Array.from([0, 2, 0, 0, 0, 0.5]), 2, 3), 2);
  });

  it('sits between the largest column norm and the Frobenius norm; ||A x|| <= ||A|| ||x||', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (m, n, seed) => {
      const rng = new Rng(seed);
      const a = rng.normals(m * n);
      const s = operatorNorm(a, m, n);
      const fro = norm2(a);
      let maxCol = 0;
      for (let j = 0; j < n; j++) {
        let c = 0;
        for (let i = 0; i < m; i++) c += a[i * n + j]! ** 2;
        maxCol = Math.max(maxCol, Math.sqrt(c));
      }
      const x = rng.normals(n);
      const ax = matmul(a, x, m, n, 1);
      const tol = 1e-12 * fro;
      return s <= fro + tol && s >= maxCol - tol && norm2(ax) <= s * norm2(x) + tol * norm2(x)
        && s >= fro / Math.sqrt(Math.min(m, n)) - tol;
    }), { seed: 12, numRuns: 200 });
  });

  it('zero and empty matrices have norm 0; bad input throws BadInputError', () => {
    expect(operatorNorm(new Float64Array(6), 2, 3)).toBe(0);
    expect(operatorNorm(new Float64Array(0), 0, 5)).toBe(0);
    expect(() => operatorNorm(new Float64Array(5), 2, 3)).toThrow(BadInputError);
    expect(() => operatorNorm(Float64Array.from([1, NaN]), 1, 2)).toThrow(/entry 1 is NaN/);
  });
});

describe('qrThin (seeded, seed 21)', () => {
  it('A = Q R, Q^T Q = I, R upper triangular with R_ii >= 0, for tall and square A', () => {
    const rng = new Rng(21);
    for (const [m, n] of [[1, 1], [6, 6], [20, 7], [50, 50]] as const) {
      const a = rng.normals(m * n);
      const { q, r } = qrThin(a, m, n);
      const qr = matmul(q, r, m, n, n);
      for (let i = 0; i < m * n; i++) expect(Math.abs(qr[i]! - a[i]!)).toBeLessThan(1e-12 * 10);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < m; k++) s += q[k * n + i]! * q[k * n + j]!;
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-13);
        if (i > j) expect(r[i * n + j]).toBe(0);
      }
      for (let i = 0; i < n; i++) expect(r[i * n + i]!).toBeGreaterThanOrEqual(0);
    }
  });

  it('reproduces a hand-computed factorization: [[3],[4]] = [[0.6],[0.8]] [[5]]', () => {
    const { q, r } = qrThin(Float64Array.from([3, 4]), 2, 1);
    expect(q[0]).toBeCloseTo(0.6, 14);
    expect(q[1]).toBeCloseTo(0.8, 14);
    expect(r[0]).toBeCloseTo(5, 14);
    const neg = qrThin(Float64Array.from([-3, -4]), 2, 1); // sign fix keeps R_11 = +5
    expect(neg.r[0]).toBeCloseTo(5, 14);
    expect(neg.q[0]).toBeCloseTo(-0.6, 14);
  });

  it('rejects wide input', () => {
    expect(() => qrThin(new Float64Array(6), 2, 3)).toThrow(BadInputError);
  });
});

describe('randomOrthogonal (seeded, seed 31)', () => {
  it('has orthonormal columns when tall and orthonormal rows when wide', () => {
    const rng = new Rng(31);
    for (const [m, n] of [[9, 4], [4, 9], [7, 7]] as const) {
      const w = randomOrthogonal(m, n, rng);
      const k = Math.min(m, n);
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
        let s = 0;
        if (m >= n) for (let i = 0; i < m; i++) s += w[i * n + a]! * w[i * n + b]!;
        else for (let j = 0; j < n; j++) s += w[a * n + j]! * w[b * n + j]!;
        expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-13);
      }
    }
  });
});
