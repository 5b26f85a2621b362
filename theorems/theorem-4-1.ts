/**
 * Theorem 4.1 (THEOREMS.md) — Gaussian initialization (Strategy 4.1: W_0 ~ N(0, 1/d),
 * W_p ~ N(0, 1/(κ l_{p−1}))): width lowers and depth raises gradient confusion.
 *   1. any data with ‖x_i‖ ≤ 1, η > 4: P(bound η holds) ≥ 1 − β e^{−c₁κ²l²} − N² exp(−c l² β (η−4)² / (64 ζ₀⁴ (β+2)⁴));
 *   2. sphere data, η > 0: ≥ 1 − β e^{−c₁κ²l²} − N² exp(−c₂ (l d + l² β) η² / (16 ζ₀⁴ (β+2)⁴))
 *      (the ICLR submission had d in place of l d + l² β); ζ₀ = 2√β.
 * What is certain: at fixed depth more width lowers confusion, at fixed width more depth raises it.
 *
 * Claims. Trend (one kind each): width lowers / depth raises confusion, each for the raw
 * η = max(0, −min_{i≠j} G_ij) and for the normalized confusion −min cosine (THEOREMS.md's caution:
 * the raw form may hold only in a regime). A grid of regimes (κ, activation tanh/sigmoid/ReLU,
 * square/logistic loss; d = 32, N = 8) with width 16…128 at depth 2 and depth 1…8 at width 64; in
 * every regime a one-sided Jonckheere–Terpstra test, all regimes of the four trend claims in one
 * Holm family per direction at family-wise α = ALPHA (theorems/define.ts). A regime without
 * confusion (η = 0 in every trial or in most of them, every minimum cosine > 0 — the sigmoid
 * regimes, whose gradients nearly all point the same way; see `sweepRegime`) gets "no confusion
 * in this regime", not a verdict. Trial seeds
 * are trialSeed(seed, config, i) (src/pool/trial.ts): each regime's details say what to replay.
 * Exact (derived): no measure is NaN or infinite — zero gradients (dead ReLUs) are counted and left
 * out of the cosines.
 *
 * Functional forms (details of the exact claim, no verdict): for tanh, κ = 1, square loss, the
 * tail rate of every configuration (widths, depths, d ∈ {8,…,128}, N ∈ {4, 16}) is compared with
 * the ICLR form (d) and the final form (l d + l² β), both over 16 ζ₀⁴ (β+2)⁴ (src/stats/tail.ts
 * compareForms), for raw and normalized confusion, plus the bound constant ĉ of each form. The c₁
 * term is dropped (c₁ = ∞), which makes ĉ a conservative (low) estimate of c₂. `gradconf tighten
 * theorem-4-1` searches configurations for the largest c₂ the data allow (the tightener below).
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { configKey, type TrialConfig, type TrialResult } from '../src/pool/trial.ts';
import { runConfigs } from '../src/pool/run-configs.ts';
import { withPool, type TrialPool } from '../src/pool/pool.ts';
import { formatTighten, tightenSearch, type TightenSpec } from '../src/pool/tighten-search.ts';
import { median } from '../src/stats/trend.ts';
import { compareForms, estimateTailConstant, logTailRate, tailCells, type FormPoint } from '../src/stats/tail.ts';
import { regimeHasConfusion } from '../src/claims/confusion.ts';
import type { Budget, ClaimContext, ClaimResult, ExactClaim, Statement, TrendClaim, TrendRegime, TrendStudy } from '../src/claims/claim.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { defineTheorem } from './define.ts';
import type { Tightener, TightenOptions } from './tighten.ts';

/** The result as data. */
export const statement: Statement = {
  id: 'theorem-4-1',
  title: 'Theorem 4.1: Gaussian init (Strategy 4.1) — width lowers, depth raises gradient confusion',
  wording: 'Strategy 4.1 weights, sphere data, η > 0: P(bound η holds) ≥ 1 − β exp(−c₁ κ² l²) − N² exp(−c₂ (l d + l² β) η² / (16 ζ₀⁴ (β+2)⁴)).',
  hypotheses: ['W_0 ~ N(0, 1/d), W_p ~ N(0, 1/(κ l_{p−1}))', 'x_i uniform on S^{d−1} (part 2) or ‖x_i‖ ≤ 1 (part 1, η > 4)', '|C(x)| ≤ 1, ‖∇C‖ ≤ 1', 'square or logistic loss'],
  bound: 'N^2 * exp(-c2 * (l * d + l^2 * beta) * eta^2 / (16 * zeta0^4 * (beta + 2)^4))',
  version: 'ICML 2020 (final), Theorem 4.1 [medium]; ICLR-submission form (d instead of l d + l² β) compared',
  confidence: 'medium',
};

