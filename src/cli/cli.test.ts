/**
 * The CLI contract: probe JSON fields, --save-weights round trip, verify JSON and exit codes, and
 * bad input → exit 2 with ONE line naming the problem (no stack trace, no NaN). Most cases run
 * `main()` in-process (fast); a few spawn the real `bin/gradconf.js` as a user would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from './run-cli.ts';
import { writeNpy } from '../data/npy.ts';
import { encodeSafetensors } from '../../models/safetensors.ts';
import { saveTfjsModelFiles } from '../../models/from-tfjs.ts';
import type { SymbolicTensor as Sym } from '@tensorflow/tfjs';
import { randomWeights } from '../../models/arbitraries.ts';
import { validateSpec } from '../../models/spec.ts';

const run = runCli;

let dir = '';
const specJson = { input: [4], layers: [{ type: 'dense', units: 5, activation: 'tanh' }, { type: 'dense', units: 3 }], loss: 'softmax-xent' };
const p = (f: string) => join(dir, f);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-cli-'));
  writeFileSync(p('spec.json'), JSON.stringify(specJson));
  writeNpy(p('x.npy'), { shape: [6, 4], data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)) });
  writeNpy(p('y.npy'), { shape: [6], data: Float64Array.from([0, 1, 2, 0, 1, 2]) });
  writeNpy(p('y5.npy'), { shape: [5], data: Float64Array.from([0, 1, 2, 0, 1]) });
  writeNpy(p('xnan.npy'), { shape: [6, 4], data: Float32Array.from({ length: 24 }, (_, i) => (i === 7 ? NaN : i)) });
  writeNpy(p('x3.npy'), { shape: [6, 3], data: new Float32Array(18) });
  writeFileSync(p('truncated.json'), JSON.stringify(specJson).slice(0, 30));
  writeFileSync(p('unknown-layer.json'), JSON.stringify({ ...specJson, layers: [{ type: 'lstm', units: 3 }] }));
  writeFileSync(p('bad-act.json'), JSON.stringify({ ...specJson, layers: [{ type: 'dense', units: 3, activation: 'swish' }] }));
  writeFileSync(p('bad-loss.json'), JSON.stringify({ ...specJson, loss: 'hinge' }));
  writeFileSync(p('zero-units.json'), JSON.stringify({ ...specJson, layers: [{ type: 'dense', units: 0 }, { type: 'dense', units: 3 }] }));
  const w = encodeSafetensors(randomWeights(validateSpec(specJson), 3));
  writeFileSync(p('w.safetensors'), w);
  writeFileSync(p('corrupt.safetensors'), w.subarray(0, w.length - 7));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradconf probe', () => {
  it('prints the JSON contract for per-example mode, with the Gram on request', async () => {
    const r = await run(['probe', '--model', p('spec.json'), '--inputs', p('x.npy'), '--targets', p('y.npy'), '--backend', 'cpu', '--json', '--gram']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    for (const k of ['backend', 'mode', 'n', 'gram', 'eta', 'cosine', 'diversity', 'norms', 'zeroGradients', 'ms']) expect(doc).toHaveProperty(k);
    expect(doc.backend).toBe('cpu');
    expect(doc.n).toBe(6);
    expect(doc.gram).toHaveLength(6);
    // Definition 2.1 from the printed Gram itself.
    const off = doc.gram.flatMap((row: number[], i: number) => row.filter((_: number, j: number) => j !== i));
    expect(doc.eta).toBeCloseTo(Math.max(0, -Math.min(...off)), 12);
    expect(doc.norms.map((v: number) => v * v)).toEqual(doc.gram.map((row: number[], i: number) => expect.closeTo(row[i]!, 9)));
  });

  it('--save-weights writes the initial weights; probing with --weights reproduces the Gram', async () => {
    const a = await run(['probe', '--model', p('spec.json'), '--inputs', p('x.npy'), '--targets', p('y.npy'), '--init', 'glorot', '--seed', '5', '--save-weights', p('saved.safetensors'), '--json', '--gram']);
    expect(a.code).toBe(0);
    const b = await run(['probe', '--model', p('spec.json'), '--inputs', p('x.npy'), '--targets', p('y.npy'), '--weights', p('saved.safetensors'), '--json', '--gram']);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out).gram).toEqual(JSON.parse(a.out).gram);
    expect(readFileSync(p('saved.safetensors')).length).toBeGreaterThan(8);
  });

  it('minibatch mode reports one cosine per pair and says which batch-norm statistics it used', async () => {
    const r = await run(['probe', '--preset', 'resnet', '--mode', 'minibatch', '--pairs', '3', '--batch-size', '4', '--examples', '64', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.mode).toBe('minibatch');
    expect(doc.cosines).toHaveLength(3);
    expect(doc.batchnorm).toMatch(/per-minibatch/);
    doc.cosines.forEach((c: number) => expect(Math.abs(c)).toBeLessThanOrEqual(1));
  });

  it('with no arguments: the default model on 128 MNIST images, readable summary', async () => {
    const r = await run(['probe']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/preset mlp/);
    expect(r.out).toMatch(/128 examples/);
    expect(r.out).toMatch(/gradient confusion η = \d/);
    expect(r.out).not.toMatch(/NaN/);
  });
});

describe('bad input: exit 2, one line naming the problem', () => {
  const base = () => ['probe', '--model', p('spec.json'), '--inputs', p('x.npy'), '--targets', p('y.npy'), '--backend', 'cpu'];
  const cases: [string, () => string[], RegExp][] = [
    ['truncated spec', () => ['probe', '--model', p('truncated.json'), '--inputs', p('x.npy'), '--targets', p('y.npy')], /not valid JSON/],
    ['unknown layer', () => ['probe', '--model', p('unknown-layer.json'), '--inputs', p('x.npy'), '--targets', p('y.npy')], /layers\[0\]\.type is an unknown layer type "lstm"/],
    ['unknown activation', () => ['probe', '--model', p('bad-act.json'), '--inputs', p('x.npy'), '--targets', p('y.npy')], /layers\[0\]\.activation must be one of/],
    ['unknown loss', () => ['probe', '--model', p('bad-loss.json'), '--inputs', p('x.npy'), '--targets', p('y.npy')], /^gradconf: loss must be one of/],
    ['non-positive size', () => ['probe', '--model', p('zero-units.json'), '--inputs', p('x.npy'), '--targets', p('y.npy')], /layers\[0\]\.units must be a positive integer/],
    ['data shape mismatch', () => ['probe', '--model', p('spec.json'), '--inputs', p('x3.npy'), '--targets', p('y.npy')], /shape \[6,3\] does not match the model input \[4\]/],
    ['NaN in data', () => ['probe', '--model', p('spec.json'), '--inputs', p('xnan.npy'), '--targets', p('y.npy')], /NaN or Inf at example 1/],
    ['wrong target count', () => ['probe', '--model', p('spec.json'), '--inputs', p('x.npy'), '--targets', p('y5.npy')], /5 targets for 6 examples/],
    ['corrupt weights', () => [...base(), '--weights', p('corrupt.safetensors')], /corrupt\.safetensors/],
    ['missing file', () => ['probe', '--model', p('nope.json')], /model spec file not found: .*nope\.json/],
    ['unknown backend', () => [...base(), '--backend', 'tpu'], /unknown backend "tpu"; known backends: wasm, cpu, webgpu, tensorflow/],
    ['unavailable backend', () => [...base(), '--backend', 'webgpu'], /backend "webgpu" is not available: .*available: wasm, cpu/],
    ['bad integer', () => [...base(), '--seed', '1.5'], /--seed must be an integer/],
    ['unknown option', () => [...base(), '--frobnicate'], /unknown option '--frobnicate'/],
    ['unknown preset', () => ['probe', '--preset', 'vgg'], /Allowed choices are mlp, cnn, resnet/],
    ['unknown verify id', () => ['verify', '--only', 'theorem-9-9'], /unknown result id\(s\): theorem-9-9/],
    ['batch larger than data', () => [...base(), '--batch-size', '7'], /--batch-size 7 exceeds the 6 examples/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const r = await run(args());
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      const lines = r.err.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});

describe('gradconf probe --tfjs-model', () => {
  it('probes a tfjs-layers model saved as model.json + weights.bin; unsupported layers exit 2', async () => {
    const tf = await import('@tensorflow/tfjs');
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu' }));
    m.add(tf.layers.dropout({ rate: 0.2 }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    await saveTfjsModelFiles(m, p('tfjs'));
    const r = await run(['probe', '--tfjs-model', p('tfjs/model.json'), '--loss', 'softmax-xent', '--inputs', p('x.npy'), '--targets', p('y.npy'), '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.n).toBe(6);
    expect(doc.model.parameters).toBe(4 * 5 + 5 + 5 * 3 + 3);
    const bad = tf.sequential();
    bad.add(tf.layers.simpleRNN({ inputShape: [2, 4], units: 3, name: 'rnn' }));
    await saveTfjsModelFiles(bad, p('rnn'));
    const e = await run(['probe', '--tfjs-model', p('rnn/model.json'), '--loss', 'mse', '--inputs', p('x.npy'), '--targets', p('y.npy')]);
    expect(e.code).toBe(2);
    expect(e.err.trimEnd().split('\n')).toEqual([expect.stringMatching(/layer "rnn" \(SimpleRNN\) is not supported/)]);
  });

  it('probes a functional model (Add and Concatenate merges); a non-series-parallel one exits 2', async () => {
    const tf = await import('@tensorflow/tfjs');
    const i = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 4, activation: 'relu' }).apply(i) as Sym;
    const s = tf.layers.add().apply([a, i]) as Sym;
    const c = tf.layers.concatenate().apply([s, tf.layers.dense({ units: 2 }).apply(i) as Sym]) as Sym;
    await saveTfjsModelFiles(tf.model({ inputs: i, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(c) as Sym }), p('functional'));
    const r = await run(['probe', '--tfjs-model', p('functional/model.json'), '--loss', 'softmax-xent', '--inputs', p('x.npy'), '--targets', p('y.npy'), '--json', '--gram']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.model.parameters).toBe(4 * 4 + 4 + 4 * 2 + 2 + 6 * 3 + 3);
    expect(doc.gram).toHaveLength(6);
    const j = tf.input({ shape: [4] });
    const b = tf.layers.dense({ units: 4, name: 'b' }).apply(j) as Sym;
    const m1 = tf.layers.add({ name: 'm1' }).apply([b, j]) as Sym;
    const m2 = tf.layers.add({ name: 'm2' }).apply([tf.layers.dense({ units: 4 }).apply(m1) as Sym, b]) as Sym;
    await saveTfjsModelFiles(tf.model({ inputs: j, outputs: tf.layers.dense({ units: 3 }).apply(m2) as Sym }), p('bridge'));
    const e = await run(['probe', '--tfjs-model', p('bridge/model.json'), '--loss', 'mse', '--inputs', p('x.npy'), '--targets', p('y.npy')]);
    expect(e.code).toBe(2);
    expect(e.err.trimEnd().split('\n')).toEqual([expect.stringMatching(/^gradconf: layer "b" feeds two branches of merge layer "m2" .*not series-parallel$/)]);
  });
});

describe('gradconf tighten --bound (a user bound in restricted mathjs)', () => {
  it('the theorem\'s own formula typed by the user is not refuted; a false positive bound is; escapes exit 2', async () => {
    const own = '(1 - (2*mu/N)*(alpha - N*L*alpha^2/2))^T * gap0 + alpha*eta/((2*mu/N)*(alpha - N*L*alpha^2/2))';
    const a = await run(['tighten', 'theorem-3-1', '--bound', own, '--budget', '60', '--json']);
    expect(a.code).toBe(0);
    const va = JSON.parse(a.out).variants.find((v: { name: string }) => v.name === 'custom');
    expect(va.refuted).toBe(false);
    // a bound ≤ 0 would be "not a meaningful variant here"; 1e-9·N is positive and false
    const b = await run(['tighten', 'theorem-3-2', '--bound', '1e-9 * N', '--budget', '60', '--json']);
    const vb = JSON.parse(b.out).variants.find((v: { name: string }) => v.name === 'custom');
    expect(vb.refuted).toBe(true);
    expect(vb.measured).toBeGreaterThan(0);
    for (const bad of ['import({})', 'cos.constructor', 'x = 1', 'process']) {
      const e = await run(['tighten', 'theorem-3-1', '--bound', bad]);
      expect(e.code).toBe(2);
      expect(e.err.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});

describe('gradconf verify', () => {
  it('--json lists the registry results; exit 0 when every exact claim holds', async () => {
    const r = await run(['verify', '--only', 'definition-2-1', '--json', '--backend', 'cpu', '--seed', '3']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.results[0]).toMatchObject({ id: 'definition-2-1', kind: 'exact', holds: true, seed: 3 });
    for (const k of ['title', 'instances', 'details', 'ms']) expect(doc.results[0]).toHaveProperty(k);
  });
});

describe('the installed binary (spawned as a user runs it)', () => {
  const bin = join(import.meta.dirname, '../../bin/gradconf.js');
  it('bad input: exit 2 and exactly one line on stderr, nothing on stdout', () => {
    const r = spawnSync(process.execPath, [bin, 'probe', '--model', p('unknown-layer.json')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^gradconf: layers\[0\]\.type is an unknown layer type "lstm"/)]);
  });
  it('--json output is one parseable document on stdout', () => {
    const r = spawnSync(process.execPath, [bin, 'probe', '--model', p('spec.json'), '--inputs', p('x.npy'), '--targets', p('y.npy'), '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe('wasm');
  });
});
