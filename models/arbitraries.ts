/**
 * fast-check arbitraries of small random architectures (valid specs) and random weights, for the
 * probe's properties. Architectures mix every layer type of the spec: dense, conv2d (both
 * paddings, stride 1–2), batchnorm, residual blocks, avgpool, flatten, activation; every loss.
 */
import fc from 'fast-check';
import type { Activation, Layer, Loss, ModelSpec } from './spec.ts';
import { paramSpecs, validateSpec } from './spec.ts';
import type { Weights } from './weights.ts';
import { Rng } from '../src/rng.ts';

const act = fc.constantFrom<Activation>('tanh', 'relu', 'sigmoid', 'linear');
const smoothAct = fc.constantFrom<Activation>('tanh', 'sigmoid', 'linear');
const loss = fc.constantFrom<Loss>('mse', 'logistic', 'softmax-xent');

function head(l: Loss, outputs: number, a: Activation): Layer[] {
  return [{ type: 'dense', units: l === 'logistic' ? 1 : outputs, activation: a, bias: true }];
}

/** Options: `smooth` restricts activations to C¹ ones (for finite differences). */
export interface ArchOptions { smooth?: boolean; maxWidth?: number }

/** A random MLP spec (1–3 dense layers). */
export function mlpSpecArb(o: ArchOptions = {}): fc.Arbitrary<ModelSpec> {
  const a = o.smooth ? smoothAct : act;
  const w = o.maxWidth ?? 6;
  return fc.record({
    d: fc.integer({ min: 1, max: 6 }),
    hidden: fc.array(fc.record({ units: fc.integer({ min: 1, max: w }), activation: a, bias: fc.boolean() }), { minLength: 0, maxLength: 2 }),
    loss,
    outputs: fc.integer({ min: 2, max: 4 }),
    outAct: a,
  }).map(({ d, hidden, loss: l, outputs, outAct }) => validateSpec({
    input: [d],
    layers: [...hidden.map((h) => ({ type: 'dense', ...h })), ...head(l, outputs, outAct)],
    loss: l,
  }));
}

/** A random small CNN spec: conv layers (optionally batch norm, a residual block, avgpool), then dense. */
export function cnnSpecArb(o: ArchOptions = {}): fc.Arbitrary<ModelSpec> {
  const a = o.smooth ? smoothAct : act;
  return fc.record({
    h: fc.integer({ min: 3, max: 7 }),
    w: fc.integer({ min: 3, max: 7 }),
    c: fc.integer({ min: 1, max: 3 }),
    filters: fc.integer({ min: 1, max: 4 }),
    kernel: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
    activation: a,
    bias: fc.boolean(),
    bn: fc.boolean(),
    residual: fc.boolean(),
    pool: fc.boolean(),
    loss,
    outputs: fc.integer({ min: 2, max: 3 }),
  }).map((r) => {
    const kernel = r.padding === 'valid' ? Math.min(r.kernel, r.h, r.w) : r.kernel;
    const layers: Layer[] = [{ type: 'conv2d', filters: r.filters, kernel, stride: r.stride, padding: r.padding, activation: r.bn ? 'linear' : r.activation, bias: r.bias }];
    if (r.bn) layers.push({ type: 'batchnorm', epsilon: 0.001 }, { type: 'activation', activation: r.activation });
    if (r.residual) {
      layers.push({ type: 'residual', layers: [
        { type: 'conv2d', filters: r.filters, kernel: 3, stride: 1, padding: 'same', activation: r.activation, bias: true },
        ...(r.bn ? [{ type: 'batchnorm', epsilon: 0.001 } as Layer] : []),
      ] });
    }
    const out = (n: number) => (r.padding === 'same' ? Math.ceil(n / r.stride) : Math.floor((n - kernel) / r.stride) + 1);
    if (r.pool) layers.push({ type: 'avgpool', size: out(r.h) >= 2 && out(r.w) >= 2 ? 2 : 1 });
    layers.push({ type: 'flatten' }, ...head(r.loss, r.outputs, 'linear'));
    return validateSpec({ input: [r.h, r.w, r.c], layers, loss: r.loss });
  });
}

/** Either family. */
export function specArb(o: ArchOptions = {}): fc.Arbitrary<ModelSpec> {
  return fc.oneof(mlpSpecArb(o), cnnSpecArb(o));
}

/**
 * Random weights: kernels N(0, 1/fan_in), biases and batch-norm gamma/beta/mean non-trivial
 * (so that their gradients are exercised), variances in [0.5, 1.5].
 */
export function randomWeights(spec: ModelSpec, seed: number): Weights {
  const rng = new Rng(seed);
  const w: Weights = new Map();
  for (const p of paramSpecs(spec)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (p.role === 'kernel') data[i] = rng.normal() / Math.sqrt(p.fanIn);
      else if (p.role === 'variance') data[i] = 0.5 + rng.uniform();
      else if (p.role === 'gamma') data[i] = 1 + 0.3 * rng.normal();
      else data[i] = 0.3 * rng.normal();
    }
    w.set(p.name, { shape: p.shape, data });
  }
  return w;
}

/** Random inputs [n, ...input] (N(0,1)) and valid targets for the spec's loss, as plain arrays. */
export function randomData(spec: ModelSpec, n: number, seed: number): { x: Float32Array; xShape: number[]; y: Float32Array; yShape: number[] } {
  const rng = new Rng(seed);
  const per = spec.input.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: n * per }, () => rng.normal());
  const last = spec.layers[spec.layers.length - 1]!;
  const k = last.type === 'dense' ? last.units : 1;
  let y: Float32Array;
  if (spec.loss === 'mse') y = Float32Array.from({ length: n * k }, () => rng.normal());
  else if (spec.loss === 'logistic') y = Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));
  else {
    y = new Float32Array(n * k);
    for (let i = 0; i < n; i++) y[i * k + rng.int(k)] = 1;
  }
  return { x, xShape: [n, ...spec.input], y, yShape: [n, k] };
}
