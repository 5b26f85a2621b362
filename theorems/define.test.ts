/**
 * The one theorem runner on synthetic results whose verdicts are known by construction: which
 * claims decide `holds`, how the Holm families are formed, what counts as a finding, and what
 * `only`, `planted`, `memo`, `progress` and `exactProperty` do. Every theorem file goes through
 * this code, so a bug here would change every verdict.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { claimOf, defineTheorem, exactProperty, plantedClaim, runClaim, runTheorem, type TheoremDefinition } from './define.ts';
import type { Claim, ClaimResult, StatisticalStudy, TrendStudy, Verdict } from '../src/claims/claim.ts';

const statement = { id: 'toy', title: 'Toy result', wording: 'w', hypotheses: [], version: 'v', confidence: 'c' };
const budgets = { test: 1, quick: 2, full: 3 };
const exact = (id: string, holds: boolean, extra: Partial<Claim> = {}): Claim => ({ kind: 'exact', id, statement: `${id} statement`, budgets, check: () => ({ holds, instances: 10 }), ...extra } as Claim);
/** A statistical claim whose one test has the given raw p-value. */
const stat = (id: string, pValues: number[], extra: Partial<Claim> = {}): Claim => ({
  kind: 'statistical', id, statement: `${id} statement`, budgets,
  sample: () => pValues,
  analyze: (ps: number[]): StatisticalStudy => ({ tests: ps.map((p, i) => ({ label: `t${i}`, test: 'toy', statistic: 0, pValue: p })), instances: 7 }),
  ...extra,
} as Claim);
/** Groups that rise with the level (perfectly concordant), or fall when `sign` < 0. */
const groupsFor = (sign: number) => [1, 2, 3, 4].map((l) => [0, 1, 2, 3, 4, 5].map((j) => sign * (10 * l + j)));
const trend = (id: string, direction: 'increasing' | 'decreasing', sign: number, extra: Partial<Claim> = {}): Claim => ({
  kind: 'trend', id, statement: `${id} statement`, budgets, direction,
  sample: () => sign,
  analyze: (s: number): TrendStudy => ({ measure: 'toy measure', regimes: [{ label: 'all', levels: [1, 2, 3, 4], groups: groupsFor(s), confusion: true }], instances: 24 }),
  ...extra,
} as Claim);
const def = (claims: Claim[], alpha = 0.05): TheoremDefinition => ({ statement, alpha, claims });

describe('defineTheorem', () => {
  it('refuses duplicate claim ids and an α outside (0, 1); carries id and title', () => {
    expect(() => defineTheorem(def([exact('a', true), exact('a', true)]))).toThrow(/^toy: duplicate claim id a$/);
    for (const a of [0, 1, -0.1, 1.5, NaN]) expect(() => defineTheorem(def([exact('a', true)], a)), String(a)).toThrow(/^toy: alpha must be in \(0, 1\)$/);
    const t = defineTheorem(def([exact('a', true), exact('b', true)], 0.5));
    expect([t.id, t.title, t.alpha]).toEqual(['toy', 'Toy result', 0.5]);
  });

  it('run is runTheorem of the definition', async () => {
    const t = defineTheorem(def([exact('a', false)]));
    const r = await t.run({ seed: 3, budget: 'quick' });
    expect([r.holds, r.seed, r.budget, r.claims[0]!.verdict]).toEqual([false, 3, 'quick', 'fails']);
  });
});