/** Family-wise false-alarm rate of the trend tests (each direction its own Holm family). */
export const ALPHA = 0.05;

/** ζ₀ ≤ 2√β for square and logistic loss (THEOREMS.md, Section 4): the value used in the forms. */
export const zeta0 = (beta: number): number => 2 * Math.sqrt(beta);

/** Strategy 4.1 trial configuration. */
export function gaussianConfig(d: number, width: number, depth: number, n: number, kappa: number, activation: TrialConfig['activation'], loss: TrialConfig['loss']): TrialConfig {
  return { d, n, width, depth, activation, loss, init: { name: 'gaussian', kappa } };
}

/** A regime: everything fixed but the varied factor. */
export interface Regime { kappa: number; activation: TrialConfig['activation']; loss: TrialConfig['loss'] }

/** Input dimension d of the trend study. */
export const D = 32;
/** Number of examples N of every configuration. */
export const N = 8;
/** Width levels of the width sweep (at depth WIDTH_DEPTH). */
export const WIDTHS = [16, 32, 64, 128];
/** Depth of the width sweep. */
export const WIDTH_DEPTH = 2;
/** Depth levels of the depth sweep (at width DEPTH_WIDTH). */
export const DEPTHS = [1, 2, 4, 8];
/** Width of the depth sweep. */
export const DEPTH_WIDTH = 64;
/** Input dimensions of the functional-form study (width 64, depth 2, tanh, κ = 1, square loss). */
export const DS = [8, 16, 32, 64, 128];
/** Numbers of examples of the functional-form study (d = 32, width 64, depth 2): the N² prefactor. */
export const NS = [4, 16];

/** The regimes of a budget ('test': tanh κ ∈ {1, 4}, sigmoid and ReLU at κ = 1, square loss). */
export function regimes(budget: Budget): Regime[] {
  const acts: TrialConfig['activation'][] = ['tanh', 'sigmoid', 'relu'];
  if (budget === 'full') return acts.flatMap((activation) => [0.5, 1, 2, 4].flatMap((kappa) => (['mse', 'logistic'] as const).map((loss) => ({ kappa, activation, loss }))));
  if (budget === 'test') return [{ kappa: 1, activation: 'tanh', loss: 'mse' }, { kappa: 4, activation: 'tanh', loss: 'mse' }, { kappa: 1, activation: 'sigmoid', loss: 'mse' }, { kappa: 1, activation: 'relu', loss: 'mse' }];
  return [...acts.flatMap((activation) => [1, 4].map((kappa) => ({ kappa, activation, loss: 'mse' as const }))), { kappa: 1, activation: 'tanh', loss: 'logistic' }];
}

/** Trials per configuration of a budget. */
export const TRIALS: Record<Budget, number> = { test: 32, quick: 96, full: 200 };

/** The width-sweep configurations of a regime (depth WIDTH_DEPTH). */
export const widthConfigs = (r: Regime): TrialConfig[] => WIDTHS.map((w) => gaussianConfig(D, w, WIDTH_DEPTH, N, r.kappa, r.activation, r.loss));
/** The depth-sweep configurations of a regime (width DEPTH_WIDTH). */
export const depthConfigs = (r: Regime): TrialConfig[] => DEPTHS.map((b) => gaussianConfig(D, DEPTH_WIDTH, b, N, r.kappa, r.activation, r.loss));
/** The configurations of the functional-form study (tanh, κ = 1, square loss). */
export const formConfigs = (): TrialConfig[] => {
  const base: Regime = { kappa: 1, activation: 'tanh', loss: 'mse' };
  const all = [...widthConfigs(base), ...depthConfigs(base), ...DS.map((d) => gaussianConfig(d, DEPTH_WIDTH, WIDTH_DEPTH, N, 1, 'tanh', 'mse')), ...NS.map((n) => gaussianConfig(D, DEPTH_WIDTH, WIDTH_DEPTH, n, 1, 'tanh', 'mse'))];
  return [...new Map(all.map((c) => [configKey(c), c])).values()];
};

