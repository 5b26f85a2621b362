/** Per-horizon verdicts and slack statistics: failures need meaningful bounds; degenerate points counted apart. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { horizonVerdict, runExactSgdProperty, SlackStats, type HorizonPoint } from './slack-stats.ts';

const pt = (k: number, measured: number, bound: number, degenerate = false, tol = 0): HorizonPoint => ({ k, measured, bound, tol, degenerate, extra: { eta: k / 10 } });

describe('horizonVerdict', () => {
  it('holds at every k: reports the non-degenerate k with the smallest slack (bound − measured)/|bound|', () => {
    // slacks: k=1 (2−1)/2 = 0.5, k=2 (4−3.9)/4 = 0.025 (degenerate), k=3 (1−0.9)/1 = 0.1
    const v = horizonVerdict([pt(1, 1, 2), pt(2, 3.9, 4, true), pt(3, 0.9, 1)]);
    expect(v.holds).toBe(true);
    expect(v.degenerate).toBe(false);
    expect(v.measured.k).toBe(3);
    expect(v.slack).toBeCloseTo(0.1, 14);
    expect(v.bound).toBe(1);
    expect(v.measured.measured).toBe(0.9);
    expect(v.measured.eta).toBeCloseTo(0.3, 14);
    expect(v.curve).toEqual([{ k: 1, measured: 1, bound: 2 }, { k: 2, measured: 3.9, bound: 4 }, { k: 3, measured: 0.9, bound: 1 }]);
  });

  it('slack is relative to |bound| (0.1 at bound 100 is tighter than 0.5 at bound 1); ties keep the first k', () => {
    const v = horizonVerdict([pt(1, 90, 100), pt(2, 0.5, 1)]);
    expect(v.measured.k).toBe(1);
    expect(v.slack).toBeCloseTo(0.1, 14);
    expect(horizonVerdict([pt(1, 1, 2), pt(2, 2, 4)]).measured.k).toBe(1);
    expect(horizonVerdict([pt(1, 2, 1), pt(2, 4, 2), pt(3, 5, 100)]).measured.k).toBe(1);
  });

  it('every point degenerate: the instance is degenerate, reported at its smallest slack', () => {
    const v = horizonVerdict([pt(1, 1, 2, true), pt(2, 3.9, 4, true)]);
    expect(v.degenerate).toBe(true);
    expect(v.measured.k).toBe(2);
  });

  it('a failure with a positive bound is reported in preference to one with a negative bound', () => {
    const v = horizonVerdict([pt(1, 0, -1), pt(2, 2, 1), pt(3, 1.5, 1)]);
    expect(v.holds).toBe(false);
    expect(v.measured.k).toBe(2);
    expect(v.slack).toBeCloseTo(-1, 14);
    const neg = horizonVerdict([pt(1, 0.5, 1), pt(2, 0, -1)]);
    expect(neg.holds).toBe(false);
    expect(neg.bound).toBe(-1);
    expect(neg.measured.k).toBe(2);
  });

  it('the tolerance decides at the boundary; a NaN bound fails; infinite bounds hold with slack 1', () => {
    expect(horizonVerdict([pt(1, 1 + 1e-13, 1, false, 1e-12)]).holds).toBe(true);
    expect(horizonVerdict([pt(1, 1 + 1e-11, 1, false, 1e-12)]).holds).toBe(false);
    const nan = horizonVerdict([pt(1, 0, Number.NaN)]);
    expect(nan.holds).toBe(false);
    expect(Number.isNaN(nan.slack)).toBe(true);
    const inf = horizonVerdict([pt(1, 5, Infinity), pt(2, 6, Infinity)]);
    expect(inf.holds).toBe(true);
    expect(inf.slack).toBe(1);
    expect(inf.measured.k).toBe(2);
    expect(() => horizonVerdict([])).toThrow(/no horizon/);
  });
});

describe('SlackStats', () => {
  it('the smallest slack is over non-degenerate instances; degenerate ones are counted apart, per family too', () => {
    const s = new SlackStats();
    const v = (slack: number, degenerate = false) => ({ holds: true, measured: { measured: 1 }, bound: 1, slack, degenerate });
    s.add({ family: 'a' }, v(0.3));
    s.add({ family: 'a' }, v(0.001, true));
    s.add({ family: 'b' }, v(0.2));
    s.add({ family: 'b' }, v(0.5));
    const out = s.summary();
    expect(out.minSlack).toBe(0.2);
    expect(s.smallest).toBe(0.2);
    expect(out.degenerate).toBe(1);
    expect(out.perFamily).toEqual({ a: { instances: 2, degenerate: 1, minSlack: 0.3 }, b: { instances: 2, degenerate: 0, minSlack: 0.2 } });
    expect(out.tightest!.instance).toEqual({ family: 'b' });
    expect(out.tightest!.verdict.slack).toBe(0.2);
  });
});

describe('SlackStats ties', () => {
  it('of two instances with the same smallest slack, the first is the tightest', () => {
    const s = new SlackStats();
    const v = { holds: true, measured: { measured: 1 }, bound: 2, slack: 0.5 };
    s.add({ family: 'a' }, v);
    s.add({ family: 'b' }, { ...v });
    expect(s.summary().tightest!.instance).toEqual({ family: 'a' });
    expect(s.smallest).toBe(0.5);
  });
});

describe('runExactSgdProperty', () => {
  const arb = fc.integer({ min: 1, max: 100 }).map((x) => ({ family: x % 2 ? 'odd' : 'even', x }));
  it('holds: instances, smallest slack and tightest from the checked instances', () => {
    const r = runExactSgdProperty(arb, (p) => ({ holds: true, measured: { measured: p.x }, bound: 101, slack: (101 - p.x) / 101 }), { seed: 1, numRuns: 60 });
    expect(r.holds).toBe(true);
    expect(r.instances).toBe(60);
    expect(r.degenerate).toBe(0);
    expect(r.counterexample).toBeUndefined();
    expect(r.minSlack).toBeGreaterThanOrEqual(1 / 101 - 1e-15);
    expect(r.minSlack).toBeLessThan(0.2);
    expect((r.details.tightest as { verdict: { slack: number } }).verdict.slack).toBe(r.minSlack);
  });
  it('fails: the shrunk counterexample, its path and verdict', () => {
    let calls = 0;
    const r = runExactSgdProperty(arb, (p) => ({ holds: p.x < 40, measured: { measured: p.x }, bound: 40, slack: (40 - p.x) / 40 }), { seed: 2, numRuns: 100, progress: () => calls++ });
    expect(r.holds).toBe(false);
    expect(r.counterexample).toEqual({ family: 'even', x: 40 });
    expect(r.failure!.holds).toBe(false);
    expect(typeof r.path).toBe('string');
    // Progress and statistics count the searched instances up to the first failure, not the shrinks:
    // fc.sample with the same seed draws the same sequence as the search.
    const firstFailure = fc.sample(arb, { seed: 2, numRuns: 100 }).findIndex((p) => p.x >= 40) + 1;
    expect(firstFailure).toBeGreaterThan(1);
    expect(calls).toBe(firstFailure);
    const perFamily = r.details.perFamily as Record<string, { instances: number }>;
    expect(Object.values(perFamily).reduce((n, f) => n + f.instances, 0)).toBe(firstFailure);
  });
});
