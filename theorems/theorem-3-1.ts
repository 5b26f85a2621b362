/**
 * Theorem 3.1 — SGD under A1 (L-smooth f_i) + A2 (per-component PL, μ) + gradient confusion η
 * (../shared/paper/THEOREMS.md, tag [sure; derivation checked]):
 *
 *   if α < 2/(N L):  E[F(w_T) − F*] ≤ ρ^T (F(w_0) − F*) + α η / (1 − ρ),  ρ = 1 − (2μ/N)(α − N L α²/2).
 *
 * One exact claim, checked on finite sums whose L, μ, F* and path-valid η are computable (src/sgd/):
 * least squares (interpolating and not), logistic regression (orthogonal and near-orthogonal data)
 * and the non-convex robust regression (whose per-component PL holds on the region the path can
 * reach). E[F(w_k) − F*] comes from an exact oracle — the moment recursion for least squares, the
 * enumeration of all N^k SGD paths otherwise — for every k = 1..T (the theorem holds for every
 * horizon), with η and μ valid at w_0..w_{k−1} of every path (each family's `pathConstants`).
 * Tolerance: float64 rounding only, 1e-12·(k + 1) relative to the largest magnitude involved
 * (src/sgd/tolerance.ts). The smallest slack is over non-degenerate points (instance, k); degenerate
 * ones — both sides 0, μ < 1e-6·L, or a bound within 0.1% of F(w_0) − F* — are counted apart.
 *
 * Tightening (`tightener`): the statement itself (must hold) and three variants —
 * 'conjecture-2-over-L' (α < 2/L with ρ = 1 − (2μ/N)(α − Lα²/2): a natural strengthening whose
 * bound is positive on the whole range), 'no-neighbourhood' (without the α η/(1 − ρ) term),
 * 'eta-zero' (η taken as 0, on interpolating least squares only, where the confusion vanishes at
 * the solution). A variant whose inequality fails only where its bound is ≤ 0 or undefined is
 * "not a meaningful variant here", never refuted (src/bounds/variant-search.ts).
 */
import fc from 'fast-check';
import { THM31_BOUND, THM31_CONJECTURE, THM31_NO_NEIGHBOURHOOD, THM31_STEP, THM31_WEAK_STEP } from '../src/bounds/sgd-bounds.ts';
import type { Recheck, VariantSpec } from '../src/bounds/variant-search.ts';
import { compileBound } from '../src/bounds/restricted.ts';
import { BadInputError } from '../src/errors.ts';
import { exactExpectations, materialize, sgdInstanceArb, type Family, type SgdInstance } from '../src/sgd/instances.ts';
import { replayExpectation } from '../src/sgd/enumerate.ts';
import { LeastSquares } from '../src/sgd/least-squares.ts';
import { momentOracleDense } from '../src/sgd/moment-oracle.ts';
import { monteCarloSgd } from '../src/sgd/monte-carlo.ts';
import { exactTolerance } from '../src/sgd/tolerance.ts';
import { horizonVerdict, runExactSgdProperty, type CurvePoint, type HorizonPoint, type HorizonVerdict } from '../src/sgd/slack-stats.ts';
import type { ClaimResult, ExactClaim, Statement, Verdict } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { variantTightener, type Tightener } from './tighten.ts';
import { defineTheorem } from './define.ts';

/** The statement as data (DESIGN.md, "A theorem file"). */
export const statement: Statement = {
  id: 'theorem-3-1',
  title: 'Theorem 3.1: SGD converges linearly to a neighbourhood set by the confusion bound η',
  wording: 'If every f_i is L-smooth (A1), μ-PL per component (A2), and <∇f_i(w), ∇f_j(w)> ≥ −η for i ≠ j along the SGD path, then for α < 2/(NL): E[F(w_T) − F*] ≤ ρ^T (F(w_0) − F*) + αη/(1 − ρ), ρ = 1 − (2μ/N)(α − NLα²/2).',
  hypotheses: [
    'A1: every f_i is L-smooth',
    'A2: ½‖∇f_i(w)‖² ≥ μ (f_i(w) − f_i*) at every iterate',
    'Definition 2.1: confusion bound η at every iterate w_0..w_{T−1}',
    THM31_STEP.source,
  ],
  bound: THM31_BOUND.source,
  version: 'ICML 2020 (final), Theorem 3.1; derivation re-checked in THEOREMS.md',
  confidence: 'sure',
};

