// Edge cases and exact small values for src/stats, each derived by hand (or by brute-force
// enumeration in the test itself) — the cases the other test files leave open.
import { describe, expect, it } from 'vitest';
import { clopperPearson } from './binomial.ts';
import { bonferroni, holm } from './multiple.ts';
import { midRanks } from './ranks.ts';
import { mannWhitney, mwMinDetectableDelta } from './mann-whitney.ts';
import { jonckheereStatistic, jonckheereTerpstra, jtMinDetectableTau, jtVariance } from './jonckheere.ts';
import { median, trendFamily } from './trend.ts';
import { kolmogorovQ, ksOneSampleMinDetectable, ksTwoSample, ksTwoSampleCritical, ksTwoSamplePValue } from './ks.ts';
import { ols, solve } from './regression.ts';
import { fCdf, invertIncreasing, lnGamma } from './special.ts';
import { cellConstant, compareForms, estimateTailConstant, logTailRate, tailCells, type FormPoint } from './tail.ts';

// Normal quantiles (tables): z_0.95, z_0.975, z_0.8, z_0.9.
const Z95 = 1.6448536269514722;
const Z975 = 1.959963984540054;
const Z80 = 0.8416212335729143;
const Z90 = 1.2815515655446004;

describe('clopperPearson one-sided ends', () => {
  it('an upper bound has lower = 0 and a lower bound has upper = 1 whatever k', () => {
    const u = clopperPearson(3, 10, 0.95, 'upper');
    expect(u.lower).toBe(0);
    expect(u.side).toBe('upper');
    expect(u.upper).toBeGreaterThan(0.3);
    const l = clopperPearson(3, 10, 0.95, 'lower');
    expect(l.upper).toBe(1);
    expect(l.lower).toBeGreaterThan(0);
    expect(l.lower).toBeLessThan(0.3);
    expect(l.level).toBe(0.95);
  });
});

describe('Holm and Bonferroni at the boundary', () => {
  it('adjusted p = α is rejected (≤, not <); methods named', () => {
    expect(holm([0.05], 0.05).rejected).toEqual([true]);
    expect(bonferroni([0.025, 0.025], 0.05).rejected).toEqual([true, true]); // 2·0.025 = 0.05
    expect(holm([0.05], 0.05).method).toBe('holm');
    expect(bonferroni([0.05], 0.05).method).toBe('bonferroni');
  });
});

describe('ranks, median', () => {
  it('midRanks of an unsorted sample with a tie', () => {
    const r = midRanks([30, 10, 20, 20, 5]);
    expect(Array.from(r.ranks)).toEqual([5, 2, 3.5, 3.5, 1]);
    expect(r.ties).toEqual([2]);
    expect(midRanks([2, 2, 2, 1]).ties).toEqual([3]);
    expect(Array.from(midRanks([2, 2, 2, 1]).ranks)).toEqual([3, 3, 3, 1]);
  });
  it('median of an empty sample is NaN', () => {
    expect(median([])).toBeNaN();
    expect(median([5])).toBe(5);
  });
});

describe('Mann–Whitney fields', () => {
  it('x = (5), y = (1, 2, 3, 10): U = 3, superiority 3/4, Cliff δ 1/2; default two-sided', () => {
    const r = mannWhitney([5], [1, 2, 3, 10]);
    expect(r.test).toBe('Mann–Whitney');
    expect(r.alternative).toBe('two-sided');
    expect(r.statistic).toBe(3);
    expect(r.superiority).toBe(0.75);
    expect(r.cliffDelta).toBe(0.5);
    // one-sided 'greater': P(U ≥ 3) over the 5 equally likely ranks of x: U ∈ {0..4} → 2/5
    expect(mannWhitney([5], [1, 2, 3, 10], 'greater').pValue).toBeCloseTo(0.4, 14);
    expect(mannWhitney([5], [1, 2, 3, 10], 'less').pValue).toBeCloseTo(0.8, 14); // P(U ≤ 3) = 4/5
    expect(r.pValue).toBeCloseTo(0.8, 14); // 2·min(0.4, 0.8)
  });
  it('mwMinDetectableDelta: 2(z_{1−α} + z_power)·sd₀/P with Var₀ = n_x n_y (N + 1)/12', () => {
    // n_x = n_y = 20: Var = 400·41/12, P = 400
    expect(mwMinDetectableDelta(20, 20, 0.05)).toBeCloseTo((2 * (Z95 + Z80) * Math.sqrt((400 * 41) / 12)) / 400, 10);
    // n_x = 10, n_y = 30: Var = 300·41/12, P = 300; power 0.9
    expect(mwMinDetectableDelta(10, 30, 0.05, 0.9)).toBeCloseTo((2 * (Z95 + Z90) * Math.sqrt((300 * 41) / 12)) / 300, 10);
  });
});

