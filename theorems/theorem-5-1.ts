/**
 * Theorem 5.1 (THEOREMS.md) — small weights, any depth: under Assumption 1 (‖W_p‖ ≤ 1 for every
 * layer), P1–P2 activations, data uniform on S^{d−1}, square or logistic loss, and η > 0,
 *   P(confusion bound η holds) ≥ 1 − N² exp(−c d η² / (16 ζ₀⁴ (β+2)⁴)),  ζ₀ = 2√β,
 * with no width dependence and weaker with depth; c is not given by the paper.
 *
 * Exact (every trial, every instance):
 * - Assumption 1 measured exactly: the float32 kernels of 'small-weights' init have operator norm
 *   ≤ 1 (models/linalg.ts operatorNorm, relative error < 1e-12; we allow NORM_REL_TOL = 1e-12).
 * - Sanity bound [derived]: |G_ij| ≤ 4(β + 1) for all i, j (diagonal included). Derivation: with
 *   ‖x‖ ≤ 1, ‖W_p‖ = s_p ≤ 1, |s'| ≤ 1, |s(z)| ≤ |z| and |∂f/∂g| ≤ R (square loss with |g|, |C| ≤ 1:
 *   R = 2; logistic: R = 1), the layer-p gradient δ_p a_{p−1}ᵀ has norm ≤ R Π_{q≠p} s_q, so
 *   |G_ij| ≤ Σ_p ‖g_i^p‖ ‖g_j^p‖ ≤ R² Σ_p Π_{q≠p} s_q² ≤ 4(β + 1). Tolerance: float32 Gram,
 *   GRAM_REL_TOL_F32 relative. The derivation needs |s(z)| ≤ |z| (s(0) = 0): true for tanh and
 *   ReLU, FALSE for the sigmoid although it satisfies P1–P2 — so the exact claim is checked for tanh
 *   and ReLU, and for the sigmoid a counterexample search reports whether the bound fails there
 *   (it does, for wide nets: activations of norm ~ √l/2).
 *
 * Statistical / trend (one-sided Jonckheere–Terpstra, Holm across regimes, family-wise α = 0.05):
 * - "tails of η grow with depth": depths 1, 2, 4, 8 at width 32, for raw η and for the normalized
 *   confusion (−min cosine); the 90% quantile per depth is reported.
 * - "no width dependence": widths 16, 32, 64, 128 at depth 2, two-sided JT with its effect size τ and
 *   the smallest |τ| the test detects with power 0.8, and KS between the extreme widths with its
 *   minimum detectable sup-CDF difference (src/stats/ks.ts).
 * Failures are findings with replayable instances (trial seeds from src/pool/trial.ts), not errors.
 *
 * `holds` = both exact claims hold on every trial and instance (tanh, ReLU); trend verdicts,
 * findings and the sigmoid counterexample are in `details`.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { runTrial, trialSeed, type TrialConfig, type TrialResult } from '../src/pool/trial.ts';
import { withPool, type TrialPool } from '../src/pool/pool.ts';
import { formatTighten, tightenSearch, type TightenSpec } from '../src/pool/tighten-search.ts';
import { median, trendFamily, type TrendOutcome } from '../src/stats/trend.ts';
import { jonckheereTerpstra, jtMinDetectableTau } from '../src/stats/jonckheere.ts';
import { ksTwoSample, ksTwoSampleMinDetectable } from '../src/stats/ks.ts';
import { compareForms, logTailRate, type FormPoint } from '../src/stats/tail.ts';
import type { Tightener, TightenOptions } from './tighten.ts';
import { slackOf, type RunOptions, type TheoremEntry, type TheoremResult, type Verdict } from './verdict.ts';

/** The result as data. */
export const statement = {
  id: 'theorem-5-1',
  title: 'Theorem 5.1: small weights (‖W_p‖ ≤ 1) — confusion tails independent of width, weaker with depth',
  wording: 'Under Assumption 1, P1–P2, sphere data, square or logistic loss, η > 0: P(bound η holds) ≥ 1 − N² exp(−c d η² / (16 ζ₀⁴ (β+2)⁴)).',
  hypotheses: ['‖W_p‖ ≤ 1 for every layer (Assumption 1)', 'P1–P2 activation (tanh, ReLU; sigmoid — see findings)', 'x_i uniform on S^{d−1}', '|C(x)| ≤ 1', 'square or logistic loss'],
  bound: 'N^2 * exp(-c * d * eta^2 / (16 * zeta0^4 * (beta + 2)^4)), zeta0 = 2 sqrt(beta); sanity: abs(G_ij) <= 4 (beta + 1)',
  version: 'ICML 2020 (final), Theorem 5.1 (earlier numbering)',
  confidence: 'sure (earlier numbering); sanity bound derived',
  kind: 'exact' as const,
};

