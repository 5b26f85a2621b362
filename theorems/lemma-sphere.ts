/**
 * Sphere lemma (THEOREMS.md, "Section 2 examples") — the concentration fact behind the paper's
 * data model: for x, y independent and uniform on S^{d−1} and t = <x, y>,
 *   (1 + t)/2 ~ Beta((d−1)/2, (d−1)/2) exactly, and the cap bound P(|t| ≥ e) ≤ 2 exp(−d e²/2).
 *
 * Two checks, two kinds:
 * 1. exact — the cap bound, as a property over d ∈ [2, 4096] and e ∈ (0, 1), with the left side
 *    computed exactly from the Beta law: by the symmetry of Beta(a, a),
 *    P(|t| ≥ e) = 2 P(B ≤ (1 − e)/2) = 2 I_{(1−e)/2}(a, a), a = (d − 1)/2 (stdlib's Beta CDF;
 *    no 1 − CDF cancellation). Tolerance: the CDF's relative error (≲ 1e-14) — we allow
 *    CDF_REL_TOL = 1e-12. Where the bound 2 exp(−d e²/2) is below 1e-290 (d e² > ~1330) neither
 *    side is representable as a double; there the check is done in log space with the rigorous
 *    upper bound I_x(a, a) ≤ x (x(1 − x))^{a−1} / B(a, a) (valid for a ≥ 1, x ≤ 1/2: the integrand
 *    (u(1 − u))^{a−1} increases on [0, 1/2]), and B(a, a) from our lnGamma.
 * 2. statistical — the sampler src/data/sphere.ts matches the exact law: one-sample KS of
 *    (1 + <x_i, y_i>)/2 over independent pairs against the Beta((d−1)/2, (d−1)/2) CDF, for several
 *    d, Holm across the d's at family-wise false-alarm rate ALPHA_SAMPLER = 0.01 (fixed seeds).
 *    Power: any law with sup-distance ≥ `minDetectable` from the exact one is rejected with
 *    probability ≥ 0.8 (src/stats/ks.ts ksOneSampleMinDetectable).
 */
import fc from 'fast-check';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { sampleSphere } from '../src/data/sphere.ts';
import { ksOneSample, ksOneSampleMinDetectable } from '../src/stats/ks.ts';
import { holm } from '../src/stats/multiple.ts';
import { lnBeta } from '../src/stats/special.ts';
import { slackOf, type RunOptions, type TheoremEntry, type TheoremResult, type Verdict } from './verdict.ts';

/** The result as data. */
export const statement = {
  id: 'lemma-sphere',
  title: 'Sphere lemma: (1 + <x,y>)/2 ~ Beta((d−1)/2, (d−1)/2) and P(|<x,y>| ≥ e) ≤ 2 exp(−d e²/2)',
  wording: 'For x, y independent uniform on S^{d−1}, t = <x, y>: (1 + t)/2 ~ Beta((d−1)/2, (d−1)/2) exactly, and P(|t| ≥ e) ≤ 2 exp(−d e²/2).',
  hypotheses: ['x, y independent and uniform on S^{d−1}', 'd ≥ 2', '0 < e < 1'],
  bound: '2 * betainc((1 - e) / 2, (d - 1) / 2, (d - 1) / 2) <= 2 * exp(-d * e^2 / 2)',
  version: 'ICML 2020 (final), Section 2 (standard cap bound)',
  confidence: 'sure',
  kind: 'exact' as const,
};

/** Relative accuracy allowed for stdlib's Beta CDF in the exact comparison. */
export const CDF_REL_TOL = 1e-12;
/** Family-wise false-alarm rate of the sampler check (Holm over the dimensions tested). */
export const ALPHA_SAMPLER = 0.01;
/** Below this the bound is not a normal double comparison target; switch to log space. */
const LOG_SPACE_BELOW = 1e-290;

/** A cap-bound instance. */
export interface CapParams { d: number; e: number }

/** Instances: d ∈ [2, 4096], e ∈ (0, 1) (open: both ends excluded). */
export const capArbitrary: fc.Arbitrary<CapParams> = fc.record({
  d: fc.integer({ min: 2, max: 4096 }),
  e: fc.double({ min: 0, max: 1, minExcluded: true, maxExcluded: true, noNaN: true }),
});

/** P(|<x, y>| ≥ e) on S^{d−1}, exactly: 2 I_{(1−e)/2}((d−1)/2, (d−1)/2). */
export function capProbability(d: number, e: number): number {
  const a = (d - 1) / 2;
  return Math.min(1, 2 * betaCdf((1 - e) / 2, a, a));
}

/** Check the cap bound at (d, e); measured = P (or its log-space upper bound), bound = 2 exp(−d e²/2). */
export function checkCap(p: CapParams): Verdict {
  const { d, e } = p;
  const bound = 2 * Math.exp((-d * e * e) / 2);
  if (bound >= LOG_SPACE_BELOW) {
    const prob = capProbability(d, e);
    const holds = prob <= bound * (1 + CDF_REL_TOL);
    return { holds, measured: { probability: prob, ratio: prob / bound, logSpace: 0 }, bound, slack: slackOf(prob, bound) };
  }
  const a = (d - 1) / 2;
  const x = (1 - e) / 2;
  // ln P ≤ ln 2 + ln x + (a − 1) ln(x(1 − x)) − ln B(a, a)   (a ≥ 1 here: d e² > 1330 needs d > 1330)
  const logUpper = Math.LN2 + Math.log(x) + (a - 1) * Math.log(x * (1 - x)) - lnBeta(a, a);
  const logBound = Math.LN2 - (d * e * e) / 2;
  const holds = a >= 1 && logUpper <= logBound;
  return { holds, measured: { logProbabilityUpper: logUpper, logBound, logSpace: 1 }, bound, slack: (logBound - logUpper) / Math.abs(logBound) };
}

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

