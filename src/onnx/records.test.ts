/**
 * The tap/record interface (records.ts) is complete: per-example gradients rebuilt from one
 * tapped pass's records and deltas alone (testing/record-gradients.ts, float64 loops over the
 * documented formulas) equal the slow reference's autodiff gradients (reference.ts) for every
 * fixture, on cpu and wasm. Every parameter use is recorded exactly once per pass.
 *
 * Tolerance: both sides are float32 computations of the same gradients (different summation
 * orders), compared as max|a − b| / max|b| over the whole gradient of each example:
 * GRAM_REL_TOL_F32 (src/tolerance.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { GRAM_REL_TOL_F32 } from '../tolerance.ts';
import type { PrimitiveRecord } from './records.ts';
import { perExampleGradients } from './reference.ts';
import { OnnxProgram } from './program.ts';
import { parseOnnx } from './read-model.ts';
import { buildOnnx, tensorProto, valueInfo } from './testing/build-onnx.ts';
import { committedFixtures, FIXTURE_ROOT, loadFixture, maxRel } from './testing/fixtures.ts';
import { gradientsFromRecords } from './testing/record-gradients.ts';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`records rebuild the per-example gradients (${backend})`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    for (const name of committedFixtures()) {
      it(name, () => {
        const f = loadFixture(`${FIXTURE_ROOT}/${name}`);
        try {
          const ref = perExampleGradients(f.program, f.x, f.y, f.meta.loss);
          const got = gradientsFromRecords(f.program, f.x, f.y, f.meta.loss);
          for (let b = 0; b < ref.length; b++) expect(maxRel(got[b]!, ref[b]!)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          // One record per static use, each of the declared kind.
          const recs: PrimitiveRecord[] = [];
          tf.tidy(() => {
            f.program.run(f.x, { onRecord: (r) => recs.push(r) });
          });
          const uses = f.program.parameters.flatMap((p) => p.uses);
          expect(recs.map((r) => `${r.use.node}#${r.use.slot}:${r.kind}`).sort()).toEqual(uses.map((u) => `${u.node}#${u.slot}:${u.kind}`).sort());
        } finally {
          f.dispose();
        }
      });
    }
  });
}

describe('records for the forms torch does not emit (hand-built graph, cpu)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  const wave = (n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + phase));
  it('Gemm with transA/transB, alpha/beta, the parameter on the left and a [M, 1] bias; Sub with the parameter on either side', () => {
    const p = new OnnxProgram(parseOnnx(buildOnnx({
      inputs: [valueInfo('x', ['batch', 4])],
      outputs: [valueInfo('y', ['batch', 2])],
      initializers: [
        tensorProto('W1', [3, 4], wave(12, 0.1)), tensorProto('C1', [3], wave(3, 0.2)),
        tensorProto('W2', [3, 5], wave(15, 0.3)), tensorProto('C2', [5, 1], wave(5, 0.4)),
        tensorProto('b3', [5], wave(5, 0.5)), tensorProto('b4', [5], wave(5, 0.6)), tensorProto('W5', [5, 2], wave(10, 0.7)),
      ],
      nodes: [
        { op: 'Gemm', name: 'g1', inputs: ['x', 'W1', 'C1'], outputs: ['h1'], attrs: { transB: 1, alpha: 0.7, beta: 1.3 } },
        { op: 'Transpose', inputs: ['h1'], outputs: ['h1t'], attrs: { perm: [1, 0] } },
        // [5, B] = 0.9 · W2ᵀ · h1ᵀ + 1.1 · C2: the weight on the left, the examples on the columns.
        { op: 'Gemm', name: 'g2', inputs: ['W2', 'h1t', 'C2'], outputs: ['h2t'], attrs: { transA: 1, alpha: 0.9, beta: 1.1 } },
        { op: 'Transpose', inputs: ['h2t'], outputs: ['h2'], attrs: { perm: [1, 0] } },
        { op: 'Sub', name: 's1', inputs: ['h2', 'b3'], outputs: ['h3'] },
        { op: 'Sub', name: 's2', inputs: ['b4', 'h3'], outputs: ['h4'] },
        { op: 'Tanh', inputs: ['h4'], outputs: ['h5'] },
        { op: 'Gemm', name: 'g3', inputs: ['h5', 'W5'], outputs: ['y'] },
      ],
    })));
    const x = tf.tensor2d(wave(20, 1.5), [5, 4]);
    const y = tf.tensor2d(wave(10, 2.5), [5, 2]);
    const ref = perExampleGradients(p, x, y, 'mse');
    const got = gradientsFromRecords(p, x, y, 'mse');
    for (let b = 0; b < 5; b++) expect(maxRel(got[b]!, ref[b]!)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
    expect(p.parameters.map((q) => `${q.name}:${q.uses.map((u) => u.kind).join()}`)).toEqual(['W1:matmul', 'C1:shift', 'W2:matmul', 'C2:shift', 'b3:shift', 'b4:shift', 'W5:matmul']);
    const recs: PrimitiveRecord[] = [];
    tf.tidy(() => {
      p.run(x, { onRecord: (r) => recs.push(r) });
    });
    expect(recs.flatMap((r) => (r.kind === 'matmul' ? [`${r.use.param}:${r.weightLayout}`] : []))).toEqual(['W1:out-in', 'W2:in-out', 'W5:in-out']);
    p.dispose();
  });
});
