/**
 * The Gram statistics against their slow twins on explicit per-example gradients (float64, exact
 * to rounding), against values known in closed form, and the unbiasedness of the noise-scale
 * estimators, checked exactly by enumerating every sample a probe could draw.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exampleStatistics, minibatchStatistics, type ProbeStatistics } from './probe-statistics.ts';
import { referenceStatistics } from './reference-statistics.ts';
import { noiseScaleFromGram, noiseScaleFromPairs } from './noise-scale.ts';
import { jacobiEigenvalues, symmetricEigenvalues } from './symmetric-eigenvalues.ts';
import { gradientDiversity, mCoherence } from './diversity.ts';
import { stiffness } from './stiffness.ts';
import { gradientTests } from './gradient-tests.ts';
import { gramSpectrum } from './spectrum.ts';
import { labelsFromTargets, checkLabels } from './labels.ts';
import { BadInputError } from '../../errors.ts';
import { Rng } from '../../rng.ts';
import type { MinibatchResult } from '../minibatch.ts';

const SEED = 20261215;

const gramOf = (gs: Float64Array[]) => {
  const n = gs.length;
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] = gs[i]!.reduce((a, v, k) => a + v * gs[j]![k]!, 0);
  return g;
};

/**
 * fast = slow to float64 rounding. Each field is compared on the scale its rounding error lives
 * on: quantities formed by cancellation in the Gram's sums (tr G − 1ᵀG1/n, Σ‖g_i‖² − Σ⟨g_i,ḡ⟩²/‖ḡ‖²)
 * err by ε relative to the mean squared norm s, not to their own (possibly tiny) value.
 */
