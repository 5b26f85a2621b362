/**
 * Theorem 4.1 (THEOREMS.md) — Gaussian initialization (Strategy 4.1: W_0 ~ N(0, 1/d),
 * W_p ~ N(0, 1/(κ l_{p−1}))): width lowers and depth raises gradient confusion.
 *   1. any data with ‖x_i‖ ≤ 1, η > 4: P(bound η holds) ≥ 1 − β e^{−c₁κ²l²} − N² exp(−c l² β (η−4)² / (64 ζ₀⁴ (β+2)⁴));
 *   2. sphere data, η > 0: ≥ 1 − β e^{−c₁κ²l²} − N² exp(−c₂ (l d + l² β) η² / (16 ζ₀⁴ (β+2)⁴))
 *      (the ICLR submission had d in place of l d + l² β); ζ₀ = 2√β.
 * What is certain: at fixed depth more width lowers confusion, at fixed width more depth raises it.
 *
 * The check (kind 'trend'): a grid of regimes (κ, activation tanh/sigmoid/ReLU, square/logistic
 * loss; d = 32, N = 8) with width 16…128 at depth 2 and depth 1…8 at width 64. In every regime,
 * each claim is a one-sided Jonckheere–Terpstra test (src/stats/trend.ts), Holm across the regimes
 * of that claim, family-wise false-alarm rate ALPHA = 0.05 per claim and direction, for BOTH the
 * raw η = max(0, −min_{i≠j} G_ij) and the normalized confusion −min cosine (THEOREMS.md's caution:
 * the raw form may hold only in a regime). Verdicts: 'holds' (claimed direction significant),
 * 'reversed' (opposite direction significant), 'not detected'; every non-'holds' is a finding
 * with a replayable instance (trial seeds trialSeed(seed, config, i), src/pool/trial.ts).
 * Zero gradients (dead ReLUs) are counted and left out of cosines; an exact sub-check asserts that
 * no measure is ever NaN or infinite.
 *
 * Functional forms: for tanh, κ = 1, square loss, the 90%-level tail rate of every configuration
 * (widths, depths, d ∈ {8,…,128} and N ∈ {4, 8, 16}) is compared with the ICLR form (d) and the final form
 * (l d + l² β), both over 16 ζ₀⁴ (β+2)⁴ (src/stats/tail.ts compareForms: fitted constant with a t
 * interval, R², lack-of-fit F test, free exponents), for raw and normalized confusion, plus the
 * bound constant ĉ of each form (largest c not violated at 95%). The c₁ term is dropped (c₁ = ∞),
 * which makes ĉ a conservative (low) estimate of c₂.
 *
 * `holds` = the paper's claims (raw η) hold in every regime tested and no measure is NaN.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { configKey, trialSeed, type TrialConfig, type TrialResult } from '../src/pool/trial.ts';
import { withPool, type TrialPool } from '../src/pool/pool.ts';
import { formatTighten, tightenSearch, type TightenSpec } from '../src/pool/tighten-search.ts';
import { trendFamily, type TrendOutcome } from '../src/stats/trend.ts';
import { compareForms, estimateTailConstant, logTailRate, tailCells, type FormPoint } from '../src/stats/tail.ts';
import { zeta0 } from './theorem-5-1.ts';
import type { Tightener, TightenOptions } from './tighten.ts';
import type { RunOptions, TheoremEntry, TheoremResult } from './verdict.ts';

/** The result as data. */
export const statement = {
  id: 'theorem-4-1',
  title: 'Theorem 4.1: Gaussian init (Strategy 4.1) — width lowers, depth raises gradient confusion',
  wording: 'Strategy 4.1 weights, sphere data, η > 0: P(bound η holds) ≥ 1 − β exp(−c₁ κ² l²) − N² exp(−c₂ (l d + l² β) η² / (16 ζ₀⁴ (β+2)⁴)).',
  hypotheses: ['W_0 ~ N(0, 1/d), W_p ~ N(0, 1/(κ l_{p−1}))', 'x_i uniform on S^{d−1} (part 2) or ‖x_i‖ ≤ 1 (part 1, η > 4)', '|C(x)| ≤ 1, ‖∇C‖ ≤ 1', 'square or logistic loss'],
  bound: 'N^2 * exp(-c2 * (l d + l^2 beta) * eta^2 / (16 zeta0^4 (beta + 2)^4)); ICLR: d instead of l d + l^2 beta',
  version: 'ICML 2020 (final), Theorem 4.1 [medium]; ICLR-submission form compared',
  confidence: 'medium',
  kind: 'trend' as const,
};

