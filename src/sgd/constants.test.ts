/**
 * The constants Theorems 3.1 and 3.2 rely on, against independent computations: L by central
 * finite differences of the gradient (attained at a point where the component's curvature is
 * largest, and never exceeded between random pairs), μ of least squares attained, F* by an
 * independent solve (Gaussian elimination) and a minimality probe, logistic F* = inf F = 0 along a
 * separating ray, and the Monte-Carlo p-value by hand. A smoothness constant off by 2 either way
 * turns these red.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALL_FAMILIES, familyArb, materialize, type Family } from './instances.ts';
import { LeastSquares } from './least-squares.ts';
import { LogisticRegression } from './logistic.ts';
import { RobustRegression } from './robust-regression.ts';
import { exceedancePValue, meanBound, monteCarloSgd } from './monte-carlo.ts';
import type { FiniteSumProblem } from './problem.ts';

const SEED = 77;

/** Row i of the problem (least squares, robust: a_i; logistic: x_i). */
const rowOf = (p: FiniteSumProblem, i: number): Float64Array => (p as unknown as { rows: readonly Float64Array[] }).rows[i]!;
const dotp = (x: ArrayLike<number>, y: ArrayLike<number>) => { let s = 0; for (let k = 0; k < x.length; k++) s += x[k]! * y[k]!; return s; };

/**
 * Curvature of f_i along u at w by central differences of the gradient, h = 1e-5/√L: the
 * truncation error is h²/6 times the third derivative of ∇f_i along u (≲ 12 L² h² relative for φ),
 * ≤ 1e-9 relative; the rounding error ε|∇f_i|/h ≤ 1e-10 L here.
 */
function curvature(p: FiniteSumProblem, i: number, w: Float64Array, u: Float64Array): number {
  const h = 1e-5 / Math.sqrt(p.L);
  const wp = Float64Array.from(w, (v, k) => v + h * u[k]!);
  const wm = Float64Array.from(w, (v, k) => v - h * u[k]!);
  const gp = p.grad(i, wp, new Float64Array(p.d));
  const gm = p.grad(i, wm, new Float64Array(p.d));
  return dotp(u, Float64Array.from(gp, (v, k) => (v - gm[k]!) / (2 * h)));
}

