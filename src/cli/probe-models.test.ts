/**
 * `gradconf probe` on the models of the extended spec vocabulary: a tied-embedding causal
 * language model on token ids (per-position targets), a grouped-conv / groupnorm / maxpool /
 * projection-shortcut image model, the `wrn` and `transformer` presets — exit 0 and a NaN-free
 * JSON document whose Gram is symmetric with diag = norms² — and the bad input the vocabulary
 * brings, each exit 2 with ONE line on stderr naming the problem (no stack trace).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';
import { writeNpy } from '../data/npy.ts';
import { encodeSafetensors } from '../../models/safetensors.ts';
import { randomWeights } from '../../models/arbitraries.ts';
import { validateSpec } from '../../models/spec.ts';
import { Rng } from '../rng.ts';

let dir = '';
const p = (f: string) => join(dir, f);

const lm = {
  input: [6],
  layers: [
    { type: 'embedding', vocab: 11, dim: 8 },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: 2, causal: true }] },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 16, activation: 'gelu' }, { type: 'dense', units: 8 }] },
    { type: 'layernorm' },
    { type: 'dense', units: 11, tied: 'layers.0.table' },
  ],
  loss: 'softmax-xent',
};
const image = {
  input: [6, 6, 4],
  layers: [
    { type: 'conv2d', filters: 6, kernel: 3, groups: 2, activation: 'relu' },
    { type: 'groupnorm', groups: 3 },
    { type: 'residual', layers: [{ type: 'conv2d', filters: 8, kernel: 3, stride: 2 }, { type: 'batchnorm' }], shortcut: [{ type: 'conv2d', filters: 8, kernel: 1, stride: 2 }, { type: 'batchnorm' }] },
    { type: 'activation', activation: 'gelu' },
    { type: 'maxpool', size: 2, stride: 1 },
    { type: 'globalavgpool' },
    { type: 'dense', units: 3 },
  ],
  loss: 'softmax-xent',
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-probe-models-'));
  const rng = new Rng(5);
  writeFileSync(p('lm.json'), JSON.stringify(lm));
  writeFileSync(p('lm.safetensors'), encodeSafetensors(randomWeights(validateSpec(lm), 1)));
  writeNpy(p('ids.npy'), { shape: [5, 6], data: Float32Array.from({ length: 30 }, () => rng.int(11)) });
  writeNpy(p('next.npy'), { shape: [5, 6], data: Float64Array.from({ length: 30 }, () => rng.int(11)) });
  writeNpy(p('ids-frac.npy'), { shape: [5, 6], data: Float32Array.from({ length: 30 }, (_, i) => (i === 15 ? 2.5 : 1)) });
  writeNpy(p('ids-range.npy'), { shape: [5, 6], data: Float32Array.from({ length: 30 }, (_, i) => (i === 9 ? 11 : 1)) });
  writeNpy(p('next-range.npy'), { shape: [5, 6], data: Float64Array.from({ length: 30 }, (_, i) => (i === 20 ? 12 : 0)) });
  writeFileSync(p('image.json'), JSON.stringify(image));
  writeNpy(p('img.npy'), { shape: [4, 6, 6, 4], data: Float32Array.from(rng.normals(4 * 144)) });
  writeNpy(p('labels.npy'), { shape: [4], data: Float64Array.from([0, 1, 2, 1]) });
  writeNpy(p('tokens64.npy'), { shape: [3, 64], data: Float32Array.from({ length: 192 }, () => rng.int(256)) });
  writeNpy(p('classes3.npy'), { shape: [3], data: Float64Array.from([1, 7, 3]) });
  const bad = (name: string, spec: unknown) => writeFileSync(p(name), JSON.stringify(spec));
  bad('heads.json', { ...lm, layers: [lm.layers[0], { type: 'attention', heads: 3 }, lm.layers[4]] });
  bad('groups.json', { ...image, layers: [{ type: 'conv2d', filters: 6, kernel: 3, groups: 3 }, ...image.layers.slice(1)] });
  bad('shortcut.json', { ...image, layers: [image.layers[0], { type: 'residual', layers: [{ type: 'conv2d', filters: 8, kernel: 3, stride: 2 }], shortcut: [{ type: 'conv2d', filters: 8, kernel: 1 }] }, { type: 'globalavgpool' }, { type: 'dense', units: 3 }] });
  bad('embedding-second.json', { input: [6, 4], layers: [{ type: 'dense', units: 4 }, { type: 'embedding', vocab: 4, dim: 3 }, { type: 'globalavgpool' }, { type: 'dense', units: 2 }], loss: 'mse' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkDoc(out: string, n: number): void {
  expect(out).not.toMatch(/NaN|Infinity/);
  const doc = JSON.parse(out);
  expect(doc.n).toBe(n);
  expect(doc.gram).toHaveLength(n);
  for (let i = 0; i < n; i++) {
    expect(doc.norms[i] ** 2).toBeCloseTo(doc.gram[i][i], 6);
    for (let j = 0; j < n; j++) expect(doc.gram[i][j]).toBeCloseTo(doc.gram[j][i], 6);
  }
}

describe('gradconf probe accepts the extended vocabulary', () => {
  it('a tied-embedding causal LM on token ids (float .npy) with next-token targets [n, T]', async () => {
    const r = await runCli(['probe', '--model', p('lm.json'), '--weights', p('lm.safetensors'), '--inputs', p('ids.npy'), '--targets', p('next.npy'), '--backend', 'cpu', '--json', '--gram']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    checkDoc(r.out, 5);
    // 11·8 table (counted once) + layernorms, attention and MLP + the tied layer's bias.
    expect(JSON.parse(r.out).model.parameters).toBe(88 + 16 + 4 * 72 + 16 + (8 * 16 + 16 + 16 * 8 + 8) + 16 + 11);
  });

  it('grouped conv, groupnorm, a projection-shortcut block, gelu, overlapping maxpool, globalavgpool (wasm)', async () => {
    const r = await runCli(['probe', '--model', p('image.json'), '--init', 'he', '--inputs', p('img.npy'), '--targets', p('labels.npy'), '--json', '--gram']);
    expect(r.code).toBe(0);
    checkDoc(r.out, 4);
    expect(JSON.parse(r.out).batchnorm).toMatch(/stored statistics/);
  });

  it('the transformer preset on token ids; the wrn preset on MNIST', async () => {
    const t = await runCli(['probe', '--preset', 'transformer', '--inputs', p('tokens64.npy'), '--targets', p('classes3.npy'), '--json', '--gram']);
    expect(t.code).toBe(0);
    checkDoc(t.out, 3);
    const w = await runCli(['probe', '--preset', 'wrn', '--batch-size', '3', '--json', '--gram']);
    expect(w.code).toBe(0);
    checkDoc(w.out, 3);
    expect(JSON.parse(w.out).model.parameters).toBe(691834);
  });
});

describe('bad input of the extended vocabulary: exit 2, one line naming the problem', () => {
  const lmArgs = (x: string, y = 'next.npy') => ['probe', '--model', p('lm.json'), '--inputs', p(x), '--targets', p(y), '--backend', 'cpu'];
  const cases: [string, () => string[], RegExp][] = [
    ['heads not dividing d', () => ['probe', '--model', p('heads.json'), '--inputs', p('ids.npy'), '--targets', p('next.npy')], /^gradconf: layers\[1\]\.heads \(3\) must divide the model width d = 8/],
    ['groups not dividing channels', () => ['probe', '--model', p('groups.json'), '--inputs', p('img.npy'), '--targets', p('labels.npy')], /^gradconf: layers\[0\]\.groups \(3\) must divide the input channels \(4\)/],
    ['a shortcut whose output differs from the block', () => ['probe', '--model', p('shortcut.json'), '--inputs', p('img.npy'), '--targets', p('labels.npy')], /^gradconf: layers\[1\]\.shortcut maps shape \[6, 6, 6\] to \[6, 6, 8\] but the block gives \[3, 3, 8\]/],
    ['an embedding fed by another layer', () => ['probe', '--model', p('embedding-second.json'), '--inputs', p('ids.npy'), '--targets', p('next.npy')], /^gradconf: layers\[1\] \(embedding\) takes integer token ids: it must be the model's first layer/],
    ['a token id that is not an integer', () => lmArgs('ids-frac.npy'), /^gradconf: .*ids-frac\.npy: token id 2\.5 at example 2, position 3 is not an integer/],
    ['a token id out of range', () => lmArgs('ids-range.npy'), /^gradconf: .*ids-range\.npy: token id 11 at example 1, position 3 is out of range 0\.\.10/],
    ['a per-position target id out of range', () => lmArgs('ids.npy', 'next-range.npy'), /^gradconf: .*next-range\.npy: label 12 at example 3, position 2 is not an integer class in 0\.\.10/],
    ['float images given to an embedding model', () => lmArgs('img.npy'), /^gradconf: .*img\.npy: shape \[4,6,6,4\] does not match the model input \[6\]/],
    ['the default MNIST data for a token model', () => ['probe', '--preset', 'transformer'], /^gradconf: --inputs and --targets are required for a model whose input is \[64\]/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const r = await runCli(args());
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      const lines = r.err.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});
