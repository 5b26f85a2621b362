/**
 * The fast ONNX probe (probe-gram.ts, minibatch.ts) against its slow twins, beyond the PyTorch
 * fixtures (torch-parity.test.ts compares every fixture with PyTorch and with the reference):
 * - hand-built graphs for what torch's exports do not show: a parameter tied across two
 *   primitives (embedding rows and a Gemm output layer, cross terms), examples on the columns of
 *   a Gemm with a [M, 1] bias (the broadcast carried through exampleMajor), alpha/beta ≠ 1;
 * - minibatch mode = each minibatch's mean gradient by its own backward pass (reference.ts
 *   minibatchGradient), with several pairs per pass and a partial last chunk, on every fixture;
 * - no leaked tensors; one-line errors for what cannot be probed.
 * Tolerances: GRAM_REL_TOL_F32 (float32 against float32), COSINE_ABS_TOL_F32 for cosines.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { BadInputError } from '../errors.ts';
import { COSINE_ABS_TOL_F32, GRAM_REL_TOL_F32 } from '../tolerance.ts';
import { onnxMinibatchCosines, referenceOnnxMinibatchCosines } from './minibatch.ts';
import { onnxGram } from './probe-gram.ts';
import { OnnxProgram } from './program.ts';
import { parseOnnx } from './read-model.ts';
import { referenceGram } from './reference.ts';
import { buildOnnx, DT, tensorProto, valueInfo } from './testing/build-onnx.ts';
import { committedFixtures, FIXTURE_ROOT, loadFixture, maxRel } from './testing/fixtures.ts';

const wave = (n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + phase));

/** ids [B, 3] → table rows → mean over positions → tanh → logits = h · tableᵀ (the table tied). */
function tiedLm(): OnnxProgram {
  return new OnnxProgram(parseOnnx(buildOnnx({
    inputs: [valueInfo('ids', ['batch', 3], DT.INT64)],
    outputs: [valueInfo('y', ['batch', 5])],
    initializers: [tensorProto('table', [5, 4], wave(20, 0.3)), tensorProto('b', [5], wave(5, 0.9))],
    nodes: [
      { op: 'Gather', name: 'emb', inputs: ['table', 'ids'], outputs: ['e'] },
      { op: 'ReduceMean', inputs: ['e'], outputs: ['m'], attrs: { axes: [1], keepdims: 0 } },
      { op: 'Tanh', inputs: ['m'], outputs: ['h'] },
      { op: 'Gemm', name: 'head', inputs: ['h', 'table', 'b'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  })));
}

/** Gemms with transA/transB, alpha/beta and the examples on the columns (records.test.ts's graph). */
function gemms(): OnnxProgram {
  return new OnnxProgram(parseOnnx(buildOnnx({
    inputs: [valueInfo('x', ['batch', 4])],
    outputs: [valueInfo('y', ['batch', 2])],
    initializers: [
      tensorProto('W1', [3, 4], wave(12, 0.1)), tensorProto('C1', [3], wave(3, 0.2)),
      tensorProto('W2', [3, 5], wave(15, 0.3)), tensorProto('C2', [5, 1], wave(5, 0.4)),
      tensorProto('b3', [5], wave(5, 0.5)), tensorProto('W5', [5, 2], wave(10, 0.7)),
    ],
    nodes: [
      { op: 'Gemm', name: 'g1', inputs: ['x', 'W1', 'C1'], outputs: ['h1'], attrs: { transB: 1, alpha: 0.7, beta: 1.3 } },
      { op: 'Transpose', inputs: ['h1'], outputs: ['h1t'], attrs: { perm: [1, 0] } },
      { op: 'Gemm', name: 'g2', inputs: ['W2', 'h1t', 'C2'], outputs: ['h2t'], attrs: { transA: 1, alpha: 0.9, beta: 1.1 } },
      { op: 'Transpose', inputs: ['h2t'], outputs: ['h2'], attrs: { perm: [1, 0] } },
      { op: 'Sub', name: 's1', inputs: ['b3', 'h2'], outputs: ['h3'] },
      { op: 'Tanh', inputs: ['h3'], outputs: ['h4'] },
      { op: 'Gemm', name: 'g3', inputs: ['h4', 'W5'], outputs: ['y'] },
    ],
  })));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`ONNX probe vs its slow twins (${backend})`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });

    it('a table tied across gather and a transposed Gemm: one parameter, cross terms included', () => {
      const p = tiedLm();
      expect(p.parameters.map((q) => `${q.name}:${q.uses.map((u) => u.kind).join('+')}`)).toEqual(['table:gather+matmul', 'b:shift']);
      const ids = tf.tensor2d([[0, 1, 2], [2, 2, 4], [4, 3, 0], [1, 1, 1]], [4, 3], 'int32');
      const y = tf.oneHot(tf.tensor1d([1, 0, 4, 2], 'int32'), 5).toFloat() as tf.Tensor2D;
      const ref = referenceGram(p, ids, y, 'softmax-xent');
      for (const strategy of ['auto', 'ghost', 'materialize'] as const) {
        expect(maxRel(onnxGram(p, ids, y, 'softmax-xent', { strategy }).gram, ref.gram), strategy).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
      }
      tf.dispose([ids, y]);
      p.dispose();
    });

    it('examples on the columns of a Gemm, a [M, 1] bias, alpha and beta', () => {
      const p = gemms();
      const x = tf.tensor2d(wave(24, 1.5), [6, 4]);
      const y = tf.tensor2d(wave(12, 2.5), [6, 2]);
      const ref = referenceGram(p, x, y, 'mse');
      for (const strategy of ['auto', 'ghost', 'materialize'] as const) {
        expect(maxRel(onnxGram(p, x, y, 'mse', { strategy }).gram, ref.gram), strategy).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
      }
      tf.dispose([x, y]);
      p.dispose();
    });

    it('minibatch mode = explicit minibatch gradients on every fixture (3 pairs of 2, two pairs per pass)', () => {
      for (const name of committedFixtures()) {
        const f = loadFixture(`${FIXTURE_ROOT}/${name}`);
        try {
          if (!f.program.dynamicBatch) continue;
          const opts = { pairs: 3, batchSize: 2, seed: 17, maxExamples: 8 };
          const fast = onnxMinibatchCosines(f.program, f.x, f.y, f.meta.loss, opts);
          const slow = referenceOnnxMinibatchCosines(f.program, f.x, f.y, f.meta.loss, opts);
          expect(fast.indices).toEqual(slow.indices);
          expect(fast.cosines.length, name).toBe(3);
          fast.cosines.forEach((c, i) => expect(Math.abs(c - slow.cosines[i]!), `${name} pair ${i}`).toBeLessThanOrEqual(COSINE_ABS_TOL_F32));
          expect(maxRel(fast.norms.flat(), slow.norms.flat()), name).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
        } finally {
          f.dispose();
        }
      }
    });

    it('no leaked tensors (per-example, groups, minibatch)', () => {
      for (const name of ['batchnorm', 'conv', 'embedding', 'mha']) {
        const f = loadFixture(`${FIXTURE_ROOT}/${name}`);
        const run = () => {
          onnxGram(f.program, f.x, f.y, f.meta.loss);
          onnxGram(f.program, f.x, f.y, f.meta.loss, { groups: f.meta.batch % 2 === 0 ? 2 : 1, strategy: 'ghost' });
          onnxGram(f.program, f.x, f.y, f.meta.loss, { strategy: 'materialize' });
          onnxMinibatchCosines(f.program, f.x, f.y, f.meta.loss, { pairs: 2, batchSize: 1, seed: 1 });
        };
        run(); // the program's constants are made on first use and kept until dispose()
        const before = tf.memory().numTensors;
        run();
        expect(tf.memory().numTensors, name).toBe(before);
        f.dispose();
      }
    });
  });
}

