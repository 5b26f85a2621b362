/**
 * The probe's public entry: validate a request (spec, weights, data), run per-example or minibatch
 * mode on the active tfjs backend, and summarize — the `gradconf probe` JSON contract.
 *
 * Data shapes: inputs [n, ...spec.input] or [n, prod(spec.input)] (flat rows are reshaped, so MNIST
 * stored as [n, 784] fits an input of [28, 28, 1]); token ids [n, T] for a model that starts with
 * an embedding; targets as models/loss.ts `prepareTargets` ([n, T] ids or [n, T, C] for
 * per-position outputs).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../models/spec.ts';
import type { Weights } from '../../models/weights.ts';
import { buildModel, forward } from '../../models/build.ts';
import { exampleLosses, prepareTargets } from '../../models/loss.ts';
import { checkTokenIds } from '../../models/layers/index.ts';
import { BadInputError } from '../errors.ts';
import { recordPass, type RecordedPass } from './gram.ts';
import { blockedGram, planBlocks, type BlockPlan } from './blocked-gram.ts';
import { defaultMaxMemory, formatBytes, measurePeak, measurePhases } from './memory.ts';
import { eachParameterGram } from './parameter-gram.ts';
import { minibatchCosines, type MinibatchResult } from './minibatch.ts';
import { gramStats, summarize, type CosineSummary } from './stats.ts';
import type { GramStrategy } from './rules/index.ts';
import { exampleStatistics, minibatchStatistics, type ProbeStatistics } from './statistics/probe-statistics.ts';
import { checkLabels, labelsFromTargets } from './statistics/labels.ts';

export interface ArrayData { shape: number[]; data: ArrayLike<number> }

export interface ProbeRequest {
  spec: ModelSpec;
  weights: Weights;
  inputs: ArrayData;
  targets: ArrayData;
  mode: 'example' | 'minibatch';
  /** example mode: the first `batchSize` examples of the data (default: all); minibatch mode: m. */
  batchSize?: number;
  /** minibatch mode: number of pairs P. */
  pairs?: number;
  seed: number;
  includeGram?: boolean;
  strategy?: GramStrategy;
  /**
   * One integer class label per example, for stiffness by class (default: read off softmax-xent
   * and logistic targets; square-loss targets carry none).
   */
  labels?: ArrayData;
  /** Top eigenvalues of G reported (default 10, or none above SPECTRUM_MAX_N examples; 0 skips the spectrum). */
  topK?: number;
  /** Names of the inputs/targets/labels for error messages. */
  sources?: { inputs?: string; targets?: string; labels?: string };
  /**
   * Tensor-memory budget in bytes (memory.ts; default `defaultMaxMemory(backend)`), counting every
   * live tensor including the weights: example mode builds the Gram in blocks of examples sized to
   * fit (blocked-gram.ts), minibatch mode sizes its passes to fit.
   */
  maxMemory?: number;
  /** How the budget was given, for messages (default: "--max-memory <bytes>" or the backend default). */
  maxMemoryText?: string;
  /** Example mode: force this block size (no planning; for tests and the memory bench). */
  blockSize?: number;
}

/** How the probe used its memory budget (`memory` in the report and `probe --json`). */
export interface MemoryReport {
  budgetBytes: number;
  /** "--max-memory" or "default for <backend>". */
  budgetSource: string;
  /** Example mode: examples per block (= n when unblocked); minibatch mode: most examples in one pass. */
  blockSize: number;
  /** Example mode: number of blocks (1 = unblocked); minibatch mode: number of passes. */
  blocks: number;
  /** Measured high-water mark of live tensor bytes while the probe ran (weights included). */
  peakTensorBytes: number;
  withinBudget: boolean;
  /** Example mode: the planner's estimate of the probe's own peak (above the weights and data); null when not planned. */
  estimateBytes: number | null;
  /** Host (JS) bytes of the blocked probe's per-block copies (outside the tensor budget); 0 unblocked. */
  hostStoreBytes: number;
  /** Example mode: milliseconds spent planning the block size (the calibration runs; 0 when not planned). */
  planMs: number;
}

