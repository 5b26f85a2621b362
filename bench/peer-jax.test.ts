/**
 * jax-js as an independent oracle (issue 16): the probe's Gram (tfjs, one backward pass, the
 * ghost/materialized rules) against jax-js's vmap(grad) per-example gradients and their Gram, on
 * a small mlp and a small conv net (stride 2 with TensorFlow's asymmetric "same" padding, a
 * grouped convolution), same weights and data, B = 6. Two codebases that share nothing but the
 * spec: a wrong layout, padding or flatten order is off by O(1).
 *
 * Determinism first: two jax-js runs must agree to 1e-6 relative (measured: bit-identical), else
 * jax-js would be no oracle at float32 tolerance. Then probe vs jax-js within GRAM_REL_TOL_F32
 * (src/tolerance.ts: both are float32 sums over ≤ 10³ parameters, rounding ~1e-6 relative).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.ts';
import { validateSpec, type ModelSpec } from '../models/spec.ts';
import { initWeights } from '../models/init.ts';
import { buildModel } from '../models/build.ts';
import { randomData } from '../models/arbitraries.ts';
import { computeGram } from '../src/probe/gram.ts';
import { relErr } from '../src/probe/instances.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { jaxPeer, startJax } from './peer-jax.ts';

const mlp = validateSpec({
  input: [7],
  layers: [{ type: 'dense', units: 5, activation: 'tanh' }, { type: 'dense', units: 4, activation: 'relu' }, { type: 'dense', units: 3 }],
  loss: 'softmax-xent',
});
const cnn = validateSpec({
  input: [6, 5, 2],
  layers: [
    { type: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
    { type: 'conv2d', filters: 6, kernel: 2, padding: 'valid', groups: 2, activation: 'tanh' },
    { type: 'flatten' },
    { type: 'dense', units: 3 },
  ],
  loss: 'softmax-xent',
});

async function both(spec: ModelSpec, seed: number): Promise<{ probe: Float64Array; jax: Float32Array; again: Float32Array; diagMax: number }> {
  const w = initWeights(spec, { init: 'he', seed });
  const d = randomData(spec, 6, seed + 1);
  const model = buildModel(spec, w);
  const x = tf.tensor(d.x, d.xShape);
  const y = tf.tensor2d(d.y, d.yShape as [number, number]);
  const probe = computeGram(model, x, y).gram;
  tf.dispose([x, y]);
  model.dispose();
  const peer = jaxPeer(spec, w);
  const jax = await peer.gram(d.x, d.xShape, d.y, d.yShape);
  const again = await peer.gram(d.x, d.xShape, d.y, d.yShape);
  peer.dispose();
  return { probe, jax, again, diagMax: Math.max(...Array.from({ length: 6 }, (_, i) => probe[i * 7]!)) };
}

describe('probe = jax-js vmap(grad) Gram (independent oracle, wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    await startJax();
  });

  for (const [name, spec] of [['mlp', mlp], ['cnn', cnn]] as const) {
    it(`${name}: jax-js is deterministic, and the probe matches it to float32 tolerance`, async () => {
      const r = await both(spec, 3);
      expect(r.diagMax).toBeGreaterThan(1e-3); // gradients are not trivially zero
      expect(relErr(r.again, r.jax)).toBeLessThanOrEqual(1e-6);
      expect(relErr(r.probe, r.jax)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
    });
  }

  it('the batched loss (no vmap) is the sum of the per-example losses', async () => {
    const { jaxLoss, jaxParams } = await import('./peer-jax.ts');
    const { numpy: np, vmap } = await import('@jax-js/jax');
    const w = initWeights(cnn, { init: 'he', seed: 5 });
    const d = randomData(cnn, 4, 6);
    const p = jaxParams(w);
    const refs = () => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.ref]));
    const x = np.array(d.x).reshape(d.xShape);
    const y = np.array(d.y).reshape(d.yShape);
    const summed = (await jaxLoss(cnn, true)(refs(), x.ref, y.ref).data())[0]!;
    const each = await vmap(jaxLoss(cnn), [null, 0, 0])(refs(), x, y).data();
    expect(Math.abs(summed - Array.from(each as Float32Array).reduce((a: number, b: number) => a + b, 0))).toBeLessThanOrEqual(1e-5 * Math.abs(summed));
    Object.values(p).forEach((v) => v.dispose());
  });

  it('a layer the peer does not port is an error naming it', async () => {
    const spec = validateSpec({ input: [4], layers: [{ type: 'dense', units: 3 }, { type: 'layernorm' }, { type: 'dense', units: 2 }], loss: 'mse' });
    expect(() => jaxPeer(spec, initWeights(spec, { init: 'he', seed: 0 }))).toThrow(/layer type "layernorm" at layers.1 is not ported/);
  });
});
