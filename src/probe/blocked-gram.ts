/**
 * The per-example Gram in blocks of examples, so that any batch size B runs within a tensor-memory
 * budget (issue 15, "Any batch size"; the budget itself: memory.ts).
 *
 * Design — one pass per block, then one rule evaluation per block PAIR from host copies:
 *  1. For each block I of b examples (B/b blocks, the last one possibly smaller): one forward and
 *     one backward pass (gram.ts `recordPass`) on those examples alone, and a HOST copy
 *     (Float32Array/Int32Array) of every primitive use's input and δ; the tensors are released.
 *     In per-example mode (batch norm on stored statistics) example i's loss depends on example i
 *     alone, so these inputs and δ's are exactly the rows the unblocked pass would record.
 *  2. For each pair I < J: upload the rows of I and J, concatenated, as one recorded pass of
 *     |I| + |J| examples — same uses, same parameters, and one δ tensor wherever the block's uses
 *     shared one (a bias folded into its matmul) — and hand it to the unchanged per-primitive rules
 *     (parameter-gram.ts `eachParameterGram`). Its (|I|+|J|)² Gram holds G[I,I], G[I,J], G[J,J];
 *     the off-diagonal block is stored, and G[I,I] from the first pair that contains I.
 *  Blocked = unblocked entry by entry up to float32 rounding (blocked-gram.test.ts); the rules are
 *  black boxes here, so ghost, materialized, tied and folded forms all work unchanged.
 *
 * Cost, for nb = B/b blocks: forward/backward work as unblocked (each example once). Gram work:
 * nb(nb−1)/2 rule evaluations on 2b examples. A ghost form (∝ n²) then costs
 * 2·(1 − 1/nb)·(unblocked) — at most twice the unblocked B² work, because each pair recomputes its
 * two diagonal blocks; a materialized form (∝ n·P) costs about nb times its unblocked
 * materialization. Transfers: each block's rows are uploaded nb − 1 times. Memory: tensors of one
 * pass of b examples, or of one pair's 2b rows and their rule evaluation, whichever is larger
 * (`planBlocks` sizes b from measured peaks); host: B × (floats recorded per example) × 4 bytes
 * for the copies, plus the B×B float64 Gram.
 */
import * as tf from '@tensorflow/tfjs';
import type { PrimitiveCall } from '../../models/primitives.ts';
import type { GramStrategy, PrimitiveUse } from './rules/index.ts';
import { accumulateGram, type RecordedPass } from './gram.ts';
import { BadInputError } from '../errors.ts';
import { formatBytes } from './memory.ts';

type HostArray = Float32Array | Int32Array;
interface HostTensor { data: HostArray; rest: number[]; dtype: 'float32' | 'int32' }
interface HostUse { param: string; call: PrimitiveCall; input: number; delta: number }

/** One block's recorded uses, copied to the host: a table of distinct tensors and uses indexing it. */
export interface HostBlock {
  n: number;
  tensors: HostTensor[];
  uses: HostUse[];
  losses: Float64Array;
}

/** Host bytes of a block's copies. */
export function hostBlockBytes(b: HostBlock): number {
  return b.tensors.reduce((a, t) => a + t.data.byteLength, 0);
}

/** Copy a recorded pass of `n` examples to the host (tensors shared between uses are copied once). */
export function toHost(pass: RecordedPass, n: number): HostBlock {
  const index = new Map<tf.Tensor, number>();
  const tensors: HostTensor[] = [];
  const slot = (t: tf.Tensor): number => {
    const known = index.get(t);
    if (known !== undefined) return known;
    if (t.shape[0] !== n) throw new Error(`blocked probe: a recorded tensor of shape [${t.shape}] has no batch axis of ${n} first`);
    const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
    if (t.dtype !== dtype) throw new Error(`blocked probe: recorded tensor of dtype ${t.dtype}`);
    tensors.push({ data: t.dataSync() as HostArray, rest: t.shape.slice(1), dtype });
    index.set(t, tensors.length - 1);
    return tensors.length - 1;
  };
  const uses: HostUse[] = [];
  for (const [param, list] of pass.byParam) {
    for (const u of list) {
      const input = u.call.kind === 'shift' ? -1 : slot(u.call.input);
      uses.push({ param, call: u.call, input, delta: slot(u.delta) });
    }
  }
  return { n, tensors, uses, losses: pass.losses };
}

function sameStructure(a: HostBlock, b: HostBlock): boolean {
  if (a.uses.length !== b.uses.length || a.tensors.length !== b.tensors.length) return false;
  if (a.tensors.some((t, i) => t.dtype !== b.tensors[i]!.dtype || t.rest.join() !== b.tensors[i]!.rest.join())) return false;
  return a.uses.every((u, i) => {
    const v = b.uses[i]!;
    return u.param === v.param && u.call.kind === v.call.kind && u.input === v.input && u.delta === v.delta;
  });
}

