/**
 * Counterexample search for strengthened or mis-printed variants of a bound (the "tightening"
 * use-case of DESIGN.md; Theorems 3.1 and 3.2): fast-check generates instances, the variant's exact
 * check decides, fast-check shrinks the first failure, and the shrunk counterexample is re-checked
 * by an independent route (another exact oracle, or Monte Carlo with a confidence bound). The
 * report carries the fast-check seed and path: `fc.assert(variantProperty(spec), { seed, path })`
 * replays the shrunk counterexample.
 */
import fc from 'fast-check';

/**
 * The outcome of one exact check (structurally the `Verdict` of theorems/verdict.ts, redeclared
 * here because src/ never imports theorems/). `measured.measured` is the headline quantity.
 */
export interface Verdict {
  holds: boolean;
  measured: Record<string, number>;
  bound: number;
  slack: number;
}

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
  refuted: boolean;
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

/** The fast-check property of a variant: its check holds on every instance. */
export function variantProperty<P>(spec: VariantSpec<P>): fc.IProperty<[P]> {
  return fc.property(spec.arbitrary, (p) => spec.check(p).holds);
}

/** Searches `budget` instances for a counterexample to the variant; shrinks and re-checks it. */
export function searchVariant<P>(spec: VariantSpec<P>, o: { budget: number; seed: number; progress?: (done: number) => void }): VariantReport {
  let done = 0;
  const prop = fc.property(spec.arbitrary, (p) => {
    o.progress?.(++done);
    return spec.check(p).holds;
  });
  const out = fc.check(prop, { seed: o.seed, numRuns: o.budget });
  const base = { name: spec.name, description: spec.description, isStatement: spec.isStatement ?? false, expectRefuted: spec.expectRefuted, seed: o.seed, numRuns: out.numRuns, numShrinks: out.numShrinks, budget: o.budget };
  // (A property that returns false also sets errorInstance in fast-check 4; a check that threw
  // is re-raised below when the counterexample is checked again.)
  if (!out.failed || !out.counterexample) {
    return { ...base, refuted: false, counterexample: null, path: null, bound: null, measured: null, verdict: null, recheck: null };
  }
  const cx = out.counterexample[0];
  const verdict = spec.check(cx);
  return {
    ...base,
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
