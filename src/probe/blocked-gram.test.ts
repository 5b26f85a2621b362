/**
 * The blocked per-example Gram (blocked-gram.ts) and the probe's memory budget (memory.ts):
 * blocked = unblocked as a property (fast-check over B, block size, strategy and small models —
 * an mlp, a cnn, a residual block with batch norm on stored statistics, and every architecture of
 * models/arbitraries.ts), runProbe honouring a budget, the peak meter, the planner and
 * `--max-memory` parsing. Tolerance: src/tolerance.ts GRAM_REL_TOL_F32.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.ts';
import { specArb, randomData, randomWeights } from '../../models/arbitraries.ts';
import { forward } from '../../models/build.ts';
import { exampleLosses } from '../../models/loss.ts';
import { validateSpec, type ModelSpec } from '../../models/spec.ts';
import { computeGram, recordPass } from './gram.ts';
import { blockRanges, blockedGram, fitQuadratic, planBlocks, ESTIMATE_MARGIN } from './blocked-gram.ts';
import { randomInstance, relErr } from './instances.ts';
import { defaultMaxMemory, measurePeak, parseByteSize } from './memory.ts';
import { minibatchCosines } from './minibatch.ts';
import { runProbe } from './index.ts';
import { GRAM_REL_TOL_F32 } from '../tolerance.ts';
import { BadInputError } from '../errors.ts';

const SEED = 20261202;

const TINY: Record<string, ModelSpec> = {
  mlp: validateSpec({ input: [6], layers: [{ type: 'dense', units: 5, activation: 'tanh' }, { type: 'dense', units: 3, activation: 'linear' }], loss: 'softmax-xent' }),
  cnn: validateSpec({
    input: [6, 6, 2],
    layers: [
      { type: 'conv2d', filters: 3, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 3, activation: 'linear' },
    ],
    loss: 'softmax-xent',
  }),
  'resnet block (batch norm, stored statistics)': validateSpec({
    input: [5, 5, 2],
    layers: [
      { type: 'conv2d', filters: 3, kernel: 3, padding: 'same', bias: false },
      { type: 'batchnorm' },
      { type: 'activation', activation: 'relu' },
      { type: 'residual', layers: [
        { type: 'conv2d', filters: 3, kernel: 3, padding: 'same', bias: false },
        { type: 'batchnorm' },
        { type: 'activation', activation: 'relu' },
        { type: 'conv2d', filters: 3, kernel: 3, padding: 'same', bias: false },
        { type: 'batchnorm' },
      ] },
      { type: 'flatten' },
      { type: 'dense', units: 2, activation: 'linear' },
    ],
    loss: 'mse',
  }),
};

/** The blocked Gram of a random instance, with passes on row slices of x/y as the probe runs them. */
function blocked(built: Parameters<typeof forward>[0], x: tf.Tensor, y: tf.Tensor2D, b: number, block: number, strategy: 'auto' | 'ghost' | 'materialize') {
  return blockedGram(b, block, (s, c) => {
    const xb = x.slice(s, c);
    const yb = y.slice(s, c) as tf.Tensor2D;
    try {
      return recordPass((tap) => exampleLosses(built.spec.loss, forward(built, xb, { tap, bnMode: 'stored' }), yb));
    } finally { tf.dispose([xb, yb]); }
  }, strategy);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`blocked Gram on ${backend} (fast-check seed ${SEED})`, () => {
    beforeAll(async () => { await initBackend(backend); });
    afterAll(() => { tf.disposeVariables(); });

    const specs = fc.oneof(fc.constantFrom(...Object.values(TINY)), specArb());
    const caseArb = fc.integer({ min: 2, max: 11 }).chain((b) => fc.record({
      b: fc.constant(b),
      block: fc.integer({ min: 1, max: b }),
      spec: specs,
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      strategy: fc.constantFrom('auto', 'ghost', 'materialize' as const),
    }));

    it('blocked = unblocked (Gram entry by entry, losses) for any B, block size, strategy and model; no tensor leaks', () => {
      let multiBlock = 0;
      fc.assert(fc.property(caseArb, ({ b, block, spec, seed, strategy }) => {
        const inst = randomInstance(spec, b, seed);
        try {
          const want = computeGram(inst.model, inst.x, inst.y, { strategy });
          const before = tf.memory().numTensors;
          const got = blocked(inst.model, inst.x, inst.y, b, block, strategy);
          expect(tf.memory().numTensors).toBe(before);
          expect(got.blocks).toBe(Math.ceil(b / block));
          if (got.blocks > 1) multiBlock++;
          expect(relErr(got.gram, want.gram)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          expect(relErr(got.losses, want.losses)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
        } finally { inst.done(); }
      }), { seed: SEED, numRuns: backend === 'cpu' ? 40 : 15 });
      // Most cases must really be blocked, or the property says nothing about the cross terms.
      expect(multiBlock).toBeGreaterThan(backend === 'cpu' ? 20 : 6);
    });

    it('every named tiny model, B = 9 in blocks of 2: blocked = unblocked, and every block pair is filled', () => {
      for (const [name, spec] of Object.entries(TINY)) {
        const inst = randomInstance(spec, 9, 7);
        try {
          const want = computeGram(inst.model, inst.x, inst.y).gram;
          const got = blocked(inst.model, inst.x, inst.y, 9, 2, 'auto');
          expect(got.blocks, name).toBe(5);
          expect(relErr(got.gram, want), name).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          // No entry left at 0 where the unblocked Gram is not (a missed pair would be).
          for (let i = 0; i < 81; i++) if (Math.abs(want[i]!) > 1e-6 * Math.max(...Array.from(want, Math.abs))) expect(got.gram[i], `${name} entry ${i}`).not.toBe(0);
        } finally { inst.done(); }
      }
    });
  });
}

describe('block ranges, fit and planner (exact)', () => {
  it('blockRanges covers 0..B−1 in order with sizes differing by at most 1', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 600 }), (b, s) => {
      const r = blockRanges(b, s);
      expect(r.length).toBe(Math.ceil(b / s));
      let next = 0;
      for (const [start, n] of r) {
        expect(start).toBe(next);
        expect(n).toBeLessThanOrEqual(s);
        next += n;
      }
      expect(next).toBe(b);
      const sizes = r.map((x) => x[1]);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }), { seed: SEED });
  });

  it('fitQuadratic recovers c0 + c1 n + c2 n² from three points', () => {
    const f = fitQuadratic([8, 16, 32], [8, 16, 32].map((n) => 1000 + 70 * n + 3 * n * n));
    expect([f.c0, f.c1, f.c2]).toEqual([1000, 70, 3]);
  });

  it('planBlocks: unblocked when the estimate at B fits, else the largest b with estimate(2b) ≤ available, over every phase', () => {
    // Two phases: a linear pass and a quadratic Gram share; the pass dominates below n = 20.
    const pass = (n: number) => 5000 + 400 * n;
    const share = (n: number) => 1000 + 70 * n + 3 * n * n;
    const measure = (n: number) => [pass(n), share(n)];
    const est = (n: number) => ESTIMATE_MARGIN * Math.max(pass(n), share(n));
    expect(planBlocks(100, est(100), measure, 'x').blockSize).toBe(100);
    expect(planBlocks(100, est(100) - 1, measure, 'x').blockSize).toBe(49);
    // est(2b) ≤ est(40) exactly at b = 20, and est(42) > est(40).
    expect(planBlocks(100, est(40), measure, 'x').blockSize).toBe(20);
    expect(planBlocks(100, est(41.9), measure, 'x').blockSize).toBe(20);
    expect(planBlocks(100, est(42), measure, 'x').blockSize).toBe(21);
    // Where the linear phase is the larger one (n = 2b = 10), it decides.
    expect(planBlocks(100, est(10), measure, 'x').blockSize).toBe(5);
    // Phases that differ in number across sizes (a form switch): the Gram phases fitted by their maximum.
    const switching = (n: number) => (n === 4 ? [pass(n), share(n)] : [pass(n), share(n), 10, 20]);
    expect(planBlocks(100, est(40), switching, 'x').blockSize).toBe(20);
    // B at most 8: no calibration, unblocked.
    expect(planBlocks(8, 1, () => { throw new Error('measured'); }, 'x').blockSize).toBe(8);
    expect(() => planBlocks(100, est(3), measure, '1KB')).toThrow(/--max-memory 1KB is too small/);
    expect(() => planBlocks(100, est(3), measure, '1KB')).toThrow(BadInputError);
  });
});

