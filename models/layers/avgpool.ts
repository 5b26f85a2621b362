/** `{"type": "avgpool", "size": k}`: k×k average pooling of [h, w, c], stride k, "valid" (floor). */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { fail, posInt, shapeText } from './fields.ts';

export interface AvgpoolLayer { type: 'avgpool'; size: number }

export const avgpoolKind: LayerKind<AvgpoolLayer> = {
  type: 'avgpool',
  fields: ['size'],
  parse: (o, path) => ({ type: 'avgpool', size: posInt(o.size, `${path}.size`) }),
  outputShape(l, s, at) {
    if (s.length !== 3) fail(at.path, `(avgpool) needs an [h, w, c] input but gets shape ${shapeText(s)}`);
    const [h, w, c] = s as [number, number, number];
    const ho = Math.floor(h / l.size);
    const wo = Math.floor(w / l.size);
    if (ho < 1 || wo < 1) fail(`${at.path}.size`, `(${l.size}) is larger than the ${h}x${w} input`);
    return [ho, wo, c];
  },
  params: () => [],
  forward: (l, x) => tf.avgPool(x as tf.Tensor4D, l.size, l.size, 'valid'),
};
