/**
 * Small dense float64 linear algebra for the finite-sum problems of Section 3 (Theorems 3.1, 3.2,
 * Figure 1): vectors are Float64Array, a matrix is an array of rows (row i = a_i, the i-th data
 * vector) or a row-major d×d Float64Array where noted. Sizes here are tiny (d ≤ a few hundred),
 * so plain loops in a fixed order are used: results are bit-for-bit reproducible.
 */

/** <x, y> (loop in index order). */
export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k]! * y[k]!;
  return s;
}

/** ‖x‖². */
export function sqNorm(x: ArrayLike<number>): number {
  return dot(x, x);
}

/** y += s·x, in place; returns y. */
export function axpy(s: number, x: ArrayLike<number>, y: Float64Array): Float64Array {
  for (let k = 0; k < y.length; k++) y[k]! += s * x[k]!;
  return y;
}

/** The N×N Gram matrix C_ij = <a_i, a_j> of the rows, row-major. */
export function rowGram(rows: readonly Float64Array[]): Float64Array {
  const n = rows.length;
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = dot(rows[i]!, rows[j]!);
      c[i * n + j] = v;
      c[j * n + i] = v;
    }
  }
  return c;
}

/** H = (1/N) Σ_i a_i a_iᵀ (the Hessian of the least-squares finite sum), row-major d×d. */
export function meanOuter(rows: readonly Float64Array[], d: number): Float64Array {
  const h = new Float64Array(d * d);
  for (const a of rows) {
    for (let p = 0; p < d; p++) {
      const ap = a[p]!;
      if (ap === 0) continue;
      for (let q = 0; q < d; q++) h[p * d + q]! += ap * a[q]!;
    }
  }
  const n = rows.length;
  for (let k = 0; k < h.length; k++) h[k]! /= n;
  return h;
}

/**
 * Eigen-decomposition of a symmetric d×d matrix (row-major) by the cyclic Jacobi method: returns
 * the eigenvalues (ascending) and the eigenvectors as rows of `vectors` (row k ↔ value k). Jacobi
 * is slow (O(d³) per sweep) but accurate to a few ulps relative to ‖M‖, which is what the solvers
 * below need on the small matrices of the theorem checks.
 */
export function symEig(m: Float64Array, d: number): { values: Float64Array; vectors: Float64Array[] } {
  const a = Float64Array.from(m);
  const v = new Float64Array(d * d);
  for (let p = 0; p < d; p++) v[p * d + p] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q]! ** 2;
    if (off === 0) break;
    let diag = 0;
    for (let p = 0; p < d; p++) diag += a[p * d + p]! ** 2;
    if (off <= 1e-34 * diag) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        if (apq === 0) continue;
        const app = a[p * d + p]!;
        const aqq = a[q * d + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p]!;
          const vkq = v[k * d + q]!;
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, k) => k).sort((x, y) => a[x * d + x]! - a[y * d + y]!);
  const values = Float64Array.from(order, (k) => a[k * d + k]!);
  const vectors = order.map((k) => Float64Array.from({ length: d }, (_, r) => v[r * d + k]!));
  return { values, vectors };
}

/**
 * Minimizer of ‖A w − b‖² (A with rows a_i) by the normal equations solved through `symEig`, plus
 * two steps of iterative refinement (w += (AᵀA)⁻¹ Aᵀ(b − A w), the residual in float64). Requires
 * A of full column rank with condition number of AᵀA at most `maxCond` (otherwise returns null):
 * then w is a minimizer up to a relative error ~ cond·ε, and F(w) − F* is second order in that
 * error (≈ 1e-25 relative for cond ≤ 1e8), far below the theorem checks' rounding budget.
 */
export function leastSquaresSolve(rows: readonly Float64Array[], b: ArrayLike<number>, d: number, maxCond = 1e8): Float64Array | null {
  const ata = new Float64Array(d * d);
  for (const a of rows) for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) ata[p * d + q]! += a[p]! * a[q]!;
  const { values, vectors } = symEig(ata, d);
  const lmax = values[d - 1]!;
  const lmin = values[0]!;
  if (!(lmax > 0) || !(lmin > 0) || lmax / lmin > maxCond) return null;
  const solve = (rhs: Float64Array): Float64Array => {
    const out = new Float64Array(d);
    for (let k = 0; k < d; k++) axpy(dot(vectors[k]!, rhs) / values[k]!, vectors[k]!, out);
    return out;
  };
  const atr = (w: Float64Array): Float64Array => {
    const g = new Float64Array(d);
    rows.forEach((a, i) => axpy(b[i]! - dot(a, w), a, g));
    return g;
  };
  const w = solve(atr(new Float64Array(d)));
  for (let it = 0; it < 2; it++) axpy(1, solve(atr(w)), w);
  return w;
}

/** C = A B for row-major A (r×k) and B (k×c), float64. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let t = 0; t < k; t++) {
    const v = a[i * k + t]!;
    if (v === 0) continue;
    for (let j = 0; j < c; j++) out[i * c + j]! += v * b[t * c + j]!;
  }
  return out;
}

/** Aᵀ for row-major A (r×c), float64. */
export function transpose(a: ArrayLike<number>, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j]!;
  return out;
}
