/**
 * Corollary 5.1 (THEOREMS.md) — the Theorem 5.1 bound holds uniformly over a ball B_r around a
 * small-weights W: P(sup_{W' ∈ B_r} η(W') ≤ η) ≥ 1 − N² exp(−c d η² / (64 ζ₀⁴ (β+2)⁴)) when
 * r ≤ η/(4ζ₀²), and otherwise with an extra + 8 d ζ₀² r / η in the exponent (read here as
 * N² exp(−c X₆₄ + 8 d ζ₀² r/η), outside the constant — the transcription does not say which).
 *
 * The ball: B_r = {W' : ‖W'_p − W_p‖₂ ≤ r for every layer p} (operator norms, as Assumption 1);
 * sampled on its boundary, W'_p = W_p + r G_p/‖G_p‖₂ with Gaussian G_p (src/pool/trial.ts perturb).
 * The sup over the ball is estimated by the max over the center and `samples` random points — a
 * LOWER bound of the true sup, so a violation found is real, while a pass is evidence only for
 * random directions (no adversarial search).
 *
 * Claims (theorems/define.ts; the exact verdict is the exact claims' alone):
 * - exact `ball-radius` (derived): every sampled point is on the boundary of B_r: for every layer,
 *   | ‖W'_p − W_p‖₂ − r | ≤ u ‖W'_p‖_F + 1e-12 (u = 2⁻²⁴: W'_p is W_p + Δ_p rounded to float32 entry
 *   by entry, so the error matrix E has ‖E‖₂ ≤ ‖E‖_F ≤ u ‖W'_p‖_F), and ‖W'_p‖₂ ≤ 1 + r + that
 *   tolerance (triangle inequality with Assumption 1 at the center).
 * - exact `ball-derived-bound` (derived): at the center and every sampled point, with the measured
 *   norms s_q = ‖W'_q‖₂ (≤ 1 + r), |G_ij(W')| ≤ R² Σ_p Π_{q≠p} s_q² for tanh, ReLU, linear and the
 *   sigmoid bound of theorems/theorem-5-1.ts for the sigmoid; tolerance GRAM_REL_TOL_F32.
 * - statistical `corollary-bound` (paper): with c_low = the lower end of the 95% interval of
 *   Theorem 5.1's constant estimated from the centers of the same trials (16-form,
 *   src/stats/tail.ts), the Corollary's bound on P(sup η > e) must hold at every ball cell (each
 *   configuration × threshold): a one-sided exact binomial test per cell, H0: P ≤ bound(c_low),
 *   p = P(Bin(n, bound) ≥ k) = I_bound(k, n − k + 1); the runner's Holm family at ALPHA = 0.05.
 *   The false-alarm rate is ≤ ALPHA under the reading c ≥ c_low (itself a 95% statement).
 * - trend `sup-grows-with-radius` (derived): sup over the ball / η(center) grows with r, per
 *   regime, one-sided Jonckheere–Terpstra, Holm over the regimes (the runner).
 *
 * Figures (details.figures): the derived bound on max|G| over B_r (all norms at 1 + r) against the
 * measured max over the sampled points, vs r; the Corollary's bound on P(sup η > e*) at c_low
 * (capped at 1) against the measured frequency, vs r, at e* = the median center η of the regime.
 */
import fc from 'fast-check';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { operatorNorm } from '../models/linalg.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { childSeed, kernelNames, perturb, runTrial, trialSeed, trialWeights, type GramMeasures, type TrialConfig } from '../src/pool/trial.ts';
import { withPool, type TrialPool } from '../src/pool/pool.ts';
import { formatTighten, tightenSearch, type TightenSpec } from '../src/pool/tighten-search.ts';
import { estimateTailConstant, tailCells } from '../src/stats/tail.ts';
import { Rng } from '../src/rng.ts';
import { regimeHasConfusion } from '../src/claims/confusion.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { slackOf, type ClaimContext, type ClaimResult, type ExactClaim, type ExactOutcome, type Statement, type StatisticalClaim, type StatTest, type TrendClaim, type Verdict } from '../src/claims/claim.ts';
import { derivedBound, exponent51, sigmoidBound, smallConfig, zeta0 } from './theorem-5-1.ts';
import { defineTheorem, exactProperty } from './define.ts';
import type { Tightener, TightenOptions } from './tighten.ts';

