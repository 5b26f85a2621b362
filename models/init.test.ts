import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { INIT_NAMES, initWeights, kernelSeed, operatorNorm } from './init.ts';
import type { InitName } from './init.ts';
import { validateSpec } from './spec.ts';
import type { ModelSpec } from './spec.ts';
import { checkWeights } from './weights.ts';
import type { Weights } from './weights.ts';
import { BadInputError } from '../src/errors.ts';

const dense = (units: number, extra: Record<string, unknown> = {}) => ({ type: 'dense', units, ...extra });
const spec = (input: number[], layers: unknown[], loss = 'mse'): ModelSpec => validateSpec({ input, layers, loss });
const get = (w: Weights, name: string): Float32Array => {
  const a = w.get(name);
  if (!a) throw new Error(`missing ${name}`);
  return a.data;
};

/**
 * Checks that `x` looks like n i.i.d. N(0, s2) draws through its first two moments.
 * For i.i.d. N(0, s2): V = mean(x^2) has E V = s2 and sd s2 sqrt(2/n) (chi-square_n / n, which
 * for n >= 5e4 is within 0.02 sd of normal out to 6 sd); the mean has sd sqrt(s2 / n).
 * Threshold 6 sd each: two-sided normal tail P(|Z| > 6) = 2.0e-9 per check; this file makes
 * fewer than 40 such checks, so the family-wise false-alarm rate is below 1e-7 (and the seeds
 * are fixed, so CI is deterministic). The alternatives we guard against (wrong fan, kappa
 * dropped, He vs Glorot) change the variance by >= 20%, which is > 30 sd at these n (>= 7e4).
 */
function expectGaussian(x: Float32Array, s2: number): void {
  const n = x.length;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) { sum += x[i]!; sq += x[i]! * x[i]!; }
  const v = sq / n;
  expect(Math.abs(v / s2 - 1)).toBeLessThan(6 * Math.sqrt(2 / n));
  expect(Math.abs(sum / n)).toBeLessThan(6 * Math.sqrt(s2 / n));
}

/** Max |(M^T M - c I)_ij| (cols) or |(M M^T - c I)_ij| (rows) of a row-major rows x cols M, in float64. */
function gramError(w: Float32Array, rows: number, cols: number, side: 'cols' | 'rows', c = 1): number {
  let err = 0;
  const k = side === 'cols' ? cols : rows;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    let s = 0;
    if (side === 'cols') for (let i = 0; i < rows; i++) s += w[i * cols + a]! * w[i * cols + b]!;
    else for (let j = 0; j < cols; j++) s += w[a * cols + j]! * w[b * cols + j]!;
    err = Math.max(err, Math.abs(s - (a === b ? c : 0)));
  }
  return err;
}

