/**
 * Finite-sum problems F(w) = (1/N) Σ_i f_i(w) with the constants Theorems 3.1 and 3.2 need
 * (../shared/paper/THEOREMS.md): L (A1, every f_i L-smooth), μ (A2, per-component PL), F*, and a
 * gradient-confusion bound η (Definition 2.1) valid at every point the SGD path can visit.
 *
 * SGD (THEOREMS.md, Notation): w_{k+1} = w_k − α ∇f_{i_k}(w_k), i_k uniform on {0..N−1}. The
 * iterates are indexed from 0 here; the paper's Thm 3.2 indexes them from 1 (its w_1 is our w_0).
 */

/** Constants valid along every SGD path of a given horizon (see `FiniteSumProblem.pathConstants`). */
export interface PathConstants {
  /** Confusion bound: <∇f_i(w), ∇f_j(w)> ≥ −η for all i ≠ j at every iterate w_0..w_{k−1} (Def. 2.1). */
  eta: number;
  /** Per-component PL constant (A2): ½‖∇f_i(w)‖² ≥ μ (f_i(w) − f_i*) at every iterate w_0..w_{k−1}. */
  mu: number;
  /** Almost-sure upper bound on F(w_j) − F* for every iterate w_0..w_k (for Monte-Carlo ranges). */
  gapMax: number;
  /** Almost-sure upper bound on ‖∇F(w_j)‖² for every iterate w_0..w_k. */
  gradSqMax: number;
}

/** A finite sum with computable constants (Section 3 of the paper). */
export interface FiniteSumProblem {
  /** Family name, e.g. 'ls-interp'. */
  readonly family: string;
  /** N, the number of components. */
  readonly n: number;
  /** d, the dimension of w. */
  readonly d: number;
  /** A1: every f_i is L-smooth (‖∇f_i(x) − ∇f_i(y)‖ ≤ L‖x − y‖). */
  readonly L: number;
  /**
   * True when `gap(w)` is F(w) − F* exactly (up to rounding); false when F* is only known from
   * below, F*_lo ≤ F*, so that `gap(w)` = F(w) − F*_lo ≥ F(w) − F* (usable only where a larger
   * gap makes a bound larger, e.g. the F(w_1) − F* of Thm 3.2).
   */
  readonly fstarExact: boolean;
  /** F* (or the lower bound F*_lo when `fstarExact` is false). */
  readonly fstar: number;
  /** f_i(w). */
  loss(i: number, w: Float64Array): number;
  /** F(w) = (1/N) Σ f_i(w). */
  value(w: Float64Array): number;
  /** ∇f_i(w), written into `out` (length d) and returned. */
  grad(i: number, w: Float64Array, out: Float64Array): Float64Array;
  /** F(w) − F*, computed without cancellation where the family allows (see each family). */
  gap(w: Float64Array): number;
  /** ∇F(w) (length d). */
  fullGrad(w: Float64Array): Float64Array;
  /**
   * Constants valid along every SGD path with step α started at w0, for the iterates the
   * theorems use when the horizon is k: η and μ at w_0..w_{k−1}, gapMax and gradSqMax at
   * w_0..w_k. Each family's TSDoc says how they are derived and why they hold on the whole path.
   * Requires α‖a_i‖²-type step conditions stated by the family (it throws when they fail).
   */
  pathConstants(w0: Float64Array, alpha: number, k: number): PathConstants;
}

/**
 * The smallest confusion bound at w (Definition 2.1): max(0, −min_{i≠j} <∇f_i(w), ∇f_j(w)>),
 * from explicitly computed per-example gradients (float64).
 */
export function confusionAt(p: FiniteSumProblem, w: Float64Array): number {
  const g = Array.from({ length: p.n }, (_, i) => p.grad(i, w, new Float64Array(p.d)));
  let minDot = Infinity;
  for (let i = 0; i < p.n; i++) {
    for (let j = i + 1; j < p.n; j++) {
      let s = 0;
      const gi = g[i]!;
      const gj = g[j]!;
      for (let k = 0; k < p.d; k++) s += gi[k]! * gj[k]!;
      if (s < minDot) minDot = s;
    }
  }
  return p.n < 2 ? 0 : Math.max(0, -minDot);
}
