/**
 * fast-check arbitraries of small random architectures (valid specs) and random weights and data,
 * for the probe's properties (src/probe/gram.test.ts) and Definition 2.1's check. Together the
 * three families use every layer kind of the registry and every primitive:
 * - mlp: dense (all activations, gelu included), layernorm between hidden layers;
 * - cnn: conv2d (both paddings, stride 1–2, groups incl. depthwise), batchnorm or groupnorm, an
 *   identity or projection-shortcut residual block, parallel branches merged by add or concat,
 *   avgpool or maxpool, then flatten / a dense on the channel axis of the image / globalavgpool,
 *   and a dense head;
 * - seq: token ids → embedding, or float sequences [T, d]; attention (causal or not) in pre-LN
 *   residual blocks or bare, dense on [T, d] (gelu); heads: globalavgpool → dense, a dense per
 *   position ([T, C] outputs, mse or softmax-xent), or a dense tied to the embedding table.
 * Every loss appears. `smooth` drops the kinks (relu, maxpool) for finite differences.
 */
import fc from 'fast-check';
import type { Activation, LayerInput, Loss, ModelSpec } from './spec.ts';
import { LAYER_TYPES, layerSites, outputShape, paramSpecs, validateSpec } from './spec.ts';
import type { Weights } from './weights.ts';
import { Rng } from '../src/rng.ts';

const act = fc.constantFrom<Activation>('tanh', 'relu', 'sigmoid', 'linear', 'gelu');
const smoothAct = fc.constantFrom<Activation>('tanh', 'sigmoid', 'linear', 'gelu');
const loss = fc.constantFrom<Loss>('mse', 'logistic', 'softmax-xent');

function head(l: Loss, outputs: number, a: Activation): LayerInput[] {
  return [{ type: 'dense', units: l === 'logistic' ? 1 : outputs, activation: a, bias: true }];
}

/** Options: `smooth` restricts to C¹ activations and no max pooling (for finite differences). */
export interface ArchOptions { smooth?: boolean; maxWidth?: number }

/** A random MLP spec (1–3 dense layers, optionally a layernorm after each hidden one). */
export function mlpSpecArb(o: ArchOptions = {}): fc.Arbitrary<ModelSpec> {
  const a = o.smooth ? smoothAct : act;
  const w = o.maxWidth ?? 6;
  return fc.record({
    d: fc.integer({ min: 1, max: 6 }),
    hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: w }), activation: a, bias: fc.boolean(), norm: fc.boolean() }), { minLength: 0, maxLength: 2 }),
    loss,
    outputs: fc.integer({ min: 2, max: 4 }),
    outAct: a,
  }).map(({ d, hidden, loss: l, outputs, outAct }) => validateSpec({
    input: [d],
    layers: [
      ...hidden.flatMap(({ norm, ...h }) => [{ type: 'dense', ...h }, ...(norm && h.units > 1 ? [{ type: 'layernorm' }] : [])]),
      ...head(l, outputs, outAct),
    ],
    loss: l,
  }));
}

/**
 * A random small CNN spec: a conv (maybe grouped or depthwise), then optionally batchnorm or
 * groupnorm, a residual block (identity, or a projection shortcut that changes the shape), a
 * pooling layer, and a head (flatten, a dense on the channel axis, or globalavgpool) with dense.
 */