/**
 * The raw and normalized measures of a trial (confusion: larger = more confused). The normalized
 * one is undefined (null) when fewer than two gradients are non-zero; such trials are left out of
 * that measure's groups and counted (`excluded`).
 */
export const MEASURES = {
  raw: { name: 'raw η', of: (r: TrialResult): number | null => r.eta },
  normalized: { name: 'normalized (−min cosine)', of: (r: TrialResult): number | null => (r.minCos === null ? null : -r.minCos) },
};

/** The defined values of a measure over trials. */
export const valuesOf = (rs: readonly TrialResult[], of: (r: TrialResult) => number | null): number[] => rs.map(of).filter((v): v is number => v !== null);

export { runConfigs } from '../src/pool/run-configs.ts';

/** The Monte-Carlo study every claim reads: trials per configuration key. */
export interface Study41 {
  seed: number;
  trials: number;
  regimes: Regime[];
  /** configKey → trials. */
  results: Map<string, TrialResult[]>;
}

/** Run the study of a budget on a pool (the regimes' sweeps and the form configurations). */
export async function runStudy(pool: TrialPool, seed: number, trials: number, rs: readonly Regime[], progress?: (done: number, total: number) => void): Promise<Study41> {
  const all = [...rs.flatMap(widthConfigs), ...rs.flatMap(depthConfigs), ...formConfigs()];
  return { seed, trials, regimes: [...rs], results: await runConfigs(pool, all, seed, trials, progress) };
}

/** Budget of every claim: trials per configuration and the regimes' budget. */
export interface Budget41 { trials: number; regimes: Budget }
const BUDGETS: Record<Budget, Budget41> = { test: { trials: TRIALS.test, regimes: 'test' }, quick: { trials: TRIALS.quick, regimes: 'quick' }, full: { trials: TRIALS.full, regimes: 'full' } };

const study = (ctx: ClaimContext, b: Budget41): Promise<Study41> =>
  ctx.memo(`study:${b.trials}:${b.regimes}`, () => withPool({}, (pool) => runStudy(pool, ctx.seed, b.trials, regimes(b.regimes), ctx.progress)));

const regimeLabel = (r: Regime) => `${r.activation}, κ = ${r.kappa}, ${r.loss}`;

/**
 * One regime of a sweep for one measure (groups by level, the no-confusion check, what to replay).
 * No confusion: `regimeHasConfusion` (η = 0 in every trial, or every min cosine > 0), or fewer than
 * half of the regime's trials confused (η > 0). The second case is the sigmoid at init: the
 * output unit's gradient dominates every per-example gradient, so cos(∇f_i, ∇f_j) ≈ sign(r_i r_j);
 * in most trials every residual has the same sign (min cosine ≈ +0.998, η = 0), in a few two
 * residuals differ in sign (min cosine ≈ −0.999) — a label-sign event, not a level of confusion
 * that width or depth could move, and a trend over mostly tied zeros would test its frequency.
 */