/** Solves M x = r (n×n, row-major) by Gaussian elimination with partial pivoting (independent of symEig). */
function gaussSolve(m: number[][], r: number[]): number[] {
  const n = r.length;
  const a = m.map((row, i) => [...row, r[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i]![c]!) > Math.abs(a[piv]![c]!)) piv = i;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let i = c + 1; i < n; i++) {
      const f = a[i]![c]! / a[c]![c]!;
      for (let j = c; j <= n; j++) a[i]![j]! -= f * a[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = a[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= a[i]![j]! * x[j]!;
    x[i] = s / a[i]![i]!;
  }
  return x;
}

describe(`constants of the finite-sum families against independent computations (seed ${SEED})`, () => {
  it('L is attained: the finite-difference curvature of the largest component at its zero-residual (zero-margin) point equals L', () => {
    // least squares: ∇²f_i = a_i a_iᵀ ⇒ ‖a_i‖²; robust: φ''(0)‖a_i‖² = 2‖a_i‖²; logistic: σ'(0)‖x_i‖² = ‖x_i‖²/4.
    for (const family of ALL_FAMILIES) {
      fc.assert(fc.property(familyArb(family), (inst) => {
        const p = materialize(inst)!;
        let i = 0;
        for (let j = 0; j < p.n; j++) if (dotp(rowOf(p, j), rowOf(p, j)) > dotp(rowOf(p, i), rowOf(p, i))) i = j;
        const a = rowOf(p, i);
        const nsq = dotp(a, a);
        const u = Float64Array.from(a, (v) => v / Math.sqrt(nsq));
        const w0 = Float64Array.from(inst.w0);
        // move w0 along a_i until f_i's residual (or margin) is 0
        const r0 = family.startsWith('logistic') ? dotp(a, w0) : (p as LeastSquares | RobustRegression).residual(i, w0);
        const w = Float64Array.from(w0, (v, k) => v - (r0 / nsq) * a[k]!);
        const c = curvature(p, i, w, u);
        expect(Math.abs(c - p.L)).toBeLessThanOrEqual(1e-6 * p.L);
      }), { seed: SEED, numRuns: 15 });
    }
  });

  it('L bounds the gradient\'s Lipschitz ratio between random points (never exceeded)', () => {
    for (const family of ALL_FAMILIES) {
      fc.assert(fc.property(familyArb(family), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 8, maxLength: 8 }), (inst, z) => {
        const p = materialize(inst)!;
        const x = Float64Array.from(inst.w0);
        const y = Float64Array.from(x, (v, k) => v + z[k]!);
        for (let i = 0; i < p.n; i++) {
          const gx = p.grad(i, x, new Float64Array(p.d));
          const gy = p.grad(i, y, new Float64Array(p.d));
          const diff = Math.sqrt(dotp(Float64Array.from(gx, (v, k) => v - gy[k]!), Float64Array.from(gx, (v, k) => v - gy[k]!)));
          const dist = Math.sqrt(dotp(z.slice(0, p.d), z.slice(0, p.d)));
          expect(diff).toBeLessThanOrEqual(p.L * dist * (1 + 1e-12) + 1e-15);
        }
      }), { seed: SEED, numRuns: 15 });
    }
  });

  it('least squares: μ = min‖a_i‖² is the PL ratio ½‖∇f_i‖²/f_i of the shortest row, at any point', () => {
    fc.assert(fc.property(fc.oneof(familyArb('ls-interp'), familyArb('ls-noisy')), (inst) => {
      const p = materialize(inst) as LeastSquares;
      const w = Float64Array.from(inst.w0, (v) => v + 0.37);
      const ratios = Array.from({ length: p.n }, (_, i) => {
        const g = p.grad(i, w, new Float64Array(p.d));
        const f = p.loss(i, w);
        return f > 1e-20 ? (0.5 * dotp(g, g)) / f : Infinity;
      });
      const shortest = ratios.reduce((m, v, i) => (dotp(rowOf(p, i), rowOf(p, i)) < dotp(rowOf(p, m), rowOf(p, m)) ? i : m), 0);
      for (const r of ratios) if (Number.isFinite(r)) expect(r).toBeGreaterThanOrEqual(p.mu * (1 - 1e-12));
      if (Number.isFinite(ratios[shortest]!)) expect(ratios[shortest]!).toBeCloseTo(p.mu, 10);
    }), { seed: SEED, numRuns: 30 });
  });

  it('least squares, noisy: F* equals F at the normal-equation solution by Gaussian elimination, and no nearby point is lower', () => {
    fc.assert(fc.property(familyArb('ls-noisy'), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }), (inst, v) => {
      const p = materialize(inst) as LeastSquares;
      const d = p.d;
      const A = inst.rows;
      const ata = Array.from({ length: d }, (_, r) => Array.from({ length: d }, (_, c) => A.reduce((s, a) => s + a[r]! * a[c]!, 0)));
      const atb = Array.from({ length: d }, (_, r) => A.reduce((s, a, i) => s + a[r]! * inst.aux[i]!, 0));
      const w = Float64Array.from(gaussSolve(ata, atb));
      const Fw = A.reduce((s, a, i) => s + (dotp(a, w) - inst.aux[i]!) ** 2, 0) / (2 * p.n);
      expect(Math.abs(p.fstar - Fw)).toBeLessThanOrEqual(1e-9 * Math.max(1, Fw));
      for (const eps of [1e-3, 0.1]) {
        const u = Float64Array.from(w, (x, k) => x + eps * v[k]!);
        expect(p.value(u)).toBeGreaterThanOrEqual(p.fstar - 1e-12 * Math.max(1, p.fstar));
      }
    }), { seed: SEED, numRuns: 40 });
  });

  it('logistic: F* = inf F = 0 — along a ray where every margin is t, F = softplus(−t) → 0, and F > 0 everywhere', () => {
    for (const family of ['logistic-orth', 'logistic-near'] as Family[]) {
      fc.assert(fc.property(familyArb(family), (inst) => {
        const p = materialize(inst) as LogisticRegression;
        // w_sep = Xᵀ c with (X Xᵀ) c = y: then y_i x_iᵀ w_sep = y_i² = 1 for every i
        const X = inst.rows;
        const c = gaussSolve(X.map((a) => X.map((b) => dotp(a, b))), inst.aux);
        const wsep = Float64Array.from({ length: p.d }, (_, k) => X.reduce((s, a, i) => s + c[i]! * a[k]!, 0));
        for (let i = 0; i < p.n; i++) expect(p.margin(i, wsep)).toBeCloseTo(1, 8);
        const at = (t: number) => p.value(Float64Array.from(wsep, (x) => t * x));
        expect(at(1)).toBeCloseTo(Math.log1p(Math.exp(-1)), 8);
        expect(at(50)).toBeLessThan(1e-20);
        expect(at(50)).toBeGreaterThan(0);
        expect(p.fstar).toBe(0);
      }), { seed: SEED, numRuns: 15 });
    }
  });

  it('robust, interpolating: F(w*) = 0 = F*, and F ≥ 0 at random points', () => {
    fc.assert(fc.property(familyArb('robust-interp'), (inst) => {
      const p = materialize(inst) as RobustRegression;
      expect(p.fstar).toBe(0);
      expect(p.fstarExact).toBe(true);
      expect(p.value(p.wref)).toBe(0);
      expect(p.value(Float64Array.from(inst.w0, (v) => v + 0.5))).toBeGreaterThanOrEqual(0);
    }), { seed: SEED, numRuns: 20 });
    const noisy = RobustRegression.fromData([Float64Array.of(1)], [1]);
    expect(noisy.fstarExact).toBe(false);
  });
});