/** Families Theorem 3.1 is checked on (F* exact; PL along the path). */
export const THM31_FAMILIES: readonly Family[] = ['ls-interp', 'ls-noisy', 'logistic-orth', 'logistic-near', 'robust-interp'];

/** fast-check arbitrary over (family, N, d, data, α ∈ (0, 2/(NL)), T, w_0). */
export const arbitrary: fc.Arbitrary<SgdInstance> = sgdInstanceArb(THM31_FAMILIES);

/** The statement ('theorem') or a tightening variant. */
export type Variant31 = 'theorem' | 'conjecture-2-over-L' | 'no-neighbourhood' | 'eta-zero';

/** A point is degenerate when μ < MU_FLOOR·L (ρ ≈ 1: the bound hardly contracts). */
export const MU_FLOOR = 1e-6;
/** … or when |bound − (F(w_0) − F*)| ≤ GAP0_REL·(F(w_0) − F*): the bound promises (almost) no change. */
export const GAP0_REL = 1e-3;

/** α for an instance: alphaFrac · 2/(NL) (the theorem), or · 2/L for the conjecture. */
export function stepOf(inst: SgdInstance, L: number, N: number, variant: Variant31 = 'theorem'): number {
  return inst.alphaFrac * (variant === 'conjecture-2-over-L' ? 2 / L : 2 / (N * L));
}

/** A user bound over the scope { mu, N, alpha, L, T, gap0, eta } (see `tightener.boundVariables`). */
export interface CustomBound { evaluate(scope: Record<string, number>): number }

/** The bound of the statement or a variant at one horizon (a custom bound that is not a finite number gives NaN). */
export function boundOf(variant: Variant31, scope: Record<string, number>, custom?: CustomBound): number {
  if (custom) {
    try { return custom.evaluate(scope); } catch (e) { if (e instanceof BadInputError) return Number.NaN; throw e; }
  }
  const expr = variant === 'conjecture-2-over-L' ? THM31_CONJECTURE : variant === 'no-neighbourhood' || variant === 'eta-zero' ? THM31_NO_NEIGHBOURHOOD : THM31_BOUND;
  return expr.evaluate(scope);
}

/**
 * Checks one instance exactly, for every horizon k = 1..T: measured E[F(w_k)] − F* against the
 * bound (or the variant's bound) with η, μ valid at w_0..w_{k−1}. `holds` is false iff some k
 * has measured > bound + tolerance (src/sgd/slack-stats.ts picks the reported k); the verdict
 * carries the whole curve over k. `method` 'enumerate' forces the path enumeration (re-checks).
 */
export function check(inst: SgdInstance, variant: Variant31 = 'theorem', method: 'auto' | 'enumerate' = 'auto', custom?: CustomBound): HorizonVerdict {
  const p = materialize(inst);
  if (!p) throw new BadInputError(`theorem-3-1: degenerate instance ${JSON.stringify(inst)}`);
  const N = p.n;
  const L = p.L;
  const alpha = stepOf(inst, L, N, variant);
  const hyp = variant === 'conjecture-2-over-L' ? THM31_WEAK_STEP : THM31_STEP;
  if (!hyp.holds({ alpha, N, L })) throw new Error(`theorem-3-1: step ${alpha} violates ${hyp.source}`);
  const w0 = Float64Array.from(inst.w0);
  const traj = exactExpectations(p, w0, alpha, inst.T, method);
  const gap0 = traj.gap[0]!;
  const points: HorizonPoint[] = [];
  for (let k = 1; k <= inst.T; k++) {
    const pc = p.pathConstants(w0, alpha, k);
    const eta = variant === 'eta-zero' ? 0 : pc.eta;
    const bound = boundOf(variant, { mu: pc.mu, N, alpha, L, T: k, gap0, eta }, custom);
    const measured = traj.gap[k]!;
    const tol = exactTolerance(k, Math.max(Math.abs(measured), Number.isFinite(bound) ? Math.abs(bound) : 0, Math.abs(gap0)));
    const degenerate = (bound === 0 && measured === 0) || pc.mu < MU_FLOOR * L || (gap0 > 0 && Math.abs(bound - gap0) <= GAP0_REL * gap0);
    points.push({ k, measured, bound, tol, degenerate, extra: { T: inst.T, N, d: p.d, L, mu: pc.mu, eta, alpha, gap0 } });
  }
  return horizonVerdict(points);
}

