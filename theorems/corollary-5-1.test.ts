import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.ts';
import { childSeed, perturb, runTrial, trialWeights, type TrialConfig } from '../src/pool/trial.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { Rng } from '../src/rng.ts';
import type { ClaimResult, TheoremResult } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { BoundExpression } from '../src/bounds/bound-expression.ts';
import { claimOf, plantedClaim } from './define.ts';
import { ballConfig, binomialUpperTail, checkBallPoints, checkRadius, corollaryCell, RADII, REGIMES, statement, theorem, tightenSpec, type BallStudy } from './corollary-5-1.ts';

const SEED = 515;

/** ‖A‖₂ by power iteration on AᵀA in float64 (independent of models/linalg.ts operatorNorm). */
function powerNorm(a: ArrayLike<number>, rows: number, cols: number): number {
  let v = Float64Array.from({ length: cols }, (_, i) => 1 + Math.cos(i + 2));
  let s = 0;
  for (let it = 0; it < 3000; it++) {
    const u = new Float64Array(rows);
    for (let i = 0; i < rows; i++) { let t = 0; for (let j = 0; j < cols; j++) t += a[i * cols + j]! * v[j]!; u[i] = t; }
    const w = new Float64Array(cols);
    for (let j = 0; j < cols; j++) { let t = 0; for (let i = 0; i < rows; i++) t += a[i * cols + j]! * u[i]!; w[j] = t; }
    const nv = Math.sqrt(v.reduce((x, y) => x + y * y, 0));
    const nw = Math.sqrt(w.reduce((x, y) => x + y * y, 0));
    s = Math.sqrt(nw / nv);
    v = w.map((x) => x / nw);
  }
  return s;
}

