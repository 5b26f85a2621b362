/**
 * Least squares f_i(w) = ½ (a_iᵀ w − b_i)², interpolating (b = A w*) or not (N > d, generic b):
 * the quadratic family of Theorems 3.1 and 3.2 and Figure 1 (../shared/paper/THEOREMS.md).
 *
 * Constants:
 * - L = max_i ‖a_i‖² (∇²f_i = a_i a_iᵀ), μ = min_i ‖a_i‖² (½‖∇f_i‖² = ½ r_i² ‖a_i‖² and
 *   f_i − f_i* = ½ r_i², since f_i* = 0 for a single equation with a_i ≠ 0).
 * - F* = F(w_ref) with w_ref = w* (interpolating: F* = 0) or the least-squares solution.
 * - Everything is computed in the coordinates e = w − w_ref with the residuals s_i = a_iᵀ w_ref − b_i
 *   at the reference point (s = 0 when interpolating), so r_i = a_iᵀ e + s_i and
 *   F(w) − F* = (1/2N) Σ u_i (u_i + 2 s_i), u_i = a_iᵀ e — no cancellation near the optimum.
 *
 * Confusion along the path (Definition 2.1; see `pathConstants`): a ball around w_ref that provably
 * contains every SGD iterate, and the exact maximum of the confusion over that ball.
 */
import { BadInputError } from '../errors.ts';
import { axpy, dot, leastSquaresSolve, sqNorm } from './linalg.ts';
import type { FiniteSumProblem, PathConstants } from './problem.ts';

/**
 * 1 − |cos θ| scaled: n_i n_j − |c_ij| for c_ij = <a_i, a_j>, computed without cancellation through
 * Lagrange's identity n_i² n_j² − c² = ½ Σ_{p,q} (a_ip a_jq − a_iq a_jp)² (for d ≤ 64; larger d
 * uses the direct difference, whose absolute error is a few ulps of n_i n_j).
 */
export function normProductGap(ai: Float64Array, aj: Float64Array): number {
  const c = Math.abs(dot(ai, aj));
  const ni = Math.sqrt(sqNorm(ai));
  const nj = Math.sqrt(sqNorm(aj));
  if (ai.length > 64) return Math.max(0, ni * nj - c);
  let lag = 0;
  for (let p = 0; p < ai.length; p++) {
    for (let q = p + 1; q < ai.length; q++) {
      const m = ai[p]! * aj[q]! - ai[q]! * aj[p]!;
      lag += m * m;
    }
  }
  const denom = ni * nj + c;
  return denom > 0 ? lag / denom : 0;
}

/**
 * The closed form for interpolating least squares (Thm 3.1/3.2 hypothesis η): over the
 * ball ‖w − w*‖ ≤ R,
 *   max_w max_{i≠j} −<∇f_i(w), ∇f_j(w)> = R² · max_{i≠j} |c_ij| (‖a_i‖‖a_j‖ − |c_ij|) / 2,
 * c_ij = <a_i, a_j>. Why: −<∇f_i, ∇f_j> = −c_ij (a_iᵀv)(a_jᵀv) with v = w − w*, a quadratic form
 * vᵀ M v, M = −c_ij (a_i a_jᵀ + a_j a_iᵀ)/2, whose eigenvalues on span{a_i, a_j} are
 * −c_ij (c_ij ± ‖a_i‖‖a_j‖)/2 (0 elsewhere); the largest is |c_ij|(‖a_i‖‖a_j‖ − |c_ij|)/2 ≥ 0, and
 * the maximum of vᵀMv over ‖v‖ ≤ R is R² λ_max(M). Verified against brute-force maximisation in
 * least-squares.test.ts. Returns 0 for N < 2.
 */
export function interpolatingBallConfusion(rows: readonly Float64Array[], R: number): number {
  let best = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const c = Math.abs(dot(rows[i]!, rows[j]!));
      best = Math.max(best, (R * R * c * normProductGap(rows[i]!, rows[j]!)) / 2);
    }
  }
  return best;
}

/**
 * Confusion bound over the ball ‖w − w_ref‖ ≤ R for least squares with residuals s_i at w_ref
 * (non-interpolating case). With v = w − w_ref, x = a_iᵀv, y = a_jᵀv:
 *   −<∇f_i, ∇f_j> = −c_ij (x + s_i)(y + s_j) = −c_ij x y − c_ij vᵀ(s_j a_i + s_i a_j) − c_ij s_i s_j,
 * and each term is maximised separately over the ball: R²|c_ij|(‖a_i‖‖a_j‖ − |c_ij|)/2 (as in
 * `interpolatingBallConfusion`), |c_ij| R ‖s_j a_i + s_i a_j‖ (Cauchy–Schwarz), −c_ij s_i s_j.
 * The sum of the maxima is an upper bound (not always attained); η = max(0, max over pairs).
 * Reduces to the closed form when s = 0.
 */
