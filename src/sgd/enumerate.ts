/**
 * Exact expectations over SGD's randomness by enumerating all N^T index sequences (each has
 * probability N^−T): the obviously-correct twin of the moment oracle for least squares, and the
 * exact oracle for the non-quadratic families (logistic, robust) of Theorems 3.1 and 3.2.
 *
 * E[X(w_k)] = N^−k Σ_{paths of length k} X(w_k), accumulated by a depth-first walk of the tree of
 * paths (every node is one reachable iterate). float64 throughout; each node costs one gradient.
 * The sums are plain, so their rounding error is at most (number of terms)·ε relative to the sum of
 * |terms| — the values summed are non-negative here, so that is relative to the result.
 */
import { BadInputError } from '../errors.ts';
import { sqNorm } from './linalg.ts';
import type { FiniteSumProblem } from './problem.ts';
import { runSgd } from './sgd.ts';

/** Expectations at every step k = 0..T. */
export interface ExpectationTrajectory {
  /** E[F(w_k) − F*] (F*_lo where the problem's F* is only a lower bound). */
  gap: Float64Array;
  /** E‖∇F(w_k)‖². */
  gradSq: Float64Array;
}

/** Options of `enumerateSgd`. */
export interface EnumerateOptions {
  /** Refuse when N^T exceeds this (default 2^17). */
  maxLeaves?: number;
  /** Called once per reachable node: depth k and the iterate w_k (do not keep a reference). */
  visit?: (k: number, w: Float64Array) => void;
}

/** Exact E[F(w_k) − F*] and E‖∇F(w_k)‖², k = 0..T, by enumerating all N^T paths. */
export function enumerateSgd(p: FiniteSumProblem, w0: ArrayLike<number>, alpha: number, T: number, o: EnumerateOptions = {}): ExpectationTrajectory {
  const maxLeaves = o.maxLeaves ?? 1 << 17;
  if (p.n ** T > maxLeaves) throw new BadInputError(`enumeration of ${p.n}^${T} SGD paths exceeds ${maxLeaves}`);
  const gapSum = new Float64Array(T + 1);
  const gradSum = new Float64Array(T + 1);
  const ws = Array.from({ length: T + 1 }, () => new Float64Array(p.d));
  ws[0]!.set(Array.from(w0));
  const g = new Float64Array(p.d);
  const walk = (k: number): void => {
    const w = ws[k]!;
    gapSum[k]! += p.gap(w);
    gradSum[k]! += sqNorm(p.fullGrad(w));
    o.visit?.(k, w);
    if (k === T) return;
    const next = ws[k + 1]!;
    for (let i = 0; i < p.n; i++) {
      p.grad(i, w, g);
      for (let c = 0; c < p.d; c++) next[c] = w[c]! - alpha * g[c]!;
      walk(k + 1);
    }
  };
  walk(0);
  const gap = new Float64Array(T + 1);
  const gradSq = new Float64Array(T + 1);
  for (let k = 0; k <= T; k++) {
    const count = p.n ** k;
    gap[k] = gapSum[k]! / count;
    gradSq[k] = gradSum[k]! / count;
  }
  return { gap, gradSq };
}

/**
 * E[F(w_k) − F*] and E‖∇F(w_k)‖² at one step k by replaying each of the N^k index sequences from
 * w_0 with `runSgd` (path by path, no shared state): slower than `enumerateSgd` and written
 * independently of it and of the moment oracle, for re-checking counterexamples.
 */
export function replayExpectation(p: FiniteSumProblem, w0: ArrayLike<number>, alpha: number, k: number, maxPaths = 1 << 16): { gap: number; gradSq: number; paths: number } {
  const paths = p.n ** k;
  if (paths > maxPaths) throw new BadInputError(`replay of ${p.n}^${k} SGD paths exceeds ${maxPaths}`);
  const idx = new Array<number>(k).fill(0);
  let gap = 0;
  let gradSq = 0;
  for (let path = 0; path < paths; path++) {
    let rest = path;
    for (let j = 0; j < k; j++) { idx[j] = rest % p.n; rest = Math.floor(rest / p.n); }
    const w = runSgd(p, w0, alpha, k, { indices: idx });
    gap += p.gap(w);
    gradSq += sqNorm(p.fullGrad(w));
  }
  return { gap: gap / paths, gradSq: gradSq / paths, paths };
}