/** The result as data. */
export const statement: Statement = {
  id: 'corollary-5-1',
  title: 'Corollary 5.1: the small-weights confusion bound holds uniformly over a ball B_r around W',
  wording: 'For W under Assumption 1 and all W\' in B_r(W): bound η holds with probability ≥ 1 − N² exp(−c d η²/(64 ζ₀⁴ (β+2)⁴)) if r ≤ η/(4ζ₀²); otherwise with an extra + 8 d ζ₀² r/η in the exponent.',
  hypotheses: ['W satisfies Assumption 1', 'W\' ∈ B_r(W) (per-layer operator norm ball)', 'P1–P2 activations', 'sphere data', 'square or logistic loss'],
  bound: 'zeta0 = 2 sqrt(beta); N^2 * exp(-c * d * eta^2 / (64 * zeta0^4 * (beta + 2)^4) + (r > eta / (4 zeta0^2) ? 8 d zeta0^2 r / eta : 0))',
  version: 'ICML 2020 (final), Corollary 5.1 (earlier numbering)',
  confidence: 'sure (earlier numbering); placement of the extra term unconfirmed',
};

/** Family-wise false-alarm rate of the statistical tests, and separately of the trend tests. */
export const ALPHA = 0.05;
/** Confidence of the interval of Theorem 5.1's constant that gives c_low. */
export const LEVEL = 0.95;
/** Unit roundoff of float32 (round to nearest). */
export const F32_U = 2 ** -24;

/** Corollary 5.1's exponent: c multiplies x; logA = ln N² + the extra term (when r > e/(4ζ₀²)). */
export function corollaryCell(d: number, beta: number, n: number, r: number, e: number): { x: number; logA: number } {
  const z = zeta0(beta);
  const extra = r > e / (4 * z * z) ? (8 * d * z * z * r) / e : 0;
  return { x: exponent51(d, beta, e, 64), logA: 2 * Math.log(n) + extra };
}

/** A ball configuration (boundary samples of the per-layer operator-norm ball). */
export function ballConfig(d: number, width: number, depth: number, n: number, activation: TrialConfig['activation'], loss: TrialConfig['loss'], radius: number, samples: number): TrialConfig {
  return { ...smallConfig(d, width, depth, n, activation, loss), ball: { radius, samples, norm: 'operator' } };
}

/** The derived Gram bound that applies to the configuration's activation (null when none does). */
export const gramBound = (c: TrialConfig, norms: readonly number[]): number | null => derivedBound(c, norms) ?? sigmoidBound(c, norms);

/** Exact: the derived bound at the center and at every sampled point of one trial. */
export function checkBallPoints(c: TrialConfig, points: readonly GramMeasures[]): Verdict {
  let worst = 0;
  let holds = true;
  let maxNorm = 0;
  for (const m of points) {
    const b = gramBound(c, m.opNorms ?? []);
    maxNorm = Math.max(maxNorm, ...(m.opNorms ?? [0]));
    if (b === null) throw new Error(`corollary-5-1: no derived Gram bound for activation ${c.activation}`);
    worst = Math.max(worst, m.maxAbsG / b);
    if (m.maxAbsG > b * (1 + GRAM_REL_TOL_F32)) holds = false;
  }
  return { holds, measured: { maxRatioToDerivedBound: worst, maxOperatorNorm: maxNorm }, bound: 1, slack: slackOf(worst, 1) };
}