/**
 * The blocks' rows concatenated in order, as tensors, with the uses of the first block pointing at
 * them: a recorded pass of Σ n examples (caller disposes).
 */
export function concatBlocks(blocks: HostBlock[]): { byParam: Map<string, PrimitiveUse[]>; n: number; dispose: () => void } {
  const first = blocks[0]!;
  for (const b of blocks.slice(1)) if (!sameStructure(first, b)) throw new Error('blocked probe: blocks recorded different primitive uses (internal error)');
  const n = blocks.reduce((a, b) => a + b.n, 0);
  const tensors = first.tensors.map((t, i) => {
    const len = blocks.reduce((a, b) => a + b.tensors[i]!.data.length, 0);
    const data = t.dtype === 'int32' ? new Int32Array(len) : new Float32Array(len);
    let o = 0;
    for (const b of blocks) {
      data.set(b.tensors[i]!.data, o);
      o += b.tensors[i]!.data.length;
    }
    return tf.tensor(data, [n, ...t.rest], t.dtype);
  });
  const byParam = new Map<string, PrimitiveUse[]>();
  for (const u of first.uses) {
    const call = (u.call.kind === 'shift' ? { ...u.call } : { ...u.call, input: tensors[u.input]! }) as PrimitiveCall;
    const list = byParam.get(u.param) ?? [];
    list.push({ call, delta: tensors[u.delta]! });
    byParam.set(u.param, list);
  }
  return { byParam, n, dispose: () => tf.dispose(tensors) };
}

/** Start and size of each block: ⌈B/b⌉ blocks of nearly equal size (sizes differ by at most 1). */
export function blockRanges(batch: number, blockSize: number): [number, number][] {
  const nb = Math.ceil(batch / blockSize);
  const out: [number, number][] = [];
  for (let i = 0; i < nb; i++) {
    const s = Math.floor((i * batch) / nb);
    out.push([s, Math.floor(((i + 1) * batch) / nb) - s]);
  }
  return out;
}

export interface BlockedGramResult {
  /** Row-major B×B, float64. */
  gram: Float64Array;
  losses: Float64Array;
  blocks: number;
  /** Largest block. */
  blockSize: number;
  /** Host bytes of the per-block copies (outside the tensor budget). */
  hostBytes: number;
}

/**
 * The B×B per-example Gram in blocks of at most `blockSize` examples (see the module comment).
 * `pass(start, count)` runs the recorded forward/backward pass on examples start..start+count−1
 * (gram.ts `recordPass`); each is released before the next. blockSize ≥ B: one pass, unblocked.
 */
export function blockedGram(batch: number, blockSize: number, pass: (start: number, count: number) => RecordedPass, strategy: GramStrategy = 'auto'): BlockedGramResult {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new Error(`block size must be a positive integer (got ${blockSize})`);
  const ranges = blockRanges(batch, blockSize);
  const gram = new Float64Array(batch * batch);
  const losses = new Float64Array(batch);
  if (ranges.length === 1) {
    const p = pass(0, batch);
    try {
      accumulateGram(p.byParam, batch, strategy, gram);
      losses.set(p.losses);
    } finally { p.dispose(); }
    return { gram, losses, blocks: 1, blockSize: batch, hostBytes: 0 };
  }
  const host = ranges.map(([s, n]) => {
    const p = pass(s, n);
    try {
      const h = toHost(p, n);
      losses.set(h.losses, s);
      return h;
    } finally { p.dispose(); }
  });
  const diagDone = ranges.map(() => false);
  for (let bi = 0; bi < ranges.length; bi++) {
    for (let bj = bi + 1; bj < ranges.length; bj++) {
      const [si, ni] = ranges[bi]!;
      const [sj, nj] = ranges[bj]!;
      const pair = concatBlocks([host[bi]!, host[bj]!]);
      const n = pair.n;
      const local = new Float64Array(n * n);
      try {
        accumulateGram(pair.byParam, n, strategy, local);
      } finally { pair.dispose(); }
      const globalRow = (r: number) => (r < ni ? si + r : sj + r - ni);
      for (let r = 0; r < n; r++) {
        const rowInI = r < ni;
        const gr = globalRow(r) * batch;
        for (let c = 0; c < n; c++) {
          const colInI = c < ni;
          if (rowInI === colInI && (rowInI ? diagDone[bi] : diagDone[bj])) continue;
          gram[gr + globalRow(c)] = local[r * n + c]!;
        }
      }
      diagDone[bi] = true;
      diagDone[bj] = true;
    }
  }
  return { gram, losses, blocks: ranges.length, blockSize: Math.max(...ranges.map((r) => r[1])), hostBytes: host.reduce((a, h) => a + hostBlockBytes(h), 0) };
}

/** Tensor bytes of one phase of a computation as a function of its number of examples n: c0 + c1·n + c2·n². */
export interface MemoryFit { c0: number; c1: number; c2: number }