/** Family-wise false-alarm rate per claim, measure and direction. */
export const ALPHA = 0.05;

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

/** The regimes of a budget. */
export function regimes(budget: 'quick' | 'full'): Regime[] {
  const acts: TrialConfig['activation'][] = ['tanh', 'sigmoid', 'relu'];
  if (budget === 'full') return acts.flatMap((activation) => [0.5, 1, 2, 4].flatMap((kappa) => (['mse', 'logistic'] as const).map((loss) => ({ kappa, activation, loss }))));
  return [...acts.flatMap((activation) => [1, 4].map((kappa) => ({ kappa, activation, loss: 'mse' as const }))), { kappa: 1, activation: 'tanh', loss: 'logistic' }];
}

/** The width-sweep configurations of a regime (depth WIDTH_DEPTH). */
export const widthConfigs = (r: Regime): TrialConfig[] => WIDTHS.map((w) => gaussianConfig(D, w, WIDTH_DEPTH, N, r.kappa, r.activation, r.loss));
/** The depth-sweep configurations of a regime (width DEPTH_WIDTH). */
export const depthConfigs = (r: Regime): TrialConfig[] => DEPTHS.map((b) => gaussianConfig(D, DEPTH_WIDTH, b, N, r.kappa, r.activation, r.loss));

/**
 * The raw and normalized measures of a trial (confusion: larger = more confused). The normalized
 * one is undefined (null) when fewer than two gradients are non-zero; such trials are left out of
 * that measure's tests and counted (`excluded`).
 */
export const MEASURES: { name: string; of: (r: TrialResult) => number | null }[] = [
  { name: 'raw η', of: (r) => r.eta },
  { name: 'normalized (−min cosine)', of: (r) => (r.minCos === null ? null : -r.minCos) },
];

/** The defined values of a measure over trials. */
export const valuesOf = (rs: readonly TrialResult[], of: (r: TrialResult) => number | null): number[] => rs.map(of).filter((v): v is number => v !== null);

/** Run each distinct configuration once (configurations are keyed by src/pool/trial.ts configKey). */
export async function runConfigs(pool: TrialPool, configs: readonly TrialConfig[], seed: number, trials: number, progress?: (done: number, total: number) => void): Promise<Map<string, TrialResult[]>> {
  const uniq = new Map<string, TrialConfig>();
  for (const c of configs) uniq.set(configKey(c), c);
  const list = [...uniq.values()];
  const res = await pool.run(list.map((c) => ({ config: c, seeds: Array.from({ length: trials }, (_, i) => trialSeed(seed, c, i)) })), progress);
  return new Map(list.map((c, i) => [configKey(c), res[i]!]));
}

/** One claim × measure: outcomes per regime. */
export interface ClaimOutcome {
  claim: 'width lowers confusion' | 'depth raises confusion';
  measure: string;
  regimes: { regime: Regime; levels: number[]; outcome: TrendOutcome; zeroGradientTrials: number; excluded: number; replay: { seed: number; trialsPerGroup: number; configs: TrialConfig[] } }[];
}