function expectSameStatistics(fast: ProbeStatistics, slow: ProbeStatistics, gs: Float64Array[]): void {
  const n = gs.length;
  const s = gs.reduce((a, g) => a + g.reduce((b, v) => b + v * v, 0), 0) / n;
  const close = (a: number | null | undefined, b: number | null | undefined, scale: number, what: string) => {
    expect(a === null, `${what}: ${a} vs ${b}`).toBe(b === null);
    if (a === null || b === null) return;
    expect(Math.abs(a! - b!), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-8 * Math.max(scale, Math.abs(b!), 1e-300));
  };
  close(fast.mCoherence, slow.mCoherence, 1, 'mCoherence');
  const fo = fast.stiffness!.overall;
  const so = slow.stiffness!.overall;
  expect(fo === null).toBe(so === null);
  if (fo && so) {
    expect(fo.pairs).toBe(so.pairs);
    close(fo.sign, so.sign, 1, 'stiffness sign');
    close(fo.cosine, so.cosine, 1, 'stiffness cosine');
  }
  const fb = fast.stiffness!.byClass;
  const sb = slow.stiffness!.byClass;
  expect(fb === null).toBe(sb === null);
  if (fb && sb) {
    expect(fb.classes).toEqual(sb.classes);
    expect(fb.counts).toEqual(sb.counts);
    for (const key of ['sign', 'cosine'] as const) {
      fb[key].forEach((row, a) => row.forEach((v, b) => close(v, sb[key][a]![b]!, 1, `class ${key} [${a}][${b}]`)));
      for (const agg of ['withinClass', 'betweenClasses'] as const) close(fb[agg]?.[key] ?? null, sb[agg]?.[key] ?? null, 1, `${agg} ${key}`);
    }
  }
  const fn = fast.noiseScale!;
  const sn = slow.noiseScale!;
  close(fn.traceCovariance, sn.traceCovariance, s, 'tr Σ');
  close(fn.meanGradientSq, sn.meanGradientSq, s, '‖E g‖²');
  // B_simple is a ratio with a cancellation-prone denominator: compared where it is well conditioned.
  if (sn.meanGradientSq > 1e-6 * s) close(fn.bSimple, sn.bSimple, 1e-2 * Math.abs(sn.bSimple ?? 0), 'B_simple');
  expect(fast.spectrum === null).toBe(slow.spectrum === null);
  if (fast.spectrum && slow.spectrum) {
    const l1 = slow.spectrum.top[0]!;
    expect(fast.spectrum.top).toHaveLength(slow.spectrum.top.length);
    fast.spectrum.top.forEach((v, i) => close(v, slow.spectrum!.top[i]!, l1, `λ_${i + 1}`));
    close(fast.spectrum.trace, slow.spectrum.trace, l1, 'Σλ');
    close(fast.spectrum.effectiveRank, slow.spectrum.effectiveRank, 1, 'effective rank');
    close(fast.spectrum.participationRatio, slow.spectrum.participationRatio, 1, 'participation ratio');
  }
  const gbar = gs[0]!.map((_, k) => gs.reduce((a, g) => a + g[k]!, 0) / n);
  const ms = gbar.reduce((a, v) => a + v * v, 0);
  // A mean gradient below 1e-12 of the mean squared norm is at float64's limit through the Gram's
  // sums (‖ḡ‖² is a difference of O(s) terms): there the two routes need not even agree on ḡ = 0.
  if (ms > 0 && ms < 1e-12 * s) return;
  expect(fast.gradientTests === null).toBe(slow.gradientTests === null);
  if (fast.gradientTests && slow.gradientTests) {
    // Compare squares (the sums under the square roots). With cond = s/‖ḡ‖² (how much the mean
    // cancels), D = n(n−1) and ε = 2.2e-16: 1ᵀG1 carries an error ~ε·n²·s, so ‖ḡ‖² a relative
    // error ~ε·n·cond and every ratio through it as much; the subtracted term of the norm and
    // orthogonality tests (≤ tr G) is then off by ~ε·n·cond·n·s, i.e. ~ε·n²·cond²/D in θ²; in the
    // inner-product test each (⟨g_i, ḡ⟩ − ‖ḡ‖²)² is off by ~2·sqrt(s‖ḡ‖²)·ε·n·s, ~ε·n³·cond^1.5/D
    // in θ². The bounds below are those with a factor 4500 (1e-12/ε) to spare.
    const cond = s / ms;
    const D = n * (n - 1);
    for (const k of ['norm', 'innerProduct', 'orthogonality'] as const) {
      const b = slow.gradientTests[k] ** 2;
      const a = fast.gradientTests[k] ** 2;
      const bound = 1e-12 * (n * cond * b + (k === 'innerProduct' ? n ** 3 * cond ** 1.5 : n ** 2 * cond ** 2) / D);
      expect(Math.abs(a - b), `gradient test ${k}: ${a} vs ${b}`).toBeLessThanOrEqual(bound);
    }
    expect(fast.gradientTests.batchSize).toBe(n);
  }
}

/** n gradients of dimension p, with planted structure: zero gradients, duplicates, negatives, a shared mean. */
const gradientsArb = fc.record({
  n: fc.integer({ min: 2, max: 10 }),
  p: fc.integer({ min: 1, max: 14 }),
  classes: fc.integer({ min: 1, max: 4 }),
  mean: fc.double({ min: -2, max: 2, noNaN: true }),
  seed: fc.integer({ min: 0, max: 2 ** 30 }),
}).chain((c) => fc.tuple(
  fc.constant(c),
  fc.array(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: c.p, maxLength: c.p }), { minLength: c.n, maxLength: c.n }),
  fc.array(fc.constantFrom('plain', 'plain', 'plain', 'zero', 'copy', 'negate'), { minLength: c.n, maxLength: c.n }),
  fc.array(fc.integer({ min: 0, max: c.classes - 1 }), { minLength: c.n, maxLength: c.n }),
)).map(([c, rows, kinds, labels]) => {
  // Components below 1e-100 (whose squares a float64 Gram cannot hold) become exact zeros.
  const gs = rows.map((r) => Float64Array.from(r, (v) => (Math.abs(v + c.mean) < 1e-100 ? 0 : v + c.mean)));
  kinds.forEach((k, i) => {
    if (k === 'zero') gs[i] = new Float64Array(c.p);
    if (k === 'copy' && i > 0) gs[i] = gs[i - 1]!.slice();
    if (k === 'negate' && i > 0) gs[i] = gs[i - 1]!.map((v) => -v);
  });
  return { gs, labels };
});

