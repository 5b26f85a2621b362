/**
 * Theorem 3.2 — SGD under A1 only (non-convex), in the DERIVED form of
 * ../shared/paper/THEOREMS.md:
 *
 *   if α < 2/(N L):  min_{k=1..T} E‖∇F(w_k)‖² ≤ ρ (F(w_1) − F*) / (α T) + ρ η,  ρ = 2N / (2 − N L α).
 *
 * (The paper numbers the iterates from 1: its w_1 is the start, our w_0, and the minimum runs over
 * the first T iterates w_0..w_{T−1}; η must hold at those.) The text we could read prints the first
 * term without 1/α; the derivation needs it (same first step as Thm 3.1, then Jensen
 * E‖∇f_i‖² ≥ ‖∇F‖², then telescoping). The printed form is searched as a variant.
 *
 * Claims (one kind each):
 * - exact 'bound-holds': on least squares (interpolating and not; moment oracle), logistic
 *   regression (orthogonal / near-orthogonal) and the smooth non-convex robust regression
 *   φ(r) = r²/(1 + r²) (interpolating: F* = 0; noisy: F* bounded below by 0, which only enlarges the
 *   bound's F(w_1) − F*), for every horizon k = 1..T, exact expectations (moment recursion or
 *   enumeration of all SGD paths); tolerance 1e-12·(k + 1) relative (src/sgd/tolerance.ts);
 *   smallest slack over non-degenerate instances (degenerate: both sides exactly 0).
 * - statistical 'monte-carlo-spot-check': a non-convex instance too large to enumerate (robust
 *   regression, N = 16, d = 8, T = 32); the null is the theorem, min_k E‖∇F(w_k)‖² ≤ bound, tested
 *   as an intersection-union test (reject iff every k's one-sided test rejects, p = max_k p_k) with
 *   the Hoeffding / empirical-Bernstein p-values of src/sgd/monte-carlo.ts at family-wise
 *   ALPHA = 1e-3. Its budgets are sized so that it rejects a bound half the true value (power test
 *   in theorem-3-2.test.ts).
 */
import fc from 'fast-check';
import { THM32_BOUND, THM32_PRINTED, THM32_STEP } from '../src/bounds/sgd-bounds.ts';
import type { Recheck, VariantSpec } from '../src/bounds/variant-search.ts';
import { compileBound } from '../src/bounds/restricted.ts';
import { BadInputError } from '../src/errors.ts';
import { ALL_FAMILIES, exactExpectations, materialize, sgdInstanceArb, type Family, type SgdInstance } from '../src/sgd/instances.ts';
import { replayExpectation } from '../src/sgd/enumerate.ts';
import { LeastSquares } from '../src/sgd/least-squares.ts';
import { momentOracleDense } from '../src/sgd/moment-oracle.ts';
import { exceedancePValue, monteCarloSgd } from '../src/sgd/monte-carlo.ts';
import type { FiniteSumProblem } from '../src/sgd/problem.ts';
import { RobustRegression } from '../src/sgd/robust-regression.ts';
import { horizonVerdict, runExactSgdProperty, type HorizonPoint, type HorizonVerdict } from '../src/sgd/slack-stats.ts';
import { exactTolerance } from '../src/sgd/tolerance.ts';
import { Rng } from '../src/rng.ts';
import type { ClaimResult, ExactClaim, Statement, StatisticalClaim, StatisticalStudy } from '../src/claims/claim.ts';
import { variantTightener, type Tightener } from './tighten.ts';
import { defineTheorem } from './define.ts';
import { curveFigures } from './theorem-3-1.ts';

/** The statement as data (DESIGN.md, "A theorem file"). */
export const statement: Statement = {
  id: 'theorem-3-2',
  title: 'Theorem 3.2: non-convex SGD reaches a confusion-sized gradient level (derived form)',
  wording: 'If every f_i is L-smooth (A1) and <∇f_i(w), ∇f_j(w)> ≥ −η for i ≠ j along the SGD path, then for α < 2/(NL): min_{k=1..T} E‖∇F(w_k)‖² ≤ ρ (F(w_1) − F*)/(αT) + ρη, ρ = 2N/(2 − NLα).',
  hypotheses: ['A1: every f_i is L-smooth', 'Definition 2.1: confusion bound η at every iterate w_1..w_T', THM32_STEP.source],
  bound: THM32_BOUND.source,
  version: 'ICML 2020 (final), Theorem 3.2 — derived form (THEOREMS.md); the printed first term lacks 1/α',
  confidence: 'derived',
};

/** Family-wise false-alarm rate of the statistical claim (the spot check rejects a true bound with probability ≤ ALPHA). */
export const ALPHA = 1e-3;

