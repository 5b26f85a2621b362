/**
 * Parity with an independent implementation: PyTorch, float64, explicit per-example loop.
 *
 * test/fixtures/torch/<name>/ holds tiny models written in the public formats (spec.json,
 * weights.safetensors, x.npy, y.npy) — MLPs, convs with stride-2 "same" padding, batch norm,
 * residual blocks, and (built from torch's own modules) LayerNorm, GroupNorm, MaxPool2d,
 * grouped and depthwise Conv2d, Embedding, MultiheadAttention causal and not, GELU, a ResNet
 * block with a projection shortcut and a tied-embedding language model — with the reference Gram
 * and losses computed by scripts/torch-fixtures.py (run once, offline; this test never needs
 * Python). Per fixture and backend (cpu, wasm) we load everything through the library's own
 * readers, run the probe, and compare:
 * - per-example Gram (computeGram, stored batch-norm statistics): max|A−B| / max|B| ≤ TORCH_PARITY_REL_TOL
 *   (1e-5, the bar; measured ≤ 7e-7 on every fixture, both backends);
 * - the slow twin (referenceGram) against the same reference, same tolerance;
 * - per-example losses: |a − b| ≤ LOSS_TOL · max(1, |b|);
 * - minibatch mode (fixtures with minibatch.json): examples concatenated group by group,
 *   computeGram with K groups and bnMode 'batch' gives the Gram of the group SUM gradients; divided
 *   by m² it is the Gram of the minibatch-MEAN gradients (relative tolerance as above) and its
 *   cosines match within COSINE_ABS_TOL_F32; losses in that mode match too.
 *
 * Set TORCH_PARITY_VERBOSE=1 to print the measured errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { parseSpec, type ModelSpec } from '../../models/spec.ts';
import { loadWeights } from '../../models/safetensors.ts';
import { prepareTargets } from '../../models/loss.ts';
import { buildModel, type BuiltModel } from '../../models/build.ts';
import { readNpy } from '../data/npy.ts';
import { computeGram } from './gram.ts';
import { referenceGram } from './reference.ts';
import { COSINE_ABS_TOL_F32, TORCH_PARITY_REL_TOL } from '../tolerance.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/torch');
const FIXTURES = fs.readdirSync(ROOT).filter((d) => fs.statSync(path.join(ROOT, d)).isDirectory()).sort();
const BACKENDS = ['cpu', 'wasm'] as const;

/**
 * Per-example losses: one float32 forward pass (a few dozen roundings of relative size 2^-24 ≈ 6e-8
 * each, amplified by at most the condition of log-softmax/softplus, O(1) here) against float64.
 * 1e-5 relative (absolute below 1) leaves two orders of magnitude for that.
 */
const LOSS_TOL = 1e-5;

interface MinibatchConfig { groups: number[][]; gram_mean: number[][]; cosines: number[][]; losses: number[] }

const measured: string[] = [];
afterAll(() => {
  if (process.env.TORCH_PARITY_VERBOSE) console.info(measured.join('\n'));
});

/** max|a − b| / max|b|. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
}

/** max |a − b| / max(1, |b|) entrywise. */
function maxLossErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return e;
}

interface Loaded { spec: ModelSpec; model: BuiltModel; x: tf.Tensor; y: tf.Tensor2D; n: number }

/** Everything through the library's own readers; tensors on the active backend. */
function load(name: string): Loaded {
  const dir = path.join(ROOT, name);
  const spec = parseSpec(fs.readFileSync(path.join(dir, 'spec.json'), 'utf8'), `${name}/spec.json`);
  const weights = loadWeights(path.join(dir, 'weights.safetensors'), spec);
  const xa = readNpy(path.join(dir, 'x.npy'));
  const ya = readNpy(path.join(dir, 'y.npy'));
  const n = xa.shape[0]!;
  expect(xa.shape.slice(1)).toEqual(spec.input);
  const yData = prepareTargets(spec, n, ya);
  const k = yData.length / n;
  return { spec, model: buildModel(spec, weights), x: tf.tensor(Float32Array.from(xa.data), xa.shape, 'float32'), y: tf.tensor2d(yData, [n, k]), n };
}