/** The whole study (trends, forms, constants) on a pool. */
export async function study(pool: TrialPool, seed: number, trials: number, rs: readonly Regime[], progress?: (done: number, total: number) => void) {
  const base: Regime = { kappa: 1, activation: 'tanh', loss: 'mse' };
  const dCfgs = [...DS.map((d) => gaussianConfig(d, DEPTH_WIDTH, WIDTH_DEPTH, N, 1, 'tanh', 'mse')), ...NS.map((n) => gaussianConfig(D, DEPTH_WIDTH, WIDTH_DEPTH, n, 1, 'tanh', 'mse'))];
  const all = [...rs.flatMap(widthConfigs), ...rs.flatMap(depthConfigs), ...widthConfigs(base), ...depthConfigs(base), ...dCfgs];
  const results = await runConfigs(pool, all, seed, trials, progress);
  const get = (c: TrialConfig) => results.get(configKey(c))!;
  let nonFinite = 0;
  let zeroTrials = 0;
  for (const rsl of results.values()) for (const r of rsl) {
    const vals = [r.eta, r.minOffDiag, r.maxAbsG, r.maxDiag, r.minCos ?? 0, r.meanCos ?? 0];
    if (vals.some((v) => !Number.isFinite(v))) nonFinite++;
    if (r.zeroGrads > 0) zeroTrials++;
  }
  const claims: ClaimOutcome[] = [];
  for (const [claim, cfgOf, levels, dir] of [
    ['width lowers confusion', widthConfigs, WIDTHS, 'decreasing'],
    ['depth raises confusion', depthConfigs, DEPTHS, 'increasing'],
  ] as const) {
    for (const m of MEASURES) {
      const groups = rs.map((r) => cfgOf(r).map((c) => valuesOf(get(c), m.of)));
      const out = trendFamily(groups, dir, ALPHA);
      claims.push({
        claim, measure: m.name,
        regimes: rs.map((r, i) => ({
          regime: r, levels: [...levels], outcome: out[i]!,
          zeroGradientTrials: cfgOf(r).reduce((a, c) => a + get(c).filter((t) => t.zeroGrads > 0).length, 0),
          excluded: cfgOf(r).reduce((a, c) => a + get(c).filter((t) => m.of(t) === null).length, 0),
          replay: { seed, trialsPerGroup: trials, configs: cfgOf(r) },
        })),
      });
    }
  }
  // Functional forms (tanh, κ = 1, square loss): one point per distinct configuration.
  const formCfgs = [...new Map([...widthConfigs(base), ...depthConfigs(base), ...dCfgs].map((c) => [configKey(c), c])).values()];
  const K = (b: number) => Math.log(16 * zeta0(b) ** 4 * (b + 2) ** 4);
  const FORMS = ['ICLR: d/(16ζ₀⁴(β+2)⁴)', 'final: (l d + l² β)/(16ζ₀⁴(β+2)⁴)'];
  const kTail = Math.max(1, Math.round(trials / 10));
  const fits = MEASURES.map((m) => {
    const points: FormPoint[] = [];
    for (const c of formCfgs) {
      const lr = logTailRate(valuesOf(get(c), m.of), kTail, 2 * Math.log(c.n), (e) => e * e);
      if (lr === null) continue;
      points.push({ logRate: lr, covariates: { 'ln l': Math.log(c.width), 'ln d': Math.log(c.d), 'ln β': Math.log(c.depth), 'ln N': Math.log(c.n) }, offsets: { [FORMS[0]!]: Math.log(c.d) - K(c.depth), [FORMS[1]!]: Math.log(c.width * c.d + c.width ** 2 * c.depth) - K(c.depth) } });
    }
    let comparison: unknown;
    try { comparison = compareForms(points, FORMS, ['ln l', 'ln d', 'ln β', 'ln N']); } catch (e) { comparison = { error: (e as Error).message }; }
    // Bound constants ĉ (largest c not violated at 95%) per form, over the same configurations.
    const constants = [
      { form: FORMS[0]!, cell: (c: TrialConfig, e: number) => ({ x: (c.d * e * e) / Math.exp(K(c.depth)), logA: 2 * Math.log(c.n) }) },
      { form: FORMS[1]!, cell: (c: TrialConfig, e: number) => ({ x: ((c.width * c.d + c.width ** 2 * c.depth) * e * e) / Math.exp(K(c.depth)), logA: 2 * Math.log(c.n) }) },
      { form: 'part 1: l² β (η−4)²/(64ζ₀⁴(β+2)⁴), η > 4', cell: (c: TrialConfig, e: number) => (e > 4 ? { x: (c.width ** 2 * c.depth * (e - 4) ** 2) / (64 * zeta0(c.depth) ** 4 * (c.depth + 2) ** 4), logA: 2 * Math.log(c.n) } : null) },
    ].map((f) => {
      const est = estimateTailConstant(formCfgs.flatMap((c, i) => tailCells(valuesOf(get(c), m.of), (e) => f.cell(c, e), i)));
      return { form: f.form, cHat: est.cHat, ci: est.ci, cPoint: est.cPoint, cells: est.cells, worst: est.worst ? { config: formCfgs[est.worst.config], e: est.worst.e, k: est.worst.k, n: est.worst.n } : null };
    });
    return { measure: m.name, comparison, constants, tailLevel: kTail / trials };
  });
  return { claims, fits, nonFinite, zeroTrials, trialsRun: results.size * trials, configurations: results.size };
}