export function ballConfusionBound(rows: readonly Float64Array[], s: ArrayLike<number>, R: number): number {
  let best = 0;
  const d = rows[0]?.length ?? 0;
  const tmp = new Float64Array(d);
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const ai = rows[i]!;
      const aj = rows[j]!;
      const c = dot(ai, aj);
      const quad = (R * R * Math.abs(c) * normProductGap(ai, aj)) / 2;
      for (let k = 0; k < d; k++) tmp[k] = s[j]! * ai[k]! + s[i]! * aj[k]!;
      const lin = Math.abs(c) * R * Math.sqrt(sqNorm(tmp));
      best = Math.max(best, quad + lin - c * s[i]! * s[j]!);
    }
  }
  return best;
}

/** Which least-squares family: interpolating (b = A w*) or noisy (w_ref = least-squares solution). */
export type LeastSquaresFamily = 'ls-interp' | 'ls-noisy';

/**
 * A least-squares finite sum (Thm 3.1, 3.2, Figure 1). Build with `LeastSquares.interpolating`
 * or `LeastSquares.fromData`.
 */
export class LeastSquares implements FiniteSumProblem {
  readonly family: LeastSquaresFamily;
  readonly n: number;
  readonly d: number;
  readonly L: number;
  /** min_i ‖a_i‖²: the per-component PL constant (A2), valid everywhere. */
  readonly mu: number;
  readonly fstarExact = true;
  readonly fstar: number;
  /** Rows a_i. */
  readonly rows: readonly Float64Array[];
  /** Targets b_i. */
  readonly b: Float64Array;
  /** The reference minimizer w_ref (w* or the least-squares solution). */
  readonly wref: Float64Array;
  /** Residuals at w_ref, s_i = a_iᵀ w_ref − b_i (exactly 0 for the interpolating family). */
  readonly s: Float64Array;
  /** q = ∇F(w_ref) = (1/N) Σ s_i a_i (0 up to rounding). */
  readonly q: Float64Array;
  /** ‖a_i‖². */
  readonly sqNorms: Float64Array;

  private constructor(family: LeastSquaresFamily, rows: readonly Float64Array[], b: Float64Array, wref: Float64Array) {
    if (rows.length < 1) throw new BadInputError('least squares needs at least one row');
    this.family = family;
    this.rows = rows;
    this.n = rows.length;
    this.d = rows[0]!.length;
    this.b = b;
    this.wref = wref;
    this.sqNorms = Float64Array.from(rows, (a) => sqNorm(a));
    if (this.sqNorms.some((v) => !(v > 0))) throw new BadInputError('least squares: every row a_i must be non-zero (μ = min ‖a_i‖² > 0)');
    this.L = Math.max(...this.sqNorms);
    this.mu = Math.min(...this.sqNorms);
    this.s = Float64Array.from(rows, (a, i) => dot(a, wref) - b[i]!);
    this.q = new Float64Array(this.d);
    rows.forEach((a, i) => axpy(this.s[i]! / this.n, a, this.q));
    let f = 0;
    for (let i = 0; i < this.n; i++) f += this.s[i]! ** 2;
    this.fstar = f / (2 * this.n);
  }

  /**
   * Interpolating least squares: b_i = <a_i, w*> (computed with `dot`, so the residuals at w* are
   * exactly 0 in float64 and F* = 0).
   */
  static interpolating(rows: readonly Float64Array[], wstar: Float64Array): LeastSquares {
    const b = Float64Array.from(rows, (a) => dot(a, wstar));
    return new LeastSquares('ls-interp', rows, b, Float64Array.from(wstar));
  }

  /**
   * Least squares on given data; w_ref is the least-squares solution (`leastSquaresSolve`).
   * Throws BadInputError when A is rank-deficient or cond(AᵀA) > 1e8 (F* would not be reliable).
   */
  static fromData(rows: readonly Float64Array[], b: ArrayLike<number>, family: LeastSquaresFamily = 'ls-noisy'): LeastSquares {
    const d = rows[0]?.length ?? 0;
    const w = leastSquaresSolve(rows, b, d);
    if (!w) throw new BadInputError('least squares: AᵀA is singular or too ill-conditioned (cond > 1e8) to compute F*');
    return new LeastSquares(family, rows, Float64Array.from(b), w);
  }