export interface ProbeReport {
  backend: string;
  mode: 'example' | 'minibatch';
  /** example mode: number of examples; minibatch mode: number of pairs. */
  n: number;
  batchSize?: number;
  pairs?: number;
  /** Which batch-norm statistics the probe used (only when the model has batch norm). */
  batchnorm?: 'stored statistics (per-example mode)' | 'per-minibatch statistics (training mode)';
  /** Row-major n×n Gram (example mode, with includeGram). */
  gram?: number[][];
  /** Def. 2.1: max(0, −min_{i≠j} <g_i, g_j>) (minibatch mode: over the pairs' mean gradients). */
  eta: number;
  cosine: CosineSummary | null;
  /** minibatch mode: every pair's cosine (for density plots). */
  cosines?: number[];
  diversity: number | null;
  norms: number[] | [number, number][];
  /** Indices of zero gradients (example mode) or of pairs with a zero minibatch gradient. */
  zeroGradients: number[];
  meanLoss?: number;
  /**
   * The statistics of neighbouring papers from the same Gram (src/probe/statistics/): m-coherence,
   * stiffness, B_simple, spectrum, Cockpit's tests; null entries are explained in `notes`.
   * Minibatch mode: the noise scale only.
   */
  statistics: ProbeStatistics;
  /** Examples per block of the Gram (example mode) or most examples per pass (minibatch mode); details in `memory`. */
  blockSize?: number;
  memory?: MemoryReport;
  ms: number;
}

/** Largest per-example batch whose Gram spectrum is computed by default (see ProbeRequest.topK). */
export const SPECTRUM_MAX_N = 1024;

/**
 * Check data against the spec: shape, finiteness, and for a model that starts with an embedding
 * integral token ids in range (naming example and position); returns the input tensor shape
 * [n, ...input].
 */
export function checkInputs(spec: ModelSpec, x: ArrayData, source = 'inputs'): number[] {
  const per = spec.input.reduce((a, b) => a * b, 1);
  const n = x.shape[0] ?? 0;
  const rest = x.shape.slice(1);
  const restSize = rest.reduce((a, b) => a * b, 1);
  const exact = rest.length === spec.input.length && rest.every((v, i) => v === spec.input[i]);
  if (!(exact || (rest.length === 1 && restSize === per))) {
    throw new BadInputError(`${source}: shape [${x.shape}] does not match the model input [${spec.input}] (expected [n, ${spec.input.join(', ')}]${spec.input.length > 1 ? ` or [n, ${per}]` : ''})`);
  }
  if (n < 1) throw new BadInputError(`${source}: no examples`);
  if (x.data.length !== n * per) throw new BadInputError(`${source}: ${x.data.length} values for shape [${x.shape}]`);
  for (let i = 0; i < x.data.length; i++) {
    if (!Number.isFinite(x.data[i]!)) throw new BadInputError(`${source}: NaN or Inf at example ${Math.floor(i / per)} (flat index ${i})`);
  }
  const first = spec.layers[0]!;
  if (first.type === 'embedding') checkTokenIds(x.data, spec.input[0]!, first.vocab, source);
  return [n, ...spec.input];
}

function posInt(v: number | undefined, name: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new BadInputError(`${name} must be a positive integer (got ${v})`);
}

/**
 * The per-example-mode report from a B×B Gram (shared by every model source: specs, ONNX
 * graphs): Definition 2.1's η, cosines, diversity, norms, zero gradients, mean loss and the
 * statistics of src/probe/statistics/ (labels: one class per example, or null).
 */
