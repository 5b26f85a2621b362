/**
 * Corollary 5.1 (THEOREMS.md) — the Theorem 5.1 bound holds uniformly over a ball B_r around a
 * small-weights W: P(sup_{W' ∈ B_r} η(W') ≤ η) ≥ 1 − N² exp(−c d η² / (64 ζ₀⁴ (β+2)⁴)) when
 * r ≤ η/(4ζ₀²), and otherwise with an extra + 8 d ζ₀² r / η in the exponent (read here as
 * N² exp(−c X₆₄ + 8 d ζ₀² r/η), outside the constant — the transcription does not say which).
 *
 * The ball: B_r = {W' : ‖W'_p − W_p‖₂ ≤ r for every layer p} (operator norms, as Assumption 1);
 * sampled on its boundary, W'_p = W_p + r G_p/‖G_p‖₂ with Gaussian G_p (src/pool/trial.ts). The sup
 * over the ball is estimated by the max over the center and `samples` random points — a LOWER
 * bound of the true sup, so a violation found is real, while a pass is evidence only for random
 * directions (no adversarial search).
 *
 * Exact (every sampled point): with the exactly measured norms s_q = ‖W'_q‖₂ (≤ 1 + r),
 * |G_ij(W')| ≤ R² Σ_p Π_{q≠p} s_q² (the Theorem 5.1 derivation, theorems/theorem-5-1.ts
 * `derivedBound`), tanh and ReLU; tolerance GRAM_REL_TOL_F32 (float32 Gram).
 *
 * Statistical: with c_low = the lower 95% confidence end of Theorem 5.1's constant estimated from the
 * centers of the same configurations (16-form), the Corollary's bound on the ball data must not be
 * violated: a violation is declared where the Clopper–Pearson lower bound (Bonferroni over the
 * ball cells, 95%) of P(sup η > e) exceeds the bound at c_low. False-alarm rate ≤ 0.10 (union of
 * the two 95% statements), under the reading that the cells searched attain the constant.
 *
 * `holds` = the exact bound holds at every sampled point and no violation is declared.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { runTrial, trialSeed, type TrialConfig, type TrialResult } from '../src/pool/trial.ts';
import { withPool, type TrialPool } from '../src/pool/pool.ts';
import { formatTighten, tightenSearch, type TightenSpec } from '../src/pool/tighten-search.ts';
import { clopperPearson } from '../src/stats/binomial.ts';
import { estimateTailConstant, tailCells } from '../src/stats/tail.ts';
import { trendFamily } from '../src/stats/trend.ts';
import { derivedBound, exponent51, smallConfig, zeta0 } from './theorem-5-1.ts';
import type { Tightener, TightenOptions } from './tighten.ts';
import { slackOf, type RunOptions, type TheoremEntry, type TheoremResult, type Verdict } from './verdict.ts';

/** The result as data. */
export const statement = {
  id: 'corollary-5-1',
  title: 'Corollary 5.1: the small-weights confusion bound holds uniformly over a ball B_r around W',
  wording: 'For W under Assumption 1 and all W\' in B_r(W): bound η holds with probability ≥ 1 − N² exp(−c d η²/(64 ζ₀⁴ (β+2)⁴)) if r ≤ η/(4ζ₀²); otherwise with an extra + 8 d ζ₀² r/η in the exponent.',
  hypotheses: ['W satisfies Assumption 1', 'W\' ∈ B_r(W) (per-layer operator norm ball)', 'P1–P2 activations', 'sphere data', 'square or logistic loss'],
  bound: 'N^2 * exp(-c * d * eta^2 / (64 * zeta0^4 * (beta + 2)^4) + (r > eta / (4 zeta0^2) ? 8 d zeta0^2 r / eta : 0))',
  version: 'ICML 2020 (final), Corollary 5.1 (earlier numbering)',
  confidence: 'sure (earlier numbering); placement of the extra term unconfirmed',
  kind: 'exact' as const,
};