/** Families Theorem 3.2 is checked on (all: it needs only A1 and a lower bound on F*). */
export const THM32_FAMILIES: readonly Family[] = ALL_FAMILIES;

/** fast-check arbitrary over (family, N, d, data, α ∈ (0, 2/(NL)), T, w_0). */
export const arbitrary: fc.Arbitrary<SgdInstance> = sgdInstanceArb(THM32_FAMILIES);

/** The statement (derived form) or the printed variant. */
export type Variant32 = 'theorem' | 'as-printed';

/** The bound of the derived form or the printed variant at one horizon (a custom bound that is not a finite number gives NaN). */
export function boundOf(variant: Variant32, scope: Record<string, number>, custom?: CustomBound): number {
  if (custom) {
    try { return custom.evaluate(scope); } catch (e) { if (e instanceof BadInputError) return Number.NaN; throw e; }
  }
  return (variant === 'as-printed' ? THM32_PRINTED : THM32_BOUND).evaluate(scope);
}

/** The verdict over horizons k = 1..T: measured = min over the first k iterates of E‖∇F‖², η valid on them. */
function verdictFor(p: FiniteSumProblem, w0: Float64Array, alpha: number, gradSq: Float64Array, gap1: number, T: number, variant: Variant32, custom?: CustomBound): HorizonVerdict {
  const N = p.n;
  const L = p.L;
  let runMin = Infinity;
  const points: HorizonPoint[] = [];
  for (let k = 1; k <= T; k++) {
    runMin = Math.min(runMin, gradSq[k - 1]!);
    const pc = p.pathConstants(w0, alpha, k);
    const bound = boundOf(variant, { N, L, alpha, gap1, T: k, eta: pc.eta }, custom);
    const tol = exactTolerance(k, Math.max(Math.abs(runMin), Number.isFinite(bound) ? Math.abs(bound) : 0, Math.abs(gradSq[0]!)));
    points.push({ k, measured: runMin, bound, tol, degenerate: bound === 0 && runMin === 0, extra: { T, N, d: p.d, L, eta: pc.eta, alpha, gap1 } });
  }
  return horizonVerdict(points);
}

/**
 * Checks one instance exactly, for every horizon k = 1..T (measured = min over the first k iterates
 * of E‖∇F‖², η valid on them). `method` 'enumerate' forces path enumeration (re-checks).
 */
export function check(inst: SgdInstance, variant: Variant32 = 'theorem', method: 'auto' | 'enumerate' = 'auto', custom?: CustomBound): HorizonVerdict {
  const p = materialize(inst);
  if (!p) throw new BadInputError(`theorem-3-2: degenerate instance ${JSON.stringify(inst)}`);
  const alpha = inst.alphaFrac * (2 / (p.n * p.L));
  if (!THM32_STEP.holds({ alpha, N: p.n, L: p.L })) throw new Error(`theorem-3-2: step ${alpha} violates ${THM32_STEP.source}`);
  const w0 = Float64Array.from(inst.w0);
  const traj = exactExpectations(p, w0, alpha, inst.T - 1, method);
  return verdictFor(p, w0, alpha, traj.gradSq, traj.gap[0]!, inst.T, variant, custom);
}

/**
 * Independent re-check of a counterexample at the reported horizon k: when N^(k−1) ≤ 2^16, by
 * replaying every index sequence of every length j < k with `runSgd` (no shared code with the
 * oracles); least squares beyond that by the dense-matrix moment recursion (`momentOracleDense`);
 * otherwise by Monte Carlo (20 000 seeded runs): the lower confidence bound of
 * min_{j<k} E‖∇F(w_j)‖² is the min of per-step lower bounds at δ = 1e-6/k each (Bonferroni: all hold
 * together with probability ≥ 1 − 1e-6); refuted iff it exceeds the bound.
 */