export function exampleReport(gram: Float64Array, b: number, losses: Float64Array, o: { labels: Float64Array | Int32Array | null; topK?: number; hasBn: boolean; includeGram?: boolean; t0: number }): ProbeReport {
  const s = gramStats(gram, b);
  // The spectrum costs O(b³) (about 1 s at b = 1024 in plain JS): by default only up to SPECTRUM_MAX_N.
  const skipSpectrum = o.topK === undefined && b > SPECTRUM_MAX_N;
  const statistics = exampleStatistics(gram, b, {
    labels: o.labels,
    labelsHint: 'square-loss targets are values, not classes: give labels (--labels labels.npy)',
    topK: skipSpectrum ? 0 : o.topK,
  });
  if (skipSpectrum) statistics.notes = statistics.notes.map((n) => (n.startsWith('spectrum:') ? `spectrum: skipped by default for more than ${SPECTRUM_MAX_N} examples (O(n³)); ask for it with --top-k` : n));
  const report: ProbeReport = {
    backend: tf.getBackend(), mode: 'example', n: b,
    ...(o.hasBn ? { batchnorm: 'stored statistics (per-example mode)' as const } : {}),
    eta: s.eta, cosine: s.cosine, diversity: s.diversity, norms: s.norms, zeroGradients: s.zeroGradients,
    meanLoss: losses.reduce((a, v) => a + v, 0) / b,
    statistics,
    ms: performance.now() - o.t0,
  };
  if (o.includeGram) report.gram = Array.from({ length: b }, (_, i) => Array.from(gram.subarray(i * b, i * b + b)));
  return report;
}

/** The minibatch-mode report from the pairs' cosines and norms (shared by every model source). */
export function minibatchReport(r: MinibatchResult, o: { batchSize: number; pairs: number; pool: number; hasBn: boolean; t0: number }): ProbeReport {
  let minDot = Infinity;
  r.norms.forEach(([a, b], p) => {
    if (!r.zeroPairs.includes(p)) minDot = Math.min(minDot, r.cosines[p - r.zeroPairs.filter((z) => z < p).length]! * a * b);
  });
  return {
    backend: tf.getBackend(), mode: 'minibatch', n: o.pairs, batchSize: o.batchSize, pairs: o.pairs,
    ...(o.hasBn ? { batchnorm: 'per-minibatch statistics (training mode)' as const } : {}),
    eta: Number.isFinite(minDot) ? Math.max(0, -minDot) : 0,
    cosine: summarize(r.cosines), cosines: Array.from(r.cosines), diversity: null,
    norms: r.norms, zeroGradients: r.zeroPairs, statistics: minibatchStatistics(r, o.batchSize, o.pool), ms: performance.now() - o.t0,
  };
}

