/**
 * The probe's `PrimitiveTap` (models/primitives.ts): records every primitive call of a forward
 * pass and hooks its output y so that the ONE backward pass of the summed loss also delivers
 * δ = ∂(Σ_i f_i)/∂y of every use.
 *
 * How: y is replaced by hook(y, s): an identity in y whose gradient function keeps a copy of
 * the incoming gradient — which tfjs passes once, summed over all consumers of y, i.e. exactly
 * δ — and hands it on unchanged. s is a scalar the backward pass differentiates against; as a
 * second input of every hook it puts every hooked tensor on a path from s to the loss, in any
 * graph, so tfjs runs the backward pass through all of them. No arithmetic, no shapes in
 * advance; the "gradient" w.r.t. s is defined as 0 and discarded.
 *
 * A call that reports a tensor this recorder returned for an earlier call (models/primitives.ts
 * `linear`: y = x·W + b) gets no hook of its own: both calls share the one δ (the same tensor),
 * which src/probe/gram.ts uses to fold a bias into its matmul's ghost form.
 *
 * The recorded inputs are clones kept past the forward pass; `dispose` releases them and the δ's.
 */
import * as tf from '@tensorflow/tfjs';
import type { PrimitiveCall, PrimitiveTap } from '../../models/primitives.ts';
import type { PrimitiveUse } from './rules/index.ts';

/**
 * hook(y, s): the identity in y whose gradient function hands a kept copy of the incoming
 * gradient δ = ∂L/∂y to `keep` (the caller disposes it) and passes δ on; the gradient w.r.t. the
 * seed s is 0. See the module comment for why s is an input.
 */
export function deltaHook(output: tf.Tensor, seed: tf.Scalar, keep: (delta: tf.Tensor) => void): tf.Tensor {
  const hook = tf.customGrad(((t: tf.Tensor, s: tf.Tensor) => ({
    value: t.clone(),
    gradFunc: (dy: tf.Tensor) => {
      keep(tf.keep(dy.clone()));
      return [dy.clone(), tf.zerosLike(s)];
    },
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return hook(output, seed) as tf.Tensor;
}

interface Recorded { call: PrimitiveCall; delta?: tf.Tensor; sharesWith?: Recorded }

export class GradientRecorder implements PrimitiveTap {
  private readonly recorded: Recorded[] = [];
  /** Hooked outputs returned so far → their record (a call reporting one of them shares its δ). */
  private readonly hooked = new Map<tf.Tensor, Recorded>();
  constructor(private readonly seed: tf.Scalar) {}

  use(call: PrimitiveCall, output: tf.Tensor): tf.Tensor {
    const kept: PrimitiveCall = call.kind === 'shift' ? { ...call } : { ...call, input: tf.keep(call.input.clone()) } as PrimitiveCall;
    const owner = this.hooked.get(output);
    if (owner) {
      // Same output as an earlier call (y = x·W + b): one δ for both.
      this.recorded.push({ call: kept, sharesWith: owner });
      return output;
    }
    const rec: Recorded = { call: kept };
    this.recorded.push(rec);
    const hookedOutput = deltaHook(output, this.seed, (dy) => {
      rec.delta?.dispose();
      rec.delta = dy;
    });
    this.hooked.set(hookedOutput, rec);
    return hookedOutput;
  }

  /**
   * The uses whose δ arrived (a primitive whose output does not reach the loss has none: its
   * contribution is zero), grouped by parameter in first-use order.
   */
  usesByParam(): Map<string, PrimitiveUse[]> {
    const out = new Map<string, PrimitiveUse[]>();
    for (const r of this.recorded) {
      const delta = r.sharesWith ? r.sharesWith.delta : r.delta;
      if (!delta) continue;
      const list = out.get(r.call.param) ?? [];
      list.push({ call: r.call, delta });
      out.set(r.call.param, list);
    }
    return out;
  }

  dispose(): void {
    for (const r of this.recorded) {
      if (r.call.kind !== 'shift') r.call.input.dispose();
      r.delta?.dispose();
    }
    this.recorded.length = 0;
    this.hooked.clear();
  }
}