export function cnnSpecArb(o: ArchOptions = {}): fc.Arbitrary<ModelSpec> {
  const a = o.smooth ? smoothAct : act;
  return fc.record({
    h: fc.integer({ min: 3, max: 7 }),
    w: fc.integer({ min: 3, max: 7 }),
    cPerGroup: fc.integer({ min: 1, max: 2 }),
    groups: fc.constantFrom(2, 3),
    convMode: fc.constantFrom('plain', 'grouped', 'depthwise'),
    filtersPerGroup: fc.integer({ min: 1, max: 2 }),
    kernel: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
    activation: a,
    bias: fc.boolean(),
    norm: fc.constantFrom('none', 'batchnorm', 'groupnorm', 'batchnorm', 'groupnorm'),
    residual: fc.constantFrom('none', 'identity', 'projection'),
    parallel: fc.constantFrom('none', 'add', 'concat'),
    pool: fc.constantFrom(...(o.smooth ? ['none', 'avgpool'] : ['none', 'avgpool', 'maxpool'])),
    poolStride: fc.integer({ min: 1, max: 2 }),
    headKind: fc.constantFrom('flatten', 'dense-on-channels', 'globalavgpool'),
    loss,
    outputs: fc.integer({ min: 2, max: 3 }),
  }).map((r) => {
    // plain: one group over c = cPerGroup channels; grouped: r.groups groups of 2 channels;
    // depthwise: groups = input channels (one channel per group).
    const c = r.convMode === 'plain' ? r.cPerGroup : r.convMode === 'grouped' ? 2 * r.groups : r.groups * r.cPerGroup;
    const groups = r.convMode === 'plain' ? 1 : r.convMode === 'grouped' ? r.groups : c;
    const filters = groups * r.filtersPerGroup;
    const kernel = r.padding === 'valid' ? Math.min(r.kernel, r.h, r.w) : r.kernel;
    const conv = { type: 'conv2d', filters, kernel, stride: r.stride, padding: r.padding, activation: r.norm !== 'none' ? 'linear' : r.activation, bias: r.bias, groups };
    const layers: LayerInput[] = [conv];
    const norm = (ch: number): LayerInput[] => (r.norm === 'batchnorm' ? [{ type: 'batchnorm', epsilon: 0.001 }] : r.norm === 'groupnorm' ? [{ type: 'groupnorm', groups: ch % 2 === 0 ? 2 : 1 }] : []);
    if (r.norm !== 'none') layers.push(...norm(filters), { type: 'activation', activation: r.activation });
    const out = (n: number) => (r.padding === 'same' ? Math.ceil(n / r.stride) : Math.floor((n - kernel) / r.stride) + 1);
    let [ho, wo] = [out(r.h), out(r.w)];
    const ch = filters;
    if (r.residual === 'identity') {
      layers.push({ type: 'residual', layers: [{ type: 'conv2d', filters: ch, kernel: 3, stride: 1, padding: 'same', activation: r.activation, bias: true }, ...norm(ch)] });
    } else if (r.residual === 'projection') {
      // The block halves the map (stride 2) and changes the channels; a 1×1 stride-2 conv projects x.
      const f2 = ch + 1;
      layers.push({
        type: 'residual',
        layers: [{ type: 'conv2d', filters: f2, kernel: 3, stride: 2, padding: 'same', activation: r.activation, bias: r.bias }, ...norm(f2)],
        shortcut: [{ type: 'conv2d', filters: f2, kernel: 1, stride: 2, padding: 'same', bias: !r.bias }, ...norm(f2)],
      });
      [ho, wo] = [Math.ceil(ho / 2), Math.ceil(wo / 2)];
    }
    const chNow = r.residual === 'projection' ? ch + 1 : ch;
    if (r.parallel === 'add') {
      // Three branches summed: a 3×3 conv (+ norm), the identity, a 1×1 conv.
      layers.push({ type: 'parallel', merge: 'add', branches: [
        [{ type: 'conv2d', filters: chNow, kernel: 3, padding: 'same', activation: r.activation }, ...norm(chNow)], [], [{ type: 'conv2d', filters: chNow, kernel: 1, bias: false }]] });
    } else if (r.parallel === 'concat') {
      // Inception/DenseNet style: the input, a 1×1 conv and a 3×3 conv side by side (channels add up).
      layers.push({ type: 'parallel', merge: 'concat', branches: [[], [{ type: 'conv2d', filters: 2, kernel: 1, activation: r.activation }], [{ type: 'conv2d', filters: 1, kernel: 3, padding: 'same' }]] });
    }
    if (r.pool === 'avgpool') layers.push({ type: 'avgpool', size: ho >= 2 && wo >= 2 ? 2 : 1 });
    if (r.pool === 'maxpool' && ho >= 2 && wo >= 2) layers.push({ type: 'maxpool', size: 2, stride: r.poolStride });
    if (r.headKind === 'globalavgpool') layers.push({ type: 'globalavgpool' });
    else if (r.headKind === 'dense-on-channels') layers.push({ type: 'dense', units: 2, activation: r.activation }, { type: 'flatten' });
    else layers.push({ type: 'flatten' });
    layers.push(...head(r.loss, r.outputs, 'linear'));
    return validateSpec({ input: [r.h, r.w, c], layers, loss: r.loss });
  });
}

/**
 * A random small sequence model: token ids [T] → embedding, or float inputs [T, d]; one or two
 * blocks (pre-LN attention or MLP residual blocks, or bare attention / dense / layernorm); then
 * globalavgpool → dense, a dense per position ([T, C] output), or (with an embedding) a dense tied
 * to the table.
 */
export function seqSpecArb(o: ArchOptions = {}): fc.Arbitrary<ModelSpec> {
  const a = o.smooth ? smoothAct : act;
  return fc.record({
    t: fc.integer({ min: 1, max: 4 }),
    headsAndDim: fc.constantFrom([1, 2], [1, 3], [2, 2], [2, 4], [3, 3]),
    embed: fc.constantFrom(true, true, false),
    vocab: fc.integer({ min: 2, max: 6 }),
    blocks: fc.array(fc.record({
      kind: fc.constantFrom('attn-block', 'mlp-block', 'attention', 'dense', 'layernorm'),
      causal: fc.boolean(),
      activation: a,
    }), { minLength: 1, maxLength: 2 }),
    headKind: fc.constantFrom('pool', 'per-position', 'tied', 'tied'),
    loss,
    outputs: fc.integer({ min: 2, max: 3 }),
  }).map((r) => {
    const [heads, d] = r.headsAndDim as [number, number];
    const layers: LayerInput[] = r.embed ? [{ type: 'embedding', vocab: r.vocab, dim: d }] : [];
    for (const b of r.blocks) {
      const attention = { type: 'attention', heads, causal: b.causal };
      if (b.kind === 'attn-block') layers.push({ type: 'residual', layers: [{ type: 'layernorm' }, attention] });
      else if (b.kind === 'mlp-block') layers.push({ type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 2 * d, activation: b.activation }, { type: 'dense', units: d }] });
      else if (b.kind === 'attention') layers.push(attention);
      else if (b.kind === 'dense') layers.push({ type: 'dense', units: d, activation: b.activation });
      else layers.push({ type: 'layernorm', epsilon: 1e-3 });
    }
    let l = r.loss;
    if (r.headKind === 'tied' && r.embed) {
      // A language-model head: per-position logits over the vocab, tied to the input table.
      layers.push({ type: 'layernorm' }, { type: 'dense', units: r.vocab, tied: 'layers.0.table', bias: true });
      l = 'softmax-xent';
    } else if (r.headKind === 'pool' || l === 'logistic') {
      layers.push({ type: 'globalavgpool' }, ...head(l, r.outputs, 'linear'));
    } else {
      layers.push({ type: 'dense', units: r.outputs });
    }
    return validateSpec({ input: r.embed ? [r.t] : [r.t, d], layers, loss: l });
  });
}

