/**
 * Properties of the probe over random architectures of every layer kind and random data
 * (fast-check, models/arbitraries.ts), on the cpu and wasm backends: probe = slow reference,
 * symmetry and PSD, diag = squared per-example norms, sum(G) = ‖Σ g_i‖², permutation
 * equivariance, ghost = materialized, a finite-difference check of the per-example gradients the
 * reference uses, minibatch mode = explicit minibatch gradients, and no leaked tensors. Each
 * property also checks that its instances exercised every layer kind and feature of the
 * arbitraries. Tolerances: src/tolerance.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { eigs } from 'mathjs';
import { initBackend } from '../backend/index.ts';
import { SPEC_FEATURES, specArb, specFeatures } from '../../models/arbitraries.ts';
import { computeGram } from './gram.ts';
import { perExampleGradients, referenceGram, dot } from './reference.ts';
import { flatGradient, trainableNames } from './plain.ts';
import { minibatchCosines, referenceMinibatchCosines } from './minibatch.ts';
import { randomInstance, relErr } from './instances.ts';
import { COSINE_ABS_TOL_F32, GRAM_REL_TOL_F32 } from '../tolerance.ts';
import { buildModel, forward } from '../../models/build.ts';
import { exampleLosses } from '../../models/loss.ts';
import { validateSpec, type ModelSpec } from '../../models/spec.ts';
import { ruleFor } from './rules/index.ts';
import { gramStats } from './stats.ts';
import { Rng } from '../rng.ts';

const SEED = 20261127;
const instanceArb = fc.record({ spec: specArb(), n: fc.integer({ min: 2, max: 5 }), seed: fc.integer({ min: 1, max: 1_000_000 }) });
/**
 * Runs per property: enough that every property meets every layer kind and every feature of the
 * arbitraries (checked after each run by `expectCoverage`, so a change that leaves a kind out of
 * a property's instances turns the test red).
 */
const RUNS = 40;

