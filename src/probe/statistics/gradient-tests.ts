/**
 * Cockpit's three batch-size tests (F. Schneider, F. Dangel, P. Hennig, "Cockpit: A Practical
 * Debugging Tool for the Training of Deep Neural Networks", NeurIPS 2021, App. C; the `NormTest`,
 * `InnerTest` and `OrthoTest` quantities of the cockpit package), each reported as the largest
 * tolerance θ (ν) at which the test would still pass — a batch is "large enough" at tolerance θ when
 * the reported value is ≤ θ. For a batch of B per-example gradients g_i with mean ḡ = (1/B) Σ g_i,
 * all three need only the Gram's diagonal G_ii = ‖g_i‖² and row sums r_i = Σ_j G_ij (⟨g_i, ḡ⟩ = r_i/B,
 * ‖ḡ‖² = 1ᵀG1/B²):
 *
 * - norm test (R. Byrd, G. Chin, J. Nocedal, Y. Wu, "Sample size selection in optimization methods
 *   for machine learning", Math. Program. 2012, eq. 3.9):
 *     θ_norm = sqrt( Σ_i ‖g_i − ḡ‖² / (B (B−1) ‖ḡ‖²) );
 * - inner-product test (R. Bollapragada, R. Byrd, J. Nocedal, "Adaptive Sampling Strategies for
 *   Stochastic Optimization", SIAM J. Optim. 2018, eq. 2.6):
 *     θ_inner = sqrt( Σ_i (⟨g_i, ḡ⟩ − ‖ḡ‖²)² / (B (B−1) ‖ḡ‖⁴) );
 * - orthogonality test (ibid., eq. 3.3):
 *     ν_ortho = sqrt( Σ_i ‖g_i − (⟨g_i, ḡ⟩/‖ḡ‖²) ḡ‖² / (B (B−1) ‖ḡ‖²) ).
 *
 * The values do not depend on the loss scale (sum or mean reduction). All three are undefined
 * (null) for B < 2 or ḡ = 0.
 */
import { gramMoments, type GramMoments } from './gram-moments.ts';

/** The largest tolerances at which Cockpit's three tests pass, for a batch of `batchSize`. */
export interface GradientTests {
  /** Largest θ at which the norm test passes. */
  norm: number;
  /** Largest θ at which the inner-product test passes. */
  innerProduct: number;
  /** Largest ν at which the orthogonality test passes. */
  orthogonality: number;
  /** Batch size B (number of per-example gradients). */
  batchSize: number;
}

/** Cockpit's norm, inner-product and orthogonality tests from a Gram (null when B < 2 or ḡ = 0). */
export function gradientTests(gram: ArrayLike<number>, n: number, moments: GramMoments = gramMoments(gram, n)): GradientTests | null {
  const { trace, total, rowSums } = moments;
  const meanSq = total / (n * n);
  if (n < 2 || !(meanSq > 0)) return null;
  // Σ_i ‖g_i − ḡ‖² = tr G − B ‖ḡ‖²;  Σ_i ‖g_i − c_i ḡ‖² = tr G − Σ_i ⟨g_i, ḡ⟩² / ‖ḡ‖².
  let projSq = 0;
  let projDev = 0;
  for (let i = 0; i < n; i++) {
    const p = rowSums[i]! / n;
    projSq += p * p;
    projDev += (p - meanSq) ** 2;
  }
  const denom = n * (n - 1);
  return {
    norm: Math.sqrt(Math.max(0, trace - n * meanSq) / meanSq / denom),
    innerProduct: Math.sqrt(projDev / meanSq / meanSq / denom),
    orthogonality: Math.sqrt(Math.max(0, trace - projSq / meanSq) / meanSq / denom),
    batchSize: n,
  };
}