/** Any family (cnn and seq weighted up: they hold most of the kinds). */
export function specArb(o: ArchOptions = {}): fc.Arbitrary<ModelSpec> {
  return fc.oneof({ arbitrary: mlpSpecArb(o), weight: 1 }, { arbitrary: cnnSpecArb(o), weight: 2 }, { arbitrary: seqSpecArb(o), weight: 2 });
}

/**
 * Random weights: kernels and embedding tables N(0, 1/fan_in) (tables: fan-in 1), biases and
 * normalization gamma/beta/mean non-trivial (so that their gradients are exercised), variances in
 * [0.5, 1.5].
 */
export function randomWeights(spec: ModelSpec, seed: number): Weights {
  const rng = new Rng(seed);
  const w: Weights = new Map();
  for (const p of paramSpecs(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (p.init === 'kernel') data[i] = rng.normal() / Math.sqrt(p.fanIn);
      else if (p.role === 'variance') data[i] = 0.5 + rng.uniform();
      else if (p.role === 'gamma') data[i] = 1 + 0.3 * rng.normal();
      else data[i] = 0.3 * rng.normal();
    }
    w.set(p.name, { shape: p.shape, data });
  }
  return w;
}

/**
 * Random inputs [n, ...input] — N(0, 1), or uniform token ids for a model that starts with an
 * embedding — and valid targets for the spec's loss (one per position for [T, C] outputs), as
 * plain arrays; targets are [n, K] with K = prod(output shape).
 */
export function randomData(spec: ModelSpec, n: number, seed: number): { x: Float32Array; xShape: number[]; y: Float32Array; yShape: number[] } {
  const rng = new Rng(seed);
  const per = spec.input.reduce((a, b) => a * b, 1);
  const first = spec.layers[0]!;
  const x = first.type === 'embedding'
    ? Float32Array.from({ length: n * per }, () => rng.int(first.vocab))
    : Float32Array.from({ length: n * per }, () => rng.normal());
  const out = outputShape(spec);
  const k = out[out.length - 1]!;
  const total = out.reduce((a, b) => a * b, 1);
  let y: Float32Array;
  if (spec.loss === 'mse') y = Float32Array.from({ length: n * total }, () => rng.normal());
  else if (spec.loss === 'logistic') y = Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));
  else {
    y = new Float32Array(n * total);
    for (let i = 0; i < n * (total / k); i++) y[i * k + rng.int(k)] = 1;
  }
  return { x, xShape: [n, ...spec.input], y, yShape: [n, total] };
}

/**
 * The features a spec exercises, for coverage checks of the properties: every layer type, plus
 * `gelu`, `grouped-conv`, `depthwise-conv`, `projection-shortcut`, `causal-attention`,
 * `tied-dense`, `dense-on-rank-2+`, `per-position-output`.
 */
export function specFeatures(spec: ModelSpec): Set<string> {
  const out = new Set<string>();
  for (const s of layerSites(spec)) {
    const l = s.layer;
    out.add(l.type);
    if ('activation' in l && l.activation === 'gelu') out.add('gelu');
    if (l.type === 'conv2d' && l.groups > 1) out.add(l.groups === s.inShape[2] ? 'depthwise-conv' : 'grouped-conv');
    if (l.type === 'residual' && l.shortcut) out.add('projection-shortcut');
    if (l.type === 'parallel') out.add(`parallel-${l.merge}`);
    if (l.type === 'attention' && l.causal) out.add('causal-attention');
    if (l.type === 'dense' && l.tied !== undefined) out.add('tied-dense');
    if (l.type === 'dense' && s.inShape.length >= 2) out.add('dense-on-rank-2+');
  }
  if (outputShape(spec).length === 2) out.add('per-position-output');
  return out;
}

/** Every feature `specFeatures` can report. */
export const SPEC_FEATURES: readonly string[] = [
  ...LAYER_TYPES, 'gelu', 'grouped-conv', 'depthwise-conv', 'projection-shortcut', 'causal-attention', 'tied-dense', 'dense-on-rank-2+', 'per-position-output',
  'parallel-add', 'parallel-concat',
];