for (const backend of BACKENDS) {
  describe(`torch parity on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    for (const name of FIXTURES) {
      it(`${name}: per-example Gram and losses match torch float64`, () => {
        const dir = path.join(ROOT, name);
        const gramRef = readNpy(path.join(dir, 'gram.npy'));
        const lossRef = readNpy(path.join(dir, 'losses.npy'));
        const before = tf.memory().numTensors;
        const { model, x, y, n } = load(name);
        try {
          expect(gramRef.shape).toEqual([n, n]);
          const fast = computeGram(model, x, y);
          expect(fast.k).toBe(n);
          const slow = referenceGram(model, x, y);
          const eFast = maxRel(fast.gram, gramRef.data);
          const eSlow = maxRel(slow.gram, gramRef.data);
          const eLoss = maxLossErr(fast.losses, lossRef.data);
          measured.push(`${backend} ${name}: gram ${eFast.toExponential(2)}, reference ${eSlow.toExponential(2)}, losses ${eLoss.toExponential(2)}`);
          expect(eFast, `${name} on ${backend}: computeGram vs torch`).toBeLessThanOrEqual(TORCH_PARITY_REL_TOL);
          expect(eSlow, `${name} on ${backend}: referenceGram vs torch`).toBeLessThanOrEqual(TORCH_PARITY_REL_TOL);
          expect(eLoss, `${name} on ${backend}: losses vs torch`).toBeLessThanOrEqual(LOSS_TOL);
        } finally {
          tf.dispose([x, y]);
          model.dispose();
        }
        expect(tf.memory().numTensors).toBe(before);
      });
    }

    for (const name of FIXTURES.filter((d) => fs.existsSync(path.join(ROOT, d, 'minibatch.json')))) {
      it(`${name}: minibatch-mean Gram and cosines (batch norm in train mode) match torch`, () => {
        const doc = JSON.parse(fs.readFileSync(path.join(ROOT, name, 'minibatch.json'), 'utf8')) as { configs: MinibatchConfig[] };
        expect(doc.configs.length).toBeGreaterThan(0);
        const before = tf.memory().numTensors;
        const { model, x, y } = load(name);
        try {
          for (const cfg of doc.configs) {
            const kk = cfg.groups.length;
            const m = cfg.groups[0]!.length;
            const idx = tf.tensor1d(Int32Array.from(cfg.groups.flat()), 'int32');
            const xb = tf.gather(x, idx);
            const yb = tf.gather(y, idx) as tf.Tensor2D;
            const r = computeGram(model, xb, yb, { groups: kk, bnMode: 'batch' });
            tf.dispose([idx, xb, yb]);
            expect(r.k).toBe(kk);
            const gramMean = r.gram.map((v) => v / (m * m));
            const cos = gramMean.map((v, i) => v / Math.sqrt(gramMean[Math.floor(i / kk) * (kk + 1)]! * gramMean[(i % kk) * (kk + 1)]!));
            const eGram = maxRel(gramMean, cfg.gram_mean.flat());
            let eCos = 0;
            cfg.cosines.flat().forEach((c, i) => { eCos = Math.max(eCos, Math.abs(cos[i]! - c)); });
            const eLoss = maxLossErr(r.losses, cfg.losses);
            measured.push(`${backend} ${name} minibatch K=${kk} m=${m}: gram ${eGram.toExponential(2)}, cosines ${eCos.toExponential(2)} (abs), losses ${eLoss.toExponential(2)}`);
            expect(eGram, `${name} on ${backend}, K=${kk}: minibatch Gram vs torch`).toBeLessThanOrEqual(TORCH_PARITY_REL_TOL);
            expect(eCos, `${name} on ${backend}, K=${kk}: cosines vs torch`).toBeLessThanOrEqual(COSINE_ABS_TOL_F32);
            expect(eLoss, `${name} on ${backend}, K=${kk}: train-mode losses vs torch`).toBeLessThanOrEqual(LOSS_TOL);
          }
        } finally {
          tf.dispose([x, y]);
          model.dispose();
        }
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  });
}