describe('Jonckheere–Terpstra details', () => {
  it('J sorts the earlier group itself (binary search on unsorted input)', () => {
    expect(jonckheereStatistic([[3, 1, 2], [2.5]])).toBe(2);
    expect(jonckheereStatistic([[3, 1, 2], [2, 0.5]])).toBe(1.5); // y = 2: 1 below, one tie; y = 0.5: none
  });
  it('ties found in an unsorted pooled sample: normal method with the hand-computed tie variance', () => {
    // groups (2, 0, 1) < (1, 0): ties 0 ×2, 1 ×2; N = 5, n = (3, 2)
    // Var = [5·4·15 − (3·2·11 + 2·1·9) − 2·(2·1·9)]/72 + 0 + [6 + 2]·[2 + 2]/(8·5·4) = 180/72 + 32/160 = 2.7
    // J: y = 1 → x < 1: one (0), x = 1: one (½) → 1.5; y = 0 → x = 0: ½ → J = 2; mean = P/2 = 3
    const r = jonckheereTerpstra([[2, 0, 1], [1, 0]]);
    expect(r.method).toBe('normal');
    expect(r.variance).toBeCloseTo(2.7, 12);
    expect(r.statistic).toBe(2);
    expect(r.z).toBeCloseTo(-1 / Math.sqrt(2.7), 12);
    // Φ(−z) and Φ(z) at z = −0.6085806 (normal table)
    expect(r.pValue).toBeCloseTo(0.7285987731213134, 10);
    expect(jonckheereTerpstra([[2, 0, 1], [1, 0]], 'decreasing').pValue).toBeCloseTo(0.2714012268786867, 10);
    expect(jonckheereTerpstra([[2, 0, 1], [1, 0]], 'two-sided').pValue).toBeCloseTo(2 * 0.2714012268786867, 10);
    expect(r.test).toBe('Jonckheere–Terpstra');
    expect(r.sizes).toEqual([3, 2]);
  });
  it('all values tied: variance 0, z = 0, p = 1 both ways', () => {
    // sizes (2, 1), one tie group of 3: [3·2·11 − 2·1·9 − 3·2·11]/72 + 0 + [2]·[6]/(8·3·2) = −0.25 + 0.25 = 0
    const r = jonckheereTerpstra([[1, 1], [1]]);
    expect(r.variance).toBe(0);
    expect(r.z).toBe(0);
    expect(r.pValue).toBe(1);
    expect(jonckheereTerpstra([[1, 1], [1]], 'decreasing').pValue).toBe(1);
    expect(r.tau).toBe(0); // J = 1 = P/2
  });
  it('jtVariance for tiny N (no 0/0): N = 1 → 0, N = 2 → 18/72', () => {
    expect(jtVariance([1], [])).toBe(0);
    expect(jtVariance([1, 1], [])).toBe(0.25);
    expect(jtVariance([1, 1], [2])).toBe(0); // (18 − 0 − 18)/72 + [0]·[2]/16
  });
  it('exact p-values up to N = 100 without ties, the normal approximation above', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = Array.from({ length: 50 }, (_, i) => 100 + i);
    const exact = jonckheereTerpstra([a, b]);
    expect(exact.method).toBe('exact');
    expect(exact.pValue).toBeGreaterThan(0); // 1/C(100, 50) ≈ 9.9e−30
    expect(exact.pValue).toBeLessThan(1e-29);
    const normal = jonckheereTerpstra([a, [...b, 200]]);
    expect(normal.method).toBe('normal');
  });
  it('empty groups are dropped before the test (sizes, exact law)', () => {
    const r = jonckheereTerpstra([[1, 2], [], [3, 4]]);
    expect(r.sizes).toEqual([2, 2]);
    expect(r.pValue).toBeCloseTo(1 / 6, 14); // the sorted one of C(4,2) = 6 arrangements
  });
  it('jtMinDetectableTau: 2(z_{1−α} + z_power)·sd₀/P, capped at 1', () => {
    // sizes (6, 6, 6): Var₀ = 153, P = 108 (see src/claims/evaluate.test.ts)
    expect(jtMinDetectableTau([6, 6, 6], 0.05)).toBeCloseTo((2 * (Z95 + Z80) * Math.sqrt(153)) / 108, 10);
    expect(jtMinDetectableTau([6, 6, 6], 0.025, 0.9)).toBeCloseTo((2 * (Z975 + Z90) * Math.sqrt(153)) / 108, 10);
    // sizes (2, 3, 4): P = 6 + 8 + 12 = 26; Var₀ = (81·21 − (4·7 + 9·9 + 16·11))/72 = (1701 − 285)/72 = 19.666…
    expect(jtMinDetectableTau([2, 3, 4], 0.05)).toBeCloseTo((2 * (Z95 + Z80) * Math.sqrt(1416 / 72)) / 26, 10);
    // sizes (3, 3): Var₀ = 5.25, P = 9: 2·2.4865·2.2913/9 = 1.266 → capped at 1
    expect(jtMinDetectableTau([3, 3], 0.05)).toBe(1);
  });
});

