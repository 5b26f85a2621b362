/**
 * The one theorem runner (DESIGN.md, "A theorem file"): `defineTheorem` turns a statement and its
 * claims into the registry entry `gradconf verify` runs, and the sibling *.test.ts runs the very
 * same claim code with the `test` budget (`runTheorem(t, { budget: 'test' })` or `runClaim`).
 *
 * Verdicts: a result's exact verdict (`holds`) depends on its exact claims only; statistical
 * claims share one Holm family at the result's α; trend claims another (src/claims/evaluate.ts).
 * A claim of the paper that is rejected (statistical) or reversed (trend) is a finding.
 */
import fc from 'fast-check';
import type { Verdict } from '../src/claims/claim.ts';
import type { Budget, Claim, ClaimContext, ClaimKind, ClaimResult, ExactOutcome, Statement, StatisticalStudy, TheoremResult, TrendStudy } from '../src/claims/claim.ts';
import { statisticalVerdicts, trendVerdicts } from '../src/claims/evaluate.ts';
import type { Tightener } from './tighten.ts';

export interface TheoremDefinition {
  statement: Statement;
  /** Family-wise false-alarm rate of the statistical tests, and (separately) of the trend tests. */
  alpha: number;
  claims: Claim[];
  /** Figure data for the report, computed from the claims' results (optional). */
  figures?: (claims: ClaimResult[], ctx: ClaimContext) => Record<string, unknown>;
  /** `gradconf tighten <id>` (absent when the result has nothing to tighten). */
  tightener?: Tightener;
}

export interface RunOptions {
  seed: number;
  budget: Budget;
  /** Progress (done, total) across the result's claims. */
  progress?: (done: number, total: number) => void;
  /** Run only these claim ids (all when absent; the Holm families are then those claims' tests). */
  only?: string[];
  /**
   * Planted data per claim id, fed to the claim's own `analyze` instead of its `sample` (power and
   * direction tests: a study where the truth is known goes through the same verdict code).
   */
  planted?: Record<string, unknown>;
}

/** A defined result: its definition plus `run`. */
export interface Theorem extends TheoremDefinition {
  id: string;
  title: string;
  run(opts: RunOptions): Promise<TheoremResult>;
}

export function defineTheorem(def: TheoremDefinition): Theorem {
  const ids = new Set<string>();
  for (const c of def.claims) {
    if (ids.has(c.id)) throw new Error(`${def.statement.id}: duplicate claim id ${c.id}`);
    ids.add(c.id);
  }
  if (!(def.alpha > 0 && def.alpha < 1)) throw new Error(`${def.statement.id}: alpha must be in (0, 1)`);
  return { ...def, id: def.statement.id, title: def.statement.title, run: (o) => runTheorem(def, o) };
}

/** Run a result's claims and assemble its verdicts. */
export async function runTheorem(def: TheoremDefinition, opts: RunOptions): Promise<TheoremResult> {
  const t0 = performance.now();
  const memo = new Map<string, Promise<unknown>>();
  const claims = def.claims.filter((c) => !opts.only || opts.only.includes(c.id));
  const ctxFor = (k: number): ClaimContext => ({
    seed: opts.seed, budget: opts.budget,
    progress: opts.progress ? (done, total) => opts.progress!(k * 1000 + Math.round((1000 * done) / Math.max(1, total)), claims.length * 1000) : undefined,
    memo: <T>(key: string, fn: () => Promise<T>) => {
      if (!memo.has(key)) memo.set(key, fn());
      return memo.get(key) as Promise<T>;
    },
  });
  type Raw = { claim: Claim; ms: number; out: unknown };
  const raws: Raw[] = [];
  for (const [k, claim] of claims.entries()) {
    const c0 = performance.now();
    const ctx = ctxFor(k);
    const budget = claim.budgets[opts.budget];
    const planted = opts.planted && claim.id in opts.planted;
    if (planted && claim.kind === 'exact') throw new Error(`${def.statement.id}: planted data is for statistical and trend claims (${claim.id} is exact)`);
    const out = claim.kind === 'exact' ? await claim.check(ctx, budget)
      : claim.analyze(planted ? opts.planted![claim.id] : await claim.sample(ctx, budget));
    raws.push({ claim, ms: performance.now() - c0, out });
  }
  const statIdx = raws.filter((r) => r.claim.kind === 'statistical');
  const trendIdx = raws.filter((r) => r.claim.kind === 'trend');
  const stat = statisticalVerdicts(statIdx.map((r) => r.out as StatisticalStudy), def.alpha);
  const trend = trendVerdicts(trendIdx.map((r) => ({
    direction: (r.claim as Extract<Claim, { kind: 'trend' }>).direction,
    study: r.out as TrendStudy,
  })), def.alpha);
  const results: ClaimResult[] = raws.map((r) => {
    const base = { id: r.claim.id, statement: r.claim.statement, source: r.claim.source ?? 'paper', ms: r.ms };
    if (r.claim.kind === 'exact') {
      const o = r.out as ExactOutcome;
      return { ...base, kind: 'exact', verdict: o.holds ? 'holds' : 'fails', ...o };
    }
    if (r.claim.kind === 'statistical') {
      const s = r.out as StatisticalStudy;
      const v = stat[statIdx.indexOf(r)]!;
      return { ...base, kind: 'statistical', verdict: v.verdict, alpha: def.alpha, correction: `Holm over the ${statIdx.reduce((n, x) => n + (x.out as { tests: unknown[] }).tests.length, 0)} statistical test(s) of this result`, tests: v.tests, instances: s.instances, ...(s.details ? { details: s.details } : {}) };
    }
    const s = r.out as TrendStudy;
    const v = trend[trendIdx.indexOf(r)]!;
    return { ...base, kind: 'trend', verdict: v.verdict, direction: r.claim.direction, alpha: def.alpha, correction: 'Holm over the tested trend regimes of this result, each direction', measure: s.measure, regimes: v.regimes, instances: s.instances, ...(s.details ? { details: s.details } : {}) };
  });
  const kinds = [...new Set(results.map((c) => c.kind))] as ClaimKind[];
  const exact = results.filter((c) => c.kind === 'exact');
  const findings = results.filter((c) => c.source === 'paper' && ((c.kind === 'statistical' && c.verdict === 'rejected') || (c.kind === 'trend' && c.regimes.some((g) => g.verdict === 'reversed')))).map((c) => c.id);
  return {
    id: def.statement.id, title: def.statement.title, kinds, kind: kinds.includes('exact') ? 'exact' : kinds[0] ?? 'exact',
    holds: exact.every((c) => c.verdict === 'holds'), findings,
    instances: results.reduce((n, c) => n + c.instances, 0),
    claims: results,
    details: def.figures ? def.figures(results, ctxFor(claims.length)) : {},
    seed: opts.seed, budget: opts.budget, ms: performance.now() - t0,
  };
}

