/** Counterexample search: a refutation needs a meaningful bound (finite, > 0); replays; report text. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatVariantReports, isRefutation, meaningfulBound, searchVariant, variantProperty, type Verdict, type VariantSpec } from './variant-search.ts';

/** A synthetic variant over x ∈ [0, 100]: measured m(x) against bound b(x). */
function spec(m: (x: number) => number, b: (x: number) => number, recheck = false): VariantSpec<number> {
  return {
    name: 'synthetic', description: 'synthetic variant', expectRefuted: false,
    arbitrary: fc.integer({ min: 0, max: 100 }),
    check: (x): Verdict => {
      const bound = b(x);
      const measured = m(x);
      return { holds: measured <= bound, measured: { measured, x }, bound, slack: (bound - measured) / Math.abs(bound) };
    },
    ...(recheck ? { recheck: (x: number) => ({ method: 'again', measured: m(x), bound: b(x), refuted: m(x) > b(x) }) } : {}),
  };
}

describe('meaningful bounds', () => {
  it('a bound is meaningful iff it is a finite number > 0', () => {
    expect(meaningfulBound(1e-300)).toBe(true);
    expect(meaningfulBound(0)).toBe(false);
    expect(meaningfulBound(-1)).toBe(false);
    expect(meaningfulBound(Number.NaN)).toBe(false);
    expect(meaningfulBound(Infinity)).toBe(false);
    const v = (holds: boolean, bound: number): Verdict => ({ holds, bound, measured: {}, slack: 0 });
    expect(isRefutation(v(false, 1))).toBe(true);
    expect(isRefutation(v(true, 1))).toBe(false);
    expect(isRefutation(v(false, -1))).toBe(false);
    expect(isRefutation(v(false, Number.NaN))).toBe(false);
  });
});

