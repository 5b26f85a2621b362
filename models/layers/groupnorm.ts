/**
 * `{"type": "groupnorm", "groups": G, "epsilon": 1e-5}`: group normalization (PyTorch's
 * `nn.GroupNorm(G, c)`) of an input [..., c] (images [h, w, c]): the c channels form G contiguous
 * groups; each example's group is normalized over all its positions and its c/G channels
 * (biased variance), then y = γ·x̂ + β per channel. Parameters `gamma` [c] (scale) and `beta`
 * [c] (shift). G must divide c.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { fail, positive, posInt } from './fields.ts';
import { scale, shift } from '../primitives.ts';

export interface GroupnormLayer { type: 'groupnorm'; groups: number; epsilon: number }

export const groupnormKind: LayerKind<GroupnormLayer> = {
  type: 'groupnorm',
  fields: ['groups', 'epsilon'],
  parse: (o, path) => ({ type: 'groupnorm', groups: posInt(o.groups, `${path}.groups`), epsilon: positive(o.epsilon, `${path}.epsilon`, 1e-5) }),
  outputShape(l, s, at) {
    const c = s[s.length - 1]!;
    if (c % l.groups !== 0) fail(`${at.path}.groups`, `(${l.groups}) must divide the channels (${c}, the input's last axis)`);
    return s;
  },
  params(_l, s) {
    const c = s[s.length - 1]!;
    return [
      { name: 'gamma', role: 'gamma', shape: [c], init: 'ones', fanIn: 0, fanOut: 0, trainable: true, primitive: 'scale' },
      { name: 'beta', role: 'beta', shape: [c], init: 'zeros', fanIn: 0, fanOut: 0, trainable: true, primitive: 'shift' },
    ];
  },
  forward(l, x, ctx) {
    const b = x.shape[0]!;
    const c = x.shape[x.rank - 1]!;
    const g = x.reshape([b, -1, l.groups, c / l.groups]); // [B, positions, G, c/G]
    const mom = tf.moments(g, [1, 3], true);
    const xhat = tf.div(tf.sub(g, mom.mean), tf.sqrt(tf.add(mom.variance, l.epsilon))).reshape(x.shape);
    return shift(scale(xhat, ctx.param(ctx.p('gamma')), ctx.p('gamma'), ctx.prim), ctx.param(ctx.p('beta')), ctx.p('beta'), ctx.prim);
  },
};
