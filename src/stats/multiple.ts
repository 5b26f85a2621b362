/**
 * Multiple-testing corrections (DESIGN.md: statistical claims carry a false-alarm rate; when many
 * configurations or regimes are tested at once the family-wise rate is controlled here).
 *
 * - Bonferroni: reject H_i when m·p_i ≤ α; adjusted p = min(1, m p_i).
 * - Holm (1979) step-down: sort p ascending, reject p_(j) while p_(j) ≤ α/(m − j + 1) (j = 1..m);
 *   adjusted p_(j) = max_{i ≤ j} min(1, (m − i + 1) p_(i)). Controls the family-wise error rate
 *   at α under any dependence, and is uniformly more powerful than Bonferroni.
 */

/** Outcome of a multiple-testing correction, in the input order. */
export interface MultipleTestResult {
  /** Adjusted p-values (reject H_i at family-wise level α iff adjusted_i ≤ α). */
  adjusted: number[];
  rejected: boolean[];
  alpha: number;
  method: 'bonferroni' | 'holm';
}

function checkP(p: readonly number[], alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1) (got ${alpha})`);
  p.forEach((v, i) => { if (!(v >= 0 && v <= 1)) throw new RangeError(`p-value ${i} is not in [0, 1] (got ${v})`); });
}

/** Bonferroni correction of m p-values at family-wise level α. */
export function bonferroni(p: readonly number[], alpha: number): MultipleTestResult {
  checkP(p, alpha);
  const m = p.length;
  const adjusted = p.map((v) => Math.min(1, v * m));
  return { adjusted, rejected: adjusted.map((v) => v <= alpha), alpha, method: 'bonferroni' };
}

/** Holm's step-down correction of m p-values at family-wise level α. */
export function holm(p: readonly number[], alpha: number): MultipleTestResult {
  checkP(p, alpha);
  const m = p.length;
  const order = p.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(([v, i], j) => {
    running = Math.max(running, Math.min(1, (m - j) * v));
    adjusted[i] = running;
  });
  return { adjusted, rejected: adjusted.map((v) => v <= alpha), alpha, method: 'holm' };
}
