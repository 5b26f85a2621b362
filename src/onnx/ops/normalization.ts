/**
 * BatchNormalization (inference: running statistics; or, with RunOptions.bnMode 'batch', each
 * minibatch's own statistics as in training mode), InstanceNormalization (what torch emits
 * for nn.GroupNorm, on a [N, G, −1] reshape), LayerNormalization (opset 17; lower opsets get the
 * ReduceMean/Sub/Pow/Sqrt/Div decomposition, handled op by op), ReduceMean and Softmax.
 *
 * Each normalization is x̂ = (X − μ)/√(σ² + ε), then the scale primitive (input x̂) and the
 * shift primitive, sharing the node's output (records.ts). Variances are biased (mean of
 * squares), as ONNX and PyTorch define them.
 */
import * as tf from '@tensorflow/tfjs';
import { dropAxisLoc, type BatchLoc } from '../batch-loc.ts';
import { sizeOf } from '../host-tensor.ts';
import { alignedShape, locOf, shapeOf } from './elementwise.ts';
import type { OpContext, OpDef, PrimitiveSlots, Value } from './op.ts';
import { normAxis } from './shape-ops.ts';

const scaleShiftSlots: PrimitiveSlots = (_node, dynamic) => (dynamic(0) ? [{ slot: 1, kind: 'scale' as const }, { slot: 2, kind: 'shift' as const }].filter((p) => !dynamic(p.slot)) : []);

/** y = x̂ ⊙ γ + β with γ, β of `paramShape` broadcast to x̂; records the scale and shift. */
function scaleShift(ctx: OpContext, xhat: tf.Tensor, gamma: Value | undefined, beta: Value | undefined, paramShape: number[], loc: BatchLoc | null): tf.Tensor {
  let y = xhat;
  const rank = xhat.rank;
  const check = (v: Value, what: string) => {
    const got = shapeOf(v);
    if (sizeOf(got) !== sizeOf(paramShape)) ctx.fail(`${what} has shape [${got.join(', ')}], expected ${sizeOf(paramShape)} values`);
  };
  if (gamma) {
    check(gamma, 'scale');
    y = tf.mul(y, ctx.tensor(gamma).reshape(paramShape));
  }
  if (beta) {
    check(beta, 'bias');
    y = tf.add(y, ctx.tensor(beta).reshape(paramShape));
  }
  if (ctx.recording && loc) {
    const broadcast = alignedShape(paramShape, rank);
    if (gamma && ctx.param(1)) ctx.record(1, { kind: 'scale', input: xhat, inputLoc: loc, broadcastShape: broadcast, delta: (d) => d, deltaLoc: loc });
    if (beta && ctx.param(2)) ctx.record(2, { kind: 'shift', broadcastShape: broadcast, delta: (d) => d, deltaLoc: loc });
  }
  return y;
}

/**
 * Training-mode x̂ of x [N, C, ...]: each contiguous group of ctx.groupSize examples normalized
 * with its own mean and biased variance over the group and the spatial axes, per channel.
 */
function batchStatistics(ctx: OpContext, x: tf.Tensor, loc: BatchLoc, eps: number): tf.Tensor {
  const s = x.shape;
  const m = ctx.groupSize;
  if (loc.axis !== 0 || loc.inner !== 1 || s[0] !== ctx.batch) ctx.fail('batch statistics need the examples on axis 0 of the input');
  if (!(Number.isInteger(m) && m >= 1 && ctx.batch % m === 0)) ctx.fail(`the batch-statistics group size ${m} does not divide the ${ctx.batch} examples`);
  const g = x.reshape([s[0]! / m, m, ...s.slice(1)]);
  const axes = [1, ...Array.from({ length: s.length - 2 }, (_, i) => i + 3)];
  const { mean, variance } = tf.moments(g, axes, true);
  return tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, eps))).reshape(s);
}

/** x̂ over `axes` (kept), biased variance. */
function normalize(x: tf.Tensor, axes: number[], eps: number): tf.Tensor {
  const mu = tf.mean(x, axes, true);
  const c = tf.sub(x, mu);
  const v = tf.mean(tf.square(c), axes, true);
  return tf.div(c, tf.sqrt(tf.add(v, eps)));
}

function noExtraOutputs(ctx: OpContext): void {
  if (ctx.node.outputs.slice(1).some((o) => o !== '')) ctx.fail('only the first output is supported (inference mode)');
}