describe('--max-memory parsing and the peak meter', () => {
  it('parses byte counts and units', () => {
    expect(parseByteSize('1073741824')).toBe(2 ** 30);
    expect(parseByteSize('512MB')).toBe(512e6);
    expect(parseByteSize('512mib')).toBe(512 * 2 ** 20);
    expect(parseByteSize('2GiB')).toBe(2 * 2 ** 30);
    expect(parseByteSize('1.5 GB')).toBe(1.5e9);
    expect(parseByteSize('64kB')).toBe(64000);
    expect(parseByteSize('10B')).toBe(10);
  });

  it('rejects malformed sizes with one line naming the option', () => {
    for (const bad of ['', 'abc', '-5', '0', '12M', '1e9', '2 GiBs', '1.5', '0.4B', 'GiB', '0MB']) {
      expect(() => parseByteSize(bad), bad).toThrow(BadInputError);
      expect(() => parseByteSize(bad), bad).toThrow(/^--max-memory must be/);
    }
  });

  it('defaults per backend', () => {
    expect(defaultMaxMemory('wasm')).toBe(2 ** 30);
    expect(defaultMaxMemory('cpu')).toBe(2 * 2 ** 30);
    expect(defaultMaxMemory('tensorflow')).toBe(4 * 2 ** 30);
  });

  it('measurePeak sees a tensor that lives only inside the measured function, and nests', async () => {
    await initBackend('cpu');
    const outer = measurePeak(() => {
      const a = tf.zeros([1000]); // 4000 bytes
      const inner = measurePeak(() => { const b = tf.zeros([250]); b.dispose(); return 1; });
      a.dispose();
      return inner;
    });
    expect(outer.peakBytes - outer.startBytes).toBe(5000);
    expect(outer.result.peakBytes - outer.result.startBytes).toBe(1000);
    expect(tf.memory().numBytes).toBe(outer.startBytes);
    // The accessor is gone afterwards: the engine's field is plain again.
    const state = (tf.engine() as unknown as { state: object }).state;
    expect(Object.getOwnPropertyDescriptor(state, 'numBytes')?.get).toBeUndefined();
  });
});

