/**
 * One task of a sweep, self-contained so that a worker thread can run it: a learning-rate tuning
 * (the paper's Section 7: initial rate tuned on a log grid, lowest training loss wins) or a
 * training run with its per-epoch measurements. Each returns the JSON record appended to the
 * sweep's results file.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../models/build.ts';
import { initWeights } from '../../models/init.ts';
import { parameterCount, type ModelSpec } from '../../models/spec.ts';
import { initBackend } from '../backend/index.ts';
import { loadSweepData, type DataRequest, type SweepData } from './datasets.ts';
import { modelSpecFor, takesImages } from './families.ts';
import type { RunPlan, SweepConfig } from './plan.ts';
import { trainModel, type EpochRecord, type TrainTensors } from './train.ts';
import type { CosineSummary } from '../probe/stats.ts';

/** Result record of a learning-rate tuning (one JSON line). */
export interface TuneRecord {
  type: 'tune';
  /** `tune/<configKey>`. */
  key: string;
  configKey: string;
  seed: number;
  epochs: number;
  grid: number[];
  /** Training loss after `epochs` epochs at each rate (null = diverged). */
  losses: (number | null)[];
  chosen: number;
  /** The chosen rate is the smallest or largest of the grid (the grid may be too narrow). */
  atEdge: boolean;
  backend: string;
  ms: number;
}

/** Result record of a training run (one JSON line). */
export interface RunRecord {
  type: 'run';
  key: string;
  configKey: string;
  sweep: SweepConfig['kind'];
  level: number;
  variant: RunPlan['variant'];
  seed: number;
  model: RunPlan['model'] & { parameters: number };
  dataset: SweepConfig['dataset'];
  data: string;
  lr: number;
  /** Where the rate came from: the sweep's fixed --lr, or the tuning record's key. */
  lrSource: string;
  epochs: EpochRecord[];
  diverged: boolean;
  divergedAt: number | null;
  /** End-of-training values (the last epoch's), or null fields if the run diverged. */
  final: { trainLoss: number | null; testAccuracy: number | null; minCosine: number | null; cosine: CosineSummary | null };
  backend: string;
  ms: number;
}

/** A task sent to a worker. */
export type Task =
  | { type: 'tune'; key: string; configKey: string; plan: RunPlan; config: SweepConfig; backend?: string }
  | { type: 'run'; key: string; plan: RunPlan; config: SweepConfig; lr: number; lrSource: string; backend?: string };

let cached: { key: string; data: SweepData } | undefined;

function dataFor(cfg: SweepConfig): SweepData {
  const req: DataRequest = { dataset: cfg.dataset, dataDir: cfg.dataDir, trainExamples: cfg.trainExamples, testExamples: cfg.testExamples, dataSeed: cfg.dataSeed };
  const key = JSON.stringify(req);
  if (cached?.key !== key) cached = { key, data: loadSweepData(req) };
  return cached.data;
}

function tensorsFor(spec: ModelSpec, d: SweepData): TrainTensors {
  const shape = spec.input; // [h, w, c] for conv families, [h·w·c] for dense ones: same memory layout
  const oh = (labels: Uint8Array) => {
    const y = new Float32Array(labels.length * d.classes);
    labels.forEach((c, i) => { y[i * d.classes + c] = 1; });
    return tf.tensor2d(y, [labels.length, d.classes]);
  };
  return {
    xTrain: tf.tensor(d.xTrain, [d.nTrain, ...shape]), yTrain: oh(d.yTrain),
    xTest: tf.tensor(d.xTest, [d.nTest, ...shape]), yTest: oh(d.yTest),
  };
}

/** Examples per probe backward pass: one pair for conv nets (wasm's 4 GB heap), else the default. */
function probeMaxExamples(cfg: SweepConfig): number | undefined {
  return takesImages(cfg.family) ? 2 * cfg.probeBatch : undefined;
}

/**
 * Train from He init (`initWeights(spec, {init: 'he', seed})`) for `epochs` at a constant rate
 * per grid point; the rate with the lowest final training loss wins (a diverged run counts as
 * +∞; ties go to the smaller rate).
 */
export async function executeTune(t: Extract<Task, { type: 'tune' }>, onEpoch?: (e: EpochRecord) => void): Promise<TuneRecord> {
  const backend = await initBackend(t.backend);
  const t0 = performance.now();
  const d = dataFor(t.config);
  const spec = modelSpecFor(t.plan.model, d.image, d.classes);
  const data = tensorsFor(spec, d);
  const losses: (number | null)[] = [];
  try {
    for (const lr of t.config.lrGrid) {
      const model = buildModel(spec, initWeights(spec, { init: 'he', seed: t.plan.seed }));
      try {
        const r = trainModel(model, data, {
          epochs: t.config.tuneEpochs, batchSize: t.config.batchSize, lr, lrDecayEpochs: [], lrDecayFactor: 1,
          seed: t.plan.seed, probe: null, test: false,
        }, onEpoch);
        losses.push(r.diverged ? null : r.epochs[r.epochs.length - 1]!.trainLoss);
      } finally {
        model.dispose();
      }
    }
  } finally {
    tf.dispose(Object.values(data));
  }
  let best = 0;
  losses.forEach((l, i) => { if ((l ?? Infinity) < (losses[best] ?? Infinity)) best = i; });
  const grid = t.config.lrGrid;
  return {
    type: 'tune', key: t.key, configKey: t.configKey, seed: t.plan.seed, epochs: t.config.tuneEpochs, grid, losses,
    chosen: grid[best]!, atEdge: grid.length > 1 && (best === 0 || best === grid.length - 1), backend, ms: Math.round(performance.now() - t0),
  };
}

/** Train one run of the sweep with He init and the given initial rate; measure every epoch. */
export async function executeRun(t: Extract<Task, { type: 'run' }>, onEpoch?: (e: EpochRecord) => void): Promise<RunRecord> {
  const backend = await initBackend(t.backend);
  const t0 = performance.now();
  const cfg = t.config;
  const d = dataFor(cfg);
  const spec = modelSpecFor(t.plan.model, d.image, d.classes);
  const data = tensorsFor(spec, d);
  const model = buildModel(spec, initWeights(spec, { init: 'he', seed: t.plan.seed }));
  try {
    const maxExamples = probeMaxExamples(cfg);
    const r = trainModel(model, data, {
      epochs: cfg.epochs, batchSize: cfg.batchSize, lr: t.lr, lrDecayEpochs: cfg.lrDecayEpochs, lrDecayFactor: cfg.lrDecayFactor,
      seed: t.plan.seed, probe: { pairs: cfg.pairs, batchSize: cfg.probeBatch, ...(maxExamples === undefined ? {} : { maxExamples }) },
    }, onEpoch);
    const last = r.diverged ? undefined : r.epochs[r.epochs.length - 1];
    return {
      type: 'run', key: t.key, configKey: t.plan.configKey, sweep: cfg.kind, level: t.plan.level, variant: t.plan.variant, seed: t.plan.seed,
      model: { ...t.plan.model, parameters: parameterCount(spec) }, dataset: cfg.dataset, data: d.source, lr: t.lr, lrSource: t.lrSource,
      epochs: r.epochs, diverged: r.diverged, divergedAt: r.divergedAt,
      final: { trainLoss: last?.trainLoss ?? null, testAccuracy: last?.testAccuracy ?? null, minCosine: last?.cosine?.min ?? null, cosine: last?.cosine ?? null },
      backend, ms: Math.round(performance.now() - t0),
    };
  } finally {
    model.dispose();
    tf.dispose(Object.values(data));
  }
}