describe('gaussian / he / glorot variances (seeds 1, 2, 3)', () => {
  const s = spec([400], [dense(500, { activation: 'tanh' }), dense(600, { activation: 'tanh' }), dense(300)]);

  it('gaussian = Strategy 4.1: W_0 ~ N(0, 1/d), later N(0, 1/(kappa fan_in)), kappa = 4', () => {
    const w = initWeights(s, { init: 'gaussian', seed: 1, kappa: 4 });
    expectGaussian(get(w, 'layers.0.kernel'), 1 / 400);
    expectGaussian(get(w, 'layers.1.kernel'), 1 / (4 * 500));
    expectGaussian(get(w, 'layers.2.kernel'), 1 / (4 * 600));
    // Fourth moment: E z^4 = 3 for a normal (1.8 for a uniform); Var z^4 = 105 - 9 = 96, so
    // sd of the mean over n = 2e5 entries is sqrt(96 / n) = 0.022; 6 sd as above.
    const x = get(w, 'layers.0.kernel');
    let m4 = 0;
    for (const v of x) m4 += (v * v * 400) ** 2; // (x / s)^4 with s^2 = 1/400
    expect(Math.abs(m4 / x.length - 3)).toBeLessThan(6 * Math.sqrt(96 / x.length));
  });

  it('gaussian default kappa is 1; the first kernel is W_0 even behind a batchnorm', () => {
    const w = initWeights(s, { init: 'gaussian', seed: 2 });
    expectGaussian(get(w, 'layers.1.kernel'), 1 / 500);
    const bnFirst = spec([500], [{ type: 'batchnorm' }, dense(400), dense(400)]);
    const wb = initWeights(bnFirst, { init: 'gaussian', seed: 2, kappa: 100 });
    expectGaussian(get(wb, 'layers.1.kernel'), 1 / 500);
    expectGaussian(get(wb, 'layers.2.kernel'), 1 / (100 * 400));
  });

  it('he: N(0, 2/fan_in); glorot: N(0, 2/(fan_in + fan_out)); gain scales the sd', () => {
    const he = initWeights(s, { init: 'he', seed: 3 });
    expectGaussian(get(he, 'layers.0.kernel'), 2 / 400);
    expectGaussian(get(he, 'layers.1.kernel'), 2 / 500);
    expectGaussian(get(he, 'layers.2.kernel'), 2 / 600);
    const gl = initWeights(s, { init: 'glorot', seed: 3 });
    expectGaussian(get(gl, 'layers.0.kernel'), 2 / (400 + 500));
    expectGaussian(get(gl, 'layers.1.kernel'), 2 / (500 + 600));
    expectGaussian(get(gl, 'layers.2.kernel'), 2 / (600 + 300));
    const g3 = initWeights(s, { init: 'he', seed: 3, gain: 3 });
    expectGaussian(get(g3, 'layers.1.kernel'), 9 * 2 / 500);
  });

  it('conv kernels: fan_in = 3*3*cin, fan_out = 3*3*filters', () => {
    const c = spec([8, 8, 64], [{ type: 'conv2d', filters: 128, kernel: 3 }, { type: 'flatten' }, dense(2)], 'softmax-xent');
    expectGaussian(get(initWeights(c, { init: 'he', seed: 4 }), 'layers.0.kernel'), 2 / (9 * 64));
    expectGaussian(get(initWeights(c, { init: 'glorot', seed: 4 }), 'layers.0.kernel'), 2 / (9 * 64 + 9 * 128));
  });
});

describe('orthogonal (seed 10)', () => {
  it('square, tall and wide dense kernels are orthogonal to 1e-6 in float32', () => {
    const s = spec([64], [dense(64), dense(40), dense(90)]);
    const w = initWeights(s, { init: 'orthogonal', seed: 10 });
    expect(gramError(get(w, 'layers.0.kernel'), 64, 64, 'cols')).toBeLessThan(1e-6);
    expect(gramError(get(w, 'layers.0.kernel'), 64, 64, 'rows')).toBeLessThan(1e-6);
    expect(gramError(get(w, 'layers.1.kernel'), 64, 40, 'cols')).toBeLessThan(1e-6); // tall: W^T W = I
    expect(gramError(get(w, 'layers.2.kernel'), 40, 90, 'rows')).toBeLessThan(1e-6); // wide: W W^T = I
    // A 512 x 512 kernel (the benchmark MLP's size) as well.
    const big = initWeights(spec([512], [dense(512)]), { init: 'orthogonal', seed: 10 });
    expect(operatorNorm(get(big, 'layers.0.kernel'), 512, 512)).toBeCloseTo(1, 6);
  });

  it('conv kernels via the (kh*kw*cin) x cout reshape, tall and wide; gain multiplies', () => {
    const s = spec([6, 6, 8], [
      { type: 'conv2d', filters: 16, kernel: 3 }, // 72 x 16, tall
      { type: 'conv2d', filters: 200, kernel: 3 }, // 144 x 200, wide
      { type: 'flatten' }, dense(2),
    ], 'softmax-xent');
    const w = initWeights(s, { init: 'orthogonal', seed: 11 });
    expect(gramError(get(w, 'layers.0.kernel'), 72, 16, 'cols')).toBeLessThan(1e-6);
    expect(gramError(get(w, 'layers.1.kernel'), 144, 200, 'rows')).toBeLessThan(1e-6);
    const g = initWeights(s, { init: 'orthogonal', seed: 11, gain: 2 });
    expect(gramError(get(g, 'layers.0.kernel'), 72, 16, 'cols', 4)).toBeLessThan(4e-6);
  });

  it('is Haar: Q_00 is positive about half the time and E tr Q = 0 (400 seeds)', () => {
    // For Haar Q on O(3), Q_00 is symmetric about 0 (so #{Q_00 > 0} ~ Binomial(400, 1/2): mean
    // 200, sd 10) and E tr Q = 0 with Var tr Q = 1 (sd of the mean over 400 draws: 0.05).
    // 6-sd thresholds: false-alarm rate 2e-9 each. Without the R_ii > 0 sign fix, a Householder
    // QR gives Q_00 < 0 every time.
    const s = spec([3], [dense(3)]);
    let pos = 0;
    let tr = 0;
    for (let seed = 0; seed < 400; seed++) {
      const q = get(initWeights(s, { init: 'orthogonal', seed }), 'layers.0.kernel');
      if (q[0]! > 0) pos++;
      tr += q[0]! + q[4]! + q[8]!;
    }
    expect(Math.abs(pos - 200)).toBeLessThanOrEqual(60);
    expect(Math.abs(tr / 400)).toBeLessThan(0.3);
  });
});