describe('searchVariant', () => {
  it('"measured 0 > a negative bound" is never a refutation: the variant is not meaningful here', () => {
    const r = searchVariant(spec(() => 0, () => -1), { budget: 50, seed: 3 });
    expect(r.status).toBe('not a meaningful variant here');
    expect(r.refuted).toBe(false);
    expect(r.notMeaningful).toBe(50);
    expect(r.numRuns).toBe(50);
    expect(r.notMeaningfulExample!.verdict.bound).toBe(-1);
    expect(r.counterexample).toBeNull();
    const text = formatVariantReports('T', [r]);
    expect(text).toContain('not a meaningful variant here');
    expect(text).toContain('50 of 50');
    expect(text).not.toContain('REFUTED');
  });

  it('a NaN bound is not meaningful either; a bound 0 with measured 0 holds and is not counted', () => {
    expect(searchVariant(spec(() => 1, () => Number.NaN), { budget: 20, seed: 1 }).status).toBe('not a meaningful variant here');
    const z = searchVariant(spec(() => 0, () => 0), { budget: 20, seed: 1 });
    expect(z.status).toBe('not refuted');
    expect(z.notMeaningful).toBe(0);
    expect(z.notMeaningfulExample).toBeNull();
  });

  it('a violation with a positive bound is refuted, shrunk to the smallest x, re-checked and replayable', () => {
    // fails iff x ≥ 37 (bound 10 > 0 everywhere, measured x/3.6): fast-check shrinks to x = 37
    const s = spec((x) => x / 3.6, () => 10, true);
    const r = searchVariant(s, { budget: 200, seed: 9 });
    expect(r.status).toBe('refuted');
    expect(r.refuted).toBe(true);
    expect(r.counterexample).toBe(37);
    expect(r.bound).toBe(10);
    expect(r.measured).toBeCloseTo(37 / 3.6, 14);
    expect(r.recheck!.refuted).toBe(true);
    expect(r.numShrinks).toBeGreaterThan(0);
    const out = fc.check(variantProperty(s), { seed: r.seed, path: r.path! });
    expect(out.failed).toBe(true);
    expect(out.counterexample![0]).toBe(37);
    const text = formatVariantReports('T', [r]);
    expect(text).toContain('REFUTED');
    expect(text).toContain('counterexample: 37');
    expect(text).toContain(`path: "${r.path}"`);
    expect(text).toContain('re-check (again)');
  });

  it('mixed: negative-bound failures are skipped and counted; the positive-bound one is the counterexample', () => {
    // x < 50: bound −1 (not meaningful, fails); x ≥ 90: bound 1, measured 2 (a refutation); seed 6 meets x < 50 first
    const r = searchVariant(spec((x) => (x < 50 ? 0 : x >= 90 ? 2 : 0), (x) => (x < 50 ? -1 : 1)), { budget: 400, seed: 6 });
    expect(r.status).toBe('refuted');
    expect(r.counterexample).toBe(90);
    expect(r.notMeaningful).toBeGreaterThan(0);
    // counts come from the search before the first refutation, never from shrinking
    expect(r.notMeaningful).toBeLessThanOrEqual(r.numRuns);
  });

  it('a variant that holds everywhere is not refuted; the report says so (and asks for budget when a refutation was expected)', () => {
    const s = { ...spec(() => 0, () => 1), expectRefuted: true, isStatement: false };
    const r = searchVariant(s, { budget: 30, seed: 2 });
    expect(r.status).toBe('not refuted');
    expect(r.numRuns).toBe(30);
    expect(r.budget).toBe(30);
    expect(formatVariantReports('T', [r])).toContain('not refuted in 30 instances (seed 2) — a refutation was expected');
    const st = searchVariant({ ...spec(() => 0, () => 1), isStatement: true }, { budget: 5, seed: 2 });
    expect(st.isStatement).toBe(true);
    expect(formatVariantReports('Title', [st])).toBe('Title\n- synthetic (statement): not refuted in 5 instances (seed 2)');
  });

  it('report text: a re-check that does not confirm, its note, and n/a for a missing measured value', () => {
    const s: VariantSpec<number> = {
      ...spec((x) => x, () => 10),
      recheck: () => ({ method: 'mc', measured: 1, bound: 10, refuted: false, note: 'mean 9.5' }),
      check: (x) => ({ holds: x < 20, measured: {}, bound: 10, slack: -1 }),
    };
    const r = searchVariant(s, { budget: 100, seed: 1 });
    expect(r.measured).toBeNull();
    const text = formatVariantReports('T', [r]);
    expect(text).toContain('measured n/a > bound 10.0000');
    expect(text).toContain('→ NOT refuted (mean 9.5)');
  });

  it('report text in full: a refutation without re-check has no re-check line; a not-meaningful variant shows its example', () => {
    const r = searchVariant(spec((x) => x, () => 50), { budget: 100, seed: 4 });
    const lines = formatVariantReports('T', [r]).split('\n');
    expect(lines[1]).toMatch(/^- synthetic \(variant\): REFUTED after \d+ instances, \d+ shrinks: measured 51\.0+ > bound 50\.0+$/);
    expect(lines[2]).toBe('    counterexample: 51');
    expect(lines[3]).toMatch(/^    replay: fc\.assert\(variantProperty\(…\), \{ seed: 4, path: "[\d:]+" \}\)$/);
    expect(lines).toHaveLength(4);
    const nm = searchVariant(spec(() => 0, () => -1), { budget: 5, seed: 3 });
    const text = formatVariantReports('T', [nm]).split('\n');
    expect(text[1]).toBe('- synthetic (variant): not a meaningful variant here — in 5 of 5 instances its inequality fails only where its bound is ≤ 0 or undefined (seed 3); never a refutation');
    expect(text[2]).toMatch(/^    e\.g\. measured 0(\.0+)? vs bound -1(\.0+)? at \d+$/);
    const rc = searchVariant(spec((x) => x, () => 50, true), { budget: 100, seed: 4 });
    expect(formatVariantReports('T', [rc]).split('\n')[4]).toMatch(/^    re-check \(again\): measured 51\.0+ vs bound 50\.0+ → refuted$/);
  });

  it('progress counts the searched instances only', () => {
    let n = 0;
    searchVariant(spec((x) => x, () => 50), { budget: 100, seed: 4, progress: () => n++ });
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(100);
  });
});
