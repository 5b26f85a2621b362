/**
 * `{"type": "globalavgpool"}`: the mean over every axis but the last ([h, w, c] → [c],
 * sequences [T, d] → [d]).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { fail, shapeText } from './fields.ts';

export interface GlobalavgpoolLayer { type: 'globalavgpool' }

export const globalavgpoolKind: LayerKind<GlobalavgpoolLayer> = {
  type: 'globalavgpool',
  fields: [],
  parse: () => ({ type: 'globalavgpool' }),
  outputShape(_l, s, at) {
    if (s.length < 2) fail(at.path, `(globalavgpool) needs an input with at least two axes ([h, w, c] or [T, d]) but gets shape ${shapeText(s)}`);
    return [s[s.length - 1]!];
  },
  params: () => [],
  forward: (_l, x) => tf.mean(x, Array.from({ length: x.rank - 2 }, (_, i) => i + 1)),
};
