import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entry, figure1Data, figure1Run, gradientCosines, rankSumPValue, writeFigure1Json } from './figure-1.ts';
import { LeastSquares } from '../src/sgd/least-squares.ts';
import { Rng } from '../src/rng.ts';

describe('figure-1 (seeds 1, 2, 3)', () => {
  it('rankSumPValue: exact one-sided Mann–Whitney p-values by hand', () => {
    // Complete separation in the claimed direction, 3 vs 3: only 1 of C(6,3) = 20 splits has U = 9.
    expect(rankSumPValue([4, 5, 6], [1, 2, 3])).toBeCloseTo(1 / 20, 15);
    // Complete separation the other way: every split has U ≥ 0.
    expect(rankSumPValue([1, 2, 3], [4, 5, 6])).toBe(1);
    // x = (3, 5, 6), y = (1, 2, 4): U = 8; splits with U ≥ 8: {4,5,6} (U=9) and {3,5,6} (U=8): 2/20.
    expect(rankSumPValue([3, 5, 6], [1, 2, 4])).toBeCloseTo(2 / 20, 15);
  });

  it('gradient cosines equal the cosines of explicitly formed per-example gradients; zero gradients are left out', () => {
    const rng = new Rng(3);
    const rows = Array.from({ length: 5 }, () => rng.normals(4));
    const wstar = rng.normals(4);
    const p = LeastSquares.interpolating(rows, wstar);
    const w = rng.normals(4);
    const { cosines, zeroGradients } = gradientCosines(p, w);
    const g = rows.map((_, i) => p.grad(i, w, new Float64Array(4)));
    const cos = (a: Float64Array, b: Float64Array) => a.reduce((s, v, k) => s + v * b[k]!, 0) / Math.sqrt(a.reduce((s, v) => s + v * v, 0) * b.reduce((s, v) => s + v * v, 0));
    const expected: number[] = [];
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) expected.push(cos(g[i]!, g[j]!));
    expect(zeroGradients).toBe(0);
    expect(cosines.length).toBe(expected.length);
    for (let k = 0; k < expected.length; k++) expect(cosines[k]!).toBeCloseTo(expected[k]!, 13);
    // At w* every residual is exactly 0: all gradients are zero, no cosine, no NaN.
    const atStar = gradientCosines(p, wstar);
    expect(atStar.zeroGradients).toBe(5);
    expect(atStar.cosines.length).toBe(0);
  });

  it('d = 120 interpolates and converges linearly; d = 80 stalls near F* > 0 (one seed, 200 epochs)', () => {
    const over = figure1Run(100, 120, 1, 200);
    const under = figure1Run(100, 80, 1, 200);
    expect(over.loss.length).toBe(201);
    expect(over.fstar).toBe(0);
    // F* of 100 random N(0,1) targets fitted with 80 parameters: E F* = (N − d)/(2N) = 0.1; the
    // realised value is a χ²_20/200 variable: P(F* < 0.03) < 1e-3, so the threshold below is safe.
    expect(under.fstar).toBeGreaterThan(0.03);
    expect(under.loss.at(-1)!).toBeGreaterThanOrEqual(under.fstar);
    // Linear convergence of d = 120 (randomized-Kaczmarz-like rate, ≈ 0.5–1.5 % per epoch here): the
    // loss keeps falling geometrically, ≥ 2× over the second 100 epochs; d = 80 has stalled (< 2×).
    expect(over.loss[100]!).toBeLessThan(over.loss[0]! / 20);
    expect(over.loss[200]!).toBeLessThan(over.loss[100]! / 2);
    expect(over.logRatePerEpoch).toBeLessThan(-0.005);
    expect(under.loss[200]!).toBeGreaterThan(under.loss[100]! / 2);
  });

  it('the decision rule accepts both claims with p = 0.05 (3 vs 3, complete separation)', () => {
    const data = figure1Data({ epochs: 200 });
    expect(data.runs.length).toBe(6);
    expect(data.tests.loss.p).toBeCloseTo(0.05, 15);
    expect(data.tests.cosine.p).toBeCloseTo(0.05, 15);
    expect(data.holds).toBe(true);
    for (const r of data.runs) {
      expect(r.endCosines.length).toBe(r.cosines.end.count);
      expect(r.cosines.end.histogram.counts.reduce((a, b) => a + b, 0)).toBe(r.cosines.end.count);
      expect(r.cosines.end.zeroGradients).toBe(0);
      expect(r.cosines.end.count).toBe(4950);
    }
  });

  it('writeFigure1Json writes the curve data as readable JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fig1-'));
    try {
      const data = figure1Data({ epochs: 5, seeds: [1] });
      const path = join(dir, 'sub', 'figure-1.json');
      writeFigure1Json(path, data);
      const back = JSON.parse(readFileSync(path, 'utf8')) as typeof data;
      expect(back.runs.length).toBe(2);
      expect(back.runs[0]!.loss.length).toBe(6);
      expect(back.dims).toEqual([120, 80]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('registry entry (quick) holds, reports a summary and the plot data (curves ≤ 301 points, histograms)', async () => {
    const r = await entry.run({ seed: 1, budget: 'quick' });
    expect(r.kind).toBe('trend');
    expect(r.holds).toBe(true);
    expect(r.instances).toBe(6);
    const { curves, histograms, ...summary } = r.details as { curves: { loss: number[] }[]; histograms: { counts: number[] }[] };
    expect(JSON.stringify(summary).length).toBeLessThan(5000);
    expect(curves).toHaveLength(6);
    curves.forEach((c) => { expect(c.loss.length).toBeGreaterThan(100); expect(c.loss.length).toBeLessThanOrEqual(301); });
    expect(histograms).toHaveLength(6);
  });
});
