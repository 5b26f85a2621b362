/**
 * The probe's core: the Gram matrix of (group-summed) per-example gradients in ONE forward and ONE
 * backward pass (DESIGN.md, "The probe").
 *
 * Shapes: x [B, ...input], y [B, K_out] (prepared targets). Every parameter enters the forward
 * pass through a primitive (models/primitives.ts); the recorder (recorder.ts) hooks each
 * primitive's output, one `tf.grads` of Σ_i f_i delivers every δ, and the per-primitive rules
 * (src/probe/rules) turn (input, δ) into each parameter's share of the Gram — several uses of one
 * parameter (tied weights) with their cross terms (parameter-gram.ts). Shares are accumulated in
 * float64.
 *
 * groups = B (default): G_ij = <∇f_i, ∇f_j>, batch norm on stored statistics.
 * groups = K < B: the K×K Gram of the gradients of the K contiguous groups' summed losses, with
 * batch norm on each group's own statistics (bnMode 'batch') — the paper's minibatch protocol.
 *
 * `probeGram` is the same for ANY forward pass that runs its parameters through the primitives
 * with the tap it is given (a spec model here; e.g. an ONNX graph interpreter elsewhere).
 */
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from '../../models/build.ts';
import { forward } from '../../models/build.ts';
import type { PrimitiveTap } from '../../models/primitives.ts';
import { exampleLosses } from '../../models/loss.ts';
import type { GramStrategy, PrimitiveUse } from './rules/index.ts';
import { GradientRecorder } from './recorder.ts';
import { eachParameterGram } from './parameter-gram.ts';

export interface GramOptions {
  /** Number of contiguous groups; default B (per-example). Must divide B. */
  groups?: number;
  /** Batch-norm statistics: default 'stored' when groups = B, else 'batch'. */
  bnMode?: 'stored' | 'batch';
  strategy?: GramStrategy;
}

export interface GramResult {
  /** Row-major K×K. */
  gram: Float64Array;
  k: number;
  /** Per-example losses [B]. */
  losses: Float64Array;
  bnMode: 'stored' | 'batch';
}

/** One recorded forward + backward pass: every parameter's uses with their δ, and the per-example losses. */
export interface RecordedPass {
  /** The uses whose δ arrived, grouped by parameter in first-use order (recorder.ts `usesByParam`). */
  byParam: Map<string, PrimitiveUse[]>;
  /** Per-example losses [B]. */
  losses: Float64Array;
  /** Release the recorded inputs and δ's. */
  dispose(): void;
}

/**
 * Run the forward pass `losses(tap)` (it must return the per-example losses [B] and run every
 * parameter through models/primitives.ts with `tap`) and ONE backward pass of Σ_i f_i, keeping
 * every primitive use's input and δ (the caller disposes the result). Tensors the forward pass
 * creates are released.
 */
export function recordPass(losses: (tap: PrimitiveTap) => tf.Tensor): RecordedPass {
  let recorder: GradientRecorder | undefined;
  let kept: tf.Tensor | undefined;
  const seed = tf.scalar(0);
  try {
    const f = (s: tf.Tensor): tf.Scalar => {
      recorder = new GradientRecorder(s as tf.Scalar);
      const l = losses(recorder);
      kept = tf.keep(l.clone());
      // + 0·s: the seed always reaches the loss, even in a model without parameters.
      return tf.add(tf.sum(l), tf.mul(s, 0)) as tf.Scalar;
    };
    tf.dispose(tf.grads(f)([seed]));
    const out = Float64Array.from(kept!.dataSync());
    const rec = recorder!;
    return { byParam: rec.usesByParam(), losses: out, dispose: () => rec.dispose() };
  } catch (e) {
    recorder?.dispose();
    throw e;
  } finally {
    seed.dispose();
    kept?.dispose();
  }
}

/** Add every parameter's share of the K×K Gram of a recorded pass into `gram` (float64, row-major K×K). */
export function accumulateGram(byParam: Map<string, PrimitiveUse[]>, k: number, strategy: GramStrategy, gram: Float64Array): void {
  eachParameterGram(byParam, k, strategy, (part) => {
    const data = part.dataSync();
    part.dispose();
    for (let i = 0; i < k * k; i++) gram[i]! += data[i]!;
  });
}

/**
 * The K×K group Gram for a forward pass given as `losses(tap)`: it must return the per-example
 * losses [B] and run every parameter through models/primitives.ts with `tap`. Tensors created
 * by `losses` are released; the result is plain float64.
 */
export function probeGram(batch: number, losses: (tap: PrimitiveTap) => tf.Tensor, opts: { groups?: number; strategy?: GramStrategy } = {}): { gram: Float64Array; k: number; losses: Float64Array } {
  const k = opts.groups ?? batch;
  if (!Number.isInteger(k) || k < 1 || batch % k !== 0) throw new Error(`groups (${k}) must divide the batch size (${batch})`);
  const pass = recordPass(losses);
  try {
    const gram = new Float64Array(k * k);
    accumulateGram(pass.byParam, k, opts.strategy ?? 'auto', gram);
    return { gram, k, losses: pass.losses };
  } finally {
    pass.dispose();
  }
}

/** Gram of per-example (or per-group) loss gradients of a spec model in one backward pass. */
export function computeGram(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D, opts: GramOptions = {}): GramResult {
  const b = x.shape[0]!;
  const k = opts.groups ?? b;
  const bnMode = opts.bnMode ?? (k === b ? 'stored' : 'batch');
  const r = probeGram(b, (tap) => exampleLosses(model.spec.loss, forward(model, x, { tap, bnMode, groupSize: b / k }), y), { groups: k, strategy: opts.strategy });
  return { ...r, bnMode };
}
