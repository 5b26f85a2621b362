/**
 * The training loop of the paper's Section 7 (Sankararaman et al., ICML 2020): plain SGD without
 * momentum or weight decay on the minibatch-mean loss, batch 128, step learning-rate decay, and
 * at the end of every epoch the training loss, the test accuracy and the gradient-confusion probe
 * in minibatch mode (P pairs of disjoint minibatches of size m, each with its own batch-norm
 * statistics; the cosine of the two minibatch-mean gradients of each pair — src/probe/minibatch.ts).
 *
 * Conventions:
 * - an epoch is one pass over a fresh seeded permutation in ⌊n / B⌋ full batches (the remainder
 *   of the permutation is left out of that epoch, so every step sees B examples);
 * - batch norm trains on each minibatch's statistics. Evaluation (training loss, test accuracy)
 *   also normalizes with batch statistics, over consecutive batches of B examples in a fixed order,
 *   because models/build.ts's forward pass does not expose the pre-normalization moments from
 *   which running averages would be kept;
 * - on the wasm backend the kernel gradients come from models/build.ts (passing `params` to
 *   `forward`), since wasm has no Conv2DBackpropFilter kernel.
 * Seeds: the shuffling of epoch e and the probe's pairs at epoch e come from `kernelSeed(seed,
 * 'shuffle/e')` and `kernelSeed(seed, 'probe/e')`, so the same seed gives the same run.
 */
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from '../../models/build.ts';
import { forward } from '../../models/build.ts';
import { exampleLosses } from '../../models/loss.ts';
import { kernelSeed } from '../../models/init.ts';
import { minibatchCosines } from '../probe/minibatch.ts';
import { trainableNames } from '../probe/plain.ts';
import { summarize, type CosineSummary } from '../probe/stats.ts';
import { Rng } from '../rng.ts';

/** Data as tensors: x [n, ...spec.input], y one-hot [n, classes]. */
export interface TrainTensors {
  xTrain: tf.Tensor;
  yTrain: tf.Tensor2D;
  xTest: tf.Tensor;
  yTest: tf.Tensor2D;
}

/** Settings of one training run. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  /** Initial learning rate. */
  lr: number;
  /** Epochs (0-based) from which the rate is multiplied by `lrDecayFactor` (paper: 80, 160 of 200). */
  lrDecayEpochs: number[];
  lrDecayFactor: number;
  seed: number;
  /** The per-epoch probe (paper: 100 pairs of size 128), or null for none (learning-rate tuning). */
  probe: { pairs: number; batchSize: number; maxExamples?: number } | null;
  /** Evaluate on the test split each epoch (default true). */
  test?: boolean;
}

/** What is measured at the end of an epoch. */
export interface EpochRecord {
  /** 1-based. */
  epoch: number;
  /** Rate used during this epoch. */
  lr: number;
  /** Mean of the minibatch losses seen during the epoch (parameters changing). */
  trainLossRunning: number;
  /** Mean loss over the whole training set (subset) with the end-of-epoch parameters. */
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number | null;
  testAccuracy: number | null;
  /** Summary of the probe's cosines (null without probe or with < 1 usable pair). */
  cosine: CosineSummary | null;
  /** The probe's cosines, one per usable pair (7 significant digits), for density plots. */
  cosines: number[];
  /** Pairs left out because a minibatch gradient was zero. */
  zeroPairs: number;
  /** Wall time of training, evaluation and probe in this epoch. */
  ms: { train: number; eval: number; probe: number };
}

/** Outcome of a training run. */
export interface TrainResult {
  epochs: EpochRecord[];
  /** A minibatch loss became NaN or ±Inf; training stopped in that epoch (its record is absent). */
  diverged: boolean;
  /** Epoch (1-based) in which it diverged. */
  divergedAt: number | null;
}

/** Learning rate of epoch `e` (0-based): lr · factor^#{d ∈ decayEpochs : e ≥ d}. */
export function learningRateAt(e: number, lr: number, decayEpochs: number[], factor: number): number {
  let r = lr;
  for (const d of decayEpochs) if (e >= d) r *= factor;
  return r;
}

/** Whether the model has batch norm (it then evaluates with per-batch statistics). */
function hasBatchnorm(model: BuiltModel): boolean {
  return [...model.params.keys()].some((k) => k.endsWith('.gamma'));
}

/**
 * One plain SGD step w ← w − lr · ∇ (1/B) Σ_i f_i(w) on the batch (batch norm on the batch's
 * statistics); replaces the model's parameter tensors. Returns the batch's mean loss before the step.
 */