/** Confidence of each of the two statements of the statistical check. */
export const LEVEL = 0.95;

/** Corollary 5.1's exponent: c multiplies x; logA = ln N² + the extra term (when r > e/(4ζ₀²)). */
export function corollaryCell(d: number, beta: number, n: number, r: number, e: number): { x: number; logA: number } {
  const z = zeta0(beta);
  const extra = r > e / (4 * z * z) ? (8 * d * z * z * r) / e : 0;
  return { x: exponent51(d, beta, e, 64), logA: 2 * Math.log(n) + extra };
}

/** A ball configuration (boundary samples of the per-layer operator-norm ball). */
export function ballConfig(d: number, width: number, depth: number, n: number, activation: TrialConfig['activation'], loss: TrialConfig['loss'], radius: number, samples: number): TrialConfig {
  return { ...smallConfig(d, width, depth, n, activation, loss), ball: { radius, samples, norm: 'operator' } };
}

/** max of η over the center and the sampled ball points. */
export const supEta = (r: TrialResult): number => Math.max(r.eta, ...(r.ball ?? []).map((b) => b.eta));

/** Exact check at every sampled point of one trial (and at the center). */
export function checkBallTrial(c: TrialConfig, r: TrialResult): Verdict {
  const tol = 1 + GRAM_REL_TOL_F32;
  let worst = -Infinity;
  let holds = true;
  let maxNorm = 0;
  for (const m of [r, ...(r.ball ?? [])]) {
    const b = derivedBound(c, m.opNorms ?? []);
    maxNorm = Math.max(maxNorm, ...(m.opNorms ?? [0]));
    if (b === null) continue;
    worst = Math.max(worst, m.maxAbsG / b);
    if (m.maxAbsG > b * tol) holds = false;
  }
  return { holds, measured: { maxRatioToDerivedBound: worst, maxOperatorNorm: maxNorm }, bound: 1, slack: slackOf(worst, 1) };
}

