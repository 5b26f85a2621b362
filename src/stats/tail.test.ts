import { describe, expect, it } from 'vitest';
import { ols } from './regression.ts';
import { cellConstant, compareForms, estimateTailConstant, logTailRate, tailCells, type FormPoint } from './tail.ts';

describe('ols (hand-computed)', () => {
  it('x = (0,1,2), y = (0,1,3): slope 3/2, intercept −1/6, rss 1/6, se(slope) = √(1/6)/√2', () => {
    const r = ols([[1, 0], [1, 1], [1, 2]], [0, 1, 3], ['a', 'b']);
    expect(r.coefficients[0]!.estimate).toBeCloseTo(-1 / 6, 12);
    expect(r.coefficients[1]!.estimate).toBeCloseTo(1.5, 12);
    expect(r.rss).toBeCloseTo(1 / 6, 12);
    expect(r.coefficients[1]!.se).toBeCloseTo(Math.sqrt(1 / 6) / Math.sqrt(2), 12);
    // 95% t interval with 1 df: t = 12.706205
    expect(r.coefficients[1]!.ci[1]).toBeCloseTo(1.5 + 12.706205 * Math.sqrt(1 / 12), 4);
  });
  it('singular designs are an error', () => {
    expect(() => ols([[1, 1], [1, 1], [1, 1]], [1, 2, 3], ['a', 'b'])).toThrow(RangeError);
  });
});

describe('tail constants from exceedance cells', () => {
  it('c(p) = (ln A − ln p)/X; p = 0 gives no constraint', () => {
    expect(cellConstant(0.5, 2, Math.log(4))).toBeCloseTo((Math.log(4) + Math.log(2)) / 2, 14);
    expect(cellConstant(0, 2, 1)).toBe(Infinity);
  });
  it('one cell, 5 of 10: ĉ uses the Clopper–Pearson lower end 0.187086, the CI low end the upper 0.812914', () => {
    const est = estimateTailConstant([{ k: 5, n: 10, e: 1, x: 2, logA: Math.log(4), config: 0 }]);
    expect(est.cPoint).toBeCloseTo((Math.log(4) - Math.log(0.5)) / 2, 12);
    expect(est.cHat).toBeCloseTo((Math.log(4) - Math.log(0.187086)) / 2, 5);
    expect(est.ci[0]).toBeCloseTo((Math.log(4) - Math.log(0.812914)) / 2, 5);
    expect(est.worst?.k).toBe(5);
  });
  it('Bonferroni over M cells: two cells each at level 1 − 0.05/2; the worst is the smaller constant', () => {
    const cells = [
      { k: 5, n: 10, e: 1, x: 2, logA: Math.log(4), config: 0 },
      { k: 5, n: 10, e: 2, x: 8, logA: Math.log(4), config: 1 },
    ];
    const est = estimateTailConstant(cells);
    expect(est.cells).toBe(2);
    expect(est.worst?.config).toBe(1);
    expect(est.cHat!).toBeGreaterThan((Math.log(4) - Math.log(0.187086)) / 8); // wider interval → larger ĉ
  });
  it('no exceedances anywhere: ĉ is +∞ (null), the CI low end is finite', () => {
    const est = estimateTailConstant([{ k: 0, n: 20, e: 1, x: 1, logA: 0, config: 0 }]);
    expect(est.cHat).toBeNull();
    expect(est.ci[0]).toBeCloseTo(-Math.log(1 - 0.025 ** (1 / 20)), 6);
  });
  it('tailCells: thresholds just below the k-th largest, k = 1, 2, 4, …; exact exceedance counts; positive only', () => {
    const v = [5, 4, 3, 2, 1, 0, 0, 0];
    const cells = tailCells(v, (e) => ({ x: e * e, logA: 0 }), 7);
    expect(cells.map((c) => c.k)).toEqual([1, 2, 4]);
    expect(cells[1]!.e).toBeCloseTo(4, 9);
    expect(cells[1]!.e).toBeLessThan(4);
    expect(cells.every((c) => c.config === 7 && c.n === 8)).toBe(true);
    expect(tailCells([0, 0, 0, 0], (e) => ({ x: e, logA: 0 }), 0)).toEqual([]);
    expect(tailCells([9, 1, 1, 1], (e) => (e > 4 ? { x: e - 4, logA: 0 } : null), 0).map((c) => c.k)).toEqual([1]);
  });
  it('logTailRate at the k-th largest value: ln((ln A − ln(k/n))/g(e))', () => {
    expect(logTailRate([4, 3, 2, 1], 1, Math.log(9), (e) => e * e)).toBeCloseTo(Math.log((Math.log(9) + Math.log(4)) / 16), 12);
    expect(logTailRate([0, 0], 1, 0, (e) => e * e)).toBeNull();
  });
});

describe('compareForms', () => {
  // Synthetic tails generated exactly by form A: ln rate = ln 3 + offsetA; form B differs by ln l.
  const pts: FormPoint[] = [];
  for (const l of [8, 16, 32, 64]) {
    for (const d of [4, 16]) {
      const offA = Math.log(d) - 2 * Math.log(l + 1);
      const offB = Math.log(l * d);
      pts.push({ logRate: Math.log(3) + offA, covariates: { 'ln l': Math.log(l), 'ln d': Math.log(d) }, offsets: { A: offA, B: offB } });
    }
  }
  it('recovers the constant of the true form exactly (c = 3, residual sd 0, R² = 1) and prefers it', () => {
    const r = compareForms(pts, ['A', 'B'], ['ln l', 'ln d']);
    const a = r.fits.find((f) => f.form === 'A')!;
    expect(a.c).toBeCloseTo(3, 12);
    expect(a.residualSd).toBeCloseTo(0, 12);
    expect(a.r2).toBeCloseTo(1, 12);
    expect(r.best).toBe('A');
    expect(a.lackOfFit!.pValue).toBe(1);
    const b = r.fits.find((f) => f.form === 'B')!;
    expect(b.r2).toBeLessThan(0); // the wrong form is worse than a constant
    expect(b.lackOfFit!.pValue).toBeLessThan(0.01);
    // free model: ln rate = ln 3 + ln d − 2 ln(l + 1) ≈ exponent of l near −2, of d exactly 1
    const dCoef = r.free!.coefficients.find((c) => c.name === 'ln d')!;
    expect(dCoef.estimate).toBeCloseTo(1, 10);
  });
});