/** One dimension's KS check of the sampler. */
export interface SamplerCheck { d: number; pairs: number; seed: number; statistic: number; pValue: number; minDetectable: number }

/** KS test of (1 + t)/2 against Beta((d−1)/2, (d−1)/2) for one dimension d ≥ 2. */
export function checkSampler(d: number, pairs: number, seed: number, sampler?: (n: number, d: number, seed: number) => Float64Array): SamplerCheck {
  const t = innerProducts(d, pairs, seed, sampler);
  const a = (d - 1) / 2;
  const u = Array.from(t, (v) => (1 + v) / 2);
  const r = ksOneSample(u, (z) => betaCdf(z, a, a));
  return { d, pairs, seed, statistic: r.statistic, pValue: r.pValue, minDetectable: ksOneSampleMinDetectable(pairs, ALPHA_SAMPLER) };
}

/** The dimensions of the sampler check. */
export const SAMPLER_DIMS = [2, 3, 5, 10, 50, 200, 1000];

/** Sampler checks for SAMPLER_DIMS with Holm at ALPHA_SAMPLER; seed of dimension k = seed + k. */
export function samplerFamily(pairs: number, seed: number, sampler?: (n: number, d: number, seed: number) => Float64Array) {
  const checks = SAMPLER_DIMS.map((d, k) => checkSampler(d, pairs, (seed + 7919 * (k + 1)) | 0, sampler));
  const h = holm(checks.map((c) => c.pValue), ALPHA_SAMPLER);
  return { checks: checks.map((c, i) => ({ ...c, pAdjusted: h.adjusted[i]!, rejected: h.rejected[i]! })), rejected: h.rejected.some((r) => r) };
}

/** Registry entry for `gradconf verify` (quick: 5,000 cap instances and 4,000 pairs per d; full: 100,000 and 50,000). */
export const entry: TheoremEntry = {
  id: statement.id,
  title: statement.title,
  kind: 'exact',
  async run(opts: RunOptions): Promise<TheoremResult> {
    const t0 = performance.now();
    const numRuns = opts.budget === 'full' ? 100_000 : 5_000;
    const pairs = opts.budget === 'full' ? 50_000 : 4_000;
    let minSlack = Infinity;
    let maxRatio = 0;
    let logSpace = 0;
    let failure: Verdict | undefined;
    let done = 0;
    const total = numRuns + SAMPLER_DIMS.length;
    // Edge instances first (fast-check's `examples`): both ends of d and of e.
    const examples: [CapParams][] = [[{ d: 2, e: 1e-300 }], [{ d: 2, e: 1 - 2 ** -53 }], [{ d: 4096, e: 1e-300 }], [{ d: 4096, e: 1 - 2 ** -53 }], [{ d: 4096, e: 0.5 }], [{ d: 3, e: 0.5 }]];
    const out = fc.check(fc.property(capArbitrary, (p) => {
      const v = checkCap(p);
      if (++done % 500 === 0) opts.progress?.(done, total);
      minSlack = Math.min(minSlack, v.slack);
      if (v.measured.ratio !== undefined) maxRatio = Math.max(maxRatio, v.measured.ratio);
      logSpace += v.measured.logSpace ?? 0;
      if (!v.holds) failure = v;
      return v.holds;
    }), { seed: opts.seed, numRuns, examples });
    const sampler = samplerFamily(pairs, opts.seed);
    opts.progress?.(total, total);
    const capHolds = !out.failed;
    return {
      id: statement.id, title: statement.title, kind: 'exact', holds: capHolds && !sampler.rejected, instances: out.numRuns + SAMPLER_DIMS.length,
      details: {
        minSlack,
        claims: [
          { name: 'cap bound P(|t| ≥ e) ≤ 2 exp(−d e²/2) (exact, via the Beta CDF)', kind: 'exact', holds: capHolds, instances: out.numRuns, logSpaceInstances: logSpace,
            tolerance: `relative ${CDF_REL_TOL} for the Beta CDF; log-space upper bound where 2exp(−de²/2) < ${LOG_SPACE_BELOW}`,
            maxRatioProbabilityToBound: maxRatio,
            note: `the largest P/bound seen is ${maxRatio.toFixed(4)}: the factor 2 in front of exp(−d e²/2) is never needed on the instances searched` },
          { name: 'sampler law (1 + <x,y>)/2 ~ Beta((d−1)/2, (d−1)/2)', kind: 'statistical', holds: !sampler.rejected,
            test: { name: `one-sample Kolmogorov–Smirnov (exact p), Holm over d ∈ {${SAMPLER_DIMS.join(', ')}}`, alpha: ALPHA_SAMPLER },
            pairsPerDimension: pairs, checks: sampler.checks },
        ],
        ...(out.failed ? { counterexample: out.counterexample, path: out.counterexamplePath, failure } : {}),
      },
      seed: opts.seed, ms: performance.now() - t0,
    };
  },
};
