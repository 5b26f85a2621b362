/**
 * A smooth non-convex finite sum with known L, for Theorem 3.2 (A1 only) and, on the region an SGD
 * path can reach, Theorem 3.1 (../shared/paper/THEOREMS.md): robust (Geman–McClure) regression
 *   f_i(w) = φ(a_iᵀ w − b_i),  φ(r) = r² / (1 + r²).
 * φ is bounded (0 ≤ φ < 1) and non-convex (φ''(r) = (2 − 6r²)/(1 + r²)³ < 0 for |r| > 1/√3), so F is
 * non-convex in general.
 *
 * Constants:
 * - L = 2 max_i ‖a_i‖²: ∇²f_i = φ''(r) a_i a_iᵀ and max |φ''| = φ''(0) = 2 (the minimum is −1/2).
 * - |φ'(r)| = |2r/(1 + r²)²| ≤ φ'(1/√3) = 9/(8√3), so globally |<∇f_i, ∇f_j>| ≤ (27/64)|c_ij|.
 * - 'robust-interp': b = A w*, F* = 0 exactly (φ ≥ 0, φ(0) = 0). 'robust-noisy': generic b, F* is
 *   not known in closed form; F*_lo = 0 ≤ F* is used (`fstarExact` = false), which can only enlarge
 *   F(w_1) − F* in Thm 3.2's bound — never use this family where a smaller gap would be unsafe.
 * - Per-component PL (A2) with f_i* = 0: ½‖∇f_i‖² / f_i = 2‖a_i‖²/(1 + r²)³, decreasing in |r|, so
 *   it holds on any residual box |r_i| ≤ ρ_i with μ = min_i 2‖a_i‖²/(1 + ρ_i²)³.
 */
import { BadInputError } from '../errors.ts';
import { rowGram, sqNorm } from './linalg.ts';
import type { FiniteSumProblem, PathConstants } from './problem.ts';

/** max |φ'| = φ'(1/√3) = 9/(8√3). */
export const ROBUST_DPHI_MAX = 9 / (8 * Math.sqrt(3));

/** φ(r) = r²/(1 + r²). */
export function robustPhi(r: number): number {
  const r2 = r * r;
  return r2 / (1 + r2);
}

/** φ'(r) = 2r/(1 + r²)². */
export function robustDphi(r: number): number {
  const q = 1 + r * r;
  return (2 * r) / (q * q);
}

export type RobustFamily = 'robust-interp' | 'robust-noisy';

/** Geman–McClure robust regression (smooth, non-convex; Thm 3.2, Thm 3.1 on its path region). */
export class RobustRegression implements FiniteSumProblem {
  readonly family: RobustFamily;
  readonly n: number;
  readonly d: number;
  readonly L: number;
  readonly fstarExact: boolean;
  readonly fstar = 0;
  readonly rows: readonly Float64Array[];
  /** Reference point (w* when interpolating, 0 otherwise) and residuals s_i = a_iᵀ w_ref − b_i there. */
  readonly wref: Float64Array;
  readonly s: Float64Array;
  readonly gram: Float64Array;

  private constructor(family: RobustFamily, rows: readonly Float64Array[], wref: Float64Array, s: Float64Array) {
    if (rows.length < 1) throw new BadInputError('robust regression needs at least one row');
    this.family = family;
    this.rows = rows;
    this.n = rows.length;
    this.d = rows[0]!.length;
    this.wref = wref;
    this.s = s;
    this.fstarExact = family === 'robust-interp';
    this.gram = rowGram(rows);
    const maxSq = Math.max(...rows.map((a) => sqNorm(a)));
    if (!(maxSq > 0)) throw new BadInputError('robust regression: all rows are zero');
    this.L = 2 * maxSq;
  }

  /** b = A w*: residuals are a_iᵀ(w − w*), F* = 0 exactly. */
  static interpolating(rows: readonly Float64Array[], wstar: Float64Array): RobustRegression {
    return new RobustRegression('robust-interp', rows, Float64Array.from(wstar), new Float64Array(rows.length));
  }

