/**
 * `{"type": "parallel", "merge": "add" | "concat", "branches": [[...], [...], ...]}`: every
 * branch (a layer sequence; `[]` is the identity) is applied to the layer's input x, and the
 * outputs are merged — `add`: summed (all branches give the same shape); `concat`: concatenated
 * along the last axis (channels for [h, w, c], features for [T, d]; all other axes equal). At
 * least two branches; no activation after the merge. This is how a tfjs-layers functional model
 * with Add / Concatenate merges is expressed (models/series-parallel.ts, models/from-tfjs.ts);
 * `residual` is the special case add of [block] and [shortcut or identity]. Nested weights are
 * named `layers.<i>.branches.<j>.<k>.…` (branch j, its layer k).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { fail, oneOf, shapeText } from './fields.ts';

export const MERGES = ['add', 'concat'] as const;

export interface ParallelLayer<L = { type: string }> { type: 'parallel'; merge: (typeof MERGES)[number]; branches: L[][] }

const field = (j: number) => `branches.${j}`;

export const parallelKind: LayerKind<ParallelLayer> = {
  type: 'parallel',
  fields: ['merge', 'branches'],
  parse(o, path, layers) {
    const merge = oneOf(o.merge, MERGES, `${path}.merge`);
    if (!Array.isArray(o.branches) || o.branches.length < 2) fail(`${path}.branches`, 'must be an array of at least two layer sequences ([] for the identity)');
    const branches = o.branches.map((b, j) => {
      if (!Array.isArray(b)) fail(`${path}.${field(j)}`, 'must be an array of layers ([] for the identity)');
      return layers(b, field(j));
    });
    return { type: 'parallel', merge, branches };
  },
  children: (l) => Object.fromEntries(l.branches.map((b, j) => [field(j), b])),
  outputShape(l, s, at, children) {
    const outs = l.branches.map((_, j) => children[field(j)]!);
    const first = outs[0]!;
    outs.forEach((o, j) => {
      const same = l.merge === 'add'
        ? o.length === first.length && o.every((v, i) => v === first[i])
        : o.length === first.length && o.every((v, i) => i === o.length - 1 || v === first[i]);
      if (!same) {
        fail(`${at.path}.${field(j)}`, l.merge === 'add'
          ? `maps shape ${shapeText(s)} to ${shapeText(o)} but branch 0 gives ${shapeText(first)}; "add" needs equal shapes`
          : `maps shape ${shapeText(s)} to ${shapeText(o)} but branch 0 gives ${shapeText(first)}; "concat" needs equal shapes except the last axis`);
      }
    });
    return l.merge === 'add' ? first : [...first.slice(0, -1), outs.reduce((a, o) => a + o[o.length - 1]!, 0)];
  },
  params: () => [],
  forward(l, x, ctx) {
    const outs = l.branches.map((b, j) => ctx.run(field(j), b, x));
    if (l.merge === 'concat') return tf.concat(outs, -1);
    return outs.slice(1).reduce((a, o) => tf.add(a, o), outs[0]!);
  },
};
