/**
 * Every statistic of the probe beyond η and the cosines, from one Gram (per-example mode) or from
 * the minibatch pairs (minibatch mode) — what `gradconf probe` reports as `statistics` and the
 * confusion monitor logs. One file per statistic, each with its formula and source:
 * diversity.ts (m-coherence next to gradient diversity), stiffness.ts, noise-scale.ts (B_simple),
 * spectrum.ts, gradient-tests.ts (Cockpit's tests).
 *
 * A statistic that cannot be computed is null and `notes` says why (no labels; minibatch mode has
 * no per-example gradients; ‖E g‖² estimated ≤ 0; all gradients zero): never NaN.
 */
import type { MinibatchResult } from '../minibatch.ts';
import { gramMoments } from './gram-moments.ts';
import { mCoherence } from './diversity.ts';
import { stiffness, type Stiffness } from './stiffness.ts';
import { noiseScaleFromGram, noiseScaleFromPairs, type NoiseScale, type PairProducts } from './noise-scale.ts';
import { gramSpectrum, type Spectrum } from './spectrum.ts';
import { gradientTests, type GradientTests } from './gradient-tests.ts';

/** The `statistics` field of a probe report. */
export interface ProbeStatistics {
  /** m-coherence = ‖Σ g_i‖² / Σ‖g_i‖² = 1/diversity (Chatterjee & Zielinski 2020). */
  mCoherence: number | null;
  /** Sign and cosine stiffness, overall and by class (Fort et al. 2019). */
  stiffness: Stiffness | null;
  /** B_simple = tr Σ / ‖E g‖² with unbiased estimates of both (McCandlish et al. 2018). */
  noiseScale: NoiseScale | null;
  /** Top-k eigenvalues, effective rank, participation ratio of G. */
  spectrum: Spectrum | null;
  /** Cockpit's norm, inner-product and orthogonality tests (Schneider et al. 2021). */
  gradientTests: GradientTests | null;
  /** Why a statistic is null or partial. */
  notes: string[];
}

/** Options of `exampleStatistics`. */
export interface ExampleStatisticsOptions {
  /** One class label per example (stiffness by class); null or absent: none. */
  labels?: ArrayLike<number> | null;
  /** Where labels would come from, for the note when there are none. */
  labelsHint?: string;
  /** Number of top eigenvalues reported (default 10); 0 skips the O(n³) eigendecomposition. */
  topK?: number;
}

/**
 * All statistics of a per-example Gram (row-major n×n, n ≥ 2). They are computed on G / max_i G_ii
 * (every statistic is scale-free but the noise-scale parts and the eigenvalues, which are scaled
 * back), so that gradients of any magnitude neither overflow nor underflow.
 */
export function exampleStatistics(gramIn: ArrayLike<number>, n: number, opts: ExampleStatisticsOptions = {}): ProbeStatistics {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(gramIn[i * n + i]!));
  const gram = scale > 0 ? Float64Array.from(gramIn, (v) => v / scale) : Float64Array.from(gramIn);
  if (scale === 0) scale = 1;
  const moments = gramMoments(gram, n);
  const notes: string[] = [];
  const mc = mCoherence(moments, n);
  if (mc === null) notes.push('m-coherence: every per-example gradient is zero');
  const st = stiffness(gram, n, opts.labels);
  if (st.overall === null) notes.push('stiffness: fewer than two non-zero gradients');
  if (!opts.labels) notes.push(`stiffness by class omitted: no class labels${opts.labelsHint ? ` (${opts.labelsHint})` : ''}`);
  const unit = noiseScaleFromGram(moments, n);
  const ns = { ...unit, traceCovariance: unit.traceCovariance * scale, meanGradientSq: unit.meanGradientSq * scale };
  if (ns.bSimple === null) notes.push(`noise scale: the unbiased estimate of ‖E g‖² is ${ns.meanGradientSq.toPrecision(3)} ≤ 0 (noise dominates at n = ${n}), so B_simple is undefined`);
  const topK = opts.topK ?? 10;
  const unitSpectrum = topK > 0 ? gramSpectrum(gram, n, topK) : null;
  const spectrum = unitSpectrum && { ...unitSpectrum, top: unitSpectrum.top.map((v) => v * scale), trace: unitSpectrum.trace * scale };
  if (topK > 0 && spectrum === null) notes.push('spectrum: G = 0');
  if (topK === 0) notes.push('spectrum: not computed (top-k = 0)');
  const gt = gradientTests(gram, n, moments);
  if (gt === null) notes.push('gradient tests: the mean gradient is zero');
  return { mCoherence: mc, stiffness: st, noiseScale: ns, spectrum, gradientTests: gt, notes };
}

/**
 * Each pair's products ⟨ĝ_A, ĝ_A⟩, ⟨ĝ_B, ĝ_B⟩, ⟨ĝ_A, ĝ_B⟩ from a minibatch result (a pair with a
 * zero minibatch gradient has ⟨ĝ_A, ĝ_B⟩ = 0).
 */
export function pairProducts(r: MinibatchResult): PairProducts[] {
  const zero = new Set(r.zeroPairs);
  let k = 0;
  return r.norms.map(([a, b], p) => ({ aa: a * a, bb: b * b, ab: zero.has(p) ? 0 : r.cosines[k++]! * a * b }));
}

/** What is defined in minibatch mode: the noise scale from the pairs (pool of `poolSize` examples). */
export function minibatchStatistics(r: MinibatchResult, batchSize: number, poolSize: number): ProbeStatistics {
  const ns = noiseScaleFromPairs(pairProducts(r), batchSize, poolSize);
  const notes = ['m-coherence, stiffness, spectrum and gradient tests need per-example gradients: not computed in minibatch mode (use --mode example)'];
  if (ns.bSimple === null) notes.push(`noise scale: the unbiased estimate of ‖E g‖² is ${ns.meanGradientSq.toPrecision(3)} ≤ 0 (noise dominates), so B_simple is undefined`);
  return { mCoherence: null, stiffness: null, noiseScale: ns, spectrum: null, gradientTests: null, notes };
}
