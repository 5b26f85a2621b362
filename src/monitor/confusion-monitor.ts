/**
 * The confusion monitor: gradient confusion measured during training, every N steps or epochs,
 * without changing the training (DESIGN.md contracts; the paper's Section 7 protocol).
 *
 * - `mode: 'minibatch'` (default): P pairs of disjoint minibatches of size m drawn from the given
 *   pool, each minibatch with its own batch-norm statistics (src/probe/minibatch.ts); records η and
 *   the cosine summary between minibatch-mean gradients and the noise scale B_simple.
 * - `mode: 'example'`: the per-example Gram of a fixed probe set (src/probe/gram.ts, batch norm on
 *   stored statistics); records η, cosines, stiffness (by class when labels exist), B_simple,
 *   m-coherence and diversity.
 *
 * Models: a gradconf `BuiltModel` (models/build.ts, e.g. trained with src/train's `sgdStep`) or a
 * tfjs-layers model, Sequential or functional (converted with models/from-tfjs.ts at each probe, weights read
 * and never written). Use `monitor.afterStep` / `afterEpoch` in a custom loop, or
 * `monitor.callback(model)` in `model.fit({ callbacks })`.
 *
 * Never changes the training result: the probe reads the weights, builds its own tensors and
 * disposes them, draws its pairs from its own seeded generator (`kernelSeed(seed, 'monitor/step')`,
 * never Math.random, which tfjs-layers uses for shuffling and dropout), and does not touch the
 * data tensors it is given. Same seed and same run → same records (timings aside).
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildModel, type BuiltModel } from '../../models/build.ts';
import { specFromTfjs } from '../../models/from-tfjs.ts';
import { prepareTargets } from '../../models/loss.ts';
import { kernelSeed } from '../../models/init.ts';
import { parameterCount, type ModelSpec } from '../../models/spec.ts';
import { BadInputError } from '../errors.ts';
import { checkInputs, type ArrayData } from '../probe/index.ts';
import { computeGram } from '../probe/gram.ts';
import { minibatchCosines } from '../probe/minibatch.ts';
import { gramStats, summarize } from '../probe/stats.ts';
import { exampleStatistics, minibatchStatistics, pairProducts } from '../probe/statistics/probe-statistics.ts';
import { checkLabels, labelsFromTargets } from '../probe/statistics/labels.ts';
import type { MonitorHeader, MonitorRecord } from './monitor-record.ts';

/** A model the monitor can probe: gradconf's functional model, or a tfjs-layers Sequential model. */
export type MonitoredModel = BuiltModel | tf.LayersModel;

/** Settings of a `ConfusionMonitor` (see the module doc). */
export interface MonitorOptions {
  /** Probe every `every` steps (default unit) or epochs. */
  every: number;
  unit?: 'step' | 'epoch';
  /** 'minibatch' (default): the paper's protocol on the pool; 'example': the Gram of the probe set. */
  mode?: 'minibatch' | 'example';
  /** The pool (minibatch mode) or the probe set (example mode): [n, ...input] or [n, prod(input)]. */
  inputs: tf.Tensor | ArrayData;
  /** Targets as the probe takes them (one-hot or labels for softmax-xent, ±1 logistic, values mse). */
  targets: tf.Tensor | ArrayData;
  /** Class labels, one per example, for stiffness by class (default: from the targets where they are labels). */
  labels?: ArrayData;
  /** Minibatch mode: pairs per probe (default 10). */
  pairs?: number;
  /** Minibatch mode: minibatch size m (default 64); example mode: the first `batchSize` examples (default all). */
  batchSize?: number;
  /** Seed of the pairs drawn (default 0). */
  seed?: number;
  /** JSONL file written from the first probe on (overwritten, then appended to). */
  out?: string;
  /** Called with every record. */
  onRecord?: (r: MonitorRecord) => void;
  /** Probe once before training starts (step 0; default true). */
  atStart?: boolean;
  /** Loss of a tfjs-layers model when its compiled loss is not recognized (mse, logistic, softmax-xent). */
  loss?: string;
}

function isLayersModel(m: MonitoredModel): m is tf.LayersModel {
  return typeof (m as tf.LayersModel).getWeights === 'function' && Array.isArray((m as tf.LayersModel).layers);
}

const posInt = (v: number | undefined, name: string) => {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new BadInputError(`monitor: ${name} must be a positive integer (got ${v})`);
};

/** Gradient confusion during training: see the module doc. */
export class ConfusionMonitor {
  /** Every record so far, in order. */
  readonly records: MonitorRecord[] = [];
  private readonly opts: Required<Pick<MonitorOptions, 'every' | 'unit' | 'mode' | 'pairs' | 'seed' | 'atStart'>> & MonitorOptions;
  private data: { spec: string; x: tf.Tensor; y: tf.Tensor2D; n: number; labels: Int32Array | null } | null = null;
  private headerWritten = false;

