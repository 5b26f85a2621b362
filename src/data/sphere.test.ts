import { describe, expect, it } from 'vitest';
import { sampleSphere } from './sphere.ts';
import { BadInputError } from '../errors.ts';

function rowNorm(x: Float64Array, i: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
  return Math.sqrt(s);
}

describe('sampleSphere (seeds 1, 2, 7, 11, 12)', () => {
  it('returns n×d rows of unit norm', () => {
    for (const d of [1, 2, 3, 17]) {
      const x = sampleSphere(50, d, 1);
      expect(x.length).toBe(50 * d);
      for (let i = 0; i < 50; i++) expect(Math.abs(rowNorm(x, i, d) - 1)).toBeLessThan(1e-12);
    }
  });

  it('d = 1 gives only ±1, and both signs occur', () => {
    const x = sampleSphere(200, 1, 2);
    const vals = new Set(Array.from(x));
    expect([...vals].sort()).toEqual([-1, 1]);
  });

  it('is deterministic in the seed', () => {
    expect(Array.from(sampleSphere(10, 4, 7))).toEqual(Array.from(sampleSphere(10, 4, 7)));
    expect(Array.from(sampleSphere(10, 4, 7))).not.toEqual(Array.from(sampleSphere(10, 4, 8)));
  });

  it('n = 0 gives an empty array; bad n or d throws BadInputError', () => {
    expect(sampleSphere(0, 3, 1).length).toBe(0);
    expect(() => sampleSphere(-1, 3, 1)).toThrow(BadInputError);
    expect(() => sampleSphere(2.5, 3, 1)).toThrow(BadInputError);
    expect(() => sampleSphere(3, 0, 1)).toThrow(BadInputError);
  });

  it('moment check E[x_1^2] = 1/d (Bernstein, false-alarm rate 1e-6)', () => {
    // X = x_1^2 with x uniform on S^{d-1}: mean mu = 1/d, variance
    // sigma^2 = 2(d-1) / (d^2 (d+2)), and |X - mu| <= b = 1 because X ∈ [0, 1].
    // Bernstein for the mean of n i.i.d. copies:
    //   P(|mean - mu| >= t) <= 2 exp(-n t^2 / (2 sigma^2 + 2 b t / 3)).
    // Setting the right side to alpha = 1e-6 and solving the quadratic
    //   n t^2 - (2 b L / 3) t - 2 sigma^2 L = 0,  L = ln(2 / alpha),
    // gives the threshold t below. A single fixed seed, so the test is deterministic; a
    // correct sampler fails it for at most a 1e-6 fraction of seeds.
    const n = 20000;
    const d = 10;
    const alpha = 1e-6;
    const mu = 1 / d;
    const sigma2 = (2 * (d - 1)) / (d * d * (d + 2));
    const L = Math.log(2 / alpha);
    const a = n;
    const bq = -(2 * 1 * L) / 3;
    const c = -2 * sigma2 * L;
    const t = (-bq + Math.sqrt(bq * bq - 4 * a * c)) / (2 * a);
    // Hand check: sigma^2 = 18/1200 = 0.015, L ≈ 14.51, t ≈ 0.0049 (5% of mu).
    expect(t).toBeGreaterThan(0.004);
    expect(t).toBeLessThan(0.006);

    const x = sampleSphere(n, d, 11);
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d]! ** 2;
    expect(Math.abs(s / n - mu)).toBeLessThan(t);
  });

  it('d = 3: x_1 is uniform on [-1, 1] (Archimedes), DKW false-alarm rate 1e-6', () => {
    // For x uniform on S^2 each coordinate is Uniform[-1, 1], CDF F(s) = (s + 1) / 2.
    // Dvoretzky–Kiefer–Wolfowitz (Massart's constant): P(sup |F_n - F| > eps) <= 2 exp(-2 n eps^2),
    // so eps = sqrt(ln(2 / alpha) / (2 n)) has false-alarm rate alpha = 1e-6.
    // (This catches non-uniform samplers that E[x_1^2] cannot, e.g. normalized cube points.)
    const n = 20000;
    const alpha = 1e-6;
    const eps = Math.sqrt(Math.log(2 / alpha) / (2 * n));
    const x = sampleSphere(n, 3, 12);
    const first = Float64Array.from({ length: n }, (_, i) => x[i * 3]!).sort();
    let ks = 0;
    for (let i = 0; i < n; i++) {
      const F = (first[i]! + 1) / 2;
      ks = Math.max(ks, Math.abs((i + 1) / n - F), Math.abs(i / n - F));
    }
    expect(ks).toBeLessThan(eps);
  });
});
