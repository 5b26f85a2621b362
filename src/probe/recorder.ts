/**
 * The probe's `PrimitiveTap` (models/primitives.ts): records every primitive call of a forward
 * pass and hooks its output y so that the ONE backward pass of the summed loss also delivers
 * δ = ∂(Σ_i f_i)/∂y of every use.
 *
 * How: y is replaced by hook(y + s), s a scalar zero that the backward pass differentiates
 * against (so every hooked tensor lies on a path from s to the loss, in any graph), and `hook`
 * is an identity whose gradient function keeps a copy of the incoming gradient — which tfjs
 * passes once, summed over all consumers of y, i.e. exactly δ. No shapes are needed in advance.
 * The gradient w.r.t. s itself (a sum of every δ) is discarded.
 *
 * The recorded inputs are clones kept past the forward pass; `dispose` releases them and the δ's.
 */
import * as tf from '@tensorflow/tfjs';
import type { PrimitiveCall, PrimitiveTap } from '../../models/primitives.ts';
import type { PrimitiveUse } from './rules/index.ts';

interface Recorded { call: PrimitiveCall; delta?: tf.Tensor }

export class GradientRecorder implements PrimitiveTap {
  private readonly recorded: Recorded[] = [];
  constructor(private readonly seed: tf.Scalar) {}

  use(call: PrimitiveCall, output: tf.Tensor): tf.Tensor {
    const kept: PrimitiveCall = call.kind === 'shift' ? { ...call } : { ...call, input: tf.keep(call.input.clone()) } as PrimitiveCall;
    const rec: Recorded = { call: kept };
    this.recorded.push(rec);
    const hook = tf.customGrad(((t: tf.Tensor) => ({
      value: t.clone(),
      gradFunc: (dy: tf.Tensor) => {
        rec.delta?.dispose();
        rec.delta = tf.keep(dy.clone());
        return dy.clone();
      },
    })) as unknown as Parameters<typeof tf.customGrad>[0]);
    return hook(tf.add(output, this.seed));
  }

  /**
   * The uses whose δ arrived (a primitive whose output does not reach the loss has none: its
   * contribution is zero), grouped by parameter in first-use order.
   */
  usesByParam(): Map<string, PrimitiveUse[]> {
    const out = new Map<string, PrimitiveUse[]>();
    for (const r of this.recorded) {
      if (!r.delta) continue;
      const list = out.get(r.call.param) ?? [];
      list.push({ call: r.call, delta: r.delta });
      out.set(r.call.param, list);
    }
    return out;
  }

  /** Every recorded call, δ or not (for tests and cost reports). */
  calls(): readonly PrimitiveCall[] {
    return this.recorded.map((r) => r.call);
  }

  dispose(): void {
    for (const r of this.recorded) {
      if (r.call.kind !== 'shift') r.call.input.dispose();
      r.delta?.dispose();
    }
    this.recorded.length = 0;
  }
}
