/**
 * The interpreter's contracts beyond PyTorch parity: input checks, which initializers are
 * parameters (and the deduplication rule), parameters replaced by name, taps, the refusal of
 * graphs in which examples would interact, and op errors as one-line BadInputErrors.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { BadInputError } from '../errors.ts';
import { OnnxProgram } from './program.ts';
import { parseOnnx } from './read-model.ts';
import { buildOnnx, DT, tensorProto, valueInfo, type NodeSpec } from './testing/build-onnx.ts';
import { FIXTURE_ROOT, loadFixture } from './testing/fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function badInput(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a BadInputError');
}

/** A one-input float graph [batch, ...dims] → y. */
function program(nodes: NodeSpec[], dims: (number | string)[] = ['batch', 3], init: ReturnType<typeof tensorProto>[] = [], outDims: (number | string)[] = dims): OnnxProgram {
  return new OnnxProgram(parseOnnx(buildOnnx({ inputs: [valueInfo('x', dims)], outputs: [valueInfo('y', outDims)], nodes, initializers: init })));
}

const x23 = () => tf.tensor2d([[1, -2, 3], [4, 5, -6]]);

describe('inputs', () => {
  it('a shape that does not match the graph: one line naming the axis', () => {
    const f = loadFixture(`${FIXTURE_ROOT}/conv`);
    expect(badInput(() => f.program.run(tf.zeros([5, 4, 8, 9])))).toBe('onnx: input "x" has shape [5, 4, 8, 9]; the graph expects [batch, 4, 9, 9] (axis 2: 8 ≠ 9)');
    expect(badInput(() => f.program.run(tf.zeros([5, 4, 9])))).toBe('onnx: input "x" has shape [5, 4, 9]; the graph expects [batch, 4, 9, 9] (rank 4)');
    expect(badInput(() => f.program.run({ z: tf.zeros([5, 4, 9, 9]) }))).toBe('onnx: missing input "x" (the graph\'s inputs: x)');
    f.dispose();
  });

  it('a batch size fixed in the export: the message says how to export a dynamic one', () => {
    const f = loadFixture(`${FIXTURE_ROOT}/conv-fixed`);
    expect(f.program.dynamicBatch).toBe(false);
    expect(badInput(() => f.program.run(tf.zeros([3, 4, 9, 9])))).toMatch(/^onnx: input "x" has shape \[3, 4, 9, 9\]; the graph expects \[4, 4, 9, 9\] \(axis 0: 3 ≠ 4\) \(the batch size is fixed at 4 in this export: pass dynamic_axes=\{"x": \{0: "batch"\}\} to torch\.onnx\.export/);
    f.dispose();
  });

  it('token ids must be int32 and in range', () => {
    const f = loadFixture(`${FIXTURE_ROOT}/embedding`);
    expect(badInput(() => f.program.run(tf.zeros([2, 5])))).toBe('onnx: input "x" is float32; the graph\'s int64 input takes int32 tensors here');
    const ids = tf.tensor2d([[0, 1, 2, 3, 11]], [1, 5], 'int32');
    expect(badInput(() => f.program.run(ids))).toBe('onnx: node "/emb/Gather" (Gather): index 11 at flat position 4 is out of range 0..10 (bad token id?)');
    // Negative ids count from the end, as in ONNX (and torch's indexing).
    const a = tf.tidy(() => f.program.run(tf.tensor2d([[0, 1, 2, 3, -1]], [1, 5], 'int32')).outputs[0]!.dataSync());
    const b = tf.tidy(() => f.program.run(tf.tensor2d([[0, 1, 2, 3, 10]], [1, 5], 'int32')).outputs[0]!.dataSync());
    expect(a).toEqual(b);
    f.dispose();
  });
});

describe('parameters', () => {
  it('float initializers entering primitives are parameters; shape constants and batch-norm statistics are not', () => {
    const f = loadFixture(`${FIXTURE_ROOT}/batchnorm`);
    const names = f.program.parameters.map((p) => p.name);
    expect(names).toEqual(f.meta.parameters.map((p) => p.name));
    expect(f.program.parameters.flatMap((p) => p.uses.map((u) => `${u.opType}:${u.kind}`))).toEqual([
      'Conv:conv2d', 'Conv:shift', 'BatchNormalization:scale', 'BatchNormalization:shift', 'Gemm:matmul', 'Gemm:shift',
      'BatchNormalization:scale', 'BatchNormalization:shift', 'Gemm:matmul', 'Gemm:shift',
    ]);
    f.dispose();
  });

  it('deduplicated initializers (Identity copies) are separate parameters; one initializer used twice is one parameter with two uses', () => {
    const b = tensorProto('b', [3], [0.5, 0.5, 0.5]);
    const p = program([
      { op: 'Identity', inputs: ['b'], outputs: ['b_copy'] },
      { op: 'Add', inputs: ['x', 'b'], outputs: ['h'] },
      { op: 'Add', inputs: ['h', 'b_copy'], outputs: ['h2'] },
      { op: 'Mul', inputs: ['h2', 'b'], outputs: ['y'] },
    ], ['batch', 3], [b]);
    expect(p.parameters.map((q) => [q.name, q.source, q.uses.map((u) => u.kind).join('+')])).toEqual([['b', 'b', 'shift+scale'], ['b_copy', 'b', 'shift']]);
    // The copy is its own tensor: its gradient is the second Add's alone.
    const x = x23();
    const [gb, gc] = tf.grads((t1: tf.Tensor, t2: tf.Tensor) => p.run(x, { params: new Map([['b', t1], ['b_copy', t2]]) }).outputs[0]!.sum() as tf.Scalar)([p.parameterTensors().get('b')!, p.parameterTensors().get('b_copy')!]);
    // y = (x + b + c)·b with b = c = 0.5: dy/dc = b summed over the 2 rows; dy/db = (x + b + c) + b summed.
    expect(Array.from(gc!.dataSync())).toEqual([1, 1, 1]);
    expect(Array.from(gb!.dataSync())).toEqual([1 + 4 + 3, -2 + 5 + 3, 3 - 6 + 3]);
  });

  it('a parameter that also enters a non-primitive use is refused', () => {
    const w = tensorProto('w', [3, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(badInput(() => program([
      { op: 'MatMul', name: 'mm', inputs: ['x', 'w'], outputs: ['h'] },
      { op: 'Div', name: 'div', inputs: ['h', 'w'], outputs: ['y'] },
    ], ['batch', 3], [w], ['batch', 3, 3]))).toBe('onnx: parameter "w" enters node "div" (Div, input 1) outside the probe\'s primitives (it is also a matmul at node "mm"); not supported');
  });

  it('parameters replaced by name change the outputs; the stored ones are untouched', () => {
    const f = loadFixture(`${FIXTURE_ROOT}/linear`);
    const w = f.meta.parameters[2]!; // 2.weight [3, 7]
    const zero = tf.zeros(w.shape);
    const out = tf.tidy(() => f.program.run(f.x, { params: new Map([[w.name, zero]]) }).outputs[0]!.arraySync() as number[][]);
    const bias = Array.from(f.program.parameterTensors().get('2.bias')!.dataSync());
    for (const row of out) row.forEach((v, j) => expect(v).toBeCloseTo(bias[j]!, 6));
    const again = tf.tidy(() => f.program.run(f.x).outputs[0]!.dataSync());
    expect(Array.from(again).some((v, i) => Math.abs(v - out[Math.floor(i / 3)]![i % 3]!) > 1e-3)).toBe(true);
    f.dispose();
  });
});

describe('taps', () => {
  it('a tap is added to the node output; its gradient is the delta of that output', () => {
    const f = loadFixture(`${FIXTURE_ROOT}/linear`);
    let shapes = new Map<string, readonly number[]>() as ReadonlyMap<string, readonly number[]>;
    tf.tidy(() => {
      shapes = f.program.run(f.x).nodeShapes;
    });
    expect(shapes.get('/2/Gemm')).toEqual([6, 3]);
    const tap = tf.fill([6, 3], 0.25);
    const base = tf.tidy(() => f.program.run(f.x).outputs[0]!.dataSync());
    const tapped = tf.tidy(() => f.program.run(f.x, { taps: new Map([['/2/Gemm', tap]]) }).outputs[0]!.dataSync());
    tapped.forEach((v, i) => expect(v).toBeCloseTo(base[i]! + 0.25, 6));
    // d(sum of outputs)/d(tap on the last node) = 1 everywhere.
    const [d] = tf.grads((t: tf.Tensor) => f.program.run(f.x, { taps: new Map([['/2/Gemm', t]]) }).outputs[0]!.sum() as tf.Scalar)([tf.zeros([6, 3])]);
    expect(Array.from(d!.dataSync())).toEqual(new Array(18).fill(1));
    expect(() => f.program.run(f.x, { taps: new Map([['/2/Gemm', tf.zeros([6, 2])]]) })).toThrow(/tap for "\/2\/Gemm" has shape \[6,2\]/);
    f.dispose();
  });
});

describe('graphs in which examples would interact are refused (B > 1), allowed for one example', () => {
  const cases: [string, NodeSpec[], (number | string)[], string, boolean?][] = [
    ['a mean over the batch', [{ op: 'ReduceMean', name: 'r', inputs: ['x'], outputs: ['y'], attrs: { axes: [0], keepdims: 1 } }], ['batch', 3],
      'onnx: node "r" (ReduceMean): averages over the examples\' axis'],
    ['a softmax over the batch', [{ op: 'Softmax', name: 's', inputs: ['x'], outputs: ['y'], attrs: { axis: 0 } }], ['batch', 3],
      'onnx: node "s" (Softmax): normalizes over the examples\' axis'],
    ['xᵀ·x contracts over the batch', [{ op: 'Transpose', inputs: ['x'], outputs: ['xt'], attrs: { perm: [1, 0] } }, { op: 'MatMul', name: 'm', inputs: ['xt', 'x'], outputs: ['y'] }], [3, 3],
      'onnx: node "m" (MatMul): contracts over the examples\' axis (examples would mix)'],
    ['x·xᵀ combines examples on different axes', [{ op: 'Transpose', inputs: ['x'], outputs: ['xt'], attrs: { perm: [1, 0] } }, { op: 'MatMul', name: 'm', inputs: ['x', 'xt'], outputs: ['y'] }], ['batch', 'batch'],
      'onnx: node "m" (MatMul): multiplies tensors whose examples lie on different axes (examples would mix)'],
    ['a reshape splitting the batch', [{ op: 'Constant', inputs: [], outputs: ['s'], attrs: { value: tensorProto('v', [2], [3, 2], DT.INT64) } }, { op: 'Reshape', name: 'rs', inputs: ['x', 's'], outputs: ['y'] }], [3, 2],
      'onnx: node "rs" (Reshape): reshape [2, 3] → [3, 2] splits the examples across axes', false],
  ];
  for (const [what, nodes, outDims, msg, single = true] of cases) {
    it(what, () => {
      const p = program(nodes, ['batch', 3], [], outDims);
      expect(badInput(() => p.run(x23()))).toBe(msg);
      if (single) {
        expect(() => tf.tidy(() => {
          p.run(tf.tensor2d([[1, 2, 3]]));
        })).not.toThrow();
      }
    });
  }
});

describe('op errors are one-line BadInputErrors naming the node', () => {
  it('attributes out of range, shapes that do not fit, tfjs errors', () => {
    const conv = (attrs: Record<string, number | number[] | string>, wDims = [2, 3, 2, 2]) => program(
      [{ op: 'Conv', name: 'c', inputs: ['x', 'w'], outputs: ['y'], attrs }], ['batch', 3, 4, 4], [tensorProto('w', wDims, new Array(wDims.reduce((a, b) => a * b, 1)).fill(0.1))], ['batch', 2, 3, 3]);
    const x = tf.ones([2, 3, 4, 4]);
    expect(badInput(() => conv({ group: 2 }).run(x))).toBe('onnx: node "c" (Conv): weight [2, 3, 2, 2] does not fit 3 input channels in 2 group(s)');
    expect(badInput(() => conv({ pads: [1, 1] }).run(x))).toBe('onnx: node "c" (Conv): pads [1, 1] must be four non-negative integers');
    expect(badInput(() => conv({ auto_pad: 'WEIRD' }).run(x))).toBe('onnx: node "c" (Conv): auto_pad "WEIRD" is not supported');
    expect(badInput(() => conv({}, [2, 3, 5, 5]).run(x))).toBe('onnx: node "c" (Conv): the 5-wide window is larger than the padded input (4)');
    expect(badInput(() => conv({ kernel_shape: [3, 3] }).run(x))).toBe('onnx: node "c" (Conv): kernel_shape [3, 3] differs from the weight\'s [2, 2]');
    const mm = program([{ op: 'MatMul', name: 'm', inputs: ['x', 'w'], outputs: ['y'] }], ['batch', 3], [tensorProto('w', [4, 2], new Array(8).fill(1))], ['batch', 2]);
    expect(badInput(() => mm.run(x23()))).toBe('onnx: node "m" (MatMul): inner dimensions differ: [2, 3] · [4, 2]');
    const add = program([{ op: 'Add', name: 'a', inputs: ['x', 'w'], outputs: ['y'] }], ['batch', 3], [tensorProto('w', [2], [1, 2])]);
    expect(badInput(() => add.run(x23()))).toBe('onnx: node "a" (Add): shapes [2, 3] and [2] do not broadcast');
  });
});
