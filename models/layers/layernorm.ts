/**
 * `{"type": "layernorm", "epsilon": 1e-5}`: layer normalization over the LAST axis of each
 * position (PyTorch's `nn.LayerNorm(d)`): x̂ = (x − mean)/√(var + ε) with the biased variance,
 * y = γ·x̂ + β. Parameters `gamma` [d] (scale) and `beta` [d] (shift). No batch statistics, so
 * per-example and minibatch modes agree.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { positive } from './fields.ts';
import { scale, shift } from '../primitives.ts';

export interface LayernormLayer { type: 'layernorm'; epsilon: number }

export const layernormKind: LayerKind<LayernormLayer> = {
  type: 'layernorm',
  fields: ['epsilon'],
  parse: (o, path) => ({ type: 'layernorm', epsilon: positive(o.epsilon, `${path}.epsilon`, 1e-5) }),
  outputShape: (_l, s) => s,
  params(_l, s) {
    const c = s[s.length - 1]!;
    return [
      { name: 'gamma', role: 'gamma', shape: [c], init: 'ones', fanIn: 0, fanOut: 0, trainable: true, primitive: 'scale' },
      { name: 'beta', role: 'beta', shape: [c], init: 'zeros', fanIn: 0, fanOut: 0, trainable: true, primitive: 'shift' },
    ];
  },
  forward(l, x, ctx) {
    const mom = tf.moments(x, x.rank - 1, true);
    const xhat = tf.div(tf.sub(x, mom.mean), tf.sqrt(tf.add(mom.variance, l.epsilon)));
    return shift(scale(xhat, ctx.param(ctx.p('gamma')), ctx.p('gamma'), ctx.prim), ctx.param(ctx.p('beta')), ctx.p('beta'), ctx.prim);
  },
};