describe('trendFamily details', () => {
  const up = [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], [13, 14, 15, 16, 17, 18]];
  it('claimed decreasing: sorted-up data is reversed, sorted-down holds', () => {
    const out = trendFamily([up, [...up].reverse()], 'decreasing', 0.05);
    expect(out.map((o) => o.verdict)).toEqual(['reversed', 'holds']);
    expect(out[0]!.reversePValue).toBeCloseTo(1 / 17153136, 14);
    expect(out[0]!.direction).toBe('decreasing');
    expect(out[0]!.test).toBe('Jonckheere–Terpstra, one-sided (decreasing), Holm over 2 regime(s)');
  });
  it('minimum detectable τ at α/m (m = 2 regimes), empty groups dropped; untestable regime: 1', () => {
    const out = trendFamily([[up[0]!, [], up[1]!, up[2]!], [[1, 2], [], []]], 'increasing', 0.05);
    expect(out[0]!.sizes).toEqual([6, 0, 6, 6]);
    expect(out[0]!.minDetectableTau).toBeCloseTo((2 * (Z975 + Z80) * Math.sqrt(153)) / 108, 10);
    expect(out[1]!.minDetectableTau).toBe(1);
    expect(out[1]!.sizes).toEqual([2, 0, 0]);
    expect(out[1]!.reversePValue).toBe(1);
  });
});

