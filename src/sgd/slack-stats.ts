/**
 * Slack bookkeeping for the exact checks of Theorems 3.1 and 3.2: one instance is checked at every
 * horizon k = 1..T (`horizonVerdict`), and over many instances the smallest slack
 * (bound − measured)/|bound| is reported over the NON-DEGENERATE ones only (`SlackStats`), the
 * degenerate ones counted apart. A point (instance, k) is degenerate when its bound says nothing
 * about how tight the theorem is: both sides exactly 0 (e.g. w_0 = w* with η = 0), μ below a floor
 * (ρ ≈ 1), or a bound ≈ F(w_0) − F* (it promises no progress); each theorem decides which apply.
 * Without that, the minimum would read ≈ 0 for a trivial reason and say nothing.
 *
 * A failure only counts where the bound is meaningful (a finite number > 0,
 * src/bounds/variant-search.ts): a point whose inequality fails with a bound ≤ 0 or NaN is reported,
 * but never as a refutation.
 */
import fc from 'fast-check';
import type { Verdict } from '../claims/claim.ts';
import { meaningfulBound } from '../bounds/variant-search.ts';

/** One horizon of one instance. */
export interface HorizonPoint {
  k: number;
  measured: number;
  bound: number;
  /** Absolute rounding tolerance of the comparison at this k (src/sgd/tolerance.ts). */
  tol: number;
  /** The point says nothing about tightness (see module doc). */
  degenerate: boolean;
  /** Other named quantities at this k (η, μ, α, …), copied into the verdict's `measured`. */
  extra: Record<string, number>;
}

/** A point of the measured-vs-bound curve of one instance. */
export interface CurvePoint { k: number; measured: number; bound: number }

/** An instance's verdict with its whole curve over k. */
export interface HorizonVerdict extends Verdict { curve: CurvePoint[] }

/** (bound − measured)/|bound| with |bound| floored at 1e-300 (claims' `slackOf`). */
function slack(p: HorizonPoint): number {
  return (p.bound - p.measured) / Math.max(Math.abs(p.bound), 1e-300);
}

function argminSlack(ps: readonly HorizonPoint[]): HorizonPoint | undefined {
  let best: HorizonPoint | undefined;
  for (const p of ps) if (!best || slack(p) < slack(best)) best = p;
  return best;
}

/**
 * The verdict of one instance from its horizons: `holds` iff measured ≤ bound + tol at every k
 * (a NaN bound fails; an infinite one holds). The reported point is, in order of preference: the
 * failure with a meaningful bound and the smallest slack; the first failure whose bound is ≤ 0 or
 * NaN; the non-degenerate point with a finite bound and the smallest slack (then `degenerate` is
 * false); the degenerate one with the smallest slack (`degenerate` true). All bounds infinite:
 * slack 1, nothing to compare.
 */
export function horizonVerdict(points: readonly HorizonPoint[]): HorizonVerdict {
  if (points.length === 0) throw new Error('horizonVerdict: no horizon');
  const ok = (p: HorizonPoint) => !Number.isNaN(p.bound) && p.measured <= p.bound + p.tol;
  const holds = points.every(ok);
  const curve = points.map((p) => ({ k: p.k, measured: p.measured, bound: p.bound }));
  const failed = points.filter((p) => !ok(p));
  const finite = points.filter((p) => Number.isFinite(p.bound));
  const nondegenerate = finite.filter((p) => !p.degenerate);
  const pick = argminSlack(failed.filter((p) => meaningfulBound(p.bound))) ?? failed[0] ?? argminSlack(nondegenerate) ?? argminSlack(finite);
  if (!pick) {
    const last = points[points.length - 1]!;
    return { holds, measured: { measured: last.measured, k: last.k, ...last.extra }, bound: last.bound, slack: 1, curve };
  }
  const degenerate = holds && nondegenerate.length === 0;
  return {
    holds, measured: { measured: pick.measured, k: pick.k, tol: pick.tol, ...pick.extra }, bound: pick.bound,
    slack: Number.isNaN(pick.bound) ? Number.NaN : slack(pick), degenerate, curve,
  };
}

interface Slackable { family: string }

/** Accumulates slack statistics over checked instances (degenerate ones counted apart). */
export class SlackStats {
  private minSlack = Infinity;
  private tightest: { instance: unknown; verdict: Verdict } | undefined;
  private degenerate = 0;
  private readonly perFamily: Record<string, { instances: number; degenerate: number; minSlack: number }> = {};

  /** Records one instance and its verdict. */
  add(inst: Slackable, v: Verdict): void {
    const f = (this.perFamily[inst.family] ??= { instances: 0, degenerate: 0, minSlack: Infinity });
    f.instances++;
    if (v.degenerate) {
      f.degenerate++;
      this.degenerate++;
      return;
    }
    f.minSlack = Math.min(f.minSlack, v.slack);
    if (v.slack < this.minSlack) {
      this.minSlack = v.slack;
      this.tightest = { instance: inst, verdict: v };
    }
  }

  /** Smallest slack over the non-degenerate instances (Infinity when there were none). */
  get smallest(): number { return this.minSlack; }

  /** { minSlack, degenerate, perFamily, tightest }. */
  summary(): { minSlack: number; degenerate: number; perFamily: Record<string, { instances: number; degenerate: number; minSlack: number }>; tightest: { instance: unknown; verdict: Verdict } | undefined } {
    return { minSlack: this.minSlack, degenerate: this.degenerate, perFamily: this.perFamily, tightest: this.tightest };
  }
}

/** What `runExactSgdProperty` returns (the shape of an exact claim's outcome, src/claims/claim.ts). */
export interface ExactSgdOutcome {
  holds: boolean;
  instances: number;
  minSlack: number;
  degenerate: number;
  tolerance: string;
  counterexample?: unknown;
  path?: string;
  failure?: Verdict;
  details: Record<string, unknown>;
}

/**
 * The exact property of Thm 3.1 or 3.2 over `arbitrary` (fast-check, `numRuns` instances from
 * `seed`), with the slack statistics, the oracle and tolerance used, and on failure the shrunk
 * counterexample, its replay path and its verdict — the shared body of both exact claims.
 */
export function runExactSgdProperty<P extends Slackable>(arbitrary: fc.Arbitrary<P>, check: (p: P) => Verdict,
  opts: { seed: number; numRuns: number; progress?: (done: number, total: number) => void }): ExactSgdOutcome {
  const stats = new SlackStats();
  let done = 0;
  let failed = false;
  const out = fc.check(fc.property(arbitrary, (inst) => {
    const v = check(inst);
    if (!failed) {
      opts.progress?.(++done, opts.numRuns);
      stats.add(inst, v);
    }
    if (!v.holds) failed = true;
    return v.holds;
  }), { seed: opts.seed, numRuns: opts.numRuns });
  const ce = out.counterexample?.[0];
  const s = stats.summary();
  return {
    holds: !out.failed,
    instances: out.numRuns,
    minSlack: s.minSlack,
    degenerate: s.degenerate,
    tolerance: 'float64 rounding only: 1e-12·(k+1) relative to the largest magnitude (src/sgd/tolerance.ts)',
    ...(out.failed ? { counterexample: ce, path: out.counterexamplePath ?? undefined, failure: ce ? check(ce) : undefined } : {}),
    details: {
      perFamily: s.perFamily, tightest: s.tightest,
      oracle: 'least squares: exact moment recursion; other families: enumeration of all N^T SGD paths',
    },
  };
}
