/**
 * The Jonckheere–Terpstra test for an ordered alternative across k ≥ 2 groups, the one-sided
 * trend test behind the paper's architecture claims (THEOREMS.md, Theorem 4.1: confusion falls
 * with width and rises with depth; Theorem 5.1: tails grow with depth; Theorem 6.1: confusion
 * falls with d). Mann–Whitney is the k = 2 case (src/stats/mann-whitney.ts).
 *
 * Statistic (Jonckheere 1954; Hollander & Wolfe, Nonparametric Statistical Methods, §6.2):
 * J = Σ_{a < b} Σ_{x ∈ group a, y ∈ group b} ([x < y] + ½[x = y]). Under H0 (all groups from one
 * continuous law) E J = (N² − Σ n_a²)/4 and, without ties,
 * Var J = (N²(2N + 3) − Σ n_a²(2n_a + 3))/72; with tie groups of sizes t_j the Hollander–Wolfe
 * correction is used (see `jtVariance`).
 *
 * p-values: exact when there are no ties and N ≤ EXACT_MAX_N — the null law of J is that of the
 * number of non-inversions of a random multiset permutation, whose generating function is the
 * q-multinomial coefficient, i.e. the convolution of the Mann–Whitney laws of group a against
 * the union of the later groups; otherwise the normal approximation without continuity
 * correction.
 *
 * Effect size: τ = (2J − P)/P with P = Σ_{a<b} n_a n_b, the Kendall-type concordance between
 * group order and value, in [−1, 1] (0 under H0; 1 when every later group lies entirely above).
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Largest pooled sample size for which exact p-values are computed (cost ~ N⁴/16 flops at worst). */
export const EXACT_MAX_N = 100;

/** Direction of the alternative: 'increasing' = later groups tend to larger values. */
export type TrendAlternative = 'increasing' | 'decreasing' | 'two-sided';

/** Result of {@link jonckheereTerpstra}. */
export interface JonckheereResult {
  test: 'Jonckheere–Terpstra';
  alternative: TrendAlternative;
  /** J as defined above (half-integers possible with ties). */
  statistic: number;
  mean: number;
  variance: number;
  /** (J − mean) / sd (0 when the variance is 0). */
  z: number;
  pValue: number;
  method: 'exact' | 'normal';
  /** Concordance effect τ = (2J − P)/P in [−1, 1]. */
  tau: number;
  /** P = Σ_{a<b} n_a n_b, the number of between-group pairs. */
  pairs: number;
  sizes: number[];
}

/**
 * Null counts of the Mann–Whitney count U = #{(x, y): x < y} for r x's and s y's (no ties):
 * entry u is the number of the C(r + s, r) arrangements with U = u (the coefficients of the
 * Gaussian binomial [r + s choose r]_q). Recurrence on the largest element: if it is a y it
 * exceeds all r x's, so N(u; r, s) = N(u − r; r, s − 1) + N(u; r − 1, s).
 */
export function mannWhitneyNullCounts(r: number, s: number): Float64Array {
  // rows[s'] holds N(·; r', s') for the current r'; start at r' = 0: one arrangement, U = 0.
  let prev: Float64Array[] = Array.from({ length: s + 1 }, () => Float64Array.of(1));
  for (let rr = 1; rr <= r; rr++) {
    const cur: Float64Array[] = [];
    for (let ss = 0; ss <= s; ss++) {
      const out = new Float64Array(rr * ss + 1);
      const a = prev[ss]!; // largest is an x: N(u; rr − 1, ss)
      for (let u = 0; u < a.length; u++) out[u]! += a[u]!;
      if (ss > 0) {
        const b = cur[ss - 1]!; // largest is a y: N(u − rr; rr, ss − 1)
        for (let u = 0; u < b.length; u++) out[u + rr]! += b[u]!;
      }
      cur.push(out);
    }
    prev = cur;
  }
  return prev[s]!;
}

function convolve(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length - 1);
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!;
    if (ai === 0) continue;
    for (let j = 0; j < b.length; j++) out[i + j]! += ai * b[j]!;
  }
  return out;
}

/** Exact null probabilities P(J = j), j = 0..P, for group sizes `sizes` (no ties). */
export function jonckheereNullDistribution(sizes: readonly number[]): Float64Array {
  let dist: Float64Array = Float64Array.of(1);
  let rest = sizes.reduce((a, b) => a + b, 0);
  for (let a = 0; a < sizes.length - 1; a++) {
    rest -= sizes[a]!;
    const c = mannWhitneyNullCounts(sizes[a]!, rest);
    let tot = 0;
    for (const v of c) tot += v;
    dist = convolve(dist, c.map((v) => v / tot));
  }
  return dist;
}

/**
 * Var J under H0 with tie correction (Hollander & Wolfe 1999, eq. 6.19), for group sizes n_a,
 * pooled size N and tie-group sizes t_j:
 * [N(N−1)(2N+5) − Σ n(n−1)(2n+5) − Σ t(t−1)(2t+5)]/72
 * + [Σ n(n−1)(n−2)][Σ t(t−1)(t−2)] / [36 N(N−1)(N−2)] + [Σ n(n−1)][Σ t(t−1)] / [8 N(N−1)].
 */