export function recheck(inst: SgdInstance, variant: Variant32, custom?: CustomBound): Recheck {
  const p = materialize(inst)!;
  const v = check(inst, variant, 'auto', custom);
  const k = v.measured.k!;
  const alpha = inst.alphaFrac * (2 / (p.n * p.L));
  const w0 = Float64Array.from(inst.w0);
  if (p.n ** (k - 1) <= 1 << 16) {
    let min = Infinity;
    let paths = 0;
    for (let j = 0; j < k; j++) {
      const r = replayExpectation(p, w0, alpha, j);
      min = Math.min(min, r.gradSq);
      paths += r.paths;
    }
    return { method: `replay of all ${paths} index sequences of length < ${k} with runSgd`, measured: min, bound: v.bound, refuted: min > v.bound + (v.measured.tol ?? 0) };
  }
  if (p instanceof LeastSquares) {
    const r = momentOracleDense(p, w0, alpha, k - 1);
    const min = Math.min(...r.gradSq);
    return { method: 'dense-matrix moment recursion (momentOracleDense, independent of momentOracle)', measured: min, bound: v.bound, refuted: min > v.bound + (v.measured.tol ?? 0) };
  }
  const mc = monteCarloSgd(p, w0, alpha, k - 1, { runs: 20_000, seed: 1234, delta: 1e-6 / k });
  const lower = Math.min(...mc.gradSq.map((b) => b.lower));
  return { method: `Monte Carlo, 20000 runs (seed 1234), Bonferroni lower confidence bound at δ = 1e-6 over ${k} steps`, measured: lower, bound: v.bound, refuted: lower > v.bound, note: `exact value ${v.measured.measured!.toPrecision(6)} at k = ${k}` };
}

/** The spot check's instance: robust regression, N = 16, d = 8, rows N(0, I/d), b = A w* (F* = 0), w_0 = 0, T = 32, α = 0.9·2/(NL). */
export const SPOT = { n: 16, d: 8, T: 32, alphaFrac: 0.9 } as const;

/** The spot check's problem, from the run's seed. */
export function spotProblem(seed: number): { p: RobustRegression; w0: Float64Array; alpha: number } {
  const rng = new Rng(seed);
  const rows = Array.from({ length: SPOT.n }, () => rng.normals(SPOT.d, 1 / Math.sqrt(SPOT.d)));
  const wstar = rng.normals(SPOT.d);
  const p = RobustRegression.interpolating(rows, wstar);
  return { p, w0: new Float64Array(SPOT.d), alpha: (SPOT.alphaFrac * 2) / (SPOT.n * p.L) };
}

/** What the spot check samples: ‖∇F(w_k)‖² of every run at k = 0..T−1, their a.s. range, and the bound. */
export interface SpotSample {
  /** values[k][r]: ‖∇F(w_k)‖² on run r. */
  values: number[][];
  range: [number, number];
  bound: number;
  runs: number;
  eta: number;
}

/** Runs the spot check's Monte Carlo (`runs` SGD paths of T − 1 steps on the problem of `seed`, paths from `mcSeed`). */
export function sampleSpot(seed: number, runs: number, mcSeed = seed + 1): SpotSample {
  const { p, w0, alpha } = spotProblem(seed);
  const T = SPOT.T;
  const pc = p.pathConstants(w0, alpha, T);
  const range: [number, number] = [0, pc.gradSqMax];
  const mc = monteCarloSgd(p, w0, alpha, T - 1, { runs, seed: mcSeed, delta: 0.5, gradSqRange: range, gapRange: [0, pc.gapMax], keepSamples: true });
  const bound = THM32_BOUND.evaluate({ N: SPOT.n, L: p.L, alpha, gap1: p.gap(w0), T, eta: pc.eta });
  return { values: mc.samples!.gradSq.map((x) => Array.from(x)), range: mc.gradSq[0]!.range, bound, runs, eta: pc.eta };
}

/**
 * The test: H0 (the theorem) is min_k E‖∇F(w_k)‖² ≤ bound, i.e. the union over k of E X_k ≤ bound.
 * Intersection-union: reject iff every k's one-sided test rejects, so p = max_k p_k with p_k the
 * Hoeffding / empirical-Bernstein p-value of E X_k ≤ bound (`exceedancePValue`): level ≤ the
 * nominal one without a multiplicity correction over k.
 */
export function analyzeSpot(s: SpotSample): StatisticalStudy {
  const ps = s.values.map((v) => exceedancePValue(v, s.range, s.bound));
  const means = s.values.map((v) => v.reduce((a, x) => a + x, 0) / v.length);
  const minMean = Math.min(...means);
  return {
    instances: s.runs,
    tests: [{
      label: `min_k E‖∇F(w_k)‖² ≤ bound (robust regression N = ${SPOT.n}, d = ${SPOT.d}, T = ${SPOT.T})`,
      test: 'intersection-union of one-sided Hoeffding / empirical-Bernstein tests over k (p = max_k p_k)',
      statistic: minMean, pValue: Math.max(...ps), effect: minMean / s.bound, n: s.runs,
    }],
    details: { bound: s.bound, minMean, eta: s.eta, range: s.range },
  };
}

function spec(name: Variant32, description: string, expectRefuted: boolean): VariantSpec<SgdInstance> {
  return {
    name: name === 'theorem' ? 'theorem-3-2' : name,
    description,
    isStatement: name === 'theorem',
    expectRefuted,
    arbitrary,
    check: (p) => check(p, name),
    recheck: (p) => recheck(p, name),
  };
}

