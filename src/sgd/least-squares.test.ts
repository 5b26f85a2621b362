import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ballConfusionBound, interpolatingBallConfusion, LeastSquares, normProductGap } from './least-squares.ts';
import { dot, sqNorm } from './linalg.ts';
import { confusionAt } from './problem.ts';
import { enumerateSgd } from './enumerate.ts';
import { familyArb, materialize } from './instances.ts';
import { Rng } from '../rng.ts';

const SEED = 31;
const vec = (d: number) => fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d });

/** Orthonormal basis of span{a, b} by Gram–Schmidt (1 vector when parallel). */
function planeBasis(a: Float64Array, b: Float64Array): Float64Array[] {
  const u1 = a.map((v) => v / Math.sqrt(sqNorm(a)));
  const c = dot(b, u1);
  const r = b.map((v, k) => v - c * u1[k]!);
  const rn = Math.sqrt(sqNorm(r));
  return rn > 1e-9 * Math.sqrt(sqNorm(b)) ? [u1, r.map((v) => v / rn)] : [u1];
}

describe(`least squares: the issue's closed form for η over the ball (fast-check seed ${SEED})`, () => {
  it('R²|c|(‖a_i‖‖a_j‖ − |c|)/2 equals the brute-force maximum of −<∇f_i, ∇f_j> over the ball ‖w − w*‖ ≤ R', () => {
    // Brute force, independent of the eigenvalue argument: the objective −c (a_iᵀv)(a_jᵀv) depends
    // only on the projection of v on span{a_i, a_j}, so its maximum over the ball is its maximum over
    // the disk of radius R in that plane; scan the disk on a polar grid (M angles, 5 radii) and also
    // sample the full d-dimensional ball. On the circle the objective is A + B cos 2(θ − θ0) with
    // 2B = R²·(λ1 − λ2) = R²|c|‖a_i‖‖a_j‖, so the grid misses the maximum by at most
    // B(1 − cos 2δ) ≤ R²|c|‖a_i‖‖a_j‖ δ², δ = π/M: that is the only allowed gap (plus float64 rounding).
    const M = 4000;
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }).chain((d) => fc.tuple(vec(d), vec(d))), fc.double({ min: 0.1, max: 4, noNaN: true }), fc.integer(), ([x, y], R, seed) => {
      const ai = Float64Array.from(x);
      const aj = Float64Array.from(y);
      fc.pre(sqNorm(ai) > 1e-6 && sqNorm(aj) > 1e-6);
      const c = dot(ai, aj);
      const ni = Math.sqrt(sqNorm(ai));
      const nj = Math.sqrt(sqNorm(aj));
      const closed = interpolatingBallConfusion([ai, aj], R);
      const obj = (v: Float64Array) => -c * dot(ai, v) * dot(aj, v);
      const basis = planeBasis(ai, aj);
      let brute = 0; // v = 0 gives 0
      for (let m = 0; m < M; m++) {
        const th = (2 * Math.PI * m) / M;
        for (const t of [0.25, 0.5, 0.75, 1]) {
          const v = new Float64Array(ai.length);
          for (let k = 0; k < v.length; k++) v[k] = t * R * (Math.cos(th) * basis[0]![k]! + Math.sin(th) * (basis[1]?.[k] ?? 0));
          brute = Math.max(brute, obj(v));
        }
      }
      const rng = new Rng(seed);
      for (let s = 0; s < 200; s++) {
        const g = rng.normals(ai.length);
        const scale = (R * rng.uniform() ** (1 / ai.length)) / Math.sqrt(sqNorm(g));
        brute = Math.max(brute, obj(g.map((v) => v * scale)));
      }
      const scaleAll = R * R * ni * ni * nj * nj;
      const delta = Math.PI / M;
      expect(closed).toBeGreaterThanOrEqual(brute - 1e-12 * scaleAll);
      expect(closed - brute).toBeLessThanOrEqual(R * R * Math.abs(c) * ni * nj * delta * delta + 1e-12 * scaleAll);
    }), { seed: SEED, numRuns: 60 });
  });

  it('over N > 2 rows, η(w) at random points of the ball never exceeds the closed form, and the maximizing pair attains it', () => {
    fc.assert(fc.property(fc.integer({ min: 3, max: 5 }), fc.integer({ min: 2, max: 4 }), fc.integer(), (n, d, seed) => {
      const rng = new Rng(seed);
      const rows = Array.from({ length: n }, () => rng.normals(d));
      const wstar = rng.normals(d);
      const ls = LeastSquares.interpolating(rows, wstar);
      const R = 0.5 + rng.uniform();
      const closed = interpolatingBallConfusion(rows, R);
      let sampled = 0;
      for (let s = 0; s < 300; s++) {
        const g = rng.normals(d);
        const sc = (R * rng.uniform() ** (1 / d)) / Math.sqrt(sqNorm(g));
        sampled = Math.max(sampled, confusionAt(ls, wstar.map((v, k) => v + sc * g[k]!)));
      }
      expect(sampled).toBeLessThanOrEqual(closed * (1 + 1e-12));
      // The maximiser of the best pair: the top eigenvector of −c(a_i a_jᵀ + a_j a_iᵀ)/2, which is
      // (â_i − sign(c) â_j)/‖·‖ (a direct computation, not the closed form): its value is attained.
      let best = -1;
      let arg: Float64Array | undefined;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
        const c = dot(rows[i]!, rows[j]!);
        const u = rows[i]!.map((v, k) => v / Math.sqrt(sqNorm(rows[i]!)) - Math.sign(c) * rows[j]![k]! / Math.sqrt(sqNorm(rows[j]!)));
        const un = Math.sqrt(sqNorm(u));
        if (un === 0) continue;
        const v = u.map((x) => (R * x) / un);
        const val = -c * dot(rows[i]!, v) * dot(rows[j]!, v);
        if (val > best) { best = val; arg = v; }
      }
      if (arg) expect(Math.abs(best - closed)).toBeLessThanOrEqual(1e-10 * Math.max(1, closed));
    }), { seed: SEED, numRuns: 40 });
  });

  it('normProductGap (Lagrange identity) agrees with ‖a‖‖b‖ − |<a,b>| and is exactly 0 for parallel vectors', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }).chain((d) => fc.tuple(vec(d), vec(d))), ([x, y]) => {
      const a = Float64Array.from(x);
      const b = Float64Array.from(y);
      const direct = Math.sqrt(sqNorm(a) * sqNorm(b)) - Math.abs(dot(a, b));
      expect(Math.abs(normProductGap(a, b) - direct)).toBeLessThanOrEqual(1e-12 * (sqNorm(a) + sqNorm(b) + 1));
    }), { seed: SEED, numRuns: 100 });
    expect(normProductGap(Float64Array.of(1, -2, 0.5), Float64Array.of(-3, 6, -1.5))).toBe(0);
  });

  it('ballConfusionBound reduces to the closed form when s = 0 and bounds η(w) over the ball when s ≠ 0', () => {
    const rng = new Rng(5);
    for (let t = 0; t < 20; t++) {
      const rows = Array.from({ length: 4 }, () => rng.normals(3));
      const s = rng.normals(4);
      const R = 0.3 + rng.uniform();
      expect(ballConfusionBound(rows, new Float64Array(4), R)).toBe(interpolatingBallConfusion(rows, R));
      const bound = ballConfusionBound(rows, s, R);
      for (let k = 0; k < 300; k++) {
        const g = rng.normals(3);
        const sc = (R * rng.uniform() ** (1 / 3)) / Math.sqrt(sqNorm(g));
        const v = g.map((x) => x * sc);
        // −<∇f_i, ∇f_j> = −c_ij (a_iᵀv + s_i)(a_jᵀv + s_j), computed directly.
        for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) {
          expect(-dot(rows[i]!, rows[j]!) * (dot(rows[i]!, v) + s[i]!) * (dot(rows[j]!, v) + s[j]!)).toBeLessThanOrEqual(bound * (1 + 1e-12));
        }
      }
    }
  });
});

