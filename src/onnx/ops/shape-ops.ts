/**
 * Ops that move data without arithmetic, and the constants that feed them: Constant, Shape,
 * Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Slice, Gather, Pad.
 *
 * Shape inputs (Reshape's shape, Slice's bounds, Squeeze/Unsqueeze axes, Pad's pads) must be
 * host constants: with torch's dynamic batch axis they come from Shape → Gather → Unsqueeze →
 * Concat chains, which the interpreter evaluates on the host because the input's shape is known.
 * Gather with a parameter table and example-dependent ids is the gather primitive (nn.Embedding).
 */
import * as tf from '@tensorflow/tfjs';
import { INPUT_LOC, reshapeLoc, sameLoc, transposeLoc, type BatchLoc } from '../batch-loc.ts';
import { hostInts, sizeOf, type HostTensor } from '../host-tensor.ts';
import { kindOf, locOf, shapeOf } from './elementwise.ts';
import { gatherAxis } from './gather.ts';
import { isHost, type OpContext, type OpDef, type TensorValue, type Value } from './op.ts';

/** Largest tensor an op may create (elements): a corrupt shape must fail, not exhaust memory. */
export const MAX_ELEMENTS = 2 ** 28;

/** Normalize a possibly negative axis against a rank; fails when out of range. */
export function normAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Reshape a value (pure view change), moving the examples' location along. */
export function reshapeValue(ctx: OpContext, v: Value, shape: number[]): Value {
  const from = shapeOf(v);
  if (sizeOf(shape) !== sizeOf(from)) ctx.fail(`cannot reshape [${from.join(', ')}] to [${shape.join(', ')}]`);
  if (isHost(v)) return { host: { kind: v.host.kind, shape, data: v.host.data } };
  let loc: BatchLoc | null = null;
  if (v.loc) {
    // With one example, every entry is that example's: any location is right.
    loc = reshapeLoc(v.loc, from, shape, ctx.batch) ?? (ctx.batch === 1 ? INPUT_LOC : ctx.fail(`reshape [${from.join(', ')}] → [${shape.join(', ')}] splits the examples across axes`));
  }
  return { t: v.t.reshape(shape), kind: v.kind, loc };
}

function constantOf(ctx: OpContext): HostTensor {
  const v = ctx.attr('value');
  if (v !== undefined && typeof v === 'object' && !Array.isArray(v)) return v;
  const f = ctx.attr('value_float');
  if (typeof f === 'number') return { kind: 'float', shape: [], data: Float32Array.of(f) };
  const fs = ctx.attr('value_floats');
  if (Array.isArray(fs)) return { kind: 'float', shape: [fs.length], data: Float32Array.from(fs as number[]) };
  const i = ctx.attr('value_int');
  if (typeof i === 'number') return hostInts([i], []);
  const is = ctx.attr('value_ints');
  if (Array.isArray(is)) return hostInts(is as number[]);
  return ctx.fail('only numeric value / value_float(s) / value_int(s) constants are supported');
}

