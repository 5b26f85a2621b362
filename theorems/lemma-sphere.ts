/**
 * Sphere lemma (THEOREMS.md, "Section 2 examples") — the concentration fact behind the paper's
 * data model: for x, y independent and uniform on S^{d−1} and t = <x, y>,
 *   (1 + t)/2 ~ Beta((d−1)/2, (d−1)/2) exactly, and the cap bound P(|t| ≥ e) ≤ 2 exp(−d e²/2).
 *
 * Claims (theorems/define.ts; kinds never mixed):
 * 1. exact `cap-bound` (paper) — the cap bound, as a property over d ∈ [2, 4096] and e ∈ (0, 1),
 *    with the left side computed exactly from the Beta law (src/data/sphere-law.ts):
 *    P(|t| ≥ e) = 2 I_{(1−e)/2}(a, a), a = (d − 1)/2 (stdlib's Beta CDF; no 1 − CDF cancellation).
 *    Tolerance: the CDF's relative error (≲ 1e-14) — we allow CDF_REL_TOL = 1e-12. Where the bound
 *    is below 1e-290 (d e² > ~1330) neither side is a normal double; there the check is done in log
 *    space with the rigorous upper bound I_x(a, a) ≤ x (x(1 − x))^{a−1} / B(a, a) (a ≥ 1, x ≤ 1/2).
 * 2. exact `cap-bound-halved` (derived) — the factor 2 is never needed: P(|t| ≥ e) ≤ exp(−d e²/2).
 *    Equality is approached as e → 0 (P → 1 and exp(−d e²/2) → 1), so P/(2 exp(−d e²/2)) has
 *    supremum 1/2, never attained at e > 0. Instances where P is exactly 1 in double precision
 *    (e so small that (1 − e)/2 rounds to 1/2) are degenerate: their slack is 0 by rounding, so they
 *    are counted apart (ExactOutcome.degenerate), and the smallest slack is over the others.
 * 3. statistical `sampler-law` (derived: a rejection is a bug in src/data/sphere.ts, not a finding
 *    about the paper) — one-sample KS of (1 + <x_i, y_i>)/2 over independent pairs against the
 *    Beta((d−1)/2, (d−1)/2) CDF for every d in SAMPLER_DIMS; the runner puts the tests in one Holm
 *    family at family-wise false-alarm rate ALPHA = 0.01 (fixed seeds). Power: any law at
 *    sup-distance ≥ `minDetectable` from the exact one is rejected with probability ≥ 0.8
 *    (src/stats/ks.ts ksOneSampleMinDetectable at the per-test level α/m of Holm's first step).
 *
 * Figures (details.figures): the sampler's empirical law of (1 + t)/2 against the Beta density for
 * d = 5 and d = 50; the cap bound against the exact probability over e for d = 10 and 100 (log y).
 */
import fc from 'fast-check';
import { sampleSphere } from '../src/data/sphere.ts';
import { betaDensity, betaParameter, capIsDegenerate, capProbability, logCapUpper, sphereBetaCdf } from '../src/data/sphere-law.ts';
import { ksOneSample, ksOneSampleMinDetectable } from '../src/stats/ks.ts';
import type { FigureData } from '../src/claims/figure.ts';
import { slackOf, type ClaimContext, type ClaimResult, type ExactClaim, type ExactOutcome, type Statement, type StatisticalClaim, type StatisticalStudy, type Verdict } from '../src/claims/claim.ts';
import { defineTheorem, exactProperty } from './define.ts';

export { capProbability } from '../src/data/sphere-law.ts';