describe('Kolmogorov–Smirnov details', () => {
  it('Kolmogorov Q at tabled points: Q(0.5) = 0.9639452437, Q(1) = 0.2699996717; Q = 1 at and below 0', () => {
    expect(kolmogorovQ(0.5)).toBeCloseTo(0.9639452436648751, 12);
    expect(kolmogorovQ(1)).toBeCloseTo(0.26999967167735456, 12);
    expect(kolmogorovQ(0)).toBe(1);
    expect(kolmogorovQ(-1)).toBe(1);
    expect(kolmogorovQ(0.1)).toBe(1);
  });
  it('the two-sample statistic sorts its inputs, and runs on after either sample is exhausted', () => {
    // sorted x = (1, 5), y = (2, 3): |i·2 − j·2| after 1: 2, after 2: 0, after 3: 2, after 5: 0 → m n D = 2, D = 1/2
    expect(ksTwoSample([5, 1], [2, 3]).statistic).toBe(0.5);
    expect(ksTwoSample([3, 2], [5, 1]).statistic).toBe(0.5);
    const r = ksTwoSample([4, 5, 6], [1, 2, 3]); // y exhausted first
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeCloseTo(0.1, 14);
    expect(r.method).toBe('exact');
    expect(r.test).toBe('Kolmogorov–Smirnov (two-sample)');
  });
  it('D = 0 gives p = 1 by the exact branch, whatever the sizes; m·n = EXACT_PATHS is still exact', () => {
    expect(ksTwoSamplePValue(2100, 2100, 0)).toEqual({ pValue: 1, method: 'exact' });
    expect(ksTwoSamplePValue(3, 3, 0)).toEqual({ pValue: 1, method: 'exact' });
    expect(ksTwoSamplePValue(2000, 2000, 2000 * 2000).method).toBe('exact');
    expect(ksTwoSamplePValue(2000, 2001, 2000 * 2001).method).toBe('asymptotic');
  });
  it('asymptotic p = Q((√e + 0.12 + 0.11/√e)·D), e = m n/(m + n) (Stephens), Q summed here independently', () => {
    const Q = (l: number) => { let s = 0; for (let k = 1; k <= 200; k++) s += (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * l * l); return 2 * s; };
    for (const [m, n, d] of [[2100, 2100, 0.04], [1500, 3000, 0.03]] as const) {
      const en = Math.sqrt((m * n) / (m + n));
      const r = ksTwoSamplePValue(m, n, d * m * n);
      expect(r.method).toBe('asymptotic');
      expect(r.pValue).toBeCloseTo(Q((en + 0.12 + 0.11 / en) * d), 12);
    }
  });
  it('critical values by brute force over all C(m+n, m) orders (m, n with gcd > 1 and = 1)', () => {
    const brute = (m: number, n: number, alpha: number) => {
      // enumerate subsets of positions for x; D·mn = max |i n − j m|
      const counts = new Map<number, number>();
      let total = 0;
      const N = m + n;
      for (let mask = 0; mask < 1 << N; mask++) {
        let bits = 0;
        for (let b = 0; b < N; b++) if (mask & (1 << b)) bits++;
        if (bits !== m) continue;
        let i = 0; let j = 0; let best = 0;
        for (let b = 0; b < N; b++) { if (mask & (1 << b)) i++; else j++; best = Math.max(best, Math.abs(i * n - j * m)); }
        counts.set(best, (counts.get(best) ?? 0) + 1);
        total++;
      }
      // the smallest threshold on the grid of multiples of gcd(m, n) (where every m n D lies) with
      // P(m n D ≥ t) ≤ α; it may lie between attainable values (same rejection region).
      let g = m; for (let b = n; b;) [g, b] = [b, g % b];
      for (let t = g; t <= m * n; t += g) {
        let tail = 0;
        for (const [w, c] of counts) if (w >= t) tail += c;
        if (tail / total <= alpha) return t / (m * n);
      }
      return Infinity;
    };
    for (const [m, n, alpha] of [[4, 6, 0.05], [4, 6, 0.2], [3, 5, 0.1], [6, 8, 0.05], [5, 5, 0.1]] as const) {
      expect(ksTwoSampleCritical(m, n, alpha), `${m}, ${n}, ${alpha}`).toBeCloseTo(brute(m, n, alpha), 12);
    }
    expect(ksTwoSampleCritical(2, 2, 0.05)).toBe(Infinity); // P(D ≥ 1) = 2/6 > 0.05: nothing is significant
  });
  it('one-sample minimum detectable: λ_α/(√n + 0.12 + 0.11/√n) + √(ln(2/(1−power))/(2n)), small n', () => {
    // λ_0.05 = 1.3580986 (K⁻¹(0.95), table); n = 25: 1.3580986/5.142 + √(ln 10/50) = 0.4787
    expect(ksOneSampleMinDetectable(25, 0.05)).toBeCloseTo(1.3580986 / (5 + 0.12 + 0.022) + Math.sqrt(Math.log(10) / 50), 6);
    expect(ksOneSampleMinDetectable(4, 0.05)).toBe(1); // capped
  });
});