/** Findings: every regime where a claim does not hold, with what to replay. */
export function findingsOf(claims: readonly ClaimOutcome[]) {
  return claims.flatMap((c) => c.regimes.filter((r) => r.outcome.verdict !== 'holds').map((r) => ({
    claim: c.claim, measure: c.measure, regime: r.regime, verdict: r.outcome.verdict,
    pValue: r.outcome.pValue, reversePValue: r.outcome.reversePValue, tau: r.outcome.tau, minDetectableTau: r.outcome.minDetectableTau,
    medians: r.outcome.medians, levels: r.levels, replay: r.replay,
  })));
}

/** Registry entry for `gradconf verify` (kind 'trend'; quick: 7 regimes × 96 trials per group; full: 24 regimes × 200). */
export const entry: TheoremEntry = {
  id: statement.id,
  title: statement.title,
  kind: 'trend',
  async run(opts: RunOptions): Promise<TheoremResult> {
    const t0 = performance.now();
    const trials = opts.budget === 'full' ? 200 : 96;
    const rs = regimes(opts.budget);
    const s = await withPool({}, (pool) => study(pool, opts.seed, trials, rs, opts.progress));
    const findings = findingsOf(s.claims);
    const table = s.claims.map((c) => ({ claim: c.claim, measure: c.measure, holdsIn: c.regimes.filter((r) => r.outcome.verdict === 'holds').map((r) => r.regime), reversedIn: c.regimes.filter((r) => r.outcome.verdict === 'reversed').map((r) => r.regime), notDetectedIn: c.regimes.filter((r) => r.outcome.verdict === 'not detected').map((r) => r.regime) }));
    const rawHolds = s.claims.filter((c) => c.measure === 'raw η').every((c) => c.regimes.every((r) => r.outcome.verdict === 'holds'));
    return {
      id: statement.id, title: statement.title, kind: 'trend', holds: rawHolds && s.nonFinite === 0,
      instances: s.trialsRun,
      details: {
        backend: tf.getBackend(),
        test: { name: 'Jonckheere–Terpstra one-sided, Holm over regimes (per claim, measure and direction)', alpha: ALPHA },
        trialsPerGroup: trials, configurations: s.configurations,
        summary: table,
        claims: s.claims,
        exact: { name: 'no measure is NaN or infinite (zero gradients handled explicitly)', holds: s.nonFinite === 0, nonFiniteTrials: s.nonFinite, trialsWithZeroGradients: s.zeroTrials },
        forms: s.fits,
        findings,
        note: 'the c₁ term β exp(−c₁κ²l²) is dropped (c₁ = ∞): constants ĉ are conservative estimates of c₂',
      },
      seed: opts.seed, ms: performance.now() - t0,
    };
  },
};

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
export const tightener: Tightener = {
  id: statement.id,
  description: 'estimate Theorem 4.1\'s c₂ (final form; ICLR form and part 1 alongside) under Strategy 4.1 (budget = configurations, 64 trials each)',
  defaultBudget: 24,
  run: (o: TightenOptions) => tightenSearch(tightenSpec, o),
  format: formatTighten,
};
