/**
 * Per-example parameter gradients rebuilt from the interpreter's taps and records alone, in
 * float64 loops — what the probe's per-primitive Gram rules compute (probe-gram.ts), materialized and slow.
 * A test comparing these with reference.ts's autodiff gradients shows that the records carry
 * everything a rule needs (inputs, layouts, pads/strides/groups, delta mappings, where the
 * examples are); records.ts documents each formula.
 *
 * Every output entry belongs to exactly one example (batch-loc.ts) and each primitive's
 * gradient is linear in its delta, so example b's gradient is the batch formula restricted to
 * the entries of example b. The example of an entry is computed from the record's locations,
 * and the input's and the delta's locations are checked to agree entry by entry.
 */
import * as tf from '@tensorflow/tfjs';
import { exampleLosses } from '../../../models/loss.ts';
import { stridesOf } from '../host-tensor.ts';
import type { BatchLoc } from '../batch-loc.ts';
import type { GraphInputs, OnnxProgram } from '../program.ts';
import type { PrimitiveRecord } from '../records.ts';
import { perExampleOutputs, type OnnxLoss } from '../reference.ts';

/** The example that flat index `f` of a tensor of `shape` belongs to. */
export function exampleOf(f: number, shape: readonly number[], loc: BatchLoc, batch: number): number {
  const st = stridesOf(shape);
  const i = Math.floor(f / st[loc.axis]!) % shape[loc.axis]!;
  return Math.floor(i / loc.inner) % batch;
}

function add(g: Float64Array, i: number, v: number): void {
  g[i] = g[i]! + v;
}

