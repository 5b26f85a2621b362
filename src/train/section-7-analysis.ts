/**
 * The Section 7 analysis (Sankararaman et al., ICML 2020; ../shared/paper/THEOREMS.md, "Section 7"):
 * the end-of-training summaries of the training sweeps (src/train), the groups each Section 7
 * claim compares, and the stand-alone trend tests that `gradconf sweep` and `gradconf report` print
 * over a sweep directory. theorems/section-7.ts states the claims and runs them through the claims
 * framework (theorems/define.ts) on the same groups (`section7Groups`).
 *
 * Tests over a sweep's runs (levels × seeds), each a one-sided rank test on end-of-training values —
 * Jonckheere–Terpstra (src/stats/jonckheere.ts) or the depth-stratified Mann–Whitney test
 * (src/train/stratified-mann-whitney.ts) — Holm-adjusted (src/stats/multiple.ts) over all claims
 * checked together, at level ALPHA = 0.05 (family-wise):
 * - width-loss:       final training loss decreases with width        (Jonckheere–Terpstra)
 * - width-confusion:  |final min cosine| decreases with width         (Jonckheere–Terpstra)
 * - depth-loss:       final training loss increases with depth        (Jonckheere–Terpstra)
 * - depth-confusion:  |final min cosine| increases with depth         (Jonckheere–Terpstra)
 * - bnskip-vs-bn:     |final min cosine| of BN + skip < BN alone      (Mann–Whitney stratified by depth)
 * - bnskip-vs-skip:   |final min cosine| of BN + skip < skip alone    (Mann–Whitney stratified by depth)
 * "Closer to 0" is read literally: the statistic is |min cosine|, which is the confusion proxy
 * −min cos whenever the minimum is negative. Effect size: the concordance (probability that a pair
 * of runs is ordered as claimed; 0.5 = no effect) and τ = 2·concordance − 1. A diverged run has
 * training loss +∞ (worst) and no cosine (left out of the confusion tests and counted).
 */
import { readFileSync } from 'node:fs';
import { jonckheereTerpstra } from '../stats/jonckheere.ts';
import { holm } from '../stats/multiple.ts';
import { median } from '../stats/trend.ts';
import { stratifiedMannWhitney } from './stratified-mann-whitney.ts';
import type { SweepKind, Variant } from './plan.ts';

/** Family-wise level of the trend tests (one-sided, Holm over the claims checked together). */
export const ALPHA = 0.05;

/** The end-of-training values of a run that the tests use (a RunRecord satisfies it). */
export interface RunSummary {
  key: string;
  sweep: SweepKind;
  level: number;
  variant: Variant;
  seed: number;
  lr: number;
  diverged: boolean;
  final: { trainLoss: number | null; testAccuracy: number | null; minCosine: number | null };
}

/** A one-sided rank test's outcome, oriented so that the claim is the alternative. */
export interface RankTestResult {
  test: string;
  /** The statistic in the claimed orientation (number of pairs ordered as claimed, ties ½). */
  statistic: number;
  /** Number of compared pairs (the statistic's maximum). */
  pairs: number;
  /** One-sided p-value of the claim. */
  p: number;
  method: string;
  /** statistic / pairs: probability that a pair of runs is ordered as claimed (0.5 = no effect). */
  concordance: number;
  /** 2·concordance − 1 ∈ [−1, 1]. */
  tau: number;
  /** Runs used. */
  n: number;
}

/** Identifiers of the claims. */
export type ClaimId = 'width-loss' | 'width-confusion' | 'depth-loss' | 'depth-confusion' | 'bnskip-vs-bn' | 'bnskip-vs-skip';

/** One claim's test. */
export interface TrendTest {
  id: ClaimId;
  claim: string;
  /** The measured quantity: 'final training loss' or '|final min cosine|'. */
  quantity: string;
  result: RankTestResult;
  /** Holm-adjusted p over the claims checked together. */
  pHolm: number;
  /** pHolm ≤ alpha. */
  holds: boolean;
  /** Runs left out (diverged, for the confusion tests). */
  excluded: string[];
}

/** Median per level (and variant) of the end-of-training values. */
export interface LevelSummary {
  sweep: SweepKind;
  level: number;
  variant: Variant;
  runs: number;
  diverged: number;
  trainLoss: number;
  minCosine: number | null;
  absMinCosine: number | null;
  testAccuracy: number | null;
  lr: number[];
}

/** Everything the analysis of one or more sweeps reports. */
export interface Section7Analysis {
  alpha: number;
  tests: TrendTest[];
  /** Extra depth trends per bn-skip variant (not in the Holm family; descriptive). */
  descriptive: { variant: Variant; result: RankTestResult }[];
  levels: LevelSummary[];
  /** Claims of the analysed sweeps that could not be tested (e.g. a single level), with the reason. */
  untested: string[];
  /** Every claim of the analysed sweeps was tested and holds. */
  holds: boolean;
  /** One line per claim that does not hold at this scale. */
  findings: string[];
}

