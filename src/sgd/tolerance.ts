/**
 * The rounding budget of the exact checks of Theorems 3.1 and 3.2 (float64, no Monte-Carlo noise).
 *
 * A check compares a measured expectation with a bound, both computed in float64 from the same
 * instance. Sources of rounding, for the instance sizes the arbitraries generate (N ≤ 8, d ≤ 6,
 * T ≤ 40, enumeration ≤ 2^17 paths), with ε = 2^−53 ≈ 1.1e-16:
 * - the moment oracle (src/sgd/moment-oracle.ts): ≤ (4N + 1)(2d + 4)·ε ≈ 5.6e-14 relative to the
 *   size of the second moment per step, not amplified (‖P_i‖ ≤ 1), so ≤ 5.6e-14·k after k steps;
 *   the quantities read from it are ≤ tr(H)·‖S‖, which `scale` below dominates;
 * - the enumeration oracle: each path is k steps of ≤ 2d + 2 roundings relative to the iterate's
 *   size, the average of non-negative terms adds ≤ k·ε relative;
 * - the bound: L, μ, η from a few dot products (≤ 2d + 10 roundings, relative), ρ = 1 − x to ε
 *   relative, ρ^T to T·ε relative, α η / x to ~10 ε relative.
 * All are below 1e-13·(k + 1) relative to `scale` = the largest magnitude involved (|measured|,
 * |bound|, and the initial gap F(w_0) − F* or ‖∇F(w_0)‖², whichever the check uses). The budget
 * 1e-12·(k + 1)·scale leaves a factor ≥ 10 on top of that estimate and is still ~10 orders of
 * magnitude below any slack a real violation or a refuted variant produces here.
 */

/** Relative float64 rounding budget per step (see module doc). */
export const EXACT_REL_TOL_PER_STEP = 1e-12;

/** Absolute tolerance of an exact check after k steps on quantities of magnitude `scale`. */
export function exactTolerance(k: number, scale: number): number {
  return EXACT_REL_TOL_PER_STEP * (k + 1) * Math.abs(scale);
}