/**
 * Examples the memory model is calibrated at (one unblocked probe run each, on the first examples).
 * Each run is measured in phases — the forward/backward pass, then each parameter's share of the
 * Gram (the live set there is the recorded uses plus that one rule evaluation) — because the
 * peak of the whole run is the MAXIMUM of these phases, which switches phase as n grows (a
 * polynomial fitted to the maxima would not extrapolate; one fitted to each phase does).
 * Small sizes, because the calibration runs count against the budget too (measured on the mlp
 * preset: every phase is an exact polynomial in n, so three points determine it).
 */
export const CALIBRATION_SIZES = [2, 4, 8] as const;

/** Safety factor on the fitted estimate (covers allocator rounding and small shape-dependent terms). */
export const ESTIMATE_MARGIN = 1.1;

/** Exact quadratic through three measured (n, bytes) points, with negative coefficients clamped to 0. */
export function fitQuadratic(at: readonly number[], measured: readonly number[]): MemoryFit {
  const [x1, x2, x3] = at as [number, number, number];
  const [y1, y2, y3] = measured as [number, number, number];
  const d1 = (y2 - y1) / (x2 - x1);
  const d2 = (y3 - y2) / (x3 - x2);
  const c2 = Math.max(0, (d2 - d1) / (x3 - x1));
  const c1 = Math.max(0, d1 - c2 * (x1 + x2));
  const c0 = Math.max(0, y1 - c1 * x1 - c2 * x1 * x1);
  return { c0, c1, c2 };
}

/** The estimate of the peak tensor bytes of an unblocked probe of n examples: the largest phase, with the margin. */
export function estimateBytes(fits: readonly MemoryFit[], n: number): number {
  return ESTIMATE_MARGIN * Math.max(0, ...fits.map((f) => f.c0 + f.c1 * n + f.c2 * n * n));
}

export interface BlockPlan {
  /** B when the unblocked probe fits. */
  blockSize: number;
  /** Estimated peak tensor bytes above what was live before (at n = B unblocked, or at a pair's 2b). */
  estimateBytes: number;
  /** One fit per measured phase; empty when not calibrated. */
  fits: MemoryFit[];
}

/**
 * The largest block size b whose estimated peak fits `availBytes` (the budget less what is live
 * already): b = B when the unblocked probe fits, else the largest b with estimate(2b) ≤ available
 * (a pair of blocks is the largest computation of the blocked probe; one block's pass is smaller).
 * `measure(n)` returns the peak tensor bytes above the start of each phase of an unblocked probe of
 * the first n examples (the same phases for every n); it is called at CALIBRATION_SIZES only when
 * B exceeds the largest of them.
 * @throws BadInputError when not even blocks of 2 examples fit.
 */
export function planBlocks(batch: number, availBytes: number, measure: (n: number) => number[], budgetText: string): BlockPlan {
  const top = CALIBRATION_SIZES[CALIBRATION_SIZES.length - 1]!;
  if (batch <= top) return { blockSize: batch, estimateBytes: NaN, fits: [] };
  const runs = CALIBRATION_SIZES.map((n) => measure(n));
  // The phases match across sizes unless a form choice by cost changed with n (a bias folded into
  // its matmul's ghost form at one size, not at another): then the Gram phases are fitted as one,
  // by their maximum per run (the first phase, the pass, always on its own).
  const phases = runs[0]!.length;
  const aligned = runs.every((r) => r.length === phases);
  const series = aligned ? runs : runs.map((r) => [r[0]!, Math.max(0, ...r.slice(1))]);
  const fits = Array.from({ length: series[0]!.length }, (_, p) => fitQuadratic(CALIBRATION_SIZES, series.map((r) => r[p]!)));
  const whole = estimateBytes(fits, batch);
  if (whole <= availBytes) return { blockSize: batch, estimateBytes: whole, fits };
  // Largest n = 2b with estimate(n) ≤ avail: the smallest root over the phases.
  const a = availBytes / ESTIMATE_MARGIN;
  let n = Infinity;
  for (const f of fits) {
    const r = a - f.c0;
    const root = r <= 0 ? 0 : f.c2 > 0 ? (-f.c1 + Math.sqrt(f.c1 * f.c1 + 4 * f.c2 * r)) / (2 * f.c2) : f.c1 > 0 ? r / f.c1 : Infinity;
    n = Math.min(n, root);
  }
  const b = Math.min(batch, Math.floor(n / 2 + 1e-9));
  if (b < 2) {
    throw new BadInputError(`--max-memory ${budgetText} is too small for this model: a pair of 2-example blocks needs about ${formatBytes(Math.ceil(estimateBytes(fits, 4)))} of tensor memory, ${formatBytes(Math.max(0, Math.floor(availBytes)))} is left after the weights and data`);
  }
  return { blockSize: b, estimateBytes: estimateBytes(fits, 2 * b), fits };
}
