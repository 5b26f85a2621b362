/**
 * Synthetic results for the report tests (titled "Synthetic …": their numbers are made up, so
 * that a screenshot of them is never mistaken for a verdict on the paper), written by hand to the types of src/claims/claim.ts
 * and src/claims/figure.ts (not produced by the code under test): one result of each shape a
 * reviewer meets — an exact claim that holds with its own figures (log axes, integer ticks), an
 * exact claim that FAILS with a counterexample, a statistical finding with effects vs smallest
 * detectable effects, trend regimes (holds, reversed = finding, no confusion), and constants
 * with confidence intervals for two tail forms.
 */
import type { ClaimResult, TheoremResult } from '../claims/claim.ts';
import type { FigureData } from '../claims/figure.ts';
import type { ResultStatement } from './html.ts';
import type { TrendOutcome } from '../stats/trend.ts';

const outcome = (o: Partial<TrendOutcome> & Pick<TrendOutcome, 'tau' | 'pValue' | 'pAdjusted' | 'medians' | 'sizes' | 'verdict' | 'direction'>): TrendOutcome => ({
  test: `Jonckheere–Terpstra, one-sided (${o.direction}), Holm over 3 regime(s) of this result`, alpha: 0.05, statistic: 1234, z: 2.1, method: 'normal',
  reversePValue: 1 - o.pValue, reverseAdjusted: Math.min(1, 3 * (1 - o.pValue)), minDetectableTau: 0.11, ...o,
});

const sphereFigures: FigureData[] = [
  {
    id: 'cap-bound', title: 'Cap probability vs the bound 2 exp(−d e²/2)', caption: 'P(|⟨u, v⟩| > e) for uniform u, v on S^{d−1} (exact, regularized incomplete beta) and the bound, d = 16.',
    x: { title: 'threshold e' }, y: { title: 'probability (log scale)', scale: 'log' },
    series: [
      { name: 'exact cap probability', mark: 'line', points: Array.from({ length: 20 }, (_, i) => { const e = 0.05 * (i + 1); return [e, 2 * Math.exp(-16 * e * e / 1.6)] as [number, number]; }) },
      { name: 'bound 2 exp(−d e²/2)', mark: 'line', points: Array.from({ length: 20 }, (_, i) => { const e = 0.05 * (i + 1); return [e, Math.min(2, 2 * Math.exp(-16 * e * e / 2))] as [number, number]; }) },
    ],
  },
  {
    id: 'density', title: 'Empirical vs Beta density of ⟨u, v⟩', caption: 'Histogram of 4000 inner products (bars) and the density of 2·Beta((d−1)/2, (d−1)/2) − 1 (line), d = 16.',
    x: { title: 'inner product ⟨u, v⟩' }, y: { title: 'density' },
    series: [
      { name: 'empirical (4000 pairs)', mark: 'bar', points: Array.from({ length: 24 }, (_, i) => { const x = -0.6 + 0.05 * i; return [x, 1.55 * Math.exp(-7.5 * x * x) * (1 + 0.06 * Math.sin(7 * i))] as [number, number]; }) },
      { name: 'Beta density', mark: 'line', points: Array.from({ length: 49 }, (_, i) => { const x = -0.6 + 0.025 * i; return [x, 1.55 * Math.exp(-7.5 * x * x)] as [number, number]; }) },
    ],
  },
];

const depthFigure: FigureData = {
  id: 'tightest', title: 'Measured vs bound over k on the tightest instance', caption: 'E[F(w_k) − F*] (exact moments) and the bound, log scale.',
  x: { title: 'iteration k', integer: true }, y: { title: 'E[F(w_k) − F*] (log scale)', scale: 'log' },
  series: [
    { name: 'measured', mark: 'line', points: Array.from({ length: 9 }, (_, k) => [k, 0.8 * 0.5 ** k + 1e-4] as [number, number]) },
    { name: 'bound', mark: 'line', points: Array.from({ length: 9 }, (_, k) => [k, 0.8 * 0.6 ** k + 3e-4] as [number, number]) },
    // a zero the log axis cannot show: left out, and counted in the caption
    { name: 'measured', mark: 'point', points: [[9, 0]] },
  ],
};