describe('solve and ols details', () => {
  it('solve pivots on a zero diagonal and flags near-singular systems relative to the column scale', () => {
    expect(solve([[0, 1], [1, 0]], [2, 3])).toEqual([3, 2]);
    expect(solve([[1, 1], [1, 1 + 1e-15]], [1, 2])).toBeNull();
    expect(solve([[1e6, 1e6], [1e6, 1e6 + 1e-8]], [1, 2])).toBeNull(); // pivot 1e-8 ≤ 1e-13·1e6
    expect(solve([[2, 0], [0, 4]], [2, 2])).toEqual([1, 0.5]);
  });
  it('x = (0,1,2,3), y = (0,1,3,2): slope 0.8, intercept 0.3, rss 1.8, df 2, σ = √0.9, R² = 0.64', () => {
    const r = ols([[1, 0], [1, 1], [1, 2], [1, 3]], [0, 1, 3, 2], ['a', 'b']);
    expect(r.coefficients.map((c) => c.name)).toEqual(['a', 'b']);
    expect(r.coefficients[0]!.estimate).toBeCloseTo(0.3, 12);
    expect(r.coefficients[1]!.estimate).toBeCloseTo(0.8, 12);
    expect(r.residuals.map((v) => Number(v.toFixed(12)))).toEqual([-0.3, -0.1, 1.1, -0.7]);
    expect(r.rss).toBeCloseTo(1.8, 12);
    expect(r.df).toBe(2);
    expect(r.sigma).toBeCloseTo(Math.sqrt(0.9), 12);
    expect(r.r2).toBeCloseTo(0.64, 12);
    // se(slope) = σ/√Sxx = √(0.9/5); se(intercept) = σ √(1/n + x̄²/Sxx) = √(0.9·0.7); t_{0.975, 2} = 4.302653
    expect(r.coefficients[1]!.se).toBeCloseTo(Math.sqrt(0.18), 12);
    expect(r.coefficients[0]!.se).toBeCloseTo(Math.sqrt(0.63), 12);
    expect(r.coefficients[1]!.ci[0]).toBeCloseTo(0.8 - 4.302653 * Math.sqrt(0.18), 5);
    expect(r.coefficients[1]!.ci[1]).toBeCloseTo(0.8 + 4.302653 * Math.sqrt(0.18), 5);
  });
  it('n = p: an exact fit with df 0 (σ, se and the interval are NaN); constant y: R² is NaN', () => {
    const r = ols([[1, 0], [1, 1]], [2, 5], ['a', 'b']);
    expect(r.df).toBe(0);
    expect(r.coefficients[1]!.estimate).toBeCloseTo(3, 12);
    expect(r.sigma).toBeNaN();
    expect(r.coefficients[1]!.se).toBeNaN();
    expect(r.coefficients[1]!.ci[0]).toBeNaN();
    expect(ols([[1, 0], [1, 1], [1, 2]], [2, 2, 2], ['a', 'b']).r2).toBeNaN();
  });
});

describe('special functions details', () => {
  it('lnGamma near 0 uses the reflection formula: lnΓ(1e-8) = −ln(1e-8) − γ·1e-8', () => {
    expect(lnGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649015329e-8, 11);
    expect(lnGamma(0.25)).toBeCloseTo(Math.log(3.6256099082219083), 13); // Γ(1/4) (table)
  });
  it('invertIncreasing returns the smallest x with f(x) ≥ target (a step function: its jump)', () => {
    expect(invertIncreasing((x) => (x < 0.3 ? 0 : 1), 1, 0, 1)).toBeCloseTo(0.3, 14);
    expect(invertIncreasing((x) => x * x, 2, 0, 2)).toBeCloseTo(Math.SQRT2, 14);
  });
  it('fCdf is 0 for every x ≤ 0 (even where d1 x + d2 < 0) and 1 at +∞', () => {
    expect(fCdf(-10, 2, 10)).toBe(0);
    expect(fCdf(-1, 2, 10)).toBe(0);
    expect(fCdf(Infinity, 2, 3)).toBe(1);
  });
});