/** The result as data. */
export const statement: Statement = {
  id: 'lemma-sphere',
  title: 'Sphere lemma: (1 + <x,y>)/2 ~ Beta((d−1)/2, (d−1)/2) and P(|<x,y>| ≥ e) ≤ 2 exp(−d e²/2)',
  wording: 'For x, y independent uniform on S^{d−1}, t = <x, y>: (1 + t)/2 ~ Beta((d−1)/2, (d−1)/2) exactly, and P(|t| ≥ e) ≤ 2 exp(−d e²/2).',
  hypotheses: ['x, y independent and uniform on S^{d−1}', 'd ≥ 2', '0 < e < 1'],
  bound: '2 * exp(-d * e^2 / 2)',
  version: 'ICML 2020 (final), Section 2 (standard cap bound)',
  confidence: 'sure',
};

/** Relative accuracy allowed for stdlib's Beta CDF in the exact comparison. */
export const CDF_REL_TOL = 1e-12;
/** Family-wise false-alarm rate of the sampler check (Holm over the dimensions tested). */
export const ALPHA = 0.01;
/** Below this the bound is not a normal double comparison target; switch to log space. */
export const LOG_SPACE_BELOW = 1e-290;

/** A cap-bound instance. */
export interface CapParams { d: number; e: number }

/** Instances: d ∈ [2, 4096], e ∈ (0, 1) (open: both ends excluded). */
export const capArbitrary: fc.Arbitrary<CapParams> = fc.record({
  d: fc.integer({ min: 2, max: 4096 }),
  e: fc.double({ min: 0, max: 1, minExcluded: true, maxExcluded: true, noNaN: true }),
});

/** Edge instances run first (fast-check `examples`): both ends of d and of e. */
export const CAP_EXAMPLES: [CapParams][] = [[{ d: 2, e: 1e-300 }], [{ d: 2, e: 1 - 2 ** -53 }], [{ d: 4096, e: 1e-300 }], [{ d: 4096, e: 1 - 2 ** -53 }], [{ d: 4096, e: 0.5 }], [{ d: 3, e: 0.5 }]];

/**
 * Check the cap bound P(|t| ≥ e) ≤ factor · exp(−d e²/2) at (d, e) (factor 2: the lemma; factor 1:
 * the halved form). measured = P (or its log-space upper bound).
 */
export function checkCap(p: CapParams, factor = 2): Verdict {
  const { d, e } = p;
  const bound = factor * Math.exp((-d * e * e) / 2);
  if (bound >= LOG_SPACE_BELOW) {
    const prob = capProbability(d, e);
    const holds = prob <= bound * (1 + CDF_REL_TOL);
    const degenerate = capIsDegenerate(d, e);
    return { holds, measured: { probability: prob, ratio: prob / bound, logSpace: 0 }, bound, slack: slackOf(prob, bound), ...(degenerate ? { degenerate } : {}) };
  }
  // ln P ≤ logCapUpper (a ≥ 1 here: d e² > 1330 needs d > 1330)
  const logUpper = logCapUpper(d, e);
  const logBound = Math.log(factor) - (d * e * e) / 2;
  const holds = betaParameter(d) >= 1 && logUpper <= logBound;
  // slack in the same unit as above, 1 − P_upper/bound, from the logs
  return { holds, measured: { logProbabilityUpper: logUpper, logBound, logSpace: 1 }, bound, slack: -Math.expm1(logUpper - logBound) };
}

/** Run the cap property with `numRuns` instances (plus the edge examples). */
export function capOutcome(seed: number, numRuns: number, factor: number, progress?: (done: number, total: number) => void): ExactOutcome {
  let maxRatio = 0;
  let logSpace = 0;
  let vacuous = 0;
  const out = exactProperty({ seed, progress }, capArbitrary, numRuns, (p) => checkCap(p, factor), {
    examples: CAP_EXAMPLES, progressEvery: 500,
    tolerance: `relative ${CDF_REL_TOL} for the Beta CDF; log-space upper bound where ${factor}exp(−de²/2) < ${LOG_SPACE_BELOW}`,
    onVerdict: (_, v) => {
      if (!v.degenerate && v.measured.ratio !== undefined) maxRatio = Math.max(maxRatio, v.measured.ratio);
      if (v.bound >= 1) vacuous++;
      logSpace += v.measured.logSpace ?? 0;
    },
  });
  return {
    ...out, degenerate: out.degenerate ?? 0,
    details: {
      maxRatioProbabilityToBound: maxRatio, logSpaceInstances: logSpace, vacuousInstances: vacuous,
      degenerateNote: 'degenerate: P(|t| ≥ e) is exactly 1 in double precision (e below the resolution of (1 − e)/2); their slack is not in minSlack',
    },
  };
}