/** Exact: the sampled points of one trial lie on the boundary of B_r (re-drawn exactly as runTrial draws them). */
export function checkRadius(c: TrialConfig, seed: number): Verdict {
  const r = c.ball!.radius;
  const w = trialWeights(c, seed);
  const rng = new Rng(childSeed(seed, 99));
  let worstDev = 0;
  let worstNormExcess = -Infinity;
  let holds = true;
  for (let s = 0; s < c.ball!.samples; s++) {
    const w2 = perturb(c, w, rng);
    for (const name of kernelNames(c)) {
      const a = w.get(name)!;
      const b = w2.get(name)!;
      const [rows, cols] = [a.shape[0]!, a.shape[1]!];
      const diff = Float64Array.from(b.data, (v, i) => v - a.data[i]!);
      let fro = 0;
      for (const v of b.data) fro += v * v;
      const tol = F32_U * Math.sqrt(fro) + 1e-12;
      const dev = Math.abs(operatorNorm(diff, rows, cols) - r);
      const excess = operatorNorm(b.data, rows, cols) - (1 + r + tol);
      worstDev = Math.max(worstDev, dev / tol);
      worstNormExcess = Math.max(worstNormExcess, excess);
      if (dev > tol || excess > 0) holds = false;
    }
  }
  return { holds, measured: { maxDeviationOverTolerance: worstDev, maxNormExcess: worstNormExcess }, bound: 1, slack: slackOf(worstDev, 1) };
}

/** Instances of the exact ball checks. */
export const exactArbitrary = fc.record({
  d: fc.integer({ min: 1, max: 24 }),
  width: fc.integer({ min: 1, max: 32 }),
  depth: fc.integer({ min: 0, max: 4 }),
  n: fc.integer({ min: 2, max: 6 }),
  activation: fc.constantFrom<'tanh' | 'relu' | 'linear' | 'sigmoid'>('tanh', 'relu', 'linear', 'sigmoid'),
  loss: fc.constantFrom<'mse' | 'logistic'>('mse', 'logistic'),
  radius: fc.constantFrom(1e-4, 0.01, 0.1, 0.5, 1),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});
/** An exact instance. */
export type BallInstance = typeof exactArbitrary extends fc.Arbitrary<infer T> ? T : never;

const instanceConfig = (p: BallInstance, samples: number) => ballConfig(p.d, p.width, p.depth, p.n, p.activation, p.loss, p.radius, samples);

/** Exact: the ball's points are where the ball says. */
export const radiusClaim: ExactClaim = {
  id: 'ball-radius', kind: 'exact', source: 'derived',
  statement: 'every sampled W\' is on the boundary of B_r: ‖W\'_p − W_p‖₂ = r for every layer (float32 rounding), and ‖W\'_p‖₂ ≤ 1 + r',
  budgets: { test: 10, quick: 25, full: 500 },
  check: (ctx, numRuns) => exactProperty(ctx, exactArbitrary, numRuns, (p) => checkRadius(instanceConfig(p, 3), p.seed), { tolerance: `|‖ΔW‖₂ − r| ≤ 2⁻²⁴‖W'‖_F + 1e-12 (float32 rounding of W + Δ)` }),
};

/** Exact: the derived Gram bound at every sampled point. */
export const ballBoundClaim: ExactClaim = {
  id: 'ball-derived-bound', kind: 'exact', source: 'derived',
  statement: '|G_ij(W\')| ≤ R² Σ_p Π_{q≠p} ‖W\'_q‖² (tanh, ReLU, linear; the sigmoid bound for the sigmoid) at the center and every sampled ball point (measured norms)',
  budgets: { test: 10, quick: 25, full: 500 },
  check: (ctx, numRuns) => exactProperty(ctx, exactArbitrary, numRuns, (p) => {
    const c = instanceConfig(p, 3);
    const r = runTrial(c, p.seed);
    return checkBallPoints(c, [r, ...(r.ball ?? [])]);
  }, { tolerance: `${GRAM_REL_TOL_F32} relative (float32 Gram)` }),
};

/** Ball radii of the study (the first branch r ≤ η/(4ζ₀²) needs r of the order of η/(16β) ~ 1e-3 here). */
export const RADII = [1e-4, 1e-3, 1e-2, 1e-1];
/** Regimes of the ball study (square loss, d = width = 32, N = 8). */
export const REGIMES: { activation: TrialConfig['activation']; depth: number }[] = [
  { activation: 'tanh', depth: 1 }, { activation: 'tanh', depth: 2 }, { activation: 'relu', depth: 1 }, { activation: 'relu', depth: 2 },
];
/** Fixed sizes of the study. */
export const STUDY = { d: 32, width: 32, n: 8 };

