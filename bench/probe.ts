/**
 * Probe benchmark (tinybench): for each configuration, in the same process and run,
 *   plain     = the plain batched (summed) gradient of all parameters (src/probe/plain.ts),
 *   probe     = the per-example Gram in one backward pass (src/probe/gram.ts),
 *   reference = the per-example loop (src/probe/reference.ts),
 *   stock     = the batched gradient with tfjs's own dense-layer gradients (transpose-flag
 *               matMuls), i.e. without gradconf's wasm fast path — for context only,
 * and the ratios probeOverPlain = probe/plain and referenceOverProbe = reference/probe of the
 * median times. Absolute times depend on the machine; the ratios are the result. The ONNX
 * configuration runs the same three tasks through the ONNX interpreter (src/onnx/: plain.ts,
 * probe-gram.ts, reference.ts) on a model torch.onnx.export wrote.
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
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OnnxProgram } from '../src/onnx/program.ts';
import { onnxGram } from '../src/onnx/probe-gram.ts';
import { onnxBatchGradients } from '../src/onnx/plain.ts';
import { referenceGram as referenceOnnxGram } from '../src/onnx/reference.ts';
import { generateResnet18 } from '../src/onnx/testing/fixtures.ts';
import { Rng } from '../src/rng.ts';

/**
 * A spec preset, or an ONNX model exported from PyTorch (`onnx`: generated at run time by
 * scripts/onnx-fixtures.py with Debian's python3-torch; skipped with the reason when it is not
 * installed). Inputs random: N(0, 1) images, uniform class labels.
 */
export type BenchConfig = { config: string; preset: PresetName; batch: number } | { config: string; onnx: 'resnet18'; batch: number };

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
  // torchvision's resnet18 (11.2M parameters, 5 classes) on 32×32 inputs, via torch.onnx.export (issue 17).
  { config: 'onnx-resnet18', onnx: 'resnet18', batch: 16 },
];

/** What `npm run bench` / `gradconf bench` run without --config. */
export const DEFAULT_BENCH_CONFIGS = ['mlp', 'cnn', 'wrn', 'transformer', 'onnx-resnet18'];

export interface BenchRow {
  config: string; backend: string; batch: number;
  plainMs: number; probeMs: number; referenceMs: number;
  probeOverPlain: number; referenceOverProbe: number;
  /** tfjs's stock dense gradients (see module doc); probeOverStock = probe / stock. null for ONNX models (the interpreter runs tfjs's ops as they are). */
  stockMs: number | null; probeOverStock: number | null;
  samples: { plain: number; probe: number; reference: number; stock: number };
}

/** A configuration that could not run here, and why (e.g. no python3-torch to generate the ONNX model). */
export interface BenchSkip { config: string; reason: string }

function median(task: { result: unknown }): { ms: number; n: number } {
  const r = task.result as { latency?: { p50: number; samplesCount?: number }; error?: Error };
  if (r.error) throw r.error;
  if (!r.latency) throw new Error('benchmark task did not complete');
  return { ms: r.latency.p50, n: r.latency.samplesCount ?? 0 };
}

/** One ONNX configuration: the same tasks through the interpreter (src/onnx/), no stock variant. */
async function onnxRow(c: Extract<BenchConfig, { onnx: string }>, opts: { timeMs?: number; seed?: number; progress?: (msg: string) => void }): Promise<BenchRow | BenchSkip> {
  opts.progress?.(`bench ${c.config}: generating the ONNX model with scripts/onnx-fixtures.py…`);
  const gen = generateResnet18();
  if ('reason' in gen) return { config: c.config, reason: gen.reason };
  const program = OnnxProgram.load(join(gen.dir, 'model.onnx'));
  const rng = new Rng(opts.seed ?? 0);
  const x = tf.tensor4d(Float32Array.from(rng.normals(c.batch * 3 * 32 * 32)), [c.batch, 3, 32, 32]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: c.batch }, () => rng.int(5)), 'int32'), 5).toFloat() as tf.Tensor2D;
  try {
    const bench = new Bench({ name: c.config, time: opts.timeMs ?? 2000, iterations: 3, warmup: true, warmupIterations: 1, warmupTime: 0 });
    bench
      .add('plain', () => { tf.dispose(onnxBatchGradients(program, x, y, 'softmax-xent')); })
      .add('probe', () => { onnxGram(program, x, y, 'softmax-xent'); })
      .add('reference', () => { referenceOnnxGram(program, x, y, 'softmax-xent'); });
    opts.progress?.(`bench ${c.config} (B=${c.batch}, ${program.parameterCount} parameters) on ${tf.getBackend()}…`);
    await bench.run();
    const [plain, probe, reference] = bench.tasks.map(median) as [{ ms: number; n: number }, { ms: number; n: number }, { ms: number; n: number }];
    return {
      config: c.config, backend: tf.getBackend(), batch: c.batch,
      plainMs: plain.ms, probeMs: probe.ms, referenceMs: reference.ms,
      probeOverPlain: probe.ms / plain.ms, referenceOverProbe: reference.ms / probe.ms,
      stockMs: null, probeOverStock: null,
      samples: { plain: plain.n, probe: probe.n, reference: reference.n, stock: 0 },
    };
  } finally {
    program.dispose();
    tf.dispose([x, y]);
    rmSync(dirname(gen.dir), { recursive: true, force: true });
  }
}

/**
 * Run the benchmark on the active backend; `timeMs` is tinybench's time budget per task (the
 * reference loop runs at least `referenceIterations`, default 3, after one warm-up).
 * Configurations that cannot run here are listed in `skipped` with the reason.
 */
export async function runBench(configs: BenchConfig[], opts: { timeMs?: number; seed?: number; progress?: (msg: string) => void; skipped?: BenchSkip[]; referenceIterations?: number } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const c of configs) {
    if ('onnx' in c) {
      const r = await onnxRow(c, opts);
      if ('reason' in r) {
        opts.progress?.(`bench ${c.config}: skipped (${r.reason})`);
        opts.skipped?.push(r);
      } else {
        rows.push(r);
      }
      continue;
    }
    const spec = preset(c.preset);
    const model = buildModel(spec, initWeights(spec, { init: 'he', seed: opts.seed ?? 0 }));
    const d = randomData(spec, c.batch, opts.seed ?? 0);
    const x = tf.tensor(d.x, d.xShape);
    const y = tf.tensor2d(d.y, d.yShape as [number, number]);
    const bench = new Bench({ name: c.config, time: opts.timeMs ?? 2000, iterations: 3, warmup: true, warmupIterations: 1, warmupTime: 0 });
    bench
      .add('plain', () => { tf.dispose(batchGradients(model, x, y)); })
      .add('probe', () => { computeGram(model, x, y); })
      .add('stock', () => { tf.dispose(batchGradients(model, x, y, { stockDense: true })); });
    // The per-example loop takes seconds: its own budget (opts.referenceIterations, default 3 after one warm-up).
    const refBench = new Bench({ name: `${c.config} reference`, time: opts.timeMs ?? 2000, iterations: opts.referenceIterations ?? 3, warmup: true, warmupIterations: 1, warmupTime: 0 });
    refBench.add('reference', () => { referenceGram(model, x, y); });
    opts.progress?.(`bench ${c.config} (B=${c.batch}) on ${tf.getBackend()}…`);
    await bench.run();
    await refBench.run();
    const [plain, probe, stock] = bench.tasks.map(median) as { ms: number; n: number }[] as [{ ms: number; n: number }, { ms: number; n: number }, { ms: number; n: number }];
    const reference = median(refBench.tasks[0]!);
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
