/**
 * The confusion monitor never changes the training result, and records what the probe measures.
 *
 * "Never changes": the same training run with and without the monitor ends with bit-identical
 * weights — a tfjs-layers `model.fit` with shuffling and dropout (both drawn from Math.random,
 * which the test replaces by a seeded generator, so a monitor that consumed a single random number
 * would reorder every later batch), and a custom loop with gradconf's `sgdStep`. "Records what the
 * probe measures": a record equals `runProbe` on the weights of that moment with the monitor's seed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../backend/index.ts';
import { ConfusionMonitor, type MonitorOptions } from './confusion-monitor.ts';
import type { MonitorLine, MonitorRecord } from './monitor-record.ts';
import { specFromSequential } from '../../models/from-tfjs.ts';
import { buildModel, type BuiltModel } from '../../models/build.ts';
import { validateSpec } from '../../models/spec.ts';
import { randomData, randomWeights } from '../../models/arbitraries.ts';
import { kernelSeed } from '../../models/init.ts';
import { trainableNames } from '../probe/plain.ts';
import { sgdStep } from '../train/train.ts';
import { runProbe } from '../probe/index.ts';
import { BadInputError } from '../errors.ts';
import { Rng } from '../rng.ts';

let dir = '';
const realRandom = Math.random;
/** Math.random replaced by a seeded stream (tfjs-layers shuffles and drops out with it). */
const seedMathRandom = (seed: number) => { const r = new Rng(seed); Math.random = () => r.uniform(); };

beforeAll(async () => { await initBackend('wasm'); dir = mkdtempSync(join(tmpdir(), 'gradconf-monitor-')); });
afterEach(() => { Math.random = realRandom; });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 96;
const data = randomData(validateSpec({ input: [6], layers: [{ type: 'dense', units: 3 }], loss: 'softmax-xent' }), N, 5);

function layersModel(): tf.Sequential {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [6], units: 10, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.dropout({ rate: 0.3 }),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  m.compile({ optimizer: tf.train.sgd(0.3), loss: 'categoricalCrossentropy' });
  return m;
}

/** Train a fresh layers model for 3 epochs of batches of 16 (18 steps), optionally monitored; final weights. */
async function fit(monitor?: Omit<MonitorOptions, 'inputs' | 'targets'>): Promise<{ weights: Float32Array[]; records: MonitorRecord[]; model: tf.Sequential }> {
  const model = layersModel();
  const x = tf.tensor2d(data.x, [N, 6]);
  const y = tf.tensor2d(data.y, [N, 3]);
  const mon = monitor ? new ConfusionMonitor({ ...monitor, inputs: x, targets: y }) : undefined;
  seedMathRandom(42);
  await model.fit(x, y, { epochs: 3, batchSize: 16, shuffle: true, verbose: 0, ...(mon ? { callbacks: mon.callback(model) } : {}) });
  Math.random = realRandom;
  const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  mon?.dispose();
  tf.dispose([x, y]);
  return { weights, records: mon?.records ?? [], model };
}

const strip = (r: MonitorRecord) => ({ ...r, ms: 0 });

describe('model.fit with the monitor callback (wasm)', () => {
  it('bit-identical weights with and without the monitor (minibatch mode, every 4 steps); JSONL written', async () => {
    const plain = await fit();
    const out = join(dir, 'fit.jsonl');
    const watched = await fit({ every: 4, mode: 'minibatch', pairs: 3, batchSize: 8, seed: 7, out });
    expect(watched.weights).toHaveLength(plain.weights.length);
    watched.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(plain.weights[i]!.buffer)), `weight ${i}`).toBe(true));
    // Step 0 and every 4th of the 18 steps: 0, 4, 8, 12, 16.
    expect(watched.records.map((r) => r.step)).toEqual([0, 4, 8, 12, 16]);
    expect(watched.records.map((r) => r.epoch)).toEqual([0, 1, 2, 2, 3]);
    expect(watched.records.slice(1).every((r) => typeof r.loss === 'number' && r.loss > 0)).toBe(true);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MonitorLine);
    expect(lines[0]).toMatchObject({ type: 'monitor', mode: 'minibatch', every: 4, unit: 'step', pairs: 3, batchSize: 8, examples: N, seed: 7, model: { loss: 'softmax-xent' } });
    expect(lines.slice(1)).toEqual(watched.records);
    plain.model.dispose();
    watched.model.dispose();
  });

  it('example mode every epoch: the last record is runProbe on the final weights', async () => {
    const plain = await fit();
    const watched = await fit({ every: 1, unit: 'epoch', mode: 'example', batchSize: 24, atStart: false });
    watched.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(plain.weights[i]!.buffer))).toBe(true));
    expect(watched.records.map((r) => [r.step, r.epoch])).toEqual([[6, 1], [12, 2], [18, 3]]);
    const { spec, weights } = specFromSequential(watched.model, { loss: 'softmax-xent' });
    const want = runProbe({ spec, weights, inputs: { shape: [N, 6], data: data.x }, targets: { shape: [N, 3], data: data.y }, mode: 'example', batchSize: 24, seed: 0 });
    const last = watched.records[2]!;
    expect(last.eta).toBe(want.eta);
    expect(last.cosine).toEqual(want.cosine);
    expect(last.diversity).toBe(want.diversity);
    expect(last.mCoherence).toBe(want.statistics.mCoherence);
    expect(last.noiseScale!.bSimple).toBe(want.statistics.noiseScale!.bSimple);
    expect(last.stiffness!.withinClass).toEqual(want.statistics.stiffness!.byClass!.withinClass);
    expect(last.probeLoss).toBeCloseTo(want.meanLoss!, 6);
    plain.model.dispose();
    watched.model.dispose();
  });
});

