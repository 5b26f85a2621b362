/**
 * Section 7 as claims: the committed small-scale MNIST results at the test budget (verdicts and
 * magnitudes pinned), and every trend claim's power and direction on planted sweeps through the
 * claim's own analysis and the runner's verdict code (theorems/define.ts plantedClaim).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClaimResult, TheoremResult, TrendRegimeResult } from '../src/claims/claim.ts';
import type { RunSummary } from '../src/train/section-7-analysis.ts';
import { readRunSummaries } from '../src/train/section-7-analysis.ts';
import type { SweepKind, Variant } from '../src/train/plan.ts';
import { Rng } from '../src/rng.ts';
import { plantedClaim } from './define.ts';
import { COMMITTED_RESULTS, theorem, type Section7Sample } from './section-7.ts';

const SEED = 1;

const trend = (c: ClaimResult | undefined) => {
  if (!c || c.kind !== 'trend') throw new Error('not a trend claim');
  return c;
};
const regime = (c: ClaimResult | undefined, k = 0): TrendRegimeResult => trend(c).regimes[k]!;

describe(`section-7 on the committed small-scale MNIST results (test budget, seed ${SEED})`, () => {
  let r: TheoremResult;
  const claim = (id: string) => r.claims.find((c) => c.id === id);
  beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); });

  it('runs all seven trend claims on the committed runs; no exact claim, so `holds` is vacuous', () => {
    expect(r.claims.map((c) => c.id)).toEqual(['width-loss', 'width-confusion', 'depth-loss', 'depth-confusion', 'depth-confusion-by-variant', 'bnskip-vs-bn', 'bnskip-vs-skip']);
    expect(r.kinds).toEqual(['trend']);
    expect(r.holds).toBe(true);
    const runs = readRunSummaries(COMMITTED_RESULTS);
    expect(runs).toHaveLength(25 + 25 + 48);
    // 9 tested regimes in one Holm family per direction at α = 0.05
    expect(r.claims.flatMap((c) => trend(c).regimes).filter((g) => g.outcome).length).toBe(9);
  });

  // Findings pinned at the committed data (deterministic: the data are fixed; JT is exact or normal).
  it('wider -> lower loss holds with perfect concordance (τ = −1; medians 0.32 → 0.058 from width 16 to 256)', () => {
    const g = regime(claim('width-loss'));
    expect(g.verdict).toBe('holds');
    expect(g.outcome!.tau).toBe(-1);
    expect(g.outcome!.medians[0]!).toBeGreaterThan(0.3);
    expect(g.outcome!.medians.at(-1)!).toBeLessThan(0.06);
  });

  it('wider -> min cosine closer to 0 holds (τ ∈ [−0.7, −0.4]; median |min cos| 0.33 → 0.21)', () => {
    const g = regime(claim('width-confusion'));
    expect(g.verdict).toBe('holds');
    expect(g.outcome!.tau).toBeGreaterThan(-0.7);
    expect(g.outcome!.tau).toBeLessThan(-0.4);
    expect(g.outcome!.medians[0]! - g.outcome!.medians.at(-1)!).toBeGreaterThan(0.08);
  });

  it('deeper -> higher loss holds (τ ∈ [0.6, 0.85]; median 0.11 at 1 hidden layer, 0.35 at 16)', () => {
    const g = regime(claim('depth-loss'));
    expect(g.verdict).toBe('holds');
    expect(g.outcome!.tau).toBeGreaterThan(0.6);
    expect(g.outcome!.tau).toBeLessThan(0.85);
    expect(g.outcome!.medians.at(-1)!).toBeGreaterThan(3 * g.outcome!.medians[0]!);
  });

  it('finding: deeper -> min cosine further from 0 is not detected (τ ∈ [0, 0.35], raw p ∈ [0.1, 0.3]; flat from 1 to 8 layers)', () => {
    const g = regime(claim('depth-confusion'));
    expect(g.verdict).toBe('not detected');
    expect(g.outcome!.tau).toBeGreaterThan(0);
    expect(g.outcome!.tau).toBeLessThan(0.35);
    expect(g.outcome!.pValue).toBeGreaterThan(0.1);
    expect(g.outcome!.pValue).toBeLessThan(0.3);
    const m = g.outcome!.medians;
    expect(Math.max(...m.slice(0, 4)) - Math.min(...m.slice(0, 4))).toBeLessThan(0.03);
  });

  it('finding: per variant, plain and BN-only rise with depth (τ > 0.3) but not significantly after Holm; skip-only falls (τ < −0.4: it stops training at depth ≥ 18)', () => {
    const c = trend(claim('depth-confusion-by-variant'));
    expect(c.regimes.map((g) => g.label)).toEqual(['bn-skip sweep, plain', 'bn-skip sweep, bn', 'bn-skip sweep, skip']);
    expect(c.regimes.map((g) => g.verdict)).toEqual(['not detected', 'not detected', 'not detected']);
    expect(c.regimes[0]!.outcome!.tau).toBeGreaterThan(0.3);
    expect(c.regimes[1]!.outcome!.tau).toBeGreaterThan(0.3);
    expect(c.regimes[2]!.outcome!.tau).toBeLessThan(-0.4);
    expect(c.regimes[2]!.outcome!.reversePValue).toBeLessThan(0.02);
  });

  it('finding: BN + skip is not closer to 0 than BN alone (|τ| < 0.15, medians within 0.01); vs skip alone τ ∈ [0.3, 0.65], not significant', () => {
    const bn = regime(claim('bnskip-vs-bn'));
    expect(bn.verdict).toBe('not detected');
    expect(Math.abs(bn.outcome!.tau)).toBeLessThan(0.15);
    expect(Math.abs(bn.outcome!.medians[0]! - bn.outcome!.medians[1]!)).toBeLessThan(0.01);
    expect(bn.details).toMatchObject({ depths: [4, 10, 18, 26] });
    const sk = regime(claim('bnskip-vs-skip'));
    expect(sk.verdict).toBe('not detected');
    expect(sk.outcome!.tau).toBeGreaterThan(0.3);
    expect(sk.outcome!.tau).toBeLessThan(0.65);
  });

  it('details: per-level medians of every sweep (the report reads them) and one figure per sweep', () => {
    const levels = r.details.levels as { sweep: string; variant: string; level: number }[];
    expect(levels).toHaveLength(5 + 5 + 16);
    const figs = r.details.figures as { id: string; x: { integer?: boolean }; series: { name: string }[] }[];
    expect(figs.map((f) => f.id)).toEqual(['width-min-cosine', 'depth-min-cosine', 'bn-skip-min-cosine']);
    expect(figs[2]!.series.map((s) => s.name).sort()).toEqual(['bn', 'bn+skip', 'plain', 'skip']);
    for (const f of figs) expect(f.x.integer).toBe(true);
  });
});

describe('power and direction: every Section 7 claim on planted sweeps', () => {
  const LEVELS = [2, 4, 8, 16];
  /**
   * A planted sweep: 5 seeds per level, loss = 1 + shift·k + 0.05·u and min cos = −0.3 − shift·k + 0.02·u
   * at level index k (u standard normal). With shift = 0.1 every level is separated by 2 noise sd
   * (loss) or 5 (cosine): the claimed trend holds with p ≪ 0.05/9; with shift = 0 the law is the
   * same at every level.
   */
  const sweep = (kind: SweepKind, shift: number, seed: number | Rng = 3, variant: Variant = 'plain', levels = LEVELS): RunSummary[] => {
    const rng = typeof seed === 'number' ? new Rng(seed) : seed;
    return levels.flatMap((lv, k) => [0, 1, 2, 3, 4].map((s) => ({
      key: `${kind}/${variant}/${lv}/${s}`, sweep: kind, level: lv, variant, seed: s, lr: 0.1, diverged: false,
      final: { trainLoss: 1 + shift * k + 0.05 * rng.normal(), testAccuracy: 0.9, minCosine: -0.3 - shift * k + 0.02 * rng.normal() },
    })));
  };
  const sample = (runs: RunSummary[]): Section7Sample => ({ runs, source: 'planted' });
  const verdict = async (id: string, runs: RunSummary[]) => trend(await plantedClaim(theorem, id, sample(runs))).verdict;

  it('width-loss and width-confusion (claimed: decreasing): planted fall → holds, rise → reversed, none → not detected', async () => {
    for (const id of ['width-loss', 'width-confusion']) {
      expect(await verdict(id, sweep('width', -0.1))).toBe('holds');
      expect(await verdict(id, sweep('width', 0.1))).toBe('reversed');
      expect(await verdict(id, sweep('width', 0))).toBe('not detected');
    }
  });

  it('depth-loss and depth-confusion (claimed: increasing): planted rise → holds, fall → reversed, none → not detected', async () => {
    for (const id of ['depth-loss', 'depth-confusion']) {
      expect(await verdict(id, sweep('depth', 0.1))).toBe('holds');
      expect(await verdict(id, sweep('depth', -0.1))).toBe('reversed');
      expect(await verdict(id, sweep('depth', 0))).toBe('not detected');
    }
  });

  it('a claim only reads its own sweep: a planted width trend says nothing about depth', async () => {
    const c = trend(await plantedClaim(theorem, 'depth-loss', sample(sweep('width', 0.1))));
    expect(c.regimes).toEqual([]);
  });

  it('diverged runs count as the worst loss (a diverged deepest level supports "deeper -> higher loss") and leave the cosine groups', async () => {
    const runs = sweep('depth', 0).map((r) => (r.level === 16 ? { ...r, diverged: true, final: { trainLoss: null, testAccuracy: null, minCosine: null } } : r));
    const loss = regime(await plantedClaim(theorem, 'depth-loss', sample(runs)));
    expect(loss.outcome!.sizes).toEqual([5, 5, 5, 5]);
    expect(loss.outcome!.medians[3]).toBe(Infinity);
    const conf = regime(await plantedClaim(theorem, 'depth-confusion', sample(runs)));
    expect(conf.outcome!.sizes).toEqual([5, 5, 5, 0]);
    expect((conf.details as { excluded: string[] }).excluded).toHaveLength(5);
  });

  it('a sweep whose minimum cosines are all positive has no confusion: no verdict for the confusion claims, the loss claim still gets one', async () => {
    const runs = sweep('width', -0.1).map((r) => ({ ...r, final: { ...r.final, minCosine: 0.5 + 0.01 * r.seed } }));
    expect(await verdict('width-confusion', runs)).toBe('no confusion in this regime');
    expect(await verdict('width-loss', runs)).toBe('holds');
  });

  it('bnskip-vs-bn / -vs-skip (claimed: BN + skip closer to 0): planted → holds, swapped labels → reversed, same law → not detected', async () => {
    // bn+skip at −0.1, the other variant at −0.3 (plus noise 0.02): perfectly separated over 4 depths × 5 seeds.
    // one stream for all variants (streams of neighbouring seeds need not be independent)
    const mk = (gap: number, rng = new Rng(79190)) => (['bn+skip', 'bn', 'skip'] as Variant[]).flatMap((v) => sweep('bn-skip', 0, rng, v, [4, 10, 18, 26])
      .map((r) => ({ ...r, final: { ...r.final, minCosine: r.final.minCosine! + (v === 'bn+skip' ? gap : 0) } })));
    for (const id of ['bnskip-vs-bn', 'bnskip-vs-skip']) {
      expect(await verdict(id, mk(0.2))).toBe('holds');
      expect(await verdict(id, mk(-0.2))).toBe('reversed');
      expect(await verdict(id, mk(0))).toBe('not detected');
    }
  });

  it('depth-confusion-by-variant: a rise in every variant holds; a fall in one is reversed there; BN + skip runs are not a regime', async () => {
    const rng = new Rng(20);
    const runs = (['plain', 'bn', 'skip', 'bn+skip'] as Variant[]).flatMap((v) => sweep('bn-skip', 0.1, rng, v));
    const c = trend(await plantedClaim(theorem, 'depth-confusion-by-variant', sample(runs)));
    expect(c.regimes.map((g) => g.verdict)).toEqual(['holds', 'holds', 'holds']);
    const mixed = [...sweep('bn-skip', 0.1, rng, 'plain'), ...sweep('bn-skip', 0.1, rng, 'bn'), ...sweep('bn-skip', -0.1, rng, 'skip')];
    const m = trend(await plantedClaim(theorem, 'depth-confusion-by-variant', sample(mixed)));
    expect(m.regimes.map((g) => g.verdict)).toEqual(['holds', 'holds', 'reversed']);
    expect(m.verdict).toBe('mixed');
  });

  it('false alarms: over 100 planted null sweeps, "holds" for depth-confusion stays near α = 0.05', async () => {
    let holds = 0;
    const rng = new Rng(99);
    for (let k = 1; k <= 100; k++) if ((await verdict('depth-confusion', sweep('depth', 0, rng))) === 'holds') holds++;
    // one regime alone in its family: P(holds) ≤ 0.05 under the null; E ≤ 5, P(Bin(100, 0.05) ≥ 13) ≈ 0.002.
    // A level set 10× too loose would give ~50.
    expect(holds).toBeLessThan(13);
  });
});