describe('small-weights = Assumption 1 (seed 20)', () => {
  const s = spec([50], [dense(30, { activation: 'tanh' }), dense(80, { activation: 'tanh' }), dense(1)]);
  const shapes: [string, number, number][] = [['layers.0.kernel', 50, 30], ['layers.1.kernel', 30, 80], ['layers.2.kernel', 80, 1]];

  for (const scale of [1, 0.5, 3]) {
    it(`every kernel has operator norm in [0.999 scale, scale], scale = ${scale}`, () => {
      const w = initWeights(s, { init: 'small-weights', seed: 20, ...(scale === 1 ? {} : { scale }) });
      for (const [name, r, c] of shapes) {
        const norm = operatorNorm(get(w, name), r, c);
        expect(norm).toBeLessThanOrEqual(scale);
        expect(norm).toBeGreaterThanOrEqual(0.999 * scale);
      }
      expect(Array.from(get(w, 'layers.0.bias'))).toEqual(new Array(30).fill(0));
    });
  }

  it('holds for random dense shapes and scales (property, seed 21)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }),
      fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.integer(),
      (din, units, scale, seed) => {
        const w = initWeights(spec([din], [dense(units)]), { init: 'small-weights', seed, scale });
        const norm = operatorNorm(get(w, 'layers.0.kernel'), din, units);
        return norm <= scale && norm >= 0.999 * scale;
      }), { seed: 21, numRuns: 150 });
  });

  it('a 256 x 256 kernel is within [0.999, 1]', () => {
    const w = initWeights(spec([256], [dense(256)]), { init: 'small-weights', seed: 22 });
    const norm = operatorNorm(get(w, 'layers.0.kernel'), 256, 256);
    expect(norm).toBeLessThanOrEqual(1);
    expect(norm).toBeGreaterThanOrEqual(0.999);
  });

  it('rejects conv layers, naming the layer (also nested in a residual block)', () => {
    const c = spec([4, 4, 1], [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'flatten' }, dense(2)], 'softmax-xent');
    expect(() => initWeights(c, { init: 'small-weights', seed: 1 }))
      .toThrow(new BadInputError('small-weights supports dense layers only (layers[0] is conv2d)'));
    const r = spec([4, 4, 2], [
      { type: 'batchnorm' },
      { type: 'residual', layers: [{ type: 'conv2d', filters: 2, kernel: 3 }] },
      { type: 'flatten' }, dense(2),
    ], 'softmax-xent');
    expect(() => initWeights(r, { init: 'small-weights', seed: 1 }))
      .toThrow('small-weights supports dense layers only (layers[1].layers[0] is conv2d)');
  });
});