/** Run the probe as requested; all tensors are released before returning. */
export function runProbe(req: ProbeRequest): ProbeReport {
  const { spec } = req;
  posInt(req.batchSize, '--batch-size');
  posInt(req.pairs, '--pairs');
  const xShape = checkInputs(spec, req.inputs, req.sources?.inputs);
  const n = xShape[0]!;
  const y = prepareTargets(spec, n, req.targets, req.sources?.targets);
  const k = y.length / n;
  const labels = req.labels ? checkLabels(req.labels, n, req.sources?.labels ?? '--labels') : null;
  if (req.topK !== undefined && (!Number.isInteger(req.topK) || req.topK < 0)) throw new BadInputError(`--top-k must be a non-negative integer (got ${req.topK})`);
  const hasBn = JSON.stringify(spec.layers).includes('"batchnorm"');
  const backendName = tf.getBackend();
  const budget = req.maxMemory ?? defaultMaxMemory(backendName);
  if (!Number.isSafeInteger(budget) || budget < 1) throw new BadInputError(`--max-memory must be a positive whole number of bytes (got ${budget})`);
  const budgetSource = req.maxMemory === undefined ? `default for ${backendName}` : '--max-memory';
  const budgetText = req.maxMemoryText ?? (req.maxMemory === undefined ? `${formatBytes(budget)} (the ${backendName} default)` : String(req.maxMemory));
  posInt(req.blockSize, 'block size');
  const model = buildModel(spec, req.weights);
  const t0 = performance.now();
  try {
    if (req.mode === 'example') {
      const b = req.batchSize ?? n;
      if (b > n) throw new BadInputError(`--batch-size ${b} exceeds the ${n} examples given`);
      if (b < 2) throw new BadInputError('per-example mode needs at least 2 examples');
      const per = xShape.slice(1).reduce((a, c) => a * c, 1);
      const pass = (start: number, count: number): RecordedPass => {
        const x = tf.tensor(Float32Array.from({ length: count * per }, (_, i) => req.inputs.data[start * per + i]!), [count, ...xShape.slice(1)]);
        const yt = tf.tensor2d(y.subarray(start * k, (start + count) * k), [count, k]);
        try {
          return recordPass((tap) => exampleLosses(spec.loss, forward(model, x, { tap, bnMode: 'stored' }), yt));
        } finally { tf.dispose([x, yt]); }
      };
      const strategy = req.strategy ?? 'auto';
      const metered = measurePeak(() => {
        const avail = budget - tf.memory().numBytes;
        if (avail <= 0) throw new BadInputError(`--max-memory ${budgetText} is below the ${formatBytes(tf.memory().numBytes)} of tensors the weights already take`);
        const tp = performance.now();
        const plan: BlockPlan = req.blockSize !== undefined
          ? { blockSize: Math.min(b, req.blockSize), estimateBytes: NaN, fits: [] }
          : planBlocks(b, avail, (c) => measurePhases((cut) => {
            const p = pass(0, c);
            cut();
            try {
              eachParameterGram(p.byParam, c, strategy, (part) => { part.dispose(); cut(); });
            } finally { p.dispose(); }
          }).phases, budgetText);
        const planMs = performance.now() - tp;
        return { plan, planMs, res: blockedGram(b, plan.blockSize, pass, strategy) };
      });
      const { plan, planMs, res } = metered.result;
      const memory: MemoryReport = {
        budgetBytes: budget, budgetSource, blockSize: res.blockSize, blocks: res.blocks,
        peakTensorBytes: metered.peakBytes, withinBudget: metered.peakBytes <= budget,
        estimateBytes: Number.isFinite(plan.estimateBytes) ? Math.round(plan.estimateBytes) : null,
        hostStoreBytes: res.hostBytes, planMs,
      };
      const report = exampleReport(res.gram, b, res.losses, {
        labels: labels ? labels.subarray(0, b) : labelsFromTargets(spec.loss, y.subarray(0, b * k), b),
        topK: req.topK, hasBn, includeGram: req.includeGram, t0,
      });
      return { ...report, blockSize: res.blockSize, memory, ms: performance.now() - t0 };
    }
    const m = req.batchSize ?? 128;
    const pairs = req.pairs ?? 100;
    const metered = measurePeak(() => {
      const x = tf.tensor(req.inputs.data instanceof Float32Array ? req.inputs.data : Float32Array.from(req.inputs.data), xShape);
      const yt = tf.tensor2d(y, [n, k]);
      try {
        const avail = budget - tf.memory().numBytes;
        if (avail <= 0) throw new BadInputError(`--max-memory ${budgetText} is below the ${formatBytes(tf.memory().numBytes)} of tensors the weights and the ${n} examples already take`);
        return minibatchCosines(model, x, yt, { pairs, batchSize: m, seed: req.seed, strategy: req.strategy, maxBytes: avail });
      } finally {
        tf.dispose([x, yt]);
      }
    });
    const r = metered.result;
    const passes = r.pairsPerPass ?? [];
    const memory: MemoryReport = {
      budgetBytes: budget, budgetSource, blockSize: 2 * m * Math.max(1, ...passes), blocks: passes.length,
      peakTensorBytes: metered.peakBytes, withinBudget: metered.peakBytes <= budget, estimateBytes: null, hostStoreBytes: 0, planMs: 0,
    };
    return { ...minibatchReport(r, { batchSize: m, pairs, pool: n, hasBn, t0 }), blockSize: memory.blockSize, memory, ms: performance.now() - t0 };
  } finally {
    model.dispose();
  }
}