describe('Monte-Carlo p-value (exceedancePValue), by hand', () => {
  it('100 samples all equal to 1 in [0, 2], H0: E Z ≤ 0.5 — p = 2 e^{−12.5} (Hoeffding is the smaller deviation)', () => {
    // Hoeffding at δ/2: 2·√(ln(2/δ)/200) < 0.5 ⟺ δ > 2e^{−12.5} = 7.4533e-6; empirical Bernstein (V = 0)
    // at δ/2: 14 ln(4/δ)/297 < 0.5 ⟺ δ > 4e^{−10.607} ≈ 9.96e-5. p = the smaller: 2e^{−12.5}.
    const ones = new Array<number>(100).fill(1);
    const p = exceedancePValue(ones, [0, 2], 0.5);
    expect(p / (2 * Math.exp(-12.5))).toBeCloseTo(1, 9);
    expect(p).toBeGreaterThanOrEqual(2 * Math.exp(-12.5));
    // consistency with meanBound: just above p the lower bound exceeds 0.5, just below it does not
    expect(meanBound(ones, [0, 2], p * 1.001).lower).toBeGreaterThan(0.5);
    expect(meanBound(ones, [0, 2], p * 0.999).lower).toBeLessThanOrEqual(0.5);
  });

  it('p = 1 when the mean is at or below the bound, and when no δ < 1 separates them', () => {
    expect(exceedancePValue([0.2, 0.4], [0, 1], 0.3)).toBe(1);
    expect(exceedancePValue([0.3, 0.3], [0, 1], 0.3)).toBe(1);
    expect(exceedancePValue([0.31, 0.31, 0.31], [0, 1], 0.3)).toBe(1);
    // a huge separation hits the floor of the bisection
    expect(exceedancePValue(new Array<number>(100_000).fill(1), [0, 1], 0)).toBe(1e-300);
  });

  it('monteCarloSgd keeps its raw samples on request, and they reproduce the bounds', () => {
    const p = LeastSquares.interpolating([Float64Array.of(1), Float64Array.of(2)], Float64Array.of(0));
    const mc = monteCarloSgd(p, [1], 0.1, 3, { runs: 50, seed: 3, delta: 0.1, keepSamples: true });
    expect(mc.samples!.gradSq).toHaveLength(4);
    expect(mc.samples!.gradSq[2]).toHaveLength(50);
    const mean = mc.samples!.gap[3]!.reduce((a, x) => a + x, 0) / 50;
    expect(mc.gap[3]!.mean).toBeCloseTo(mean, 15);
    expect(monteCarloSgd(p, [1], 0.1, 3, { runs: 50, seed: 3, delta: 0.1 }).samples).toBeUndefined();
  });
});
