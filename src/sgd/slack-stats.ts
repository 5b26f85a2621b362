/**
 * Slack bookkeeping for the exact checks of Theorems 3.1 and 3.2: the smallest slack
 * (bound − measured)/|bound| seen, overall and per family, and the tightest instance. Instances
 * where both sides are exactly 0 (e.g. w_0 = w* on an interpolating problem with η = 0: the bound
 * holds with equality for a trivial reason) are counted as `trivial` and left out of the minimum,
 * which would otherwise always read 0 and say nothing about how tight the bound is.
 */
import fc from 'fast-check';
import type { Verdict } from '../bounds/variant-search.ts';

interface Slackable { family: string }

/** Accumulates slack statistics over checked instances. */
export class SlackStats {
  private minSlack = Infinity;
  private tightest: { instance: unknown; verdict: Verdict } | undefined;
  private trivial = 0;
  private readonly perFamily: Record<string, { instances: number; trivial: number; minSlack: number }> = {};

  /** Records one instance and its verdict. */
  add(inst: Slackable, v: Verdict): void {
    const f = (this.perFamily[inst.family] ??= { instances: 0, trivial: 0, minSlack: Infinity });
    f.instances++;
    if (v.bound === 0 && v.measured.measured === 0) {
      f.trivial++;
      this.trivial++;
      return;
    }
    f.minSlack = Math.min(f.minSlack, v.slack);
    if (v.slack < this.minSlack) {
      this.minSlack = v.slack;
      this.tightest = { instance: inst, verdict: v };
    }
  }

  /** { minSlack, trivialInstances, perFamily, tightest }. */
  summary(): Record<string, unknown> {
    return { minSlack: this.minSlack, trivialInstances: this.trivial, perFamily: this.perFamily, tightest: this.tightest };
  }
}

/**
 * The exact property of Thm 3.1 or 3.2 over `arbitrary` (fast-check, `numRuns` instances from
 * `seed`), with the slack statistics, the oracle and tolerance used, and on failure the shrunk
 * counterexample, its replay path and its verdict — the shared body of both registry entries.
 */
export function runExactSgdProperty<P extends Slackable>(arbitrary: fc.Arbitrary<P>, check: (p: P) => Verdict,
  opts: { seed: number; numRuns: number; progress?: (done: number, total: number) => void }): { holds: boolean; instances: number; details: Record<string, unknown> } {
  const stats = new SlackStats();
  let done = 0;
  const out = fc.check(fc.property(arbitrary, (inst) => {
    const v = check(inst);
    opts.progress?.(++done, opts.numRuns);
    stats.add(inst, v);
    return v.holds;
  }), { seed: opts.seed, numRuns: opts.numRuns });
  const ce = out.counterexample?.[0];
  return {
    holds: !out.failed,
    instances: out.numRuns,
    details: {
      ...stats.summary(),
      oracle: 'least squares: exact moment recursion; other families: enumeration of all N^T SGD paths',
      tolerance: 'float64 rounding only: 1e-12·(k+1) relative to the largest magnitude (src/sgd/tolerance.ts)',
      ...(out.failed ? { counterexample: ce, path: out.counterexamplePath, failure: ce ? check(ce) : undefined } : {}),
    },
  };
}