describe(`Gram statistics = explicit-gradient twins (fast-check seed ${SEED})`, () => {
  it('every statistic, with and without labels, agrees to float64 rounding', () => {
    fc.assert(fc.property(gradientsArb, fc.boolean(), ({ gs, labels }, withLabels) => {
      const n = gs.length;
      const fast = exampleStatistics(gramOf(gs), n, { labels: withLabels ? labels : null, topK: 5 });
      const slow = referenceStatistics(gs, { labels: withLabels ? labels : null, topK: 5 });
      expectSameStatistics(fast, slow, gs);
      expect(JSON.stringify(fast)).not.toMatch(/NaN|Infinity/);
    }), { seed: SEED, numRuns: 300 });
  });
});

describe('closed-form values', () => {
  const e = (p: number, k: number, s = 1) => Float64Array.from({ length: p }, (_, i) => (i === k ? s : 0));

  it('orthogonal gradients: m-coherence 1, stiffness 0, eigenvalues = squared norms', () => {
    const gs = [e(4, 0, 1), e(4, 1, 2), e(4, 2, 3)];
    const s = exampleStatistics(gramOf(gs), 3, { topK: 3 });
    expect(s.mCoherence).toBeCloseTo(1, 12);
    expect(gradientDiversity(gramOf(gs), 3)).toBeCloseTo(1, 12);
    expect(s.stiffness!.overall).toEqual({ sign: 0, cosine: 0, pairs: 3 });
    expect(s.spectrum!.top.map((v) => Number(v.toFixed(12)))).toEqual([9, 4, 1]);
    // PR = (1+4+9)² / (1+16+81); erank = exp(H(1/14, 4/14, 9/14)).
    expect(s.spectrum!.participationRatio).toBeCloseTo(196 / 98, 12);
    const p = [1, 4, 9].map((v) => v / 14);
    expect(s.spectrum!.effectiveRank).toBeCloseTo(Math.exp(-p.reduce((a, q) => a + q * Math.log(q), 0)), 12);
  });

  it('m identical gradients: m-coherence m, stiffness 1, rank one, no noise, tests 0', () => {
    const g = Float64Array.from([1, -2, 0.5]);
    const gs = Array.from({ length: 5 }, () => g.slice());
    const s = exampleStatistics(gramOf(gs), 5);
    expect(s.mCoherence).toBeCloseTo(5, 12);
    expect(s.stiffness!.overall).toEqual({ sign: 1, cosine: 1, pairs: 10 });
    expect(s.spectrum!.effectiveRank).toBeCloseTo(1, 12);
    expect(s.spectrum!.participationRatio).toBeCloseTo(1, 12);
    expect(s.noiseScale!.traceCovariance).toBeCloseTo(0, 12);
    expect(s.noiseScale!.bSimple).toBeCloseTo(0, 12);
    expect(s.gradientTests!.norm).toBeCloseTo(0, 12);
    expect(s.gradientTests!.innerProduct).toBeCloseTo(0, 12);
    expect(s.gradientTests!.orthogonality).toBeCloseTo(0, 12);
  });

  it('k equal orthogonal directions: effective rank = participation ratio = k', () => {
    const gs = [0, 1, 2, 3].map((k) => e(6, k, 2));
    const sp = gramSpectrum(gramOf(gs), 4, 2)!;
    expect(sp.effectiveRank).toBeCloseTo(4, 12);
    expect(sp.participationRatio).toBeCloseTo(4, 12);
    expect(sp.top).toHaveLength(2);
  });

  it('a gradient and its negation: m-coherence 0, diversity undefined, sign and cosine stiffness −1', () => {
    const gs = [Float64Array.from([1, 2]), Float64Array.from([-1, -2])];
    const G = gramOf(gs);
    expect(mCoherence(G, 2)).toBe(0);
    expect(gradientDiversity(G, 2)).toBeNull();
    expect(stiffness(G, 2).overall).toEqual({ sign: -1, cosine: -1, pairs: 1 });
    const s = exampleStatistics(G, 2);
    expect(s.gradientTests).toBeNull();
    expect(s.noiseScale!.bSimple).toBeNull();
    expect(s.notes.join(' ')).toMatch(/‖E g‖² is .* ≤ 0/);
    expect(s.notes.join(' ')).toMatch(/gradient tests: the mean gradient is zero/);
  });

  it('class matrix: two classes, each aligned within and opposed across', () => {
    // class 0: e0 and 2·e0; class 1: −e0 and e1 (orthogonal within class 1).
    const gs = [e(2, 0), e(2, 0, 2), e(2, 0, -1), e(2, 1)];
    const st = stiffness(gramOf(gs), 4, [0, 0, 1, 1]);
    expect(st.byClass!.classes).toEqual([0, 1]);
    expect(st.byClass!.sign).toEqual([[1, -0.5], [-0.5, 0]]);
    expect(st.byClass!.cosine).toEqual([[1, -0.5], [-0.5, 0]]);
    expect(st.byClass!.withinClass).toEqual({ sign: 0.5, cosine: 0.5 });
    expect(st.byClass!.betweenClasses).toEqual({ sign: -0.5, cosine: -0.5 });
    // A class with one example has no within-class pair: null on the diagonal, never NaN.
    const one = stiffness(gramOf(gs), 4, [0, 0, 0, 7]);
    expect(one.byClass!.sign[1]![1]).toBeNull();
    expect(one.byClass!.withinClass!.sign).toBeCloseTo((1 - 1 - 1) / 3, 12);
  });

  it('zero gradients are left out of stiffness, kept in the other statistics', () => {
    const gs = [e(2, 0), new Float64Array(2), e(2, 0)];
    const s = exampleStatistics(gramOf(gs), 3, { labels: [0, 0, 1] });
    expect(s.stiffness!.overall).toEqual({ sign: 1, cosine: 1, pairs: 1 });
    expect(s.stiffness!.byClass!.counts).toEqual([1, 1]);
    expect(s.mCoherence).toBeCloseTo(4 / 2, 12);
  });

  it('Cockpit tests on a planted batch: the textbook quantities', () => {
    // g = (1, 0), (3, 0), (2, 2): ḡ = (2, 2/3), ‖ḡ‖² = 40/9.
    const gs = [Float64Array.from([1, 0]), Float64Array.from([3, 0]), Float64Array.from([2, 2])];
    const t = gradientTests(gramOf(gs), 3)!;
    const gb = [2, 2 / 3];
    const nsq = 40 / 9;
    const dev = gs.reduce((a, g) => a + (g[0]! - gb[0]!) ** 2 + (g[1]! - gb[1]!) ** 2, 0);
    const proj = gs.map((g) => g[0]! * gb[0]! + g[1]! * gb[1]!);
    expect(t.norm).toBeCloseTo(Math.sqrt(dev / (6 * nsq)), 12);
    expect(t.innerProduct).toBeCloseTo(Math.sqrt(proj.reduce((a, p) => a + (p - nsq) ** 2, 0) / (6 * nsq * nsq)), 12);
    const perp = gs.reduce((a, g, i) => a + (g[0]! - (proj[i]! / nsq) * gb[0]!) ** 2 + (g[1]! - (proj[i]! / nsq) * gb[1]!) ** 2, 0);
    expect(t.orthogonality).toBeCloseTo(Math.sqrt(perp / (6 * nsq)), 12);
    expect(t.batchSize).toBe(3);
  });
});

