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
 * Checked exactly on least squares (interpolating and not; moment oracle), logistic regression
 * (orthogonal / near-orthogonal) and the smooth non-convex robust regression φ(r) = r²/(1 + r²)
 * (interpolating: F* = 0; noisy: F* bounded below by 0, which only enlarges the bound's
 * F(w_1) − F*), for every horizon k = 1..T. Exact expectations: moment recursion (least squares)
 * or enumeration of all SGD paths. Kind: exact; tolerance 1e-12·(k + 1) relative
 * (src/sgd/tolerance.ts). A statistical spot check on a larger non-convex instance (Monte Carlo
 * with a one-sided confidence bound) is reported alongside (`statisticalCheck`).
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
import { monteCarloSgd } from '../src/sgd/monte-carlo.ts';
import type { FiniteSumProblem } from '../src/sgd/problem.ts';
import { RobustRegression } from '../src/sgd/robust-regression.ts';
import { runExactSgdProperty } from '../src/sgd/slack-stats.ts';
import { exactTolerance } from '../src/sgd/tolerance.ts';
import { Rng } from '../src/rng.ts';
import { variantTightener, type Tightener } from './tighten.ts';
import { slackOf, type RunOptions, type TheoremEntry, type TheoremResult, type Verdict } from './verdict.ts';

/** The statement as data (DESIGN.md, "A theorem file"). */
export const statement = {
  id: 'theorem-3-2',
  title: 'Theorem 3.2: non-convex SGD reaches a confusion-sized gradient level (derived form)',
  wording: 'If every f_i is L-smooth (A1) and <∇f_i(w), ∇f_j(w)> ≥ −η for i ≠ j along the SGD path, then for α < 2/(NL): min_{k=1..T} E‖∇F(w_k)‖² ≤ ρ (F(w_1) − F*)/(αT) + ρη, ρ = 2N/(2 − NLα).',
  hypotheses: ['A1: every f_i is L-smooth', 'Definition 2.1: confusion bound η at every iterate w_1..w_T', THM32_STEP.source],
  bound: THM32_BOUND.source,
  tex: THM32_BOUND.tex(),
  printed: THM32_PRINTED.source,
  measured: 'min_{k=1..T} E‖∇F(w_k)‖²',
  version: 'ICML 2020 (final), Theorem 3.2 — derived form (THEOREMS.md); the printed first term lacks 1/α',
  confidence: 'derived',
  kind: 'exact' as const,
};

/** Families Theorem 3.2 is checked on (all: it needs only A1 and a lower bound on F*). */
export const THM32_FAMILIES: readonly Family[] = ALL_FAMILIES;

/** fast-check arbitrary over (family, N, d, data, α ∈ (0, 2/(NL)), T, w_0). */
export const arbitrary: fc.Arbitrary<SgdInstance> = sgdInstanceArb(THM32_FAMILIES);

/** The statement (derived form) or the printed variant. */
export type Variant32 = 'theorem' | 'as-printed';

/** The bound of Thm 3.2 (or the printed variant) for one horizon, and the measured side. */
function verdictFor(p: FiniteSumProblem, w0: Float64Array, alpha: number, gradSq: Float64Array, gap1: number, T: number, variant: Variant32, custom?: CustomBound): Verdict {
  const N = p.n;
  const L = p.L;
  const expr = variant === 'as-printed' ? THM32_PRINTED : THM32_BOUND;
  let holds = true;
  let best: Verdict | undefined;
  let runMin = Infinity;
  for (let k = 1; k <= T; k++) {
    runMin = Math.min(runMin, gradSq[k - 1]!);
    const pc = p.pathConstants(w0, alpha, k);
    const scope = { N, L, alpha, gap1, T: k, eta: pc.eta };
    const bound = custom ? custom.evaluate(scope) : expr.evaluate(scope);
    const tol = exactTolerance(k, Math.max(Math.abs(runMin), Math.abs(bound), Math.abs(gradSq[0]!)));
    const ok = runMin <= bound + tol;
    if (!ok) holds = false;
    const slack = slackOf(runMin, bound);
    if (!best || slack < best.slack) best = { holds: ok, measured: { measured: runMin, k, T, N, d: p.d, L, eta: pc.eta, alpha, gap1, tol }, bound, slack };
  }
  return { ...best!, holds };
}

