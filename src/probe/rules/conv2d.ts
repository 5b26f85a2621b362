/**
 * conv2d rule. Shapes: U = patches of the input [B, T, k] (T = Ho·Wo output positions,
 * k = kh·kw·cin, see models/build.ts convPatches), D = delta [B, T, cout]. The per-example kernel
 * gradient is g_i = U_iᵀ D_i [k, cout] (bias: Σ_t D_i[t]).
 *   ghost:       <g_i, g_j> = Σ_{p,q} (U_i U_jᵀ)_{pq} (D_i D_jᵀ)_{pq}      ~ B²T²(k + cout)
 *   materialize: s_a = U_aᵀ D_a (a group's positions stacked), G = S Sᵀ    ~ B·T·k·cout + K²·k·cout
 * 'auto' picks the cheaper; the ghost form is evaluated in row chunks so that no intermediate
 * exceeds GHOST_CHUNK_ENTRIES floats.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerRule, RuleContext } from './rule.ts';
import { groupGram, groupOuterSums, groupRows, outer } from './blocks.ts';
import { convPatches, convPatchesStacked } from '../../../models/build.ts';
import type { Conv2dLayer } from '../../../models/spec.ts';

/**
 * wasm: the group sums s_a = Σ_{i∈a} U_iᵀ D_i as [K, k·cout] through ONE depthwise convolution
 * (as in blocks.ts groupOuterSums: channels = (kernel offset, cin), a 1×R kernel per group),
 * fed from kernel-offset-first patches so that no channel-interleaving concat is needed.
 */
function materializeWasm(x: tf.Tensor4D, d: tf.Tensor3D, layer: Conv2dLayer, groups: number): tf.Tensor2D {
  const [b, t, cout] = d.shape;
  const cin = x.shape[3];
  const kk = layer.kernel * layer.kernel;
  const r = (b / groups) * t;
  const stacked = convPatchesStacked(x, layer.kernel, layer.stride, layer.padding); // [kk, B, Ho, Wo, cin]
  const inp = tf.transpose(stacked.reshape([kk, groups, r, cin]), [0, 3, 2, 1]).reshape([kk * cin, 1, r, groups]) as tf.Tensor4D;
  const filt = tf.transpose(d.reshape([groups, r, cout]), [1, 0, 2]).reshape([1, r, groups, cout]) as tf.Tensor4D;
  const o = tf.depthwiseConv2d(inp, filt, 1, 'valid'); // [kk·cin, 1, 1, groups·cout]
  return tf.transpose(o.reshape([kk * cin, groups, cout]), [1, 0, 2]).reshape([groups, kk * cin * cout]) as tf.Tensor2D;
}

const GHOST_CHUNK_ENTRIES = 1 << 24;

function dims(ctx: RuleContext) {
  const layer = ctx.record.layer;
  if (layer.type !== 'conv2d') throw new Error('conv2d rule applied to a non-conv layer');
  const [b, ho, wo, cout] = ctx.delta.shape as [number, number, number, number];
  const cin = ctx.record.input.shape[3]!;
  const k = layer.kernel * layer.kernel * cin;
  return { layer, b, t: ho * wo, k, cout, groups: ctx.groups };
}

export const conv2dRule: LayerRule = {
  cost(ctx) {
    const { b, t, k, cout, groups } = dims(ctx);
    return { ghost: b * b * t * t * (k + cout), materialize: b * t * k * cout + groups * groups * k * cout };
  },
  gram(ctx) {
    const { layer, b, t, k, cout, groups } = dims(ctx);
    const c = this.cost!(ctx);
    const ghost = ctx.strategy === 'ghost' || (ctx.strategy === 'auto' && c.ghost <= c.materialize);
    return tf.tidy(() => {
      const u = () => convPatches(ctx.record.input as tf.Tensor4D, layer.kernel, layer.stride, layer.padding).reshape([b, t, k]);
      const d = ctx.delta.reshape([b, t, cout]);
      let g: tf.Tensor2D;
      if (ghost) {
        const u2 = u().reshape([b * t, k]) as tf.Tensor2D;
        const d2 = d.reshape([b * t, cout]) as tf.Tensor2D;
        const rows = Math.max(1, Math.floor(GHOST_CHUNK_ENTRIES / (t * b * t)));
        const u2t = tf.transpose(u2);
        const d2t = tf.transpose(d2);
        const parts: tf.Tensor2D[] = [];
        for (let r0 = 0; r0 < b; r0 += rows) {
          const r = Math.min(rows, b - r0);
          parts.push(tf.tidy(() => {
            const ur = u2.slice([r0 * t, 0], [r * t, k]);
            const dr = d2.slice([r0 * t, 0], [r * t, cout]);
            const p = tf.mul(tf.matMul(ur, u2t), tf.matMul(dr, d2t));
            return tf.sum(p.reshape([r, t, b, t]), [1, 3]) as tf.Tensor2D;
          }));
        }
        g = groupGram(parts.length === 1 ? parts[0]! : tf.concat(parts, 0), groups);
      } else if (tf.getBackend() === 'wasm' && groups > 1) {
        g = outer(materializeWasm(ctx.record.input as tf.Tensor4D, d as tf.Tensor3D, layer, groups));
      } else {
        const m = b / groups;
        const s = groupOuterSums(u().reshape([groups, m * t, k]), d.reshape([groups, m * t, cout])).reshape([groups, k * cout]) as tf.Tensor2D;
        g = outer(s);
      }
      if (layer.bias) g = tf.add(g, outer(groupRows(tf.sum(d, 1), groups) as tf.Tensor2D));
      return g;
    });
  },
};