describe('tail constants details', () => {
  it('cellConstant: p ≤ 0 gives no constraint (+∞)', () => {
    expect(cellConstant(-0.1, 1, 0)).toBe(Infinity);
  });
  it('tailCells sorts its input, skips ∞, non-positive and missing order statistics, repeated thresholds and X ≤ 0', () => {
    const form = () => ({ x: 1, logA: 0 });
    expect(tailCells([0, 5, 1, 4, 2, 3, 0, 0], (e) => ({ x: e * e, logA: 0 }), 0).map((c) => c.k)).toEqual([1, 2, 4]);
    expect(tailCells([Infinity, 3, 2, 1], form, 0, [1, 2, 8]).map((c) => c.k)).toEqual([2]);
    expect(tailCells([0, 0, 0, 0], form, 0)).toEqual([]);
    expect(tailCells([-1, -2, 3, 1], form, 0, [1, 3])).toHaveLength(1);
    expect(tailCells([5, 5, 5, 5, 1, 1, 1, 1], form, 0).map((c) => c.k)).toEqual([4]); // k = 1, 2, 4 share one threshold
    expect(tailCells([4, 3, 2, 1], () => ({ x: 0, logA: 0 }), 0)).toEqual([]);
    expect(tailCells([4, 3, 2, 1], () => ({ x: Infinity, logA: 0 }), 0)).toEqual([]);
    expect(tailCells([4, 3, 2, 1], () => ({ x: NaN, logA: 0 }), 0)).toEqual([]);
  });
  it('the worst cell is the one with the smallest ĉ; on a tie, the first', () => {
    const cell = (x: number, config: number) => ({ k: 5, n: 10, e: 1, x, logA: Math.log(4), config });
    const est = estimateTailConstant([cell(8, 0), cell(2, 1)]);
    expect(est.worst!.config).toBe(0);
    expect(est.worst!.pHat).toBe(0.5);
    expect(est.worst!.pLower).toBeLessThan(0.5);
    expect(est.worst!.pUpper).toBeGreaterThan(0.5);
    expect(est.worst!.c).toBe(est.cHat);
    expect(estimateTailConstant([cell(8, 0), cell(8, 1)]).worst!.config).toBe(0);
  });
  it('logTailRate sorts its input', () => {
    expect(logTailRate([1, 4, 2, 3], 1, Math.log(9), (e) => e * e)).toBeCloseTo(Math.log((Math.log(9) + Math.log(4)) / 16), 12);
  });
});

