/**
 * Section 7 (experiments) — ../shared/paper/THEOREMS.md: trained with He init and plain SGD,
 * wider networks converge faster and have lower gradient confusion; deeper networks converge
 * slower and have higher confusion; BN alone or skip alone still degrades with depth; BN together
 * with skip connections keeps confusion low at large depth (better than either alone). Confusion is
 * measured as in the paper: at the end of an epoch, the cosine similarity of the gradients of
 * pairs of minibatches; the minimum over the pairs is the confusion proxy.
 *
 * Every claim is an empirical trend (kind 'trend'): a one-sided Jonckheere–Terpstra test on
 * end-of-training values across ordered groups, all regimes of all claims in one Holm family per
 * direction at family-wise level ALPHA = 0.05 (theorems/define.ts, src/claims/evaluate.ts).
 * "Closer to 0" is read literally: the confusion statistic is |final min cosine|. A diverged run
 * has training loss +∞ (worst) and no cosine (left out of the confusion groups and counted). A
 * regime where no run has a negative minimum cosine has no confusion and gets no verdict.
 * BN + skip vs BN (and vs skip) are two ordered groups pooled over the depths both variants share
 * (src/train/section-7-analysis.ts `bnSkipGroups`). The groups come from
 * src/train/section-7-analysis.ts, which also prints the stand-alone tests of `gradconf sweep`.
 *
 * Budgets: 'test' and 'quick' re-test the committed end-of-training values of the small-scale
 * MNIST width, depth and bn-skip sweeps (theorems/section-7.small-mnist.jsonl), because even the
 * smallest informative sweep takes minutes; 'full' trains those sweeps now (~25 minutes on two
 * cores) and tests them. The training pipeline itself is covered by src/train's tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { regimeHasConfusion } from '../src/claims/confusion.ts';
import type { ClaimContext, Statement, TrendClaim, TrendRegime, TrendStudy } from '../src/claims/claim.ts';
import { bnSkipGroups, levelSummaries, readRunSummaries, section7Groups, type LevelSummary, type RunSummary } from '../src/train/section-7-analysis.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { sweepConfig, type SweepKind, type Variant } from '../src/train/plan.ts';
import { defineTheorem } from './define.ts';

/** The claim as data (DESIGN.md, "A theorem file"): the paper's Section 7 trends. */
export const statement: Statement = {
  id: 'section-7',
  title: 'Section 7: in training, width lowers and depth raises gradient confusion; BN + skip keeps it low at depth',
  wording: 'Deeper -> slower convergence and higher confusion (min cosine of minibatch-gradient pairs further below 0); wider -> faster convergence and lower confusion; BN alone or skip alone helps but degrades with depth; BN + skip together keep confusion low at large depth.',
  hypotheses: ['He init, plain SGD (no momentum, no weight decay), batch 128, step LR decay, tuned initial rate', 'probe: pairs of disjoint minibatches, batch norm on each minibatch'],
  bound: 'one-sided Jonckheere–Terpstra per claim and regime, Holm over the regimes of this result, α = 0.05',
  version: 'ICML 2020 (final), Section 7 (figures only: the trends are tested, not values)',
  confidence: 'sure (protocol)',
};

/** Family-wise false-alarm rate of the trend tests (each direction its own Holm family). */
export const ALPHA = 0.05;

/** The committed end-of-training values of the small-scale MNIST sweeps ('test' and 'quick' budgets). */
export const COMMITTED_RESULTS = new URL('./section-7.small-mnist.jsonl', import.meta.url);

/** What a claim's sample is: the runs of the sweeps, and where they come from. */
export interface Section7Sample { runs: RunSummary[]; source: string; sweepMs?: Record<string, number> }

/** A budget: re-test the committed results or train the sweeps now. */
type Source = 'committed' | 'train';

