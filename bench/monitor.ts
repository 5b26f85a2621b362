/**
 * The confusion monitor's overhead: the same training run timed with and without the monitor, in
 * the same process, runs interleaved (plain, monitored, plain, …) so that drift in machine load
 * hits both alike; the result is the ratio of the median per-step times. Each monitored run also
 * checks that it ends with the same weights as the plain run (the monitor never changes training).
 *
 * Settings (all on MNIST training images, normalized, plain SGD at lr 0.05, batch 128):
 * - `loop-minibatch`: gradconf's `sgdStep` loop on the mlp preset (784→512×4→10), the monitor in
 *   minibatch mode (the paper's protocol: `pairs` pairs of minibatches of `probeBatch`) every `every` steps;
 * - `loop-example`: the same loop, the monitor's per-example Gram of a fixed probe set of `probeSet`;
 * - `fit-minibatch`: a tfjs-layers `model.fit` of a 784→128→10 Sequential model, the monitor's
 *   callback in minibatch mode (tfjs-layers' stock gradients are slow on wasm, hence the smaller model).
 */
import * as tf from '@tensorflow/tfjs';
import { preset } from '../models/presets.ts';
import { initWeights } from '../models/init.ts';
import { buildModel, type BuiltModel } from '../models/build.ts';
import { loadMnist, normalizeImages, oneHot } from '../src/data/mnist.ts';
import { trainableNames } from '../src/probe/plain.ts';
import { sgdStep } from '../src/train/train.ts';
import { ConfusionMonitor, type MonitorOptions } from '../src/monitor/confusion-monitor.ts';

/** Sizes of the monitor benchmark (defaults: the README's run). */
export interface MonitorBenchOptions {
  /** Training steps per run (default 60). */
  steps?: number;
  /** Plain/monitored run pairs (default 3). */
  repeats?: number;
  /** Probe every this many steps (default 20). */
  every?: number;
  pairs?: number;
  probeBatch?: number;
  probeSet?: number;
  /** Training images used (default 8192; also the minibatch pool). */
  examples?: number;
  /** Use a small mlp (784→32→10) instead of the preset: for the smoke test. */
  tiny?: boolean;
  progress?: (msg: string) => void;
}

/** One setting's result. */
export interface MonitorBenchRow {
  config: 'loop-minibatch' | 'loop-example' | 'fit-minibatch';
  every: number;
  mode: 'minibatch' | 'example';
  /** minibatch: pairs × minibatch size; example: probe-set size. */
  probe: string;
  probesPerRun: number;
  plainMsPerStep: number;
  monitoredMsPerStep: number;
  /** monitored / plain median per-step time. */
  ratio: number;
  /** Median wall time of one probe, and the same in units of plain training steps. */
  probeMs: number;
  probeInSteps: number;
  /**
   * 1 + probes × probe time / plain run time: the overhead implied by the probe's own cost, less
   * sensitive to load swings between runs than `ratio` (what the two are expected to agree on).
   */
  ratioFromProbeCost: number;
  /** Every monitored run ended with bit-identical weights to the plain runs. */
  sameWeights: boolean;
}

const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