/** The statement and the variant searched by `gradconf tighten theorem-3-2`. */
export const VARIANTS: readonly VariantSpec<SgdInstance>[] = [
  spec('theorem', 'Thm 3.2, derived form (with 1/α): must not be refuted', false),
  spec('as-printed', 'Thm 3.2 as printed: ρ (F(w_1) − F*)/T + ρη (first term without 1/α)', true),
];

/** A user bound over the scope { N, L, alpha, gap1, T, eta } (see `tightener.boundVariables`). */
export interface CustomBound { evaluate(scope: Record<string, number>): number }

/** Variables a `--bound` expression for Thm 3.2 may use (gap1 = F(w_1) − F*). */
export const BOUND_VARIABLES_32 = ['N', 'L', 'alpha', 'gap1', 'T', 'eta'] as const;

/** The extra variant `gradconf tighten theorem-3-2 --bound EXPR` searches. */
export function customVariant(expression: string): VariantSpec<SgdInstance> {
  const cb = compileBound(expression, [...BOUND_VARIABLES_32], '--bound');
  return {
    name: 'custom', description: `your bound: min_k E‖∇F(w_k)‖² ≤ ${expression}`, expectRefuted: false, arbitrary,
    check: (p) => check(p, 'theorem', 'auto', cb), recheck: (p) => recheck(p, 'theorem', cb),
  };
}

/** `gradconf tighten theorem-3-2`: counterexample search over the derived and printed forms. */
export const tightener: Tightener = variantTightener({
  id: 'theorem-3-2',
  description: 'counterexample search: Thm 3.2 derived form and as printed (first term without 1/α)',
  variants: VARIANTS, custom: customVariant, boundVariables: BOUND_VARIABLES_32, bound: THM32_BOUND,
});

/** Instances per budget of the exact claim. */
export const RUNS = { test: 40, quick: 200, full: 2000 } as const;
/**
 * Monte-Carlo runs of the spot check. Sizing: the a.s. range is w ≈ 0.4 here and the smallest mean
 * m ≈ 0.01 (0.0107 at seed 321); the empirical-Bernstein deviation at δ is ≥ 7 w ln(4/δ)/(3(n − 1)),
 * so rejecting a bound m/2 at δ = ALPHA = 1e-3 needs 7·0.4·8.3/(3n) < 0.005, n > 1550. 2000 runs
 * (test) and 4000 (quick) do (the power test asserts the rejection at both); 20 000 for full.
 */
export const MC_RUNS = { test: 2000, quick: 4000, full: 20_000 } as const;

/** Exact: the derived bound holds at every horizon of every instance. */
export const boundClaim: ExactClaim = {
  id: 'bound-holds', kind: 'exact', source: 'derived',
  statement: 'min_{j<k} E‖∇F(w_j)‖² ≤ ρ (F(w_1) − F*)/(αk) + ρη for every k ≤ T (derived form), on least squares, logistic and robust regression, with exact expectations',
  budgets: RUNS,
  check(ctx, numRuns: number) {
    const r = runExactSgdProperty(arbitrary, (inst) => check(inst), { seed: ctx.seed, numRuns, progress: ctx.progress });
    return { ...r, details: { ...r.details, bound: THM32_BOUND.source, tex: THM32_BOUND.tex(), printed: THM32_PRINTED.source, measured: 'min_{j<k} E‖∇F(w_j)‖²' } };
  },
};

/** Statistical: the Monte-Carlo spot check on an instance too large to enumerate. */
export const spotClaim: StatisticalClaim<number, SpotSample> = {
  id: 'monte-carlo-spot-check', kind: 'statistical', source: 'derived',
  statement: `min_k E‖∇F(w_k)‖² ≤ bound on a non-convex robust regression too large to enumerate (N = ${SPOT.n}, d = ${SPOT.d}, T = ${SPOT.T}), by Monte Carlo`,
  budgets: MC_RUNS,
  sample: (ctx, runs) => sampleSpot(ctx.seed, runs),
  analyze: analyzeSpot,
};

/** Figure data: measured vs bound over k on the tightest instance of the exact claim (log y). */
export function figures(claims: ClaimResult[]): Record<string, unknown> {
  return { figures: curveFigures(claims, 'bound-holds', 'Theorem 3.2', 'min_{j<k} E‖∇F(w_j)‖²') };
}

/** Theorem 3.2: statement, the exact and the statistical claim, the tightener, the figure. */
export const theorem = defineTheorem({ statement, alpha: ALPHA, claims: [boundClaim, spotClaim], tightener, figures });
