/**
 * Claims: the unit of a paper result (DESIGN.md, "A theorem file"). A result is its statement plus
 * a list of claims; each claim has a kind, budgets (test / quick / full), its property or study,
 * and its own verdict. Three kinds, never mixed in one verdict:
 * - exact: must hold on every instance (a counterexample is a bug in the code or in the paper);
 *   only a failed exact claim makes `gradconf verify` exit 1;
 * - statistical: a test of the paper's statement as the null hypothesis, with a stated
 *   family-wise false-alarm rate across all statistical tests of one result (Holm);
 * - trend: a one-sided rank test across ordered levels, per regime, with the effect size; the
 *   trend tests of one result form their own Holm family; a regime without confusion gets no
 *   verdict.
 * These types live below theorems/ so that src/report and src/cli can read results without
 * importing theorem code.
 */
import type { TrendOutcome } from '../stats/trend.ts';

export type ClaimKind = 'exact' | 'statistical' | 'trend';
/** Budgets: `test` is what the sibling *.test.ts runs, `quick` is `verify` (default), `full` is `verify --full`. */
export type Budget = 'test' | 'quick' | 'full';
export type Budgets<T = number> = Record<Budget, T>;

/** What every claim's code receives. */
export interface ClaimContext {
  seed: number;
  budget: Budget;
  /** Progress of this claim (done, total). */
  progress?: (done: number, total: number) => void;
  /**
   * Memoize a computation shared by several claims of one result (e.g. one Monte-Carlo study
   * feeding a statistical and a trend claim): the first call runs `fn`, later calls with the same
   * key in the same run return its promise.
   */
  memo<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** The outcome of checking one instance of an exact claim. */
export interface Verdict {
  holds: boolean;
  /** The measured quantities (named). */
  measured: Record<string, number>;
  /** The bound the measurement is compared with. */
  bound: number;
  /** (bound − measured) / max(|bound|, tiny): ≥ 0 when it holds; smaller = tighter. */
  slack: number;
  /** True when the instance is degenerate (e.g. μ below a floor): counted apart in the smallest slack. */
  degenerate?: boolean;
}

/** slack = (bound − measured) / |bound| (with |bound| floored at 1e-300). */
export function slackOf(measured: number, bound: number): number {
  return (bound - measured) / Math.max(Math.abs(bound), 1e-300);
}

/** What an exact claim's check returns. */
export interface ExactOutcome {
  holds: boolean;
  instances: number;
  /** Smallest slack over the non-degenerate instances (absent when the claim has no slack). */
  minSlack?: number;
  /** Instances counted apart as degenerate (their slack is not in minSlack). */
  degenerate?: number;
  /** The tolerance the comparison uses, in words. */
  tolerance?: string;
  /** The shrunk counterexample and its fast-check path (replay with the result's seed). */
  counterexample?: unknown;
  path?: string;
  failure?: unknown;
  details?: Record<string, unknown>;
}

/** One hypothesis test of a statistical claim: the null is the paper's statement. */
export interface StatTest {
  /** What is tested (e.g. "depth 4 vs depth 0"). */
  label: string;
  test: string;
  statistic: number;
  /** Raw p-value (before the result's Holm correction). */
  pValue: number;
  /** Observed effect in the test's own unit (e.g. KS sup-difference). */
  effect?: number;
  /** Smallest effect detected with power 0.8 at the per-test level the correction allows. */
  minDetectable?: number;
  n?: number;
}

/** What a statistical claim's analysis returns. */
export interface StatisticalStudy {
  tests: StatTest[];
  instances: number;
  details?: Record<string, unknown>;
}

/** One regime of a trend claim: groups ordered by the claim's levels. */
export interface TrendRegime {
  label: string;
  levels: number[];
  groups: number[][];
  /**
   * False when the regime has no confusion to trend (η = 0 in every trial, or every minimum
   * cosine > 0): it gets "no confusion in this regime", not a trend verdict.
   */
  confusion: boolean;
  details?: Record<string, unknown>;
}

/** What a trend claim's analysis returns. */
export interface TrendStudy {
  /** What the groups measure (e.g. "η, raw"). */
  measure: string;
  regimes: TrendRegime[];
  instances: number;
  details?: Record<string, unknown>;
}

interface ClaimBase<B> {
  /** Stable id within the result (kebab-case). */
  id: string;
  /** The claim in words (what the paper or our derivation says). */
  statement: string;
  budgets: Budgets<B>;
  /**
   * When the paper itself makes this claim and it fails, the outcome is a finding (reported with
   * its replay); claims of our own derivation are marked 'derived'.
   */
  source?: 'paper' | 'derived';
}

export interface ExactClaim<B = number> extends ClaimBase<B> {
  kind: 'exact';
  check(ctx: ClaimContext, budget: B): Promise<ExactOutcome> | ExactOutcome;
}

/** A statistical claim: `sample` draws the data, `analyze` (pure, so planted data can be fed) tests it. */
export interface StatisticalClaim<B = number, S = unknown> extends ClaimBase<B> {
  kind: 'statistical';
  sample(ctx: ClaimContext, budget: B): Promise<S> | S;
  analyze(sample: S): StatisticalStudy;
}

/** A trend claim: the claimed direction is declared here; `analyze` arranges the groups. */
export interface TrendClaim<B = number, S = unknown> extends ClaimBase<B> {
  kind: 'trend';
  direction: 'increasing' | 'decreasing';
  sample(ctx: ClaimContext, budget: B): Promise<S> | S;
  analyze(sample: S): TrendStudy;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Claim = ExactClaim<any> | StatisticalClaim<any, any> | TrendClaim<any, any>;

/** A statistical test after the result's Holm correction. */
export interface AdjustedStatTest extends StatTest { pAdjusted: number; rejected: boolean }

/** A trend regime's verdict. */
export type TrendVerdict = 'holds' | 'reversed' | 'not detected' | 'no confusion in this regime';

export interface TrendRegimeResult {
  label: string;
  levels: number[];
  verdict: TrendVerdict;
  /** The rank test's outcome (absent for a regime without confusion). */
  outcome?: TrendOutcome;
  details?: Record<string, unknown>;
}

/** A claim's verdict, the unit of `gradconf verify --json`'s `claims`. */
export type ClaimResult = {
  id: string;
  statement: string;
  source: 'paper' | 'derived';
  ms: number;
} & (
  | ({ kind: 'exact'; verdict: 'holds' | 'fails' } & ExactOutcome)
  | { kind: 'statistical'; verdict: 'not rejected' | 'rejected'; alpha: number; correction: string; tests: AdjustedStatTest[]; instances: number; details?: Record<string, unknown> }
  | { kind: 'trend'; verdict: TrendVerdict | 'mixed'; direction: 'increasing' | 'decreasing'; alpha: number; correction: string; measure: string; regimes: TrendRegimeResult[]; instances: number; details?: Record<string, unknown> }
);

/** A result as data (the paper's statement in our notation). */
export interface Statement {
  id: string;
  title: string;
  wording: string;
  hypotheses: string[];
  /** The bound as a mathjs expression (absent for results without one). */
  bound?: string;
  version: string;
  confidence: string;
}

/** A result's run: the `gradconf verify --json` contract (one entry of `results`). */
export interface TheoremResult {
  id: string;
  title: string;
  /** The kinds of the result's claims, in order of first appearance. */
  kinds: ClaimKind[];
  /** Kept for older readers: 'exact' when the result has an exact claim, else its first claim's kind. */
  kind: ClaimKind;
  /** The exact verdict: every exact claim holds (true when the result has no exact claim). */
  holds: boolean;
  /** Findings: claims of the paper that fail (rejected, reversed or not detected) — never a failure of `verify`. */
  findings: string[];
  instances: number;
  claims: ClaimResult[];
  /** Figure and report data (curves, histograms, …), not verdicts. */
  details: Record<string, unknown>;
  seed: number;
  budget: Budget;
  ms: number;
}
