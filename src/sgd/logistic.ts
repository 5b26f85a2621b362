/**
 * Logistic regression f_i(w) = log(1 + exp(−y_i x_iᵀ w)), y_i ∈ {−1, +1}: the Section 2 example of
 * ../shared/paper/THEOREMS.md (orthogonal data ⇒ confusion 0; |<∇f_i, ∇f_j>| ≤ |<x_i, x_j>|), used
 * by Theorems 3.1 and 3.2 with orthogonal ('logistic-orth') and near-orthogonal ('logistic-near')
 * data.
 *
 * With margins m_i = y_i x_iᵀ w and σ(t) = 1/(1 + e^{−t}): ∇f_i = −σ(−m_i) y_i x_i, so
 * <∇f_i, ∇f_j> = σ(−m_i) σ(−m_j) y_i y_j c_ij (c_ij = <x_i, x_j>).
 *
 * Constants:
 * - L = max_i ‖x_i‖² / 4 (f_i'' along x_i is σ(m)σ(−m)‖x_i‖² ≤ ‖x_i‖²/4).
 * - f_i* = inf f_i = 0 and F* = inf F = 0: the constructor requires linearly independent x_i
 *   (row Gram positive definite), so some w has every margin positive and F(t w) → 0.
 * - PL (A2) does not hold globally (the ratio ½‖∇f_i‖²/f_i → 0 as m_i → ±∞), and η depends on
 *   the margins; both are bounded on a box of margins that provably contains every SGD path of
 *   the horizon (see `marginBox`, `pathConstants`).
 */
import { BadInputError } from '../errors.ts';
import { dot, rowGram, sqNorm, symEig } from './linalg.ts';
import type { FiniteSumProblem, PathConstants } from './problem.ts';

/** softplus(z) = log(1 + e^z), without overflow. */
export function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** σ(t) = 1/(1 + e^{−t}), without overflow. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/**
 * h(m) = σ(−m)² / (2 softplus(−m)): the per-component PL ratio ½‖∇f_i‖² / (f_i − f_i*) divided by
 * ‖x_i‖², as a function of the margin m. It is quasi-concave (increasing then decreasing; checked
 * on a fine grid in logistic.test.ts), so its minimum over an interval is at an endpoint.
 */
export function plRatio(m: number): number {
  const s = sigmoid(-m);
  return (s * s) / (2 * softplus(-m));
}

export type LogisticFamily = 'logistic-orth' | 'logistic-near';

/** Logistic regression on linearly independent data (Section 2; Thm 3.1, 3.2). */
export class LogisticRegression implements FiniteSumProblem {
  readonly family: LogisticFamily;
  readonly n: number;
  readonly d: number;
  readonly L: number;
  readonly fstarExact = true;
  readonly fstar = 0;
  readonly rows: readonly Float64Array[];
  readonly labels: Float64Array;
  /** c_ij = <x_i, x_j>, row-major N×N. */
  readonly gram: Float64Array;

  constructor(rows: readonly Float64Array[], labels: ArrayLike<number>, family: LogisticFamily = 'logistic-near') {
    this.family = family;
    this.rows = rows;
    this.n = rows.length;
    this.d = rows[0]?.length ?? 0;
    this.labels = Float64Array.from(labels);
    if (this.n < 1 || this.labels.length !== this.n) throw new BadInputError('logistic regression: need N ≥ 1 rows and N labels');
    if (this.labels.some((y) => y !== 1 && y !== -1)) throw new BadInputError('logistic regression: labels must be −1 or +1');
    this.gram = rowGram(rows);
    const { values } = symEig(this.gram, this.n);
    if (!(values[0]! > 1e-12 * values[this.n - 1]!)) throw new BadInputError('logistic regression: the x_i must be linearly independent (else F* = inf F is not 0 in general)');
    this.L = Math.max(...rows.map((x) => sqNorm(x))) / 4;
  }

  /** m_i = y_i x_iᵀ w. */
  margin(i: number, w: Float64Array): number {
    return this.labels[i]! * dot(this.rows[i]!, w);
  }

  loss(i: number, w: Float64Array): number {
    return softplus(-this.margin(i, w));
  }