  /** r_i = a_iᵀ(w − w_ref) + s_i. */
  residual(i: number, w: Float64Array): number {
    const a = this.rows[i]!;
    let u = 0;
    for (let k = 0; k < this.d; k++) u += a[k]! * (w[k]! - this.wref[k]!);
    return u + this.s[i]!;
  }

  loss(i: number, w: Float64Array): number {
    return 0.5 * this.residual(i, w) ** 2;
  }

  value(w: Float64Array): number {
    let f = 0;
    for (let i = 0; i < this.n; i++) f += this.residual(i, w) ** 2;
    return f / (2 * this.n);
  }

  grad(i: number, w: Float64Array, out: Float64Array): Float64Array {
    const r = this.residual(i, w);
    const a = this.rows[i]!;
    for (let k = 0; k < this.d; k++) out[k] = r * a[k]!;
    return out;
  }

  /** F(w) − F* = (1/2N) Σ u_i (u_i + 2 s_i), u_i = a_iᵀ(w − w_ref). */
  gap(w: Float64Array): number {
    let g = 0;
    for (let i = 0; i < this.n; i++) {
      const u = this.residual(i, w) - this.s[i]!;
      g += u * (u + 2 * this.s[i]!);
    }
    return g / (2 * this.n);
  }

  fullGrad(w: Float64Array): Float64Array {
    const out = new Float64Array(this.d);
    for (let i = 0; i < this.n; i++) axpy(this.residual(i, w) / this.n, this.rows[i]!, out);
    return out;
  }

  /**
   * Radius² of a ball around w_ref containing the iterates w_0..w_j of every SGD path.
   * Per step, with e = w − w_ref, λ = α‖a_i‖² ∈ (0, 2) and t = <e, a_i>/‖a_i‖:
   *   ‖e'‖² − ‖e‖² = ((1−λ)t − λ s_i/‖a_i‖)² − t² ≤ α s_i² / (2 − λ)
   * (the maximum over t of a concave quadratic). So R_j² = ‖e_0‖² + j · max_i α s_i²/(2 − α‖a_i‖²).
   * Interpolating (s = 0): the ball argument of the issue, ‖e_j‖ ≤ ‖e_0‖ whenever α‖a_i‖² ≤ 2.
   */
  radiusSq(w0: Float64Array, alpha: number, j: number): number {
    let growth = 0;
    for (let i = 0; i < this.n; i++) {
      const lam = alpha * this.sqNorms[i]!;
      if (this.s[i] !== 0) {
        if (!(lam < 2)) throw new BadInputError(`least squares: the ball argument needs α‖a_i‖² < 2 (got ${lam} for i = ${i})`);
        growth = Math.max(growth, (alpha * this.s[i]! ** 2) / (2 - lam));
      } else if (!(lam <= 2)) {
        throw new BadInputError(`least squares: the ball argument needs α‖a_i‖² ≤ 2 (got ${lam} for i = ${i})`);
      }
    }
    let e0 = 0;
    for (let k = 0; k < this.d; k++) e0 += (w0[k]! - this.wref[k]!) ** 2;
    return e0 + j * growth;
  }

  /**
   * η over the ball of `radiusSq(w0, α, k − 1)` (iterates w_0..w_{k−1}): the exact closed form
   * (`interpolatingBallConfusion`) when interpolating, else `ballConfusionBound`. μ = min ‖a_i‖²
   * (global). gapMax = ‖q‖R + ½ tr(H) R² and gradSqMax = (tr(H) R + ‖q‖)², with R for w_0..w_k and
   * tr(H) = mean ‖a_i‖² ≥ λ_max(H).
   */
  pathConstants(w0: Float64Array, alpha: number, k: number): PathConstants {
    const rEta = Math.sqrt(this.radiusSq(w0, alpha, Math.max(0, k - 1)));
    const rAll = Math.sqrt(this.radiusSq(w0, alpha, k));
    const eta = this.family === 'ls-interp' && this.s.every((v) => v === 0)
      ? interpolatingBallConfusion(this.rows, rEta)
      : ballConfusionBound(this.rows, this.s, rEta);
    let tr = 0;
    for (let i = 0; i < this.n; i++) tr += this.sqNorms[i]! / this.n;
    const qn = Math.sqrt(sqNorm(this.q));
    return { eta, mu: this.mu, gapMax: qn * rAll + 0.5 * tr * rAll * rAll, gradSqMax: (tr * rAll + qn) ** 2 };
  }
}
