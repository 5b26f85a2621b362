/**
 * The spec vocabulary (README "The model spec"): defaults, shapes, weight names, and one-line
 * errors that name the field — for the kinds added with the layer registry (layernorm,
 * groupnorm, maxpool, globalavgpool, embedding, attention, gelu, grouped conv, dense on any rank,
 * tied dense, residual shortcuts, per-position outputs). An unknown type is an error in every
 * place that walks a spec.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { layerSites, outputShape, paramSpecs, parameterCount, validateSpec, type ModelSpec } from './spec.ts';
import { initWeights } from './init.ts';
import { buildModel, forward, tapShapes } from './build.ts';
import { randomWeights } from './arbitraries.ts';
import { BadInputError } from '../src/errors.ts';
import { initBackend } from '../src/backend/index.ts';

const bad = (json: unknown) => {
  try {
    validateSpec(json);
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(json)}`);
};

const lm = (extra: Record<string, unknown> = {}) => ({
  input: [5],
  layers: [
    { type: 'embedding', vocab: 11, dim: 8 },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: 2, causal: true }] },
    { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 16, activation: 'gelu' }, { type: 'dense', units: 8 }] },
    { type: 'layernorm' },
    { type: 'dense', units: 11, tied: 'layers.0.table', ...extra },
  ],
  loss: 'softmax-xent',
});

describe('new layer kinds: defaults, shapes, names', () => {
  it('fills the defaults the contract states', () => {
    const s = validateSpec({
      input: [8, 8, 4],
      layers: [
        { type: 'conv2d', filters: 4, kernel: 3 }, { type: 'groupnorm', groups: 2 }, { type: 'maxpool', size: 2 },
        { type: 'globalavgpool' }, { type: 'dense', units: 3 },
      ],
      loss: 'softmax-xent',
    });
    expect(s.layers).toEqual([
      { type: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 'same', activation: 'linear', bias: true, groups: 1 },
      { type: 'groupnorm', groups: 2, epsilon: 1e-5 },
      { type: 'maxpool', size: 2, stride: 2 },
      { type: 'globalavgpool' },
      { type: 'dense', units: 3, activation: 'linear', bias: true },
    ]);
    const t = validateSpec(lm());
    expect(t.layers[1]).toEqual({ type: 'residual', layers: [{ type: 'layernorm', epsilon: 1e-5 }, { type: 'attention', heads: 2, causal: true }] });
    expect(t.layers[4]).toEqual({ type: 'dense', units: 11, activation: 'linear', bias: true, tied: 'layers.0.table' });
    expect(validateSpec({ input: [4, 3], layers: [{ type: 'attention', heads: 1 }, { type: 'globalavgpool' }, { type: 'dense', units: 2 }], loss: 'mse' }).layers[0])
      .toEqual({ type: 'attention', heads: 1, causal: false });
  });

  it('shapes: dense on the last axis, maxpool floor((h - k)/s) + 1, globalavgpool keeps the last axis, per-position outputs', () => {
    const s = validateSpec({
      input: [7, 6, 3],
      layers: [{ type: 'dense', units: 5 }, { type: 'maxpool', size: 3, stride: 2 }, { type: 'globalavgpool' }, { type: 'dense', units: 2 }],
      loss: 'mse',
    });
    expect(layerSites(s).map((x) => x.outShape)).toEqual([[7, 6, 5], [3, 2, 5], [5], [2]]);
    expect(outputShape(validateSpec(lm()))).toEqual([5, 11]);
  });

  it('weight names: table, query/key/value/output kernels and biases, nested layers and shortcut layers; a tied dense has no kernel', () => {
    const names = paramSpecs(validateSpec(lm())).map((p) => p.name);
    expect(names).toEqual([
      'layers.0.table',
      'layers.1.layers.0.gamma', 'layers.1.layers.0.beta',
      ...['query', 'key', 'value', 'output'].flatMap((p) => [`layers.1.layers.1.${p}.kernel`, `layers.1.layers.1.${p}.bias`]),
      'layers.2.layers.0.gamma', 'layers.2.layers.0.beta', 'layers.2.layers.1.kernel', 'layers.2.layers.1.bias', 'layers.2.layers.2.kernel', 'layers.2.layers.2.bias',
      'layers.3.gamma', 'layers.3.beta',
      'layers.4.bias',
    ]);
    expect(paramSpecs(validateSpec(lm())).find((p) => p.name === 'layers.0.table')).toMatchObject({ shape: [11, 8], role: 'table', primitive: 'gather', init: 'kernel' });
    const r = validateSpec({
      input: [4, 4, 2],
      layers: [
        { type: 'residual', layers: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2, groups: 1 }], shortcut: [{ type: 'conv2d', filters: 3, kernel: 1, stride: 2 }, { type: 'batchnorm' }] },
        { type: 'flatten' }, { type: 'dense', units: 2 },
      ],
      loss: 'softmax-xent',
    });
    expect(paramSpecs(r).map((p) => `${p.name} [${p.shape}]`)).toEqual([
      'layers.0.layers.0.kernel [3,3,2,3]', 'layers.0.layers.0.bias [3]',
      'layers.0.shortcut.0.kernel [1,1,2,3]', 'layers.0.shortcut.0.bias [3]',
      'layers.0.shortcut.1.gamma [3]', 'layers.0.shortcut.1.beta [3]', 'layers.0.shortcut.1.mean [3]', 'layers.0.shortcut.1.variance [3]',
      'layers.2.kernel [12,2]', 'layers.2.bias [2]',
    ]);
    expect(layerSites(r).map((x) => x.path)).toEqual(['layers[0]', 'layers[0].layers[0]', 'layers[0].shortcut[0]', 'layers[0].shortcut[1]', 'layers[1]', 'layers[2]']);
  });

  it('grouped and depthwise conv kernels are [k, k, c/groups, filters]; fans per group', () => {
    const s = validateSpec({ input: [5, 5, 6], layers: [{ type: 'conv2d', filters: 12, kernel: 3, groups: 3 }, { type: 'conv2d', filters: 12, kernel: 3, groups: 12 }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' });
    const [k0, , k1] = paramSpecs(s);
    expect(k0).toMatchObject({ shape: [3, 3, 2, 12], fanIn: 18, fanOut: 36 });
    expect(k1).toMatchObject({ shape: [3, 3, 1, 12], fanIn: 9, fanOut: 9 });
  });

  it('counts a tied table once', () => {
    const s = validateSpec(lm());
    const untied = validateSpec({ ...lm(), layers: [...lm().layers.slice(0, 4), { type: 'dense', units: 11 }] });
    expect(parameterCount(untied) - parameterCount(s)).toBe(8 * 11);
  });
});

describe('bad specs: one line naming the problem', () => {
  const attn = (heads: number) => ({ input: [4, 6], layers: [{ type: 'attention', heads }, { type: 'globalavgpool' }, { type: 'dense', units: 2 }], loss: 'mse' });
  it.each([
    ['heads not dividing d', attn(4), 'layers[0].heads (4) must divide the model width d = 6 (the input\'s last axis)'],
    ['attention on an image', { input: [4, 4, 2], layers: [{ type: 'attention', heads: 1 }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0] (attention) needs a sequence [T, d] but gets shape [4, 4, 2]'],
    ['conv groups not dividing the input channels', { input: [4, 4, 3], layers: [{ type: 'conv2d', filters: 4, kernel: 1, groups: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0].groups (2) must divide the input channels (3)'],
    ['conv groups not dividing filters', { input: [4, 4, 4], layers: [{ type: 'conv2d', filters: 3, kernel: 1, groups: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0].groups (2) must divide filters (3)'],
    ['groupnorm groups not dividing channels', { input: [4, 4, 6], layers: [{ type: 'groupnorm', groups: 4 }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0].groups (4) must divide the channels (6, the input\'s last axis)'],
    ['shortcut shape differs from the block', { input: [4, 4, 2], layers: [{ type: 'residual', layers: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2 }], shortcut: [{ type: 'conv2d', filters: 3, kernel: 1 }] }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0].shortcut maps shape [4, 4, 2] to [4, 4, 3] but the block gives [2, 2, 3]; the two must match'],
    ['a shape-changing block without a shortcut', { input: [4, 4, 2], layers: [{ type: 'residual', layers: [{ type: 'conv2d', filters: 3, kernel: 3 }] }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0] (residual) block maps shape [4, 4, 2] to [4, 4, 3]; input and output shapes must match (or add a "shortcut")'],
    ['an empty shortcut', { input: [3], layers: [{ type: 'residual', layers: [{ type: 'dense', units: 3 }], shortcut: [] }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0].shortcut must be a non-empty array of layers (omit it for the identity)'],
    ['an embedding fed by another layer', { input: [4], layers: [{ type: 'dense', units: 4 }, { type: 'embedding', vocab: 3, dim: 2 }, { type: 'globalavgpool' }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[1] (embedding) takes integer token ids: it must be the model\'s first layer (layers[0]), not fed by another layer\'s float output'],
    ['an embedding on a non-sequence input', { input: [4, 2], layers: [{ type: 'embedding', vocab: 3, dim: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0] (embedding) needs token ids [T] as the model input but gets shape [4, 2]'],
    ['tied to a missing table', lm({ tied: 'layers.9.table' }), 'layers[4].tied ("layers.9.table") is not an embedding table of this model (tables: layers.0.table)'],
    ['tied with the wrong units', { ...lm(), layers: [...lm().layers.slice(0, 4), { type: 'dense', units: 10, tied: 'layers.0.table' }] }, 'layers[4].units (10) must equal the vocab (11) of the tied table layers.0.table'],
    ['tied with the wrong input width', { ...lm(), layers: [...lm().layers.slice(0, 4), { type: 'dense', units: 4 }, { type: 'dense', units: 11, tied: 'layers.0.table' }] }, 'layers[5].tied ("layers.0.table") needs the input\'s last axis (4) to equal the table\'s dim (8)'],
    ['tied is not a string', lm({ tied: 3 }), 'layers[4].tied must be a parameter name such as "layers.0.table" (got 3)'],
    ['an output of rank 3', { input: [4, 4, 2], layers: [{ type: 'dense', units: 2 }], loss: 'mse' }, 'layers must end in an output [C] or [T, C] (per position) (got shape [4, 4, 2]); add flatten/globalavgpool and dense layers'],
    ['logistic per position', { input: [4, 3], layers: [{ type: 'dense', units: 1 }], loss: 'logistic' }, 'layers must end in an output [C] (got shape [4, 1]); add flatten/globalavgpool and dense layers'],
    ['an unknown field of a new kind', { input: [4, 6], layers: [{ type: 'attention', heads: 2, dropout: 0.1 }, { type: 'globalavgpool' }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0].dropout is not a field of an attention layer (fields: heads, causal)'],
    ['an unknown activation', { input: [3], layers: [{ type: 'dense', units: 2, activation: 'swish' }], loss: 'mse' }, 'layers[0].activation must be one of "tanh", "relu", "sigmoid", "linear", "gelu" (got "swish")'],
    ['maxpool larger than the input', { input: [2, 2, 1], layers: [{ type: 'maxpool', size: 3 }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' }, 'layers[0].size (3) is larger than the 2x2 input'],
    ['an unknown nested type', { input: [3], layers: [{ type: 'residual', layers: [{ type: 'lstm' }] }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0].layers[0].type is an unknown layer type "lstm"; known: dense, conv2d, batchnorm, layernorm, groupnorm, flatten, activation, avgpool, maxpool, globalavgpool, embedding, attention, residual, parallel'],
    ['parallel: add of different shapes', { input: [4, 4, 2], layers: [{ type: 'parallel', merge: 'add', branches: [[], [{ type: 'conv2d', filters: 3, kernel: 1 }]] }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0].branches.1 maps shape [4, 4, 2] to [4, 4, 3] but branch 0 gives [4, 4, 2]; "add" needs equal shapes'],
    ['parallel: concat of different maps', { input: [4, 4, 2], layers: [{ type: 'parallel', merge: 'concat', branches: [[], [{ type: 'conv2d', filters: 3, kernel: 1, stride: 2 }]] }, { type: 'flatten' }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0].branches.1 maps shape [4, 4, 2] to [2, 2, 3] but branch 0 gives [4, 4, 2]; "concat" needs equal shapes except the last axis'],
    ['parallel: one branch', { input: [3], layers: [{ type: 'parallel', merge: 'add', branches: [[]] }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0].branches must be an array of at least two layer sequences ([] for the identity)'],
    ['parallel: an unknown merge', { input: [3], layers: [{ type: 'parallel', merge: 'mul', branches: [[], []] }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0].merge must be one of "add", "concat" (got "mul")'],
    ['parallel: a bad layer inside a branch', { input: [3], layers: [{ type: 'parallel', merge: 'concat', branches: [[], [{ type: 'dense', units: 0 }]] }, { type: 'dense', units: 2 }], loss: 'mse' },
      'layers[0].branches.1[0].units must be a positive integer (got 0)'],
  ])('%s', (_name, json, message) => {
    expect(bad(json)).toBe(message);
  });
});

describe('an unknown layer type is an error everywhere a spec is walked, never a silent identity', () => {
  const good = validateSpec({ input: [3], layers: [{ type: 'dense', units: 3 }, { type: 'dense', units: 2 }], loss: 'mse' });
  const evil = { ...good, layers: [good.layers[0]!, { type: 'lstm' } as unknown as ModelSpec['layers'][number], good.layers[1]!] } as ModelSpec;
  const msg = /unknown layer type "lstm"/;
  it('layerSites, outputShape, paramSpecs, tapShapes, initWeights', () => {
    expect(() => layerSites(evil)).toThrow(msg);
    expect(() => outputShape(evil)).toThrow(msg);
    expect(() => paramSpecs(evil)).toThrow(msg);
    expect(() => tapShapes(evil, 2)).toThrow(msg);
    expect(() => initWeights(evil, { init: 'he', seed: 1 })).toThrow(msg);
    expect(() => layerSites(evil)).toThrow(BadInputError);
  });
  it('the forward pass', async () => {
    await initBackend('cpu');
    const model = buildModel(good, randomWeights(good, 1));
    try {
      const x = tf.ones([2, 3]);
      expect(() => forward({ ...model, spec: evil }, x)).toThrow(msg);
      x.dispose();
    } finally { model.dispose(); }
  });
});
