import { beforeAll, describe, expect, it } from 'vitest';
import type { ClaimContext, ClaimResult, TheoremResult } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { LeastSquares } from '../src/sgd/least-squares.ts';
import { Rng } from '../src/rng.ts';
import { figure1Problem, figure1Run, gradientCosines, logLinearRate, type Figure1Run } from '../src/toy/figure-1-problem.ts';
import { plantedClaim } from './define.ts';
import { BUDGETS, fstarClaim, sampleFigure1, theorem, type Figure1Budget, type Figure1Sample } from './figure-1.ts';

const SEED = 1;

const trend = (c: ClaimResult | undefined) => {
  if (!c || c.kind !== 'trend') throw new Error('not a trend claim');
  return c;
};

/** A claim context whose memo returns `s` (feeds a given sample to an exact claim's check). */
const ctxWith = (s: Figure1Sample, seed = SEED): ClaimContext => ({ seed, budget: 'test', memo: <T>() => Promise.resolve(s as unknown as T) });

describe(`figure-1 problem and measures (seed ${SEED})`, () => {
  it('gradient cosines equal the cosines of explicitly formed per-example gradients; zero gradients are left out', () => {
    const rng = new Rng(3);
    const rows = Array.from({ length: 5 }, () => rng.normals(4));
    const wstar = rng.normals(4);
    const p = LeastSquares.interpolating(rows, wstar);
    const w = rng.normals(4);
    const { cosines, zeroGradients } = gradientCosines(p, w);
    const g = rows.map((_, i) => p.grad(i, w, new Float64Array(4)));
    const cos = (a: Float64Array, b: Float64Array) => a.reduce((s, v, k) => s + v * b[k]!, 0) / Math.sqrt(a.reduce((s, v) => s + v * v, 0) * b.reduce((s, v) => s + v * v, 0));
    const expected: number[] = [];
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) expected.push(cos(g[i]!, g[j]!));
    expect(zeroGradients).toBe(0);
    expect(cosines.length).toBe(expected.length);
    for (let k = 0; k < expected.length; k++) expect(cosines[k]!).toBeCloseTo(expected[k]!, 13);
    const atStar = gradientCosines(p, wstar);
    expect(atStar.zeroGradients).toBe(5);
    expect(atStar.cosines.length).toBe(0);
  });

  it('F* of d = 80 equals an independent minimization (conjugate gradient on the normal equations, 300 steps)', () => {
    const p = figure1Problem(100, 80, SEED);
    const rows = p.rows;
    const d = 80;
    // CG on (AᵀA) w = Aᵀb: exact in ≤ d steps in exact arithmetic; 300 steps make rounding negligible.
    const Av = (v: Float64Array) => rows.map((a) => a.reduce((s, x, k) => s + x * v[k]!, 0));
    const AtU = (u: number[]) => { const o = new Float64Array(d); rows.forEach((a, i) => a.forEach((x, k) => { o[k]! += x * u[i]!; })); return o; };
    const w = new Float64Array(d);
    let r = AtU(Array.from(p.b));
    let q = Float64Array.from(r);
    let rr = r.reduce((s, x) => s + x * x, 0);
    for (let it = 0; it < 300 && rr > 1e-30; it++) {
      const Aq = AtU(Av(q));
      const a = rr / q.reduce((s, x, k) => s + x * Aq[k]!, 0);
      for (let k = 0; k < d; k++) { w[k]! += a * q[k]!; r[k]! -= a * Aq[k]!; }
      const rr2 = r.reduce((s, x) => s + x * x, 0);
      q = q.map((x, k) => r[k]! + (rr2 / rr) * x);
      rr = rr2;
    }
    const f = Av(w).reduce((s, v, i) => s + (v - p.b[i]!) ** 2, 0) / 200;
    expect(Math.abs(p.fstar - f)).toBeLessThan(1e-10);
    // E F* = (N − d)/(2N) = 0.1; F*·2N/σ² ~ χ²_20 here: P(F* < 0.03) < 1e-3.
    expect(p.fstar).toBeGreaterThan(0.03);
    expect(figure1Problem(100, 120, SEED).fstar).toBe(0);
  });

  it('logLinearRate: the slope of ln v on an exact geometric sequence, ignoring non-positive entries', () => {
    expect(logLinearRate(Array.from({ length: 11 }, (_, e) => 3 * Math.exp(-0.2 * e)))).toBeCloseTo(-0.2, 12);
    expect(logLinearRate([1, 0, Math.exp(-1), -1, Math.exp(-2)])).toBeCloseTo(-0.5, 12);
    expect(logLinearRate([0, 0, 1])).toBe(0);
  });

  it('d = 120 converges linearly to F* = 0; d = 80 stalls above F* (one seed, 200 epochs)', () => {
    const over = figure1Run(100, 120, 1, 200);
    const under = figure1Run(100, 80, 1, 200);
    expect(over.loss.length).toBe(201);
    expect(over.suboptimality[200]!).toBeLessThan(over.suboptimality[100]! / 2);
    expect(over.ratePerEpoch).toBeLessThan(-0.01);
    // d = 80: SGD with constant α stalls at its noise floor: less than a 2× gain over the second 100 epochs
    expect(under.suboptimality[200]!).toBeGreaterThan(under.suboptimality[100]! / 2);
    expect(under.suboptimality[200]!).toBeGreaterThan(0);
  });
});

