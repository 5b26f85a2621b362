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
import { checkIdentity, entry, factorize, identityArbitrary, matmul, statisticalChecks, tightener, tightenSpec, type SearchConfig } from './theorem-6-1.ts';

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

  it('statistical: the min-cosine law does not change with depth (KS, exact null) and the trends replay in-process', async () => {
    const s = await statisticalChecks(pool, SEED, 120);
    // The null is exactly true (width = d, one output: the end-to-end map is a Haar unit vector at
    // every depth), so a rejection has probability ≤ 0.05 (Holm); the seed is fixed.
    expect(s.cosLaw.rejected).toBe(false);
    expect(s.cosLaw.tests).toHaveLength(4);
    // Power at 120 trials per depth: D_crit(α/4, 120, 120) ≈ 1.73·√(2/120) = 0.223 plus two Hoeffding
    // margins √(ln 20/240) = 0.112 each → sup-differences ≥ ~0.447 are caught with probability ≥ 0.8.
    expect(s.cosLaw.minDetectable).toBeLessThan(0.45);
    // raw η is exactly (β+1)·(depth-free law): the one-sided test must see it
    expect(s.rawTrend.verdict).toBe('holds');
    expect(['holds', 'not detected', 'reversed']).toContain(s.dTrend.verdict);
    // replay: the pool's results equal an in-process rerun of the same seeds
    const local = await TrialPool.open({ workers: 0 });
    const again = await statisticalChecks(local, SEED, 120);
    expect(again.dTrend.statistic).toBe(s.dTrend.statistic);
    expect(again.cosLaw.tests.map((t) => t.statistic)).toEqual(s.cosLaw.tests.map((t) => t.statistic));
  });

  it('registry entry (quick): exact claim holds, statistical claims carry test and α', async () => {
    const r = await entry.run({ seed: SEED, budget: 'quick' });
    expect(r.kind).toBe('exact');
    expect(r.holds).toBe(true);
    const claims = r.details.claims as { kind: string; holds?: boolean; test?: { alpha: number } }[];
    expect(claims[0]!.holds).toBe(true);
    expect(claims.filter((c) => c.kind === 'statistical').every((c) => c.test!.alpha === 0.05)).toBe(true);
  });

  it('tightener: ĉ with interval, worst configuration, a shrunk counterexample above ĉ that replays', async () => {
    const doc = await tightener.run({ budget: 3, seed: SEED });
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
    expect(tightener.format(doc)).toContain('ĉ =');
  });
});