export function sweepRegime(s: Study41, r: Regime, sweep: 'width' | 'depth', measure: keyof typeof MEASURES): TrendRegime {
  const cfgs = sweep === 'width' ? widthConfigs(r) : depthConfigs(r);
  const trials = cfgs.map((c) => s.results.get(configKey(c)) ?? []);
  const of = MEASURES[measure].of;
  const groups = trials.map((t) => valuesOf(t, of));
  const all = trials.flat();
  const confused = all.filter((x) => x.eta > 0 && x.minCos !== null && x.minCos <= 0).length;
  return {
    label: regimeLabel(r), levels: sweep === 'width' ? [...WIDTHS] : [...DEPTHS], groups,
    confusion: regimeHasConfusion(trials.map((t) => t.map((x) => ({ eta: x.eta, minCos: x.minCos })))) && confused >= 0.5 * all.length,
    details: {
      regime: r, medians: groups.map((g) => median(g)), confusedTrials: confused, trials: all.length,
      zeroGradientTrials: trials.reduce((a, t) => a + t.filter((x) => x.zeroGrads > 0).length, 0),
      excluded: trials.reduce((a, t) => a + t.filter((x) => of(x) === null).length, 0),
      maxMinCosine: Math.max(...trials.flat().map((x) => x.minCos ?? -Infinity)),
      replay: { seed: s.seed, trialsPerGroup: s.trials, configs: cfgs },
    },
  };
}

function sweepClaim(id: string, text: string, sweep: 'width' | 'depth', measure: keyof typeof MEASURES, direction: 'increasing' | 'decreasing'): TrendClaim<Budget41, Study41> {
  return {
    id, kind: 'trend', direction, source: 'paper', statement: text, budgets: BUDGETS,
    sample: (ctx, b) => study(ctx, b),
    analyze: (s): TrendStudy => ({
      measure: MEASURES[measure].name, instances: s.regimes.length * 4 * s.trials,
      regimes: s.regimes.map((r) => sweepRegime(s, r, sweep, measure)),
    }),
  };
}

/** Trend: more width lowers raw η (depth 2). */
export const widthRawClaim = sweepClaim('width-lowers-raw-eta', `at depth ${WIDTH_DEPTH}, more width lowers the raw confusion η (widths ${WIDTHS.join(', ')})`, 'width', 'raw', 'decreasing');
/** Trend: more width lowers −min cosine. */
export const widthNormalizedClaim = sweepClaim('width-lowers-normalized', `at depth ${WIDTH_DEPTH}, more width lowers the normalized confusion −min cosine`, 'width', 'normalized', 'decreasing');
/** Trend: more depth raises raw η (width 64). */
export const depthRawClaim = sweepClaim('depth-raises-raw-eta', `at width ${DEPTH_WIDTH}, more depth raises the raw confusion η (depths ${DEPTHS.join(', ')})`, 'depth', 'raw', 'increasing');
/** Trend: more depth raises −min cosine. */
export const depthNormalizedClaim = sweepClaim('depth-raises-normalized', `at width ${DEPTH_WIDTH}, more depth raises the normalized confusion −min cosine`, 'depth', 'normalized', 'increasing');

/** The functional forms and constants (tanh, κ = 1, square loss): data, no verdict. */
export function formsOf(s: Study41) {
  const cfgs = formConfigs();
  const get = (c: TrialConfig) => s.results.get(configKey(c)) ?? [];
  const K = (b: number) => Math.log(16 * zeta0(b) ** 4 * (b + 2) ** 4);
  const FORMS = ['ICLR: d/(16ζ₀⁴(β+2)⁴)', 'final: (l d + l² β)/(16ζ₀⁴(β+2)⁴)'];
  const kTail = Math.max(1, Math.round(s.trials / 10));
  return Object.values(MEASURES).map((m) => {
    const points: FormPoint[] = [];
    for (const c of cfgs) {
      const lr = logTailRate(valuesOf(get(c), m.of), kTail, 2 * Math.log(c.n), (e) => e * e);
      if (lr === null) continue;
      points.push({ logRate: lr, covariates: { 'ln l': Math.log(c.width), 'ln d': Math.log(c.d), 'ln β': Math.log(c.depth), 'ln N': Math.log(c.n) }, offsets: { [FORMS[0]!]: Math.log(c.d) - K(c.depth), [FORMS[1]!]: Math.log(c.width * c.d + c.width ** 2 * c.depth) - K(c.depth) } });
    }
    let comparison: unknown;
    try { comparison = compareForms(points, FORMS, ['ln l', 'ln d', 'ln β', 'ln N']); } catch (e) { comparison = { error: (e as Error).message }; }
    const constants = [
      { form: FORMS[0]!, cell: (c: TrialConfig, e: number) => ({ x: (c.d * e * e) / Math.exp(K(c.depth)), logA: 2 * Math.log(c.n) }) },
      { form: FORMS[1]!, cell: (c: TrialConfig, e: number) => ({ x: ((c.width * c.d + c.width ** 2 * c.depth) * e * e) / Math.exp(K(c.depth)), logA: 2 * Math.log(c.n) }) },
      { form: 'part 1: l² β (η−4)²/(64ζ₀⁴(β+2)⁴), η > 4', cell: (c: TrialConfig, e: number) => (e > 4 ? { x: (c.width ** 2 * c.depth * (e - 4) ** 2) / (64 * zeta0(c.depth) ** 4 * (c.depth + 2) ** 4), logA: 2 * Math.log(c.n) } : null) },
    ].map((f) => {
      const est = estimateTailConstant(cfgs.flatMap((c, i) => tailCells(valuesOf(get(c), m.of), (e) => f.cell(c, e), i)));
      return { form: f.form, cHat: est.cHat, ci: est.ci, cPoint: est.cPoint, cells: est.cells, worst: est.worst ? { config: cfgs[est.worst.config], e: est.worst.e, k: est.worst.k, n: est.worst.n } : null };
    });
    return { measure: m.name, comparison, constants, tailLevel: kTail / s.trials };
  });
}

