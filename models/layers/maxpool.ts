/**
 * `{"type": "maxpool", "size": k, "stride": k}`: k×k max pooling of [h, w, c] with the given
 * stride (default k), "valid" (floor), as PyTorch's `nn.MaxPool2d(k, stride)` with no padding.
 * The gradient goes to the window's first maximum (models/ops/maxpool.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { fail, posInt, shapeText } from './fields.ts';
import { maxPool } from '../ops/maxpool.ts';

export interface MaxpoolLayer { type: 'maxpool'; size: number; stride: number }

export const maxpoolKind: LayerKind<MaxpoolLayer> = {
  type: 'maxpool',
  fields: ['size', 'stride'],
  parse(o, path) {
    const size = posInt(o.size, `${path}.size`);
    return { type: 'maxpool', size, stride: posInt(o.stride, `${path}.stride`, size) };
  },
  outputShape(l, s, at) {
    if (s.length !== 3) fail(at.path, `(maxpool) needs an [h, w, c] input but gets shape ${shapeText(s)}`);
    const [h, w, c] = s as [number, number, number];
    if (l.size > h || l.size > w) fail(`${at.path}.size`, `(${l.size}) is larger than the ${h}x${w} input`);
    return [Math.floor((h - l.size) / l.stride) + 1, Math.floor((w - l.size) / l.stride) + 1, c];
  },
  params: () => [],
  forward: (l, x) => maxPool(x as tf.Tensor4D, l.size, l.stride),
};
