/**
 * MatMul (numpy matmul, batched, broadcasting) and Gemm (alpha·A'·B' + beta·C). Their parameter
 * operands are the matmul primitive and Gemm's C a shift; records.ts says exactly how each form
 * (weight on the right or on the left, transA / transB, alpha / beta) maps onto them.
 */
import * as tf from '@tensorflow/tfjs';
import { alignLoc, sameLoc, type BatchLoc } from '../batch-loc.ts';
import { alignedShape, broadcastShapes, locOf, shapeOf } from './elementwise.ts';
import type { OpContext, OpDef, TensorValue, Value } from './op.ts';

/** Swap the last two axes. */
export function swapLast2(t: tf.Tensor): tf.Tensor {
  const r = t.rank;
  const perm = [...Array(r).keys()];
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return tf.transpose(t, perm);
}

function swapLoc(loc: BatchLoc, rank: number): BatchLoc {
  if (loc.axis === rank - 1) return { axis: rank - 2, inner: loc.inner };
  if (loc.axis === rank - 2) return { axis: rank - 1, inner: loc.inner };
  return loc;
}

/**
 * Where the examples are in A·B (A [..., M, K], B [..., K, N]), or a failure when the product
 * would contract over them.
 */
function matmulLoc(ctx: OpContext, a: Value, b: Value, outRank: number): BatchLoc | null {
  const ra = shapeOf(a).length;
  const rb = shapeOf(b).length;
  const la = locOf(a);
  const lb = locOf(b);
  if (la && la.axis === ra - 1) ctx.mixes('contracts over the examples\' axis (examples would mix)');
  if (lb && lb.axis === rb - 2) ctx.mixes('contracts over the examples\' axis (examples would mix)');
  const oa = la ? alignLoc(la, ra, outRank) : null;
  const ob = lb ? alignLoc(lb, rb, outRank) : null;
  if (oa && ob && !sameLoc(oa, ob)) ctx.mixes('multiplies tensors whose examples lie on different axes (examples would mix)');
  return oa ?? ob;
}

function product(ctx: OpContext, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank < 2 || b.rank < 2) ctx.fail('1-D operands are not supported');
  if (a.shape[a.rank - 1] !== b.shape[b.rank - 2]) ctx.fail(`inner dimensions differ: [${a.shape.join(', ')}] · [${b.shape.join(', ')}]`);
  if (a.rank === 2 && b.rank > 2) {
    // [M, K] · [..., K, N]: as ([..., N, K] · [K, M])ᵀ, a plain 2-D product.
    const bt = swapLast2(b);
    const lead = bt.shape.slice(0, -1);
    return swapLast2(tf.matMul(bt.reshape([-1, bt.shape[bt.rank - 1]!]), a, false, true).reshape([...lead, a.shape[0]!]));
  }
  if (b.rank === 2 && a.rank > 2) {
    const lead = a.shape.slice(0, -1);
    return tf.matMul(a.reshape([-1, a.shape[a.rank - 1]!]), b).reshape([...lead, b.shape[1]!]);
  }
  if (a.rank === b.rank && a.shape.slice(0, -2).every((d, i) => d === b.shape[i])) return tf.matMul(a, b);
  const lead = broadcastShapes(ctx, [a.shape.slice(0, -2), b.shape.slice(0, -2)]);
  return tf.matMul(tf.broadcastTo(a, [...lead, ...a.shape.slice(-2)]), tf.broadcastTo(b, [...lead, ...b.shape.slice(-2)]));
}

function scaled(d: tf.Tensor, f: number): tf.Tensor {
  return f === 1 ? d : tf.mul(d, f);
}