/** Records the features of the specs a property sees. */
function coverage() {
  const seen = new Set<string>();
  return {
    see: (spec: ModelSpec) => { specFeatures(spec).forEach((f) => seen.add(f)); },
    check: () => expect(SPEC_FEATURES.filter((f) => !seen.has(f)), 'features no instance of this property exercised').toEqual([]),
  };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`probe properties on ${backend} (fast-check seed ${SEED})`, () => {
    beforeAll(async () => { await initBackend(backend); });
    afterAll(() => { tf.disposeVariables(); });

    it('probe Gram = reference Gram for every strategy, symmetric and PSD', () => {
      const cov = coverage();
      fc.assert(fc.property(instanceArb, fc.constantFrom('auto', 'ghost', 'materialize' as const), ({ spec, n, seed }, strategy) => {
        cov.see(spec);
        const inst = randomInstance(spec, n, seed);
        try {
          const g = computeGram(inst.model, inst.x, inst.y, { strategy }).gram;
          const r = referenceGram(inst.model, inst.x, inst.y).gram;
          expect(relErr(g, r)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          const scale = Math.max(...Array.from(r, Math.abs));
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(g[i * n + j]! - g[j * n + i]!)).toBeLessThanOrEqual(GRAM_REL_TOL_F32 * scale);
          const rows = Array.from({ length: n }, (_, i) => Array.from(g.slice(i * n, i * n + n)).map((v, j) => (v + g[j * n + i]!) / 2));
          const values = (eigs(rows).values as number[]).map(Number);
          expect(Math.min(...values)).toBeGreaterThanOrEqual(-GRAM_REL_TOL_F32 * scale * n);
        } finally { inst.done(); }
      }), { seed: SEED, numRuns: RUNS });
      cov.check();
    });

    it('diag(G) = squared per-example norms; sum(G) = squared norm of one plain batched gradient', () => {
      const cov = coverage();
      fc.assert(fc.property(instanceArb, ({ spec, n, seed }) => {
        cov.see(spec);
        const inst = randomInstance(spec, n, seed);
        try {
          const g = computeGram(inst.model, inst.x, inst.y).gram;
          const per = perExampleGradients(inst.model, inst.x, inst.y);
          expect(relErr(per.map((_, i) => g[i * n + i]!), per.map((v) => dot(v, v)))).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          const total = flatGradient(inst.model, inst.x, inst.y);
          const sumG = g.reduce((a, b) => a + b, 0);
          const sq = dot(total, total);
          // sum(G) is a sum of n² entries each within GRAM_REL_TOL_F32·max|G| of the truth.
          expect(Math.abs(sumG - sq)).toBeLessThanOrEqual(GRAM_REL_TOL_F32 * n * n * Math.max(...Array.from(g, Math.abs)) + 1e-12);
        } finally { inst.done(); }
      }), { seed: SEED + 1, numRuns: RUNS });
      cov.check();
    });

    it('permuting the examples permutes G', () => {
      const cov = coverage();
      fc.assert(fc.property(instanceArb, fc.integer(), ({ spec, n, seed }, pseed) => {
        cov.see(spec);
        const inst = randomInstance(spec, n, seed);
        const perm = new Rng(pseed).permutation(n);
        const idx = tf.tensor1d(perm, 'int32');
        const xp = tf.gather(inst.x, idx);
        const yp = tf.gather(inst.y, idx) as tf.Tensor2D;
        try {
          const g = computeGram(inst.model, inst.x, inst.y).gram;
          const gp = computeGram(inst.model, xp, yp).gram;
          const expected = new Float64Array(n * n);
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected[i * n + j] = g[perm[i]! * n + perm[j]!]!;
          expect(relErr(gp, expected)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
        } finally { tf.dispose([idx, xp, yp]); inst.done(); }
      }), { seed: SEED + 2, numRuns: RUNS });
      cov.check();
    });

    it('ghost = materialized (matmul on any rank, conv2d with groups, gather), per example and per group', () => {
      const cov = coverage();
      fc.assert(fc.property(specArb(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1e6 }), (spec, m, seed) => {
        cov.see(spec);
        const n = 2 * m;
        const inst = randomInstance(spec, n, seed);
        try {
          for (const groups of [n, 2]) {
            const a = computeGram(inst.model, inst.x, inst.y, { strategy: 'ghost', groups, bnMode: 'batch' }).gram;
            const b = computeGram(inst.model, inst.x, inst.y, { strategy: 'materialize', groups, bnMode: 'batch' }).gram;
            expect(relErr(a, b)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          }
        } finally { inst.done(); }
      }), { seed: SEED + 3, numRuns: RUNS });
      cov.check();
    });

    it('minibatch-mode cosines = cosines of explicit minibatch gradients (batch norm per minibatch)', () => {
      const cov = coverage();
      fc.assert(fc.property(specArb(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1e6 }), (spec, m, pairs, seed) => {
        cov.see(spec);
        const n = 2 * m + 3;
        const inst = randomInstance(spec, n, seed);
        try {
          const opts = { pairs, batchSize: m, seed, maxExamples: 4 * m };
          const fast = minibatchCosines(inst.model, inst.x, inst.y, opts);
          const slow = referenceMinibatchCosines(inst.model, inst.x, inst.y, opts);
          expect(fast.zeroPairs).toEqual(slow.zeroPairs);
          expect(fast.cosines.length).toBe(slow.cosines.length);
          fast.cosines.forEach((c, i) => expect(Math.abs(c - slow.cosines[i]!)).toBeLessThanOrEqual(COSINE_ABS_TOL_F32));
          fast.norms.forEach(([a, b], i) => expect(relErr([a, b], slow.norms[i]!)).toBeLessThanOrEqual(GRAM_REL_TOL_F32));
        } finally { inst.done(); }
      }), { seed: SEED + 4, numRuns: RUNS });
      cov.check();
    });

    it('no tensors leak from a probe call', () => {
      const cov = coverage();
      fc.assert(fc.property(instanceArb, ({ spec, n, seed }) => {
        cov.see(spec);
        const inst = randomInstance(spec, n, seed);
        try {
          const before = tf.memory().numTensors;
          computeGram(inst.model, inst.x, inst.y);
          minibatchCosines(inst.model, inst.x, inst.y, { pairs: 2, batchSize: 1, seed });
          expect(tf.memory().numTensors).toBe(before);
        } finally { inst.done(); }
      }), { seed: SEED + 5, numRuns: RUNS });
      cov.check();
    });
  });
}