  constructor(opts: MonitorOptions) {
    posInt(opts.every, 'every');
    posInt(opts.pairs, 'pairs');
    posInt(opts.batchSize, 'batchSize');
    if (opts.unit !== undefined && opts.unit !== 'step' && opts.unit !== 'epoch') throw new BadInputError(`monitor: unit must be "step" or "epoch" (got ${String(opts.unit)})`);
    if (opts.mode !== undefined && opts.mode !== 'minibatch' && opts.mode !== 'example') throw new BadInputError(`monitor: mode must be "minibatch" or "example" (got ${String(opts.mode)})`);
    this.opts = { unit: 'step', mode: 'minibatch', pairs: 10, seed: 0, atStart: true, ...opts };
  }

  /** Custom loops: call after every optimizer step (`step` = steps done, 1-based); probes when due. */
  afterStep(model: MonitoredModel, info: { step: number; epoch?: number; loss?: number }): MonitorRecord | null {
    if (this.opts.unit !== 'step' || info.step % this.opts.every !== 0) return null;
    return this.probe(model, info);
  }

  /** Custom loops: call after every epoch (`epoch` 1-based); probes when due (unit 'epoch'). */
  afterEpoch(model: MonitoredModel, info: { epoch: number; step: number; loss?: number }): MonitorRecord | null {
    if (this.opts.unit !== 'epoch' || info.epoch % this.opts.every !== 0) return null;
    return this.probe(model, info);
  }

  /**
   * tfjs-layers: callbacks for `model.fit(x, y, { callbacks: monitor.callback(model) })` (a plain
   * callback object, so it works with any copy of tfjs). Counts steps across epochs.
   */
  callback(model: tf.LayersModel): tf.CustomCallbackArgs {
    let step = 0;
    let epoch = 0;
    const cb: tf.CustomCallbackArgs = {
      onTrainBegin: () => { if (this.opts.atStart) this.probe(model, { step: 0, epoch: 0 }); },
      onEpochBegin: (e) => { epoch = e + 1; },
      onEpochEnd: (e, logs) => { this.afterEpoch(model, { epoch: e + 1, step, loss: logs?.loss }); },
    };
    // Only a per-step schedule listens to batches (a batch callback makes tfjs read the loss every step).
    if (this.opts.unit === 'step') cb.onBatchEnd = (_b, logs) => { step++; this.afterStep(model, { step, epoch, loss: logs?.loss }); };
    else cb.onBatchEnd = () => { step++; };
    return cb;
  }

  /** Probe now, whatever the schedule; appends the record (and writes it to `out`). */
  probe(model: MonitoredModel, info: { step: number; epoch?: number; loss?: number }): MonitorRecord {
    const t0 = performance.now();
    const { built, owned } = this.builtModel(model);
    try {
      const d = this.prepare(built.spec);
      const o = this.opts;
      const base = { type: 'probe' as const, step: info.step, epoch: info.epoch ?? null, loss: info.loss ?? null, mode: o.mode };
      let rec: MonitorRecord;
      if (o.mode === 'example') {
        const res = computeGram(built, d.x, d.y);
        const s = gramStats(res.gram, d.n);
        const st = exampleStatistics(res.gram, d.n, { labels: d.labels, topK: 0 });
        const sf = st.stiffness;
        rec = {
          ...base, n: d.n, eta: s.eta, cosine: s.cosine,
          stiffness: sf?.overall ? { sign: sf.overall.sign, cosine: sf.overall.cosine, withinClass: sf.byClass?.withinClass ?? null, betweenClasses: sf.byClass?.betweenClasses ?? null } : null,
          noiseScale: st.noiseScale && { bSimple: st.noiseScale.bSimple, traceCovariance: st.noiseScale.traceCovariance, meanGradientSq: st.noiseScale.meanGradientSq },
          mCoherence: st.mCoherence, diversity: s.diversity, probeLoss: res.losses.reduce((a, v) => a + v, 0) / d.n, ms: 0,
        };
      } else {
        const m = o.batchSize ?? 64;
        const r = minibatchCosines(built, d.x, d.y, { pairs: o.pairs, batchSize: m, seed: kernelSeed(o.seed, `monitor/${info.step}`) });
        const products = pairProducts(r);
        const live = products.filter((_, p) => !r.zeroPairs.includes(p));
        const ns = minibatchStatistics(r, m, d.n).noiseScale!;
        rec = {
          ...base, n: o.pairs, eta: live.length ? Math.max(0, -Math.min(...live.map((p) => p.ab))) : 0, cosine: summarize(r.cosines),
          stiffness: null, noiseScale: { bSimple: ns.bSimple, traceCovariance: ns.traceCovariance, meanGradientSq: ns.meanGradientSq },
          mCoherence: null, diversity: null, probeLoss: null, ms: 0,
        };
      }
      rec.ms = performance.now() - t0;
      this.write(rec, built.spec);
      return rec;
    } finally {
      if (owned) built.dispose();
    }
  }

