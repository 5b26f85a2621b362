/**
 * conv2d rule. Shapes: x [B, H, W, cin], δ [B, Ho, Wo, cout], kernel [kh, kw, cin/G, cout] with G
 * groups; U = patches of x [B, T, kh·kw·cin] (T = Ho·Wo, models/ops/conv2d.ts convPatches),
 * U^g / δ^g the patch channels / output channels of group g, k = kh·kw·cin/G. The per-example
 * kernel gradient of group g is g_i^g = U_i^gᵀ δ_i^g [k, cout/G]:
 *   ghost:       <g_i, g_j> = Σ_g Σ_{p,q} (U_i^g U_j^gᵀ)_{pq} (δ_i^g δ_j^gᵀ)_{pq}   ~ B²T²(k + cout/G)·G
 *   materialize: s_a = Σ_{i∈a} U_iᵀ δ_i per group, G = S Sᵀ                      ~ B·T·k·cout + K²·k·cout
 * 'auto' picks the cheaper; the ghost form is evaluated in row chunks (blocks.ts ghostSum).
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2dCall } from '../../../models/primitives.ts';
import type { PrimitiveRule, PrimitiveUse } from './rule.ts';
import { ghostSum, groupGram, groupOuterSums, outer, rowBlock } from './blocks.ts';
import { convPatches, convPatchesStacked } from '../../../models/ops/conv2d.ts';

function dims(u: PrimitiveUse<Conv2dCall>) {
  const [b, ho, wo, cout] = u.delta.shape as [number, number, number, number];
  const cin = u.call.input.shape[3];
  const g = u.call.groups;
  const kk = u.call.geometry.kh * u.call.geometry.kw;
  return { b, t: ho * wo, kk, cin, cout, g, cinG: cin / g, coutG: cout / g, k: kk * (cin / g) };
}

/**
 * wasm, ungrouped, K < B: the group sums s_a = Σ_{i∈a} U_iᵀ δ_i as [K, k·cout] through ONE
 * depthwise convolution (as blocks.ts groupOuterSums: channels = (kernel offset, cin), a 1×R
 * kernel per group), fed from kernel-offset-first patches so that no channel-interleaving concat
 * is needed.
 */
function materializeWasm(u: PrimitiveUse<Conv2dCall>, groups: number): tf.Tensor2D {
  const { b, t, kk, cin, cout } = dims(u);
  const r = (b / groups) * t;
  const stacked = convPatchesStacked(u.call.input, u.call.geometry); // [kk, B, Ho, Wo, cin]
  const inp = tf.transpose(stacked.reshape([kk, groups, r, cin]), [0, 3, 2, 1]).reshape([kk * cin, 1, r, groups]) as tf.Tensor4D;
  const filt = tf.transpose(u.delta.reshape([groups, r, cout]), [1, 0, 2]).reshape([1, r, groups, cout]) as tf.Tensor4D;
  const o = tf.depthwiseConv2d(inp, filt, 1, 'valid'); // [kk·cin, 1, 1, groups·cout]
  return tf.transpose(o.reshape([kk * cin, groups, cout]), [1, 0, 2]).reshape([groups, kk * cin * cout]) as tf.Tensor2D;
}

export const conv2dRule: PrimitiveRule<Conv2dCall> = {
  kind: 'conv2d',
  cost(u, groups) {
    const { b, t, k, cout, g, coutG } = dims(u);
    return { ghost: b * b * t * t * (k + coutG) * g, materialize: b * t * k * cout + groups * groups * k * cout };
  },
  gram(u, groups, form) {
    if (form === 'materialize') return tf.tidy(() => outer(this.materialize(u, groups)));
    const { b, t, kk, g, cinG, coutG } = dims(u);
    return tf.tidy(() => {
      const patches = convPatches(u.call.input, u.call.geometry).reshape([b * t, kk, g, cinG]);
      const d = u.delta.reshape([b * t, g, coutG]);
      let total: tf.Tensor2D | undefined;
      for (let q = 0; q < g; q++) {
        const uq = (g === 1 ? patches : tf.slice(patches, [0, 0, q, 0], [-1, -1, 1, -1])).reshape([b * t, kk * cinG]) as tf.Tensor2D;
        const dq = (g === 1 ? d : tf.slice(d, [0, q, 0], [-1, 1, -1])).reshape([b * t, coutG]) as tf.Tensor2D;
        const uqt = tf.transpose(uq);
        const dqt = tf.transpose(dq);
        const part = ghostSum(b, t, (r0, r) => rowBlock(uq, uqt, t, r0, r), (r0, r) => rowBlock(dq, dqt, t, r0, r));
        total = total ? tf.add(total, part) : part;
      }
      return groupGram(total!, groups);
    });
  },
  materialize(u, groups) {
    const { b, t, kk, cin, cout, g, cinG, coutG } = dims(u);
    return tf.tidy(() => {
      if (g === 1) {
        if (tf.getBackend() === 'wasm' && groups > 1) return materializeWasm(u, groups);
        const rows = (b / groups) * t;
        const patches = convPatches(u.call.input, u.call.geometry).reshape([groups, rows, kk * cin]) as tf.Tensor3D;
        return groupOuterSums(patches, u.delta.reshape([groups, rows, cout]) as tf.Tensor3D).reshape([groups, kk * cin * cout]) as tf.Tensor2D;
      }
      // Grouped: batch the (example group, conv group) pairs; back to the kernel layout
      // [kh, kw, cin/G, cout] with output channel q·cout/G + j.
      const rows = (b / groups) * t;
      const patches = tf.transpose(convPatches(u.call.input, u.call.geometry).reshape([groups, rows, kk, g, cinG]), [0, 3, 1, 2, 4])
        .reshape([groups * g, rows, kk * cinG]) as tf.Tensor3D;
      const d = tf.transpose(u.delta.reshape([groups, rows, g, coutG]), [0, 2, 1, 3]).reshape([groups * g, rows, coutG]) as tf.Tensor3D;
      const s = groupOuterSums(patches, d).reshape([groups, g, kk * cinG, coutG]);
      return tf.transpose(s, [0, 2, 1, 3]).reshape([groups, kk * cinG * cout]) as tf.Tensor2D;
    });
  },
};
