/**
 * `gradconf probe --onnx` end to end (in-process CLI): on the PyTorch fixtures the --json Gram
 * equals PyTorch's to ONNX_GRAM_REL_TOL (per-example mode, NCHW images, int64 token ids, a
 * fixed-batch export), minibatch mode reports per-minibatch batch-norm statistics, the document
 * has the fields of every other probe; and every bad input — unsupported op, corrupt or
 * truncated file, missing external data, wrong input shape, NaN data, bad token ids, missing
 * options — exits 2 with ONE line on stderr and nothing on stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';
import { readNpy, writeNpy } from '../data/npy.ts';
import { ONNX_GRAM_REL_TOL } from '../tolerance.ts';
import { buildOnnx, rewriteOnnx, tensorProto, valueInfo } from '../onnx/testing/build-onnx.ts';
import { FIXTURE_ROOT, maxRel } from '../onnx/testing/fixtures.ts';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema, TensorProto_DataLocation } from 'onnx-buf';

let dir = '';
const p = (f: string) => join(dir, f);
const fx = (name: string, file: string) => join(FIXTURE_ROOT, name, file);
const args = (name: string, loss: string) => ['probe', '--onnx', fx(name, 'model.onnx'), '--inputs', fx(name, 'x.npy'), '--targets', fx(name, 'y.npy'), '--loss', loss, '--backend', 'cpu'];

beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'gradconf-probe-onnx-'));
  const bytes = fs.readFileSync(fx('linear', 'model.onnx'));
  fs.writeFileSync(p('truncated.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  fs.writeFileSync(p('garbage.onnx'), Buffer.from('this is not a protobuf at all, just text\n'));
  fs.writeFileSync(p('foo.onnx'), buildOnnx({
    inputs: [valueInfo('x', ['batch', 5])], outputs: [valueInfo('y', ['batch', 5])],
    nodes: [{ op: 'Foo', name: '/layer1/Foo', inputs: ['x'], outputs: ['y'] }],
  }));
  // External data whose file is missing.
  const ext = rewriteOnnx(bytes, (m) => {
    for (const t of m.graph!.initializer) {
      t.rawData = new Uint8Array(0);
      t.dataLocation = TensorProto_DataLocation.EXTERNAL;
      t.externalData = [create(StringStringEntryProtoSchema, { key: 'location', value: 'weights.bin' })];
    }
  });
  fs.writeFileSync(p('external.onnx'), ext);
  const x = readNpy(fx('linear', 'x.npy'));
  const nan = Float32Array.from(x.data);
  nan[7] = NaN;
  writeNpy(p('nan.npy'), { shape: x.shape, data: nan });
  const ids = readNpy(fx('embedding', 'x.npy'));
  const bad = Float64Array.from(ids.data);
  bad[8] = 11;
  writeNpy(p('ids-range.npy'), { shape: ids.shape, data: bad });
  writeNpy(p('y-short.npy'), { shape: [2], data: Float64Array.from([0, 1]) });
  fs.writeFileSync(p('w.onnx'), buildOnnx({
    inputs: [valueInfo('x', ['batch', 5])], outputs: [valueInfo('y', ['batch', 5])],
    initializers: [tensorProto('w', [5], [1, 2, 3, 4, 5])],
    nodes: [{ op: 'Mul', name: 'scale', inputs: ['x', 'w'], outputs: ['h'] }, { op: 'Div', name: 'div', inputs: ['h', 'w'], outputs: ['y'] }],
  }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Doc {
  backend: string; mode: string; n: number; gram: number[][]; eta: number; cosine: { count: number } | null; norms: unknown[];
  batchnorm?: string; cosines?: number[]; statistics: unknown; zeroGradients: number[]; ms: number;
  model: { source: string; parameters: number; loss: string; opset: number }; weights: string; data: string; seed: number;
}

async function json(argv: string[]): Promise<Doc> {
  const r = await runCli([...argv, '--json']);
  expect(r.err, r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.out).not.toMatch(/NaN/);
  return JSON.parse(r.out) as Doc;
}

async function oneLine(argv: string[]): Promise<string> {
  const r = await runCli(argv);
  expect(r.code, r.err).toBe(2);
  expect(r.out).toBe('');
  const lines = r.err.trim().split('\n');
  expect(lines, r.err).toHaveLength(1);
  expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
  return lines[0]!;
}

describe('gradconf probe --onnx', () => {
  it('per-example mode: the Gram of PyTorch (images NCHW, token ids, a fixed-batch export), with the fields of every probe', async () => {
    for (const [name, loss] of [['conv', 'mse'], ['embedding', 'softmax-xent'], ['conv-fixed', 'softmax-xent'], ['mha', 'softmax-xent']] as const) {
      const d = await json([...args(name, loss), '--gram']);
      const want = readNpy(fx(name, 'gram.npy')).data;
      expect(maxRel(d.gram.flat(), want), name).toBeLessThanOrEqual(ONNX_GRAM_REL_TOL);
      const meta = JSON.parse(fs.readFileSync(fx(name, 'meta.json'), 'utf8')) as { batch: number; parameter_count: number; opset: number };
      expect(d).toMatchObject({ backend: 'cpu', mode: 'example', n: meta.batch, model: { source: `onnx ${fx(name, 'model.onnx')}`, parameters: meta.parameter_count, loss, opset: meta.opset }, seed: 0 });
      expect(d.norms).toHaveLength(meta.batch);
      d.gram.forEach((row, i) => expect(Math.sqrt(row[i]!)).toBeCloseTo(d.norms[i] as number, 6));
      expect(d.statistics).toBeTypeOf('object');
    }
  });

  it('minibatch mode: per-minibatch batch-norm statistics, every pair\'s cosine', async () => {
    const d = await json([...args('batchnorm', 'logistic'), '--mode', 'minibatch', '--batch-size', '2', '--pairs', '4', '--seed', '3']);
    expect(d).toMatchObject({ mode: 'minibatch', n: 4, batchnorm: 'per-minibatch statistics (training mode)' });
    expect(d.cosines).toHaveLength(4);
    const e = await json([...args('batchnorm', 'logistic')]);
    expect(e.batchnorm).toBe('stored statistics (per-example mode)');
  });

  it('text output names the model', async () => {
    const r = await runCli(args('linear', 'softmax-xent'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`gradconf probe — onnx ${fx('linear', 'model.onnx')} (66 parameters, softmax-xent), weights: ${fx('linear', 'model.onnx')} (initializers)`);
    expect(r.out).toMatch(/gradient confusion η = [0-9.e+-]+/);
  });

  it('bad input: exit 2, one line naming the problem', async () => {
    const withModel = (file: string) => ['probe', '--onnx', file, '--inputs', fx('linear', 'x.npy'), '--targets', fx('linear', 'y.npy'), '--loss', 'softmax-xent', '--backend', 'cpu'];
    expect(await oneLine(withModel(p('foo.onnx')))).toMatch(/^gradconf: onnx: node "\/layer1\/Foo" uses op Foo \(opset 17\), not supported; supported: Add, AveragePool, BatchNormalization, /);
    expect(await oneLine(withModel(p('truncated.onnx')))).toMatch(/^gradconf: onnx: .*truncated\.onnx/);
    expect(await oneLine(withModel(p('garbage.onnx')))).toMatch(/^gradconf: onnx: .*garbage\.onnx/);
    expect(await oneLine(withModel(p('external.onnx')))).toMatch(/^gradconf: onnx: initializer "[^"]+" is stored in external file "weights\.bin", which is missing/);
    expect(await oneLine(withModel(p('missing.onnx')))).toMatch(/^gradconf: .*missing\.onnx/);
    // Wrong input shape: the conv fixture's images given to the linear model.
    expect(await oneLine(['probe', '--onnx', fx('linear', 'model.onnx'), '--inputs', fx('conv', 'x.npy'), '--targets', fx('conv', 'y.npy'), '--loss', 'mse', '--backend', 'cpu']))
      .toBe('gradconf: onnx: input "x" has shape [5, 4, 9, 9]; the graph expects [batch, 5] (rank 2)');
    expect(await oneLine(['probe', '--onnx', fx('linear', 'model.onnx'), '--inputs', p('nan.npy'), '--targets', fx('linear', 'y.npy'), '--loss', 'softmax-xent']))
      .toBe(`gradconf: ${p('nan.npy')}: NaN or Inf at example 1 (flat index 7)`);
    expect(await oneLine(['probe', '--onnx', fx('embedding', 'model.onnx'), '--inputs', p('ids-range.npy'), '--targets', fx('embedding', 'y.npy'), '--loss', 'softmax-xent', '--backend', 'cpu']))
      .toBe('gradconf: onnx: node "/emb/Gather" (Gather): index 11 at flat position 8 is out of range 0..10 (bad token id?)');
    expect(await oneLine(['probe', '--onnx', fx('linear', 'model.onnx'), '--inputs', fx('linear', 'x.npy'), '--targets', p('y-short.npy'), '--loss', 'softmax-xent']))
      .toBe(`gradconf: ${p('y-short.npy')}: 2 targets for 6 examples`);
    expect(await oneLine(['probe', '--onnx', fx('conv-fixed', 'model.onnx'), '--inputs', fx('conv-fixed', 'x.npy'), '--targets', fx('conv-fixed', 'y.npy'), '--loss', 'softmax-xent', '--batch-size', '3']))
      .toMatch(/^gradconf: onnx: input "x" has shape \[3, 4, 9, 9\]; .* pass dynamic_axes=\{"x": \{0: "batch"\}\} to torch\.onnx\.export/);
    // A parameter the probe's primitives do not cover: refused when the graph is prepared.
    expect(await oneLine(['probe', '--onnx', p('w.onnx'), '--inputs', fx('linear', 'x.npy'), '--targets', fx('linear', 'y.npy'), '--loss', 'mse']))
      .toBe('gradconf: onnx: parameter "w" enters node "div" (Div, input 1) outside the probe\'s primitives (it is also a scale at node "scale"); not supported');
  });

  it('options that do not fit --onnx: exit 2, one line', async () => {
    const base = ['probe', '--onnx', fx('linear', 'model.onnx'), '--inputs', fx('linear', 'x.npy'), '--targets', fx('linear', 'y.npy')];
    expect(await oneLine(base)).toBe('gradconf: --onnx needs --loss mse|logistic|softmax-xent (an ONNX graph has no loss)');
    expect(await oneLine([...base, '--loss', 'hinge'])).toBe('gradconf: --loss must be one of mse, logistic, softmax-xent (got "hinge")');
    expect(await oneLine(['probe', '--onnx', fx('linear', 'model.onnx'), '--loss', 'mse'])).toMatch(/^gradconf: --onnx needs --inputs x\.npy/);
    expect(await oneLine([...base, '--loss', 'mse', '--weights', 'w.safetensors'])).toMatch(/^gradconf: an --onnx model carries its own weights/);
    expect(await oneLine([...base, '--loss', 'mse', '--preset', 'mlp'])).toBe('gradconf: give one of --model, --preset, --tfjs-model, --onnx');
    expect(await oneLine([...base.slice(0, 4), `x=${fx('linear', 'x.npy')},z=${fx('linear', 'x.npy')}`, '--targets', fx('linear', 'y.npy'), '--loss', 'mse']))
      .toBe('gradconf: --inputs: the graph has no input "z" (its inputs: x)');
  });
});
