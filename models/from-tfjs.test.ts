/**
 * Bring-your-own-model adapter: a tfjs-layers model (Sequential, or functional with Add and
 * Concatenate merges) converted to a spec gives the same
 * outputs as tfjs-layers' own predict (an independent forward pass), and the probe's Gram equals
 * the Gram of per-example gradients computed by tfjs-layers itself (tf.variableGrads on
 * model.apply). Also: the model.json/weights.bin round trip and clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../src/backend/index.ts';
import { loadTfjsModelFiles, saveTfjsModelFiles, specFromSequential, specFromTfjs } from './from-tfjs.ts';
import { paramSpecs } from './spec.ts';
import { buildModel, forward } from './build.ts';
import { computeGram } from '../src/probe/gram.ts';
import { relErr } from '../src/probe/instances.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';

let dir = '';
beforeAll(async () => { await initBackend('cpu'); dir = mkdtempSync(join(tmpdir(), 'gradconf-tfjs-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [7, 6, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2, stddev: 0.3 }) }));
  m.add(tf.layers.batchNormalization({ epsilon: 0.01 }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dropout({ rate: 0.5 }));
  m.add(tf.layers.dense({ units: 5, activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }));
  const bn = m.layers[1]!;
  bn.setWeights([tf.tensor1d([1.2, 0.8, 1.1]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.5, -0.4, 0.2]), tf.tensor1d([0.7, 1.3, 0.9])]);
  return m;
}

describe('tfjs-layers Sequential adapter', () => {
  it('converted model = tfjs-layers predict, and probe Gram = Gram of tfjs-layers per-example gradients', () => {
    const m = makeModel();
    const { spec, weights } = specFromSequential(m, { loss: 'softmax-xent' });
    expect(spec.layers.map((l) => l.type)).toEqual(['conv2d', 'batchnorm', 'avgpool', 'flatten', 'dense', 'dense']);
    const model = buildModel(spec, weights);
    const n = 5;
    const x = tf.randomNormal([n, 7, 6, 2], 0, 1, 'float32', 9);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0], 'int32'), 3).toFloat() as tf.Tensor2D;
    const ours = tf.softmax(forward(model, x)).dataSync();
    const theirs = (m.predict(x) as tf.Tensor).dataSync();
    expect(relErr(ours, theirs)).toBeLessThanOrEqual(1e-5);
    // Per-example gradients by tfjs-layers itself (inference mode: dropout off, stored BN stats).
    const grads: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const { grads: g } = tf.variableGrads(() => tf.tidy(() => {
        const p = m.apply(tf.slice(x, i, 1), { training: false }) as tf.Tensor2D;
        return tf.neg(tf.sum(tf.mul(tf.slice(y, i, 1), tf.log(p)))) as tf.Scalar;
      }), m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
      grads.push(Float64Array.from(Object.values(g).flatMap((t) => Array.from(t.dataSync()))));
      tf.dispose(Object.values(g));
    }
    const expected = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected[i * n + j] = grads[i]!.reduce((a, v, k) => a + v * grads[j]![k]!, 0);
    expect(relErr(computeGram(model, x, y).gram, expected)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
    model.dispose();
  });

  it('Embedding, LayerNormalization, gelu Dense on a sequence, GlobalAveragePooling1D; DepthwiseConv2D, MaxPooling2D, GlobalAveragePooling2D: predict and per-example gradients agree', () => {
    const init = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.5 });
    const seq = tf.sequential();
    seq.add(tf.layers.embedding({ inputDim: 7, outputDim: 4, inputLength: 5, embeddingsInitializer: init(11) }));
    seq.add(tf.layers.layerNormalization({ epsilon: 1e-4, gammaInitializer: init(12), betaInitializer: init(13) }));
    seq.add(tf.layers.dense({ units: 6, activation: 'gelu', kernelInitializer: init(14), biasInitializer: init(15) }));
    seq.add(tf.layers.globalAveragePooling1d({}));
    seq.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(16) }));
    const img = tf.sequential();
    img.add(tf.layers.conv2d({ inputShape: [6, 5, 2], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(21), biasInitializer: init(22) }));
    img.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'tanh', depthwiseInitializer: init(23), biasInitializer: init(24) }));
    img.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }));
    img.add(tf.layers.globalAveragePooling2d({}));
    img.add(tf.layers.dense({ units: 3, kernelInitializer: init(25) }));
    const n = 4;
    const cases = [
      { m: seq, loss: 'softmax-xent', x: tf.tensor2d([[0, 1, 2, 3, 4], [6, 6, 1, 0, 2], [3, 3, 3, 5, 1], [2, 0, 6, 4, 4]]), y: tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3).toFloat() as tf.Tensor2D, types: ['embedding', 'layernorm', 'dense', 'globalavgpool', 'dense'] },
      { m: img, loss: 'mse', x: tf.randomNormal([n, 6, 5, 2], 0, 1, 'float32', 26), y: tf.randomNormal([n, 3], 0, 1, 'float32', 27) as tf.Tensor2D, types: ['conv2d', 'conv2d', 'maxpool', 'globalavgpool', 'dense'] },
    ];
    for (const c of cases) {
      const { spec, weights } = specFromSequential(c.m, { loss: c.loss });
      expect(spec.layers.map((l) => l.type)).toEqual(c.types);
      const model = buildModel(spec, weights);
      const ours = forward(model, c.x);
      const mine = (c.loss === 'softmax-xent' ? tf.softmax(ours) : ours).dataSync();
      expect(relErr(mine, (c.m.predict(c.x) as tf.Tensor).dataSync())).toBeLessThanOrEqual(1e-5);
      const grads: Float64Array[] = [];
      for (let i = 0; i < n; i++) {
        const { grads: g } = tf.variableGrads(() => tf.tidy(() => {
          const p = c.m.apply(tf.slice(c.x, i, 1), { training: false }) as tf.Tensor2D;
          const yi = tf.slice(c.y, i, 1);
          return (c.loss === 'softmax-xent' ? tf.neg(tf.sum(tf.mul(yi, tf.log(p)))) : tf.mul(0.5, tf.sum(tf.square(tf.sub(p, yi))))) as tf.Scalar;
        }), c.m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
        grads.push(Float64Array.from(Object.values(g).flatMap((t) => Array.from(t.dataSync()))));
        tf.dispose(Object.values(g));
      }
      const expected = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected[i * n + j] = grads[i]!.reduce((a, v, k) => a + v * grads[j]![k]!, 0);
      expect(relErr(computeGram(model, c.x, c.y).gram, expected)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
      model.dispose();
    }
  });

  it('functional models (Add and Concatenate merges, a projection shortcut, a pre-LN sequence block): predict and per-example gradients agree', async () => {
    const init = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.5 });
    // Images: conv → [conv → BN] + identity (Add) → relu → [1×1 conv | 3×3 conv | identity] (Concatenate)
    // → [strided conv] + [strided 1×1 projection] (Add) → global pooling → softmax.
    const x0 = tf.input({ shape: [6, 6, 2] });
    const c1 = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(31), biasInitializer: init(32) }).apply(x0) as tf.SymbolicTensor;
    const c2 = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: init(33), useBias: false }).apply(c1) as tf.SymbolicTensor;
    const bnLayer = tf.layers.batchNormalization({ epsilon: 0.01 });
    const b2 = bnLayer.apply(c2) as tf.SymbolicTensor;
    const r1 = tf.layers.activation({ activation: 'relu' }).apply(tf.layers.add().apply([b2, c1]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const i1 = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh', kernelInitializer: init(34), biasInitializer: init(35) }).apply(r1) as tf.SymbolicTensor;
    const i2 = tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', kernelInitializer: init(36), biasInitializer: init(37) }).apply(r1) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([i1, i2, r1]) as tf.SymbolicTensor;
    const s1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(38), biasInitializer: init(39) }).apply(cat) as tf.SymbolicTensor;
    const s2 = tf.layers.conv2d({ filters: 4, kernelSize: 1, strides: 2, kernelInitializer: init(40), biasInitializer: init(41) }).apply(cat) as tf.SymbolicTensor;
    const g = tf.layers.globalAveragePooling2d({}).apply(tf.layers.add().apply([s1, s2]) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const img = tf.model({ inputs: x0, outputs: tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(42) }).apply(g) as tf.SymbolicTensor });
    bnLayer.setWeights([tf.tensor1d([1.2, 0.8, 1.1]), tf.tensor1d([0.1, -0.2, 0.3]), tf.tensor1d([0.5, -0.4, 0.2]), tf.tensor1d([0.7, 1.3, 0.9])]);
    // Sequences: embedding → x + dense(layernorm(x)) → [dense gelu | identity] (Concatenate on the feature axis) → pooling → dense.
    const t0 = tf.input({ shape: [5] });
    const e = tf.layers.embedding({ inputDim: 7, outputDim: 4, embeddingsInitializer: init(51) }).apply(t0) as tf.SymbolicTensor;
    const ln = tf.layers.layerNormalization({ epsilon: 1e-4, gammaInitializer: init(52), betaInitializer: init(53) }).apply(e) as tf.SymbolicTensor;
    const d1 = tf.layers.dense({ units: 4, activation: 'gelu', kernelInitializer: init(54), biasInitializer: init(55) }).apply(ln) as tf.SymbolicTensor;
    const a1 = tf.layers.add().apply([e, d1]) as tf.SymbolicTensor;
    const d2 = tf.layers.dense({ units: 3, activation: 'tanh', kernelInitializer: init(56) }).apply(a1) as tf.SymbolicTensor;
    const cat2 = tf.layers.concatenate({ axis: -1 }).apply([d2, a1]) as tf.SymbolicTensor;
    const p1 = tf.layers.globalAveragePooling1d({}).apply(cat2) as tf.SymbolicTensor;
    const seqm = tf.model({ inputs: t0, outputs: tf.layers.dense({ units: 2, kernelInitializer: init(57) }).apply(p1) as tf.SymbolicTensor });
    const n = 4;
    const cases = [
      { m: img, loss: 'softmax-xent', x: tf.randomNormal([n, 6, 6, 2], 0, 1, 'float32', 43), y: tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3).toFloat() as tf.Tensor2D,
        types: ['conv2d', 'parallel', 'activation', 'parallel', 'parallel', 'globalavgpool', 'dense'] },
      { m: seqm, loss: 'mse', x: tf.tensor2d([[0, 1, 2, 3, 4], [6, 6, 1, 0, 2], [3, 3, 3, 5, 1], [2, 0, 6, 4, 4]]), y: tf.randomNormal([n, 2], 0, 1, 'float32', 58) as tf.Tensor2D,
        types: ['embedding', 'parallel', 'parallel', 'globalavgpool', 'dense'] },
    ];
    for (const c of cases) {
      const { spec, weights } = specFromTfjs(c.m, { loss: c.loss });
      expect(spec.layers.map((l) => l.type)).toEqual(c.types);
      // Every trainable weight of the tfjs model is a trainable parameter of the spec, once.
      const trainable = c.m.trainableWeights.reduce((a, w) => a + w.shape.reduce((u: number, v) => u * (v ?? 1), 1), 0);
      expect(paramSpecs(spec).filter((q) => q.trainable).reduce((a, q) => a + q.shape.reduce((u, v) => u * v, 1), 0)).toBe(trainable);
      const model = buildModel(spec, weights);
      const ours = forward(model, c.x);
      const mine = (c.loss === 'softmax-xent' ? tf.softmax(ours) : ours).dataSync();
      expect(relErr(mine, (c.m.predict(c.x) as tf.Tensor).dataSync())).toBeLessThanOrEqual(1e-5);
      const grads: Float64Array[] = [];
      for (let i = 0; i < n; i++) {
        const { grads: gr } = tf.variableGrads(() => tf.tidy(() => {
          const p = c.m.apply(tf.slice(c.x, i, 1), { training: false }) as tf.Tensor2D;
          const yi = tf.slice(c.y, i, 1);
          return (c.loss === 'softmax-xent' ? tf.neg(tf.sum(tf.mul(yi, tf.log(p)))) : tf.mul(0.5, tf.sum(tf.square(tf.sub(p, yi))))) as tf.Scalar;
        }), c.m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
        grads.push(Float64Array.from(Object.values(gr).flatMap((t) => Array.from(t.dataSync()))));
        tf.dispose(Object.values(gr));
      }
      const expected = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected[i * n + j] = grads[i]!.reduce((a, v, k) => a + v * grads[j]![k]!, 0);
      expect(relErr(computeGram(model, c.x, c.y).gram, expected)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
      // The same after model.json + weights.bin (class "Model"), loaded with plain tfjs.
      const d = join(dir, `functional-${c.types.length}`);
      await saveTfjsModelFiles(c.m, d);
      const loaded = await loadTfjsModelFiles(join(d, 'model.json'));
      const again = specFromTfjs(loaded.model, { loss: c.loss });
      expect(again.spec).toEqual(spec);
      for (const [k, v] of weights) expect(Array.from(again.weights.get(k)!.data), k).toEqual(Array.from(v.data));
      model.dispose();
    }
  });

  it('functional models the spec cannot express: one-line errors naming the layers', () => {
    const x = () => tf.input({ shape: [3] });
    const dense = (name: string, units = 3) => tf.layers.dense({ units, name });
    // The bridge: a feeds the first merge and also skips past it.
    {
      const i = x();
      const a = dense('a').apply(i) as tf.SymbolicTensor;
      const m1 = tf.layers.add({ name: 'm1' }).apply([a, i]) as tf.SymbolicTensor;
      const b = dense('b').apply(m1) as tf.SymbolicTensor;
      const m = tf.model({ inputs: i, outputs: tf.layers.add({ name: 'm2' }).apply([b, a]) as tf.SymbolicTensor });
      expect(() => specFromTfjs(m, { loss: 'mse' })).toThrow(/^layer "a" feeds two branches of merge layer "m2" \(through "b" and "a"\): the layer graph is not series-parallel$/);
    }
    {
      const i = x();
      const m = tf.model({ inputs: i, outputs: tf.layers.multiply({ name: 'mul' }).apply([dense('a').apply(i) as tf.SymbolicTensor, i]) as tf.SymbolicTensor });
      expect(() => specFromTfjs(m, { loss: 'mse' })).toThrow(/^the branches that fork at "input\d+" meet at layer "mul", which is not a merge layer \(Add, Concatenate\)$/);
    }
    {
      const i = x();
      const shared = dense('shared');
      const h = shared.apply(shared.apply(i) as tf.SymbolicTensor) as tf.SymbolicTensor;
      expect(() => specFromTfjs(tf.model({ inputs: i, outputs: h }), { loss: 'mse' })).toThrow(/^layer "shared" \(Dense\) is called 2 times \(shared weights\); not supported$/);
    }
    {
      const i = tf.input({ shape: [2, 3] });
      const cat = tf.layers.concatenate({ axis: 1, name: 'cat1' }).apply([i, dense('a').apply(i) as tf.SymbolicTensor]) as tf.SymbolicTensor;
      const m = tf.model({ inputs: i, outputs: dense('out', 2).apply(tf.layers.flatten().apply(cat) as tf.SymbolicTensor) as tf.SymbolicTensor });
      expect(() => specFromTfjs(m, { loss: 'mse' })).toThrow(/^layer "cat1" \(Concatenate\) joins axis 1; only the last axis \(channels\) is supported$/);
    }
    {
      const i = x();
      const m = tf.model({ inputs: i, outputs: [dense('o1').apply(i) as tf.SymbolicTensor, dense('o2').apply(i) as tf.SymbolicTensor] });
      expect(() => specFromTfjs(m, { loss: 'mse' })).toThrow(/^the model has 2 outputs; gradconf takes models with one output$/);
    }
  });

  it('model.json + weights.bin round trip gives the same spec and weights; the training loss is picked up', async () => {
    const m = makeModel();
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await saveTfjsModelFiles(m, join(dir, 'm'), { includeOptimizer: true });
    const loaded = await loadTfjsModelFiles(join(dir, 'm', 'model.json'));
    expect(loaded.trainingLoss).toMatch(/^categorical_?[cC]rossentropy$/);
    const a = specFromSequential(m, { loss: 'softmax-xent' });
    const b = specFromSequential(loaded.model, { trainingLoss: loaded.trainingLoss });
    expect(b.spec).toEqual(a.spec);
    for (const [k, v] of a.weights) expect(Array.from(b.weights.get(k)!.data)).toEqual(Array.from(v.data));
  });

  it('unsupported layers and activations are one-line errors naming the layer', () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 1, kernelSize: 2 }));
    m.add(tf.layers.upSampling2d({ size: [2, 2], name: 'up1' }));
    expect(() => specFromSequential(m, { loss: 'mse' })).toThrow(/layer "up1" \(UpSampling2D\) is not supported; supported: Dense/);
    const e = tf.sequential();
    e.add(tf.layers.dense({ inputShape: [3], units: 2, activation: 'elu', name: 'd1' }));
    expect(() => specFromSequential(e, { loss: 'mse' })).toThrow(/layer "d1": activation "elu" is not supported/);
    expect(() => specFromSequential(e, {})).toThrow(/the model's loss is unknown: pass --loss/);
  });

  it('corrupt model files are clear errors', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"modelTopology": 1');
    await expect(loadTfjsModelFiles(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json is not valid JSON/);
    writeFileSync(join(dir, 'nomanifest.json'), '{"modelTopology": {}}');
    await expect(loadTfjsModelFiles(join(dir, 'nomanifest.json'))).rejects.toThrow(/not a tfjs layers model/);
    const m = makeModel();
    await saveTfjsModelFiles(m, join(dir, 't'));
    writeFileSync(join(dir, 't', 'weights.bin'), Buffer.alloc(12));
    await expect(loadTfjsModelFiles(join(dir, 't', 'model.json'))).rejects.toThrow(/weight files hold 12 bytes, the manifest needs/);
  });
});
