/**
 * The five parametric primitives every parameter of a model enters through, and the hook the
 * probe uses to see them (DESIGN.md, "The probe": rules are keyed by primitive, not by layer).
 *
 * - matmul:  y = x · W on the last axis, x [B, …, in], W [in, out] (or `transposed`: W [out, in],
 *            y = x · Wᵀ — a tied embedding table used as an output layer);
 * - conv2d:  y = conv(x, W), x [B, H, W, cin] NHWC, W [kh, kw, cin/groups, cout], explicit geometry;
 * - scale:   y = x ⊙ γ, γ broadcast against x's trailing axes (numpy rules);
 * - shift:   y = x + β, β broadcast likewise (biases, normalization β);
 * - gather:  y = table[ids], table [V, D], ids integer [B, …] → [B, …, D].
 *
 * Each function computes y and, when given a `PrimitiveTap`, reports a `PrimitiveCall` — the
 * primitive's kind, the parameter's name and shape, what multiplies the parameter (x, or the ids)
 * and the metadata its rule needs — and continues with the tensor the tap returns. A layer
 * module (models/layers/) touches its parameters only through these functions; any other
 * forward pass (e.g. an ONNX graph interpreter) that does the same gets the probe for free.
 * Batch axis first everywhere; every call's output is [B, …].
 */
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './ops/conv2d.ts';
import { conv2d as convOp } from './ops/conv2d.ts';
import { matMulLastAxis } from './ops/matmul.ts';
import { embeddingLookup } from './ops/gather.ts';

export type PrimitiveKind = 'matmul' | 'conv2d' | 'scale' | 'shift' | 'gather';

interface CallBase {
  /** The parameter's name (safetensors name for spec models). Uses with the same name share it (tied weights). */
  param: string;
  /** The parameter's shape. */
  paramShape: number[];
}
/** y [B, …, out] = x [B, …, in] · W; W [in, out], or [out, in] when `transposed` (y = x · Wᵀ). */
export interface MatmulCall extends CallBase { kind: 'matmul'; input: tf.Tensor; transposed: boolean }
/** y [B, Ho, Wo, cout] = conv(x [B, H, W, cin], W [kh, kw, cin/groups, cout]). */
export interface Conv2dCall extends CallBase { kind: 'conv2d'; input: tf.Tensor4D; geometry: ConvGeometry; groups: number }
/** y = x ⊙ γ; `input` is x (same shape as y). */
export interface ScaleCall extends CallBase { kind: 'scale'; input: tf.Tensor }
/** y = x + β (β's gradient does not depend on x). */
export interface ShiftCall extends CallBase { kind: 'shift' }
/** y [B, …, D] = table[ids]; `input` is ids, int32 [B, …]; paramShape [V, D]. */
export interface GatherCall extends CallBase { kind: 'gather'; input: tf.Tensor }
export type PrimitiveCall = MatmulCall | Conv2dCall | ScaleCall | ShiftCall | GatherCall;

/**
 * Receives every primitive call of a forward pass with its output y, and returns the tensor the
 * forward pass continues with (the probe returns y with a gradient hook that captures δ = ∂L/∂y).
 * The call's tensors belong to the forward pass: keep (clone) what outlives it.
 *
 * Several calls may report the SAME output: y = x·W + b is a matmul and a shift whose δ are both
 * ∂L/∂y (x·W feeds nothing else). Report the matmul with y, then the shift with the tensor the tap
 * returned; the tap recognizes the tensor and gives both calls one δ (see `linear`).
 */
export interface PrimitiveTap {
  use(call: PrimitiveCall, output: tf.Tensor): tf.Tensor;
}

/** Options shared by the primitives. */
export interface PrimitiveOptions {
  tap?: PrimitiveTap;
  /** Kernel gradients wanted (training, plain gradients); false skips them on wasm's hand-written paths. */
  kernelGrad?: boolean;
  /** matmul only: tfjs's stock tf.matMul and gradients (the benchmark's "stock" baseline). */
  stock?: boolean;
}

const report = (o: PrimitiveOptions, call: PrimitiveCall, y: tf.Tensor): tf.Tensor => (o.tap ? o.tap.use(call, y) : y);

/** x [B, …, in] · w on the last axis (w [in, out], or [out, in] with `transposed`). */
export function matmul(x: tf.Tensor, w: tf.Tensor, param: string, o: PrimitiveOptions & { transposed?: boolean } = {}): tf.Tensor {
  const transposed = o.transposed ?? false;
  const w2 = (transposed ? tf.transpose(w) : w) as tf.Tensor2D;
  const y = matMulLastAxis(x, w2, o.kernelGrad ?? true, o.stock ?? false);
  return report(o, { kind: 'matmul', param, paramShape: w.shape, input: x, transposed }, y);
}

/**
 * y = x·W + b on the last axis (b optional): the matmul and the shift reported on the one output
 * y (they share δ = ∂L/∂y, which lets the probe fold the bias into the matmul's ghost form as
 * (a·a + 1)). `transposed` as for `matmul`.
 */
export function linear(x: tf.Tensor, w: tf.Tensor, param: string, b: tf.Tensor | undefined, biasParam: string, o: PrimitiveOptions & { transposed?: boolean } = {}): tf.Tensor {
  const transposed = o.transposed ?? false;
  const w2 = (transposed ? tf.transpose(w) : w) as tf.Tensor2D;
  const m = matMulLastAxis(x, w2, o.kernelGrad ?? true, o.stock ?? false);
  const y = report(o, { kind: 'matmul', param, paramShape: w.shape, input: x, transposed }, b ? tf.add(m, b) : m);
  return b ? report(o, { kind: 'shift', param: biasParam, paramShape: b.shape }, y) : y;
}

/** conv2d of x [B, H, W, cin] with w [kh, kw, cin/groups, cout]. */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor4D, param: string, geometry: ConvGeometry, groups: number, o: PrimitiveOptions = {}): tf.Tensor4D {
  const y = convOp(x, w, geometry, groups, o.kernelGrad ?? true);
  return report(o, { kind: 'conv2d', param, paramShape: w.shape, input: x, geometry, groups }, y) as tf.Tensor4D;
}

/** x ⊙ γ (γ broadcast against x's trailing axes). */
export function scale(x: tf.Tensor, gamma: tf.Tensor, param: string, o: PrimitiveOptions = {}): tf.Tensor {
  return report(o, { kind: 'scale', param, paramShape: gamma.shape, input: x }, tf.mul(x, gamma));
}

/** x + β (β broadcast against x's trailing axes). */
export function shift(x: tf.Tensor, beta: tf.Tensor, param: string, o: PrimitiveOptions = {}): tf.Tensor {
  return report(o, { kind: 'shift', param, paramShape: beta.shape }, tf.add(x, beta));
}

/** table [V, D] rows at integer ids [B, …] (int32) → [B, …, D]. */
export function gather(table: tf.Tensor, ids: tf.Tensor, param: string, o: PrimitiveOptions = {}): tf.Tensor {
  return report(o, { kind: 'gather', param, paramShape: table.shape, input: ids }, embeddingLookup(table as tf.Tensor2D, ids));
}