/** Instances of the exact ball check. */
export const exactArbitrary = fc.record({
  d: fc.integer({ min: 1, max: 24 }),
  width: fc.integer({ min: 1, max: 32 }),
  depth: fc.integer({ min: 0, max: 4 }),
  n: fc.integer({ min: 2, max: 6 }),
  activation: fc.constantFrom<'tanh' | 'relu'>('tanh', 'relu'),
  loss: fc.constantFrom<'mse' | 'logistic'>('mse', 'logistic'),
  radius: fc.constantFrom(0.01, 0.1, 0.5, 1),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** Ball radii of the study (the first branch r ≤ η/(4ζ₀²) needs r of the order of η/(16β) ~ 1e-3 here). */
export const RADII = [1e-4, 1e-3, 1e-2, 1e-1];
/** Regimes of the ball study (square loss, d = width = 32, N = 8). */
export const REGIMES: { activation: TrialConfig['activation']; depth: number }[] = [
  { activation: 'tanh', depth: 1 }, { activation: 'tanh', depth: 2 }, { activation: 'relu', depth: 1 }, { activation: 'relu', depth: 2 },
];

/** The ball study: exact checks, the Corollary's bound at Theorem 5.1's constant, growth with r. */
export async function ballStudy(pool: TrialPool, seed: number, trials: number, samples: number, progress?: (done: number, total: number) => void) {
  const D = 32;
  const W = 32;
  const N = 8;
  const cfgs = REGIMES.map((g) => RADII.map((r) => ballConfig(D, W, g.depth, N, g.activation, 'mse', r, samples)));
  const flat = cfgs.flat();
  const res = await pool.run(flat.map((c) => ({ config: c, seeds: Array.from({ length: trials }, (_, i) => trialSeed(seed, c, i)) })), progress);
  const exactFailures: { config: TrialConfig; seed: number; verdict: Verdict }[] = [];
  let minSlack = Infinity;
  flat.forEach((c, i) => res[i]!.forEach((r) => {
    const v = checkBallTrial(c, r);
    minSlack = Math.min(minSlack, v.slack);
    if (!v.holds && exactFailures.length < 5) exactFailures.push({ config: c, seed: r.seed, verdict: v });
  }));
  // Theorem 5.1's constant from the centers (16-form), lower 95% end.
  const centerCells = flat.flatMap((c, i) => tailCells(res[i]!.map((r) => r.eta), (e) => ({ x: exponent51(c.d, c.depth, e), logA: 2 * Math.log(c.n) }), i));
  const center = estimateTailConstant(centerCells, LEVEL);
  const cLow = center.ci[0];
  // The Corollary's bound on the sup over the ball at c = cLow.
  const ballCells = flat.flatMap((c, i) => tailCells(res[i]!.map(supEta), (e) => corollaryCell(c.d, c.depth, c.n, c.ball!.radius, e), i));
  const M = Math.max(1, ballCells.length);
  const violations = cLow === null ? [] : ballCells.flatMap((cell) => {
    const pLo = clopperPearson(cell.k, cell.n, 1 - (1 - LEVEL) / M).lower;
    const bound = Math.exp(cell.logA - cLow * cell.x);
    return pLo > bound ? [{ ...cell, pLower: pLo, bound, configuration: flat[cell.config], replay: { seed, trials } }] : [];
  });
  const vacuousCells = cLow === null ? ballCells.length : ballCells.filter((cell) => Math.exp(cell.logA - cLow * cell.x) >= 1).length;
  // Growth of the sup over the ball with r (per regime): one-sided JT on sup η / η(center).
  const growth = trendFamily(cfgs.map((g, gi) => g.map((_, ri) => res[gi * RADII.length + ri]!.map((r) => (r.eta > 0 ? supEta(r) / r.eta : 1)))), 'increasing', 0.05);
  return {
    trials, samples, minSlack, exactFailures, trialsRun: flat.length * trials,
    theorem51Constant: { cHat: center.cHat, ci: center.ci, cells: center.cells },
    cUsed: cLow, ballCells: ballCells.length, violations: violations.slice(0, 5), violationCount: violations.length, vacuousCells,
    growth: growth.map((o, i) => ({ regime: REGIMES[i]!, radii: RADII, outcome: o })),
  };
}

/** Registry entry for `gradconf verify` (quick: 25 exact instances, 64 trials × 4 ball points per configuration; full: 500, 300 × 8). */
export const entry: TheoremEntry = {
  id: statement.id,
  title: statement.title,
  kind: 'exact',
  async run(opts: RunOptions): Promise<TheoremResult> {
    const t0 = performance.now();
    const numRuns = opts.budget === 'full' ? 500 : 25;
    const trials = opts.budget === 'full' ? 300 : 64;
    const samples = opts.budget === 'full' ? 8 : 4;
    let minSlack = Infinity;
    let failure: Verdict | undefined;
    const out = fc.check(fc.property(exactArbitrary, (p) => {
      const c = ballConfig(p.d, p.width, p.depth, p.n, p.activation, p.loss, p.radius, 3);
      const v = checkBallTrial(c, runTrial(c, p.seed));
      minSlack = Math.min(minSlack, v.slack);
      if (!v.holds) failure = v;
      return v.holds;
    }), { seed: opts.seed, numRuns });
    const s = await withPool({}, (pool) => ballStudy(pool, opts.seed, trials, samples, opts.progress));
    minSlack = Math.min(minSlack, s.minSlack);
    const exactHolds = !out.failed && s.exactFailures.length === 0;
    const statOk = s.violationCount === 0;
    return {
      id: statement.id, title: statement.title, kind: 'exact', holds: exactHolds && statOk,
      instances: out.numRuns + s.trialsRun,
      details: {
        backend: tf.getBackend(), minSlack,
        ball: 'per-layer operator-norm ball, boundary samples W_p + r G_p/‖G_p‖₂; sup estimated by the max over the center and the samples (a lower bound of the sup)',
        claims: [
          { name: '|G_ij(W\')| ≤ R² Σ_p Π_{q≠p} ‖W\'_q‖² at every sampled point (exact, measured norms)', kind: 'exact', holds: exactHolds, instances: out.numRuns + s.trialsRun,
            tolerance: `${GRAM_REL_TOL_F32} relative (float32 Gram)`, trialFailures: s.exactFailures, ...(out.failed ? { counterexample: out.counterexample, path: out.counterexamplePath, failure } : {}) },
          { name: 'Corollary 5.1 bound on sup_{B_r} η at Theorem 5.1\'s constant (lower 95% end from the centers)', kind: 'statistical', holds: statOk,
            test: { name: 'Clopper–Pearson lower bounds, Bonferroni over the ball cells, vs the bound at c_low', alpha: 0.1 },
            theorem51Constant: s.theorem51Constant, cUsed: s.cUsed, ballCells: s.ballCells, vacuousCells: s.vacuousCells, violations: s.violations, violationCount: s.violationCount,
            trialsPerConfiguration: trials, samplesPerTrial: samples },
          { name: 'sup over the ball / η(center) grows with r', kind: 'trend', regimes: s.growth },
        ],
        findings: s.vacuousCells === s.ballCells ? [{ what: `the Corollary's bound at c_low is ≥ 1 (vacuous) at every one of the ${s.ballCells} ball cells tried` }] : [],
      },
      seed: opts.seed, ms: performance.now() - t0,
    };
  },
};

/** A configuration searched by the tightener. */
export interface SearchConfig { d: number; width: number; depth: number; n: number; activation: 'tanh' | 'relu'; loss: 'mse' | 'logistic'; radius: number }

/** Tightening search of Corollary 5.1's c on the sup over the ball. */
export const tightenSpec: TightenSpec<SearchConfig> = {
  theorem: statement.id,
  arbitrary: fc.record({
    d: fc.integer({ min: 2, max: 48 }),
    width: fc.integer({ min: 4, max: 48 }),
    depth: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 2, max: 12 }),
    activation: fc.constantFrom<'tanh' | 'relu'>('tanh', 'relu'),
    loss: fc.constantFrom<'mse' | 'logistic'>('mse', 'logistic'),
    radius: fc.constantFrom(1e-4, 1e-3, 0.01, 0.1),
  }),
  trial: (c) => ballConfig(c.d, c.width, c.depth, c.n, c.activation, c.loss, c.radius, 3),
  measure: supEta,
  measureName: 'sup over the ball of η (max over center + 3 boundary samples)',
  forms: [
    { name: 'corollary: N² exp(−c d η²/(64 ζ₀⁴ (β+2)⁴) [+ 8 d ζ₀² r/η if r > η/(4ζ₀²)])', cell: (c, e) => corollaryCell(c.d, c.depth, c.n, c.radius, e) },
    { name: 'theorem-5.1 form on the ball: N² exp(−c d η²/(16 ζ₀⁴ (β+2)⁴))', cell: (c, e) => ({ x: exponent51(c.d, c.depth, e), logA: 2 * Math.log(c.n) }) },
  ],
  trialsPerConfig: 48,
  note: 'the sup over B_r is estimated from 3 random boundary points per trial: ĉ is an upper estimate for the true sup (a true sup can only lower it)',
};

/** `gradconf tighten corollary-5-1`: Corollary 5.1's c on the sup over the ball. */
export const tightener: Tightener = {
  id: statement.id,
  description: 'estimate Corollary 5.1\'s c on the sup of η over a ball B_r around small weights (budget = configurations, 48 trials each)',
  defaultBudget: 20,
  run: (o: TightenOptions) => tightenSearch(tightenSpec, o),
  format: formatTighten,
};