/** Exact (derived): no measure of any trial is NaN or infinite. */
export const finiteClaim: ExactClaim<Budget41> = {
  id: 'measures-finite', kind: 'exact', source: 'derived', budgets: BUDGETS,
  statement: 'no measure (η, min off-diagonal, max |G|, max diagonal, min and mean cosine) is NaN or infinite; zero gradients are counted and left out of the cosines',
  async check(ctx, b) {
    const s = await study(ctx, b);
    let nonFinite = 0;
    let zeroTrials = 0;
    let first: TrialResult | undefined;
    let n = 0;
    for (const rs of s.results.values()) for (const r of rs) {
      n++;
      const vals = [r.eta, r.minOffDiag, r.maxAbsG, r.maxDiag, r.minCos ?? 0, r.meanCos ?? 0];
      if (vals.some((v) => !Number.isFinite(v))) { nonFinite++; first ??= r; }
      if (r.zeroGrads > 0) zeroTrials++;
    }
    return {
      holds: nonFinite === 0, instances: n,
      details: { backend: tf.getBackend(), configurations: s.results.size, trialsWithZeroGradients: zeroTrials, nonFiniteTrials: nonFinite, forms: formsOf(s),
        note: 'the c₁ term β exp(−c₁κ²l²) is dropped (c₁ = ∞): constants ĉ are conservative estimates of c₂' },
      ...(first ? { counterexample: first } : {}),
    };
  },
};

/**
 * The report's figures: median confusion against width (depth) per regime, one line per regime
 * (its verdict in the legend), integer ticks, log x for width, log y where the medians span more
 * than a decade (then medians ≤ 0 — η = 0 in the no-confusion regimes — are left out).
 */
export function theorem41Figures(claims: readonly ClaimResult[]): FigureData[] {
  return claims.flatMap((c) => {
    if (c.kind !== 'trend') return [];
    const width = c.id.startsWith('width');
    const raw = c.id.endsWith('raw-eta');
    const series = c.regimes.map((g) => {
      const med = ((g.details as { medians?: number[] } | undefined)?.medians ?? []).map((m) => (raw ? m : -m));
      return { name: `${g.label} (${g.verdict})`, mark: 'line' as const, points: g.levels.map((l, k) => [l, med[k]!] as [number, number]).filter((p) => Number.isFinite(p[1])) };
    });
    const pos = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
    const log = raw && pos.length > 0 && Math.max(...pos) / Math.min(...pos) > 10;
    return [{
      id: c.id, title: `Theorem 4.1: ${raw ? 'median raw η' : 'median minimum pairwise cosine'} vs ${width ? 'width l' : 'depth β'}`,
      caption: `${c.statement}. One line per regime, verdict in the legend${log ? '; log scale: regimes with median η = 0 have no confusion and are not drawn' : ''}.`,
      x: { title: width ? 'width l' : 'depth β', integer: true, ...(width ? { scale: 'log' as const } : {}) },
      y: { title: raw ? 'median raw η' : 'median minimum cosine', ...(log ? { scale: 'log' as const } : {}) },
      series: log ? series.map((s) => ({ ...s, points: s.points.filter((p) => p[1] > 0) })) : series,
    }];
  });
}

