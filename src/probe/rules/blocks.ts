/** Building blocks shared by the rules. Shapes in the names: B = K·m examples, T positions. */
import * as tf from '@tensorflow/tfjs';

/** [B, ...rest] → [K, ...rest] summing each contiguous group of B/K rows. */
export function groupRows(t: tf.Tensor, groups: number): tf.Tensor {
  const b = t.shape[0]!;
  if (groups === b) return t;
  return tf.sum(t.reshape([groups, b / groups, ...t.shape.slice(1)]), 1);
}

/** S^T G S for the B×B Gram G and the group indicator S: [B, B] → [K, K]. */
export function groupGram(g: tf.Tensor2D, groups: number): tf.Tensor2D {
  const b = g.shape[0];
  if (groups === b) return g;
  const m = b / groups;
  return tf.sum(g.reshape([groups, m, groups, m]), [1, 3]) as tf.Tensor2D;
}

/**
 * M Mᵀ for M [K, P]. The explicit transpose is deliberate: on wasm, matMul with a transpose flag
 * misses XNNPACK's fast path (measured 43 ms vs 7 ms for [64, 18432]).
 */
export function outer(m: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(m, tf.transpose(m));
}

/**
 * Per-group sums of outer products: out[g] = Σ_r u[g, r, :] ⊗ d[g, r, :] = u[g]ᵀ d[g], for
 * u [G, R, k], d [G, R, c] → [G, k, c]. On wasm, batched matMul misses XNNPACK (≈1.7 GFLOP/s);
 * the same sums as ONE depthwise convolution — channels = groups, a 1×R "valid" kernel = d —
 * run 3× faster there (measured 45 vs 135 ms for G=64, R=196, k=288, c=64). Elsewhere: matMul.
 */
export function groupOuterSums(u: tf.Tensor3D, d: tf.Tensor3D): tf.Tensor3D {
  const [g, r, k] = u.shape;
  const c = d.shape[2];
  if (tf.getBackend() !== 'wasm' || g === 1) return tf.matMul(u, d, true, false);
  return tf.tidy(() => {
    const inp = tf.transpose(u, [2, 1, 0]).reshape([k, 1, r, g]) as tf.Tensor4D;
    const filt = tf.transpose(d, [1, 0, 2]).reshape([1, r, g, c]) as tf.Tensor4D;
    const o = tf.depthwiseConv2d(inp, filt, 1, 'valid');
    return tf.transpose(o.reshape([k, g, c]), [1, 0, 2]) as tf.Tensor3D;
  });
}

/** Most floats of one [rows·T, B·T] intermediate of the ghost form. */
export const GHOST_CHUNK_ENTRIES = 1 << 24;

/**
 * The ghost form G_ij = Σ_{t,s} L_(it),(js) · R_(it),(js) over positions, for B examples with T
 * positions each: `left(r0, r)` and `right(r0, r)` give the rows (examples r0..r0+r−1, all their
 * positions) of the two [B·T, B·T] position Grams (e.g. A Aᵀ and D Dᵀ). Evaluated in row chunks so
 * that no intermediate exceeds GHOST_CHUNK_ENTRIES floats. Returns [B, B].
 */
export function ghostSum(b: number, t: number, left: (r0: number, r: number) => tf.Tensor2D, right: (r0: number, r: number) => tf.Tensor2D): tf.Tensor2D {
  const rows = Math.max(1, Math.floor(GHOST_CHUNK_ENTRIES / (t * b * t)));
  const parts: tf.Tensor2D[] = [];
  for (let r0 = 0; r0 < b; r0 += rows) {
    const r = Math.min(rows, b - r0);
    parts.push(tf.tidy(() => {
      const p = tf.mul(left(r0, r), right(r0, r));
      return (t === 1 ? p : tf.sum(p.reshape([r, t, b, t]), [1, 3])) as tf.Tensor2D;
    }));
  }
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
}

/** Rows r0..r0+r−1 (examples, T positions each) of X [B·T, p] times Xᵀ (passed pre-transposed): [r·T, B·T]. */
export function rowBlock(x: tf.Tensor2D, xt: tf.Tensor2D, t: number, r0: number, r: number): tf.Tensor2D {
  return tf.matMul(x.slice([r0 * t, 0], [r * t, x.shape[1]]), xt);
}

/**
 * Per-example sums of t [B, ...S] over the axes a parameter of shape `pshape` is broadcast along
 * (numpy rules: pshape aligned to the trailing axes of S, size-1 or missing axes summed): [B, P].
 */
export function sumToParam(t: tf.Tensor, pshape: number[]): tf.Tensor2D {
  const b = t.shape[0]!;
  const s = t.shape.slice(1);
  const padded = [...new Array<number>(Math.max(0, s.length - pshape.length)).fill(1), ...pshape];
  if (padded.length !== s.length) throw new Error(`parameter shape [${pshape}] does not broadcast against [${s}]`);
  const axes: number[] = [];
  s.forEach((v, i) => {
    if (padded[i] === 1 && v !== 1) axes.push(i + 1);
    else if (padded[i] !== v) throw new Error(`parameter shape [${pshape}] does not broadcast against [${s}]`);
  });
  const size = pshape.reduce((a, c) => a * c, 1);
  return (axes.length ? tf.sum(t, axes) : t).reshape([b, size]) as tf.Tensor2D;
}

/** Which form to use: the forced one, or the cheaper by estimated cost for 'auto'. */
export function pickForm(strategy: 'auto' | 'ghost' | 'materialize', cost: { ghost: number; materialize: number }): 'ghost' | 'materialize' {
  if (strategy !== 'auto') return strategy;
  return cost.ghost <= cost.materialize ? 'ghost' : 'materialize';
}
