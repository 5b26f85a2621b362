/**
 * The exact expectation oracle for quadratic finite sums (least squares), used by Theorems 3.1 and
 * 3.2: propagates the mean and second moment of the SGD iterate under uniform sampling, float64.
 *
 * In the coordinates e = w − w_ref (w_ref = w* or the least-squares solution, residuals s_i there),
 * a step on example i is e' = P_i e − α s_i a_i with P_i = I − α a_i a_iᵀ. With m_k = E e_k and
 * S_k = E[e_k e_kᵀ], averaging over i uniform:
 *   m_{k+1} = m_k − α (H m_k + q),                       H = (1/N) Σ a_i a_iᵀ, q = (1/N) Σ s_i a_i
 *   S_{k+1} = (1/N) Σ_i [P_i S_k P_i − α s_i (P_i m_k a_iᵀ + a_i m_kᵀ P_i) + α² s_i² a_i a_iᵀ],
 *   P_i S P_i = S − α a_i (S a_i)ᵀ − α (S a_i) a_iᵀ + α² (a_iᵀ S a_i) a_i a_iᵀ,
 * and then exactly
 *   E[F(w_k)] − F* = ½ tr(H S_k) + qᵀ m_k,
 *   E‖∇F(w_k)‖²     = tr(H S_k H) + 2 qᵀ H m_k + ‖q‖²        (∇F(w) = H e + q).
 * (F* = F(w_ref); q = 0 exactly in the interpolating family.)
 *
 * Rounding: one step costs O(N d²) operations, each entry of S_{k+1} is a sum of ≤ 4N + 1 terms of
 * size ≤ ~‖S_k‖·max(1, α‖a_i‖²)² computed with ≤ 2d + 4 roundings, and ‖P_i‖ ≤ 1 (α‖a_i‖² ≤ 2), so
 * errors are not amplified from step to step: after k steps the absolute error in S is at most
 * k·(4N + 1)(2d + 4)·ε·max_j ‖S_j‖ (+ the same for m), i.e. ≲ 1e-13·k·‖S‖ for N ≤ 8, d ≤ 6.
 * See src/sgd/tolerance.ts for the budget the theorem checks allow.
 */
import type { LeastSquares } from './least-squares.ts';
import { meanOuter } from './linalg.ts';
import type { ExpectationTrajectory } from './enumerate.ts';

/** E[F(w_k) − F*] and E‖∇F(w_k)‖² for k = 0..T, exactly (float64), plus the moments. */
export interface MomentTrajectory extends ExpectationTrajectory {
  /** E[w_k − w_ref]. */
  mean: Float64Array[];
}

/** Runs the moment recursion of the module doc for T steps from the deterministic w0. */
export function momentOracle(ls: LeastSquares, w0: ArrayLike<number>, alpha: number, T: number): MomentTrajectory {
  const { d, n, rows, s, q } = ls;
  const H = meanOuter(rows, d);
  let m = Float64Array.from({ length: d }, (_, k) => w0[k]! - ls.wref[k]!);
  let S = new Float64Array(d * d);
  for (let p = 0; p < d; p++) for (let r = 0; r < d; r++) S[p * d + r] = m[p]! * m[r]!;
  const gap = new Float64Array(T + 1);
  const gradSq = new Float64Array(T + 1);
  const mean: Float64Array[] = [];
  const Sa = new Float64Array(d);
  const Pm = new Float64Array(d);
  const evaluate = (k: number): void => {
    // ½ tr(H S) + qᵀ m
    let tr = 0;
    for (let p = 0; p < d; p++) for (let r = 0; r < d; r++) tr += H[p * d + r]! * S[r * d + p]!;
    let qm = 0;
    for (let p = 0; p < d; p++) qm += q[p]! * m[p]!;
    gap[k] = 0.5 * tr + qm;
    // tr(H S H) + 2 qᵀ H m + ‖q‖²
    const HS = new Float64Array(d * d);
    for (let p = 0; p < d; p++) for (let r = 0; r < d; r++) {
      let v = 0;
      for (let t = 0; t < d; t++) v += H[p * d + t]! * S[t * d + r]!;
      HS[p * d + r] = v;
    }
    let tr2 = 0;
    for (let p = 0; p < d; p++) for (let r = 0; r < d; r++) tr2 += HS[p * d + r]! * H[r * d + p]!;
    let qHm = 0;
    let qq = 0;
    for (let p = 0; p < d; p++) {
      let hm = 0;
      for (let t = 0; t < d; t++) hm += H[p * d + t]! * m[t]!;
      qHm += q[p]! * hm;
      qq += q[p]! * q[p]!;
    }
    gradSq[k] = tr2 + 2 * qHm + qq;
    mean.push(Float64Array.from(m));
  };
  evaluate(0);
  for (let k = 0; k < T; k++) {
    const S2 = new Float64Array(d * d);
    const m2 = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const a = rows[i]!;
      const si = s[i]!;
      let aSa = 0;
      for (let p = 0; p < d; p++) {
        let v = 0;
        for (let r = 0; r < d; r++) v += S[p * d + r]! * a[r]!;
        Sa[p] = v;
        aSa += a[p]! * v;
      }
      let am = 0;
      for (let p = 0; p < d; p++) am += a[p]! * m[p]!;
      for (let p = 0; p < d; p++) Pm[p] = m[p]! - alpha * a[p]! * am;
      const c2 = alpha * alpha * aSa + alpha * alpha * si * si;
      for (let p = 0; p < d; p++) {
        const ap = a[p]!;
        for (let r = 0; r < d; r++) {
          const ar = a[r]!;
          S2[p * d + r]! += S[p * d + r]! - alpha * (ap * Sa[r]! + Sa[p]! * ar) + c2 * ap * ar - alpha * si * (Pm[p]! * ar + ap * Pm[r]!);
        }
        m2[p]! += Pm[p]! - alpha * si * ap;
      }
    }
    for (let t = 0; t < d * d; t++) S2[t]! /= n;
    for (let p = 0; p < d; p++) m2[p]! /= n;
    S = S2;
    m = m2;
    evaluate(k + 1);
  }
  return { gap, gradSq, mean };
}