  /** Release the monitor's copies of the probe data (the tensors it was given stay untouched). */
  dispose(): void {
    if (this.data) tf.dispose([this.data.x, this.data.y]);
    this.data = null;
  }

  private builtModel(model: MonitoredModel): { built: BuiltModel; owned: boolean } {
    if (!isLayersModel(model)) return { built: model, owned: false };
    const compiled = (model as unknown as { loss?: unknown }).loss;
    const { spec, weights } = specFromTfjs(model, { loss: this.opts.loss, trainingLoss: typeof compiled === 'string' ? compiled : undefined });
    return { built: buildModel(spec, weights), owned: true };
  }

  /** The probe data as tensors, validated against the model's spec once. */
  private prepare(spec: ModelSpec): NonNullable<ConfusionMonitor['data']> {
    const key = JSON.stringify(spec);
    if (this.data && this.data.spec === key) return this.data;
    this.dispose();
    const o = this.opts;
    const shapeOf = (v: tf.Tensor | ArrayData) => (v instanceof tf.Tensor ? v.shape : v.shape);
    const all = shapeOf(o.inputs)[0] ?? 0;
    const n = o.mode === 'example' ? (o.batchSize ?? all) : all;
    if (n > all) throw new BadInputError(`monitor: batchSize ${n} exceeds the ${all} examples given`);
    if (o.mode === 'example' && n < 2) throw new BadInputError('monitor: example mode needs at least 2 examples');
    if (o.mode === 'minibatch' && all < 2 * (o.batchSize ?? 64)) throw new BadInputError(`monitor: a pair of disjoint minibatches of ${o.batchSize ?? 64} needs at least ${2 * (o.batchSize ?? 64)} examples (have ${all})`);
    const targets: ArrayData = o.targets instanceof tf.Tensor ? { shape: o.targets.shape, data: o.targets.dataSync() } : o.targets;
    const yAll = prepareTargets(spec, all, targets, 'monitor targets');
    const k = yAll.length / all;
    let x: tf.Tensor;
    if (o.inputs instanceof tf.Tensor) {
      const t = o.inputs;
      const per = spec.input.reduce((a, b) => a * b, 1);
      if (t.size !== all * per) throw new BadInputError(`monitor inputs: shape [${t.shape}] does not match the model input [${spec.input}]`);
      const finite = tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0]);
      if (!finite) throw new BadInputError('monitor inputs: NaN or Inf in the data');
      // A reshape shares the caller's data (no copy of a large pool); the probe set is sliced off.
      x = tf.tidy(() => (n === all ? tf.reshape(t, [n, ...spec.input]) : tf.reshape(tf.slice(tf.reshape(t, [all, per]), [0, 0], [n, per]), [n, ...spec.input])));
    } else {
      const inputs = o.inputs;
      checkInputs(spec, inputs, 'monitor inputs');
      const per = spec.input.reduce((a, b) => a * b, 1);
      x = tf.tensor(Float32Array.from({ length: n * per }, (_, i) => inputs.data[i]!), [n, ...spec.input]);
    }
    const y = tf.tensor2d(yAll.subarray(0, n * k), [n, k]);
    const labels = o.labels ? checkLabels(o.labels, all, 'monitor labels').subarray(0, n) : labelsFromTargets(spec.loss, yAll.subarray(0, n * k), n);
    this.data = { spec: key, x, y, n, labels };
    return this.data;
  }

  private write(rec: MonitorRecord, spec: ModelSpec): void {
    const o = this.opts;
    if (o.out) {
      if (!this.headerWritten) {
        const header: MonitorHeader = {
          type: 'monitor', version: 1, mode: o.mode, every: o.every, unit: o.unit,
          ...(o.mode === 'minibatch' ? { pairs: o.pairs } : {}),
          batchSize: o.mode === 'minibatch' ? (o.batchSize ?? 64) : this.data!.n,
          examples: (o.inputs instanceof tf.Tensor ? o.inputs.shape[0] : o.inputs.shape[0]) ?? 0,
          seed: o.seed, model: { parameters: parameterCount(spec), loss: spec.loss }, backend: tf.getBackend(), startedAt: new Date().toISOString(),
        };
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, `${JSON.stringify(header)}\n`);
        this.headerWritten = true;
      }
      appendFileSync(o.out, `${JSON.stringify(rec)}\n`);
    }
    this.records.push(rec);
    o.onRecord?.(rec);
  }
}