  value(w: Float64Array): number {
    let f = 0;
    for (let i = 0; i < this.n; i++) f += this.loss(i, w);
    return f / this.n;
  }

  grad(i: number, w: Float64Array, out: Float64Array): Float64Array {
    const c = -sigmoid(-this.margin(i, w)) * this.labels[i]!;
    const x = this.rows[i]!;
    for (let k = 0; k < this.d; k++) out[k] = c * x[k]!;
    return out;
  }

  /** F(w) − F* = F(w) (F* = 0). */
  gap(w: Float64Array): number {
    return this.value(w);
  }

  fullGrad(w: Float64Array): Float64Array {
    const out = new Float64Array(this.d);
    for (let i = 0; i < this.n; i++) {
      const c = -sigmoid(-this.margin(i, w)) * this.labels[i]! / this.n;
      const x = this.rows[i]!;
      for (let k = 0; k < this.d; k++) out[k]! += c * x[k]!;
    }
    return out;
  }

  /**
   * A box [lo_i, hi_i] containing the margin m_i of every iterate w_0..w_j of every SGD path with
   * step α. A step on example l changes m_i by α σ(−m_l) y_l y_i c_li, whose sign is that of
   * y_l y_i c_li and whose size is below α|c_li| (σ < 1). So per step m_i decreases by at most
   * α D⁻_i = α max{|c_li| : l ≠ i, y_l y_i c_li < 0} (0 if none) and increases by at most
   * α D⁺_i = α max(‖x_i‖², max{y_l y_i c_li : l ≠ i}); after j steps lo_i = m_i(0) − jαD⁻_i,
   * hi_i = m_i(0) + jαD⁺_i. Orthogonal data: D⁻ = 0, the margins only grow.
   */
  marginBox(w0: Float64Array, alpha: number, j: number): { lo: Float64Array; hi: Float64Array } {
    const lo = new Float64Array(this.n);
    const hi = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      let dm = 0;
      let dp = this.gram[i * this.n + i]!;
      for (let l = 0; l < this.n; l++) {
        if (l === i) continue;
        const v = this.labels[l]! * this.labels[i]! * this.gram[l * this.n + i]!;
        if (v < 0) dm = Math.max(dm, -v);
        else dp = Math.max(dp, v);
      }
      const m0 = this.margin(i, w0);
      lo[i] = m0 - j * alpha * dm;
      hi[i] = m0 + j * alpha * dp;
    }
    return { lo, hi };
  }

  /**
   * From the margin box of the iterates w_0..w_{k−1}:
   * - η = max over pairs with y_i y_j c_ij < 0 of |c_ij| σ(−lo_i) σ(−lo_j) (σ(−m) decreases in m;
   *   pairs with y_i y_j c_ij ≥ 0 never confuse), 0 for orthogonal data;
   * - μ = min_i ‖x_i‖² min(h(lo_i), h(hi_i)) with h = `plRatio` (quasi-concave);
   * and from the box of w_0..w_k: gapMax = mean softplus(−lo_i), gradSqMax = (mean σ(−lo_i)‖x_i‖)².
   */
  pathConstants(w0: Float64Array, alpha: number, k: number): PathConstants {
    const a = this.marginBox(w0, alpha, Math.max(0, k - 1));
    const b = this.marginBox(w0, alpha, k);
    let eta = 0;
    let mu = Infinity;
    let gapMax = 0;
    let g = 0;
    for (let i = 0; i < this.n; i++) {
      const nsq = this.gram[i * this.n + i]!;
      mu = Math.min(mu, nsq * Math.min(plRatio(a.lo[i]!), plRatio(a.hi[i]!)));
      gapMax += softplus(-b.lo[i]!) / this.n;
      g += (sigmoid(-b.lo[i]!) * Math.sqrt(nsq)) / this.n;
      for (let j = i + 1; j < this.n; j++) {
        const v = this.labels[i]! * this.labels[j]! * this.gram[i * this.n + j]!;
        if (v < 0) eta = Math.max(eta, -v * sigmoid(-a.lo[i]!) * sigmoid(-a.lo[j]!));
      }
    }
    return { eta, mu, gapMax, gradSqMax: g * g };
  }
}
