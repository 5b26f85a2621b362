/**
 * The stratified one-sided Mann–Whitney test (van Elteren's test with equal stratum weights) behind
 * the paper's Section 7 batch-norm / skip-connection claim (Sankararaman et al., ICML 2020): within
 * each depth, runs with BN + skip are compared with runs with BN alone (or skip alone), and the
 * within-depth Mann–Whitney counts are summed, so that depth — which moves confusion a lot — is
 * not confounded with the variant. src/stats has the unstratified test (mannWhitney) and the
 * Jonckheere–Terpstra trend test; this file adds only the stratification.
 *
 * Statistic: U = Σ_s Σ_{i, j} ([y_sj > x_si] + ½[y_sj = x_si]), the claim being that y is
 * stochastically greater than x within every stratum s. Null law without ties: the convolution of
 * the per-stratum Mann–Whitney laws (src/stats/jonckheere.ts `mannWhitneyNullCounts`), exact.
 * With ties (or a law too large to build): a seeded Monte Carlo permutation test within strata,
 * p = (1 + #{permuted U ≥ observed}) / (1 + B), valid for any sample size.
 * Effect size: concordance = U / Σ_s m_s n_s (probability that a within-stratum pair is ordered as
 * claimed; 0.5 = no effect) and τ = 2·concordance − 1.
 */
import { mannWhitneyNullCounts } from '../stats/jonckheere.ts';
import { Rng } from '../rng.ts';

/** Result of {@link stratifiedMannWhitney}. */
export interface StratifiedResult {
  test: 'stratified Mann–Whitney';
  /** U as defined in the module doc (large supports the claim). */
  statistic: number;
  /** Σ_s m_s n_s: the number of compared pairs (U's maximum). */
  pairs: number;
  /** One-sided p = P(U ≥ observed | H0). */
  pValue: number;
  method: 'exact' | 'monte-carlo';
  concordance: number;
  tau: number;
  /** Observations used. */
  n: number;
  /** Strata with observations on both sides. */
  strata: number;
}

/** Largest U range for which the exact law is built (beyond: Monte Carlo). */
const EXACT_MAX_PAIRS = 20_000;
/** Permutations of the Monte Carlo p (standard error ≤ 0.0036). */
const MC_PERMUTATIONS = 20_000;

/** Within-stratum count of pairs with y > x, ties ½. */
function pairCount(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += b > a ? 1 : b === a ? 0.5 : 0;
  return u;
}

/** Law of a sum of independent integer-valued variables (convolution of their laws). */
function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j]! += a[i]! * b[j]!;
  return out;
}

/**
 * One-sided test that within each stratum `y` is stochastically greater than `x` (see the module
 * doc). Strata lacking one side are ignored.
 * @param opts.seed seed of the Monte Carlo permutations (used only with ties).
 * @throws RangeError when no stratum has both samples, or for a NaN observation.
 */
export function stratifiedMannWhitney(strata: readonly { x: readonly number[]; y: readonly number[] }[], opts: { seed?: number } = {}): StratifiedResult {
  const used = strata.filter((s) => s.x.length > 0 && s.y.length > 0);
  if (used.length === 0) throw new RangeError('stratifiedMannWhitney: no stratum with observations in both samples');
  for (const s of used) for (const v of [...s.x, ...s.y]) if (Number.isNaN(v)) throw new RangeError('stratifiedMannWhitney: NaN observation');
  const u = used.reduce((a, s) => a + pairCount(s.x, s.y), 0);
  const pairs = used.reduce((a, s) => a + s.x.length * s.y.length, 0);
  const n = used.reduce((a, s) => a + s.x.length + s.y.length, 0);
  const ties = used.some((s) => new Set([...s.x, ...s.y]).size < s.x.length + s.y.length);
  const out = (pValue: number, method: StratifiedResult['method']): StratifiedResult => ({
    test: 'stratified Mann–Whitney', statistic: u, pairs, pValue, method, concordance: u / pairs, tau: (2 * u) / pairs - 1, n, strata: used.length,
  });
  if (!ties && pairs <= EXACT_MAX_PAIRS) {
    // mannWhitneyNullCounts(r, s)[k] counts arrangements with k pairs (r-sample < s-sample): x = r, y = s.
    let law: Float64Array = Float64Array.of(1);
    for (const s of used) {
      const c = mannWhitneyNullCounts(s.x.length, s.y.length);
      const tot = c.reduce((a, v) => a + v, 0);
      law = convolve(law, c.map((v) => v / tot));
    }
    let p = 0;
    for (let k = Math.round(u); k < law.length; k++) p += law[k]!;
    return out(Math.min(1, p), 'exact');
  }
  const rng = new Rng(opts.seed ?? 1);
  let ge = 0;
  for (let r = 0; r < MC_PERMUTATIONS; r++) {
    let v = 0;
    for (const s of used) {
      const pool = [...s.x, ...s.y];
      const perm = rng.permutation(pool.length);
      v += pairCount(perm.slice(0, s.x.length).map((i) => pool[i]!), perm.slice(s.x.length).map((i) => pool[i]!));
    }
    if (v >= u - 1e-9) ge++;
  }
  return out((1 + ge) / (1 + MC_PERMUTATIONS), 'monte-carlo');
}