describe('noise scale estimators are unbiased (exact enumeration of every possible sample)', () => {
  // A pool of N gradients; the targets are its mean ḡ and covariance Σ_pool = (1/N) Σ (g − ḡ)(g − ḡ)ᵀ.
  const pool = [[1, 0, 2], [0.5, -1, 0], [2, 1, -1], [-1, 0.5, 0.5], [0, 2, 1]].map((r) => Float64Array.from(r));
  const N = pool.length;
  const gbar = pool[0]!.map((_, k) => pool.reduce((a, g) => a + g[k]!, 0) / N);
  const trPool = pool.reduce((a, g) => a + g.reduce((s, v, k) => s + (v - gbar[k]!) ** 2, 0), 0) / N;
  const meanSq = gbar.reduce((a, v) => a + v * v, 0);

  it('per-example mode: averaged over all N^n i.i.d. draws, E[tr Σ̂] = tr Σ and E[‖E g‖²̂] = ‖ḡ‖²', () => {
    const n = 3;
    let tr = 0;
    let ms = 0;
    let count = 0;
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) for (let c = 0; c < N; c++) {
      const ns = noiseScaleFromGram(gramOf([pool[a]!, pool[b]!, pool[c]!]), n);
      tr += ns.traceCovariance;
      ms += ns.meanGradientSq;
      count++;
    }
    expect(tr / count).toBeCloseTo(trPool, 12);
    expect(ms / count).toBeCloseTo(meanSq, 12);
  });

  it('minibatch mode: averaged over every ordered pair of disjoint minibatches, the pool values', () => {
    const m = 2;
    const subsets: number[][] = [];
    for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) subsets.push([i, j]);
    const meanOf = (ix: number[]) => pool[0]!.map((_, k) => ix.reduce((a, i) => a + pool[i]![k]!, 0) / ix.length);
    const d = (x: Float64Array, y: Float64Array) => x.reduce((a, v, k) => a + v * y[k]!, 0);
    const pairs = subsets.flatMap((A) => subsets.filter((B) => B.every((b) => !A.includes(b))).map((B) => {
      const ga = meanOf(A);
      const gb = meanOf(B);
      return { aa: d(ga, ga), bb: d(gb, gb), ab: d(ga, gb) };
    }));
    expect(pairs).toHaveLength(30);
    // The estimators are linear in the pair means, so the mean over all pairs is the expectation.
    const ns = noiseScaleFromPairs(pairs, m, N);
    expect(ns.traceCovariance).toBeCloseTo(trPool, 12);
    expect(ns.meanGradientSq).toBeCloseTo(meanSq, 12);
    expect(ns.bSimple).toBeCloseTo(trPool / meanSq, 10);
  });

  it('minibatch statistics read the pairs of a minibatch result (zero pairs count with ⟨ĝ_A, ĝ_B⟩ = 0)', () => {
    const r: MinibatchResult = { cosines: Float64Array.from([0.5, -0.25]), norms: [[2, 1], [1, 0], [1, 4]], zeroPairs: [1], indices: [] };
    const s = minibatchStatistics(r, 3, 100);
    // pairs: (aa, bb, ab) = (4, 1, 1), (1, 0, 0), (1, 16, −1): a = (2.5 + 0.5 + 8.5)/3, c = 0.
    const a = (2.5 + 0.5 + 8.5) / 3;
    expect(s.noiseScale!.traceCovariance).toBeCloseTo(3 * a * 99 / 100, 12);
    expect(s.noiseScale!.meanGradientSq).toBeCloseTo(3 * a / 100, 12);
    expect(s.stiffness).toBeNull();
    expect(s.notes[0]).toMatch(/not computed in minibatch mode/);
  });
});

