/**
 * The slow, obviously-correct twin of the probe: one backward pass PER EXAMPLE (or per
 * minibatch), gradients w.r.t. the parameters themselves flattened to float64 vectors, and the
 * Gram / cosines from explicit dot products. Same interface as the fast path; used by the tests
 * and as the benchmark's per-example reference.
 */
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel } from '../../models/build.ts';
import { exampleLosses } from '../../models/loss.ts';
import { forward } from '../../models/build.ts';
import { flatGradient } from './plain.ts';
import type { GramResult } from './gram.ts';

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Explicit per-example gradients g_i (float64), batch norm on stored statistics. */
export function perExampleGradients(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D): Float64Array[] {
  const b = x.shape[0]!;
  const out: Float64Array[] = [];
  for (let i = 0; i < b; i++) {
    const xi = tf.slice(x, i, 1);
    const yi = tf.slice(y, i, 1);
    out.push(flatGradient(model, xi, yi, { bnMode: 'stored' }));
    xi.dispose();
    yi.dispose();
  }
  return out;
}

/** Gram from explicit per-example gradients: one backward pass per example. */
export function referenceGram(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D): GramResult {
  const gs = perExampleGradients(model, x, y);
  const b = gs.length;
  const gram = new Float64Array(b * b);
  for (let i = 0; i < b; i++) {
    for (let j = i; j < b; j++) {
      const v = dot(gs[i]!, gs[j]!);
      gram[i * b + j] = v;
      gram[j * b + i] = v;
    }
  }
  const losses = tf.tidy(() => exampleLosses(model.spec.loss, forward(model, x, { bnMode: 'stored' }), y).dataSync());
  return { gram, k: b, losses: Float64Array.from(losses), bnMode: 'stored' };
}

/** Gradient of the mean loss of each minibatch (batch norm on its own statistics), computed alone. */
export function minibatchGradient(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D): Float64Array {
  return flatGradient(model, x, y, { bnMode: 'batch', mean: true });
}

export { dot };
