/**
 * Labelers C: R^d → R for the paper's data model: on the unit ball, |C(x)| ≤ 1 and
 * ‖∇C(x)‖ ≤ 1 (bounded, 1-Lipschitz targets, as assumed by Theorems 3.1 and 3.2).
 *
 * All labelers here are ridge functions C(x) = φ(⟨u, x⟩) with ‖u‖ ≤ 1 and |φ| ≤ 1, |φ'| ≤ 1 on
 * [-1, 1], so ‖∇C(x)‖ = |φ'(⟨u, x⟩)| ‖u‖ ≤ 1:
 * - linear: φ(t) = t,
 * - tanh:   φ(t) = tanh t,  φ'(t) = 1 − tanh² t,
 * - sin:    φ(t) = sin t,   φ'(t) = cos t.
 * A sign labeler is deliberately absent: it is not Lipschitz, so it violates the model.
 *
 * Shape convention: a batch of points is a row-major `n × d` Float64Array.
 */
import { BadInputError, check } from '../errors.ts';
import { sampleSphere } from './sphere.ts';

/** The labeler families. */
export type LabelerKind = 'linear' | 'tanh' | 'sin';

/** A labeler C(x) = φ(⟨u, x⟩). `offset` lets a method read one row of an `n × d` batch in place. */
export interface Labeler {
  readonly kind: LabelerKind;
  /** The direction u (length d, ‖u‖ ≤ 1). */
  readonly u: Float64Array;
  /** C(x) for x = `x[offset .. offset + d)`. */
  value(x: Float64Array, offset?: number): number;
  /** ‖∇C(x)‖ for x = `x[offset .. offset + d)`. */
  gradNorm(x: Float64Array, offset?: number): number;
  /** ∇C(x) = φ'(⟨u, x⟩) u, a fresh Float64Array of length d. */
  grad(x: Float64Array, offset?: number): Float64Array;
}

/** Slack allowed on ‖u‖ ≤ 1 for rounding (a unit vector computed in floating point). */
const NORM_SLACK = 1e-12;

function dot(u: Float64Array, x: Float64Array, offset: number): number {
  check(offset >= 0 && offset + u.length <= x.length, () =>
    `labeler: point [${offset}, ${offset + u.length}) is out of range for an array of length ${x.length}`);
  let s = 0;
  for (let j = 0; j < u.length; j++) s += u[j]! * x[offset + j]!;
  return s;
}

function norm(u: Float64Array): number {
  let s = 0;
  for (let j = 0; j < u.length; j++) s += u[j]! * u[j]!;
  return Math.sqrt(s);
}

function ridge(
  kind: LabelerKind,
  u: Float64Array,
  phi: (t: number) => number,
  dphi: (t: number) => number,
): Labeler {
  check(u.length >= 1, `${kind}Labeler: u must be non-empty`);
  for (let j = 0; j < u.length; j++) {
    check(Number.isFinite(u[j]!), `${kind}Labeler: u[${j}] is not finite`);
  }
  const nu = norm(u);
  check(nu <= 1 + NORM_SLACK, `${kind}Labeler: ‖u‖ = ${nu} exceeds 1 (the data model needs a 1-Lipschitz labeler)`);
  const uu = Float64Array.from(u);
  return {
    kind,
    u: uu,
    value: (x, offset = 0) => phi(dot(uu, x, offset)),
    gradNorm: (x, offset = 0) => Math.abs(dphi(dot(uu, x, offset))) * nu,
    grad: (x, offset = 0) => {
      const s = dphi(dot(uu, x, offset));
      return uu.map((v) => s * v);
    },
  };
}

/** C(x) = ⟨u, x⟩ with ‖u‖ ≤ 1. u is copied. @throws BadInputError if ‖u‖ > 1 or u is empty/non-finite. */
export function linearLabeler(u: Float64Array): Labeler {
  return ridge('linear', u, (t) => t, () => 1);
}

/** C(x) = tanh(⟨u, x⟩) with ‖u‖ ≤ 1. u is copied. @throws BadInputError if ‖u‖ > 1 or u is empty/non-finite. */
export function tanhLabeler(u: Float64Array): Labeler {
  return ridge('tanh', u, Math.tanh, (t) => {
    const th = Math.tanh(t);
    return 1 - th * th;
  });
}

/** C(x) = sin(⟨u, x⟩) with ‖u‖ ≤ 1. u is copied. @throws BadInputError if ‖u‖ > 1 or u is empty/non-finite. */
export function sinLabeler(u: Float64Array): Labeler {
  return ridge('sin', u, Math.sin, Math.cos);
}

/**
 * A labeler of the given kind whose direction is `scale · v`, v uniform on S^{d-1}
 * (drawn by {@link sampleSphere} with `seed`).
 *
 * @param kind 'linear' | 'tanh' | 'sin'
 * @param d input dimension
 * @param seed 32-bit seed
 * @param scale ‖u‖, in (0, 1] (default 1)
 * @throws BadInputError on an unknown kind or a scale outside (0, 1]
 */
export function makeLabeler(kind: LabelerKind, d: number, seed: number, scale = 1): Labeler {
  check(Number.isFinite(scale) && scale > 0 && scale <= 1, `makeLabeler: scale must be in (0, 1], got ${scale}`);
  const u = sampleSphere(1, d, seed);
  for (let j = 0; j < d; j++) u[j] = u[j]! * scale;
  switch (kind) {
    case 'linear':
      return linearLabeler(u);
    case 'tanh':
      return tanhLabeler(u);
    case 'sin':
      return sinLabeler(u);
    default:
      throw new BadInputError(`makeLabeler: unknown kind '${String(kind)}' (expected linear, tanh or sin)`);
  }
}

/**
 * Labels every row of the row-major `n × d` batch `X`.
 * @returns Float64Array of length n with `C(X[i])`
 * @throws BadInputError if `X.length ≠ n·d` or `d` differs from the labeler's dimension
 */
export function labelPoints(labeler: Labeler, X: Float64Array, n: number, d: number): Float64Array {
  check(Number.isInteger(n) && n >= 0 && Number.isInteger(d) && d >= 1, `labelPoints: bad shape n=${n}, d=${d}`);
  check(X.length === n * d, `labelPoints: X has length ${X.length}, expected n·d = ${n * d}`);
  check(d === labeler.u.length, `labelPoints: points have dimension ${d} but the labeler has ${labeler.u.length}`);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = labeler.value(X, i * d);
  return y;
}

/**
 * Targets for the logistic loss: `sign(v)` in {−1, +1}, with 0 ↦ +1.
 * @throws BadInputError on NaN
 */
export function toLogisticLabels(values: ArrayLike<number>): Float64Array {
  const y = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    check(!Number.isNaN(v), `toLogisticLabels: value ${i} is NaN`);
    y[i] = v < 0 ? -1 : 1;
  }
  return y;
}
