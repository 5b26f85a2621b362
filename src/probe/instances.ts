/** Random probe instances (model + data) and error measures, shared by tests, theorem checks and the benchmark. */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../models/spec.ts';
import { buildModel, type BuiltModel } from '../../models/build.ts';
import { randomData, randomWeights } from '../../models/arbitraries.ts';

/** max|a − b| / max|b| (0 when both are all zeros). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return m === 0 ? d : d / m;
}

/** A model with random weights and random data for it, as tensors (dispose with `done`). */
export function randomInstance(spec: ModelSpec, n: number, seed: number): { model: BuiltModel; x: tf.Tensor; y: tf.Tensor2D; done: () => void } {
  const model = buildModel(spec, randomWeights(spec, seed));
  const d = randomData(spec, n, seed + 1);
  const x = tf.tensor(d.x, d.xShape);
  const y = tf.tensor2d(d.y, d.yShape as [number, number]);
  return { model, x, y, done: () => { model.dispose(); tf.dispose([x, y]); } };
}
