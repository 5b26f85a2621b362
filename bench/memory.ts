/**
 * The memory bench (issue 15, "Any batch size"): peak tensor memory and time of the per-example
 * probe on the mlp preset for B ∈ {64, 256, 1024, 4096}, unblocked and blocked within a budget,
 * measured in one run. Peak tensor memory is the high-water mark of tfjs's live tensor bytes
 * (`tf.memory().numBytes`) over the whole probe — weights, data, calibration included — from
 * src/probe/memory.ts `measurePeak`. Ratios (blocked / unblocked time and memory) come from the
 * same process run; the Grams of the two runs are compared entry by entry.
 */
import { preset } from '../models/presets.ts';
import { initWeights } from '../models/init.ts';
import { randomData } from '../models/arbitraries.ts';
import type { ModelSpec } from '../models/spec.ts';
import { runProbe, type ProbeReport } from '../src/probe/index.ts';
import { relErr } from '../src/probe/instances.ts';

export interface MemoryBenchRow {
  batch: number;
  /** 'unblocked' (one block of B, forced) or 'blocked' (planned within budgetBytes). */
  variant: 'unblocked' | 'blocked';
  budgetBytes: number | null;
  blockSize: number;
  blocks: number;
  peakTensorBytes: number;
  withinBudget: boolean | null;
  estimateBytes: number | null;
  hostStoreBytes: number;
  ms: number;
  /** Of `ms`, the block-size planning (calibration runs at 2, 4, 8 examples). */
  planMs: number;
  /** blocked rows: time and peak memory over the unblocked row of the same B (null where that did not run). */
  timeRatio: number | null;
  memoryRatio: number | null;
  /** blocked rows: max|G_blocked − G_unblocked| / max|G_unblocked|. */
  gramRelErr: number | null;
}

export interface MemoryBenchOptions {
  sizes?: number[];
  /** Tensor-memory budget of the blocked runs (bytes); default 128 MiB. */
  budget?: number;
  /** Largest B run unblocked (default 4096: every size; unblocked needs ~B²·16 bytes). */
  maxUnblocked?: number;
  spec?: ModelSpec;
  seed?: number;
  progress?: (msg: string) => void;
}

export const DEFAULT_SIZES = [64, 256, 1024, 4096];
export const DEFAULT_BUDGET = 128 * 2 ** 20;

function row(batch: number, variant: MemoryBenchRow['variant'], budget: number | null, r: ProbeReport): MemoryBenchRow {
  const m = r.memory!;
  return {
    batch, variant, budgetBytes: budget, blockSize: m.blockSize, blocks: m.blocks, peakTensorBytes: m.peakTensorBytes,
    withinBudget: budget === null ? null : m.peakTensorBytes <= budget, estimateBytes: m.estimateBytes, hostStoreBytes: m.hostStoreBytes,
    ms: r.ms, planMs: m.planMs, timeRatio: null, memoryRatio: null, gramRelErr: null,
  };
}

/** Run the bench on the active backend. */
export function runMemoryBench(o: MemoryBenchOptions = {}): MemoryBenchRow[] {
  const spec = o.spec ?? preset('mlp');
  const sizes = o.sizes ?? DEFAULT_SIZES;
  const budget = o.budget ?? DEFAULT_BUDGET;
  const seed = o.seed ?? 1;
  const weights = initWeights(spec, { init: 'he', seed });
  const n = Math.max(...sizes);
  const d = randomData(spec, n, seed + 1);
  const base = { spec, weights, inputs: { shape: d.xShape, data: d.x }, targets: { shape: d.yShape, data: d.y }, mode: 'example' as const, seed, includeGram: true, topK: 0 };
  const rows: MemoryBenchRow[] = [];
  for (const b of sizes) {
    let free: ProbeReport | null = null;
    if (b <= (o.maxUnblocked ?? Infinity)) {
      o.progress?.(`B = ${b}: unblocked`);
      free = runProbe({ ...base, batchSize: b, blockSize: b, maxMemory: 2 ** 52 });
      rows.push(row(b, 'unblocked', null, free));
    }
    o.progress?.(`B = ${b}: blocked within ${budget} bytes`);
    const blocked = runProbe({ ...base, batchSize: b, maxMemory: budget });
    const r = row(b, 'blocked', budget, blocked);
    if (free) {
      r.timeRatio = blocked.ms / free.ms;
      r.memoryRatio = blocked.memory!.peakTensorBytes / free.memory!.peakTensorBytes;
      r.gramRelErr = relErr(blocked.gram!.flat(), free.gram!.flat());
    }
    rows.push(r);
  }
  return rows;
}

const mib = (b: number) => (b / 2 ** 20).toFixed(1);

/** The rows as a text table. */
export function memoryTable(rows: MemoryBenchRow[], backend: string): string {
  const head = `    B  variant    budget MiB  block  blocks  peak MiB  within  host MiB       ms  plan ms  time ratio  mem ratio  Gram rel err  (backend ${backend})`;
  const lines = rows.map((r) => [
    String(r.batch).padStart(5), r.variant.padEnd(9), (r.budgetBytes === null ? '–' : mib(r.budgetBytes)).padStart(11),
    String(r.blockSize).padStart(6), String(r.blocks).padStart(7), mib(r.peakTensorBytes).padStart(9),
    (r.withinBudget === null ? '–' : r.withinBudget ? 'yes' : 'NO').padStart(7), mib(r.hostStoreBytes).padStart(9),
    r.ms.toFixed(0).padStart(8), r.planMs.toFixed(0).padStart(8), (r.timeRatio === null ? '–' : r.timeRatio.toFixed(2)).padStart(11),
    (r.memoryRatio === null ? '–' : r.memoryRatio.toFixed(3)).padStart(10), (r.gramRelErr === null ? '–' : r.gramRelErr.toExponential(1)).padStart(13),
  ].join(' '));
  return [head, ...lines].join('\n');
}