describe('determinism and streams (seed 30)', () => {
  const s = spec([300], [dense(300), dense(300), dense(300)]);

  it('same seed gives identical weights, another seed different ones', () => {
    for (const init of INIT_NAMES) {
      const a = initWeights(s, { init, seed: 30 });
      const b = initWeights(s, { init, seed: 30 });
      const c = initWeights(s, { init, seed: 31 });
      for (const [k, v] of a) {
        expect(Buffer.from(v.data.buffer).equals(Buffer.from(b.get(k)!.data.buffer))).toBe(true);
        if (k.endsWith('.kernel')) expect(Buffer.from(v.data.buffer).equals(Buffer.from(c.get(k)!.data.buffer))).toBe(false);
      }
    }
  });

  it('layers of the same shape are independent: sample correlation within 6/sqrt(n)', () => {
    // For independent zero-mean entries the sample correlation of n = 9e4 pairs has sd
    // 1/sqrt(n) = 0.0033; 6 sd: false-alarm 2e-9 per pair.
    const w = initWeights(s, { init: 'he', seed: 30 });
    const ks = [0, 1, 2].map((i) => get(w, `layers.${i}.kernel`));
    for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) {
      let xy = 0; let xx = 0; let yy = 0;
      for (let i = 0; i < ks[a]!.length; i++) { xy += ks[a]![i]! * ks[b]![i]!; xx += ks[a]![i]! ** 2; yy += ks[b]![i]! ** 2; }
      expect(Math.abs(xy / Math.sqrt(xx * yy))).toBeLessThan(6 / Math.sqrt(ks[a]!.length));
    }
  });

  it("a layer's weights do not depend on the layers after it", () => {
    const a = initWeights(spec([20], [dense(20), dense(20)]), { init: 'orthogonal', seed: 5 });
    const b = initWeights(spec([20], [dense(20), dense(20), dense(3)]), { init: 'orthogonal', seed: 5 });
    expect(get(a, 'layers.1.kernel')).toEqual(get(b, 'layers.1.kernel'));
  });

  it('kernelSeed separates seeds and names, including seeds beyond 32 bits', () => {
    const seen = new Set<number>();
    for (const seed of [0, 1, -1, 2 ** 32, 2 ** 33 + 1]) for (const name of ['layers.0.kernel', 'layers.1.kernel']) seen.add(kernelSeed(seed, name));
    expect(seen.size).toBe(10);
  });
});

describe('biases, batch norm and option errors', () => {
  it('biases are 0; batchnorm gamma 1, beta 0, mean 0, variance 1', () => {
    const s = spec([4, 4, 2], [
      { type: 'conv2d', filters: 3, kernel: 3 }, { type: 'batchnorm' }, { type: 'flatten' }, dense(5), dense(2),
    ], 'softmax-xent');
    const w = initWeights(s, { init: 'he', seed: 1 });
    expect(Array.from(get(w, 'layers.0.bias'))).toEqual([0, 0, 0]);
    expect(Array.from(get(w, 'layers.1.gamma'))).toEqual([1, 1, 1]);
    expect(Array.from(get(w, 'layers.1.beta'))).toEqual([0, 0, 0]);
    expect(Array.from(get(w, 'layers.1.mean'))).toEqual([0, 0, 0]);
    expect(Array.from(get(w, 'layers.1.variance'))).toEqual([1, 1, 1]);
    expect(Array.from(get(w, 'layers.3.bias'))).toEqual([0, 0, 0, 0, 0]);
    expect(w.get('layers.0.kernel')!.shape).toEqual([3, 3, 2, 3]);
  });

  it('rejects unknown inits, bad seeds and options the init does not use', () => {
    const s = spec([3], [dense(2)]);
    expect(() => initWeights(s, { init: 'xavier' as InitName, seed: 1 })).toThrow(/init must be one of "gaussian"/);
    expect(() => initWeights(s, { init: 'he', seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => initWeights(s, { init: 'he', seed: 1, kappa: 2 })).toThrow(/kappa applies only to init "gaussian"/);
    expect(() => initWeights(s, { init: 'gaussian', seed: 1, scale: 2 })).toThrow(/scale applies only/);
    expect(() => initWeights(s, { init: 'small-weights', seed: 1, gain: 2 })).toThrow(/gain does not apply/);
    expect(() => initWeights(s, { init: 'gaussian', seed: 1, kappa: 0 })).toThrow(/kappa must be a positive finite number/);
    expect(() => initWeights(s, { init: 'small-weights', seed: 1, scale: -1 })).toThrow(BadInputError);
  });
});

describe('every init passes checkWeights on random MLP specs (property, seed 40)', () => {
  it('holds', () => {
    const layerArb = fc.record({
      units: fc.integer({ min: 1, max: 12 }),
      activation: fc.constantFrom('tanh', 'relu', 'sigmoid', 'linear'),
      bias: fc.boolean(),
    });
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 12 }), fc.array(layerArb, { minLength: 1, maxLength: 5 }),
      fc.constantFrom(...INIT_NAMES), fc.integer(),
      (input, layers, init, seed) => {
        const s = spec([input], layers.map((l) => ({ type: 'dense', ...l })));
        const w = initWeights(s, { init, seed });
        checkWeights(s, w);
        return true;
      }), { seed: 40, numRuns: 200 });
  });
});

