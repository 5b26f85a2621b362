/**
 * Elementwise ops (numpy broadcasting): Add, Sub, Mul, Div, Pow, the activations torch exports
 * (Relu, Tanh, Sigmoid, Erf for nn.GELU), Sqrt, Reciprocal, Cast, Identity, Dropout (inference).
 *
 * Parametric primitives here: Add/Sub with a parameter operand are a shift (a bias), Mul with
 * a parameter operand is a scale (an elementwise γ), when the other operand depends on the
 * examples (records.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { alignLoc, sameLoc, type BatchLoc } from '../batch-loc.ts';
import type { ElemKind } from '../host-tensor.ts';
import { isHost, type OpContext, type OpDef, type PrimitiveSlots, type TensorValue, type Value } from './op.ts';

/** Shape of a value. */
export function shapeOf(v: Value): readonly number[] {
  return isHost(v) ? v.host.shape : v.t.shape;
}

/** Element kind of a value. */
export function kindOf(v: Value): ElemKind {
  return isHost(v) ? v.host.kind : v.kind;
}

/** Examples' location of a value (null for host constants). */
export function locOf(v: Value): BatchLoc | null {
  return isHost(v) ? null : v.loc;
}

/** numpy broadcast of shapes; fails when incompatible. */
export function broadcastShapes(ctx: OpContext, shapes: readonly (readonly number[])[]): number[] {
  const r = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(r).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const a = r - s.length + i;
      const d = s[i]!;
      if (d === out[a] || d === 1) continue;
      if (out[a] === 1) out[a] = d;
      else ctx.fail(`shapes ${shapes.map((q) => `[${q.join(', ')}]`).join(' and ')} do not broadcast`);
    }
  }
  return out;
}

/** The examples' location in a broadcast result; fails when two inputs disagree (examples would mix). */
export function broadcastLoc(ctx: OpContext, inputs: readonly Value[], outRank: number): BatchLoc | null {
  let loc: BatchLoc | null = null;
  for (const v of inputs) {
    const l = locOf(v);
    if (!l) continue;
    const a = alignLoc(l, shapeOf(v).length, outRank);
    if (loc && !sameLoc(loc, a)) ctx.mixes('combines tensors whose examples lie on different axes (examples would mix)');
    loc = a;
  }
  return loc;
}

/** A parameter broadcast against an output of rank r: its shape padded with leading 1s. */
export function alignedShape(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(Math.max(0, rank - shape.length)).fill(1), ...shape];
}

function out(t: tf.Tensor, kind: ElemKind, loc: BatchLoc | null): TensorValue {
  return { t, kind, loc };
}

/** Shift/scale slot for binary ops: the parameter operand, when the other one depends on the examples. */
function binarySlots(kind: 'shift' | 'scale'): PrimitiveSlots {
  return (_node, dynamic) => {
    if (dynamic(0) && !dynamic(1)) return [{ slot: 1, kind }];
    if (dynamic(1) && !dynamic(0)) return [{ slot: 0, kind }];
    return [];
  };
}

function binary(f: (a: tf.Tensor, b: tf.Tensor, kind: ElemKind) => tf.Tensor, prim?: 'shift' | 'scale', sign?: (slot: number) => number): OpDef {
  return {
    run(ctx, inputs) {
      const [a, b] = inputs as [Value, Value];
      const shape = broadcastShapes(ctx, [shapeOf(a), shapeOf(b)]);
      const loc = broadcastLoc(ctx, [a, b], shape.length);
      const kind = kindOf(a);
      const t = f(ctx.tensor(a), ctx.tensor(b), kind);
      if (prim && ctx.recording && loc) {
        for (const slot of [0, 1]) {
          if (!ctx.param(slot)) continue;
          const p = inputs[slot]!;
          const broadcast = alignedShape(shapeOf(p), shape.length);
          if (broadcast[loc.axis] !== 1) ctx.mixes('a parameter varies along the examples\' axis');
          if (prim === 'shift') {
            const s = sign?.(slot) ?? 1;
            ctx.record(slot, { kind: 'shift', broadcastShape: broadcast, delta: s === 1 ? (d) => d : (d) => tf.neg(d), deltaLoc: loc });
          } else {
            const x = inputs[1 - slot]!;
            const xt = ctx.tensor(x);
            const input = shapeOf(x).length === shape.length && shapeOf(x).every((d, i) => d === shape[i]) ? xt : tf.broadcastTo(xt, shape);
            ctx.record(slot, { kind: 'scale', input, inputLoc: loc, broadcastShape: broadcast, delta: (d) => d, deltaLoc: loc });
          }
        }
      }
      return [out(t, kind, loc)];
    },
    primitives: prim ? binarySlots(prim) : undefined,
  };
}

/** ONNX integer Div truncates toward zero. */
function divide(a: tf.Tensor, b: tf.Tensor, kind: ElemKind): tf.Tensor {
  if (kind !== 'int') return tf.div(a, b);
  const q = tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32'));
  return tf.cast(tf.mul(tf.sign(q), tf.floor(tf.abs(q))), 'int32');
}

function unary(f: (x: tf.Tensor) => tf.Tensor): OpDef {
  return {
    run(ctx, inputs) {
      const x = inputs[0]!;
      return [out(f(ctx.tensor(x)), kindOf(x), locOf(x))];
    },
  };
}

/** ONNX data type numbers → our element kinds (Cast's `to`). */
const CAST_KIND: Record<number, ElemKind | undefined> = { 1: 'float', 10: 'float', 11: 'float', 16: 'float', 2: 'int', 3: 'int', 4: 'int', 5: 'int', 6: 'int', 7: 'int', 12: 'int', 13: 'int', 9: 'bool' };

export const ELEMENTWISE_OPS: Record<string, OpDef> = {
  Add: binary((a, b) => tf.add(a, b), 'shift'),
  Sub: binary((a, b) => tf.sub(a, b), 'shift', (slot) => (slot === 1 ? -1 : 1)),
  Mul: binary((a, b) => tf.mul(a, b), 'scale'),
  Div: binary(divide),
  Pow: binary((a, b) => tf.pow(a, b)),
  Relu: unary((x) => tf.relu(x)),
  Tanh: unary((x) => tf.tanh(x)),
  Sigmoid: unary((x) => tf.sigmoid(x)),
  Erf: unary((x) => tf.erf(x)),
  Sqrt: unary((x) => tf.sqrt(x)),
  Reciprocal: unary((x) => tf.reciprocal(x)),
  Identity: { run: (_ctx, inputs) => [inputs[0]!] },
  Dropout: {
    run(ctx, inputs) {
      // Inference: the identity. A constant training_mode = true would drop at random: refused.
      const mode = inputs[2];
      if (mode && (!isHost(mode) || mode.host.data[0] !== 0)) ctx.fail('training_mode must be a constant false (the probe runs the model in eval mode)');
      if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '') ctx.fail('the mask output is not supported');
      return [inputs[0]!];
    },
  },
  Cast: {
    run(ctx, inputs) {
      const to = ctx.attrInt('to', 0);
      const kind = CAST_KIND[to];
      if (!kind) return ctx.fail(`cast to data type ${to} is not supported`);
      const x = inputs[0]!;
      const t = ctx.tensor(x);
      const dtype = kind === 'float' ? 'float32' : kind === 'int' ? 'int32' : 'bool';
      return [out(t.dtype === dtype ? t : tf.cast(t, dtype), kind, locOf(x))];
    },
  },
};