export const FIXTURE_STATEMENTS: Record<string, ResultStatement> = {
  'lemma-fixture': {
    wording: 'For u, v uniform on S^{d−1}: P(|⟨u, v⟩| > e) ≤ 2 exp(−d e²/2) for every e ∈ (0, 1).',
    hypotheses: ['u, v independent and uniform on S^{d−1}', 'd >= 2'],
    bound: '2 * betainc((1 - e) / 2, (d - 1) / 2, (d - 1) / 2) <= 2 * exp(-d * e^2 / 2)',
    version: 'ICML 2020 (final), Lemma 1', confidence: 'sure',
  },
  'sgd-fixture': {
    wording: 'If every f_i is L-smooth (A1), μ-PL (A2), and ⟨∇f_i(w), ∇f_j(w)⟩ ≥ −η along the SGD path, then for α < 2/(NL): E[F(w_T) − F*] ≤ ρ^T (F(w_0) − F*) + αη/(1 − ρ).',
    hypotheses: ['A1: every f_i is L-smooth', 'alpha < 2 / (N * L)'],
    bound: 'rho = 1 - (2 * mu / N) * (alpha - N * L * alpha^2 / 2)\nrho^T * gap0 + alpha * eta / ((2 * mu / N) * (alpha - N * L * alpha^2 / 2))',
    version: 'ICML 2020 (final), Theorem 3.1', confidence: 'sure',
  },
  'confusion-fixture': {
    wording: 'At Strategy 4.1 initialization, confusion falls with width and grows with depth: P(η > e) ≤ N² exp(−c (l d + l² β) e² / (16 ζ₀⁴ (β+2)⁴)).',
    hypotheses: ['Strategy 4.1 initialization', 'x_i uniform on S^{d−1}'],
    bound: 'N^2 * exp(-c2 * (l d + l^2 beta) * eta^2 / (16 zeta0^4 (beta + 2)^4)); ICLR: d instead of l d + l^2 beta',
    version: 'ICML 2020 (final), Theorem 4.1', confidence: 'medium',
  },
};

const exactHolds: ClaimResult = {
  id: 'cap-bound', kind: 'exact', verdict: 'holds', source: 'paper', ms: 812, statement: 'P(|⟨u, v⟩| > e) ≤ 2 exp(−d e²/2) for d ∈ {2,…,400}, e ∈ (0, 1)',
  holds: true, instances: 500, minSlack: 0.0123, degenerate: 3, tolerance: 'relative 1e-12 (float64 betainc)',
};

const exactFails: ClaimResult = {
  id: 'linear-rate', kind: 'exact', verdict: 'fails', source: 'paper', ms: 2310, statement: 'E[F(w_T) − F*] ≤ ρ^T (F(w_0) − F*) + αη/(1 − ρ) on every instance',
  holds: false, instances: 37, minSlack: -0.42, tolerance: '1e-9 relative (exact moments)',
  counterexample: [{ family: 'ls-noisy', N: 3, d: 2, T: 4, alpha: 0.21, seed: 90211 }], path: '36:2:0',
  failure: { holds: false, measured: { measured: 0.731, k: 4 }, bound: 0.514, slack: -0.42 },
};

const stepHolds: ClaimResult = {
  id: 'step-condition', kind: 'exact', verdict: 'holds', source: 'derived', ms: 3, statement: 'alpha < 2 / (N * L)',
  holds: true, instances: 37, minSlack: 0.2, tolerance: 'exact (rational)',
};

const statFinding: ClaimResult = {
  id: 'eta-law', kind: 'statistical', verdict: 'rejected', source: 'paper', ms: 4100, alpha: 0.05, correction: 'Holm over the 4 statistical test(s) of this result', instances: 1600,
  statement: 'the law of η/(β+1) is the same at depths 1, 2, 4, 8 as at depth 0',
  tests: [1, 2, 4, 8].map((b, k) => ({
    label: `η/(β+1): depth ${b} vs depth 0`, test: 'two-sample Kolmogorov–Smirnov (exact)', statistic: [0.05, 0.09, 0.21, 0.33][k]!, pValue: [0.62, 0.07, 2e-6, 1e-12][k]!,
    pAdjusted: [0.62, 0.14, 6e-6, 4e-12][k]!, rejected: k >= 2, effect: [0.05, 0.09, 0.21, 0.33][k]!, minDetectable: 0.115, n: 400,
  })),
};