export const NORMALIZATION_OPS: Record<string, OpDef> = {
  BatchNormalization: {
    run(ctx, inputs) {
      const [x, gamma, beta, mean, variance] = inputs as [Value, Value, Value, Value, Value];
      if (ctx.attrInt('training_mode', 0) !== 0) ctx.fail('training_mode = 1 is not supported (export the model in eval mode)');
      noExtraOutputs(ctx);
      const s = shapeOf(x);
      if (s.length < 2) ctx.fail(`input has rank ${s.length}; expected [N, C, ...]`);
      const c = s[1]!;
      const shape = [1, c, ...new Array<number>(s.length - 2).fill(1)];
      for (const [v, what] of [[gamma, 'scale'], [beta, 'B'], [mean, 'input_mean'], [variance, 'input_var']] as const) {
        if (!v || shapeOf(v).length !== 1 || shapeOf(v)[0] !== c) ctx.fail(`${what} must have shape [${c}]`);
      }
      const eps = ctx.attrFloat('epsilon', 1e-5);
      const loc = locOf(x);
      const xhat = ctx.bnMode === 'batch' && loc
        ? batchStatistics(ctx, ctx.tensor(x), loc, eps)
        : tf.div(tf.sub(ctx.tensor(x), ctx.tensor(mean).reshape(shape)), tf.sqrt(tf.add(ctx.tensor(variance).reshape(shape), eps)));
      return [{ t: scaleShift(ctx, xhat, gamma, beta, shape, loc), kind: 'float', loc }];
    },
    primitives: scaleShiftSlots,
  },

  InstanceNormalization: {
    run(ctx, inputs) {
      const [x, gamma, beta] = inputs as [Value, Value, Value];
      const s = shapeOf(x);
      if (s.length < 3) ctx.fail(`input has rank ${s.length}; expected [N, C, spatial...]`);
      const loc = locOf(x);
      if (loc && loc.axis >= 2) ctx.mixes('normalizes over the examples\' axis');
      const axes = s.map((_, i) => i).slice(2);
      const xhat = normalize(ctx.tensor(x), axes, ctx.attrFloat('epsilon', 1e-5));
      const shape = [1, s[1]!, ...new Array<number>(s.length - 2).fill(1)];
      return [{ t: scaleShift(ctx, xhat, gamma, beta, shape, loc), kind: 'float', loc }];
    },
    primitives: scaleShiftSlots,
  },

  LayerNormalization: {
    run(ctx, inputs) {
      const [x, gamma, beta] = inputs as [Value, Value, Value | undefined];
      noExtraOutputs(ctx);
      const s = shapeOf(x);
      const axis = normAxis(ctx, ctx.attrInt('axis', -1), s.length);
      const loc = locOf(x);
      if (loc && loc.axis >= axis) ctx.mixes('normalizes over the examples\' axis');
      const axes = s.map((_, i) => i).slice(axis);
      const xhat = normalize(ctx.tensor(x), axes, ctx.attrFloat('epsilon', 1e-5));
      return [{ t: scaleShift(ctx, xhat, gamma, beta, s.slice(axis), loc), kind: 'float', loc }];
    },
    primitives: scaleShiftSlots,
  },

  ReduceMean: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      if (inputs[1]) ctx.fail('axes as an input (opset 18) is not supported');
      const axes = (ctx.attrInts('axes') ?? s.map((_, i) => i)).map((a) => normAxis(ctx, a, s.length));
      const keep = ctx.attrInt('keepdims', 1) === 1;
      let loc = locOf(x);
      if (loc && axes.includes(loc.axis)) ctx.mixes('averages over the examples\' axis');
      if (loc && !keep) for (const a of [...axes].sort((p, q) => q - p)) loc = dropAxisLoc(loc, a);
      return [{ t: tf.mean(ctx.tensor(x), axes, keep), kind: 'float', loc }];
    },
  },

  Softmax: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      const axis = normAxis(ctx, ctx.attrInt('axis', -1), s.length);
      const loc = locOf(x);
      if (loc && loc.axis === axis) ctx.mixes('normalizes over the examples\' axis');
      const t = ctx.tensor(x);
      const y = axis === s.length - 1 ? tf.softmax(t) : tf.transpose(tf.softmax(tf.transpose(t, swap(s.length, axis))), swap(s.length, axis));
      return [{ t: y, kind: 'float', loc }];
    },
  },
};

/** The permutation swapping `axis` with the last one (its own inverse). */
function swap(rank: number, axis: number): number[] {
  const p = [...Array(rank).keys()];
  p[axis] = rank - 1;
  p[rank - 1] = axis;
  return p;
}
