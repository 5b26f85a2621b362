/**
 * The simple gradient noise scale B_simple = tr Σ / ‖E g‖² (S. McCandlish, J. Kaplan, D. Amodei and
 * the OpenAI Dota team, "An Empirical Model of Large-Batch Training", arXiv:1812.06162, 2018, §2.2
 * and Appendix A.1): Σ is the covariance of a single example's gradient, E g the full gradient.
 * It predicts the critical batch size: batches much smaller than B_simple are noise dominated.
 * The ratio is invariant to the loss scale (sum or mean reduction give the same value).
 *
 * Both parts are estimated without bias — the ratio of two unbiased estimates is not itself
 * unbiased (McCandlish et al. note the same), and it is reported as null when the estimate of
 * ‖E g‖² is ≤ 0, which happens when the noise swamps the mean gradient.
 *
 * Per-example mode (the n probed gradients g_i treated as an i.i.d. sample; McCandlish's two-batch
 * estimator with B_small = 1 and B_big = n, which reduces to U-statistics of the Gram):
 *   ‖E g‖²  ≈ (1ᵀG1 − tr G) / (n(n−1))      — the mean off-diagonal entry, E⟨g_i, g_j⟩ = ‖E g‖² for i ≠ j;
 *   tr Σ    ≈ (tr G − 1ᵀG1 / n) / (n − 1)   — the unbiased sample covariance's trace.
 *
 * Minibatch mode (P pairs of disjoint minibatches A, B of size m drawn without replacement from a
 * pool of N examples; ĝ_A, ĝ_B the minibatch-mean gradients; the pool is the distribution, so Σ
 * is the pool's covariance Σ_pool = (1/N) Σ_k (g_k − ḡ)(g_k − ḡ)ᵀ and E g = ḡ). Finite-population
 * sampling gives E‖ĝ_A‖² = ‖ḡ‖² + tr S (N − m)/(mN) and E⟨ĝ_A, ĝ_B⟩ = ‖ḡ‖² − tr S / N, with
 * S = N/(N−1) Σ_pool; solving with the pair means a = mean (‖ĝ_A‖² + ‖ĝ_B‖²)/2, c = mean ⟨ĝ_A, ĝ_B⟩:
 *   tr S    ≈ m (a − c),   tr Σ_pool ≈ (N − 1)/N · m (a − c),   ‖ḡ‖² ≈ c + m (a − c) / N.
 * This needs no per-example gradient, so it holds with batch norm in training mode, where Σ is
 * then the effective per-example noise of minibatches of m.
 */
import { gramMoments, type GramMoments } from './gram-moments.ts';

/** B_simple and its two unbiased parts (see the module doc for the estimators). */
export interface NoiseScale {
  /** B_simple = tr Σ / ‖E g‖²; null when the estimate of ‖E g‖² is ≤ 0. */
  bSimple: number | null;
  /** Unbiased estimate of tr Σ. */
  traceCovariance: number;
  /** Unbiased estimate of ‖E g‖² (can be ≤ 0 when the noise dominates). */
  meanGradientSq: number;
  /** Which estimator: from n per-example gradients, or from minibatch pairs. */
  estimator: 'per-example' | 'minibatch-pairs';
}

function ratio(traceCovariance: number, meanGradientSq: number, estimator: NoiseScale['estimator']): NoiseScale {
  return { bSimple: meanGradientSq > 0 ? traceCovariance / meanGradientSq : null, traceCovariance, meanGradientSq, estimator };
}

/** B_simple from the Gram of n ≥ 2 per-example gradients (see the module doc). */
export function noiseScaleFromGram(gram: ArrayLike<number> | GramMoments, n: number): NoiseScale {
  if (n < 2) throw new Error('the noise scale needs at least 2 examples');
  const { trace, total } = 'trace' in gram ? gram : gramMoments(gram, n);
  return ratio(Math.max(0, (trace - total / n) / (n - 1)), (total - trace) / (n * (n - 1)), 'per-example');
}

/** One pair's squared norms and inner product of the two minibatch-mean gradients. */
export interface PairProducts { aa: number; bb: number; ab: number }

/**
 * B_simple from P ≥ 1 pairs of disjoint minibatches of size m, drawn without replacement from a
 * pool of N ≥ 2m examples (see the module doc).
 */
export function noiseScaleFromPairs(pairs: readonly PairProducts[], m: number, poolSize: number): NoiseScale {
  if (pairs.length === 0) throw new Error('the noise scale needs at least one pair');
  if (poolSize < 2 * m) throw new Error(`a pool of ${poolSize} cannot hold two disjoint minibatches of ${m}`);
  let a = 0;
  let c = 0;
  for (const p of pairs) {
    a += (p.aa + p.bb) / 2;
    c += p.ab;
  }
  a /= pairs.length;
  c /= pairs.length;
  const traceS = Math.max(0, m * (a - c));
  return ratio(traceS * (poolSize - 1) / poolSize, c + traceS / poolSize, 'minibatch-pairs');
}
