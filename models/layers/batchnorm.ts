/**
 * `{"type": "batchnorm", "epsilon": 0.001}`: batch normalization over the LAST axis,
 * y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε). Parameters `gamma` (scale), `beta` (shift) and the
 * stored statistics `mean`, `variance` (not trainable). bnMode 'stored' uses the stored
 * statistics (inference; per-example gradients are well defined); 'batch' uses the statistics
 * of each contiguous group of `groupSize` examples over the batch and every axis but the last
 * (training mode, the paper's minibatch protocol; biased variance, as TensorFlow).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { positive } from './fields.ts';
import { scale, shift } from '../primitives.ts';

export interface BatchnormLayer { type: 'batchnorm'; epsilon: number }

export const batchnormKind: LayerKind<BatchnormLayer> = {
  type: 'batchnorm',
  fields: ['epsilon'],
  parse: (o, path) => ({ type: 'batchnorm', epsilon: positive(o.epsilon, `${path}.epsilon`, 0.001) }),
  outputShape: (_l, s) => s,
  params(_l, s) {
    const c = s[s.length - 1]!;
    const p = (name: 'gamma' | 'beta' | 'mean' | 'variance', init: 'ones' | 'zeros', primitive: 'scale' | 'shift' | null) =>
      ({ name, role: name, shape: [c], init, fanIn: 0, fanOut: 0, trainable: primitive !== null, primitive });
    return [p('gamma', 'ones', 'scale'), p('beta', 'zeros', 'shift'), p('mean', 'zeros', null), p('variance', 'ones', null)];
  },
  forward(l, x, ctx) {
    let xhat: tf.Tensor;
    if (ctx.bnMode === 'stored') {
      xhat = tf.div(tf.sub(x, ctx.param(ctx.p('mean'))), tf.sqrt(tf.add(ctx.param(ctx.p('variance')), l.epsilon)));
    } else {
      const b = x.shape[0]!;
      const m = ctx.groupSize ?? b;
      if (b % m !== 0) throw new Error(`batch of ${b} is not a multiple of the batch-norm group size ${m}`);
      const g = x.reshape([b / m, m, ...x.shape.slice(1)]);
      const axes = Array.from({ length: g.rank - 2 }, (_, i) => i + 1); // group members and spatial axes
      const mom = tf.moments(g, axes, true);
      xhat = tf.div(tf.sub(g, mom.mean), tf.sqrt(tf.add(mom.variance, l.epsilon))).reshape(x.shape);
    }
    return shift(scale(xhat, ctx.param(ctx.p('gamma')), ctx.p('gamma'), ctx.prim), ctx.param(ctx.p('beta')), ctx.p('beta'), ctx.prim);
  },
};
