/**
 * The interface every ONNX op implementation has, and the values it works on.
 *
 * A value is either a host constant (initializers that are not parameters, Constant nodes,
 * shapes and everything computed only from them: evaluated once on the host, never traced) or
 * a tfjs tensor together with where its examples are (batch-loc.ts). Float tensors are float32,
 * integer tensors int32 (tfjs has no int64; int64 shape values beyond ±2^31 only occur as Slice
 * bounds, which stay on the host).
 */
import type * as tf from '@tensorflow/tfjs';
import type { BatchLoc } from '../batch-loc.ts';
import type { ElemKind, HostTensor } from '../host-tensor.ts';
import type { AttrValue, OnnxNode } from '../read-model.ts';
import type { PrimitiveKind, RecordDraft } from '../records.ts';

/** A host constant. */
export interface HostValue {
  readonly host: HostTensor;
}

/** A tfjs tensor; `loc` null when it does not depend on the examples. */
export interface TensorValue {
  readonly t: tf.Tensor;
  readonly kind: ElemKind;
  readonly loc: BatchLoc | null;
}

export type Value = HostValue | TensorValue;

export function isHost(v: Value): v is HostValue {
  return 'host' in v;
}

/** What an op sees of the interpreter while it runs. */
export interface OpContext {
  readonly node: OnnxNode;
  /** Default-domain opset of the graph. */
  readonly opset: number;
  /** Number of examples (axis 0 of the graph inputs). */
  readonly batch: number;
  /** Throw a one-line BadInputError naming the node. */
  fail(message: string): never;
  /**
   * Refuse an op that would combine different examples (see batch-loc.ts). A no-op with one
   * example, where every location is right and nothing can mix.
   */
  mixes(message: string): void;
  /** The value as a tfjs tensor (host constants converted once per run). */
  tensor(v: Value): tf.Tensor;
  /** A host integer input as numbers (e.g. Reshape's shape); fails when it is not on the host. */
  ints(v: Value | undefined, what: string): number[];
  /** Attribute accessors with ONNX defaults. */
  attrInt(name: string, dflt: number): number;
  attrFloat(name: string, dflt: number): number;
  attrInts(name: string): number[] | undefined;
  attrString(name: string, dflt: string): string;
  attr(name: string): AttrValue | undefined;
  /** The parameter occupying input slot `slot`, if it is one (parameters.ts decided statically). */
  param(slot: number): string | undefined;
  /** Emit the record of the parameter at `slot` (called only when `param(slot)` is defined and records are wanted). */
  record(slot: number, draft: RecordDraft): void;
  /** Whether parameter gradients may be asked for in this run (false: the probe's tap-only pass skips kernel-gradient work). */
  readonly weightGrads: boolean;
  /** Whether records are being collected in this run (ops skip extra work otherwise). */
  readonly recording: boolean;
  /** BatchNormalization: stored statistics, or each contiguous group's own (RunOptions.bnMode). */
  readonly bnMode: 'stored' | 'batch';
  /** bnMode 'batch': examples per group (divides `batch`). */
  readonly groupSize: number;
}

/** Slot → primitive kind, for inputs that are float initializers, given which inputs depend on the examples. */
export type PrimitiveSlots = (node: OnnxNode, dynamic: (slot: number) => boolean) => { slot: number; kind: PrimitiveKind }[];

/**
 * One ONNX op. When every input of a node is a host constant, the interpreter runs `run` on
 * tfjs tensors made from them and reads the outputs back to the host (shape arithmetic).
 */
export interface OpDef {
  /** Compute the outputs (output 0 at least). */
  run(ctx: OpContext, inputs: readonly (Value | undefined)[]): Value[];
  /** Which input slots are parametric primitives (only ops with parameters). */
  primitives?: PrimitiveSlots;
}