/**
 * Re-checks a counterexample by an independent route at the horizon k the check reported: when
 * N^k ≤ 2^16, by replaying each of the N^k index sequences with `runSgd` (no shared code with
 * the moment oracle or the enumeration walk); least squares beyond that by the dense-matrix
 * moment recursion (`momentOracleDense`); otherwise by Monte Carlo (20 000 seeded runs),
 * refuted iff the one-sided lower confidence bound (δ = 1e-6, src/sgd/monte-carlo.ts) on
 * E[F(w_k)] − F* exceeds the bound. The bound is recomputed by the same formula.
 */
export function recheck(inst: SgdInstance, variant: Variant31, custom?: CustomBound): Recheck {
  const p = materialize(inst)!;
  const v = check(inst, variant, 'auto', custom);
  const k = v.measured.k!;
  const alpha = stepOf(inst, p.L, p.n, variant);
  const w0 = Float64Array.from(inst.w0);
  const tol = v.measured.tol ?? 0;
  if (p.n ** k <= 1 << 16) {
    const r = replayExpectation(p, w0, alpha, k);
    return { method: `replay of all ${p.n}^${k} index sequences with runSgd`, measured: r.gap, bound: v.bound, refuted: r.gap > v.bound + tol };
  }
  if (p instanceof LeastSquares) {
    const r = momentOracleDense(p, w0, alpha, k);
    return { method: 'dense-matrix moment recursion (momentOracleDense, independent of momentOracle)', measured: r.gap[k]!, bound: v.bound, refuted: r.gap[k]! > v.bound + tol };
  }
  const mc = monteCarloSgd(p, w0, alpha, k, { runs: 20_000, seed: 1234, delta: 1e-6 });
  const b = mc.gap[k]!;
  return { method: 'Monte Carlo, 20000 runs (seed 1234), one-sided lower confidence bound at δ = 1e-6', measured: b.lower, bound: v.bound, refuted: b.lower > v.bound, note: `sample mean ${b.mean.toPrecision(6)} at k = ${k}` };
}

function spec(name: Variant31, description: string, families: readonly Family[], expectRefuted: boolean): VariantSpec<SgdInstance> {
  return {
    name: name === 'theorem' ? 'theorem-3-1' : name,
    description,
    isStatement: name === 'theorem',
    expectRefuted,
    arbitrary: families === THM31_FAMILIES ? arbitrary : sgdInstanceArb(families),
    check: (p) => check(p, name),
    recheck: (p) => recheck(p, name),
  };
}

/** The statement and the tightening variants searched by `gradconf tighten theorem-3-1`. */
export const VARIANTS: readonly VariantSpec<SgdInstance>[] = [
  spec('theorem', 'Thm 3.1 as stated (α < 2/(NL), path-valid η): must not be refuted', THM31_FAMILIES, false),
  spec('conjecture-2-over-L', 'conjecture: α < 2/L with ρ = 1 − (2μ/N)(α − Lα²/2) (bound positive on the whole range)', THM31_FAMILIES, true),
  spec('no-neighbourhood', 'Thm 3.1 without the α η/(1 − ρ) term, over every family', THM31_FAMILIES, true),
  spec('eta-zero', 'Thm 3.1 with η taken as 0, on interpolating least squares (confusion 0 at the solution)', ['ls-interp'], true),
];

