/**
 * Plain SGD with a constant step and batch 1 (THEOREMS.md, Notation; Theorems 3.1, 3.2, Figure 1):
 * w_{k+1} = w_k − α ∇f_{i_k}(w_k), i_k uniform on {0..N−1}, drawn from a seeded `Rng`.
 */
import { Rng } from '../rng.ts';
import type { FiniteSumProblem } from './problem.ts';

/** One SGD step on component i, in place: w ← w − α ∇f_i(w). `scratch` has length d. */
export function sgdStep(p: FiniteSumProblem, w: Float64Array, i: number, alpha: number, scratch: Float64Array): Float64Array {
  p.grad(i, w, scratch);
  for (let k = 0; k < p.d; k++) w[k]! -= alpha * scratch[k]!;
  return w;
}

/** Options of `runSgd`. */
export interface SgdOptions {
  /** Seed of the index stream (i_k = rng.int(N)). Ignored when `indices` is given. */
  seed?: number;
  /** An explicit index sequence (length ≥ steps). */
  indices?: ArrayLike<number>;
  /** Called with (k, w_k) for k = 0, every, 2·every, …, and at k = steps. */
  record?: (k: number, w: Float64Array) => void;
  every?: number;
}

/** Runs `steps` SGD steps from w0 (not modified); returns the final iterate w_steps. */
export function runSgd(p: FiniteSumProblem, w0: ArrayLike<number>, alpha: number, steps: number, o: SgdOptions = {}): Float64Array {
  const w = Float64Array.from(w0);
  const g = new Float64Array(p.d);
  const rng = o.indices ? undefined : new Rng(o.seed ?? 0);
  const every = o.every ?? 1;
  o.record?.(0, w);
  for (let k = 0; k < steps; k++) {
    const i = o.indices ? o.indices[k]! : rng!.int(p.n);
    sgdStep(p, w, i, alpha, g);
    if (o.record && ((k + 1) % every === 0 || k + 1 === steps)) o.record(k + 1, w);
  }
  return w;
}