describe('custom training loop with sgdStep (wasm)', () => {
  const spec = validateSpec({ input: [6], layers: [{ type: 'dense', units: 12, activation: 'relu' }, { type: 'dense', units: 3 }], loss: 'softmax-xent' });

  function train(mon?: ConfusionMonitor): { params: Float32Array[]; model: BuiltModel } {
    const model = buildModel(spec, randomWeights(spec, 3));
    const names = trainableNames(model);
    const x = tf.tensor2d(data.x, [N, 6]);
    const y = tf.tensor2d(data.y, [N, 3]);
    let step = 0;
    for (let e = 1; e <= 2; e++) {
      for (let b = 0; b < N / 16; b++) {
        const xb = tf.slice(x, [b * 16, 0], [16, 6]);
        const yb = tf.slice(y, [b * 16, 0], [16, 3]) as tf.Tensor2D;
        const loss = sgdStep(model, names, xb, yb, 0.2);
        tf.dispose([xb, yb]);
        step++;
        mon?.afterStep(model, { step, epoch: e, loss });
      }
    }
    tf.dispose([x, y]);
    return { params: names.map((n) => Float32Array.from(model.params.get(n)!.dataSync())), model };
  }

  it('same parameters with and without the monitor; no leaked tensors; same seed, same records', () => {
    const before = tf.memory().numTensors;
    const plain = train();
    plain.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const opts = { every: 3, mode: 'minibatch' as const, pairs: 4, batchSize: 8, seed: 11, inputs: { shape: [N, 6], data: data.x }, targets: { shape: [N, 3], data: data.y } };
    const mon = new ConfusionMonitor(opts);
    const watched = train(mon);
    watched.params.forEach((p, i) => expect(Buffer.from(p.buffer).equals(Buffer.from(plain.params[i]!.buffer))).toBe(true));
    expect(mon.records.map((r) => r.step)).toEqual([3, 6, 9, 12]);
    // The record of step 12 (the last) is the probe of the final parameters with the monitor's seed.
    const weights = new Map(trainableNames(watched.model).map((n) => [n, { shape: watched.model.params.get(n)!.shape, data: Float32Array.from(watched.model.params.get(n)!.dataSync()) }]));
    const want = runProbe({ spec, weights, inputs: opts.inputs, targets: opts.targets, mode: 'minibatch', batchSize: 8, pairs: 4, seed: kernelSeed(11, 'monitor/12') });
    const last = mon.records[3]!;
    expect(last.cosine).toEqual(want.cosine);
    expect(last.eta).toBeCloseTo(want.eta, 12);
    expect(last.noiseScale!.bSimple).toBe(want.statistics.noiseScale!.bSimple);
    watched.model.dispose();
    mon.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const again = new ConfusionMonitor(opts);
    train(again).model.dispose();
    again.dispose();
    expect(again.records.map(strip)).toEqual(mon.records.map(strip));
  });
});

describe('bad input: one-line BadInputError naming the problem', () => {
  it('options, data and models', async () => {
    const inputs = { shape: [N, 6], data: data.x };
    const targets = { shape: [N, 3], data: data.y };
    expect(() => new ConfusionMonitor({ every: 0, inputs, targets })).toThrow(/every must be a positive integer/);
    expect(() => new ConfusionMonitor({ every: 1, mode: 'pairs' as 'example', inputs, targets })).toThrow(BadInputError);
    const model = layersModel();
    expect(() => new ConfusionMonitor({ every: 1, batchSize: 8, inputs: { shape: [N, 5], data: data.x.subarray(0, N * 5) }, targets }).probe(model, { step: 0 })).toThrow(/monitor inputs: shape \[96,5\] does not match the model input \[6\]/);
    const nan = tf.tensor2d(Float32Array.from(data.x, (v, i) => (i === 17 ? NaN : v)), [N, 6]);
    expect(() => new ConfusionMonitor({ every: 1, batchSize: 8, inputs: nan, targets }).probe(model, { step: 0 })).toThrow(/NaN or Inf/);
    nan.dispose();
    expect(() => new ConfusionMonitor({ every: 1, batchSize: 64, inputs, targets }).probe(model, { step: 0 })).toThrow(/needs at least 128 examples \(have 96\)/);
    const rnn = tf.sequential({ layers: [tf.layers.simpleRNN({ inputShape: [2, 3], units: 2 })] });
    rnn.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(() => new ConfusionMonitor({ every: 1, batchSize: 8, inputs, targets }).probe(rnn, { step: 0 })).toThrow(/SimpleRNN\) is not supported/);
    model.dispose();
    rnn.dispose();
  });
});