  /** Generic targets b (F* only bounded below by 0). */
  static fromData(rows: readonly Float64Array[], b: ArrayLike<number>): RobustRegression {
    return new RobustRegression('robust-noisy', rows, new Float64Array(rows[0]?.length ?? 0), Float64Array.from(b, (v) => -v));
  }

  /** r_i = a_iᵀ(w − w_ref) + s_i. */
  residual(i: number, w: Float64Array): number {
    const a = this.rows[i]!;
    let u = 0;
    for (let k = 0; k < this.d; k++) u += a[k]! * (w[k]! - this.wref[k]!);
    return u + this.s[i]!;
  }

  loss(i: number, w: Float64Array): number {
    return robustPhi(this.residual(i, w));
  }

  value(w: Float64Array): number {
    let f = 0;
    for (let i = 0; i < this.n; i++) f += this.loss(i, w);
    return f / this.n;
  }

  grad(i: number, w: Float64Array, out: Float64Array): Float64Array {
    const c = robustDphi(this.residual(i, w));
    const a = this.rows[i]!;
    for (let k = 0; k < this.d; k++) out[k] = c * a[k]!;
    return out;
  }

  /** F(w) − F*_lo = F(w) (exact gap when interpolating). */
  gap(w: Float64Array): number {
    return this.value(w);
  }

  fullGrad(w: Float64Array): Float64Array {
    const out = new Float64Array(this.d);
    for (let i = 0; i < this.n; i++) {
      const c = robustDphi(this.residual(i, w)) / this.n;
      const a = this.rows[i]!;
      for (let k = 0; k < this.d; k++) out[k]! += c * a[k]!;
    }
    return out;
  }

  /**
   * |r_i| ≤ ρ_i(j) = |r_i(w_0)| + j α (9/(8√3)) max_l |c_il| for the iterates w_0..w_j of every SGD
   * path: a step on example l changes r_i by −α φ'(r_l) c_li (l = i included, c_ii = ‖a_i‖²).
   */
  residualBox(w0: Float64Array, alpha: number, j: number): Float64Array {
    return Float64Array.from({ length: this.n }, (_, i) => {
      let cmax = 0;
      for (let l = 0; l < this.n; l++) cmax = Math.max(cmax, Math.abs(this.gram[i * this.n + l]!));
      return Math.abs(this.residual(i, w0)) + j * alpha * ROBUST_DPHI_MAX * cmax;
    });
  }

  /**
   * With ψ_i = max_{|r| ≤ ρ_i} |φ'(r)| = |φ'(min(ρ_i, 1/√3))| (|φ'| increases on [0, 1/√3] and
   * decreases after): η = max_{i≠j} |c_ij| ψ_i ψ_j ≤ (27/64) max |c_ij| and μ = min_i
   * 2‖a_i‖²/(1 + ρ_i²)³ on the box of w_0..w_{k−1}; gapMax = mean φ(ρ_i) and
   * gradSqMax = (mean ψ_i ‖a_i‖)² on the box of w_0..w_k.
   */
  pathConstants(w0: Float64Array, alpha: number, k: number): PathConstants {
    const rhoA = this.residualBox(w0, alpha, Math.max(0, k - 1));
    const rhoB = this.residualBox(w0, alpha, k);
    const psi = (r: number) => Math.abs(robustDphi(Math.min(r, 1 / Math.sqrt(3))));
    let eta = 0;
    let mu = Infinity;
    let gapMax = 0;
    let g = 0;
    for (let i = 0; i < this.n; i++) {
      const nsq = this.gram[i * this.n + i]!;
      // A zero row makes f_i constant (= f_i*): PL holds for it with any μ.
      if (nsq > 0) mu = Math.min(mu, (2 * nsq) / (1 + rhoA[i]! ** 2) ** 3);
      gapMax += robustPhi(rhoB[i]!) / this.n;
      g += (psi(rhoB[i]!) * Math.sqrt(nsq)) / this.n;
      for (let j = i + 1; j < this.n; j++) {
        eta = Math.max(eta, Math.abs(this.gram[i * this.n + j]!) * psi(rhoA[i]!) * psi(rhoA[j]!));
      }
    }
    return { eta, mu, gapMax, gradSqMax: g * g };
  }
}