/** Family-wise false-alarm rate of the trend tests. */
export const ALPHA = 0.05;
/** Slack allowed on ‖W_p‖ ≤ 1 for the operator norm's own rounding. */
export const NORM_REL_TOL = 1e-12;

/** ζ₀ = 2√β, the loss constant's upper bound for square and logistic loss (THEOREMS.md). */
export const zeta0 = (beta: number): number => 2 * Math.sqrt(beta);

/** Theorem 5.1's exponent factor X = d e² / (16 ζ₀⁴ (β+2)⁴) (multiplies c). */
export const exponent51 = (d: number, beta: number, e: number, k = 16): number => (d * e * e) / (k * zeta0(beta) ** 4 * (beta + 2) ** 4);

/** Small-weights trial configuration (Assumption 1 with scale 1, norms measured). */
export function smallConfig(d: number, width: number, depth: number, n: number, activation: TrialConfig['activation'], loss: TrialConfig['loss']): TrialConfig {
  return { d, n, width, depth, activation, loss, init: { name: 'small-weights' }, norms: true };
}

/**
 * The derived per-instance bound R² Σ_p Π_{q≠p} s_q² from the measured operator norms s_q (≤ 4(β+1)
 * when all s_q ≤ 1 and R = 2); null when the derivation does not apply (sigmoid: |s(z)| ≤ |z| fails).
 */
export function derivedBound(c: TrialConfig, opNorms: readonly number[]): number | null {
  if (c.activation === 'sigmoid') return null;
  const prod = opNorms.reduce((a, s) => a * s, 1);
  const supG = c.activation === 'tanh' ? Math.min(1, prod) : prod;
  const R = c.loss === 'logistic' ? 1 : 1 + supG;
  let sum = 0;
  for (let p = 0; p < opNorms.length; p++) {
    let t = 1;
    for (let q = 0; q < opNorms.length; q++) if (q !== p) t *= opNorms[q]! ** 2;
    sum += t;
  }
  return R * R * sum;
}

/** Exact checks of one trial: Assumption 1 and |G_ij| ≤ 4(β+1) (and the sharper measured-norm bound). */
export function checkTrial(c: TrialConfig, r: TrialResult): Verdict {
  const sanity = 4 * (c.depth + 1);
  const maxNorm = Math.max(...(r.opNorms ?? [NaN]));
  const normOk = maxNorm <= 1 + NORM_REL_TOL;
  const derived = derivedBound(c, r.opNorms ?? []);
  const tol = 1 + GRAM_REL_TOL_F32;
  const sanityOk = r.maxAbsG <= sanity * tol;
  const derivedOk = derived === null || r.maxAbsG <= derived * tol;
  return {
    holds: normOk && sanityOk && derivedOk,
    measured: { maxAbsG: r.maxAbsG, maxOperatorNorm: maxNorm, ratioToSanity: r.maxAbsG / sanity, ...(derived !== null ? { derivedBound: derived } : {}) },
    bound: sanity,
    slack: slackOf(r.maxAbsG, sanity),
  };
}

