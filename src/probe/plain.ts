/**
 * The plain batched gradient: ∇ Σ_i f_i w.r.t. every trainable parameter, in one backward pass —
 * what an ordinary training step computes. Used by tests (sum(G) = ‖Σ g_i‖²) and as the
 * benchmark's baseline. On wasm, conv kernel gradients come from models/build.ts's conv2d.
 */
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from '../../models/build.ts';
import { forward } from '../../models/build.ts';
import { exampleLosses } from '../../models/loss.ts';
import { paramSpecs } from '../../models/spec.ts';

/** Names of the trainable parameters, in forward order (batch-norm mean/variance excluded). */
export function trainableNames(model: BuiltModel): string[] {
  return paramSpecs(model.spec).filter((p) => p.trainable).map((p) => p.name);
}

/**
 * Gradient tensors (caller disposes) of the summed loss — or of the mean over each minibatch when
 * `bnMode: 'batch'` is used with `mean: true` — w.r.t. the trainable parameters, in `trainableNames` order.
 */
export function batchGradients(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D,
  opts: { bnMode?: 'stored' | 'batch'; mean?: boolean; stockDense?: boolean } = {}): tf.Tensor[] {
  const names = trainableNames(model);
  const f = (...ps: tf.Tensor[]): tf.Scalar => {
    const params = new Map(names.map((n, i) => [n, ps[i]!]));
    const l = exampleLosses(model.spec.loss, forward(model, x, { params, bnMode: opts.bnMode ?? 'stored', stockDense: opts.stockDense }), y);
    return opts.mean ? tf.mean(l) : tf.sum(l);
  };
  return tf.grads(f)(names.map((n) => model.params.get(n)!));
}

/** The batched gradient flattened into one float64 vector (parameters in `trainableNames` order). */
export function flatGradient(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D,
  opts: { bnMode?: 'stored' | 'batch'; mean?: boolean } = {}): Float64Array {
  const gs = batchGradients(model, x, y, opts);
  const n = gs.reduce((a, g) => a + g.size, 0);
  const out = new Float64Array(n);
  let o = 0;
  for (const g of gs) {
    out.set(g.dataSync(), o);
    o += g.size;
    g.dispose();
  }
  return out;
}