/** ONNX Slice bounds for one axis → the selected indices. */
function sliceIndices(dim: number, start: number, end: number, step: number): number[] {
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

function tensorOut(t: tf.Tensor, like: Value, loc: BatchLoc | null): TensorValue {
  return { t, kind: kindOf(like), loc };
}

export const SHAPE_OPS: Record<string, OpDef> = {
  Constant: { run: (ctx) => [{ host: constantOf(ctx) }] },

  Shape: {
    run(ctx, inputs) {
      const shape = shapeOf(inputs[0]!);
      const r = shape.length;
      const clamp = (a: number) => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
      const start = clamp(ctx.attrInt('start', 0));
      const end = clamp(ctx.attrInt('end', r));
      return [{ host: hostInts(shape.slice(start, end)) }];
    },
  },

  Reshape: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const spec = ctx.ints(inputs[1], 'shape');
      const from = shapeOf(x);
      const allowZero = ctx.attrInt('allowzero', 0) === 1;
      const shape = spec.map((d, i) => (d === 0 && !allowZero ? from[i] ?? ctx.fail(`shape entry ${i} is 0 but the input has rank ${from.length}`) : d));
      const unknown = shape.filter((d) => d === -1).length;
      if (unknown > 1 || shape.some((d) => d < -1)) ctx.fail(`invalid shape [${spec.join(', ')}]`);
      if (unknown === 1) {
        const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        if (known === 0 || sizeOf(from) % known !== 0) ctx.fail(`cannot reshape [${from.join(', ')}] to [${spec.join(', ')}]`);
        shape[shape.indexOf(-1)] = sizeOf(from) / known;
      }
      return [reshapeValue(ctx, x, shape)];
    },
  },

  Flatten: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      const axis = ctx.attrInt('axis', 1);
      const a = axis < 0 ? axis + s.length : axis;
      if (a < 0 || a > s.length) ctx.fail(`axis ${axis} is out of range for rank ${s.length}`);
      return [reshapeValue(ctx, x, [sizeOf(s.slice(0, a)), sizeOf(s.slice(a))])];
    },
  },

  Squeeze: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      const axes = inputs[1] ? ctx.ints(inputs[1], 'axes').map((a) => normAxis(ctx, a, s.length)) : s.flatMap((d, i) => (d === 1 ? [i] : []));
      for (const a of axes) if (s[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${s[a]}`);
      return [reshapeValue(ctx, x, s.filter((_, i) => !axes.includes(i)))];
    },
  },

  Unsqueeze: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      const r = s.length + ctx.ints(inputs[1], 'axes').length;
      const axes = ctx.ints(inputs[1], 'axes').map((a) => normAxis(ctx, a, r));
      const shape: number[] = [];
      let k = 0;
      for (let i = 0; i < r; i++) shape.push(axes.includes(i) ? 1 : s[k++]!);
      return [reshapeValue(ctx, x, shape)];
    },
  },

  Transpose: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const r = shapeOf(x).length;
      const perm = ctx.attrInts('perm') ?? [...Array(r).keys()].reverse();
      if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) ctx.fail(`perm [${perm.join(', ')}] is not a permutation of ${r} axes`);
      const loc = locOf(x);
      return [tensorOut(tf.transpose(ctx.tensor(x), perm), x, loc ? transposeLoc(loc, perm) : null)];
    },
  },

  Concat: {
    run(ctx, inputs) {
      const xs = inputs.filter((v): v is Value => v !== undefined);
      const r = shapeOf(xs[0]!).length;
      const axis = normAxis(ctx, ctx.attrInt('axis', 0), r);
      let loc: BatchLoc | null = null;
      for (const v of xs) {
        const l = locOf(v);
        if (!l) continue;
        if ((loc && !sameLoc(loc, l)) || l.axis === axis) ctx.mixes('concatenates along, or across different, example axes (examples would mix)');
        loc = l;
      }
      const ts = xs.map((v) => ctx.tensor(v));
      return [tensorOut(ts.length === 1 ? ts[0]! : tf.concat(ts, axis), xs[0]!, loc)];
    },
  },

  Slice: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      const starts = ctx.ints(inputs[1], 'starts');
      const ends = ctx.ints(inputs[2], 'ends');
      const axes = inputs[3] ? ctx.ints(inputs[3], 'axes').map((a) => normAxis(ctx, a, s.length)) : starts.map((_, i) => i);
      const steps = inputs[4] ? ctx.ints(inputs[4], 'steps') : starts.map(() => 1);
      if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) ctx.fail('starts, ends, axes and steps differ in length');
      const loc = locOf(x);
      let t = ctx.tensor(x);
      axes.forEach((axis, i) => {
        const step = steps[i]!;
        if (step === 0) ctx.fail('a step is 0');
        const idx = sliceIndices(s[axis]!, starts[i]!, ends[i]!, step);
        if (idx.length === s[axis] && idx.every((v, j) => v === j)) return; // the whole axis
        if (loc && loc.axis === axis) ctx.mixes('slices the examples\' axis');
        const contiguous = idx.every((v, j) => v === idx[0]! + j);
        if (contiguous) {
          const begin = s.map((_, j) => (j === axis ? idx[0] ?? 0 : 0));
          const size = t.shape.map((d, j) => (j === axis ? idx.length : d));
          t = tf.slice(t, begin, size);
        } else {
          t = gatherAxis(t, tf.tensor1d(idx, 'int32'), axis);
        }
      });
      return [tensorOut(t, x, loc)];
    },
  },

  Gather: {
    run(ctx, inputs) {
      const [data, ids] = inputs as [Value, Value];
      const ds = shapeOf(data);
      const axis = normAxis(ctx, ctx.attrInt('axis', 0), ds.length);
      const n = ds[axis]!;
      const is = shapeOf(ids);
      if (kindOf(ids) !== 'int') ctx.fail('indices must be integers');
      // Indices: validated (a bad token id is bad input), negatives wrapped.
      let idx: tf.Tensor;
      if (isHost(ids)) {
        const vals = Array.from(ids.host.data, (v) => (v < 0 ? v + n : v));
        const bad = vals.findIndex((v) => v < 0 || v >= n);
        if (bad >= 0) ctx.fail(`index ${ids.host.data[bad]} is out of range for axis of size ${n}`);
        idx = tf.tensor(vals, [...is], 'int32');
      } else {
        const vals = ids.t.dataSync();
        for (let i = 0; i < vals.length; i++) {
          const v = vals[i]!;
          if (v < -n || v >= n) ctx.fail(`index ${v} at flat position ${i} is out of range 0..${n - 1} (bad token id?)`);
        }
        idx = ids.t.dtype === 'int32' ? ids.t : tf.cast(ids.t, 'int32');
        idx = tf.where(tf.less(idx, 0), tf.add(idx, tf.scalar(n, 'int32')), idx);
      }
      const dl = locOf(data);
      const il = locOf(ids);
      if (dl && il) ctx.mixes('both the data and the indices depend on the examples');
      let loc: BatchLoc | null = null;
      if (dl) {
        if (dl.axis === axis) ctx.mixes('gathers along the examples\' axis');
        loc = dl.axis < axis ? dl : { axis: dl.axis + is.length - 1, inner: dl.inner };
      } else if (il) {
        loc = { axis: il.axis + axis, inner: il.inner };
      }
      const t = gatherAxis(ctx.tensor(data), idx, axis);
      if (ctx.recording && ctx.param(0) && il && loc) {
        if (axis !== 0 || ds.length !== 2) ctx.fail('a parameter table must be 2-D and gathered on axis 0 (an embedding)');
        ctx.record(0, { kind: 'gather', ids: idx, idsLoc: il, tableShape: [ds[0]!, ds[1]!], delta: (d) => d, deltaLoc: loc });
      }
      return [tensorOut(t, data, loc)];
    },
    primitives: (_node, dynamic) => (dynamic(1) && !dynamic(0) ? [{ slot: 0, kind: 'gather' }] : []),
  },

  Pad: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      if (inputs[3]) ctx.fail('the axes input is not supported');
      const pads = ctx.ints(inputs[1], 'pads');
      if (pads.length !== 2 * s.length || pads.some((p) => p < 0)) ctx.fail(`pads [${pads.join(', ')}] must be ${2 * s.length} non-negative numbers`);
      const paddings = s.map((_, i) => [pads[i]!, pads[i + s.length]!] as [number, number]);
      if (sizeOf(s.map((d, i) => d + paddings[i]![0] + paddings[i]![1])) > MAX_ELEMENTS) ctx.fail('the padded tensor would be too large');
      const loc = locOf(x);
      if (loc && (paddings[loc.axis]![0] !== 0 || paddings[loc.axis]![1] !== 0)) ctx.mixes('pads the examples\' axis');
      const mode = ctx.attrString('mode', 'constant');
      const t = ctx.tensor(x);
      if (mode === 'constant') {
        const cv = inputs[2] ? (isHost(inputs[2]) ? inputs[2].host.data[0] ?? 0 : ctx.fail('constant_value must be a constant')) : 0;
        return [tensorOut(tf.pad(t, paddings, cv), x, loc)];
      }
      if (mode === 'reflect') return [tensorOut(tf.mirrorPad(t, paddings, 'reflect'), x, loc)];
      return ctx.fail(`mode "${mode}" is not supported (constant, reflect)`);
    },
  },
};
