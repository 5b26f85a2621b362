/**
 * Section 7 trend checks on synthetic sweep results whose answer is known by hand (a perfectly
 * ordered sweep must pass with the exact p of a perfect ordering; a reversed or flat one must
 * fail; diverged runs count as worst loss and are left out of the cosine tests), and the quick
 * theorems/section-7.test.ts runs the claims on the committed small-scale MNIST results.
 */
import { describe, expect, it } from 'vitest';
import { analyseSection7, type RunSummary } from './section-7-analysis.ts';
import type { SweepKind, Variant } from './plan.ts';

function run(sweep: SweepKind, level: number, seed: number, loss: number, minCos: number, variant: Variant = 'plain', diverged = false): RunSummary {
  return { key: `${sweep}/${variant}/${level}/${seed}`, sweep, level, variant, seed, lr: 0.1, diverged,
    final: { trainLoss: diverged ? null : loss, testAccuracy: diverged ? null : 0.9, minCosine: diverged ? null : minCos } };
}

/** 3 levels × 2 seeds: J's null law over 6!/(2!·2!·2!) = 90 equally likely assignments. */
const P_PERFECT_3x2 = 1 / 90;

describe('section-7 analysis', () => {
  it('a perfectly ordered width sweep holds with the exact p of a perfect ordering (1/90), Holm ×2', () => {
    const runs = [16, 32, 64].flatMap((w, i) => [0, 1].map((s) => run('width', w, s, 1 - 0.3 * i - 0.01 * s, -0.5 + 0.1 * i + 0.01 * s)));
    const a = analyseSection7(runs);
    expect(a.tests.map((t) => t.id)).toEqual(['width-loss', 'width-confusion']);
    for (const t of a.tests) {
      expect(t.result.p).toBeCloseTo(P_PERFECT_3x2, 12);
      expect(t.result.concordance).toBe(1);
      expect(t.pHolm).toBeCloseTo(2 * P_PERFECT_3x2, 12);
      expect(t.holds).toBe(true);
    }
    expect(a.holds).toBe(true);
    expect(a.findings).toEqual([]);
  });

  it('a reversed depth sweep fails both claims and reports them as findings', () => {
    // Deeper has LOWER loss and min cosine CLOSER to 0: the opposite of the paper.
    const runs = [2, 4, 8].flatMap((d, i) => [0, 1].map((s) => run('depth', d, s, 1 - 0.3 * i, -0.5 + 0.1 * i + 0.01 * s)));
    const a = analyseSection7(runs);
    expect(a.holds).toBe(false);
    expect(a.tests.every((t) => !t.holds && t.result.concordance === 0)).toBe(true);
    expect(a.findings).toHaveLength(2);
    expect(a.findings[0]).toMatch(/^depth-loss: "deeper -> higher final training loss" not shown/);
  });

  it('|min cosine| is what is tested: a sign flip at equal magnitude is no trend', () => {
    const runs = [1, 2].flatMap((d) => [0, 1, 2].map((s) => run('depth', d, s, d, (d === 1 ? -1 : 1) * (0.2 + 0.01 * s))));
    const conf = analyseSection7(runs).tests.find((t) => t.id === 'depth-confusion')!;
    // |values| are equal across the two depths (0.20, 0.21, 0.22 each): all 9 pairs are ties, J = 4.5.
    expect(conf.result.statistic).toBe(4.5);
    expect(conf.result.concordance).toBe(0.5);
    expect(conf.holds).toBe(false);
  });

  it('diverged runs: loss +∞ (supports "deeper → higher loss"), left out of the confusion test', () => {
    const runs = [
      ...[0, 1].map((s) => run('depth', 2, s, 0.3 + 0.01 * s, -0.2 - 0.01 * s)),
      ...[0, 1].map((s) => run('depth', 4, s, 0.5 + 0.01 * s, -0.3 - 0.01 * s)),
      run('depth', 8, 0, 0, 0, 'plain', true), run('depth', 8, 1, 0, 0, 'plain', true),
    ];
    const a = analyseSection7(runs);
    const loss = a.tests.find((t) => t.id === 'depth-loss')!;
    expect(loss.result.n).toBe(6);
    expect(loss.result.concordance).toBe(1);
    const conf = a.tests.find((t) => t.id === 'depth-confusion')!;
    expect(conf.result.n).toBe(4);
    expect(conf.excluded.sort()).toEqual(['depth/plain/8/0', 'depth/plain/8/1']);
    expect(a.levels.find((l) => l.level === 8)!.diverged).toBe(2);
  });

  it('bn-skip: BN + skip closer to 0 than BN and than skip at every depth holds; exact stratified p', () => {
    const conf: Record<Variant, number> = { plain: 0.6, bn: 0.4, skip: 0.45, 'bn+skip': 0.2 };
    const runs = [4, 10, 18].flatMap((d) => (['plain', 'bn', 'skip', 'bn+skip'] as const).flatMap((v) =>
      [0, 1].map((s) => run('bn-skip', d, s, 0.1, -(conf[v] + 0.01 * d + 0.001 * s), v))));
    const a = analyseSection7(runs);
    expect(a.tests.map((t) => t.id)).toEqual(['bnskip-vs-bn', 'bnskip-vs-skip']);
    // Per depth, U = 4 (all 2×2 pairs) has probability 1/C(4,2) = 1/6; over 3 depths (1/6)³ = 1/216.
    for (const t of a.tests) {
      expect(t.result.p).toBeCloseTo(1 / 216, 12);
      expect(t.holds).toBe(true);
    }
    expect(a.descriptive.map((d) => d.variant)).toEqual(['plain', 'bn', 'skip', 'bn+skip']);
  });

  it('claims of absent sweeps are not tested; no tests → does not hold; one level → untested', () => {
    expect(analyseSection7([]).tests).toEqual([]);
    expect(analyseSection7([]).holds).toBe(false);
    const one = analyseSection7([run('width', 8, 0, 0.5, -0.2), run('width', 8, 1, 0.4, -0.3)]);
    expect(one.tests).toEqual([]);
    expect(one.untested).toHaveLength(2);
    expect(one.holds).toBe(false);
  });
});