/** Variables a `--bound` expression for Thm 3.1 may use (same meaning as in the theorem). */
export const BOUND_VARIABLES_31 = ['mu', 'N', 'alpha', 'L', 'T', 'gap0', 'eta'] as const;

/** The extra variant `gradconf tighten theorem-3-1 --bound EXPR` searches (step α < 2/(NL) as in the theorem). */
export function customVariant(expression: string): VariantSpec<SgdInstance> {
  const cb = compileBound(expression, [...BOUND_VARIABLES_31], '--bound');
  return {
    name: 'custom', description: `your bound: E[F(w_T) − F*] ≤ ${expression}`, expectRefuted: false, arbitrary,
    check: (p) => check(p, 'theorem', 'auto', cb), recheck: (p) => recheck(p, 'theorem', cb),
  };
}

/** `gradconf tighten theorem-3-1`: counterexample search over the statement and its variants. */
export const tightener: Tightener = variantTightener({
  id: 'theorem-3-1',
  description: 'counterexample search: Thm 3.1 as stated, the conjecture α < 2/L with ρ from α − Lα²/2, without the αη/(1−ρ) term, with η = 0',
  variants: VARIANTS, custom: customVariant, boundVariables: BOUND_VARIABLES_31, bound: THM31_BOUND,
});

/** Instances per budget of the exact claim. */
export const RUNS = { test: 40, quick: 200, full: 2000 } as const;

/** Exact: the bound holds at every horizon of every instance. */
export const boundClaim: ExactClaim = {
  id: 'bound-holds', kind: 'exact', source: 'paper',
  statement: 'E[F(w_k) − F*] ≤ ρ^k (F(w_0) − F*) + αη/(1 − ρ) for every k ≤ T, on least squares (interpolating, noisy), logistic (orthogonal, near-orthogonal) and robust regression, with exact expectations',
  budgets: RUNS,
  check(ctx, numRuns: number) {
    const r = runExactSgdProperty(arbitrary, (inst) => check(inst), { seed: ctx.seed, numRuns, progress: ctx.progress });
    return { ...r, details: { ...r.details, bound: THM31_BOUND.source, tex: THM31_BOUND.tex(), measured: 'E[F(w_k)] − F*' } };
  },
};

/** Figure data: measured vs bound over k on the tightest instance of the exact claim (log y). */
export function figures(claims: ClaimResult[]): Record<string, unknown> {
  return { figures: curveFigures(claims, 'bound-holds', 'Theorem 3.1', 'E[F(w_k)] − F*') };
}

/** The measured-vs-bound figure of an exact SGD claim's tightest instance (shared with Thm 3.2). */
export function curveFigures(claims: ClaimResult[], id: string, name: string, measuredName: string): FigureData[] {
  const c = claims.find((x) => x.id === id);
  const tight = c?.kind === 'exact' ? (c.details?.tightest as { instance: SgdInstance; verdict: Verdict & { curve?: CurvePoint[] } } | undefined) : undefined;
  const curve = tight?.verdict.curve;
  if (!tight || !curve) return [];
  const pos = (f: (p: CurvePoint) => number): [number, number][] => curve.filter((p) => f(p) > 0 && Number.isFinite(f(p))).map((p) => [p.k, f(p)]);
  return [{
    id: 'measured-vs-bound', title: `${name}: measured and bound over k (tightest instance, ${tight.instance.family}, N = ${tight.instance.rows.length})`,
    caption: `The exact ${measuredName} stays below the bound at every k; the smallest gap (slack ${tight.verdict.slack.toPrecision(3)}) is at k = ${tight.verdict.measured.k}.`,
    x: { title: 'k (SGD steps)', integer: true }, y: { title: measuredName, scale: 'log' },
    series: [{ name: 'bound', mark: 'line', points: pos((p) => p.bound) }, { name: 'measured (exact)', mark: 'point', points: pos((p) => p.measured) }],
  }];
}

/** Theorem 3.1: statement, the exact claim, the tightener, the figure. */
export const theorem = defineTheorem({ statement, alpha: 0.05, claims: [boundClaim], tightener, figures });