/** fast-check instances of the exact claims (tanh and ReLU, both losses). */
export const exactArbitrary = fc.record({
  d: fc.integer({ min: 1, max: 32 }),
  width: fc.integer({ min: 1, max: 48 }),
  depth: fc.integer({ min: 0, max: 5 }),
  n: fc.integer({ min: 2, max: 8 }),
  activation: fc.constantFrom<'tanh' | 'relu'>('tanh', 'relu'),
  loss: fc.constantFrom<'mse' | 'logistic'>('mse', 'logistic'),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** Instances of the sigmoid counterexample search (wide, shallow: cheap exact norms). */
export const sigmoidArbitrary = fc.record({
  d: fc.integer({ min: 1, max: 32 }),
  width: fc.integer({ min: 1, max: 640 }),
  n: fc.integer({ min: 2, max: 8 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

/** Run one exact instance in-process. */
export function checkExactInstance(p: { d: number; width: number; depth: number; n: number; activation: TrialConfig['activation']; loss: TrialConfig['loss']; seed: number }): Verdict {
  const c = smallConfig(p.d, p.width, p.depth, p.n, p.activation, p.loss);
  return checkTrial(c, runTrial(c, p.seed));
}

/** −min cosine per trial, leaving out trials with fewer than two non-zero gradients (no cosine). */
const negCos = (rs: readonly TrialResult[]): number[] => rs.filter((r) => r.minCos !== null).map((r) => -r.minCos!);

function quantile90(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.9 * s.length))] ?? NaN;
}

/** A regime of the trend study: what is fixed, and the levels of the varied factor. */
export interface Regime { activation: TrialConfig['activation']; loss: TrialConfig['loss']; d: number; n: number; width?: number; depth?: number }

/** Configurations of a regime over depths (width fixed) or widths (depth fixed). */
export function regimeConfigs(r: Regime, factor: 'depth' | 'width', levels: readonly number[]): TrialConfig[] {
  return levels.map((v) => smallConfig(r.d, factor === 'width' ? v : r.width!, factor === 'depth' ? v : r.depth!, r.n, r.activation, r.loss));
}

/** Default regimes and levels of the entry's trend study. */
export const DEPTHS = [1, 2, 4, 8];
/** Width levels of the width study (depth 2). */
export const WIDTHS = [16, 32, 64, 128];
/** Regimes of the depth study (width 32). */
export const DEPTH_REGIMES: Regime[] = [
  { activation: 'tanh', loss: 'mse', d: 32, n: 8, width: 32 },
  { activation: 'relu', loss: 'mse', d: 32, n: 8, width: 32 },
  { activation: 'tanh', loss: 'logistic', d: 32, n: 8, width: 32 },
];
/** Regimes of the width study (depth 2). */
export const WIDTH_REGIMES: Regime[] = [
  { activation: 'tanh', loss: 'mse', d: 32, n: 8, depth: 2 },
  { activation: 'relu', loss: 'mse', d: 32, n: 8, depth: 2 },
];

/** Run the trend study (and the exact checks on every trial it makes). */
export async function trendStudy(pool: TrialPool, seed: number, trials: number, progress?: (done: number, total: number) => void) {
  const dCfg = DEPTH_REGIMES.map((r) => regimeConfigs(r, 'depth', DEPTHS));
  const wCfg = WIDTH_REGIMES.map((r) => regimeConfigs(r, 'width', WIDTHS));
  const all = [...dCfg.flat(), ...wCfg.flat()];
  const res = await pool.run(all.map((c) => ({ config: c, seeds: Array.from({ length: trials }, (_, i) => trialSeed(seed, c, i)) })), progress);
  let k = 0;
  const take = (cfgs: TrialConfig[][]) => cfgs.map((g) => g.map(() => res[k++]!));
  const dRes = take(dCfg);
  const wRes = take(wCfg);
  // exact checks on every trial
  let exactFailures: { config: TrialConfig; seed: number; verdict: Verdict }[] = [];
  let minSlack = Infinity;
  all.forEach((c, i) => res[i]!.forEach((r) => {
    const v = checkTrial(c, r);
    minSlack = Math.min(minSlack, v.slack);
    if (!v.holds) exactFailures.push({ config: c, seed: r.seed, verdict: v });
  }));
  exactFailures = exactFailures.slice(0, 5);
  const depthRaw = trendFamily(dRes.map((g) => g.map((rs) => rs.map((r) => r.eta))), 'increasing', ALPHA);
  const depthNorm = trendFamily(dRes.map((g) => g.map(negCos)), 'increasing', ALPHA);
  const widthTests = wRes.map((g, i) => {
    const raw = g.map((rs) => rs.map((r) => r.eta));
    const norm = g.map(negCos);
    const jt = (groups: number[][]) => {
      if (groups.filter((x) => x.length > 0).length < 2) return { test: 'Jonckheere–Terpstra, two-sided', alpha: ALPHA, pValue: 1, z: 0, tau: 0, minDetectableTau: 1, medians: [], untestable: true };
      const t = jonckheereTerpstra(groups, 'two-sided');
      return { test: 'Jonckheere–Terpstra, two-sided', alpha: ALPHA, pValue: t.pValue, z: t.z, tau: t.tau, minDetectableTau: jtMinDetectableTau(t.sizes, ALPHA / 2), medians: groups.map((x) => median(x)) };
    };
    const ks = (groups: number[][]) => {
      const [a, b] = [groups[0]!, groups[groups.length - 1]!];
      const test = `two-sample KS, width ${WIDTHS[0]} vs ${WIDTHS[WIDTHS.length - 1]}`;
      if (a.length === 0 || b.length === 0) return { test, alpha: ALPHA, statistic: NaN, pValue: 1, untestable: true };
      return { ...ksTwoSample(a, b), test, alpha: ALPHA, minDetectable: ksTwoSampleMinDetectable(a.length, b.length, ALPHA) };
    };
    return { regime: WIDTH_REGIMES[i]!, raw: { jt: jt(raw), ks: ks(raw) }, normalized: { jt: jt(norm), ks: ks(norm) } };
  });
  const describeDepth = (o: TrendOutcome[], what: string) => o.map((t, i) => ({
    regime: DEPTH_REGIMES[i]!, depths: DEPTHS, measure: what, outcome: t,
    q90: dRes[i]!.map((rs) => quantile90(what === 'raw η' ? rs.map((r) => r.eta) : negCos(rs))),
    excluded: what === 'raw η' ? 0 : dRes[i]!.reduce((a, rs) => a + rs.filter((r) => r.minCos === null).length, 0),
    replay: { seed, trialsPerGroup: trials, configs: dCfg[i] },
  }));
  // Functional-form comparison of the depth/width variation of the tails (raw η, 90% level).
  const points: FormPoint[] = [];
  const pushPoint = (c: TrialConfig, rs: TrialResult[]) => {
    const v = rs.map((r) => r.eta);
    const lr = logTailRate(v, Math.max(1, Math.round(trials / 10)), 2 * Math.log(c.n), (e) => e * e);
    if (lr === null) return;
    const K = Math.log(16 * zeta0(c.depth) ** 4 * (c.depth + 2) ** 4);
    points.push({ logRate: lr, covariates: { 'ln l': Math.log(c.width), 'ln β': Math.log(c.depth) }, offsets: { 'paper: d/(16ζ₀⁴(β+2)⁴)': Math.log(c.d) - K, 'depth-free: d': Math.log(c.d) } });
  };
  dCfg.forEach((g, i) => { if (DEPTH_REGIMES[i]!.activation === 'tanh' && DEPTH_REGIMES[i]!.loss === 'mse') g.forEach((c, j) => pushPoint(c, dRes[i]![j]!)); });
  wCfg.forEach((g, i) => { if (WIDTH_REGIMES[i]!.activation === 'tanh' && WIDTH_REGIMES[i]!.loss === 'mse') g.forEach((c, j) => { if (c.width !== 32 || c.depth !== 2) pushPoint(c, wRes[i]![j]!); }); });
  let forms: unknown = null;
  try { forms = compareForms(points, ['paper: d/(16ζ₀⁴(β+2)⁴)', 'depth-free: d'], ['ln l', 'ln β']); } catch (e) { forms = { error: (e as Error).message }; }
  return {
    trials, exactFailures, minSlack, trialsRun: all.length * trials,
    depth: { raw: describeDepth(depthRaw, 'raw η'), normalized: describeDepth(depthNorm, 'normalized (−min cosine)') },
    width: widthTests, forms,
  };
}

/** Registry entry for `gradconf verify` (quick: 40 exact instances, 30 sigmoid instances, 96 trials per group; full: 1000, 200, 400). */
export const entry: TheoremEntry = {
  id: statement.id,
  title: statement.title,
  kind: 'exact',
  async run(opts: RunOptions): Promise<TheoremResult> {
    const t0 = performance.now();
    const numRuns = opts.budget === 'full' ? 1000 : 40;
    const sigmoidRuns = opts.budget === 'full' ? 200 : 30;
    const trials = opts.budget === 'full' ? 400 : 96;
    let minSlack = Infinity;
    let failure: Verdict | undefined;
    const out = fc.check(fc.property(exactArbitrary, (p) => {
      const v = checkExactInstance(p);
      minSlack = Math.min(minSlack, v.slack);
      if (!v.holds) failure = v;
      return v.holds;
    }), { seed: opts.seed, numRuns });
    // Sigmoid: does the sanity bound fail? (search; a failure is a finding about the hypotheses)
    const sig = fc.check(fc.property(sigmoidArbitrary, (p) => {
      const c = smallConfig(p.d, p.width, 1, p.n, 'sigmoid', 'mse');
      const r = runTrial(c, p.seed);
      return r.maxAbsG <= 4 * 2 * (1 + GRAM_REL_TOL_F32);
    }), { seed: opts.seed, numRuns: sigmoidRuns });
    const study = await withPool({}, (pool) => trendStudy(pool, opts.seed, trials, opts.progress));
    minSlack = Math.min(minSlack, study.minSlack);
    const exactHolds = !out.failed && study.exactFailures.length === 0;
    const verdicts = (xs: { outcome: TrendOutcome }[]) => xs.map((x) => x.outcome.verdict);
    const findings: unknown[] = [];
    if (sig.failed) {
      findings.push({ what: 'the derived sanity bound |G_ij| ≤ 4(β+1) FAILS for the sigmoid (P1–P2 hold, but |s(z)| ≤ |z| does not: s(0) = 1/2)', counterexample: sig.counterexample, seed: opts.seed, path: sig.counterexamplePath,
        replay: 'runTrial(smallConfig(d, width, 1, n, "sigmoid", "mse"), seed) from src/pool/trial.ts', note: 'depth 1, square loss; the bound needs s(0) = 0' });
    }
    for (const d of [...study.depth.raw, ...study.depth.normalized]) if (d.outcome.verdict !== 'holds') findings.push({ what: `depth trend of ${d.measure} ${d.outcome.verdict} in regime ${JSON.stringify(d.regime)}`, outcome: d.outcome, replay: d.replay });
    for (const w of study.width) {
      if (w.raw.jt.pValue <= ALPHA) findings.push({ what: `width dependence of raw η detected in regime ${JSON.stringify(w.regime)} (τ = ${w.raw.jt.tau.toFixed(3)})`, outcome: w.raw });
      if (w.normalized.jt.pValue <= ALPHA) findings.push({ what: `width dependence of the normalized confusion detected in regime ${JSON.stringify(w.regime)} (τ = ${w.normalized.jt.tau.toFixed(3)})`, outcome: w.normalized });
    }
    return {
      id: statement.id, title: statement.title, kind: 'exact', holds: exactHolds,
      instances: out.numRuns + sig.numRuns + study.trialsRun,
      details: {
        backend: tf.getBackend(), minSlack,
        claims: [
          { name: 'Assumption 1 (‖W_p‖ ≤ 1, exact norms) and |G_ij| ≤ 4(β+1) for tanh/ReLU, square/logistic (exact)', kind: 'exact', holds: exactHolds,
            instances: out.numRuns + study.trialsRun, tolerance: `Gram ${GRAM_REL_TOL_F32} relative (float32); norms ${NORM_REL_TOL}`,
            ...(out.failed ? { counterexample: out.counterexample, path: out.counterexamplePath, failure } : {}), trialFailures: study.exactFailures },
          { name: 'tails of η grow with depth (raw η)', kind: 'trend', verdicts: verdicts(study.depth.raw), regimes: study.depth.raw },
          { name: 'tails of η grow with depth (normalized: −min cosine)', kind: 'trend', verdicts: verdicts(study.depth.normalized), regimes: study.depth.normalized },
          { name: 'no width dependence (two-sided tests; effect size and smallest detectable effect)', kind: 'trend', regimes: study.width },
          { name: 'which functional form explains the tails (90% level, tanh, square loss)', kind: 'fit', comparison: study.forms },
        ],
        findings,
        sigmoidSearch: { failed: sig.failed, runs: sig.numRuns },
      },
      seed: opts.seed, ms: performance.now() - t0,
    };
  },
};

/** A configuration searched by the tightener. */
export interface SearchConfig { d: number; width: number; depth: number; n: number; activation: 'tanh' | 'relu'; loss: 'mse' | 'logistic' }

/** Tightening search of Theorem 5.1's c. */
export const tightenSpec: TightenSpec<SearchConfig> = {
  theorem: statement.id,
  arbitrary: fc.record({
    d: fc.integer({ min: 2, max: 64 }),
    width: fc.integer({ min: 4, max: 64 }),
    depth: fc.integer({ min: 1, max: 6 }),
    n: fc.integer({ min: 2, max: 16 }),
    activation: fc.constantFrom<'tanh' | 'relu'>('tanh', 'relu'),
    loss: fc.constantFrom<'mse' | 'logistic'>('mse', 'logistic'),
  }),
  trial: (c) => smallConfig(c.d, c.width, c.depth, c.n, c.activation, c.loss),
  measure: (r) => r.eta,
  measureName: 'η (raw confusion)',
  forms: [
    { name: 'paper: N² exp(−c d η² / (16 ζ₀⁴ (β+2)⁴)), ζ₀ = 2√β', cell: (c, e) => ({ x: exponent51(c.d, c.depth, e), logA: 2 * Math.log(c.n) }) },
    { name: 'depth-free: N² exp(−c d η²)', cell: (c, e) => ({ x: c.d * e * e, logA: 2 * Math.log(c.n) }) },
  ],
  trialsPerConfig: 64,
};

/** `gradconf tighten theorem-5-1`: Theorem 5.1's c. */
export const tightener: Tightener = {
  id: statement.id,
  description: 'estimate Theorem 5.1\'s c in P(η > e) ≤ N² exp(−c d e² / (16 ζ₀⁴ (β+2)⁴)) under Assumption 1 (budget = configurations, 64 trials each)',
  defaultBudget: 24,
  run: (o: TightenOptions) => tightenSearch(tightenSpec, o),
  format: formatTighten,
};