/** A run's end-of-training loss; a diverged run (or one without a loss) counts as +∞, the worst. */
export const lossOf = (r: RunSummary): number => (r.diverged || r.final.trainLoss === null ? Infinity : r.final.trainLoss);
/** A run's |final min cosine| (the confusion proxy); null for a diverged run or one without a cosine. */
export const confusionOf = (r: RunSummary): number | null => (r.diverged || r.final.minCosine === null ? null : Math.abs(r.final.minCosine));

/** The compact end-of-training summary of a run record (the committed quick-mode file's lines). */
export function summarizeRun(r: RunSummary): RunSummary {
  return { key: r.key, sweep: r.sweep, level: r.level, variant: r.variant, seed: r.seed, lr: r.lr, diverged: r.diverged,
    final: { trainLoss: r.final.trainLoss, testAccuracy: r.final.testAccuracy, minCosine: r.final.minCosine } };
}

/** The distinct levels of some runs, ascending. */
export function levelsOf(runs: readonly RunSummary[]): number[] {
  return [...new Set(runs.map((r) => r.level))].sort((a, b) => a - b);
}

/** The groups one Section 7 claim compares: values per level (ascending), with the runs left out. */
export interface Section7Groups { levels: number[]; groups: number[][]; excluded: string[] }

/**
 * End-of-training values of `runs` grouped by level (ascending): 'loss' (diverged = +∞) or
 * 'confusion' (|min cosine|; runs without one are left out and listed in `excluded`).
 */
export function section7Groups(runs: readonly RunSummary[], what: 'loss' | 'confusion'): Section7Groups {
  const excluded: string[] = [];
  const levels = levelsOf(runs);
  const groups = levels.map((lv) => runs.filter((r) => r.level === lv).flatMap((r) => {
    const v = what === 'loss' ? lossOf(r) : confusionOf(r);
    if (v === null) { excluded.push(r.key); return []; }
    return [v];
  }));
  return { levels, groups, excluded };
}

