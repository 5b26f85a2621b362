/**
 * `{"type": "dense", "units": n, "activation": a = "linear", "bias": true, "tied"?: "layers.0.table"}`:
 * y = s(x·W + b) on the LAST axis of an input of any rank ([d] → [n], [T, d] → [T, n], images
 * [h, w, c] → [h, w, n]). Parameters `kernel` [in, units] (matmul) and `bias` [units] (shift).
 * With `tied`, the kernel is that embedding table transposed (GPT-style tied input/output
 * embeddings: y = x·tableᵀ + b): no kernel of its own; units must equal the table's vocab and the
 * input's last axis its dim (checked by models/spec.ts, which sees the whole model).
 */
import type { LayerKind } from './kind.ts';
import { ACTIVATIONS, activate, type Activation } from './activation.ts';
import { bool, fail, oneOf, optString, posInt } from './fields.ts';
import { linear } from '../primitives.ts';

export interface DenseLayer { type: 'dense'; units: number; activation: Activation; bias: boolean; tied?: string }

export const denseKind: LayerKind<DenseLayer> = {
  type: 'dense',
  fields: ['units', 'activation', 'bias', 'tied'],
  parse(o, path) {
    const l: DenseLayer = {
      type: 'dense',
      units: posInt(o.units, `${path}.units`),
      activation: oneOf(o.activation, ACTIVATIONS, `${path}.activation`, 'linear'),
      bias: bool(o.bias, `${path}.bias`, true),
    };
    const tied = optString(o.tied, `${path}.tied`);
    if (tied !== undefined) l.tied = tied;
    return l;
  },
  outputShape(l, s, at) {
    if (s.length < 1) fail(at.path, '(dense) needs an input with at least one axis');
    return [...s.slice(0, -1), l.units];
  },
  params(l, s) {
    const inDim = s[s.length - 1]!;
    return [
      ...(l.tied === undefined ? [{ name: 'kernel', role: 'kernel' as const, shape: [inDim, l.units], init: 'kernel' as const, fanIn: inDim, fanOut: l.units, trainable: true, primitive: 'matmul' as const }] : []),
      ...(l.bias ? [{ name: 'bias', role: 'bias' as const, shape: [l.units], init: 'zeros' as const, fanIn: inDim, fanOut: l.units, trainable: true, primitive: 'shift' as const }] : []),
    ];
  },
  forward(l, x, ctx) {
    const kernel = l.tied ?? ctx.p('kernel');
    const bias = l.bias ? ctx.param(ctx.p('bias')) : undefined;
    const z = linear(x, ctx.param(kernel), kernel, bias, ctx.p('bias'), { ...ctx.prim, transposed: l.tied !== undefined });
    return activate(z, l.activation);
  },
};