describe('symmetric eigenvalues: Householder–QL = Jacobi', () => {
  it('random symmetric matrices, with repeated and zero eigenvalues', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 2 ** 30 }), (n, rank, seed) => {
      // A = B Bᵀ − c I with B n×rank: rank-deficient PSD shifted, so eigenvalues repeat at −c.
      let s = seed;
      const rnd = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31 - 0.5; };
      const B = Array.from({ length: n * rank }, rnd);
      const c = Math.abs(rnd());
      const A = Float64Array.from({ length: n * n }, (_, k) => {
        const i = Math.floor(k / n);
        const j = k % n;
        let v = i === j ? -c : 0;
        for (let r = 0; r < rank; r++) v += B[i * rank + r]! * B[j * rank + r]!;
        return v;
      });
      const fast = symmetricEigenvalues(A, n);
      const slow = jacobiEigenvalues(A, n);
      const scale = Math.max(1, ...Array.from(slow, Math.abs));
      fast.forEach((v, i) => expect(Math.abs(v - slow[i]!)).toBeLessThanOrEqual(1e-10 * scale));
      // trace is preserved
      let tr = 0;
      for (let i = 0; i < n; i++) tr += A[i * n + i]!;
      expect(Math.abs(fast.reduce((a, b) => a + b, 0) - tr)).toBeLessThanOrEqual(1e-10 * scale * n);
    }), { seed: SEED, numRuns: 150 });
  });

  it('a large rank-deficient Gram (n = 512 examples, 64 parameters): converges; = Jacobi on JᵀJ, then zeros', () => {
    // Regression: a purely relative deflation test never converged inside the cluster of zeros.
    const n = 512;
    const p = 64;
    const r = new Rng(3);
    const J = Float64Array.from({ length: n * p }, () => r.normal());
    const G = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let v = 0; for (let k = 0; k < p; k++) v += J[i * p + k]! * J[j * p + k]!; G[i * n + j] = v; }
    const M = new Float64Array(p * p);
    for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) M[a * p + b]! += J[i * p + a]! * J[i * p + b]!;
    const fast = symmetricEigenvalues(G, n);
    const slow = jacobiEigenvalues(M, p);
    slow.forEach((v, i) => expect(Math.abs(fast[i]! - v)).toBeLessThanOrEqual(1e-10 * slow[0]!));
    expect(Array.from(fast.subarray(p)).every((v) => Math.abs(v) <= 1e-10 * fast[0]!)).toBe(true);
  });

  it('diagonal and tridiagonal matrices with known spectra', () => {
    expect(Array.from(symmetricEigenvalues([3, 0, 0, 0, -1, 0, 0, 0, 2], 3))).toEqual([3, 2, -1]);
    // The path-graph Laplacian-like tridiagonal 2, −1: eigenvalues 2 − 2cos(kπ/(n+1)).
    const n = 7;
    const T = Float64Array.from({ length: n * n }, (_, k) => { const i = Math.floor(k / n); const j = k % n; return i === j ? 2 : Math.abs(i - j) === 1 ? -1 : 0; });
    const want = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))).sort((a, b) => b - a);
    symmetricEigenvalues(T, n).forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
  });
});

describe('labels', () => {
  it('from targets: softmax-xent one-hot → class, logistic ±1 → sign, mse → none', () => {
    expect(Array.from(labelsFromTargets('softmax-xent', [0, 0, 1, 1, 0, 0], 2)!)).toEqual([2, 0]);
    expect(Array.from(labelsFromTargets('logistic', [1, -1, -1], 3)!)).toEqual([1, -1, -1]);
    expect(labelsFromTargets('mse', [0.3, 0.1], 2)).toBeNull();
  });

  it('explicit labels are validated with a message naming the problem', () => {
    expect(Array.from(checkLabels({ shape: [3], data: [2, 0, 2] }, 3))).toEqual([2, 0, 2]);
    expect(() => checkLabels({ shape: [2], data: [0, 1] }, 3, '--labels')).toThrow(BadInputError);
    expect(() => checkLabels({ shape: [2], data: [0, 1] }, 3, '--labels')).toThrow(/--labels: shape \[2\] does not match the 3 examples/);
    expect(() => checkLabels({ shape: [2], data: [0, 1.5] }, 2)).toThrow(/label 1.5 at index 1 is not an integer/);
    expect(() => checkLabels({ shape: [2], data: [0, NaN] }, 2)).toThrow(/not an integer/);
  });
});