/** One claim's result (the sibling test's entry point). */
export async function runClaim(def: TheoremDefinition, id: string, opts: Omit<RunOptions, 'only'>): Promise<ClaimResult> {
  if (!def.claims.some((c) => c.id === id)) throw new Error(`${def.statement.id}: no claim ${id}`);
  const r = await runTheorem(def, { ...opts, only: [id] });
  return r.claims[0]!;
}

/**
 * One claim's verdict on planted data (a power or direction test): the claim's own `analyze` and
 * the runner's verdict code, with the claim alone in its Holm family.
 */
export async function plantedClaim(def: TheoremDefinition, id: string, sample: unknown): Promise<ClaimResult> {
  return runClaim(def, id, { seed: 0, budget: 'test', planted: { [id]: sample } });
}

/** The claim with this id. */
export function claimOf<K extends Claim['kind']>(def: TheoremDefinition, id: string, kind: K): Extract<Claim, { kind: K }> {
  const c = def.claims.find((x) => x.id === id);
  if (!c || c.kind !== kind) throw new Error(`${def.statement.id}: no ${kind} claim ${id}`);
  return c as Extract<Claim, { kind: K }>;
}

/**
 * The body of a property-based exact claim: run `check` on `numRuns` instances of `arbitrary`
 * from the claim's seed (fast-check, after the `examples`), report progress, keep the smallest
 * slack over the non-degenerate instances (`Verdict.degenerate` ones are counted apart), and on
 * failure the shrunk counterexample, its replay path and its verdict. `onVerdict` sees every
 * instance and its verdict (for a claim's own extra statistics).
 */
export function exactProperty<P>(ctx: Pick<ClaimContext, 'seed' | 'progress'>, arbitrary: fc.Arbitrary<P>, numRuns: number, check: (p: P) => Verdict,
  o: { tolerance?: string; examples?: [P][]; progressEvery?: number; onVerdict?: (p: P, v: Verdict) => void } = {}): ExactOutcome {
  let minSlack = Infinity;
  let degenerate = 0;
  let failure: Verdict | undefined;
  let done = 0;
  const every = o.progressEvery ?? 1;
  const out = fc.check(fc.property(arbitrary, (p) => {
    const v = check(p);
    o.onVerdict?.(p, v);
    if (++done % every === 0) ctx.progress?.(done, numRuns);
    if (v.degenerate) degenerate++;
    else minSlack = Math.min(minSlack, v.slack);
    if (!v.holds) failure = v;
    return v.holds;
  }), { seed: ctx.seed, numRuns, ...(o.examples ? { examples: o.examples } : {}) });
  return {
    holds: !out.failed, instances: out.numRuns, minSlack,
    ...(degenerate > 0 ? { degenerate } : {}),
    ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
    ...(out.failed ? { counterexample: out.counterexample, path: out.counterexamplePath ?? undefined, failure } : {}),
  };
}