describe('runProbe within a budget (cpu)', () => {
  beforeAll(async () => { await initBackend('cpu'); });
  const spec = validateSpec({ input: [20], layers: [{ type: 'dense', units: 16, activation: 'tanh' }, { type: 'dense', units: 4, activation: 'linear' }], loss: 'softmax-xent' });
  const n = 96;
  const d = randomData(spec, n, 3);
  const base = { spec, weights: randomWeights(spec, 2), inputs: { shape: d.xShape, data: d.x }, targets: { shape: d.yShape, data: d.y }, seed: 1, includeGram: true };

  it('a budget that does not hold the unblocked probe: blocked, peak within it, same report', () => {
    const free = runProbe({ ...base, mode: 'example' });
    expect(free.memory!.blocks).toBe(1);
    expect(free.blockSize).toBe(n);
    const unblockedPeak = free.memory!.peakTensorBytes;
    const budget = Math.floor(unblockedPeak * 0.6);
    const tight = runProbe({ ...base, mode: 'example', maxMemory: budget });
    expect(tight.memory!.blocks).toBeGreaterThan(1);
    expect(tight.blockSize).toBe(tight.memory!.blockSize);
    expect(tight.memory!.budgetSource).toBe('--max-memory');
    expect(tight.memory!.peakTensorBytes).toBeLessThanOrEqual(budget);
    expect(tight.memory!.withinBudget).toBe(true);
    expect(tight.memory!.hostStoreBytes).toBeGreaterThan(0);
    expect(relErr(tight.gram!.flat(), free.gram!.flat())).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
    expect(Math.abs(tight.eta - free.eta)).toBeLessThanOrEqual(GRAM_REL_TOL_F32 * Math.max(...free.gram!.flat().map(Math.abs)));
  });

  it('a budget below the weights, or below two-example blocks, is a BadInputError', () => {
    expect(() => runProbe({ ...base, mode: 'example', maxMemory: 100 })).toThrow(BadInputError);
    const weightsBytes = 4 * (20 * 16 + 16 + 16 * 4 + 4);
    expect(() => runProbe({ ...base, mode: 'example', maxMemory: weightsBytes + 200 })).toThrow(/too small for this model/);
  });

  it('minibatch mode sizes its passes to the budget without changing the cosines, and rejects a pair that does not fit', () => {
    const inst = randomInstance(spec, n, 5);
    try {
      const opts = { pairs: 6, batchSize: 4, seed: 9 };
      const free = minibatchCosines(inst.model, inst.x, inst.y, opts);
      expect(free.pairsPerPass).toEqual([6]);
      const onePair = measurePeak(() => minibatchCosines(inst.model, inst.x, inst.y, { ...opts, pairs: 1 }));
      const need = onePair.peakBytes - onePair.startBytes;
      const tight = minibatchCosines(inst.model, inst.x, inst.y, { ...opts, maxBytes: Math.floor(need * 2.5) });
      expect(tight.pairsPerPass!.length).toBeGreaterThan(1);
      expect(Math.max(...tight.pairsPerPass!)).toBeLessThan(6);
      expect(relErr(tight.cosines, free.cosines)).toBeLessThanOrEqual(1e-5);
      expect(() => minibatchCosines(inst.model, inst.x, inst.y, { ...opts, maxBytes: Math.floor(need / 2) })).toThrow(/one pair of minibatches of 4/);
    } finally { inst.done(); }
  });
});