export function jtVariance(sizes: readonly number[], ties: readonly number[]): number {
  const N = sizes.reduce((a, b) => a + b, 0);
  const s = (xs: readonly number[], f: (v: number) => number) => xs.reduce((acc, v) => acc + f(v), 0);
  let v = (N * (N - 1) * (2 * N + 5) - s(sizes, (n) => n * (n - 1) * (2 * n + 5)) - s(ties, (t) => t * (t - 1) * (2 * t + 5))) / 72;
  if (N > 2) v += (s(sizes, (n) => n * (n - 1) * (n - 2)) * s(ties, (t) => t * (t - 1) * (t - 2))) / (36 * N * (N - 1) * (N - 2));
  if (N > 1) v += (s(sizes, (n) => n * (n - 1)) * s(ties, (t) => t * (t - 1))) / (8 * N * (N - 1));
  return Math.max(0, v);
}

/** J = Σ_{a<b} Σ ([x < y] + ½[x = y]) over x in group a, y in group b (O(N log N) per pair of groups). */
export function jonckheereStatistic(groups: readonly (readonly number[])[]): number {
  let j = 0;
  for (let a = 0; a < groups.length; a++) {
    const xs = [...groups[a]!].sort((p, q) => p - q);
    for (let b = a + 1; b < groups.length; b++) {
      for (const y of groups[b]!) {
        // count x < y and x = y by binary search
        let lo = 0;
        let hi = xs.length;
        while (lo < hi) { const m = (lo + hi) >> 1; if (xs[m]! < y) lo = m + 1; else hi = m; }
        let eq = lo;
        while (eq < xs.length && xs[eq] === y) eq++;
        j += lo + 0.5 * (eq - lo);
      }
    }
  }
  return j;
}

/**
 * Jonckheere–Terpstra test of H0 "all groups have one law" against a monotone trend in the
 * given order of groups.
 * @param groups k ≥ 2 samples, in the hypothesized order (e.g. increasing width)
 * @param alternative 'increasing' (default): later groups larger; 'decreasing'; 'two-sided'
 * @throws RangeError with fewer than two non-empty groups or NaN values.
 */
export function jonckheereTerpstra(groups: readonly (readonly number[])[], alternative: TrendAlternative = 'increasing'): JonckheereResult {
  const gs = groups.filter((g) => g.length > 0);
  if (gs.length < 2) throw new RangeError('jonckheereTerpstra: need at least two non-empty groups');
  const sizes = gs.map((g) => g.length);
  const all = gs.flat();
  all.forEach((v, i) => { if (Number.isNaN(v)) throw new RangeError(`jonckheereTerpstra: value ${i} is NaN`); });
  const N = all.length;
  const sorted = [...all].sort((a, b) => a - b);
  const ties: number[] = [];
  for (let i = 0; i < N;) { let j = i; while (j + 1 < N && sorted[j + 1] === sorted[i]) j++; if (j > i) ties.push(j - i + 1); i = j + 1; }
  const J = jonckheereStatistic(gs);
  let P = 0;
  for (let a = 0; a < sizes.length; a++) for (let b = a + 1; b < sizes.length; b++) P += sizes[a]! * sizes[b]!;
  const mean = P / 2; // = (N² − Σ n²)/4
  const variance = jtVariance(sizes, ties);
  const sd = Math.sqrt(variance);
  const z = sd > 0 ? (J - mean) / sd : 0;
  let pUpper: number;
  let pLower: number;
  let method: 'exact' | 'normal';
  if (ties.length === 0 && N <= EXACT_MAX_N) {
    method = 'exact';
    const dist = jonckheereNullDistribution(sizes);
    const jInt = Math.round(J);
    let up = 0;
    for (let t = jInt; t < dist.length; t++) up += dist[t]!;
    let lo = 0;
    for (let t = 0; t <= jInt && t < dist.length; t++) lo += dist[t]!;
    pUpper = Math.min(1, up);
    pLower = Math.min(1, lo);
  } else {
    method = 'normal';
    // Φ(−z) rather than 1 − Φ(z): no cancellation in the upper tail.
    pUpper = sd > 0 ? normalCdf(-z, 0, 1) : 1;
    pLower = sd > 0 ? normalCdf(z, 0, 1) : 1;
  }
  const pValue = alternative === 'increasing' ? pUpper : alternative === 'decreasing' ? pLower : Math.min(1, 2 * Math.min(pUpper, pLower));
  return { test: 'Jonckheere–Terpstra', alternative, statistic: J, mean, variance, z, pValue, method, tau: P > 0 ? (2 * J - P) / P : 0, pairs: P, sizes };
}

/**
 * Smallest concordance effect τ a one-sided Jonckheere–Terpstra test at level α detects with
 * probability `power`, by the normal approximation with the null variance (no ties):
 * τ_min = 2 (z_{1−α} + z_{power}) sd₀ / P. (Assumes the variance under the alternative is close to
 * the null variance, which holds for small effects; larger effects are detected with higher power.)
 */
export function jtMinDetectableTau(sizes: readonly number[], alpha: number, power = 0.8): number {
  let P = 0;
  for (let a = 0; a < sizes.length; a++) for (let b = a + 1; b < sizes.length; b++) P += sizes[a]! * sizes[b]!;
  const sd = Math.sqrt(jtVariance(sizes, []));
  return Math.min(1, (2 * (normalQuantile(1 - alpha, 0, 1) + normalQuantile(power, 0, 1)) * sd) / P);
}