/** Exact: the lemma's cap bound. */
export const capClaim: ExactClaim = {
  id: 'cap-bound', kind: 'exact', source: 'paper',
  statement: 'P(|<x,y>| ≥ e) ≤ 2 exp(−d e²/2) for every d ∈ [2, 4096], e ∈ (0, 1) (exact via the Beta CDF)',
  budgets: { test: 2000, quick: 5000, full: 100_000 },
  check: (ctx, numRuns) => capOutcome(ctx.seed, numRuns, 2, ctx.progress),
};

/** Exact: the cap bound without its factor 2. */
export const halvedClaim: ExactClaim = {
  id: 'cap-bound-halved', kind: 'exact', source: 'derived',
  statement: 'the factor 2 is never needed: P(|<x,y>| ≥ e) ≤ exp(−d e²/2) (equality only in the limit e → 0)',
  budgets: { test: 2000, quick: 5000, full: 100_000 },
  check: (ctx, numRuns) => capOutcome(ctx.seed, numRuns, 1, ctx.progress),
};

/** t_i = <x_i, y_i> for `pairs` independent pairs drawn by `sampler` (default src/data/sphere.ts). */
export function innerProducts(d: number, pairs: number, seed: number, sampler: (n: number, d: number, seed: number) => Float64Array = sampleSphere): Float64Array {
  const pts = sampler(2 * pairs, d, seed);
  const t = new Float64Array(pairs);
  for (let i = 0; i < pairs; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += pts[2 * i * d + j]! * pts[(2 * i + 1) * d + j]!;
    t[i] = s;
  }
  return t;
}

/** The dimensions of the sampler check. */
export const SAMPLER_DIMS = [2, 3, 5, 10, 50, 200, 1000];
/** Dimensions whose empirical law is drawn against the Beta density. */
export const FIGURE_DIMS = [5, 50];

/** The sampler study: inner products t per dimension. */
export interface SamplerSample { dims: number[]; t: ArrayLike<number>[] }

/** Draw the sampler study; the seed of dimension k is seed + 7919 (k + 1). */
export function sampleSampler(pairs: number, seed: number, sampler?: (n: number, d: number, seed: number) => Float64Array): SamplerSample {
  return { dims: SAMPLER_DIMS, t: SAMPLER_DIMS.map((d, k) => innerProducts(d, pairs, (seed + 7919 * (k + 1)) | 0, sampler)) };
}

/** A histogram of (1 + t)/2 over 0.5 ± 4 sd (sd = 1/(2√d)), as densities, clipped to [0, 1]. */
export function histogram(t: ArrayLike<number>, d: number, bins = 30): { lo: number; width: number; density: number[] } {
  const half = Math.min(0.5, 4 / (2 * Math.sqrt(d)));
  const lo = 0.5 - half;
  const width = (2 * half) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < t.length; i++) {
    const k = Math.floor(((1 + t[i]!) / 2 - lo) / width);
    if (k >= 0 && k < bins) counts[k]!++;
  }
  return { lo, width, density: counts.map((c) => c / (t.length * width)) };
}