function f64(t: tf.Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

/** Multi-index of flat f in `shape`, mapped to the flat index in the broadcast (size-1 axes → 0). */
function broadcastIndex(f: number, shape: readonly number[], bshape: readonly number[]): number {
  const st = stridesOf(shape);
  const bst = stridesOf(bshape);
  let p = 0;
  for (let a = 0; a < shape.length; a++) {
    const i = Math.floor(f / st[a]!) % shape[a]!;
    if (bshape[a] !== 1) p += i * bst[a]!;
  }
  return p;
}

/** Add example b's gradient of one record into g[b] (at the parameter's offset). */
function accumulate(r: PrimitiveRecord, d: tf.Tensor, batch: number, g: Float64Array[], off: number): void {
  const D = f64(d);
  const ds = d.shape;
  const check = (a: number, b: number) => {
    if (a !== b) throw new Error(`record for ${r.use.param} at ${r.use.node}: input and delta disagree on an entry's example (${a} vs ${b})`);
  };
  switch (r.kind) {
    case 'matmul': {
      const U = f64(r.input);
      const us = r.input.shape;
      const k = us[us.length - 1]!;
      const n = ds[ds.length - 1]!;
      const rows = U.length / k;
      if (D.length / n !== rows) throw new Error(`matmul record ${r.use.node}: ${rows} input rows, ${D.length / n} delta rows`);
      for (let row = 0; row < rows; row++) {
        const b = exampleOf(row * k, us, r.inputLoc, batch);
        check(b, exampleOf(row * n, ds, r.deltaLoc, batch));
        const gb = g[b]!;
        for (let i = 0; i < k; i++) {
          const u = U[row * k + i]!;
          if (u === 0) continue;
          for (let j = 0; j < n; j++) add(gb, off + (r.weightLayout === 'in-out' ? i * n + j : j * k + i), u * D[row * n + j]!);
        }
      }
      return;
    }
    case 'conv2d': {
      const X = f64(r.input);
      const [nb, c, h, w] = r.input.shape;
      const [, m, oh, ow] = ds as [number, number, number, number];
      const [kh, kw] = r.kernelShape;
      const [sh, sw] = r.strides;
      const [dh, dw] = r.dilations;
      const [top, left] = r.pads;
      const cg = c / r.groups;
      const mg = m / r.groups;
      for (let n = 0; n < nb; n++) {
        const b = exampleOf(n * c * h * w, r.input.shape, r.inputLoc, batch);
        check(b, exampleOf(n * m * oh * ow, ds, r.deltaLoc, batch));
        const gb = g[b]!;
        for (let o = 0; o < m; o++) {
          const grp = Math.floor(o / mg);
          for (let ci = 0; ci < cg; ci++) {
            for (let a = 0; a < kh; a++) {
              for (let e = 0; e < kw; e++) {
                let s = 0;
                for (let p = 0; p < oh; p++) {
                  const yy = p * sh - top + a * dh;
                  if (yy < 0 || yy >= h) continue;
                  for (let q = 0; q < ow; q++) {
                    const xx = q * sw - left + e * dw;
                    if (xx < 0 || xx >= w) continue;
                    s += D[((n * m + o) * oh + p) * ow + q]! * X[((n * c + grp * cg + ci) * h + yy) * w + xx]!;
                  }
                }
                add(gb, off + ((o * cg + ci) * kh + a) * kw + e, s);
              }
            }
          }
        }
      }
      return;
    }
    case 'scale':
    case 'shift': {
      const X = r.kind === 'scale' ? f64(r.input) : undefined;
      if (X && X.length !== D.length) throw new Error(`scale record ${r.use.node}: input and delta sizes differ`);
      for (let f = 0; f < D.length; f++) {
        const b = exampleOf(f, ds, r.deltaLoc, batch);
        if (X && r.kind === 'scale') check(b, exampleOf(f, r.input.shape, r.inputLoc, batch));
        add(g[b]!, off + broadcastIndex(f, ds, r.broadcastShape), D[f]! * (X ? X[f]! : 1));
      }
      return;
    }
    case 'gather': {
      const ids = r.ids.dataSync();
      const e = r.tableShape[1];
      for (let t = 0; t < ids.length; t++) {
        const b = exampleOf(t, r.ids.shape, r.idsLoc, batch);
        check(b, exampleOf(t * e, ds, r.deltaLoc, batch));
        for (let j = 0; j < e; j++) add(g[b]!, off + ids[t]! * e + j, D[t * e + j]!);
      }
    }
  }
}

/** Per-example gradients (float64, parameters in program order) from one tapped forward/backward pass. */
export function gradientsFromRecords(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss): Float64Array[] {
  const { batch } = program.checkInputs(inputs);
  // Pass 1: which nodes record, and their output shapes (the taps' shapes).
  const tapped = new Map<string, readonly number[]>();
  tf.tidy(() => {
    const seen = new Set<string>();
    const res = program.run(inputs, { onRecord: (r) => seen.add(r.use.node), weightGrads: false });
    for (const n of seen) tapped.set(n, res.nodeShapes.get(n)!);
  });
  const names = [...tapped.keys()];
  const zeros = names.map((n) => tf.zeros([...tapped.get(n)!]));
  const records: PrimitiveRecord[] = [];
  // Pass 2: the deltas dL/d(node output) of the summed loss, as gradients w.r.t. the taps.
  const deltas = tf.grads((...taps: tf.Tensor[]) => {
    const res = program.run(inputs, {
      taps: new Map(names.map((n, i) => [n, taps[i]!])),
      weightGrads: false,
      onRecord: (r) => {
        if (r.kind === 'gather') tf.keep(r.ids);
        else if (r.kind !== 'shift') tf.keep(r.input);
        records.push(r);
      },
    });
    return exampleLosses(loss, perExampleOutputs(res.outputs[0]!, res.locs[0]!, batch), y).sum() as tf.Scalar;
  })(zeros);
  const offsets = new Map<string, number>();
  let total = 0;
  for (const p of program.parameters) {
    offsets.set(p.name, total);
    total += p.size;
  }
  const g = Array.from({ length: batch }, () => new Float64Array(total));
  for (const r of records) {
    const node = deltas[names.indexOf(r.use.node)]!;
    const d = tf.tidy(() => r.delta(node));
    accumulate(r, d, batch, g, offsets.get(r.use.param)!);
    if (d !== node) d.dispose();
  }
  // Records may share tensors (and an input may be the caller's): dispose only what passes created.
  const mine = new Set(records.flatMap((r) => (r.kind === 'gather' ? [r.ids] : r.kind === 'shift' ? [] : [r.input])));
  const given = new Set(inputs instanceof tf.Tensor ? [inputs] : Object.values(inputs));
  for (const t of mine) if (!given.has(t)) t.dispose();
  for (const t of [...zeros, ...deltas]) t.dispose();
  return g;
}