describe(`corollary-5-1 (seed ${SEED})`, () => {
  beforeAll(async () => { await initBackend('wasm'); });

  it('the bound\'s exponent by hand: d = 32, β = 1, N = 8 (ζ₀² = 4, 64 ζ₀⁴ (β+2)⁴ = 82944)', () => {
    const small = corollaryCell(32, 1, 8, 1e-4, 0.02); // r ≤ e/(4ζ₀²) = 0.00125: no extra term
    expect(small.x).toBeCloseTo((32 * 0.0004) / 82944, 18);
    expect(small.logA).toBeCloseTo(2 * Math.log(8), 14);
    const big = corollaryCell(32, 1, 8, 0.1, 0.02); // extra 8 d ζ₀² r / e = 8·32·4·0.1/0.02 = 5120
    expect(big.logA).toBeCloseTo(2 * Math.log(8) + 5120, 9);
    expect(corollaryCell(32, 1, 8, 0.00125, 0.02).logA).toBeCloseTo(2 * Math.log(8), 14); // r = e/(4ζ₀²) exactly: first branch
    // the statement's bound expression agrees: ln(bound) = logA − c x. At c = 1e5, e = 0.02:
    // r = 1e-4 → ln 64 − 1e5·0.0128/82944 = 4.158883 − 0.015432 = 4.143451; at e = 0.5, r = 0.1
    // (> 0.5/16): ln 64 + 8·32·4·0.1/0.5 − 1e5·8/82944 = 4.158883 + 204.8 − 9.645062 = 199.313821
    const b = new BoundExpression(statement.id, statement.bound!, '');
    expect(Math.log(b.evaluate({ N: 8, c: 1e5, d: 32, eta: 0.02, beta: 1, r: 1e-4 }))).toBeCloseTo(4.143451, 5);
    expect(Math.log(b.evaluate({ N: 8, c: 1e5, d: 32, eta: 0.5, beta: 1, r: 0.1 }))).toBeCloseTo(199.313821, 5);
    const cell = corollaryCell(32, 1, 8, 0.1, 0.5);
    expect(cell.logA - 1e5 * cell.x).toBeCloseTo(199.313821, 5);
  });

  it('the binomial p-value by hand: P(Bin(2, 1/2) ≥ 1) = 3/4, ≥ 2 = 1/4; P(Bin(10, 0.1) ≥ 3) = 0.0701908', () => {
    expect(binomialUpperTail(1, 2, 0.5)).toBeCloseTo(0.75, 13);
    expect(binomialUpperTail(2, 2, 0.5)).toBeCloseTo(0.25, 13);
    // 1 − (0.9¹⁰ + 10·0.1·0.9⁹ + 45·0.01·0.9⁸) = 1 − (0.3486784 + 0.3874205 + 0.1937102) = 0.0701908
    expect(binomialUpperTail(3, 10, 0.1)).toBeCloseTo(0.0701908, 6);
    expect(binomialUpperTail(0, 10, 0.1)).toBe(1);
    expect(binomialUpperTail(5, 10, 1)).toBe(1);
    expect(binomialUpperTail(5, 10, 0)).toBe(0);
  });

  it('the ball radius against an independent computation: ‖W\'_p − W_p‖₂ = r by power iteration, ‖W\'_p‖₂ ≤ 1 + r', () => {
    for (const r of [1e-3, 0.1, 1]) {
      const c = ballConfig(6, 9, 2, 3, 'tanh', 'mse', r, 2);
      const w = trialWeights(c, 11);
      const rng = new Rng(childSeed(11, 99));
      for (let s = 0; s < 2; s++) {
        const w2 = perturb(c, w, rng);
        for (let p = 0; p <= 2; p++) {
          const a = w.get(`layers.${p}.kernel`)!;
          const b = w2.get(`layers.${p}.kernel`)!;
          const [rows, cols] = [a.shape[0]!, a.shape[1]!];
          // float32 rounding of W + Δ moves the distance by ≤ 2⁻²⁴‖W'‖_F ≈ 6e-8·3 = 1.8e-7, i.e. ≤ 1.8e-4
          // relative at r = 1e-3; power iteration (3000 steps) adds less than that
          expect(Math.abs(powerNorm(Float64Array.from(b.data, (v, i) => v - a.data[i]!), rows, cols) / r - 1)).toBeLessThan(3e-4);
          expect(powerNorm(b.data, rows, cols)).toBeLessThanOrEqual(1 + r + 1e-6);
        }
      }
      expect(checkRadius(c, 11).holds).toBe(true);
    }
    // runTrial draws the same points: its ball norms equal the norms of these perturbed weights
    const c = ballConfig(6, 9, 2, 3, 'tanh', 'mse', 0.1, 2);
    const t = runTrial(c, 11);
    const w2 = perturb(c, trialWeights(c, 11), new Rng(childSeed(11, 99)));
    const k = w2.get('layers.1.kernel')!;
    expect(t.ball![0]!.opNorms![1]).toBeCloseTo(powerNorm(k.data, 9, 9), 9);
  });

  it('the exact checks can fail: a Frobenius ball is not on the operator-norm boundary; an inflated Gram breaks the bound', () => {
    const f: TrialConfig = { ...ballConfig(6, 9, 2, 3, 'tanh', 'mse', 0.1, 2), ball: { radius: 0.1, samples: 2, norm: 'frobenius' } };
    const v = checkRadius(f, 11);
    expect(v.holds).toBe(false);
    const c = ballConfig(8, 8, 1, 4, 'tanh', 'mse', 0.1, 2);
    const r = runTrial(c, 7);
    expect(checkBallPoints(c, [r, ...r.ball!]).holds).toBe(true);
    // tanh, square loss, β = 1: bound R² Σ_p Π_{q≠p} s_q² with R = 2 and s_q ≤ 1.1 is ≤ 4·2·1.21 = 9.68
    const bad = { ...r.ball![0]!, maxAbsG: 9.68 * (1 + 2 * GRAM_REL_TOL_F32) };
    expect(checkBallPoints(c, [r, bad]).holds).toBe(false);
    expect(() => checkBallPoints({ ...c, activation: 'gelu' }, [r])).toThrow(/no derived Gram bound/);
  });

  describe('verify at the test budget (the same claim code as gradconf verify)', () => {
    let r: TheoremResult;
    const claim = (id: string) => r.claims.find((c) => c.id === id)!;
    beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); }, 120_000);

    it('the exact verdict is that of the two exact claims, and they hold', () => {
      expect(r.holds).toBe(true);
      expect(r.kinds).toEqual(['exact', 'statistical', 'trend']);
      expect(claim('ball-radius').verdict).toBe('holds');
      expect(claim('ball-derived-bound').verdict).toBe('holds');
    });

    it('finding pinned: at Theorem 5.1\'s constant (c_low ≈ 2.4e6) the Corollary\'s bound is ≥ 1 at every ball cell (vacuous), so nothing is rejected', () => {
      const c = claim('corollary-bound');
      if (c.kind !== 'statistical') throw new Error('kind');
      expect(c.verdict).toBe('not rejected');
      const d = c.details as { cUsed: number; ballCells: number; vacuousCells: number };
      expect(d.cUsed).toBeGreaterThan(1e6);
      expect(d.cUsed).toBeLessThan(1e7);
      expect(d.ballCells).toBeGreaterThan(40);
      expect(d.vacuousCells).toBe(d.ballCells);
      expect(c.tests).toHaveLength(d.ballCells);
      expect(c.correction).toContain(`${d.ballCells} statistical test`);
      for (const t of c.tests) expect(t.pValue).toBe(1); // a vacuous bound cannot be exceeded
    });

    it('trend: sup over the ball / η(center) grows with r in all four regimes (τ between 0.1 and 0.8)', () => {
      const c = claim('sup-grows-with-radius');
      if (c.kind !== 'trend') throw new Error('kind');
      expect(c.verdict).toBe('holds');
      for (const g of c.regimes) { expect(g.outcome!.tau).toBeGreaterThan(0.1); expect(g.outcome!.tau).toBeLessThan(0.8); }
    });

    it('figures: the derived bound over B_r lies above the measured max|G| at every radius; the Corollary bound vs the measured frequency', () => {
      const figs = r.details.figures as FigureData[];
      expect(figs.map((f) => f.id)).toEqual(['gram-bound-vs-radius', 'corollary-bound-vs-radius']);
      const [g, p] = figs;
      for (const reg of REGIMES) {
        const name = `${reg.activation}, depth ${reg.depth}`;
        const bound = new Map(g!.series.find((s) => s.name === `bound, ${name}`)!.points);
        for (const [rr, m] of g!.series.find((s) => s.name === `measured, ${name}`)!.points) expect(m).toBeLessThan(bound.get(rr)!);
        expect(p!.series.find((s) => s.name === `measured, ${name}`)!.points.map((x) => x[0])).toEqual(RADII);
      }
      // tanh, depth 1, r = 0.1: R = 2, Σ_p Π_{q≠p} 1.1² = 2·1.21 → 4·2.42 = 9.68
      expect(new Map(g!.series.find((s) => s.name === 'bound, tanh, depth 1')!.points).get(0.1)).toBeCloseTo(9.68, 12);
    });
  });

  it('every seed 1..40: no exact claim fails at a small budget', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      for (const id of ['ball-radius', 'ball-derived-bound']) {
        const o = await claimOf(theorem, id, 'exact').check({ seed, budget: 'test', memo: (_k, f) => f() }, 2);
        expect(o.holds, `${id} seed ${seed}`).toBe(true);
      }
    }
  });

  describe('power and direction tests: each claim\'s analysis on planted studies', () => {
    // Planted: center η = 0.01|u| (u standard normal), min cosine −0.3; the sup over the ball is
    // η·(1 + growth(k)·|v|) at radius index k, or a multiple of η where a violation is planted.
    const planted = (growth: (k: number) => number, trials = 40, seed = 3, inflate?: { regime: number; radius: number; factor: number }): BallStudy => {
      const rng = new Rng(seed);
      return {
        seed, trials, samples: 2, radii: RADII, regimes: REGIMES,
        results: REGIMES.map((_, gi) => RADII.map((_, ri) => Array.from({ length: trials }, () => {
          const eta = 0.01 * Math.abs(rng.normal());
          const sup = eta * (1 + growth(ri) * Math.abs(rng.normal()));
          const f = inflate && inflate.regime === gi && inflate.radius === ri ? inflate.factor : 1;
          return { eta, minCos: -0.3, sup: sup * f, maxAbsGBall: 0.1 };
        }))),
      };
    };
    const verdictOf = (id: string, s: BallStudy): Promise<ClaimResult> => plantedClaim(theorem, id, s);

    it('corollary bound: sup = η is not rejected; a sup 30× η at one configuration is rejected there alone', async () => {
      expect((await verdictOf('corollary-bound', planted(() => 0))).verdict).toBe('not rejected');
      const c = await verdictOf('corollary-bound', planted(() => 0, 40, 3, { regime: 0, radius: 3, factor: 30 }));
      if (c.kind !== 'statistical') throw new Error('kind');
      expect(c.verdict).toBe('rejected');
      const rej = c.tests.filter((t) => t.rejected);
      expect(rej.length).toBeGreaterThan(0);
      for (const t of rej) expect(t.label.startsWith('tanh, depth 1, r = 0.1,')).toBe(true);
      // a smaller sup (the mirror) can only pass
      expect((await verdictOf('corollary-bound', planted(() => 0, 40, 3, { regime: 0, radius: 3, factor: 1 / 30 }))).verdict).toBe('not rejected');
    });

    it('sup grows with r: a planted growth holds, the mirror is reversed', async () => {
      expect((await verdictOf('sup-grows-with-radius', planted((k) => 0.05 * k))).verdict).toBe('holds');
      expect((await verdictOf('sup-grows-with-radius', planted((k) => 0.05 * (3 - k)))).verdict).toBe('reversed');
    });

    it('sup grows with r, no planted growth: over 30 null studies a verdict other than "not detected" stays near its rate', async () => {
      let detected = 0;
      for (let seed = 1; seed <= 30; seed++) if ((await verdictOf('sup-grows-with-radius', planted(() => 0.05, 30, seed))).verdict !== 'not detected') detected++;
      // Holm over 4 regimes at 0.05 per direction: ≤ 0.1 per study, E ≤ 3; P(Bin(30, 0.1) ≥ 8) ≈ 0.026.
      expect(detected).toBeLessThan(8);
    });

    it('a regime without confusion (η = 0, min cosine > 0 throughout) gets no trend verdict', async () => {
      const s = planted((k) => 0.05 * k);
      s.results[2] = s.results[2]!.map((g) => g.map((t) => ({ ...t, eta: 0, minCos: 0.5, sup: 0 })));
      const c = await verdictOf('sup-grows-with-radius', s);
      if (c.kind !== 'trend') throw new Error('kind');
      expect(c.regimes.map((g) => g.verdict)).toEqual(['holds', 'holds', 'no confusion in this regime', 'holds']);
    });
  });

  it('tightener (in the definition): its forms by hand at one configuration', () => {
    expect(theorem.tightener!.id).toBe('corollary-5-1');
    const cfg = { d: 32, width: 8, depth: 1, n: 8, activation: 'tanh' as const, loss: 'mse' as const, radius: 0.1 };
    const [cor, thm] = tightenSpec.forms.map((f) => f.cell(cfg, 0.02)!);
    expect(cor!.logA).toBeCloseTo(2 * Math.log(8) + 5120, 9);
    expect(thm!.x).toBeCloseTo((32 * 0.0004) / 20736, 18); // 16 ζ₀⁴ (β+2)⁴ = 16·16·81 = 20736
    expect(tightenSpec.trial(cfg).ball).toEqual({ radius: 0.1, samples: 3, norm: 'operator' });
  });
});