describe('error messages, exactly (one line naming the field and the value)', () => {
  const s = spec([3], [dense(2)]);
  it('unknown or missing init, missing seed', () => {
    expect(() => initWeights(s, { init: 'xavier' as InitName, seed: 1 }))
      .toThrow(new BadInputError('init must be one of "gaussian", "he", "glorot", "orthogonal", "small-weights" (got "xavier")'));
    expect(() => initWeights(s, { seed: 1 } as unknown as { init: InitName; seed: number }))
      .toThrow(new BadInputError('init must be one of "gaussian", "he", "glorot", "orthogonal", "small-weights" (got nothing)'));
    expect(() => initWeights(s, { init: 'he' } as unknown as { init: InitName; seed: number })).toThrow(new BadInputError('seed must be an integer (got nothing)'));
    expect(() => initWeights(s, { init: 'he', seed: 2 ** 60 })).toThrow(new BadInputError(`seed must be an integer (got ${2 ** 60})`));
  });

  it('kappa, scale and gain must be positive and finite: the field is named, Infinity and NaN are refused', () => {
    expect(() => initWeights(s, { init: 'gaussian', seed: 1, kappa: Infinity })).toThrow(new BadInputError('kappa must be a positive finite number (got null)'));
    expect(() => initWeights(s, { init: 'gaussian', seed: 1, kappa: NaN })).toThrow(new BadInputError('kappa must be a positive finite number (got null)'));
    expect(() => initWeights(s, { init: 'gaussian', seed: 1, kappa: -2 })).toThrow(new BadInputError('kappa must be a positive finite number (got -2)'));
    expect(() => initWeights(s, { init: 'small-weights', seed: 1, scale: -1 })).toThrow(new BadInputError('scale must be a positive finite number (got -1)'));
    expect(() => initWeights(s, { init: 'he', seed: 1, gain: 0 })).toThrow(new BadInputError('gain must be a positive finite number (got 0)'));
    expect(() => initWeights(s, { init: 'he', seed: 1, gain: Infinity })).toThrow(new BadInputError('gain must be a positive finite number (got null)'));
  });

  it('layer paths with two-digit indices: a conv at layers[10] under small-weights', () => {
    const layers = [...Array.from({ length: 10 }, () => ({ type: 'activation', activation: 'tanh' })), { type: 'conv2d', filters: 2, kernel: 3 }, { type: 'flatten' }, dense(2)];
    const c = spec([4, 4, 1], layers, 'softmax-xent');
    expect(() => initWeights(c, { init: 'small-weights', seed: 1 })).toThrow(new BadInputError('small-weights supports dense layers only (layers[10] is conv2d)'));
  });

  it('a spec without kernels (batch norm only) gets its identity parameters and no error', () => {
    const b = spec([4], [{ type: 'batchnorm' }]);
    const w = initWeights(b, { init: 'gaussian', seed: 1 });
    expect(Array.from(get(w, 'layers.0.gamma'))).toEqual([1, 1, 1, 1]);
    expect([...w.keys()].some((k) => k.endsWith('.kernel'))).toBe(false);
  });
});

describe('Strategy 4.1 scales as the theorem trials use them (seed 50)', () => {
  // The trial configurations of Theorems 4.1/5.1/6.1 go through initWeights; these are the
  // scales Theorem 4.1 relies on: W_0 ~ N(0, 1/d) whatever κ is, W_p ~ N(0, 1/(κ l)).
  const s = spec([300], [dense(400, { activation: 'tanh' }), dense(400, { activation: 'tanh' }), dense(400)]);
  for (const kappa of [0.5, 2, 16]) {
    it(`κ = ${kappa}: the first kernel ignores κ (1/d); later ones follow 1/(κ fan_in)`, () => {
      const w = initWeights(s, { init: 'gaussian', seed: 50, kappa });
      expectGaussian(get(w, 'layers.0.kernel'), 1 / 300);
      expectGaussian(get(w, 'layers.1.kernel'), 1 / (kappa * 400));
      expectGaussian(get(w, 'layers.2.kernel'), 1 / (kappa * 400));
    });
  }
  it('gain multiplies the Gaussian standard deviation, including the first layer', () => {
    const w = initWeights(s, { init: 'gaussian', seed: 51, kappa: 2, gain: 3 });
    expectGaussian(get(w, 'layers.0.kernel'), 9 / 300);
    expectGaussian(get(w, 'layers.1.kernel'), 9 / (2 * 400));
  });
});
