/**
 * Probe benchmark (tinybench): for each configuration, in the same process and run,
 *   plain     = the plain batched (summed) gradient of all parameters (src/probe/plain.ts),
 *   probe     = the per-example Gram in one backward pass (src/probe/gram.ts),
 *   reference = the per-example loop (src/probe/reference.ts),
 *   stock     = the batched gradient with tfjs's own dense-layer gradients (transpose-flag
 *               matMuls), i.e. without gradconf's wasm fast path — for context only,
 * and the ratios probeOverPlain = probe/plain and referenceOverProbe = reference/probe of the
 * median times. Absolute times depend on the machine; the ratios are the result.
 */
import { Bench } from 'tinybench';
import * as tf from '@tensorflow/tfjs';
import { preset, type PresetName } from '../models/presets.ts';
import { initWeights } from '../models/init.ts';
import { buildModel } from '../models/build.ts';
import { randomData } from '../models/arbitraries.ts';
import { computeGram } from '../src/probe/gram.ts';
import { batchGradients } from '../src/probe/plain.ts';
import { referenceGram } from '../src/probe/reference.ts';

export interface BenchConfig { config: string; preset: PresetName; batch: number }

/**
 * The configurations the issues name (mlp B=128, cnn B=64; WRN-16-2 B=64 and the transformer
 * B=32, issue 12) plus the small residual/BN preset.
 */
export const BENCH_CONFIGS: BenchConfig[] = [
  { config: 'mlp', preset: 'mlp', batch: 128 },
  { config: 'cnn', preset: 'cnn', batch: 64 },
  { config: 'resnet', preset: 'resnet', batch: 32 },
  { config: 'wrn', preset: 'wrn', batch: 64 },
  { config: 'transformer', preset: 'transformer', batch: 32 },
];

/** What `npm run bench` / `gradconf bench` run without --config. */
export const DEFAULT_BENCH_CONFIGS = ['mlp', 'cnn', 'wrn', 'transformer'];

export interface BenchRow {
  config: string; backend: string; batch: number;
  plainMs: number; probeMs: number; referenceMs: number;
  probeOverPlain: number; referenceOverProbe: number;
  /** tfjs's stock dense gradients (see module doc); probeOverStock = probe / stock. */
  stockMs: number; probeOverStock: number;
  samples: { plain: number; probe: number; reference: number; stock: number };
}

function median(task: { result: unknown }): { ms: number; n: number } {
  const r = task.result as { latency?: { p50: number; samplesCount?: number }; error?: Error };
  if (r.error) throw r.error;
  if (!r.latency) throw new Error('benchmark task did not complete');
  return { ms: r.latency.p50, n: r.latency.samplesCount ?? 0 };
}

/** Run the benchmark on the active backend; `timeMs` is tinybench's time budget per task. */
export async function runBench(configs: BenchConfig[], opts: { timeMs?: number; seed?: number; progress?: (msg: string) => void } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const c of configs) {
    const spec = preset(c.preset);
    const model = buildModel(spec, initWeights(spec, { init: 'he', seed: opts.seed ?? 0 }));
    const d = randomData(spec, c.batch, opts.seed ?? 0);
    const x = tf.tensor(d.x, d.xShape);
    const y = tf.tensor2d(d.y, d.yShape as [number, number]);
    const bench = new Bench({ name: c.config, time: opts.timeMs ?? 2000, iterations: 3, warmup: true, warmupIterations: 1, warmupTime: 0 });
    bench
      .add('plain', () => { tf.dispose(batchGradients(model, x, y)); })
      .add('probe', () => { computeGram(model, x, y); })
      .add('reference', () => { referenceGram(model, x, y); })
      .add('stock', () => { tf.dispose(batchGradients(model, x, y, { stockDense: true })); });
    opts.progress?.(`bench ${c.config} (B=${c.batch}) on ${tf.getBackend()}…`);
    await bench.run();
    const [plain, probe, reference, stock] = bench.tasks.map(median) as { ms: number; n: number }[] as [{ ms: number; n: number }, { ms: number; n: number }, { ms: number; n: number }, { ms: number; n: number }];
    rows.push({
      config: c.config, backend: tf.getBackend(), batch: c.batch,
      plainMs: plain.ms, probeMs: probe.ms, referenceMs: reference.ms,
      probeOverPlain: probe.ms / plain.ms, referenceOverProbe: reference.ms / probe.ms,
      stockMs: stock.ms, probeOverStock: probe.ms / stock.ms,
      samples: { plain: plain.n, probe: probe.n, reference: reference.n, stock: stock.n },
    });
    model.dispose();
    tf.dispose([x, y]);
  }
  return rows;
}
