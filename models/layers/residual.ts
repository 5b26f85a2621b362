/**
 * `{"type": "residual", "layers": [...], "shortcut"?: [...]}`: output = block(x) + shortcut(x),
 * both applied to the block's input x; without `shortcut` the skip path is the identity (then the
 * block must keep the shape). A projection shortcut (e.g. a 1×1 conv with stride 2, then batch
 * norm) lets a block change the shape; its output shape must equal the block's. No activation
 * after the sum. Nested weights are named `layers.<i>.layers.<j>.…` and `layers.<i>.shortcut.<j>.…`.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { fail, shapeText } from './fields.ts';

export interface ResidualLayer<L = { type: string }> { type: 'residual'; layers: L[]; shortcut?: L[] }

const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

export const residualKind: LayerKind<ResidualLayer> = {
  type: 'residual',
  fields: ['layers', 'shortcut'],
  parse(o, path, layers) {
    if (!Array.isArray(o.layers) || o.layers.length === 0) fail(`${path}.layers`, 'must be a non-empty array of layers');
    const r: ResidualLayer = { type: 'residual', layers: layers(o.layers, 'layers') };
    if (o.shortcut !== undefined) {
      if (!Array.isArray(o.shortcut) || o.shortcut.length === 0) fail(`${path}.shortcut`, 'must be a non-empty array of layers (omit it for the identity)');
      r.shortcut = layers(o.shortcut, 'shortcut');
    }
    return r;
  },
  children: (l): Record<string, readonly { type: string }[]> => (l.shortcut ? { layers: l.layers, shortcut: l.shortcut } : { layers: l.layers }),
  outputShape(l, s, at, children) {
    const block = children.layers!;
    if (l.shortcut) {
      const sc = children.shortcut!;
      if (!same(sc, block)) fail(`${at.path}.shortcut`, `maps shape ${shapeText(s)} to ${shapeText(sc)} but the block gives ${shapeText(block)}; the two must match`);
    } else if (!same(block, s)) {
      fail(at.path, `(residual) block maps shape ${shapeText(s)} to ${shapeText(block)}; input and output shapes must match (or add a "shortcut")`);
    }
    return block;
  },
  params: () => [],
  forward(l, x, ctx) {
    const block = ctx.run('layers', l.layers, x);
    return tf.add(l.shortcut ? ctx.run('shortcut', l.shortcut, x) : x, block);
  },
};