/**
 * The same expectations by the plainest route, for re-checks and as the recursion's slow twin:
 * each step forms every P_i = I − α a_i a_iᵀ as a dense matrix and the vector c_i = α s_i a_i, and
 * averages E[(P_i e − c_i)(P_i e − c_i)ᵀ] = P_i S P_iᵀ − P_i m c_iᵀ − c_i mᵀ P_iᵀ + c_i c_iᵀ with
 * generic matrix products (no rank-one shortcuts), then reads E[F] − F* = ½ tr(H S) + qᵀm and
 * E‖∇F‖² = E‖H e + q‖² = tr(H S Hᵀ) + 2 qᵀ H m + ‖q‖² with H and q formed from their definitions.
 * O(N d³) per step.
 */
export function momentOracleDense(ls: LeastSquares, w0: ArrayLike<number>, alpha: number, T: number): ExpectationTrajectory {
  const { d, n, rows, s } = ls;
  const mul = (A: number[][], B: number[][]): number[][] => A.map((row) => B[0]!.map((_, j) => row.reduce((acc, v, k) => acc + v * B[k]![j]!, 0)));
  const tr = (A: number[][]): number[][] => A[0]!.map((_, j) => A.map((row) => row[j]!));
  const outer = (x: number[], y: number[]): number[][] => x.map((xi) => y.map((yj) => xi * yj));
  const add = (A: number[][], B: number[][], c = 1): number[][] => A.map((row, i) => row.map((v, j) => v + c * B[i]![j]!));
  const matvec = (A: number[][], x: number[]): number[] => A.map((row) => row.reduce((acc, v, k) => acc + v * x[k]!, 0));
  const a = rows.map((r) => Array.from(r));
  const P = a.map((ai) => add(Array.from({ length: d }, (_, p) => Array.from({ length: d }, (_, r) => (p === r ? 1 : 0))), outer(ai, ai), -alpha));
  const c = a.map((ai, i) => ai.map((v) => alpha * s[i]! * v));
  let H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const ai of a) H = add(H, outer(ai, ai), 1 / n);
  const q = new Array<number>(d).fill(0);
  a.forEach((ai, i) => ai.forEach((v, k) => { q[k]! += (s[i]! * v) / n; }));
  let m = Array.from({ length: d }, (_, k) => w0[k]! - ls.wref[k]!);
  let S = outer(m, m);
  const gap = new Float64Array(T + 1);
  const gradSq = new Float64Array(T + 1);
  const read = (k: number) => {
    const HS = mul(H, S);
    gap[k] = 0.5 * HS.reduce((acc, row, i) => acc + row[i]!, 0) + q.reduce((acc, v, i) => acc + v * m[i]!, 0);
    const HSH = mul(HS, tr(H));
    const Hm = matvec(H, m);
    gradSq[k] = HSH.reduce((acc, row, i) => acc + row[i]!, 0) + 2 * q.reduce((acc, v, i) => acc + v * Hm[i]!, 0) + q.reduce((acc, v) => acc + v * v, 0);
  };
  read(0);
  for (let k = 0; k < T; k++) {
    let S2 = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    let m2 = new Array<number>(d).fill(0);
    for (let i = 0; i < n; i++) {
      const Pi = P[i]!;
      const Pm = matvec(Pi, m);
      let term = mul(mul(Pi, S), tr(Pi));
      term = add(term, outer(Pm, c[i]!), -1);
      term = add(term, outer(c[i]!, Pm), -1);
      term = add(term, outer(c[i]!, c[i]!));
      S2 = add(S2, term, 1 / n);
      m2 = m2.map((v, p) => v + (Pm[p]! - c[i]![p]!) / n);
    }
    S = S2;
    m = m2;
    read(k + 1);
  }
  return { gap, gradSq };
}