export const MATMUL_OPS: Record<string, OpDef> = {
  MatMul: {
    run(ctx, inputs) {
      const [a, b] = inputs as [Value, Value];
      const ta = ctx.tensor(a);
      const tb = ctx.tensor(b);
      const t = product(ctx, ta, tb);
      const loc = matmulLoc(ctx, a, b, t.rank);
      if ((ctx.param(0) && ta.rank !== 2) || (ctx.param(1) && tb.rank !== 2)) ctx.fail('a parameter operand must be 2-D');
      if (ctx.recording && loc) {
        if (ctx.param(1)) ctx.record(1, { kind: 'matmul', input: ta, inputLoc: locOf(a)!, weightLayout: 'in-out', delta: (d) => d, deltaLoc: loc });
        if (ctx.param(0)) {
          const input = swapLast2(tb);
          ctx.record(0, { kind: 'matmul', input, inputLoc: swapLoc(locOf(b)!, tb.rank), weightLayout: 'out-in', delta: (d) => swapLast2(d), deltaLoc: swapLoc(loc, t.rank) });
        }
      }
      return [{ t, kind: 'float', loc } satisfies TensorValue];
    },
    primitives: (_node, dynamic) => (dynamic(0) && !dynamic(1) ? [{ slot: 1, kind: 'matmul' }] : dynamic(1) && !dynamic(0) ? [{ slot: 0, kind: 'matmul' }] : []),
  },

  Gemm: {
    run(ctx, inputs) {
      const [a, b, c] = inputs as [Value, Value, Value | undefined];
      const alpha = ctx.attrFloat('alpha', 1);
      const beta = ctx.attrFloat('beta', 1);
      const transA = ctx.attrInt('transA', 0) === 1;
      const transB = ctx.attrInt('transB', 0) === 1;
      const ta = ctx.tensor(a);
      const tb = ctx.tensor(b);
      if (ta.rank !== 2 || tb.rank !== 2) ctx.fail('A and B must be 2-D');
      const a2 = transA ? tf.transpose(ta) : ta;
      const b2 = transB ? tf.transpose(tb) : tb;
      if (a2.shape[1] !== b2.shape[0]) ctx.fail(`inner dimensions differ: A' [${a2.shape.join(', ')}], B' [${b2.shape.join(', ')}]`);
      // A 2-D product, with the examples on the rows of A' or the columns of B'.
      const la = locOf(a) && (transA ? swapLoc(locOf(a)!, 2) : locOf(a));
      const lb = locOf(b) && (transB ? swapLoc(locOf(b)!, 2) : locOf(b));
      if ((la && la.axis === 1) || (lb && lb.axis === 0)) ctx.mixes('contracts over the examples\' axis (examples would mix)');
      if (la && lb) ctx.mixes('both A and B depend on the examples');
      let loc: BatchLoc | null = la ?? lb;
      let t = scaled(tf.matMul(a2, b2), alpha);
      if (c) {
        const cs = shapeOf(c);
        broadcastShapes(ctx, [t.shape, cs]);
        const lc = locOf(c);
        if (lc && loc && !sameLoc(alignLoc(lc, cs.length, 2), loc)) ctx.mixes('C\'s examples lie on a different axis');
        loc = loc ?? (lc && alignLoc(lc, cs.length, 2));
        t = tf.add(t, scaled(ctx.tensor(c), beta));
      }
      if (ctx.recording && loc) {
        if (ctx.param(1)) ctx.record(1, { kind: 'matmul', input: a2, inputLoc: la!, weightLayout: transB ? 'out-in' : 'in-out', delta: (d) => scaled(d, alpha), deltaLoc: loc });
        if (ctx.param(0)) ctx.record(0, { kind: 'matmul', input: tf.transpose(b2), inputLoc: swapLoc(lb!, 2), weightLayout: transA ? 'in-out' : 'out-in', delta: (d) => scaled(tf.transpose(d), alpha), deltaLoc: swapLoc(loc, 2) });
        if (c && ctx.param(2)) {
          const broadcast = alignedShape(shapeOf(c), 2);
          if (broadcast[loc.axis] !== 1) ctx.mixes('C varies along the examples\' axis');
          ctx.record(2, { kind: 'shift', broadcastShape: broadcast, delta: (d) => scaled(d, beta), deltaLoc: loc });
        }
      }
      return [{ t, kind: 'float', loc }];
    },
    primitives: (_node, dynamic) => {
      const out: { slot: number; kind: 'matmul' | 'shift' }[] = [];
      if (dynamic(0) && !dynamic(1)) out.push({ slot: 1, kind: 'matmul' });
      if (dynamic(1) && !dynamic(0)) out.push({ slot: 0, kind: 'matmul' });
      if ((dynamic(0) || dynamic(1)) && !dynamic(2)) out.push({ slot: 2, kind: 'shift' });
      return out;
    },
  },
};
