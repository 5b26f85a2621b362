/**
 * Eigenvalues of a real symmetric matrix (row-major n×n, float64), in descending order.
 *
 * Fast path `symmetricEigenvalues`: Householder reduction to tridiagonal form, then the implicit
 * QL algorithm with Wilkinson-type shifts (Golub & Van Loan, "Matrix Computations", §8.3; the
 * classic tred2/tql1 pair without eigenvectors) — about (4/3) n³ flops.
 * Slow twin `jacobiEigenvalues`: cyclic Jacobi rotations until the off-diagonal mass vanishes
 * (Golub & Van Loan §8.5) — obviously correct, O(n³) per sweep; for tests.
 * The input is symmetrized as (A + Aᵀ)/2 first, so a Gram
 * accumulated in float32 with tiny asymmetries is handled consistently by both.
 */

function symmetrized(a: ArrayLike<number>, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`matrix has ${a.length} entries, expected ${n}×${n}`);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = (a[i * n + j]! + a[j * n + i]!) / 2;
  return s;
}

const descending = (v: Float64Array) => v.sort().reverse();

/** Eigenvalues (descending) by Householder tridiagonalization + implicit QL. */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): Float64Array {
  const a = symmetrized(matrix, n);
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[i] couples d[i] and d[i+1]
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    // Householder vector for column k below the diagonal: H x = alpha e_1.
    let norm = 0;
    for (let i = k + 1; i < n; i++) norm += a[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    d[k] = a[k * n + k]!;
    if (norm === 0) {
      e[k] = 0;
      continue;
    }
    const x0 = a[(k + 1) * n + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    let vn = 0;
    for (let i = k + 1; i < n; i++) {
      v[i] = a[i * n + k]! - (i === k + 1 ? alpha : 0);
      vn += v[i]! ** 2;
    }
    vn = Math.sqrt(vn);
    e[k] = alpha;
    if (vn === 0) continue;
    for (let i = k + 1; i < n; i++) v[i]! /= vn;
    // A' = H A H = A − 2 v wᵀ − 2 w vᵀ on the trailing block, with p = A v and w = p − (vᵀp) v.
    let vp = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[i * n + j]! * v[j]!;
      p[i] = s;
      vp += v[i]! * s;
    }
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - vp * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = k + 1; j < n; j++) a[i * n + j]! -= 2 * (vi * p[j]! + wi * v[j]!);
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 2] = a[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1]!;
  e[n - 1] = 0;
  // Implicit QL with shifts on the tridiagonal (d, e). An off-diagonal entry is negligible when
  // below ε relative to its neighbours or ε·‖T‖ absolutely: the reduction already perturbed the
  // eigenvalues by ~ε‖A‖, and a purely relative test never fires inside a cluster of (numerically)
  // zero eigenvalues — the rank-deficient Grams of n examples with fewer parameters than n.
  let tnorm = 0;
  for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(d[i]!) + Math.abs(e[i]!) + (i > 0 ? Math.abs(e[i - 1]!) : 0));
  const floor = Number.EPSILON * tnorm;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Math.max(Number.EPSILON * dd, floor)) break;
      }
      if (m === l) break;
      if (iter === 100) throw new Error('symmetricEigenvalues: QL did not converge');
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let pp = 0;
      let i = m - 1;
      let deflated = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1]! -= pp;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - pp;
        r = (d[i]! - g) * s + 2 * c * b;
        pp = s * r;
        d[i + 1] = g + pp;
        g = c * r - b;
      }
      if (deflated) continue;
      d[l]! -= pp;
      e[l] = g;
      e[m] = 0;
    }
  }
  return descending(d);
}

/** Slow twin: eigenvalues (descending) by cyclic Jacobi rotations. */
export function jacobiEigenvalues(matrix: ArrayLike<number>, n: number): Float64Array {
  const a = symmetrized(matrix, n);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i]! ** 2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        // Rotation angle that zeroes a_pq: tan(2θ) = 2 a_pq / (a_qq − a_pp).
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return descending(Float64Array.from({ length: n }, (_, i) => a[i * n + i]!));
}