/** One trial of the ball study, reduced to what the claims use. */
export interface BallTrial { eta: number; minCos: number | null; sup: number; maxAbsGBall: number }

/** The ball study: per regime × radius, the trials. */
export interface BallStudy { seed: number; trials: number; samples: number; radii: number[]; regimes: typeof REGIMES; results: BallTrial[][][] }

/** The configuration of regime g at radius r. */
export const studyConfig = (g: (typeof REGIMES)[number], r: number, samples: number): TrialConfig => ballConfig(STUDY.d, STUDY.width, g.depth, STUDY.n, g.activation, 'mse', r, samples);

/** Run the ball study on a pool. */
export async function sampleBallStudy(pool: TrialPool, seed: number, trials: number, samples: number, progress?: (done: number, total: number) => void): Promise<BallStudy> {
  const cfgs = REGIMES.flatMap((g) => RADII.map((r) => studyConfig(g, r, samples)));
  const res = await pool.run(cfgs.map((c) => ({ config: c, seeds: Array.from({ length: trials }, (_, i) => trialSeed(seed, c, i)) })), progress);
  const reduce = (rs: (typeof res)[number]): BallTrial[] => rs.map((t) => ({
    eta: t.eta, minCos: t.minCos, sup: Math.max(t.eta, ...(t.ball ?? []).map((b) => b.eta)), maxAbsGBall: Math.max(t.maxAbsG, ...(t.ball ?? []).map((b) => b.maxAbsG)),
  }));
  return { seed, trials, samples, radii: RADII, regimes: REGIMES, results: REGIMES.map((_, gi) => RADII.map((_, ri) => reduce(res[gi * RADII.length + ri]!))) };
}

const BUDGETS = { test: { trials: 16, samples: 2 }, quick: { trials: 64, samples: 4 }, full: { trials: 300, samples: 8 } };
type StudyBudget = (typeof BUDGETS)['test'];
const study = (ctx: ClaimContext, b: StudyBudget) => ctx.memo(`ball:${b.trials}:${b.samples}`, () => withPool({}, (pool) => sampleBallStudy(pool, ctx.seed, b.trials, b.samples, ctx.progress)));

/** P(Bin(n, p) ≥ k) = I_p(k, n − k + 1) (1 for k = 0 or p ≥ 1): the one-sided binomial p-value. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0 || p >= 1) return 1;
  if (p <= 0) return 0;
  return betaCdf(p, k, n - k + 1);
}

/** The statistical analysis: c_low from the centers, one binomial test per ball cell (raw p), figure data. */
export function analyzeCorollary(s: BallStudy): { tests: StatTest[]; instances: number; details: Record<string, unknown> } {
  const flat = s.regimes.flatMap((g, gi) => s.radii.map((r, ri) => ({ g, r, cfg: studyConfig(g, r, s.samples), trials: s.results[gi]![ri]! })));
  const centerCells = flat.flatMap((f, i) => tailCells(f.trials.map((t) => t.eta), (e) => ({ x: exponent51(STUDY.d, f.g.depth, e), logA: 2 * Math.log(STUDY.n) }), i));
  const center = estimateTailConstant(centerCells, LEVEL);
  const cLow = center.ci[0];
  const ballCells = flat.flatMap((f, i) => tailCells(f.trials.map((t) => t.sup), (e) => corollaryCell(STUDY.d, f.g.depth, STUDY.n, f.r, e), i));
  const boundAt = (cell: { x: number; logA: number }) => (cLow === null ? 1 : Math.exp(cell.logA - cLow * cell.x));
  const tests: StatTest[] = ballCells.map((cell) => {
    const f = flat[cell.config]!;
    const b = boundAt(cell);
    return { label: `${f.g.activation}, depth ${f.g.depth}, r = ${f.r}, e = ${cell.e.toPrecision(4)}`, test: 'exact one-sided binomial, H0: P(sup η > e) ≤ Corollary bound at c_low', statistic: cell.k, pValue: binomialUpperTail(cell.k, cell.n, b), effect: cell.k / cell.n - Math.min(1, b), n: cell.n };
  });
  const vacuousCells = ballCells.filter((cell) => boundAt(cell) >= 1).length;
  // figure data, per regime and radius
  const figure = s.regimes.map((g, gi) => {
    const centers = s.results[gi]!.flat().map((t) => t.eta).sort((a, b) => a - b);
    const eStar = centers[Math.floor(centers.length / 2)] ?? 0;
    return {
      regime: g, eStar,
      byRadius: s.radii.map((r, ri) => {
        const ts = s.results[gi]![ri]!;
        const worstNorms = Array.from({ length: g.depth + 1 }, () => 1 + r);
        const cell = corollaryCell(STUDY.d, g.depth, STUDY.n, r, eStar);
        return { r, maxAbsGBall: Math.max(...ts.map((t) => t.maxAbsGBall)), worstCaseBound: gramBound(studyConfig(g, r, s.samples), worstNorms), pHat: ts.filter((t) => t.sup > eStar).length / ts.length, bound: Math.min(1, boundAt(cell)) };
      }),
    };
  });
  return {
    tests, instances: s.results.flat(2).length,
    details: { theorem51Constant: { cHat: center.cHat, ci: center.ci, cells: center.cells }, cUsed: cLow, ballCells: ballCells.length, vacuousCells, figure, replay: { seed: s.seed, trials: s.trials, samples: s.samples } },
  };
}