describe(`figure-1 at the test budget (seed ${SEED}: seeds 1…5 per d, 150 epochs)`, () => {
  let r: TheoremResult;
  const claim = (id: string) => r.claims.find((c) => c.id === id);
  const regime = (id: string) => trend(claim(id)).regimes[0]!;
  beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); });

  it('the exact claim (F(w_k) ≥ F*, F* = 0 for d ≥ N) holds on every recorded iterate', () => {
    const c = claim('fstar-is-the-minimum')!;
    expect(c.kind).toBe('exact');
    expect(c.verdict).toBe('holds');
    expect(c.instances).toBe(10 * 151);
    expect(r.holds).toBe(true);
  });

  it('faster convergence holds with complete separation (exact p = 1/252; Holm ×4 = 0.016): relative suboptimality median ≈ 0.1 at d = 80, < 0.01 at d = 120', () => {
    const g = regime('suboptimality-falls-with-d');
    expect(g.verdict).toBe('holds');
    expect(g.outcome!.tau).toBe(-1);
    expect(g.outcome!.pValue).toBeCloseTo(1 / 252, 10);
    expect(g.outcome!.pAdjusted).toBeCloseTo(4 / 252, 10);
    expect(g.outcome!.medians[0]!).toBeGreaterThan(0.05);
    expect(g.outcome!.medians[0]!).toBeLessThan(0.2);
    expect(g.outcome!.medians[1]!).toBeLessThan(0.01);
  });

  it('linear rate: slope of ln(F − F*) per epoch median ≤ −0.02 at d = 120, ≥ −0.01 at d = 80 (τ = −1)', () => {
    const g = regime('linear-rate-faster-with-d');
    expect(g.verdict).toBe('holds');
    expect(g.outcome!.tau).toBe(-1);
    expect(g.outcome!.medians[1]!).toBeLessThan(-0.02);
    expect(g.outcome!.medians[0]!).toBeGreaterThan(-0.01);
  });

  it('lower confusion at the end holds (median min cosine −0.38 at d = 80 vs −0.32 at d = 120) — and the same ordering holds at w_0 already (−0.41 vs −0.33)', () => {
    const end = regime('end-min-cosine-rises-with-d');
    expect(end.verdict).toBe('holds');
    expect(end.outcome!.medians[0]!).toBeGreaterThan(-0.45);
    expect(end.outcome!.medians[0]!).toBeLessThan(-0.35);
    expect(end.outcome!.medians[1]!).toBeGreaterThan(-0.35);
    expect(end.outcome!.medians[1]!).toBeLessThan(-0.28);
    const init = regime('init-min-cosine-rises-with-d');
    expect(claim('init-min-cosine-rises-with-d')!.source).toBe('derived');
    expect(init.verdict).toBe('holds');
    expect(init.outcome!.tau).toBe(1);
    expect(init.outcome!.medians[1]! - init.outcome!.medians[0]!).toBeGreaterThan(0.05);
  });

  it('figures: suboptimality curves on a log y axis with integer epochs, one line per run; minimum cosines at w_0 and at the end', () => {
    const figs = r.details.figures as FigureData[];
    expect(figs.map((f) => f.id)).toEqual(['suboptimality', 'min-cosine']);
    expect(figs[0]!.y.scale).toBe('log');
    expect(figs[0]!.x.integer).toBe(true);
    expect(figs[0]!.series).toHaveLength(10);
    for (const s of figs[0]!.series) for (const [, y] of s.points) expect(y).toBeGreaterThan(0);
    expect(figs[0]!.series[0]!.points.at(-1)![0]).toBe(150);
    expect(figs[1]!.series.map((s) => s.points.length)).toEqual([10, 10]);
    // the data src/report/figures.ts reads
    expect((r.details.curves as unknown[]).length).toBe(10);
    expect((r.details.histograms as unknown[]).length).toBe(10);
  });
});