/** KS of every dimension against its Beta law (raw p-values; the runner applies Holm). */
export function analyzeSampler(s: SamplerSample): StatisticalStudy {
  const m = s.dims.length;
  return {
    instances: s.t.reduce((n, t) => n + t.length, 0),
    tests: s.dims.map((d, k) => {
      const t = s.t[k]!;
      const r = ksOneSample(Array.from(t, (v) => (1 + v) / 2), (z) => sphereBetaCdf(d, z));
      // smallest sup-distance caught with power 0.8 at Holm's first-step level α/m
      return { label: `d = ${d}`, test: 'one-sample Kolmogorov–Smirnov (exact p) vs Beta((d−1)/2, (d−1)/2)', statistic: r.statistic, pValue: r.pValue,
        effect: r.statistic, minDetectable: ksOneSampleMinDetectable(t.length, ALPHA / m), n: t.length };
    }),
    details: { histograms: s.dims.flatMap((d, k) => (FIGURE_DIMS.includes(d) ? [{ d, ...histogram(s.t[k]!, d) }] : [])) },
  };
}

/** Statistical: the sampler's law. */
export const samplerClaim: StatisticalClaim<number, SamplerSample> = {
  id: 'sampler-law', kind: 'statistical', source: 'derived',
  statement: `the sampler (src/data/sphere.ts) gives (1 + <x,y>)/2 ~ Beta((d−1)/2, (d−1)/2), d ∈ {${SAMPLER_DIMS.join(', ')}}`,
  budgets: { test: 3000, quick: 4000, full: 50_000 },
  sample: (ctx, pairs) => sampleSampler(pairs, ctx.seed),
  analyze: analyzeSampler,
};

/** The figures: the sampler's law vs the Beta density; the cap bound vs the exact probability. */
export function sphereFigures(claims: ClaimResult[]): FigureData[] {
  const figs: FigureData[] = [];
  const s = claims.find((c) => c.id === 'sampler-law');
  const hists = (s?.details?.histograms as { d: number; lo: number; width: number; density: number[] }[] | undefined) ?? [];
  if (hists.length) {
    figs.push({
      id: 'sampler-law', title: 'Sphere lemma — the sampler\'s law of (1 + <x,y>)/2 against the Beta((d−1)/2, (d−1)/2) density',
      caption: 'Bars: histogram (as a density) of (1 + <x,y>)/2 over independent pairs from the sampler; lines: the exact Beta density. They should coincide.',
      x: { title: '(1 + <x,y>)/2' }, y: { title: 'density' },
      series: hists.flatMap((h) => {
        const a = betaParameter(h.d);
        const mids = h.density.map((_, k) => h.lo + (k + 0.5) * h.width);
        return [
          { name: `sampler, d = ${h.d}`, mark: 'bar' as const, points: mids.map((x, k) => [x, h.density[k]!] as [number, number]) },
          { name: `Beta density, d = ${h.d}`, mark: 'line' as const, points: mids.map((x) => [x, betaDensity(a, x)] as [number, number]) },
        ];
      }),
    });
  }
  const es = Array.from({ length: 99 }, (_, k) => (k + 1) / 100);
  figs.push({
    id: 'cap-bound', title: 'Sphere lemma — the cap bound 2 exp(−d e²/2) against the exact P(|<x,y>| ≥ e)',
    caption: 'Exact probability from the Beta CDF and the bound, for d = 10 and d = 100; the bound is above the probability everywhere, by at least a factor 2.',
    x: { title: 'e' }, y: { title: 'probability', scale: 'log' },
    series: [10, 100].flatMap((d) => [
      { name: `exact P, d = ${d}`, mark: 'line' as const, points: es.map((e) => [e, capProbability(d, e)] as [number, number]).filter((p) => p[1] > 0) },
      { name: `bound 2exp(−de²/2), d = ${d}`, mark: 'line' as const, points: es.map((e) => [e, 2 * Math.exp((-d * e * e) / 2)] as [number, number]) },
    ]),
  });
  return figs;
}

/** The sphere lemma: statement, claims, figures. */
export const theorem = defineTheorem({
  statement, alpha: ALPHA,
  claims: [capClaim, halvedClaim, samplerClaim],
  figures: (claims: ClaimResult[], _ctx: ClaimContext) => ({ figures: sphereFigures(claims) }),
});