/** Statistical: the Corollary's bound on the sup over the ball at Theorem 5.1's constant. */
export const corollaryClaim: StatisticalClaim<StudyBudget, BallStudy> = {
  id: 'corollary-bound', kind: 'statistical', source: 'paper',
  statement: 'P(sup_{B_r} η > e) ≤ N² exp(−c d e²/(64 ζ₀⁴ (β+2)⁴) [+ 8 d ζ₀² r/e]) at c = c_low, the lower 95% end of Theorem 5.1\'s constant from the centers',
  budgets: BUDGETS,
  sample: (ctx, b) => study(ctx, b),
  analyze: analyzeCorollary,
};

/** Trend: the sup over the ball grows with r. */
export const growthClaim: TrendClaim<StudyBudget, BallStudy> = {
  id: 'sup-grows-with-radius', kind: 'trend', direction: 'increasing', source: 'derived',
  statement: 'sup over the ball / η(center) grows with r ∈ {1e-4, 1e-3, 1e-2, 1e-1} (d = width = 32, N = 8, square loss)',
  budgets: BUDGETS,
  sample: (ctx, b) => study(ctx, b),
  analyze: (s) => ({
    measure: 'sup_{B_r} η / η(center)', instances: s.results.flat(2).length,
    regimes: s.regimes.map((g, gi) => ({
      label: `${g.activation}, depth ${g.depth}`, levels: s.radii,
      groups: s.results[gi]!.map((ts) => ts.map((t) => (t.eta > 0 ? t.sup / t.eta : 1))),
      confusion: regimeHasConfusion(s.results[gi]!),
    })),
  }),
};