/**
 * Checks one instance exactly, for every horizon k = 1..T (measured = min over the first k iterates
 * of E‖∇F‖², η valid on them). `method` 'enumerate' forces path enumeration (re-checks).
 */
export function check(inst: SgdInstance, variant: Variant32 = 'theorem', method: 'auto' | 'enumerate' = 'auto', custom?: CustomBound): Verdict {
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

/**
 * A statistical spot check on an instance too large to enumerate: robust (non-convex) regression,
 * N = 16, d = 8, rows N(0, I/d), b = A w* (F* = 0), T = 64, α = 2/(3NL). min_k E‖∇F(w_k)‖² is bounded
 * below by min_k of Monte-Carlo lower confidence bounds at δ/T each (Bonferroni: simultaneously
 * valid with probability ≥ 1 − δ); the claim is rejected iff that exceeds the bound. So the
 * false-alarm rate (rejecting although the theorem holds) is at most δ. `boundFactor` (default 1)
 * multiplies the bound: a factor < 1 states a false claim, to measure the check's power.
 */
export function statisticalCheck(o: { seed: number; runs: number; delta?: number; boundFactor?: number }): Verdict & { test: { name: string; alpha: number } } {
  const delta = o.delta ?? 1e-3;
  const n = 16;
  const d = 8;
  const T = 64;
  const rng = new Rng(o.seed);
  const rows = Array.from({ length: n }, () => rng.normals(d, 1 / Math.sqrt(d)));
  const wstar = rng.normals(d);
  const p = RobustRegression.interpolating(rows, wstar);
  const w0 = new Float64Array(d);
  const alpha = 2 / (3 * n * p.L);
  const mc = monteCarloSgd(p, w0, alpha, T - 1, { runs: o.runs, seed: o.seed + 1, delta: delta / T });
  const lower = Math.min(...mc.gradSq.map((b) => b.lower));
  const mean = Math.min(...mc.gradSq.map((b) => b.mean));
  const eta = p.pathConstants(w0, alpha, T).eta;
  const bound = (o.boundFactor ?? 1) * THM32_BOUND.evaluate({ N: n, L: p.L, alpha, gap1: p.gap(w0), T, eta });
  return {
    holds: !(lower > bound),
    measured: { measured: mean, lowerConfidence: lower, N: n, d, T, runs: o.runs, eta, alpha },
    bound,
    slack: slackOf(mean, bound),
    test: { name: `Monte Carlo min_k of one-sided lower bounds (${mc.gradSq[0]!.method}), Bonferroni over ${T} steps`, alpha: delta },
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

/** Number of instances per budget (and Monte-Carlo runs of the statistical spot check). */
export const RUNS = { quick: 200, full: 2000 } as const;
const MC_RUNS = { quick: 500, full: 4000 } as const;

/** The registry entry (`gradconf verify`): the exact property, smallest slack, and the spot check. */
export const entry: TheoremEntry = {
  id: statement.id,
  title: statement.title,
  kind: 'exact',
  async run(opts: RunOptions): Promise<TheoremResult> {
    const t0 = performance.now();
    const r = runExactSgdProperty(arbitrary, (inst) => check(inst), { seed: opts.seed, numRuns: RUNS[opts.budget], progress: opts.progress });
    const spot = statisticalCheck({ seed: opts.seed, runs: MC_RUNS[opts.budget] });
    return {
      id: statement.id, title: statement.title, kind: 'exact', holds: r.holds, instances: r.instances,
      details: {
        ...r.details, bound: statement.bound, tex: statement.tex,
        // A statistical claim, reported beside (not folded into) the exact verdict: DESIGN.md keeps the kinds apart.
        statisticalSpotCheck: spot,
      },
      seed: opts.seed, ms: performance.now() - t0,
    };
  },
};