/** A configuration searched by the tightener. */
export interface SearchConfig { d: number; width: number; depth: number; n: number; kappa: number; activation: 'tanh' | 'sigmoid' | 'relu'; loss: 'mse' | 'logistic' }

const K16 = (b: number) => 16 * zeta0(b) ** 4 * (b + 2) ** 4;

/** Tightening search of Theorem 4.1's c₂ (final form), with the ICLR form and part 1 alongside. */
export const tightenSpec: TightenSpec<SearchConfig> = {
  theorem: statement.id,
  arbitrary: fc.record({
    d: fc.integer({ min: 2, max: 64 }),
    width: fc.integer({ min: 4, max: 96 }),
    depth: fc.integer({ min: 1, max: 6 }),
    n: fc.integer({ min: 2, max: 16 }),
    kappa: fc.constantFrom(1, 2, 4, 0.5),
    activation: fc.constantFrom<'tanh' | 'sigmoid' | 'relu'>('tanh', 'sigmoid', 'relu'),
    loss: fc.constantFrom<'mse' | 'logistic'>('mse', 'logistic'),
  }),
  trial: (c) => gaussianConfig(c.d, c.width, c.depth, c.n, c.kappa, c.activation, c.loss),
  measure: (r) => r.eta,
  measureName: 'η (raw confusion)',
  forms: [
    { name: 'final: N² exp(−c₂ (l d + l² β) η² / (16 ζ₀⁴ (β+2)⁴))', cell: (c, e) => ({ x: ((c.width * c.d + c.width ** 2 * c.depth) * e * e) / K16(c.depth), logA: 2 * Math.log(c.n) }) },
    { name: 'ICLR: N² exp(−c d η² / (16 ζ₀⁴ (β+2)⁴))', cell: (c, e) => ({ x: (c.d * e * e) / K16(c.depth), logA: 2 * Math.log(c.n) }) },
    { name: 'part 1 (any data, η > 4): N² exp(−c l² β (η−4)² / (64 ζ₀⁴ (β+2)⁴))', cell: (c, e) => (e > 4 ? { x: (c.width ** 2 * c.depth * (e - 4) ** 2) / (4 * K16(c.depth)), logA: 2 * Math.log(c.n) } : null) },
  ],
  trialsPerConfig: 64,
  note: 'the c₁ term β exp(−c₁κ²l²) is dropped (c₁ = ∞), so ĉ is a conservative (low) estimate of c₂; part 1 only constrains c where η > 4 occurs',
};

/** `gradconf tighten theorem-4-1`: Theorem 4.1's c₂ (final form), with the ICLR form and part 1. */
const tightener: Tightener = {
  id: statement.id,
  description: 'estimate Theorem 4.1\'s c₂ (final form; ICLR form and part 1 alongside) under Strategy 4.1 (budget = configurations, 64 trials each)',
  defaultBudget: 24,
  run: (o: TightenOptions) => tightenSearch(tightenSpec, o),
  format: formatTighten,
};

/** Theorem 4.1: statement, claims, figures, tightener. */
export const theorem = defineTheorem({
  statement, alpha: ALPHA,
  claims: [finiteClaim, widthRawClaim, widthNormalizedClaim, depthRawClaim, depthNormalizedClaim],
  figures: (claims) => {
    const exact = claims.find((c) => c.id === 'measures-finite');
    const forms = exact && exact.kind === 'exact' ? (exact.details as { forms?: unknown } | undefined)?.forms : undefined;
    return { ...(forms ? { forms } : {}), figures: theorem41Figures(claims) };
  },
  tightener,
});