function checksum(arrays: Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i]!, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/** Run the benchmark on the active backend. */
export async function runMonitorBench(o: MonitorBenchOptions = {}): Promise<MonitorBenchRow[]> {
  const steps = o.steps ?? 60;
  const repeats = o.repeats ?? 3;
  const every = o.every ?? 20;
  const n = o.examples ?? 8192;
  const B = 128;
  const ds = loadMnist('train', { limit: n });
  const xData = normalizeImages(ds.images.subarray(0, n * 784), 0.1307, 0.3081);
  const yData = oneHot(ds.labels.subarray(0, n), 10);
  const x = tf.tensor2d(xData, [n, 784]);
  const y = tf.tensor2d(yData, [n, 10]);
  const spec = o.tiny ? { ...preset('mlp'), layers: [{ type: 'dense' as const, units: 32, activation: 'tanh' as const, bias: true }, { type: 'dense' as const, units: 10, activation: 'linear' as const, bias: true }] } : preset('mlp');
  const weights = initWeights(spec, { init: 'he', seed: 0 });
  const batches = Array.from({ length: steps }, (_, s) => tf.tensor1d(Int32Array.from({ length: B }, (_, i) => ((s * B + i) * 7919) % n), 'int32'));

  /** One sgdStep run of `steps` steps; returns per-step times and the final weights' checksum. */
  const loop = (monitor?: ConfusionMonitor): { ms: number[]; sum: string } => {
    const model: BuiltModel = buildModel(spec, weights);
    const names = trainableNames(model);
    const ms: number[] = [];
    for (let s = 0; s < steps; s++) {
      const t0 = performance.now();
      const xb = tf.gather(x, batches[s]!);
      const yb = tf.gather(y, batches[s]!) as tf.Tensor2D;
      const loss = sgdStep(model, names, xb, yb, 0.05);
      tf.dispose([xb, yb]);
      monitor?.afterStep(model, { step: s + 1, loss });
      ms.push(performance.now() - t0);
    }
    const sum = checksum(names.map((k) => Float32Array.from(model.params.get(k)!.dataSync())));
    model.dispose();
    return { ms, sum };
  };

  const fitModel = () => {
    const m = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [784], units: o.tiny ? 16 : 128, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ] });
    m.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    return m;
  };
  const xFit = tf.gather(x, tf.concat(batches));
  const yFit = tf.gather(y, tf.concat(batches));
  /** One model.fit run over the same `steps` batches (no shuffling); per-step times from the callback clock. */
  const fit = async (monitor?: ConfusionMonitor): Promise<{ ms: number[]; sum: string }> => {
    const model = fitModel();
    const ms: number[] = [];
    let t = performance.now();
    const clock: tf.CustomCallbackArgs = { onBatchEnd: () => { const now = performance.now(); ms.push(now - t); t = now; } };
    const mcb = monitor?.callback(model);
    // The clock runs after the monitor's callback so a probe counts in the step it follows.
    await model.fit(xFit, yFit, { epochs: 1, batchSize: B, shuffle: false, verbose: 0, callbacks: mcb ? [mcb, clock] : [clock] });
    const sum = checksum(model.getWeights().map((w) => Float32Array.from(w.dataSync())));
    model.dispose();
    return { ms, sum };
  };

  const monitorFor = (mode: 'minibatch' | 'example', atStart = false): ConfusionMonitor => {
    const opts: MonitorOptions = mode === 'minibatch'
      ? { every, mode, pairs: o.pairs ?? 10, batchSize: o.probeBatch ?? 64, inputs: x, targets: y, seed: 1, atStart }
      : { every, mode, batchSize: o.probeSet ?? 128, inputs: x, targets: y, atStart };
    return new ConfusionMonitor(opts);
  };

  const rows: MonitorBenchRow[] = [];
  const configs = [
    { config: 'loop-minibatch' as const, mode: 'minibatch' as const, run: loop },
    { config: 'loop-example' as const, mode: 'example' as const, run: loop },
    { config: 'fit-minibatch' as const, mode: 'minibatch' as const, run: fit },
  ];
  for (const c of configs) {
    o.progress?.(`monitor bench ${c.config} on ${tf.getBackend()}: ${repeats} × (plain, monitored), ${steps} steps each…`);
    const plain: number[] = [];
    const watched: number[] = [];
    const probeMs: number[] = [];
    const sums = new Set<string>();
    let probes = 0;
    await c.run(); // warm-up (kernels, wasm heap)
    for (let r = 0; r < repeats; r++) {
      const a = await c.run();
      plain.push(...a.ms);
      sums.add(a.sum);
      const mon = monitorFor(c.mode);
      const b = await c.run(mon);
      watched.push(...b.ms);
      sums.add(b.sum);
      probeMs.push(...mon.records.map((rec) => rec.ms));
      probes = mon.records.length;
      mon.dispose();
    }
    // Per-step medians miss the rare probe steps; mean step time includes them.
    const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
    const plainMs = mean(plain);
    rows.push({
      config: c.config, every, mode: c.mode,
      probe: c.mode === 'minibatch' ? `${o.pairs ?? 10} × ${o.probeBatch ?? 64}` : `${o.probeSet ?? 128} examples`,
      probesPerRun: probes, plainMsPerStep: plainMs, monitoredMsPerStep: mean(watched), ratio: mean(watched) / plainMs,
      probeMs: median(probeMs), probeInSteps: median(probeMs) / median(plain),
      ratioFromProbeCost: 1 + (probes * median(probeMs)) / (steps * plainMs), sameWeights: sums.size === 1,
    });
  }
  tf.dispose([x, y, xFit, yFit, ...batches]);
  return rows;
}
