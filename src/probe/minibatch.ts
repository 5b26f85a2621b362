/**
 * Minibatch mode — the paper's Section 7 protocol: P pairs of minibatches of size m drawn from a
 * dataset, each minibatch with its own batch-norm statistics; the cosine of the two minibatch-mean
 * gradients of each pair.
 *
 * Fast path: several pairs at once go through ONE backward pass with K = 2·(pairs in the chunk)
 * groups (src/probe/gram.ts); the K×K group Gram gives every pair's inner product and norms.
 * Slow twin: `referenceMinibatchCosines`, one backward pass per minibatch.
 *
 * Sampling: pair p uses 2m distinct example indices (the two minibatches are disjoint), drawn
 * without replacement by a seeded Rng, independently across pairs.
 */
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from '../../models/build.ts';
import { computeGram } from './gram.ts';
import { layerSites, type ModelSpec } from '../../models/spec.ts';
import { minibatchGradient, dot } from './reference.ts';
import type { GramStrategy } from './rules/index.ts';
import { Rng } from '../rng.ts';
import { BadInputError } from '../errors.ts';
import { zeroIndices } from './stats.ts';
import { formatBytes, measurePeak } from './memory.ts';

export interface MinibatchOptions {
  pairs: number;
  batchSize: number;
  seed: number;
  /**
   * Most examples per backward pass (at least one pair = 2m is always used). Default:
   * `defaultMaxExamples(spec)` — 512, fewer for models with large activations.
   */
  maxExamples?: number;
  strategy?: GramStrategy;
  /**
   * Tensor bytes one pass may add to what is live when it starts (memory.ts; the probe passes its
   * budget less the weights and data). The pair chunks are then sized from the measured peaks of
   * the first two passes (1 pair, then 2 pairs: bytes ≈ c0 + c1·examples), never above the
   * `maxExamples` default; a single pair that does not fit is a BadInputError. Chunking does not
   * change the result (the pairs are drawn before they are chunked).
   */
  maxBytes?: number;
}

export interface MinibatchResult {
  /** Cosine per pair; pairs with a zero minibatch gradient are left out (see zeroPairs). */
  cosines: Float64Array;
  /** Norms of the two minibatch-mean gradients of each pair, [P][2]. */
  norms: [number, number][];
  /** Pairs excluded because one of their minibatch gradients is zero. */
  zeroPairs: number[];
  /** Example indices of each pair (first m: minibatch A, last m: minibatch B). */
  indices: Int32Array[];
  /** Pairs in each backward pass of the fast path, in order (absent for the slow twin). */
  pairsPerPass?: number[];
}

/** Float budget of one backward pass in minibatch mode (activations, deltas, patches): 2^25 floats = 128 MiB. */
export const PASS_FLOAT_BUDGET = 2 ** 25;

/**
 * Examples per backward pass by default: 512, capped so that an estimate of the floats one pass
 * holds per example — every parametric layer's output kept as recorded input, hooked output and
 * δ (×3), plus what a layer module declares on top (`probeFloats`: conv patches, attention
 * scores) — stays within PASS_FLOAT_BUDGET. (512 examples of a 28×28 conv net with batch norm
 * overflowed wasm's heap.)
 */
export function defaultMaxExamples(spec: ModelSpec): number {
  let perExample = 0;
  for (const s of layerSites(spec)) {
    if (s.kind.params(s.layer, s.inShape).length) perExample += 3 * s.outShape.reduce((a, b) => a * b, 1);
    perExample += s.kind.probeFloats?.(s.layer, s.inShape, s.outShape) ?? 0;
  }
  return Math.max(1, Math.min(512, Math.floor(PASS_FLOAT_BUDGET / Math.max(1, perExample))));
}

