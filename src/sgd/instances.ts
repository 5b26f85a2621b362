/**
 * Random instances (N, d, data, α, T, w_0) of the finite-sum families, as fast-check arbitraries,
 * for Theorems 3.1 and 3.2 and their counterexample searches. Small on purpose: N ≤ 6, d ≤ 4,
 * entries are multiples of 1/4 in [−2, 2] times a power of two 2^s, s ∈ [−2, 2] (exact in
 * binary, readable in a counterexample), α = (j/64)·α_max with j ∈ [1, 63] (α_max is 2/(NL) for the
 * theorems, 2/L for the step-size variant), T ≤ 24 for least squares (exact moment oracle) and
 * N^T ≤ 729 for the families whose exact expectations come from enumerating every SGD path.
 *
 * Families (`aux` holds the family's extra data):
 * - 'ls-interp':  aux = z ∈ R^N and w* = w_0 − Aᵀz, b = A w*. Every consistent (A, b, w_0) arises
 *   this way (z = (AAᵀ)⁺(A w_0 − b)) and w* is then the solution nearest w_0, so R = ‖w_0 − w*‖ is
 *   the smallest radius of the ball argument (components of w − w* orthogonal to the rows never
 *   move and never matter).
 * - 'ls-noisy':   N > d, aux = b (generic, so not interpolating); instances whose AᵀA is singular or
 *   has condition > 1e8 are filtered out.
 * - 'logistic-orth': x_i = (scale) · v_i e_i (orthogonal; any orthogonal set is a rotation of
 *   this and SGD is rotation-equivariant); aux = labels. 'logistic-near': the same plus a
 *   perturbation in multiples of 1/16 on every coordinate (linearly independent ones are kept).
 * - 'robust-interp': as 'ls-interp' with φ(r) = r²/(1 + r²); 'robust-noisy': aux = b.
 */
import fc from 'fast-check';
import { BadInputError } from '../errors.ts';
import { LeastSquares } from './least-squares.ts';
import { LogisticRegression } from './logistic.ts';
import { RobustRegression } from './robust-regression.ts';
import type { FiniteSumProblem } from './problem.ts';
import { momentOracle } from './moment-oracle.ts';
import { enumerateSgd, type ExpectationTrajectory } from './enumerate.ts';

/** The families of `SgdInstance`. */
export type Family = 'ls-interp' | 'ls-noisy' | 'logistic-orth' | 'logistic-near' | 'robust-interp' | 'robust-noisy';

/** All families. */
export const ALL_FAMILIES: readonly Family[] = ['ls-interp', 'ls-noisy', 'logistic-orth', 'logistic-near', 'robust-interp', 'robust-noisy'];

/** One instance: data, step fraction, horizon, start (see module doc for `aux`). */
export interface SgdInstance {
  family: Family;
  rows: number[][];
  aux: number[];
  /** α = alphaFrac · α_max, alphaFrac ∈ (0, 1). */
  alphaFrac: number;
  T: number;
  w0: number[];
}

/** The most SGD paths the enumeration oracle walks for one instance in the arbitraries. */
export const ENUMERATION_CAP = 729;

const MAXN = 6;
const MAXD = 4;

/** Largest T with N^T ≤ cap. */
export function maxEnumerableT(n: number, cap = ENUMERATION_CAP): number {
  let t = 0;
  while (n ** (t + 1) <= cap) t++;
  return t;
}

const quarter = fc.integer({ min: -8, max: 8 });

function sizes(family: Family): { n: [number, number]; d: [number, number] } {
  switch (family) {
    case 'ls-interp': return { n: [2, 5], d: [1, 4] };
    case 'ls-noisy': return { n: [2, 6], d: [1, 3] };
    case 'logistic-orth':
    case 'logistic-near': return { n: [2, 3], d: [2, 4] };
    case 'robust-interp':
    case 'robust-noisy': return { n: [2, 4], d: [1, 3] };
  }
}

