/**
 * Gradient diversity and m-coherence: two views of one ratio of the Gram's trace and total.
 *
 * - Gradient diversity (D. Yin, A. Pananjady, M. Lam, D. Papailiopoulos, K. Ramchandran, P. Bartlett,
 *   "Gradient Diversity: a Key Ingredient for Scalable Distributed Learning", AISTATS 2018, Def. 1):
 *   Δ = Σ_i ‖g_i‖² / ‖Σ_i g_i‖² = tr G / 1ᵀG1. Large when gradients point in different directions.
 * - m-coherence (S. Chatterjee and P. Zielinski, "Making Coherence Out of Nothing At All: Measuring
 *   the Evolution of Gradient Alignment", arXiv:2008.01217, 2020; the measure of the Coherent
 *   Gradients theory, S. Chatterjee, ICLR 2020): α = E_{i,j}[⟨g_i, g_j⟩] / E_i[⟨g_i, g_i⟩] with i, j
 *   drawn independently and uniformly from the sample of m (i = j included), and m-coherence = m·α
 *   = 1ᵀG1 / tr G = 1/Δ: the number of examples of the sample that a small step along one
 *   example's gradient helps, on average — 1 for pairwise orthogonal gradients, m for identical ones,
 *   0 when they cancel (Σ g_i = 0, where Δ is undefined).
 */
import { gramMoments, type GramMoments } from './gram-moments.ts';

const momentsOf = (g: ArrayLike<number> | GramMoments, n: number) => ('trace' in g ? g : gramMoments(g, n));

/** Δ = tr G / 1ᵀG1 (null when Σ g_i = 0 or every g_i = 0). */
export function gradientDiversity(gram: ArrayLike<number> | GramMoments, n: number): number | null {
  const { trace, total } = momentsOf(gram, n);
  return total > 0 && trace > 0 ? trace / total : null;
}

/** m-coherence = 1ᵀG1 / tr G ∈ [0, m] (null only when every g_i = 0). */
export function mCoherence(gram: ArrayLike<number> | GramMoments, n: number): number | null {
  const { trace, total } = momentsOf(gram, n);
  // 1ᵀG1 = ‖Σ g_i‖² ≥ 0; a float32-accumulated Gram can put it a rounding error below 0.
  return trace > 0 ? Math.max(0, total) / trace : null;
}
