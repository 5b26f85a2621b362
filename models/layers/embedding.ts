/**
 * `{"type": "embedding", "vocab": V, "dim": D}`: token ids [T] → rows of the table, [T, D]
 * (PyTorch's `nn.Embedding(V, D)`). Parameter `table` [V, D] (gather primitive; initialized as a
 * kernel with fan-in 1 — a one-hot input — so Strategy 4.1's W_0 rule gives N(0, 1), PyTorch's
 * default). It must be the model's first layer: it takes the model's integer ids, given as
 * integral values in 0..V−1 (float .npy accepted); `checkTokenIds` validates data.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { fail, posInt, shapeText } from './fields.ts';
import { gather } from '../primitives.ts';
import { BadInputError } from '../../src/errors.ts';

export interface EmbeddingLayer { type: 'embedding'; vocab: number; dim: number }

export const embeddingKind: LayerKind<EmbeddingLayer> = {
  type: 'embedding',
  fields: ['vocab', 'dim'],
  parse: (o, path) => ({ type: 'embedding', vocab: posInt(o.vocab, `${path}.vocab`), dim: posInt(o.dim, `${path}.dim`) }),
  outputShape(l, s, at) {
    if (!at.first) fail(at.path, '(embedding) takes integer token ids: it must be the model\'s first layer (layers[0]), not fed by another layer\'s float output');
    if (s.length !== 1) fail(at.path, `(embedding) needs token ids [T] as the model input but gets shape ${shapeText(s)}`);
    return [s[0]!, l.dim];
  },
  params: (l) => [{ name: 'table', role: 'table', shape: [l.vocab, l.dim], init: 'kernel', fanIn: 1, fanOut: l.dim, trainable: true, primitive: 'gather' }],
  forward(_l, x, ctx) {
    const ids = x.dtype === 'int32' ? x : tf.cast(x, 'int32');
    return gather(ctx.param(ctx.p('table')), ids, ctx.p('table'), ctx.prim);
  },
};

/**
 * Check token ids for an embedding of `vocab` rows: every value integral and in 0..vocab−1.
 * `data` is row-major [n, T].
 * @throws BadInputError naming the example and position of the first bad id.
 */
export function checkTokenIds(data: ArrayLike<number>, t: number, vocab: number, source = 'inputs'): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const where = `example ${Math.floor(i / t)}, position ${i % t}`;
    if (!Number.isInteger(v)) throw new BadInputError(`${source}: token id ${v} at ${where} is not an integer (an embedding layer needs integer ids)`);
    if (v < 0 || v >= vocab) throw new BadInputError(`${source}: token id ${v} at ${where} is out of range 0..${vocab - 1} (vocab ${vocab})`);
  }
}
