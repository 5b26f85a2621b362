/**
 * `{"type": "attention", "heads": h, "causal": false}`: multi-head scaled dot-product
 * self-attention over a sequence [T, d] — PyTorch's `nn.MultiheadAttention(d, h,
 * batch_first=True)` applied as attn(x, x, x), with its in-projection split in three:
 *
 *   q = x·Wq + bq, k = x·Wk + bk, v = x·Wv + bv          (each [T, d], split into h heads of d/h)
 *   A = softmax(q_h k_hᵀ / √(d/h) [+ causal mask: position t sees s ≤ t])
 *   y = concat_h(A v_h)·Wo + bo
 *
 * Parameters `query.kernel` [d, d], `query.bias` [d], and the same for `key`, `value`, `output`
 * (matmul and shift primitives on rank-3 inputs). In PyTorch terms: in_proj_weight =
 * [Wqᵀ; Wkᵀ; Wvᵀ], out_proj.weight = Woᵀ. h must divide d.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind, ParamDecl } from './kind.ts';
import { bool, fail, posInt, shapeText } from './fields.ts';
import { linear } from '../primitives.ts';

export interface AttentionLayer { type: 'attention'; heads: number; causal: boolean }

const PROJECTIONS = ['query', 'key', 'value', 'output'] as const;

export const attentionKind: LayerKind<AttentionLayer> = {
  type: 'attention',
  fields: ['heads', 'causal'],
  parse: (o, path) => ({ type: 'attention', heads: posInt(o.heads, `${path}.heads`), causal: bool(o.causal, `${path}.causal`, false) }),
  outputShape(l, s, at) {
    if (s.length !== 2) fail(at.path, `(attention) needs a sequence [T, d] but gets shape ${shapeText(s)}`);
    if (s[1]! % l.heads !== 0) fail(`${at.path}.heads`, `(${l.heads}) must divide the model width d = ${s[1]} (the input's last axis)`);
    return s;
  },
  params(_l, s) {
    const d = s[1]!;
    return PROJECTIONS.flatMap((p): ParamDecl[] => [
      { name: `${p}.kernel`, role: 'kernel', shape: [d, d], init: 'kernel', fanIn: d, fanOut: d, trainable: true, primitive: 'matmul' },
      { name: `${p}.bias`, role: 'bias', shape: [d], init: 'zeros', fanIn: d, fanOut: d, trainable: true, primitive: 'shift' },
    ]);
  },
  forward(l, x, ctx) {
    const [b, t, d] = x.shape as [number, number, number];
    const h = l.heads;
    const dh = d / h;
    const proj = (p: (typeof PROJECTIONS)[number], inp: tf.Tensor) =>
      linear(inp, ctx.param(ctx.p(`${p}.kernel`)), ctx.p(`${p}.kernel`), ctx.param(ctx.p(`${p}.bias`)), ctx.p(`${p}.bias`), ctx.prim);
    const heads = (z: tf.Tensor) => tf.transpose(z.reshape([b, t, h, dh]), [0, 2, 1, 3]).reshape([b * h, t, dh]) as tf.Tensor3D;
    const q = heads(tf.mul(proj('query', x), 1 / Math.sqrt(dh)));
    const k = heads(proj('key', x));
    const v = heads(proj('value', x));
    let scores: tf.Tensor = tf.matMul(q, tf.transpose(k, [0, 2, 1]));
    if (l.causal) {
      // −1e9 above the diagonal: exp underflows to exactly 0 in float32, as PyTorch's −inf mask.
      const mask = new Float32Array(t * t);
      for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) mask[i * t + j] = -1e9;
      scores = tf.add(scores, tf.tensor2d(mask, [t, t]));
    }
    const o = tf.matMul(tf.softmax(scores), v); // [B·h, T, dh]
    const merged = tf.transpose(o.reshape([b, h, t, dh]), [0, 2, 1, 3]).reshape([b, t, d]);
    return proj('output', merged);
  },
  probeFloats: (l, s) => 3 * l.heads * s[0]! * s[0]! + 6 * s[0]! * s[1]!,
};