describe('what cannot be probed is a one-line error (cpu)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  const oneLine = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(BadInputError);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
    throw new Error('expected a BadInputError');
  };

  it('one example; minibatch mode on a fixed-batch export', () => {
    const f = loadFixture(`${FIXTURE_ROOT}/linear`);
    const x1 = tf.slice(f.x, 0, 1);
    const y1 = tf.slice(f.y, 0, 1);
    expect(oneLine(() => onnxGram(f.program, x1, y1, 'softmax-xent'))).toBe('onnx probe: needs at least 2 examples (got 1)');
    tf.dispose([x1, y1]);
    f.dispose();
    const g = loadFixture(`${FIXTURE_ROOT}/conv-fixed`);
    expect(oneLine(() => onnxMinibatchCosines(g.program, g.x, g.y, 'softmax-xent', { pairs: 1, batchSize: 1, seed: 0 })))
      .toMatch(/^onnx: minibatch mode runs 2·m = 2 examples per pass, but this export fixes the batch size at 4: pass dynamic_axes=\{"x": \{0: "batch"\}\}/);
    // 2·m = 4 fits the fixed batch: runs.
    expect(onnxMinibatchCosines(g.program, g.x, g.y, 'softmax-xent', { pairs: 1, batchSize: 2, seed: 0 }).norms).toHaveLength(1);
    g.dispose();
  });

  it('a parameter used in two layouts (a scale on [B, 2, 3] and a shift on [B, 3])', () => {
    const p = new OnnxProgram(parseOnnx(buildOnnx({
      inputs: [valueInfo('x', ['batch', 2, 3])],
      outputs: [valueInfo('y', ['batch', 3])],
      initializers: [tensorProto('w', [3], [0.5, -1, 2])],
      nodes: [
        { op: 'Mul', name: 'scale', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'ReduceMean', inputs: ['h'], outputs: ['m'], attrs: { axes: [1], keepdims: 0 } },
        { op: 'Add', name: 'shift', inputs: ['m', 'w'], outputs: ['y'] },
      ],
    })));
    const x = tf.tensor3d(wave(12, 0.2), [2, 2, 3]);
    const y = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(oneLine(() => onnxGram(p, x, y, 'mse'))).toBe('onnx probe: parameter "w" is used in different layouts ([1, 3], [3]: scale, shift); not supported');
    tf.dispose([x, y]);
    p.dispose();
  });
});
