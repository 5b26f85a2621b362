/**
 * The Gram's spectrum. The eigenvalues λ_1 ≥ … ≥ λ_n ≥ 0 of G = J Jᵀ (J the n×P matrix of
 * per-example gradients) are the non-zero eigenvalues of the uncentered gradient second-moment
 * matrix JᵀJ = Σ_i g_i g_iᵀ — the squared singular values of J.
 *
 * - top-k eigenvalues;
 * - effective rank (O. Roy and M. Vetterli, "The effective rank: a measure of effective
 *   dimensionality", EUSIPCO 2007): erank = exp(−Σ_k p_k log p_k), p_k = λ_k / Σ_l λ_l — between 1
 *   (one direction) and n (all equal);
 * - participation ratio PR = (Σ_k λ_k)² / Σ_k λ_k² = (tr G)² / ‖G‖²_F (P. Gao, E. Trautmann, B. Yu
 *   et al., "A theory of multineuronal dimensionality, dynamics and measurement", bioRxiv 2017) —
 *   also in [1, n]; it needs no eigendecomposition.
 *
 * Eigenvalues below 0 (round-off of a float32-accumulated Gram, at most ~1e-6 of λ_1) are set to 0
 * for the entropy. Cost: O(n³) for the eigenvalues (about 1 s at n = 1024 in plain JS).
 */
import { symmetricEigenvalues } from './symmetric-eigenvalues.ts';

/** Spectrum summaries of a Gram. */
export interface Spectrum {
  /** The k largest eigenvalues of G, descending. */
  top: number[];
  /** Sum of all eigenvalues (= tr G). */
  trace: number;
  effectiveRank: number;
  participationRatio: number;
}

/** Spectrum statistics from eigenvalues (any order); null when they are all ≤ 0 (G = 0). */
export function spectrumFromEigenvalues(eigenvalues: ArrayLike<number>, topK: number): Spectrum | null {
  const lam = Float64Array.from(eigenvalues).sort().reverse();
  const top = lam[0] ?? 0;
  if (!(top > 0)) return null;
  // Ratios of λ/λ_1 keep the squares from underflowing for tiny gradients.
  let sum = 0;
  let sumSq = 0;
  for (const l of lam) {
    const v = Math.max(0, l) / top;
    sum += v;
    sumSq += v * v;
  }
  let h = 0;
  for (const l of lam) {
    const q = Math.max(0, l) / top / sum;
    if (q > 0) h -= q * Math.log(q);
  }
  return { top: Array.from(lam.subarray(0, Math.min(topK, lam.length))), trace: sum * top, effectiveRank: Math.exp(h), participationRatio: (sum * sum) / sumSq };
}

/** Spectrum statistics of a row-major n×n Gram (null when G = 0). */
export function gramSpectrum(gram: ArrayLike<number>, n: number, topK = 10): Spectrum | null {
  return spectrumFromEigenvalues(symmetricEigenvalues(gram, n), topK);
}