describe('compareForms by hand', () => {
  // y = logRate = (1, 2.5, 2.5, 4), covariate u = (0, 1, 2, 3).
  // Form F: offsets (0, .5, .5, 1) → z = (1, 2, 2, 3): z̄ = 2, rss0 = 2, sd = √(2/3), c = e².
  //   Lack of fit: z on [1, u]: slope 0.6, residuals (−.1, .3, −.3, .1), rss 0.2 → F = (1.8/1)/(0.2/2) = 18, df (1, 2),
  //   p = P(F(1,2) > 18) = P(|T₂| > √18) = 1 − √(18/20) = 1 − √0.9.
  // Form G: offsets 0 → z = y: rss0 = 4.5, sd = √1.5; form H: offsets (0, 1, −1, 0) → z = (1, 1.5, 3.5, 4), rss0 = 6.5.
  // R² = 1 − rss0/tss with tss = Σ(y − 2.5)² = 4.5. Free model: slope 0.9, R² 0.9, σ = √(0.45/2).
  const us = [0, 1, 2, 3];
  const ys = [1, 2.5, 2.5, 4];
  const offF = [0, 0.5, 0.5, 1];
  const offH = [0, 1, -1, 0];
  const pts: FormPoint[] = us.map((u, i) => ({ logRate: ys[i]!, covariates: { u }, offsets: { G: 0, F: offF[i]!, H: offH[i]! } }));
  // Computed inside each test (not at collection time), so that a mutant active during the tests is seen.
  const run = () => { const r = compareForms(pts, ['G', 'F', 'H'], ['u']); return { r, F: r.fits.find((f) => f.form === 'F')! }; };
  it('the constant, its t interval (t_{0.975,3} = 3.182446), residual SD and R²', () => {
    const { r, F } = run();
    expect(F.c).toBeCloseTo(Math.exp(2), 12);
    expect(F.residualSd).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(F.ci[0]).toBeCloseTo(Math.exp(2 - (3.182446 * Math.sqrt(2 / 3)) / 2), 5);
    expect(F.ci[1]).toBeCloseTo(Math.exp(2 + (3.182446 * Math.sqrt(2 / 3)) / 2), 5);
    expect(F.r2).toBeCloseTo(1 - 2 / 4.5, 12);
    expect(r.fits.find((f) => f.form === 'G')!.r2).toBeCloseTo(0, 12);
    expect(r.fits.find((f) => f.form === 'H')!.r2).toBeCloseTo(1 - 6.5 / 4.5, 12);
  });
  it('the lack-of-fit F test', () => {
    const { r, F } = run();
    expect(F.lackOfFit!.F).toBeCloseTo(18, 10);
    expect(F.lackOfFit!.df1).toBe(1);
    expect(F.lackOfFit!.df2).toBe(2);
    expect(F.lackOfFit!.pValue).toBeCloseTo(1 - Math.sqrt(0.9), 10);
  });
  it('best = the smallest residual SD (not the first listed); the free model', () => {
    const { r, F } = run();
    expect(r.best).toBe('F');
    expect(compareForms(pts, ['H', 'G', 'F'], ['u']).best).toBe('F');
    expect(r.points).toBe(4);
    expect(r.free!.coefficients.map((c) => c.name)).toEqual(['intercept', 'u']);
    expect(r.free!.coefficients[1]!.estimate).toBeCloseTo(0.9, 12);
    expect(r.free!.r2).toBeCloseTo(0.9, 12);
    expect(r.free!.residualSd).toBeCloseTo(Math.sqrt(0.225), 12);
  });
  it('a form explaining every point exactly has F = 0, p = 1; covariates explaining z exactly give a huge F', () => {
    const exact: FormPoint[] = us.map((u, i) => ({ logRate: ys[i]!, covariates: { u }, offsets: { E: ys[i]! - 1 } }));
    const e = compareForms(exact, ['E'], ['u']).fits[0]!;
    expect(e.lackOfFit!.F).toBe(0);
    expect(e.lackOfFit!.pValue).toBe(1);
    const lin: FormPoint[] = us.map((u) => ({ logRate: 0.5 * u, covariates: { u }, offsets: { L: 0 } }));
    const l = compareForms(lin, ['L'], ['u']).fits[0]!;
    expect(l.lackOfFit!.F).toBeGreaterThan(1e10);
    expect(l.lackOfFit!.pValue).toBeLessThan(1e-9);
  });
  it('lack of fit needs n − q − 1 ≥ 1: n = 3 with one covariate has it, with two not; collinear covariates: none', () => {
    const three = (cov: (u: number) => Record<string, number>) => us.slice(0, 3).map((u, i) => ({ logRate: ys[i]!, covariates: cov(u), offsets: { F: 0 } }));
    const one = compareForms(three((u) => ({ u })), ['F'], ['u']).fits[0]!;
    expect(one.lackOfFit).not.toBeNull();
    expect(one.lackOfFit!.df2).toBe(1);
    expect(compareForms(three((u) => ({ u, v: u * u })), ['F'], ['u', 'v']).fits[0]!.lackOfFit).toBeNull();
    const col = compareForms(us.map((u, i) => ({ logRate: ys[i]!, covariates: { u, w: 2 * u }, offsets: { F: 0 } })), ['F'], ['u', 'w']);
    expect(col.fits[0]!.lackOfFit).toBeNull();
    expect(col.free).toBeNull();
  });
  it('constant tail rates: R² is NaN (nothing to explain)', () => {
    const flat: FormPoint[] = us.map((u, i) => ({ logRate: 1, covariates: { u }, offsets: { F: offF[i]! } }));
    expect(compareForms(flat, ['F'], ['u']).fits[0]!.r2).toBeNaN();
  });
});