/** The example indices of each pair of disjoint minibatches. */
export function sampleMinibatchPairs(n: number, pairs: number, m: number, seed: number): Int32Array[] {
  if (2 * m > n) throw new BadInputError(`a pair of disjoint minibatches of size ${m} needs at least ${2 * m} examples (have ${n})`);
  const rng = new Rng(seed);
  const out: Int32Array[] = [];
  for (let p = 0; p < pairs; p++) {
    // Partial Fisher–Yates: the first 2m entries of a uniform permutation.
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < 2 * m; i++) {
      const j = i + rng.int(n - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    out.push(idx.slice(0, 2 * m));
  }
  return out;
}

function finish(indices: Int32Array[], sq: [number, number, number][]): MinibatchResult {
  const flat = sq.flatMap(([a, b]) => [a, b]);
  const zero = new Set(zeroIndices(flat).map((i) => Math.floor(i / 2)));
  const cosines: number[] = [];
  sq.forEach(([a, b, ab], p) => {
    if (!zero.has(p)) cosines.push(Math.max(-1, Math.min(1, ab / Math.sqrt(a * b))));
  });
  return {
    cosines: Float64Array.from(cosines),
    norms: sq.map(([a, b]) => [Math.sqrt(a), Math.sqrt(b)]),
    zeroPairs: [...zero].sort((x, y) => x - y),
    indices,
  };
}

/**
 * The fast path for any model: the pairs of disjoint minibatches drawn from n examples, `perChunk`
 * pairs per call of `groupGram(rows, 2·pairs)` — the K×K Gram of the summed gradients of the K
 * contiguous groups of m rows (each minibatch with its own batch-norm statistics) of the examples
 * `rows` in that order.
 */
export function groupedMinibatchCosines(n: number, opts: MinibatchOptions, perChunk: number | ((pairsDone: number) => number), groupGram: (rows: Int32Array, groups: number) => Float64Array): MinibatchResult {
  const m = opts.batchSize;
  const indices = sampleMinibatchPairs(n, opts.pairs, m, opts.seed);
  const sq: [number, number, number][] = [];
  const pairsPerPass: number[] = [];
  for (let p0 = 0; p0 < indices.length;) {
    const size = Math.max(1, Math.floor(typeof perChunk === 'number' ? perChunk : perChunk(p0)));
    const chunk = indices.slice(p0, p0 + size);
    p0 += chunk.length;
    pairsPerPass.push(chunk.length);
    const k = 2 * chunk.length;
    const gram = groupGram(Int32Array.from(chunk.flatMap((c) => Array.from(c))), k);
    // Group sums → minibatch means: divide inner products by m².
    for (let c = 0; c < chunk.length; c++) {
      const a = 2 * c;
      const b = a + 1;
      sq.push([gram[a * k + a]! / (m * m), gram[b * k + b]! / (m * m), gram[a * k + b]! / (m * m)]);
    }
  }
  return { ...finish(indices, sq), pairsPerPass };
}

/** The slow path for any model: `meanGradient(rows)` of each minibatch by its own backward pass, cosines by explicit dot products. */
export function explicitMinibatchCosines(n: number, opts: MinibatchOptions, meanGradient: (rows: Int32Array) => Float64Array): MinibatchResult {
  const m = opts.batchSize;
  const indices = sampleMinibatchPairs(n, opts.pairs, m, opts.seed);
  const sq: [number, number, number][] = indices.map((ix) => {
    const ga = meanGradient(ix.slice(0, m));
    const gb = meanGradient(ix.slice(m));
    return [dot(ga, ga), dot(gb, gb), dot(ga, gb)];
  });
  return finish(indices, sq);
}

/**
 * Pairs per pass within `maxBytes` from measured (pairs, peak bytes) of earlier passes: the first
 * pass takes 1 pair, the second 2, then the largest count the linear fit c0 + c1·pairs allows,
 * at most `cap` (a first pass over the budget is rejected by the caller).
 */
export function budgetedChunks(maxBytes: number, cap: number, observed: [number, number][]): (pairsDone: number) => number {
  return () => {
    if (observed.length < 2) return Math.min(cap, observed.length + 1);
    const [p1, b1] = observed[0]!;
    const [p2, b2] = observed[1]!;
    const c1 = p2 === p1 ? b2 : Math.max(0, (b2 - b1) / (p2 - p1));
    const c0 = Math.max(0, b1 - c1 * p1);
    const fit = c1 > 0 ? Math.floor((maxBytes / 1.1 - c0) / c1) : cap;
    return Math.max(1, Math.min(cap, fit));
  };
}

/** Minibatch-pair cosines, fast path (group Gram, several pairs per backward pass). */
export function minibatchCosines(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D, opts: MinibatchOptions): MinibatchResult {
  const cap = Math.max(1, Math.floor((opts.maxExamples ?? defaultMaxExamples(model.spec)) / (2 * opts.batchSize)));
  const observed: [number, number][] = [];
  const perChunk = opts.maxBytes === undefined ? cap : budgetedChunks(opts.maxBytes, cap, observed);
  return groupedMinibatchCosines(x.shape[0]!, opts, perChunk, (rows, k) => {
    const run = () => {
      const idx = tf.tensor1d(rows, 'int32');
      const xb = tf.gather(x, idx);
      const yb = tf.gather(y, idx) as tf.Tensor2D;
      try {
        return computeGram(model, xb, yb, { groups: k, bnMode: 'batch', strategy: opts.strategy }).gram;
      } finally {
        tf.dispose([idx, xb, yb]);
      }
    };
    if (opts.maxBytes === undefined) return run();
    const r = measurePeak(run);
    observed.push([k / 2, r.peakBytes - r.startBytes]);
    if (observed.length === 1 && observed[0]![1] > opts.maxBytes) {
      throw new BadInputError(`--max-memory: one pair of minibatches of ${opts.batchSize} took ${formatBytes(observed[0]![1])} of tensor memory, above the ${formatBytes(Math.max(0, opts.maxBytes))} the budget leaves after the weights and data (use a smaller --batch-size or a larger --max-memory)`);
    }
    return r.result;
  });
}

/** Slow twin: each minibatch's mean gradient by its own backward pass, cosines by explicit dot products. */
export function referenceMinibatchCosines(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D, opts: MinibatchOptions): MinibatchResult {
  return explicitMinibatchCosines(x.shape[0]!, opts, (rows) => {
    const idx = tf.tensor1d(rows, 'int32');
    const xb = tf.gather(x, idx);
    const yb = tf.gather(y, idx) as tf.Tensor2D;
    try {
      return minibatchGradient(model, xb, yb);
    } finally {
      tf.dispose([idx, xb, yb]);
    }
  });
}