/** The problem an instance describes, or null when it is degenerate (filtered by the arbitrary). */
export function materialize(inst: SgdInstance): FiniteSumProblem | null {
  const rows = inst.rows.map((r) => Float64Array.from(r));
  const w0 = Float64Array.from(inst.w0);
  try {
    switch (inst.family) {
      case 'ls-interp':
      case 'robust-interp': {
        const wstar = Float64Array.from(w0);
        rows.forEach((a, i) => { for (let k = 0; k < a.length; k++) wstar[k]! -= inst.aux[i]! * a[k]!; });
        return inst.family === 'ls-interp' ? LeastSquares.interpolating(rows, wstar) : RobustRegression.interpolating(rows, wstar);
      }
      case 'ls-noisy': return LeastSquares.fromData(rows, inst.aux, 'ls-noisy');
      case 'robust-noisy': return RobustRegression.fromData(rows, inst.aux);
      case 'logistic-orth':
      case 'logistic-near': return new LogisticRegression(rows, inst.aux, inst.family);
    }
  } catch (e) {
    // Degenerate data (zero rows, rank deficiency, dependent logistic data) are BadInputErrors and
    // are filtered out; anything else is a bug and propagates.
    if (e instanceof BadInputError) return null;
    throw e;
  }
}

/**
 * Exact E[F(w_k) − F*] and E‖∇F(w_k)‖², k = 0..T: the moment oracle for least squares, the
 * enumeration of all N^T paths otherwise (or when `method` = 'enumerate').
 */
export function exactExpectations(p: FiniteSumProblem, w0: Float64Array, alpha: number, T: number, method: 'auto' | 'enumerate' = 'auto'): ExpectationTrajectory & { method: string } {
  if (method === 'auto' && p instanceof LeastSquares) return { ...momentOracle(p, w0, alpha, T), method: 'moments' };
  return { ...enumerateSgd(p, w0, alpha, T), method: 'enumeration' };
}

/** fast-check arbitrary of valid instances of one family. */
export function familyArb(family: Family): fc.Arbitrary<SgdInstance> {
  const { n, d } = sizes(family);
  const enumerated = !family.startsWith('ls-');
  return fc.record({
    n: fc.integer({ min: n[0], max: n[1] }),
    d: fc.integer({ min: d[0], max: d[1] }),
    grid: fc.array(fc.array(quarter, { minLength: MAXD, maxLength: MAXD }), { minLength: MAXN, maxLength: MAXN }),
    scaleExp: fc.integer({ min: -2, max: 2 }),
    aux: fc.array(quarter, { minLength: MAXN, maxLength: MAXN }),
    labels: fc.array(fc.boolean(), { minLength: MAXN, maxLength: MAXN }),
    diag: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: MAXN, maxLength: MAXN }),
    alpha: fc.integer({ min: 1, max: 63 }),
    T: fc.integer({ min: 1, max: enumerated ? 9 : 24 }),
    w0: fc.array(quarter, { minLength: MAXD, maxLength: MAXD }),
  }).map((r): SgdInstance => {
    let nn = r.n;
    let dd = r.d;
    if (family === 'ls-noisy') { dd = Math.min(dd, nn - 1); }
    if (family.startsWith('logistic')) nn = Math.min(nn, dd);
    const s = 2 ** r.scaleExp;
    let rows: number[][];
    if (family.startsWith('logistic')) {
      rows = Array.from({ length: nn }, (_, i) => Array.from({ length: dd }, (_, k) => {
        const base = k === i ? (r.labels[(i + 1) % MAXN] ? 1 : -1) * r.diag[i]! / 4 : 0;
        const pert = family === 'logistic-near' ? r.grid[i]![k]! / 16 : 0;
        return s * (base + pert);
      }));
    } else {
      rows = Array.from({ length: nn }, (_, i) => Array.from({ length: dd }, (_, k) => (s * r.grid[i]![k]!) / 4));
    }
    const aux = family.startsWith('logistic')
      ? Array.from({ length: nn }, (_, i) => (r.labels[i] ? 1 : -1))
      : Array.from({ length: nn }, (_, i) => r.aux[i]! / 4);
    const T = enumerated ? Math.max(1, Math.min(r.T, maxEnumerableT(nn))) : r.T;
    return { family, rows, aux, alphaFrac: r.alpha / 64, T, w0: r.w0.slice(0, dd).map((v) => v / 4) };
  }).filter((inst) => materialize(inst) !== null);
}

/** fast-check arbitrary over the given families (uniform choice of family). */
export function sgdInstanceArb(families: readonly Family[]): fc.Arbitrary<SgdInstance> {
  return fc.oneof(...families.map((f) => familyArb(f)));
}