/** The figures (from the statistical claim's details). */
export function corollaryFigures(claims: ClaimResult[]): FigureData[] {
  const c = claims.find((x) => x.id === 'corollary-bound');
  const fig = (c?.details?.figure as { regime: { activation: string; depth: number }; eStar: number; byRadius: { r: number; maxAbsGBall: number; worstCaseBound: number | null; pHat: number; bound: number }[] }[] | undefined) ?? [];
  if (!fig.length) return [];
  const name = (g: { activation: string; depth: number }) => `${g.activation}, depth ${g.depth}`;
  return [
    {
      id: 'gram-bound-vs-radius', title: 'Corollary 5.1 — the derived bound on max|G_ij| over B_r against the measured max over the sampled points',
      caption: 'Bound R²(β+1)(1+r)^{2β} (all norms at 1 + r) and the largest |G_ij| seen at the center and the boundary samples, per regime; the bound holds with room.',
      x: { title: 'radius r', scale: 'log' }, y: { title: 'max |G_ij|', scale: 'log' },
      series: fig.flatMap((f) => [
        { name: `bound, ${name(f.regime)}`, mark: 'line' as const, points: f.byRadius.filter((b) => b.worstCaseBound !== null).map((b) => [b.r, b.worstCaseBound!] as [number, number]) },
        { name: `measured, ${name(f.regime)}`, mark: 'point' as const, points: f.byRadius.filter((b) => b.maxAbsGBall > 0).map((b) => [b.r, b.maxAbsGBall] as [number, number]) },
      ]),
    },
    {
      id: 'corollary-bound-vs-radius', title: 'Corollary 5.1 — the bound on P(sup η > e*) at c_low against the measured frequency',
      caption: 'e* = the median center η of each regime; the bound (capped at 1) is vacuous where it sits at 1.',
      x: { title: 'radius r', scale: 'log' }, y: { title: 'P(sup_{B_r} η > e*)' },
      series: fig.flatMap((f) => [
        { name: `bound at c_low, ${name(f.regime)}`, mark: 'line' as const, points: f.byRadius.map((b) => [b.r, b.bound] as [number, number]) },
        { name: `measured, ${name(f.regime)}`, mark: 'point' as const, points: f.byRadius.map((b) => [b.r, b.pHat] as [number, number]) },
      ]),
    },
  ];
}

/** A configuration searched by the tightener. */
export interface SearchConfig { d: number; width: number; depth: number; n: number; activation: 'tanh' | 'relu'; loss: 'mse' | 'logistic'; radius: number }

/** max of η over the center and the sampled ball points. */
export const supEta = (r: { eta: number; ball?: { eta: number }[] }): number => Math.max(r.eta, ...(r.ball ?? []).map((b) => b.eta));

/** Tightening search of Corollary 5.1's c on the sup over the ball. */
export const tightenSpec: TightenSpec<SearchConfig> = {
  theorem: statement.id,
  arbitrary: fc.record({
    d: fc.integer({ min: 2, max: 48 }),
    width: fc.integer({ min: 4, max: 48 }),
    depth: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 2, max: 12 }),
    activation: fc.constantFrom<'tanh' | 'relu'>('tanh', 'relu'),
    loss: fc.constantFrom<'mse' | 'logistic'>('mse', 'logistic'),
    radius: fc.constantFrom(1e-4, 1e-3, 0.01, 0.1),
  }),
  trial: (c) => ballConfig(c.d, c.width, c.depth, c.n, c.activation, c.loss, c.radius, 3),
  measure: supEta,
  measureName: 'sup over the ball of η (max over center + 3 boundary samples)',
  forms: [
    { name: 'corollary: N² exp(−c d η²/(64 ζ₀⁴ (β+2)⁴) [+ 8 d ζ₀² r/η if r > η/(4ζ₀²)])', cell: (c, e) => corollaryCell(c.d, c.depth, c.n, c.radius, e) },
    { name: 'theorem-5.1 form on the ball: N² exp(−c d η²/(16 ζ₀⁴ (β+2)⁴))', cell: (c, e) => ({ x: exponent51(c.d, c.depth, e), logA: 2 * Math.log(c.n) }) },
  ],
  trialsPerConfig: 48,
  note: 'the sup over B_r is estimated from 3 random boundary points per trial: ĉ is an upper estimate for the true sup (a true sup can only lower it)',
};

/** `gradconf tighten corollary-5-1`: Corollary 5.1's c on the sup over the ball. */
const tightener: Tightener = {
  id: statement.id,
  description: 'estimate Corollary 5.1\'s c on the sup of η over a ball B_r around small weights (budget = configurations, 48 trials each)',
  defaultBudget: 20,
  run: (o: TightenOptions) => tightenSearch(tightenSpec, o),
  format: formatTighten,
};

/** Corollary 5.1: statement, claims, tightener, figures. */
export const theorem = defineTheorem({
  statement, alpha: ALPHA,
  claims: [radiusClaim, ballBoundClaim, corollaryClaim, growthClaim],
  tightener,
  figures: (claims) => ({ figures: corollaryFigures(claims) }),
});