const trendMixed: ClaimResult = {
  id: 'eta-falls-with-width', kind: 'trend', verdict: 'mixed', direction: 'decreasing', source: 'paper', ms: 9000, alpha: 0.05,
  correction: 'Holm over the tested trend regimes of this result, each direction', measure: 'η (raw)', instances: 1800,
  statement: 'raw η falls as the width l grows (l ∈ {8, 16, 32, 64, 128}, depth 2)',
  regimes: [
    { label: 'κ=1 relu', levels: [8, 16, 32, 64, 128], verdict: 'holds', outcome: outcome({ direction: 'decreasing', tau: -0.41, pValue: 1e-9, pAdjusted: 3e-9, medians: [2.1, 1.2, 0.61, 0.33, 0.17], sizes: [120, 120, 120, 120, 120], verdict: 'holds' }) },
    { label: 'κ=2 tanh', levels: [8, 16, 32, 64, 128], verdict: 'reversed', outcome: outcome({ direction: 'decreasing', tau: 0.18, pValue: 0.998, pAdjusted: 1, reverseAdjusted: 4e-4, medians: [0.011, 0.014, 0.02, 0.027, 0.041], sizes: [120, 120, 120, 120, 120], verdict: 'reversed' }) },
    { label: 'κ=1 linear (square loss)', levels: [8, 16, 32, 64, 128], verdict: 'no confusion in this regime' },
  ],
};

const trendDepth: ClaimResult = {
  id: 'eta-grows-with-depth', kind: 'trend', verdict: 'holds', direction: 'increasing', source: 'paper', ms: 7000, alpha: 0.05,
  correction: 'Holm over the tested trend regimes of this result, each direction', measure: 'min cosine', instances: 600,
  statement: 'confusion grows with depth β ∈ {1, 2, 3, 4, 6}',
  regimes: [{ label: 'κ=1 relu', levels: [1, 2, 3, 4, 6], verdict: 'holds', outcome: outcome({ direction: 'increasing', tau: 0.22, pValue: 1e-4, pAdjusted: 2e-4, medians: [-0.31, -0.36, -0.4, -0.43, -0.47], sizes: [120, 120, 120, 120, 120], verdict: 'holds' }) }],
};

const base = { seed: 7, budget: 'quick' as const };

export const FIXTURE_RESULTS: TheoremResult[] = [
  {
    ...base, id: 'lemma-fixture', title: 'Synthetic A — sphere lemma shape: an exact claim that holds, two figures', kinds: ['exact'], kind: 'exact', holds: true, findings: [], instances: 500, ms: 812,
    claims: [exactHolds], details: { figures: sphereFigures },
  },
  {
    ...base, id: 'sgd-fixture', title: 'Synthetic B — Theorem 3.1 shape: an exact claim that FAILS, with its counterexample', kinds: ['exact'], kind: 'exact', holds: false, findings: [], instances: 74, ms: 2313,
    claims: [stepHolds, exactFails], details: { figures: [depthFigure] },
  },
  {
    ...base, id: 'confusion-fixture', title: 'Synthetic C — Theorem 4.1 shape: a statistical finding, a reversed trend regime, constants', kinds: ['statistical', 'trend'], kind: 'statistical', holds: true, findings: ['eta-law', 'eta-falls-with-width'], instances: 4000, ms: 20100,
    claims: [statFinding, trendMixed, trendDepth],
    details: {
      constants: [
        { form: 'printed: N² exp(−c₂ (l d + l² β) e² / (16 ζ₀⁴ (β+2)⁴))', cHat: 0.0213, ci: [0.0171, 0.0266], cells: 212 },
        { form: 'ICLR: N² exp(−c₂ d e² / (16 ζ₀⁴ (β+2)⁴))', cHat: 1.94, ci: [1.52, 2.41], cells: 212 },
      ],
      figures: [],
    },
  },
];