async function trainSweeps(ctx: ClaimContext): Promise<Section7Sample> {
  const { runSweep } = await import('../src/train/sweep.ts');
  const dir = mkdtempSync(join(tmpdir(), 'gradconf-section-7-'));
  const runs: RunSummary[] = [];
  const sweepMs: Record<string, number> = {};
  try {
    const kinds: SweepKind[] = ['width', 'depth', 'bn-skip'];
    for (const [i, kind] of kinds.entries()) {
      const cfg = sweepConfig(kind, 'mnist', 'small', { firstSeed: ctx.seed });
      const out = await runSweep(cfg, { outDir: join(dir, kind), progress: { label: `section-7 ${kind}` } });
      sweepMs[kind] = Math.round(out.ms);
      runs.push(...out.runs);
      ctx.progress?.(i + 1, kinds.length);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { runs, sweepMs, source: `trained now: gradconf sweep width|depth|bn-skip --dataset mnist --scale small --seed ${ctx.seed} (backend ${tf.getBackend()})` };
}

/** The runs every claim tests (shared by the claims of one run). */
export function sampleRuns(ctx: ClaimContext, source: Source): Promise<Section7Sample> {
  return ctx.memo(`runs:${source}`, async () => (source === 'train' ? trainSweeps(ctx) : {
    runs: readRunSummaries(COMMITTED_RESULTS),
    source: 'committed end-of-training values of the small-scale MNIST sweeps (theorems/section-7.small-mnist.jsonl); --full retrains them',
  }));
}

const BUDGETS = { test: 'committed', quick: 'committed', full: 'train' } as const;

/** Confusion measures of runs for `regimeHasConfusion`: η proxy = max(0, −min cos). */
const confusionMeasures = (runs: readonly RunSummary[]) => runs.filter((r) => !r.diverged && r.final.minCosine !== null)
  .map((r) => ({ eta: Math.max(0, -r.final.minCosine!), minCos: r.final.minCosine }));

/** One regime of `runs` grouped by level, for the loss or the confusion statistic. */
function regimeOf(label: string, runs: readonly RunSummary[], what: 'loss' | 'confusion'): TrendRegime {
  const g = section7Groups(runs, what);
  return {
    label, levels: g.levels, groups: g.groups,
    // the loss trend needs no confusion; the confusion trend needs some negative minimum cosine
    confusion: what === 'loss' ? g.groups.flat().length > 0 : regimeHasConfusion([confusionMeasures(runs)]),
    details: { runs: runs.length, excluded: g.excluded, diverged: runs.filter((r) => r.diverged).length },
  };
}

/** A claim's study; its details carry the data's source and the per-level medians of the runs it used (the report's figures). */
const study = (measure: string, regimes: TrendRegime[], s: Section7Sample, runs: readonly RunSummary[]): TrendStudy => ({
  measure, regimes, instances: regimes.reduce((n, r) => n + r.groups.flat().length, 0),
  details: { source: s.source, levels: levelSummaries([...runs]), ...(s.sweepMs ? { sweepMs: s.sweepMs } : {}) },
});

/** A single-sweep trend claim. */
function sweepClaim(id: string, statementText: string, sweep: SweepKind, what: 'loss' | 'confusion', direction: 'increasing' | 'decreasing'): TrendClaim<Source, Section7Sample> {
  return {
    id, kind: 'trend', direction, source: 'paper', statement: statementText, budgets: BUDGETS,
    sample: (ctx, src) => sampleRuns(ctx, src),
    analyze: (s) => {
      const runs = s.runs.filter((r) => r.sweep === sweep);
      return study(what === 'loss' ? 'final training loss' : '|final min cosine|', runs.length ? [regimeOf(`${sweep} sweep (MNIST, small)`, runs, what)] : [], s, runs);
    },
  };
}

/** Trend: wider → lower final training loss. */
export const widthLossClaim = sweepClaim('width-loss', 'wider -> lower final training loss (width sweep)', 'width', 'loss', 'decreasing');
/** Trend: wider → |final min cosine| closer to 0. */
export const widthConfusionClaim = sweepClaim('width-confusion', 'wider -> final min cosine closer to 0 (width sweep)', 'width', 'confusion', 'decreasing');
/** Trend: deeper → higher final training loss. */
export const depthLossClaim = sweepClaim('depth-loss', 'deeper -> higher final training loss (depth sweep)', 'depth', 'loss', 'increasing');
/** Trend: deeper → |final min cosine| further from 0. */
export const depthConfusionClaim = sweepClaim('depth-confusion', 'deeper -> final min cosine further from 0 (depth sweep)', 'depth', 'confusion', 'increasing');

/** Trend: BN alone and skip alone still degrade with depth (|min cos| rises with depth), and so does the plain net. */
export const variantDepthClaim: TrendClaim<Source, Section7Sample> = {
  id: 'depth-confusion-by-variant', kind: 'trend', direction: 'increasing', source: 'paper', budgets: BUDGETS,
  statement: 'without BN + skip, deeper -> final min cosine further from 0: in the plain, BN-only and skip-only nets of the bn-skip sweep',
  sample: (ctx, src) => sampleRuns(ctx, src),
  analyze: (s) => {
    const runs = s.runs.filter((r) => r.sweep === 'bn-skip');
    const variants: Variant[] = ['plain', 'bn', 'skip'];
    return study('|final min cosine|', variants.filter((v) => runs.some((r) => r.variant === v)).map((v) => regimeOf(`bn-skip sweep, ${v}`, runs.filter((r) => r.variant === v), 'confusion')), s, runs);
  },
};

/** Trend: BN + skip keeps |min cos| below that of `other` (pooled over shared depths: level 0 = BN + skip, 1 = other). */
function bnSkipClaim(id: string, other: Variant): TrendClaim<Source, Section7Sample> {
  return {
    id, kind: 'trend', direction: 'increasing', source: 'paper', budgets: BUDGETS,
    statement: `BN + skip keeps the final min cosine closer to 0 than ${other} alone (level 0 = BN + skip, level 1 = ${other}; pooled over the depths both have)`,
    sample: (ctx, src) => sampleRuns(ctx, src),
    analyze: (s) => {
      const runs = s.runs.filter((r) => r.sweep === 'bn-skip' && (r.variant === 'bn+skip' || r.variant === other));
      const g = bnSkipGroups(runs, other);
      if (g.depths.length === 0) return study('|final min cosine|', [], s, runs);
      const shared = runs.filter((r) => g.depths.includes(r.level));
      return study('|final min cosine|', [{
        label: `bn+skip vs ${other}, depths ${g.depths.join(', ')}`, levels: g.levels, groups: g.groups,
        confusion: regimeHasConfusion([confusionMeasures(shared)]), details: { depths: g.depths, excluded: g.excluded },
      }], s, runs);
    },
  };
}

/** Trend: BN + skip closer to 0 than BN alone. */
export const bnSkipVsBnClaim = bnSkipClaim('bnskip-vs-bn', 'bn');
/** Trend: BN + skip closer to 0 than skip alone. */
export const bnSkipVsSkipClaim = bnSkipClaim('bnskip-vs-skip', 'skip');

/** The report's figures: median |final min cosine| per level of each sweep (one series per variant). */
export function section7Figures(levels: readonly LevelSummary[]): FigureData[] {
  const sweeps: SweepKind[] = ['width', 'depth', 'bn-skip'];
  return sweeps.filter((k) => levels.some((l) => l.sweep === k)).map((k) => {
    const ls = levels.filter((l) => l.sweep === k && l.minCosine !== null);
    const variants = [...new Set(ls.map((l) => l.variant))];
    return {
      id: `${k}-min-cosine`, title: `Section 7 ${k} sweep: median final minimum cosine`,
      caption: k === 'width' ? 'Closer to 0 as the width grows is the paper\'s claim.' : 'Further below 0 as the depth grows is the paper\'s claim (BN + skip: stays near 0).',
      x: { title: k === 'width' ? 'width' : 'depth', integer: true, scale: k === 'width' ? 'log' : 'linear' },
      y: { title: 'median final minimum cosine' },
      series: variants.map((v) => ({ name: v, mark: 'line' as const, points: ls.filter((l) => l.variant === v).map((l) => [l.level, l.minCosine!] as [number, number]) })),
    };
  });
}

/** Section 7: statement and claims; details carry the per-level medians (the report's figures) and the data's source. */
export const theorem = defineTheorem({
  statement, alpha: ALPHA,
  claims: [widthLossClaim, widthConfusionClaim, depthLossClaim, depthConfusionClaim, variantDepthClaim, bnSkipVsBnClaim, bnSkipVsSkipClaim],
  figures: (claims) => {
    // per-level medians of every sweep and variant the claims used (what src/report/figures.ts reads), deduplicated
    const levels = new Map<string, LevelSummary>();
    let source: unknown;
    for (const c of claims) {
      const d = c.details as { levels?: LevelSummary[]; source?: unknown } | undefined;
      source ??= d?.source;
      for (const l of d?.levels ?? []) levels.set(`${l.sweep}|${l.variant}|${l.level}`, l);
    }
    const all = [...levels.values()].sort((a, b) => (a.sweep + a.variant).localeCompare(b.sweep + b.variant) || a.level - b.level);
    return { source, levels: all, figures: section7Figures(all) };
  },
});
