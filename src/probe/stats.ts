/**
 * Statistics of a Gram matrix G (row-major n×n, G_ij = <g_i, g_j>) — Definition 2.1 and the
 * cosine summaries the paper's experiments report.
 *
 * - η = max(0, −min_{i≠j} G_ij): the smallest gradient-confusion bound at this point (Def. 2.1).
 * - cosines cos_ij = G_ij / sqrt(G_ii G_jj) over pairs i < j whose gradients are both non-zero;
 *   a zero gradient (squared norm ≤ ZERO_GRAD_REL · the largest) is reported in `zeroGradients`
 *   and left out of the cosines — never NaN.
 * - gradient diversity Σ‖g_i‖² / ‖Σ g_i‖² = trace(G) / sum(G) (null when Σ g_i = 0).
 *
 * The statistics of neighbouring papers (m-coherence, stiffness, B_simple, spectrum, Cockpit's
 * tests) are in ./statistics/, one file each.
 */
import { ZERO_GRAD_REL } from '../tolerance.ts';
import { gradientDiversity } from './statistics/diversity.ts';

export interface CosineSummary { min: number; mean: number; median: number; q05: number; q95: number; count: number }

export interface GramStats {
  n: number;
  eta: number;
  /** null when fewer than two non-zero gradients. */
  cosine: CosineSummary | null;
  diversity: number | null;
  norms: number[];
  zeroGradients: number[];
}

/** Quantile with linear interpolation between order statistics (R's type 7) of a sorted array. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of an empty sample');
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** min, mean, median, 5% and 95% quantiles of a sample (null if empty). */
export function summarize(values: ArrayLike<number>): CosineSummary | null {
  const n = values.length;
  if (n === 0) return null;
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  return { min: s[0]!, mean: sum / n, median: quantileSorted(s, 0.5), q05: quantileSorted(s, 0.05), q95: quantileSorted(s, 0.95), count: n };
}

/** Indices whose gradient counts as zero (see module doc). */
export function zeroIndices(sqNorms: ArrayLike<number>): number[] {
  let max = 0;
  for (let i = 0; i < sqNorms.length; i++) max = Math.max(max, sqNorms[i]!);
  const out: number[] = [];
  for (let i = 0; i < sqNorms.length; i++) if (!(sqNorms[i]! > ZERO_GRAD_REL * max) || max === 0) out.push(i);
  return out;
}

/** Off-diagonal cosines (i < j) between non-zero gradients, in row-major pair order. */
export function gramCosines(gram: Float64Array, n: number): { cosines: Float64Array; zero: number[] } {
  const diag = Array.from({ length: n }, (_, i) => gram[i * n + i]!);
  const zero = zeroIndices(diag);
  const isZero = new Uint8Array(n);
  zero.forEach((i) => { isZero[i] = 1; });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (isZero[i]) continue;
    for (let j = i + 1; j < n; j++) {
      if (isZero[j]) continue;
      const c = gram[i * n + j]! / Math.sqrt(diag[i]! * diag[j]!);
      out.push(Math.max(-1, Math.min(1, c)));
    }
  }
  return { cosines: Float64Array.from(out), zero };
}

/** All statistics of a Gram matrix. */
export function gramStats(gram: Float64Array, n: number): GramStats {
  let minOff = Infinity;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) minOff = Math.min(minOff, gram[i * n + j]!);
  }
  const { cosines, zero } = gramCosines(gram, n);
  return {
    n,
    eta: n > 1 ? Math.max(0, -minOff) : 0,
    cosine: summarize(cosines),
    diversity: gradientDiversity(gram, n),
    norms: Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(0, gram[i * n + i]!))),
    zeroGradients: zero,
  };
}