/** Median end-of-training values per sweep, level and variant. */
export function levelSummaries(runs: RunSummary[]): LevelSummary[] {
  const groups = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const k = `${r.sweep}|${r.variant}|${r.level}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const ok = g.filter((r) => confusionOf(r) !== null);
    const acc = g.map((r) => r.final.testAccuracy).filter((v): v is number => v !== null);
    return {
      sweep: g[0]!.sweep, level: g[0]!.level, variant: g[0]!.variant, runs: g.length, diverged: g.filter((r) => r.diverged).length,
      trainLoss: median(g.map(lossOf)),
      minCosine: ok.length ? median(ok.map((r) => r.final.minCosine!)) : null,
      absMinCosine: ok.length ? median(ok.map((r) => confusionOf(r)!)) : null,
      testAccuracy: acc.length ? median(acc) : null,
      lr: [...new Set(g.map((r) => r.lr))].sort((a, b) => a - b),
    };
  }).sort((a, b) => (a.sweep + a.variant).localeCompare(b.sweep + b.variant) || a.level - b.level);
}

type Unadjusted = Omit<TrendTest, 'pHolm' | 'holds'>;

function orderedTest(id: ClaimId, claim: string, runs: RunSummary[], what: 'loss' | 'confusion', alt: 'increasing' | 'decreasing'): Unadjusted | string {
  const { groups, excluded } = section7Groups(runs, what);
  if (groups.filter((g) => g.length > 0).length < 2) return `${id}: needs runs at two or more levels (has ${groups.filter((g) => g.length > 0).length})`;
  const jt = jonckheereTerpstra(groups, 'increasing');
  // J counts pairs increasing with the level; for a decreasing claim the claimed count is P − J.
  const statistic = alt === 'increasing' ? jt.statistic : jt.pairs - jt.statistic;
  const result: RankTestResult = {
    test: `Jonckheere–Terpstra (one-sided, ${alt})`, statistic, pairs: jt.pairs, p: alt === 'increasing' ? jt.pValue : jonckheereTerpstra(groups, 'decreasing').pValue,
    method: jt.method, concordance: statistic / jt.pairs, tau: (2 * statistic) / jt.pairs - 1, n: jt.sizes.reduce((a, b) => a + b, 0),
  };
  return { id, claim, quantity: what === 'loss' ? 'final training loss' : '|final min cosine|', result, excluded };
}

function bnSkipTest(id: ClaimId, claim: string, runs: RunSummary[], other: Variant, seed: number): Unadjusted | string {
  const excluded: string[] = [];
  const vals = (lv: number, v: Variant) => runs.filter((r) => r.level === lv && r.variant === v).flatMap((r) => {
    const c = confusionOf(r);
    if (c === null) { excluded.push(r.key); return []; }
    return [c];
  });
  // Claim: |min cos| of the other variant (y) is stochastically greater than BN + skip's (x), within each depth.
  const strata = levelsOf(runs).map((lv) => ({ x: vals(lv, 'bn+skip'), y: vals(lv, other) }));
  if (!strata.some((st) => st.x.length > 0 && st.y.length > 0)) return `${id}: needs bn+skip and ${other} runs at a common depth`;
  const r = stratifiedMannWhitney(strata, { seed });
  const result: RankTestResult = { test: `Mann–Whitney stratified by depth (one-sided, ${other} > bn+skip)`, statistic: r.statistic, pairs: r.pairs, p: r.pValue,
    method: r.method, concordance: r.concordance, tau: r.tau, n: r.n };
  return { id, claim, quantity: '|final min cosine|', result, excluded };
}

/**
 * The trend tests over the runs of one or more sweeps (each run's `sweep` says which), Holm-
 * adjusted together at level `alpha`. Claims whose sweep is absent are not tested.
 * @param seed seed of the stratified test's Monte Carlo p-values (used only with ties).
 */
export function analyseSection7(runs: RunSummary[], opts: { alpha?: number; seed?: number } = {}): Section7Analysis {
  const alpha = opts.alpha ?? ALPHA;
  const seed = opts.seed ?? 1;
  const of = (k: SweepKind) => runs.filter((r) => r.sweep === k);
  const raw: Unadjusted[] = [];
  const untested: string[] = [];
  const add = (t: Unadjusted | string) => { if (typeof t === 'string') untested.push(t); else raw.push(t); };
  const descriptive: Section7Analysis['descriptive'] = [];
  if (of('width').length) {
    add(orderedTest('width-loss', 'wider -> lower final training loss', of('width'), 'loss', 'decreasing'));
    add(orderedTest('width-confusion', 'wider -> min cosine closer to 0', of('width'), 'confusion', 'decreasing'));
  }
  if (of('depth').length) {
    add(orderedTest('depth-loss', 'deeper -> higher final training loss', of('depth'), 'loss', 'increasing'));
    add(orderedTest('depth-confusion', 'deeper -> min cosine further from 0', of('depth'), 'confusion', 'increasing'));
  }
  if (of('bn-skip').length) {
    add(bnSkipTest('bnskip-vs-bn', 'BN + skip keeps min cosine closer to 0 than BN alone (stratified by depth)', of('bn-skip'), 'bn', seed));
    add(bnSkipTest('bnskip-vs-skip', 'BN + skip keeps min cosine closer to 0 than skip alone (stratified by depth)', of('bn-skip'), 'skip', seed));
    for (const v of ['plain', 'bn', 'skip', 'bn+skip'] as const) {
      const t = orderedTest('depth-confusion', '', of('bn-skip').filter((r) => r.variant === v), 'confusion', 'increasing');
      if (typeof t !== 'string') descriptive.push({ variant: v, result: t.result });
    }
  }
  const adj = raw.length ? holm(raw.map((t) => t.result.p), alpha).adjusted : [];
  const tests: TrendTest[] = raw.map((t, i) => ({ ...t, pHolm: adj[i]!, holds: adj[i]! <= alpha }));
  const findings = tests.filter((t) => !t.holds).map((t) =>
    `${t.id}: "${t.claim}" not shown at this scale (p = ${t.result.p.toPrecision(3)}, Holm ${t.pHolm.toPrecision(3)} > ${alpha}; concordance ${t.result.concordance.toFixed(2)}, n = ${t.result.n})`);
  return { alpha, tests, untested, descriptive, levels: levelSummaries(runs), holds: tests.length > 0 && untested.length === 0 && tests.every((t) => t.holds), findings };
}

/** Read a JSONL file of run summaries (or full run records; only `type: 'run'` lines are used). */
export function readRunSummaries(file: string | URL): RunSummary[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RunSummary & { type?: string })
    .filter((r) => r.type === undefined || r.type === 'run');
}


/**
 * The BN + skip comparison as two ordered groups: [|min cos| of BN + skip, |min cos| of `other`],
 * pooled over the depths both variants share (levels 0 and 1). Pooling is valid for a one-sided
 * rank test when every shared depth has runs of both variants: under the null (same law within
 * each depth) the pooled groups are mixtures with the same depth weights when the run counts per
 * depth match, as they do in a sweep (the same seeds for every variant).
 */
export function bnSkipGroups(runs: readonly RunSummary[], other: Variant): Section7Groups & { depths: number[] } {
  const excluded: string[] = [];
  const depths = levelsOf(runs).filter((lv) => runs.some((r) => r.level === lv && r.variant === 'bn+skip') && runs.some((r) => r.level === lv && r.variant === other));
  const vals = (v: Variant) => runs.filter((r) => r.variant === v && depths.includes(r.level)).flatMap((r) => {
    const c = confusionOf(r);
    if (c === null) { excluded.push(r.key); return []; }
    return [c];
  });
  return { levels: [0, 1], groups: [vals('bn+skip'), vals(other)], excluded, depths };
}
