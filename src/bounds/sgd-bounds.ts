/**
 * The bounds of Theorems 3.1 and 3.2 (../shared/paper/THEOREMS.md) and the variants the
 * counterexample search tries, as mathjs expressions (`BoundExpression`).
 *
 * Variables: N (components), L (A1), mu (A2), eta (confusion bound, Def. 2.1, valid on the path),
 * alpha (step), T (horizon), gap0 = F(w_0) − F* (Thm 3.1), gap1 = F(w_1) − F* (Thm 3.2, whose
 * iterates are numbered from 1). In Thm 3.1, 1 − ρ is written out in the denominator as
 * (2μ/N)(α − N L α²/2), so that α η/(1 − ρ) is evaluated without the cancellation of 1 − (1 − x)
 * when μ α is tiny; ρ^T is computed from ρ itself, whose relative error is a few ε.
 */
import { BoundExpression } from './bound-expression.ts';

const TEX: Record<string, string> = {
  mu: '\\mu', eta: '\\eta', alpha: '\\alpha', rho: '\\rho', N: '{N}', L: '{L}', T: '{T}',
  gap0: '\\left(F(w_0)-F^{*}\\right)',
  gap1: '\\left(F(w_1)-F^{*}\\right)',
};

/** Thm 3.1 hypothesis: α < 2/(N L). */
export const THM31_STEP = new BoundExpression('theorem-3-1/step', 'alpha < 2 / (N * L)', 'Thm 3.1 step-size condition α < 2/(NL)', TEX);

/** Hypothesis of the Thm 3.1 conjecture (tightening): α < 2/L instead of 2/(NL). */
export const THM31_WEAK_STEP = new BoundExpression('theorem-3-1/step-2-over-L', 'alpha < 2 / L', 'conjecture: step-size condition α < 2/L', TEX);

/** Thm 3.1: E[F(w_T) − F*] ≤ ρ^T (F(w_0) − F*) + α η / (1 − ρ), ρ = 1 − (2μ/N)(α − N L α²/2). */
export const THM31_BOUND = new BoundExpression(
  'theorem-3-1',
  'rho = 1 - (2 * mu / N) * (alpha - N * L * alpha^2 / 2)\nrho^T * gap0 + alpha * eta / ((2 * mu / N) * (alpha - N * L * alpha^2 / 2))',
  'Thm 3.1: ρ^T (F(w_0) − F*) + α η / (1 − ρ)',
  TEX,
);

/**
 * A natural strengthening of Thm 3.1 (searched by `gradconf tighten theorem-3-1`): the step may go
 * up to 2/L, with ρ built from α − Lα²/2 in place of α − NLα²/2:
 *   E[F(w_T) − F*] ≤ ρ^T (F(w_0) − F*) + α η/(1 − ρ),  ρ = 1 − (2μ/N)(α − Lα²/2),  α < 2/L.
 * For 0 < α < 2/L, α − Lα²/2 ∈ (0, 1/(2L)], so 1 − ρ ∈ (0, μ/(NL)] ⊂ (0, 1] (μ ≤ L for an L-smooth
 * PL function): ρ ∈ [0, 1) and the bound is positive whenever F(w_0) > F* or η > 0 — unlike the
 * printed formula taken beyond 2/(NL), whose ρ exceeds 1 and whose neighbourhood term is negative.
 * It is exact (equality at T = 1) for orthogonal rows of equal norm in least squares.
 */
export const THM31_CONJECTURE = new BoundExpression(
  'theorem-3-1/conjecture-2-over-L',
  'rho = 1 - (2 * mu / N) * (alpha - L * alpha^2 / 2)\nrho^T * gap0 + alpha * eta / ((2 * mu / N) * (alpha - L * alpha^2 / 2))',
  'conjecture: ρ^T (F(w_0) − F*) + α η / (1 − ρ), ρ = 1 − (2μ/N)(α − Lα²/2), α < 2/L',
  TEX,
);

/** Thm 3.1 without the α η/(1 − ρ) term (also the formula of "Thm 3.1 with η = 0"). */
export const THM31_NO_NEIGHBOURHOOD = new BoundExpression(
  'theorem-3-1/no-neighbourhood',
  'rho = 1 - (2 * mu / N) * (alpha - N * L * alpha^2 / 2)\nrho^T * gap0',
  'variant: ρ^T (F(w_0) − F*) (no neighbourhood term; = the bound with η = 0)',
  TEX,
);

/** Thm 3.2 hypothesis: α < 2/(N L). */
export const THM32_STEP = new BoundExpression('theorem-3-2/step', 'alpha < 2 / (N * L)', 'Thm 3.2 step-size condition α < 2/(NL)', TEX);

/** Thm 3.2, derived form: min_k E‖∇F(w_k)‖² ≤ ρ (F(w_1) − F*)/(α T) + ρ η, ρ = 2N/(2 − N L α). */
export const THM32_BOUND = new BoundExpression(
  'theorem-3-2',
  'rho = 2 * N / (2 - N * L * alpha)\nrho * gap1 / (alpha * T) + rho * eta',
  'Thm 3.2 (derived form): ρ (F(w_1) − F*)/(α T) + ρ η',
  TEX,
);

/** Thm 3.2 as printed in the text we could read: the first term without 1/α. */
export const THM32_PRINTED = new BoundExpression(
  'theorem-3-2/as-printed',
  'rho = 2 * N / (2 - N * L * alpha)\nrho * gap1 / T + rho * eta',
  'Thm 3.2 as printed: ρ (F(w_1) − F*)/T + ρ η',
  TEX,
);