describe('runTheorem', () => {
  it('holds is the conjunction of the exact claims only; a rejected statistical claim and a reversed trend are findings, not failures', async () => {
    const r = await runTheorem(def([exact('e1', true), stat('s', [1e-6]), trend('tr', 'decreasing', 1), exact('e2', true)]), { seed: 1, budget: 'test' });
    expect(r.holds).toBe(true);
    expect(r.kinds).toEqual(['exact', 'statistical', 'trend']);
    expect(r.kind).toBe('exact');
    expect(r.claims.map((c) => [c.id, c.kind, c.verdict])).toEqual([['e1', 'exact', 'holds'], ['s', 'statistical', 'rejected'], ['tr', 'trend', 'reversed'], ['e2', 'exact', 'holds']]);
    expect(r.findings).toEqual(['s', 'tr']);
    expect(r.instances).toBe(10 + 7 + 24 + 10);
    expect([r.id, r.title, r.seed, r.budget]).toEqual(['toy', 'Toy result', 1, 'test']);
    const failing = await runTheorem(def([exact('e1', true), stat('s', [0.9]), exact('e2', false)]), { seed: 1, budget: 'test' });
    expect(failing.holds).toBe(false);
    expect(failing.findings).toEqual([]);
  });

  it('a result without exact claims holds vacuously; its kind is its first claim\'s kind', async () => {
    const r = await runTheorem(def([trend('tr', 'increasing', 1), stat('s', [0.5])]), { seed: 1, budget: 'test' });
    expect(r.holds).toBe(true);
    expect(r.kind).toBe('trend');
    expect(r.kinds).toEqual(['trend', 'statistical']);
    expect(r.claims.map((c) => c.verdict)).toEqual(['holds', 'not rejected']);
    expect(r.findings).toEqual([]);
  });

  it('a claim of our own derivation that fails is not a finding of the paper; source defaults to paper', async () => {
    const r = await runTheorem(def([stat('mine', [1e-9], { source: 'derived' }), trend('ours', 'decreasing', 1, { source: 'derived' }), stat('theirs', [1e-9])]), { seed: 1, budget: 'test' });
    expect(r.claims.map((c) => c.source)).toEqual(['derived', 'derived', 'paper']);
    expect(r.findings).toEqual(['theirs']);
  });

  it('all statistical tests of a result are one Holm family at its α (p = 0.02 alone is rejected; with three tests of p = 0.02 none is)', async () => {
    const alone = await runTheorem(def([stat('s', [0.02])]), { seed: 1, budget: 'test' });
    expect(alone.claims[0]!.verdict).toBe('rejected');
    const r = await runTheorem(def([stat('s', [0.02]), stat('u', [0.02, 0.02])]), { seed: 1, budget: 'test' });
    expect(r.claims.map((c) => c.verdict)).toEqual(['not rejected', 'not rejected']);
    const c = r.claims[1] as Extract<ClaimResult, { kind: 'statistical' }>;
    expect(c.alpha).toBe(0.05);
    expect(c.correction).toBe('Holm over the 3 statistical test(s) of this result');
    expect(c.tests.map((t) => t.pAdjusted)).toEqual([0.06, 0.06]);
    expect(c.instances).toBe(7);
    // At α = 0.1 the same family is rejected (3 · 0.02 = 0.06 < 0.1).
    const loose = await runTheorem(def([stat('s', [0.02]), stat('u', [0.02, 0.02])], 0.1), { seed: 1, budget: 'test' });
    expect(loose.claims.map((x) => x.verdict)).toEqual(['rejected', 'rejected']);
  });

  it('trend claims carry their direction, α, correction and measure; the trend family is separate from the statistical one', async () => {
    const r = await runTheorem(def([stat('s', [0.03]), trend('up', 'increasing', 1), trend('down', 'decreasing', -1)]), { seed: 1, budget: 'test' });
    expect(r.claims.map((c) => c.verdict)).toEqual(['rejected', 'holds', 'holds']);
    const t = r.claims[2] as Extract<ClaimResult, { kind: 'trend' }>;
    expect([t.direction, t.alpha, t.measure, t.instances]).toEqual(['decreasing', 0.05, 'toy measure', 24]);
    expect(t.correction).toBe('Holm over the tested trend regimes of this result, each direction');
    expect(t.regimes.map((g) => [g.label, g.verdict])).toEqual([['all', 'holds']]);
  });

  it('only runs the named claims (their tests then form the family); planted data goes to analyze, sample is never called', async () => {
    let sampled = 0;
    const s = stat('s', [0.02], { sample: () => { sampled++; return [0.02]; } } as Partial<Claim>);
    const d = def([s, stat('u', [0.02, 0.02]), exact('e', false)]);
    const r = await runTheorem(d, { seed: 1, budget: 'test', only: ['s'] });
    expect(r.claims.map((c) => [c.id, c.verdict])).toEqual([['s', 'rejected']]);
    expect(r.holds).toBe(true);
    expect(sampled).toBe(1);
    const p = await runTheorem(d, { seed: 1, budget: 'test', only: ['s', 'u'], planted: { s: [0.9] } });
    expect(sampled).toBe(1);
    expect((p.claims[0] as Extract<ClaimResult, { kind: 'statistical' }>).tests.map((t) => t.pValue)).toEqual([0.9]);
    await expect(runTheorem(d, { seed: 1, budget: 'test', planted: { e: 1 } })).rejects.toThrow(/^toy: planted data is for statistical and trend claims \(e is exact\)$/);
  });

  it('each claim gets the seed and its own budget of the run\'s budget level', async () => {
    const seen: unknown[] = [];
    const c = exact('e', true, { budgets: { test: 5, quick: 50, full: 500 }, check: (ctx, b) => { seen.push([ctx.seed, ctx.budget, b]); return { holds: true, instances: b as number }; } } as Partial<Claim>);
    for (const budget of ['test', 'quick', 'full'] as const) await runTheorem(def([c]), { seed: 9, budget });
    expect(seen).toEqual([[9, 'test', 5], [9, 'quick', 50], [9, 'full', 500]]);
  });

  it('memo: one computation per key per run, shared across claims; a new run computes again', async () => {
    let calls = 0;
    const shared = (id: string): Claim => exact(id, true, { check: async (ctx) => ({ holds: true, instances: await ctx.memo('k', async () => ++calls) }) } as Partial<Claim>);
    const d = def([shared('a'), shared('b')]);
    const r = await runTheorem(d, { seed: 1, budget: 'test' });
    expect(r.claims.map((c) => c.instances)).toEqual([1, 1]);
    await runTheorem(d, { seed: 1, budget: 'test' });
    expect(calls).toBe(2);
  });

  it('progress spans the claims: claim k of n reports k·1000 + its fraction, out of n·1000', async () => {
    const seen: [number, number][] = [];
    const c = (id: string): Claim => exact(id, true, { check: (ctx) => { ctx.progress?.(1, 4); ctx.progress?.(4, 4); return { holds: true, instances: 1 }; } } as Partial<Claim>);
    await runTheorem(def([c('a'), c('b')]), { seed: 1, budget: 'test', progress: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([[250, 2000], [1000, 2000], [1250, 2000], [2000, 2000]]);
  });

  it('kind is exact whenever an exact claim is present, even after others; no claims at all: exact, vacuously holding', async () => {
    const r = await runTheorem(def([stat('s', [0.5]), exact('e', true)]), { seed: 1, budget: 'test' });
    expect([r.kind, r.kinds]).toEqual(['exact', ['statistical', 'exact']]);
    const none = await runTheorem(def([]), { seed: 1, budget: 'test' });
    expect([none.kind, none.kinds, none.holds, none.instances, none.findings]).toEqual(['exact', [], true, 0, []]);
  });

  it('a trend reversed in one regime and holding in another is mixed, and a finding', async () => {
    const two: Claim = trend('tr', 'increasing', 1, { analyze: (): TrendStudy => ({ measure: 'm', instances: 48, regimes: [
      { label: 'up', levels: [1, 2, 3, 4], groups: groupsFor(1), confusion: true },
      { label: 'down', levels: [1, 2, 3, 4], groups: groupsFor(-1), confusion: true },
    ] }) } as Partial<Claim>);
    const r = await runTheorem(def([two]), { seed: 1, budget: 'test' });
    expect(r.claims[0]!.verdict).toBe('mixed');
    expect(r.findings).toEqual(['tr']);
  });

  it('details of a study are passed on, and only when present; times are real elapsed milliseconds', async () => {
    const withDetails = (c: Claim): Claim => ({ ...c, analyze: (x: unknown) => ({ ...(c as { analyze(x: unknown): object }).analyze(x), details: { note: c.id } }) } as unknown as Claim);
    const t0 = performance.now();
    const r = await runTheorem(def([withDetails(stat('s', [0.5])), withDetails(trend('t', 'increasing', 1)), stat('bare', [0.5])]), { seed: 1, budget: 'test' });
    const elapsed = performance.now() - t0;
    expect(r.claims.map((c) => (c as { details?: unknown }).details)).toEqual([{ note: 's' }, { note: 't' }, undefined]);
    expect('details' in r.claims[2]!).toBe(false);
    expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeLessThanOrEqual(elapsed);
    for (const c of r.claims) expect(c.ms).toBeGreaterThanOrEqual(0);
    expect(r.claims.reduce((n, c) => n + c.ms, 0)).toBeLessThanOrEqual(r.ms);
  });

  it('figures see the claim results and the run\'s seed; without figures, details is empty', async () => {
    const d: TheoremDefinition = { ...def([exact('a', true)]), figures: (cs, ctx) => ({ ids: cs.map((c) => c.id), seed: ctx.seed }) };
    expect((await runTheorem(d, { seed: 4, budget: 'test' })).details).toEqual({ ids: ['a'], seed: 4 });
    expect((await runTheorem(def([exact('a', true)]), { seed: 4, budget: 'test' })).details).toEqual({});
  });
});

describe('runClaim, plantedClaim, claimOf', () => {
  const d = def([exact('e', true), stat('s', [0.03]), stat('u', [0.03]), trend('t', 'increasing', 1)]);

  it('runClaim runs one claim alone (its own Holm family); an unknown id is an error', async () => {
    expect((await runClaim(d, 's', { seed: 1, budget: 'test' })).verdict).toBe('rejected');
    expect((await runTheorem(d, { seed: 1, budget: 'test' })).claims[1]!.verdict).toBe('not rejected');
    await expect(runClaim(d, 'nope', { seed: 1, budget: 'test' })).rejects.toThrow(/^toy: no claim nope$/);
  });

  it('plantedClaim feeds the sample to the claim\'s analyze: a planted fall is reversed for an increasing claim', async () => {
    expect((await plantedClaim(d, 't', -1)).verdict).toBe('reversed');
    expect((await plantedClaim(d, 't', 1)).verdict).toBe('holds');
    expect((await plantedClaim(d, 's', [0.5])).verdict).toBe('not rejected');
  });

  it('claimOf finds a claim by id and kind', () => {
    expect(claimOf(d, 't', 'trend').direction).toBe('increasing');
    expect(() => claimOf(d, 't', 'exact')).toThrow(/^toy: no exact claim t$/);
    expect(() => claimOf(d, 'x', 'trend')).toThrow(/^toy: no trend claim x$/);
  });
});

describe('exactProperty', () => {
  const verdict = (x: number, bound = 10): Verdict => ({ holds: x <= bound, measured: { x }, bound, slack: (bound - x) / bound, degenerate: x === 0 });

  it('all instances hold: smallest slack over the non-degenerate ones, degenerate counted apart, progress every k', () => {
    const progress: [number, number][] = [];
    const seen: number[] = [];
    const out = exactProperty({ seed: 5, progress: (d, t) => progress.push([d, t]) }, fc.constantFrom(0, 2, 4), 30, (x) => verdict(x),
      { tolerance: 'none', progressEvery: 10, onVerdict: (x) => seen.push(x) });
    expect(out.holds).toBe(true);
    expect(out.instances).toBe(30);
    expect(out.minSlack).toBeCloseTo(0.6, 15); // x = 4: (10 − 4)/10; x = 0 is degenerate and left out
    expect(out.degenerate).toBe(seen.filter((x) => x === 0).length);
    expect(out.degenerate).toBeGreaterThan(0);
    expect(out.tolerance).toBe('none');
    expect(progress).toEqual([[10, 30], [20, 30], [30, 30]]);
    expect(seen).toHaveLength(30);
    expect(out.counterexample).toBeUndefined();
  });

  it('a failing instance: shrunk counterexample, its replay path and its verdict; no tolerance or degenerate keys when unused', () => {
    const out = exactProperty({ seed: 5 }, fc.integer({ min: 1, max: 1000 }), 200, (x) => verdict(x, 100));
    expect(out.holds).toBe(false);
    expect(out.counterexample).toEqual([101]);
    expect((out.failure as Verdict).measured.x).toBe(101);
    expect(typeof out.path).toBe('string');
    expect('tolerance' in out).toBe(false);
    expect('degenerate' in out).toBe(false);
    const replay = fc.check(fc.property(fc.integer({ min: 1, max: 1000 }), (x) => x <= 100), { seed: 5, path: out.path! });
    expect(replay.counterexample).toEqual([101]);
  });

  it('examples run first; with only holding instances and no slack the smallest slack stays Infinity', () => {
    const seen: number[] = [];
    const out = exactProperty({ seed: 1 }, fc.constant(1), 3, (x) => { seen.push(x); return { holds: true, measured: {}, bound: 0, slack: Infinity }; }, { examples: [[7]] });
    expect(seen[0]).toBe(7);
    expect(out.minSlack).toBe(Infinity);
    expect(out.holds).toBe(true);
  });
});
