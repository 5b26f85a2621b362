/**
 * Counterexample search for strengthened or mis-printed variants of a bound (the "tightening"
 * use-case of DESIGN.md; Theorems 3.1 and 3.2): fast-check generates instances, the variant's exact
 * check decides, fast-check shrinks the first failure, and the shrunk counterexample is re-checked
 * by an independent route (another exact oracle, or Monte Carlo with a confidence bound). The
 * report carries the fast-check seed and path: `fc.assert(variantProperty(spec), { seed, path })`
 * replays the shrunk counterexample.
 *
 * A refutation must mean something: an instance where the variant's inequality fails although its
 * bound is ≤ 0 or not a finite number there ("measured 0 > a negative bound") says nothing about the
 * variant, only that its formula is outside its range. Such instances are never counterexamples
 * (`variantProperty` treats them as passing); they are counted, and a variant whose inequality
 * fails only there is reported as "not a meaningful variant here", never as refuted.
 */
import fc from 'fast-check';

/** The outcome of one exact check (src/claims/claim.ts); `measured.measured` is the headline quantity. */
export type { Verdict } from '../claims/claim.ts';
import type { Verdict } from '../claims/claim.ts';

/** Whether a bound can be refuted at all: a finite number > 0 (a measured quantity here is ≥ 0). */
export function meaningfulBound(bound: number): boolean {
  return Number.isFinite(bound) && bound > 0;
}

/** A failure that counts: the inequality fails where the bound is meaningful. */
export function isRefutation(v: Verdict): boolean {
  return !v.holds && meaningfulBound(v.bound);
}

/** The outcome of a variant search. */
export type VariantStatus = 'refuted' | 'not refuted' | 'not a meaningful variant here';

/** An independent re-check of a counterexample. */
export interface Recheck {
  method: string;
  measured: number;
  bound: number;
  refuted: boolean;
  note?: string;
}

/** A variant to search: instances, an exact check (holds = the variant's inequality holds). */
export interface VariantSpec<P> {
  name: string;
  description: string;
  /** The paper's statement itself (must not be refuted) rather than a variant. */
  isStatement?: boolean;
  /** Whether the variant is expected to be refuted (documented expectation; not used to decide). */
  expectRefuted: boolean;
  arbitrary: fc.Arbitrary<P>;
  check(p: P): Verdict;
  recheck?(p: P): Recheck;
}

/** What `gradconf tighten` reports per variant. */
export interface VariantReport {
  name: string;
  description: string;
  isStatement: boolean;
  expectRefuted: boolean;
  /** 'refuted' only with a counterexample whose bound is meaningful (finite, > 0). */
  status: VariantStatus;
  refuted: boolean;
  /** Instances where the inequality failed but the bound was ≤ 0 or not finite (never refutations). */
  notMeaningful: number;
  /** The first such instance and its verdict (null when none). */
  notMeaningfulExample: { instance: unknown; verdict: Verdict } | null;
  /** The shrunk counterexample (null when not refuted). */
  counterexample: unknown;
  seed: number;
  /** fast-check replay path (null when not refuted). */
  path: string | null;
  bound: number | null;
  measured: number | null;
  /** The full verdict on the counterexample (measured quantities, slack). */
  verdict: Verdict | null;
  recheck: Recheck | null;
  numRuns: number;
  numShrinks: number;
  budget: number;
}

/** The fast-check property of a variant: no instance refutes it (see `isRefutation`). */
export function variantProperty<P>(spec: VariantSpec<P>): fc.IProperty<[P]> {
  return fc.property(spec.arbitrary, (p) => !isRefutation(spec.check(p)));
}

/** Searches `budget` instances for a counterexample to the variant; shrinks and re-checks it. */
export function searchVariant<P>(spec: VariantSpec<P>, o: { budget: number; seed: number; progress?: (done: number) => void }): VariantReport {
  let done = 0;
  let notMeaningful = 0;
  let notMeaningfulExample: { instance: unknown; verdict: Verdict } | null = null;
  let shrinking = false;
  const prop = fc.property(spec.arbitrary, (p) => {
    const v = spec.check(p);
    if (!shrinking) {
      o.progress?.(++done);
      if (!v.holds && !meaningfulBound(v.bound)) {
        notMeaningful++;
        notMeaningfulExample ??= { instance: p, verdict: v };
      }
    }
    const refutes = isRefutation(v);
    if (refutes) shrinking = true;
    return !refutes;
  });
  const out = fc.check(prop, { seed: o.seed, numRuns: o.budget });
  const base = { name: spec.name, description: spec.description, isStatement: spec.isStatement ?? false, expectRefuted: spec.expectRefuted, seed: o.seed, numRuns: out.numRuns, numShrinks: out.numShrinks, budget: o.budget, notMeaningful, notMeaningfulExample };
  // (A property that returns false also sets errorInstance in fast-check 4; a check that threw
  // is re-raised below when the counterexample is checked again.)
  if (!out.failed || !out.counterexample) {
    const status: VariantStatus = notMeaningful > 0 ? 'not a meaningful variant here' : 'not refuted';
    return { ...base, status, refuted: false, counterexample: null, path: null, bound: null, measured: null, verdict: null, recheck: null };
  }
  const cx = out.counterexample[0];
  const verdict = spec.check(cx);
  return {
    ...base,
    status: 'refuted',
    refuted: true,
    counterexample: cx,
    path: out.counterexamplePath,
    bound: verdict.bound,
    measured: verdict.measured.measured ?? null,
    verdict,
    recheck: spec.recheck ? spec.recheck(cx) : null,
  };
}

/** A plain-text table of variant reports (for `gradconf tighten` without --json). */
export function formatVariantReports(title: string, reports: readonly VariantReport[]): string {
  const lines = [title];
  for (const r of reports) {
    const tag = r.isStatement ? 'statement' : 'variant';
    if (!r.refuted) {
      if (r.status === 'not a meaningful variant here') {
        lines.push(`- ${r.name} (${tag}): not a meaningful variant here — in ${r.notMeaningful} of ${r.numRuns} instances its inequality fails only where its bound is ≤ 0 or undefined (seed ${r.seed}); never a refutation`);
        const ex = r.notMeaningfulExample;
        if (ex) lines.push(`    e.g. measured ${fmt(ex.verdict.measured.measured ?? null)} vs bound ${fmt(ex.verdict.bound)} at ${JSON.stringify(ex.instance)}`);
        continue;
      }
      lines.push(`- ${r.name} (${tag}): not refuted in ${r.numRuns} instances (seed ${r.seed})${r.expectRefuted ? ' — a refutation was expected: raise --budget' : ''}`);
      continue;
    }
    lines.push(`- ${r.name} (${tag}): REFUTED after ${r.numRuns} instances, ${r.numShrinks} shrinks: measured ${fmt(r.measured)} > bound ${fmt(r.bound)}`);
    lines.push(`    counterexample: ${JSON.stringify(r.counterexample)}`);
    lines.push(`    replay: fc.assert(variantProperty(…), { seed: ${r.seed}, path: "${r.path}" })`);
    if (r.recheck) lines.push(`    re-check (${r.recheck.method}): measured ${fmt(r.recheck.measured)} vs bound ${fmt(r.recheck.bound)} → ${r.recheck.refuted ? 'refuted' : 'NOT refuted'}${r.recheck.note ? ` (${r.recheck.note})` : ''}`);
  }
  return lines.join('\n');
}

function fmt(v: number | null): string {
  return v === null ? 'n/a' : v.toPrecision(6);
}
