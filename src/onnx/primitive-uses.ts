/**
 * The boundary between the ONNX interpreter and the probe's rules: a PrimitiveRecord
 * (records.ts, ONNX's layouts, examples wherever the graph put them) becomes the probe's
 * PrimitiveCall + δ (models/primitives.ts, src/probe/rules/: examples first, NHWC convs with
 * [kh, kw, cin/groups, cout] kernels), so that ONE set of per-primitive Gram rules serves spec
 * models and ONNX graphs alike.
 *
 * Shapes. "Rows" = `exampleMajor` (batch-loc.ts): [B, ...rest] with every entry of example b in
 * row b — the layout every rule assumes (a rule sums contiguous rows into groups and treats the
 * rest as positions). Per kind:
 * - matmul: input U [..., K] and δ [..., N] as rows [B, ..., K] / [B, ..., N] (the same
 *   transform of the same leading axes, so position t of example b pairs up in both);
 *   `transposed` = weightLayout 'out-in'; paramShape = the parameter's own shape ([K, N] or
 *   [N, K]), which is also the layout of the materialized sums.
 * - conv2d: X [N, C, H, W] (examples on axis 0, N = outer·B) → rows [B·outer, C, H, W] (example
 *   b's images contiguous) → NHWC; δ likewise; kernel OIHW → paramShape HWIO
 *   [kh, kw, C/groups, O]; geometry {kh, kw, strides, pads [top, bottom, left, right] from ONNX's
 *   [top, left, bottom, right], dilations}. The rule's groups then still sum contiguous rows, so
 *   B·outer rows per K groups are exactly the examples of each group.
 * - scale / shift: x̂ (scale) and δ as rows; paramShape = the record's broadcast shape carried
 *   through the same transform (exampleMajorBroadcast), which the rules' sumToParam reduces over.
 * - gather: ids and δ as rows; paramShape [V, E].
 * Tied parameters keep one layout across uses (matmul: the parameter's own; conv: HWIO), as
 * src/probe/parameter-gram.ts requires for the cross terms.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from '../../models/ops/conv2d.ts';
import type { PrimitiveCall } from '../../models/primitives.ts';
import { exampleMajor, exampleMajorBroadcast, type BatchLoc } from './batch-loc.ts';
import type { PrimitiveRecord } from './records.ts';

/** [B, ...] with example b's entries in row b. */
function rows(t: tf.Tensor, loc: BatchLoc, batch: number): tf.Tensor {
  return exampleMajor(t, loc, batch);
}

/** NCHW with examples on axis 0 (N = outer·B) → NHWC rows [B·outer, H, W, C]. */
function nhwcRows(t: tf.Tensor, loc: BatchLoc, batch: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, c, h, w] = t.shape as [number, number, number, number];
    return tf.transpose(rows(t, loc, batch).reshape([-1, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  });
}

/** The conv geometry of a Conv2d record in the rules' terms. */
export function convGeometry(r: Extract<PrimitiveRecord, { kind: 'conv2d' }>): ConvGeometry {
  const [top, left, bottom, right] = r.pads;
  return {
    kh: r.kernelShape[0], kw: r.kernelShape[1], strideH: r.strides[0], strideW: r.strides[1],
    pads: [top, bottom, left, right], dilationH: r.dilations[0], dilationW: r.dilations[1],
  };
}

/**
 * The PrimitiveCall of a record, with its input (if any) converted to the rules' layout. The
 * returned call's input is a NEW tensor (a clone where no conversion was needed) that the caller
 * owns. `paramShape` is the parameter's ONNX shape.
 */
export function callOf(r: PrimitiveRecord, batch: number, paramShape: readonly number[]): PrimitiveCall {
  const own = (t: tf.Tensor, src: tf.Tensor) => (t === src ? t.clone() : t);
  const param = r.use.param;
  switch (r.kind) {
    case 'matmul':
      return { kind: 'matmul', param, paramShape: [...paramShape], input: own(rows(r.input, r.inputLoc, batch), r.input), transposed: r.weightLayout === 'out-in' };
    case 'conv2d': {
      const [o, ig, kh, kw] = paramShape as [number, number, number, number];
      return { kind: 'conv2d', param, paramShape: [kh, kw, ig, o], input: nhwcRows(r.input, r.inputLoc, batch), geometry: convGeometry(r), groups: r.groups };
    }
    case 'scale':
      return { kind: 'scale', param, paramShape: exampleMajorBroadcast(r.broadcastShape, r.input.shape, r.inputLoc, batch), input: own(rows(r.input, r.inputLoc, batch), r.input) };
    case 'shift':
      return { kind: 'shift', param, paramShape: exampleMajorBroadcast(r.broadcastShape, r.outputShape, r.deltaLoc, batch) };
    case 'gather':
      return { kind: 'gather', param, paramShape: [...r.tableShape], input: own(rows(r.ids, r.idsLoc, batch), r.ids) };
  }
}

/**
 * The δ of a record's primitive in the rules' layout, from the δ of its node's output. When the
 * record's mapping is the identity, results are cached in `shared` (by layout and location) so
 * that the uses of one node get the SAME tensor — which lets parameter-gram.ts fold a Gemm's bias
 * into its matmul's ghost form. Every tensor returned is new (never `nodeDelta` itself) and owned
 * by the caller, once per distinct tensor.
 */
export function deltaOf(r: PrimitiveRecord, nodeDelta: tf.Tensor, batch: number, shared: Map<string, tf.Tensor>): tf.Tensor {
  const layout = r.kind === 'conv2d' ? 'nhwc' : 'rows';
  const convert = (d: tf.Tensor) => (r.kind === 'conv2d' ? nhwcRows(d, r.deltaLoc, batch) : rows(d, r.deltaLoc, batch));
  const mapped = r.delta(nodeDelta);
  if (mapped === nodeDelta) {
    const key = `${layout}|${r.deltaLoc.axis},${r.deltaLoc.inner}`;
    let t = shared.get(key);
    if (!t) {
      const c = convert(mapped);
      t = c === mapped ? c.clone() : c;
      shared.set(key, t);
    }
    return t;
  }
  const c = convert(mapped);
  if (c !== mapped) mapped.dispose();
  return c;
}