describe('finite differences validate the per-example gradients (cpu)', () => {
  beforeAll(async () => { await initBackend('cpu'); });
  it('central difference of f_i along a random unit direction = <g_i, v>', () => {
    fc.assert(fc.property(specArb({ smooth: true }), fc.integer({ min: 1, max: 1e6 }), (spec, seed) => {
      const n = 3;
      const inst = randomInstance(spec, n, seed);
      const rng = new Rng(seed);
      const names = trainableNames(inst.model);
      const dirs = names.map((nm) => tf.tensor(Float32Array.from(rng.normals(inst.model.params.get(nm)!.size)), inst.model.params.get(nm)!.shape, 'float32'));
      const norm = Math.sqrt(dirs.reduce((a, d) => a + tf.sum(tf.square(d)).dataSync()[0]!, 0));
      const eps = 1e-2;
      const shifted = (s: number) => new Map(names.map((nm, i) => [nm, tf.add(inst.model.params.get(nm)!, tf.mul(dirs[i]!, s * eps / norm))]));
      try {
        const per = perExampleGradients(inst.model, inst.x, inst.y);
        const v = new Float64Array(per[0]!.length);
        let o = 0;
        for (const d of dirs) { v.set(Array.from(d.dataSync(), (t) => t / norm), o); o += d.size; }
        const plus = shifted(1);
        const minus = shifted(-1);
        const fPlus = exampleLosses(spec.loss, forward(inst.model, inst.x, { params: plus }), inst.y).dataSync();
        const fMinus = exampleLosses(spec.loss, forward(inst.model, inst.x, { params: minus }), inst.y).dataSync();
        for (let i = 0; i < n; i++) {
          const fd = (fPlus[i]! - fMinus[i]!) / (2 * eps);
          const exact = dot(per[i]!, v);
          // Truncation error eps²/6·|f'''| (≲ 1e-4 · 10 for these O(1)-weight nets) plus float32
          // rounding 2·2⁻²⁴·|f|/(2 eps) ≈ 6e-6·|f|; 2e-3·(1 + |exact| + |f|) bounds both with margin,
          // while a wrong gradient (missing term, wrong sign) is off by O(|exact|).
          expect(Math.abs(fd - exact)).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(exact) + Math.abs(fPlus[i]!)));
        }
        tf.dispose([...plus.values(), ...minus.values()]);
      } finally { tf.dispose(dirs); inst.done(); }
    }), { seed: SEED + 6, numRuns: 15 });
  });
});

describe('edge cases', () => {
  beforeAll(async () => { await initBackend('cpu'); });
  it('a dead ReLU example has a zero gradient, reported and excluded from cosines, never NaN', () => {
    const spec = validateSpec({ input: [2], layers: [{ type: 'dense', units: 1, activation: 'relu', bias: false }], loss: 'mse' });
    const model = buildModel(spec, new Map([['layers.0.kernel', { shape: [2, 1], data: Float32Array.from([1, 1]) }]]));
    const x = tf.tensor2d([[1, 0.5], [-1, -1], [0.2, 1]]);
    const y = tf.tensor2d([[0], [1], [-1]]);
    const s = gramStats(computeGram(model, x, y).gram, 3);
    expect(s.zeroGradients).toEqual([1]);
    expect(s.cosine!.count).toBe(1);
    expect(Number.isNaN(s.cosine!.min)).toBe(false);
    // g_0 = (z0 - y0)·x0 = 1.5·(1, .5); g_2 = (1.2 + 1)·(.2, 1): both positive, cosine of x0 and x2.
    const cos = (1 * 0.2 + 0.5 * 1) / (Math.hypot(1, 0.5) * Math.hypot(0.2, 1));
    expect(s.cosine!.min).toBeCloseTo(cos, 5);
    model.dispose(); tf.dispose([x, y]);
  });

  it('an unknown primitive is a clear error, not a silent zero', () => {
    expect(() => ruleFor('lstm')).toThrow(/no probe rule for primitive "lstm"/);
  });
});

describe('minibatch mode memory default', () => {
  it('512 examples per pass for the MLP preset; far fewer for 28×28 conv nets (hand-computed estimate)', async () => {
    const { defaultMaxExamples, PASS_FLOAT_BUDGET } = await import('./minibatch.ts');
    const { preset } = await import('../../models/presets.ts');
    // mlp: taps 512×4 + 10 floats, no conv: 3·2058 per example → the 512 cap.
    expect(defaultMaxExamples(preset('mlp'))).toBe(512);
    // cnn: taps 28·28·32 + 14·14·64 + 128 + 10 = 37 770 (×3); patches 28·28·9·1 + 14·14·9·32 = 63 504.
    expect(defaultMaxExamples(preset('cnn'))).toBe(Math.floor(PASS_FLOAT_BUDGET / (3 * 37770 + 63504)));
    expect(defaultMaxExamples(preset('resnet'))).toBeLessThan(256);
  });
});