export function sgdStep(model: BuiltModel, names: string[], x: tf.Tensor, y: tf.Tensor2D, lr: number): number {
  const f = (...ps: tf.Tensor[]): tf.Scalar => {
    const params = new Map(names.map((n, i) => [n, ps[i]!]));
    return tf.mean(exampleLosses(model.spec.loss, forward(model, x, { params, bnMode: 'batch' }), y));
  };
  const { value, grads } = tf.valueAndGrads(f)(names.map((n) => model.params.get(n)!));
  const loss = value.dataSync()[0]!;
  names.forEach((n, i) => {
    const p = model.params.get(n)!;
    const next = tf.keep(tf.tidy(() => tf.sub(p, tf.mul(tf.scalar(lr), grads[i]!))));
    p.dispose();
    model.params.set(n, next);
  });
  tf.dispose([value, ...grads]);
  return loss;
}

/**
 * Mean loss and accuracy over (x, y) with the current parameters, in consecutive chunks (batch-norm
 * models: chunks of `bnBatch` examples, each normalized with its own statistics).
 */
export function evaluate(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D, bnBatch: number): { loss: number; accuracy: number } {
  const n = x.shape[0]!;
  const bn = hasBatchnorm(model);
  const chunk = bn ? bnBatch : 1024;
  let lossSum = 0;
  let correct = 0;
  for (let s = 0; s < n; s += chunk) {
    const len = Math.min(chunk, n - s);
    const [l, c] = tf.tidy(() => {
      const xb = tf.slice(x, [s, ...x.shape.slice(1).map(() => 0)], [len, ...x.shape.slice(1)]);
      const yb = tf.slice(y, [s, 0], [len, -1]) as tf.Tensor2D;
      const out = forward(model, xb, { bnMode: 'batch' });
      const loss = tf.sum(exampleLosses(model.spec.loss, out, yb));
      const hit = tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), tf.argMax(yb, 1)), 'float32'));
      return [loss, hit];
    });
    lossSum += l.dataSync()[0]!;
    correct += c.dataSync()[0]!;
    tf.dispose([l, c]);
  }
  return { loss: lossSum / n, accuracy: correct / n };
}

const round7 = (v: number) => Number(v.toPrecision(7));

/**
 * Train `model` in place with plain SGD (see the module doc) and measure every epoch.
 * `onEpoch` is called after each epoch's record is complete.
 */
export function trainModel(model: BuiltModel, data: TrainTensors, s: TrainSettings, onEpoch?: (e: EpochRecord) => void): TrainResult {
  const names = trainableNames(model);
  const n = data.xTrain.shape[0]!;
  const steps = Math.floor(n / s.batchSize);
  if (steps < 1) throw new Error(`training set of ${n} examples is smaller than the batch size ${s.batchSize}`);
  const epochs: EpochRecord[] = [];
  for (let e = 0; e < s.epochs; e++) {
    const lr = learningRateAt(e, s.lr, s.lrDecayEpochs, s.lrDecayFactor);
    const t0 = performance.now();
    const perm = new Rng(kernelSeed(s.seed, `shuffle/${e}`)).permutation(n);
    let sum = 0;
    for (let b = 0; b < steps; b++) {
      const idx = tf.tensor1d(Int32Array.from(perm.slice(b * s.batchSize, (b + 1) * s.batchSize)), 'int32');
      const xb = tf.gather(data.xTrain, idx);
      const yb = tf.gather(data.yTrain, idx) as tf.Tensor2D;
      const loss = sgdStep(model, names, xb, yb, lr);
      tf.dispose([idx, xb, yb]);
      if (!Number.isFinite(loss)) return { epochs, diverged: true, divergedAt: e + 1 };
      sum += loss;
    }
    const t1 = performance.now();
    const tr = evaluate(model, data.xTrain, data.yTrain, s.batchSize);
    if (!Number.isFinite(tr.loss)) return { epochs, diverged: true, divergedAt: e + 1 };
    const te = s.test === false ? null : evaluate(model, data.xTest, data.yTest, s.batchSize);
    const t2 = performance.now();
    let cosines: number[] = [];
    let zeroPairs = 0;
    if (s.probe) {
      const r = minibatchCosines(model, data.xTrain, data.yTrain, {
        pairs: s.probe.pairs, batchSize: s.probe.batchSize, seed: kernelSeed(s.seed, `probe/${e}`),
        ...(s.probe.maxExamples === undefined ? {} : { maxExamples: s.probe.maxExamples }),
      });
      cosines = Array.from(r.cosines, round7);
      zeroPairs = r.zeroPairs.length;
    }
    const t3 = performance.now();
    const rec: EpochRecord = {
      epoch: e + 1, lr, trainLossRunning: sum / steps, trainLoss: tr.loss, trainAccuracy: tr.accuracy,
      testLoss: te ? te.loss : null, testAccuracy: te ? te.accuracy : null,
      cosine: s.probe ? summarize(cosines) : null, cosines, zeroPairs,
      ms: { train: Math.round(t1 - t0), eval: Math.round(t2 - t1), probe: Math.round(t3 - t2) },
    };
    epochs.push(rec);
    onEpoch?.(rec);
  }
  return { epochs, diverged: false, divergedAt: null };
}
