/**
 * What the interpreter tells the probe about each parametric node: the static parameter uses
 * (found once per graph, parameters.ts) and, per forward pass, one record per use with the
 * tensors a per-primitive Gram rule needs.
 *
 * The probe's contract (DESIGN.md, "The probe"): add a zero "tap" to the output of every
 * parametric node, take gradients with respect to the taps, and build G from each node's
 * recorded input and its delta D = dL/d(node output). A node may carry several primitives that
 * share its output, hence its tap (Gemm: matmul + shift; Conv: conv2d + shift;
 * BatchNormalization / InstanceNormalization / LayerNormalization: scale + shift); each record's
 * `delta` maps the node's D to the delta of that primitive's own output.
 *
 * How ONNX nodes map onto primitives (out = node output 0):
 * - MatMul(A, W), W a parameter [K, N]: matmul, input A [..., K], layout 'in-out', delta = D.
 * - MatMul(W, A), W a parameter [M, K] ON THE LEFT, A [..., K, N]: out = W·A, so outᵀ = Aᵀ·Wᵀ
 *   (ᵀ swaps the last two axes): matmul with input Aᵀ [..., N, K], layout 'out-in' (W is
 *   [out, in]), delta = Dᵀ [..., N, M].
 * - Gemm(A, B, C; alpha, beta, transA, transB) = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A,
 *   B' likewise: B a parameter → matmul with input A', layout transB ? 'out-in' : 'in-out' (so
 *   nn.Linear's weight [out, in] with transB = 1 is 'out-in'), delta = alpha·D; A a parameter
 *   (B dynamic) → the left case above with input B'ᵀ, delta = alpha·Dᵀ; C a parameter → shift
 *   with delta = beta·D.
 * - Add(X, b) / Add(b, X): shift, delta = D. Sub(X, b): shift, delta = −D; Sub(b, X): delta = D.
 *   (A MatMul followed by a bias Add, as torch exports nn.Linear on rank ≥ 3 inputs and
 *   nn.MultiheadAttention's in-projection, is two nodes and two taps: matmul, then shift.)
 * - Mul(X, g) / Mul(g, X): scale, input X, delta = D.
 * - Conv(X, W, B): conv2d with input X (NCHW, unpadded), W [C_out, C_in/groups, kh, kw] ('OIHW'),
 *   strides, pads, dilations, groups; B → shift over axis 1. delta = D for both (NCHW).
 * - BatchNormalization(X, scale, B, mean, var) in inference mode: scale with input
 *   x̂ = (X − mean)/√(var + ε) and shift, both per channel (axis 1); mean and var are constants.
 *   InstanceNormalization likewise with per-instance x̂; LayerNormalization with x̂ normalized
 *   over the axes ≥ `axis`, scale/bias broadcast over the leading axes.
 * - Gather(T, ids) with T a parameter [V, E] (nn.Embedding), axis 0: gather, ids int32 of any
 *   shape, out = T[ids] of shape [...ids.shape, E], delta = D.
 *
 * Gradients of a parameter θ at one use, for the examples summed (the per-example version is
 * the same sum restricted to the entries of example b, located by `inputLoc` / `deltaLoc`):
 * matmul: Uᵀ·Δ summed over leading axes ([K, N]; transpose for 'out-in'); conv2d: the usual
 * filter gradient; scale: Σ over broadcast axes of Δ ⊙ X; shift: Σ over broadcast axes of Δ;
 * gather: rows ids of Δ scatter-added into [V, E]. A parameter with several uses (tied weights)
 * gets the sum over its uses (cross terms in the Gram).
 *
 * Tensors in records belong to the caller's tf scope (inside tf.grads they are disposed when the
 * function returns): `tf.keep` what must outlive it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BatchLoc } from './batch-loc.ts';

/** The parametric primitives of the probe (DESIGN.md): one Gram rule each. */
export type PrimitiveKind = 'matmul' | 'conv2d' | 'scale' | 'shift' | 'gather';

/** Static: one place where a parameter enters the graph. */
export interface ParameterUse {
  /** Node name (unique; the key of a tap). */
  readonly node: string;
  readonly opType: string;
  /** The node input slot the parameter occupies. */
  readonly slot: number;
  readonly kind: PrimitiveKind;
  /** Parameter name (an initializer, or the output of an Identity copying one: parameters.ts). */
  readonly param: string;
}

interface RecordBase {
  readonly use: ParameterUse;
  /** Shape of the node's output (= the tap's shape) and where its examples are. */
  readonly outputShape: readonly number[];
  readonly outputLoc: BatchLoc;
  /** dL/d(node output) → dL/d(this primitive's output); see the module comment. */
  readonly delta: (d: tf.Tensor) => tf.Tensor;
  /** Where the examples are in `delta(d)`. */
  readonly deltaLoc: BatchLoc;
}

/** out = U · W_io on the last axis (W_io [K, N] = the parameter, or its transpose for 'out-in'). */
export interface MatmulRecord extends RecordBase {
  readonly kind: 'matmul';
  /** U [..., K]. */
  readonly input: tf.Tensor;
  readonly inputLoc: BatchLoc;
  /** 'in-out': the parameter is [K, N]; 'out-in': it is [N, K] (nn.Linear's layout). */
  readonly weightLayout: 'in-out' | 'out-in';
}

/** 2-D convolution in ONNX's layouts. */
export interface Conv2dRecord extends RecordBase {
  readonly kind: 'conv2d';
  /** X [B, C_in, H, W] before padding. */
  readonly input: tf.Tensor4D;
  readonly inputLoc: BatchLoc;
  readonly layout: 'NCHW';
  /** [C_out, C_in / groups, kh, kw]. */
  readonly kernelLayout: 'OIHW';
  readonly kernelShape: readonly [number, number];
  readonly strides: readonly [number, number];
  /** [top, left, bottom, right] (ONNX's pads order: begins, then ends). */
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
  readonly groups: number;
}

/** out = X ⊙ broadcast(θ). */
export interface ScaleRecord extends RecordBase {
  readonly kind: 'scale';
  /** X, of the output's shape. */
  readonly input: tf.Tensor;
  readonly inputLoc: BatchLoc;
  /** θ's shape aligned to the output's rank (1 on the axes it broadcasts over). */
  readonly broadcastShape: readonly number[];
}

/** out = … + broadcast(θ). */
export interface ShiftRecord extends RecordBase {
  readonly kind: 'shift';
  readonly broadcastShape: readonly number[];
}

/** out = θ[ids] (rows of a [V, E] table). */
export interface GatherRecord extends RecordBase {
  readonly kind: 'gather';
  /** int32 ids, any shape; out is [...ids.shape, E]. */
  readonly ids: tf.Tensor;
  readonly idsLoc: BatchLoc;
  readonly tableShape: readonly [number, number];
}

/** One primitive use in one forward pass. */
export type PrimitiveRecord = MatmulRecord | Conv2dRecord | ScaleRecord | ShiftRecord | GatherRecord;

/** A record as an op emits it: the interpreter adds the use and the output's shape/location. */
export type RecordDraft =
  | Omit<MatmulRecord, 'use' | 'outputShape' | 'outputLoc'>
  | Omit<Conv2dRecord, 'use' | 'outputShape' | 'outputLoc'>
  | Omit<ScaleRecord, 'use' | 'outputShape' | 'outputLoc'>
  | Omit<ShiftRecord, 'use' | 'outputShape' | 'outputLoc'>
  | Omit<GatherRecord, 'use' | 'outputShape' | 'outputLoc'>;