describe('power and direction: each Figure 1 trend claim on planted runs', () => {
  /** A planted run: only the fields the claims read. */
  const run = (d: number, seed: number, v: { sub: number; rate: number; init: number; end: number }): Figure1Run => {
    const cs = (min: number) => ({ count: 4950, zeroGradients: 0, min, q05: min / 2, median: 0, mean: 0, q95: -min / 2, max: -min, histogram: { lo: -1, hi: 1, counts: [] } });
    return { d, seed, alpha: 1, loss: [0.5, 0.1], fstar: 0, suboptimality: [0.5, 0.5 * v.sub], relativeSuboptimality: v.sub, ratePerEpoch: v.rate, cosines: { init: cs(v.init), end: cs(v.end) }, endCosines: [] };
  };
  /** 5 runs per d; `shift` = +1: d = 120 better on every measure (the claims' direction), −1 mirrored, 0 same law. */
  const planted = (shift: number, seed = 5): Figure1Sample => {
    const rng = new Rng(seed);
    const u = () => 0.01 * rng.normal();
    return {
      n: 100, epochs: 1,
      runs: [80, 120].flatMap((d, k) => [1, 2, 3, 4, 5].map((s) => {
        const better = shift * (k - 0.5); // ±0.5
        return run(d, s, { sub: 0.1 - 0.05 * better + u(), rate: -0.02 - 0.02 * better + u(), init: -0.4 + 0.1 * better + u(), end: -0.4 + 0.1 * better + u() });
      })),
    };
  };
  const ids = ['suboptimality-falls-with-d', 'linear-rate-faster-with-d', 'end-min-cosine-rises-with-d', 'init-min-cosine-rises-with-d'];

  it('planted improvement → holds; mirrored → reversed; none → not detected', async () => {
    for (const id of ids) {
      expect(trend(await plantedClaim(theorem, id, planted(1))).verdict, id).toBe('holds');
      expect(trend(await plantedClaim(theorem, id, planted(-1))).verdict, id).toBe('reversed');
      expect(trend(await plantedClaim(theorem, id, planted(0))).verdict, id).toBe('not detected');
    }
  });

  it('F* decides the old criterion, not speed: d = 80 planted to converge at once still "ends higher", and the suboptimality claims say reversed', async () => {
    const s = sampleFigure1(BUDGETS.test);
    // d = 80 jumps to F* + 1e-9 after one epoch (faster than any SGD); d = 120 as measured.
    const fast: Figure1Sample = { ...s, runs: s.runs.map((r) => (r.d === 80 ? { ...r, loss: r.loss.map((f, e) => (e === 0 ? f : r.fstar + 1e-9)), suboptimality: r.suboptimality.map((v, e) => (e === 0 ? v : 1e-9)), relativeSuboptimality: 1e-9 / r.suboptimality[0]!, ratePerEpoch: -1 } : r)) };
    const finals = (d: number) => fast.runs.filter((r) => r.d === d).map((r) => r.loss.at(-1)!);
    // the old criterion (final loss lower at d = 120) still holds with complete separation: F*(80) ≥ 0.03 > F(w_end) at d = 120
    expect(Math.max(...finals(120))).toBeLessThan(Math.min(...finals(80)));
    expect(trend(await plantedClaim(theorem, 'suboptimality-falls-with-d', fast)).verdict).toBe('reversed');
    expect(trend(await plantedClaim(theorem, 'linear-rate-faster-with-d', fast)).verdict).toBe('reversed');
  });

  it('no pair of gradients disagrees (every min cosine > 0): no confusion, no cosine verdict', async () => {
    const s = planted(1);
    const pos: Figure1Sample = { ...s, runs: s.runs.map((r) => ({ ...r, cosines: { init: { ...r.cosines.init, min: 0.1 + r.seed / 100 }, end: { ...r.cosines.end, min: 0.1 + r.seed / 100 } } })) };
    expect(trend(await plantedClaim(theorem, 'end-min-cosine-rises-with-d', pos)).verdict).toBe('no confusion in this regime');
    expect(trend(await plantedClaim(theorem, 'init-min-cosine-rises-with-d', pos)).verdict).toBe('no confusion in this regime');
  });
});

describe('the exact claim can fail, and never fails on correct code (seeds 1…40)', () => {
  it('a loss recorded below F* (or F* ≠ 0 at d ≥ N) is a counterexample', async () => {
    const s = sampleFigure1({ epochs: 5, seeds: 1 });
    const below: Figure1Sample = { ...s, runs: s.runs.map((r, i) => (i === 0 ? { ...r, loss: [...r.loss.slice(0, -1), r.fstar - 1e-6] } : r)) };
    const o = await fstarClaim.check(ctxWith(below), BUDGETS.test);
    expect(o.holds).toBe(false);
    expect(o.counterexample).toMatchObject({ d: 80, seed: 1, epoch: 5 });
    const nonzero: Figure1Sample = { ...s, runs: s.runs.map((r) => (r.d === 120 ? { ...r, fstar: 1e-3 } : r)) };
    expect((await fstarClaim.check(ctxWith(nonzero), BUDGETS.test)).holds).toBe(false);
  });

  it('fstar-is-the-minimum holds for seeds 1…40 (2 seeds per d, 30 epochs each)', async () => {
    const b: Figure1Budget = { epochs: 30, seeds: 2 };
    for (let seed = 1; seed <= 40; seed++) {
      const memo = new Map<string, Promise<unknown>>();
      const ctx: ClaimContext = { seed, budget: 'test', memo: <T>(k: string, f: () => Promise<T>) => { if (!memo.has(k)) memo.set(k, f()); return memo.get(k) as Promise<T>; } };
      const o = await fstarClaim.check(ctx, b);
      expect(o.holds, `seed ${seed}`).toBe(true);
      expect(o.instances).toBe(4 * 31);
    }
  });
});
