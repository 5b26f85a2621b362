/**
 * The probe's statistics end to end: `runProbe` on real models (tfjs, cpu and wasm) against the
 * slow twin on the model's explicit per-example gradients (src/probe/reference.ts: one backward
 * pass per example), labels taken from the targets or given, and minibatch mode's noise scale
 * against explicitly computed minibatch gradients of the same pairs.
 *
 * Tolerance: the fast route reads a float32-accumulated Gram, the twin float32 gradients combined
 * in float64; every Gram entry agrees to GRAM_REL_TOL_F32 of max|G| (src/tolerance.ts). The
 * statistics compared are O(1)-conditioned on these instances (checked: no mean gradient below
 * 1% of the mean norm), so each agrees to TOL = 50·GRAM_REL_TOL_F32 relative to its own scale;
 * sign stiffness may differ by the pairs whose cosine is within COSINE_ABS_TOL_F32 of 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../backend/index.ts';
import { runProbe, SPECTRUM_MAX_N, type ProbeReport } from '../index.ts';
import { randomData, randomWeights } from '../../../models/arbitraries.ts';
import { buildModel } from '../../../models/build.ts';
import { validateSpec, type ModelSpec } from '../../../models/spec.ts';
import { prepareTargets } from '../../../models/loss.ts';
import { perExampleGradients, minibatchGradient, dot } from '../reference.ts';
import { sampleMinibatchPairs } from '../minibatch.ts';
import { referenceStatistics } from './reference-statistics.ts';
import { noiseScaleFromPairs } from './noise-scale.ts';
import { COSINE_ABS_TOL_F32, GRAM_REL_TOL_F32 } from '../../tolerance.ts';
import type { ProbeStatistics } from './probe-statistics.ts';

const TOL = 50 * GRAM_REL_TOL_F32;

const specs: Record<string, ModelSpec> = {
  softmax: validateSpec({ input: [5], layers: [{ type: 'dense', units: 7, activation: 'tanh' }, { type: 'dense', units: 3 }], loss: 'softmax-xent' }),
  logistic: validateSpec({ input: [4], layers: [{ type: 'dense', units: 6, activation: 'relu' }, { type: 'dense', units: 1 }], loss: 'logistic' }),
  conv: validateSpec({ input: [5, 5, 1], layers: [{ type: 'conv2d', filters: 2, kernel: 3, activation: 'tanh' }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' }),
};

const near = (a: number | null | undefined, b: number | null | undefined, scale: number, what: string) => {
  expect(a === null || a === undefined, what).toBe(b === null || b === undefined);
  if (a == null || b == null) return;
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(TOL * Math.max(Math.abs(b), scale));
};

function compare(fast: ProbeStatistics, slow: ProbeStatistics, gs: Float64Array[]): void {
  const n = gs.length;
  const s = gs.reduce((a, g) => a + dot(g, g), 0) / n;
  const gbar = gs[0]!.map((_, k) => gs.reduce((a, g) => a + g[k]!, 0) / n);
  expect(dot(gbar, gbar), 'the instance is well conditioned (see the module doc)').toBeGreaterThan(1e-2 * s);
  near(fast.mCoherence, slow.mCoherence, 1, 'm-coherence');
  const fo = fast.stiffness!.overall!;
  const so = slow.stiffness!.overall!;
  expect(fo.pairs).toBe(so.pairs);
  // Pairs whose cosine is within float32 reach of 0 may have either sign.
  let ambiguous = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (Math.abs(dot(gs[i]!, gs[j]!)) / Math.sqrt(dot(gs[i]!, gs[i]!) * dot(gs[j]!, gs[j]!)) < COSINE_ABS_TOL_F32) ambiguous++;
  expect(Math.abs(fo.sign - so.sign)).toBeLessThanOrEqual((2 * ambiguous) / so.pairs + 1e-12);
  expect(Math.abs(fo.cosine - so.cosine)).toBeLessThanOrEqual(COSINE_ABS_TOL_F32);
  const fb = fast.stiffness!.byClass;
  const sb = slow.stiffness!.byClass;
  expect(fb === null).toBe(sb === null);
  if (fb && sb) {
    expect(fb.classes).toEqual(sb.classes);
    expect(fb.counts).toEqual(sb.counts);
    fb.cosine.forEach((row, a) => row.forEach((v, b) => {
      expect(v === null).toBe(sb.cosine[a]![b] === null);
      if (v !== null) expect(Math.abs(v - sb.cosine[a]![b]!)).toBeLessThanOrEqual(COSINE_ABS_TOL_F32);
    }));
  }
  near(fast.noiseScale!.traceCovariance, slow.noiseScale!.traceCovariance, s, 'tr Σ');
  near(fast.noiseScale!.meanGradientSq, slow.noiseScale!.meanGradientSq, s / n, '‖E g‖²');
  near(fast.noiseScale!.bSimple, slow.noiseScale!.bSimple, 0, 'B_simple');
  const l1 = slow.spectrum!.top[0]!;
  fast.spectrum!.top.forEach((v, i) => near(v, slow.spectrum!.top[i], l1, `λ_${i + 1}`));
  near(fast.spectrum!.effectiveRank, slow.spectrum!.effectiveRank, 1, 'effective rank');
  near(fast.spectrum!.participationRatio, slow.spectrum!.participationRatio, 1, 'participation ratio');
  for (const k of ['norm', 'innerProduct', 'orthogonality'] as const) near(fast.gradientTests![k], slow.gradientTests![k], 0, `gradient test ${k}`);
}

function instance(name: keyof typeof specs, n: number, seed: number) {
  const spec = specs[name]!;
  const weights = randomWeights(spec, seed);
  const d = randomData(spec, n, seed + 1);
  return { spec, weights, inputs: { shape: d.xShape, data: d.x }, targets: { shape: d.yShape, data: d.y } };
}

/** Explicit per-example gradients of the first b examples, with the model built from the same weights. */
function explicitGradients(inst: ReturnType<typeof instance>, b: number): Float64Array[] {
  const model = buildModel(inst.spec, inst.weights);
  const per = inst.inputs.data.length / inst.inputs.shape[0]!;
  const k = inst.targets.data.length / inst.targets.shape[0]!;
  const x = tf.tensor(inst.inputs.data.subarray(0, b * per), [b, ...inst.spec.input]);
  const y = tf.tensor2d(prepareTargets(inst.spec, inst.targets.shape[0]!, inst.targets).subarray(0, b * k), [b, k]);
  try {
    return perExampleGradients(model, x, y);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`probe statistics = explicit-gradient twin on ${backend}`, () => {
    beforeAll(async () => { await initBackend(backend); });
    afterAll(() => { tf.disposeVariables(); });

    it('softmax-xent: labels from the one-hot targets; the first --batch-size examples only', () => {
      const inst = instance('softmax', 14, 11);
      const r = runProbe({ ...inst, mode: 'example', batchSize: 10, seed: 1, topK: 4 });
      const gs = explicitGradients(inst, 10);
      const labels = Array.from({ length: 10 }, (_, i) => [0, 1, 2].findIndex((c) => inst.targets.data[i * 3 + c] === 1));
      const twin = referenceStatistics(gs, { labels, topK: 4 });
      compare(r.statistics, twin, gs);
      expect(r.statistics.stiffness!.byClass!.counts.reduce((a, b) => a + b, 0)).toBe(10 - r.zeroGradients.length);
      expect(r.statistics.spectrum!.top).toHaveLength(4);
      expect(r.statistics.notes).toEqual([]);
      expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
    });

    it('logistic: labels are the ±1 targets', () => {
      const inst = instance('logistic', 9, 21);
      const r = runProbe({ ...inst, mode: 'example', seed: 1 });
      const gs = explicitGradients(inst, 9);
      compare(r.statistics, referenceStatistics(gs, { labels: Array.from(inst.targets.data.subarray(0, 9)), topK: 10 }), gs);
      expect(r.statistics.stiffness!.byClass!.classes.every((c) => c === -1 || c === 1)).toBe(true);
    });

    it('square loss: no labels (a note says so) unless given; given labels are used as given', () => {
      const inst = instance('conv', 8, 31);
      const r = runProbe({ ...inst, mode: 'example', seed: 1 });
      expect(r.statistics.stiffness!.byClass).toBeNull();
      expect(r.statistics.notes.join('\n')).toMatch(/stiffness by class omitted: no class labels \(square-loss targets are values/);
      // One label per example given; the probe uses the first 6 examples and their labels.
      const labels = { shape: [8], data: [5, 5, 2, 2, 9, 5, 2, 7] };
      const withLabels = runProbe({ ...inst, mode: 'example', batchSize: 6, seed: 1, labels });
      const gs = explicitGradients(inst, 6);
      compare(withLabels.statistics, referenceStatistics(gs, { labels: labels.data.slice(0, 6), topK: 10 }), gs);
      expect(withLabels.statistics.stiffness!.byClass!.classes).toEqual([2, 5, 9]);
    });
  });
}

describe('defaults (cpu)', () => {
  beforeAll(async () => { await initBackend('cpu'); });

  it(`the O(n³) spectrum is skipped by default above ${SPECTRUM_MAX_N} examples, with a note; the rest is computed`, () => {
    const inst = instance('logistic', SPECTRUM_MAX_N + 1, 51);
    const r = runProbe({ ...inst, mode: 'example', seed: 1 });
    expect(r.statistics.spectrum).toBeNull();
    expect(r.statistics.notes).toContain(`spectrum: skipped by default for more than ${SPECTRUM_MAX_N} examples (O(n³)); ask for it with --top-k`);
    expect(r.statistics.gradientTests).not.toBeNull();
    expect(r.statistics.stiffness!.overall!.pairs).toBe(((SPECTRUM_MAX_N + 1 - r.zeroGradients.length) * (SPECTRUM_MAX_N - r.zeroGradients.length)) / 2);
  });
});

describe('minibatch mode: the noise scale from explicitly computed minibatch gradients (cpu)', () => {
  beforeAll(async () => { await initBackend('cpu'); });

  it('same pairs (same seed), the pool size as N, and nothing per-example', () => {
    const inst = instance('softmax', 40, 41);
    const m = 4;
    const pairs = 6;
    const r: ProbeReport = runProbe({ ...inst, mode: 'minibatch', batchSize: m, pairs, seed: 9 });
    const model = buildModel(inst.spec, inst.weights);
    const x = tf.tensor(inst.inputs.data, [40, 5]);
    const y = tf.tensor2d(prepareTargets(inst.spec, 40, inst.targets), [40, 3]);
    const products = sampleMinibatchPairs(40, pairs, m, 9).map((ix) => {
      const [ga, gb] = [ix.slice(0, m), ix.slice(m)].map((part) => {
        const idx = tf.tensor1d(part, 'int32');
        const xb = tf.gather(x, idx);
        const yb = tf.gather(y, idx) as tf.Tensor2D;
        const g = minibatchGradient(model, xb, yb);
        tf.dispose([idx, xb, yb]);
        return g;
      }) as [Float64Array, Float64Array];
      return { aa: dot(ga, ga), bb: dot(gb, gb), ab: dot(ga, gb) };
    });
    tf.dispose([x, y]);
    model.dispose();
    const want = noiseScaleFromPairs(products, m, 40);
    const ns = r.statistics.noiseScale!;
    const scale = products.reduce((a, p) => a + p.aa, 0) / pairs;
    near(ns.traceCovariance, want.traceCovariance, scale * m, 'tr Σ');
    near(ns.meanGradientSq, want.meanGradientSq, scale, '‖E g‖²');
    expect(ns.estimator).toBe('minibatch-pairs');
    expect(r.statistics.stiffness).toBeNull();
    expect(r.statistics.spectrum).toBeNull();
    expect(r.statistics.notes[0]).toMatch(/need per-example gradients/);
  });
});