describe(`least squares: constants valid along every SGD path (enumerated; seed ${SEED})`, () => {
  it('every reachable iterate lies in the ball of radiusSq, and its confusion is ≤ pathConstants η (α up to 2/L)', () => {
    fc.assert(fc.property(fc.oneof(familyArb('ls-interp'), familyArb('ls-noisy')), (inst) => {
      const p = materialize(inst) as LeastSquares;
      const T = Math.min(inst.T, Math.floor(Math.log(2000) / Math.log(p.n)));
      const alpha = inst.alphaFrac * (2 / p.L); // the weakest step condition any check uses
      const w0 = Float64Array.from(inst.w0);
      const pc = p.pathConstants(w0, alpha, T);
      enumerateSgd(p, w0, alpha, T, {
        visit: (k, w) => {
          const r2 = w.reduce((a, v, c) => a + (v - p.wref[c]!) ** 2, 0);
          expect(r2).toBeLessThanOrEqual(p.radiusSq(w0, alpha, k) * (1 + 1e-12) + 1e-300);
          if (k <= T - 1) expect(confusionAt(p, w)).toBeLessThanOrEqual(pc.eta * (1 + 1e-10) + 1e-12 * p.L * r2);
          expect(p.gap(w)).toBeLessThanOrEqual(pc.gapMax * (1 + 1e-12) + 1e-15);
        },
      });
    }), { seed: SEED, numRuns: 60 });
  });

  it('L, μ, F*: ½‖∇f_i‖² = ‖a_i‖² f_i (so PL with μ = min‖a_i‖²), F(w_ref) is the minimum, gap = F − F*', () => {
    const rng = new Rng(7);
    for (let t = 0; t < 20; t++) {
      const n = 6;
      const d = 3;
      const rows = Array.from({ length: n }, () => rng.normals(d));
      const b = rng.normals(n);
      const ls = LeastSquares.fromData(rows, b);
      expect(ls.L).toBe(Math.max(...rows.map((a) => sqNorm(a))));
      expect(ls.mu).toBe(Math.min(...rows.map((a) => sqNorm(a))));
      // F* from an independent route: the normal equations solved by Cramer's rule (d = 3).
      const m = [0, 1, 2].map((p) => [0, 1, 2].map((q) => rows.reduce((s, a) => s + a[p]! * a[q]!, 0)));
      const rhs = [0, 1, 2].map((p) => rows.reduce((s, a, i) => s + a[p]! * b[i]!, 0));
      const det3 = (x: number[][]) => x[0]![0]! * (x[1]![1]! * x[2]![2]! - x[1]![2]! * x[2]![1]!) - x[0]![1]! * (x[1]![0]! * x[2]![2]! - x[1]![2]! * x[2]![0]!) + x[0]![2]! * (x[1]![0]! * x[2]![1]! - x[1]![1]! * x[2]![0]!);
      const D = det3(m);
      const wc = [0, 1, 2].map((k) => det3(m.map((row, p) => row.map((v, q) => (q === k ? rhs[p]! : v)))) / D);
      const fCramer = rows.reduce((s, a, i) => s + (dot(a, wc) - b[i]!) ** 2, 0) / (2 * n);
      expect(ls.fstar).toBeCloseTo(fCramer, 12);
      for (let k = 0; k < 10; k++) {
        const w = rng.normals(d);
        const direct = rows.reduce((s, a, i) => s + (dot(a, w) - b[i]!) ** 2, 0) / (2 * n);
        expect(ls.gap(w)).toBeCloseTo(direct - fCramer, 10);
        expect(ls.gap(w)).toBeGreaterThanOrEqual(-1e-12);
        for (let i = 0; i < n; i++) {
          const g = ls.grad(i, w, new Float64Array(d));
          expect(0.5 * sqNorm(g)).toBeCloseTo(sqNorm(rows[i]!) * ls.loss(i, w), 10);
        }
      }
    }
  });
});
