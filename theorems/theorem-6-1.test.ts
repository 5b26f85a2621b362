import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.ts';
import { randomOrthogonal } from '../models/linalg.ts';
import { buildModel } from '../models/build.ts';
import { deepLinear } from '../models/linear.ts';
import { computeGram } from '../src/probe/gram.ts';
import { Rng } from '../src/rng.ts';
import { TrialPool } from '../src/pool/pool.ts';
import { measureConfig } from '../src/pool/tighten-search.ts';
import { estimateTailConstant, tailCells } from '../src/stats/tail.ts';
import { matmul } from '../src/sgd/linalg.ts';
import type { ClaimResult, TheoremResult } from '../src/claims/claim.ts';
import { plantedClaim } from './define.ts';
import { checkIdentity, D_LEVELS, DEPTHS, factorize, identityArbitrary, sampleStudy, theorem, tightenSpec, type OrthogonalStudy, type SearchConfig } from './theorem-6-1.ts';

const SEED = 61;

describe(`theorem-6-1 (seed ${SEED})`, () => {
  let pool: TrialPool;
  beforeAll(async () => { await initBackend('wasm'); pool = await TrialPool.open({ workers: 2 }); });
  afterAll(async () => { await pool.close(); });

  it('exact identity: Gram(β) = (β+1)·Gram(0), equal cosines, over depth, d, N, outputs (both factorization modes)', () => {
    fc.assert(fc.property(identityArbitrary, (p) => checkIdentity(p).holds), { seed: SEED, numRuns: 25 });
  });

  it('independent reference: the probe Gram of a factorized net equals (β+1)<r_i, r_j><x_i, x_j> computed by hand in float64', () => {
    fc.assert(fc.property(fc.record({ d: fc.integer({ min: 1, max: 6 }), extra: fc.integer({ min: 0, max: 4 }), depth: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 1, max: 1e6 }) }), ({ d, extra, depth, seed }) => {
      const l = d + extra;
      const n = 4;
      const rng = new Rng(seed);
      const A = randomOrthogonal(1, l, rng);
      const B = randomOrthogonal(l, d, rng);
      const ws = factorize(A, B, 1, l, d, depth, rng);
      const x = Array.from({ length: n * d }, () => rng.normal());
      for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2; for (let j = 0; j < d; j++) x[i * d + j]! /= Math.sqrt(s); }
      const y = [0.3, -0.2, 0.9, -0.7];
      const dims = [d, ...Array.from({ length: depth }, () => l), 1];
      const w = new Map(ws.map((m, p) => {
        const [o, i] = [dims[p + 1]!, dims[p]!];
        const k = new Float32Array(i * o);
        for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) k[c * o + r] = m[r * i + c]!;
        return [`layers.${p}.kernel`, { shape: [i, o], data: k }];
      }));
      const model = buildModel(deepLinear({ input: d, width: l, depth, outputs: 1 }), w);
      const xt = tf.tensor2d(Float32Array.from(x), [n, d]);
      const yt = tf.tensor2d(Float32Array.from(y), [n, 1]);
      const g = computeGram(model, xt, yt).gram;
      model.dispose(); tf.dispose([xt, yt]);
      const M = matmul(A, B, 1, l, d);
      const r = Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < d; j++) s += M[j]! * x[i * d + j]!; return s - y[i]!; });
      let maxRef = 0;
      let maxDiff = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let xx = 0;
        for (let t = 0; t < d; t++) xx += x[i * d + t]! * x[j * d + t]!;
        const ref = (depth + 1) * r[i]! * r[j]! * xx;
        maxRef = Math.max(maxRef, Math.abs(ref));
        maxDiff = Math.max(maxDiff, Math.abs(g[i * n + j]! - ref));
      }
      return maxDiff <= 2e-4 * maxRef + 1e-9;
    }), { seed: SEED, numRuns: 15 });
  });

  it('the check can fail: a non-orthogonal factorization of the same map (row/column rescaled bond) breaks it', () => {
    for (const mode of ['gauge', 'init'] as const) {
      const v = checkIdentity({ d: 4, extra: 2, outputs: 2, n: 5, depths: [2], seed: 9, mode }, 2);
      expect(v.holds).toBe(false);
      expect(v.measured.maxCosineDeviation!).toBeGreaterThan(0.01);
    }
  });

  it('the study replays: the trials of the pool equal an in-process rerun of the same seeds', async () => {
    const s = await sampleStudy(pool, SEED, 12);
    const local = await TrialPool.open({ workers: 0 });
    const again = await sampleStudy(local, SEED, 12);
    expect(again).toEqual(s);
  });

  describe('verify at the test budget (the same claim code as gradconf verify)', () => {
    let r: TheoremResult;
    const claim = (id: string) => r.claims.find((c) => c.id === id)!;
    beforeAll(async () => { r = await theorem.run({ seed: SEED, budget: 'test' }); }, 120_000);

    it('the exact verdict is that of the identity alone, and it holds', () => {
      expect(r.holds).toBe(true);
      expect(claim('gram-identity').verdict).toBe('holds');
      expect(claim('gram-identity').instances).toBe(25);
    });

    it('statistical: both depth-law claims share one Holm family of 8 KS tests at α = 0.05', () => {
      const c = claim('min-cosine-law-depth-free');
      if (c.kind !== 'statistical') throw new Error('kind');
      // The null is exactly true (width = d, one output: the end-to-end map is a Haar unit vector
      // at every depth), so a rejection at this fixed seed has probability ≤ 0.05 (Holm).
      expect(c.verdict).toBe('not rejected');
      expect(c.alpha).toBe(0.05);
      expect(c.tests).toHaveLength(4);
      expect(c.correction).toContain('8 statistical test');
      // Power at 120 trials per depth and per-test level 0.05/8: D_crit ≈ 1.83·√(2/120) = 0.236 plus
      // two Hoeffding margins √(ln 20/240) = 0.112 each → sup-differences ≥ ~0.46 are caught with
      // probability ≥ 0.8.
      for (const t of c.tests) expect(t.minDetectable!).toBeLessThan(0.47);
    });

    it('trend: raw η grows with depth exactly like (β+1) — the one-sided test must see it', () => {
      const c = claim('raw-eta-grows-with-depth');
      if (c.kind !== 'trend') throw new Error('kind');
      expect(c.verdict).toBe('holds');
      expect(c.regimes[0]!.outcome!.tau).toBeGreaterThan(0.3);
    });

    it('trend: raw η falls and the min cosine rises as d grows (d = 4 … 64)', () => {
      for (const id of ['raw-eta-falls-with-d', 'min-cosine-rises-with-d']) {
        const c = claim(id);
        if (c.kind !== 'trend') throw new Error('kind');
        expect(c.verdict).toBe('holds');
      }
    });
  });

  describe('power and direction tests: the analysis of each claim on planted studies', () => {
    // Planted: groups whose law is known. A shift per level in the claimed direction must give
    // 'holds', the mirror 'reversed', and no shift mostly 'not detected'.
    const planted = (shift: (level: number) => number, trials = 60, seed = 7): OrthogonalStudy => {
      const rng = new Rng(seed);
      const group = (k: number, base: (u: number) => { eta: number; minCos: number }) => Array.from({ length: trials }, () => {
        const m = base(rng.normal());
        return { eta: m.eta, minCos: m.minCos + shift(k) };
      });
      return {
        depths: DEPTHS, dLevels: D_LEVELS, trials,
        byDepth: DEPTHS.map((b, k) => group(k, (u) => ({ eta: (b + 1) * Math.abs(u), minCos: -0.5 + 0.1 * u }))),
        byD: D_LEVELS.map((_, k) => group(k, (u) => ({ eta: Math.abs(u) * Math.exp(-shift(k)), minCos: -0.5 + 0.1 * u }))),
      };
    };
    const verdictOf = async (id: string, s: OrthogonalStudy): Promise<ClaimResult> => plantedClaim(theorem, id, s);

    it('min cosine rises with d: an upward shift holds, the mirror is reversed, none is not detected', async () => {
      expect((await verdictOf('min-cosine-rises-with-d', planted((k) => 0.05 * k))).verdict).toBe('holds');
      expect((await verdictOf('min-cosine-rises-with-d', planted((k) => -0.05 * k))).verdict).toBe('reversed');
      expect((await verdictOf('min-cosine-rises-with-d', planted(() => 0))).verdict).toBe('not detected');
    });

    it('raw η falls with d: a planted fall holds, a planted rise is reversed', async () => {
      expect((await verdictOf('raw-eta-falls-with-d', planted((k) => 0.3 * k))).verdict).toBe('holds');
      expect((await verdictOf('raw-eta-falls-with-d', planted((k) => -0.3 * k))).verdict).toBe('reversed');
    });

    it('raw η grows with depth: planted (β+1)|u| holds; reversed when the depths are mirrored', async () => {
      expect((await verdictOf('raw-eta-grows-with-depth', planted(() => 0))).verdict).toBe('holds');
      const s = planted(() => 0);
      s.byDepth = [...s.byDepth].reverse();
      expect((await verdictOf('raw-eta-grows-with-depth', s)).verdict).toBe('reversed');
    });

    it('a regime without confusion (every min cosine > 0) gets no trend verdict', async () => {
      const s = planted((k) => 0.05 * k);
      s.byD = s.byD.map((g) => g.map((t) => ({ ...t, minCos: Math.abs(t.minCos!) + 0.01 })));
      expect((await verdictOf('min-cosine-rises-with-d', s)).verdict).toBe('no confusion in this regime');
    });

    it('depth law (KS): a planted shift at one depth is rejected; the same law everywhere is not', async () => {
      const shifted = planted(() => 0);
      shifted.byDepth[3] = shifted.byDepth[3]!.map((t) => ({ ...t, minCos: t.minCos! + 0.1 }));
      const c = await verdictOf('min-cosine-law-depth-free', shifted);
      expect(c.verdict).toBe('rejected');
      if (c.kind !== 'statistical') throw new Error('kind');
      expect(c.tests.filter((t) => t.rejected).map((t) => t.label)).toEqual(['min cosine: depth 4 vs depth 0']);
      expect((await verdictOf('min-cosine-law-depth-free', planted(() => 0))).verdict).toBe('not rejected');
    });

    it('false-alarm rate of the depth law: over 200 planted null studies the rejections stay near α = 0.05', async () => {
      let rejected = 0;
      for (let seed = 1; seed <= 200; seed++) if ((await verdictOf('min-cosine-law-depth-free', planted(() => 0, 40, seed))).verdict === 'rejected') rejected++;
      // Holm over 4 tests controls the family-wise rate at ≤ 0.05: E[rejections] ≤ 10, and
      // P(Bin(200, 0.05) ≥ 20) ≈ 0.002. A level set 10× too loose (0.5) would reject far more.
      expect(rejected).toBeLessThan(20);
    });

    it('η/(β+1) law: planted raw η = (β+1)|u| is depth-free after rescaling; η·(β+1) is rejected', async () => {
      expect((await verdictOf('scaled-eta-law-depth-free', planted(() => 0))).verdict).toBe('not rejected');
      const s = planted(() => 0);
      s.byDepth = s.byDepth.map((g, k) => g.map((t) => ({ ...t, eta: t.eta * (DEPTHS[k]! + 1) })));
      expect((await verdictOf('scaled-eta-law-depth-free', s)).verdict).toBe('rejected');
    });
  });

  it('tightener: ĉ with interval, worst configuration, a shrunk counterexample above ĉ that replays', async () => {
    const doc = await theorem.tightener!.run({ budget: 3, seed: SEED });
    for (const k of ['theorem', 'form', 'cHat', 'ci', 'worst', 'counterexample', 'seed', 'path', 'trials']) expect(doc).toHaveProperty(k);
    expect(doc.theorem).toBe('theorem-6-1');
    const cHat = doc.cHat as number;
    const ci = doc.ci as [number, number];
    expect(cHat).toBeGreaterThan(0);
    expect(ci[0]).toBeLessThanOrEqual(cHat);
    expect(ci[1]).toBe(cHat);
    const cx = doc.counterexample as { c: number; configuration: SearchConfig; threshold: number; exceedances: number; trials: number };
    expect(cx.c).toBeGreaterThan(cHat);
    // replay the counterexample in-process from its seed: same exceedance count at the same threshold
    const local = await TrialPool.open({ workers: 0 });
    const v = await measureConfig(tightenSpec, local, cx.configuration, SEED);
    expect(v.filter((e) => e > cx.threshold).length).toBe(cx.exceedances);
    const est = estimateTailConstant(tailCells(v, (e) => tightenSpec.forms[0]!.cell(cx.configuration, e), 0));
    expect(est.cHat!).toBeLessThan(cx.c);
    expect(theorem.tightener!.format(doc)).toContain('ĉ =');
  });
});
