/**
 * The stratified Mann–Whitney test against its slow twin: brute-force enumeration of every
 * within-stratum reassignment of the observations (the definition of the permutation p-value),
 * plus values known by hand and the validity of the exact test (P(p ≤ α) ≤ α under H0).
 */
import { describe, expect, it } from 'vitest';
import { stratifiedMannWhitney } from './stratified-mann-whitney.ts';
import { Rng } from '../rng.ts';

/** All permutations of 0..n−1 (n ≤ 7). */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  return out;
}

const uDef = (x: number[], y: number[]) => { let s = 0; for (const a of x) for (const b of y) s += b > a ? 1 : b === a ? 0.5 : 0; return s; };

/** Brute force over every within-stratum reassignment, all strata jointly (value → count maps). */
function brute(strata: { x: number[]; y: number[] }[]): number {
  const obs = strata.reduce((a, s) => a + uDef(s.x, s.y), 0);
  let dist = new Map<number, number>([[0, 1]]);
  for (const s of strata) {
    const pool = [...s.x, ...s.y];
    const vals = new Map<number, number>();
    for (const p of permutations(pool.length)) {
      const v = uDef(p.slice(0, s.x.length).map((i) => pool[i]!), p.slice(s.x.length).map((i) => pool[i]!));
      vals.set(v, (vals.get(v) ?? 0) + 1);
    }
    const next = new Map<number, number>();
    for (const [d, c] of dist) for (const [v, k] of vals) next.set(d + v, (next.get(d + v) ?? 0) + c * k);
    dist = next;
  }
  let ge = 0;
  let tot = 0;
  for (const [d, c] of dist) { tot += c; if (d >= obs - 1e-9) ge += c; }
  return ge / tot;
}

describe('stratifiedMannWhitney', () => {
  it('one stratum, 3 vs 3, complete separation: p = 1/C(6,3) = 1/20, concordance 1', () => {
    const r = stratifiedMannWhitney([{ x: [1, 2, 3], y: [4, 5, 6] }]);
    expect(r.pValue).toBeCloseTo(1 / 20, 12);
    expect(r.concordance).toBe(1);
    expect(r.tau).toBe(1);
    expect(stratifiedMannWhitney([{ x: [4, 5, 6], y: [1, 2, 3] }]).pValue).toBeCloseTo(1, 12);
  });

  it('two strata of 2 vs 2, both separated: p = (1/6)² = 1/36', () => {
    expect(stratifiedMannWhitney([{ x: [0, 1], y: [2, 3] }, { x: [10, 11], y: [12, 13] }]).pValue).toBeCloseTo(1 / 36, 12);
  });

  it('exact p equals brute force over strata (random data, unequal sizes)', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 4; t++) {
      const strata = [0, 1, 2].map((k) => ({ x: Array.from({ length: 1 + (k % 2) + 1 }, () => rng.normal()), y: [rng.normal() + 0.5, rng.normal() + 0.5, rng.normal()] }));
      const r = stratifiedMannWhitney(strata);
      expect(r.method).toBe('exact');
      expect(r.pValue).toBeCloseTo(brute(strata), 10);
    }
  });

  it('with ties, the Monte Carlo p is within 0.01 of brute force (≈ 3 standard errors)', () => {
    const strata = [{ x: [1, 1, 2], y: [2, 3] }, { x: [0, 1], y: [1, 1, 2] }];
    const r = stratifiedMannWhitney(strata, { seed: 9 });
    expect(r.method).toBe('monte-carlo');
    expect(Math.abs(r.pValue - brute(strata))).toBeLessThan(0.01);
  });

  it('is valid: under H0, P(p ≤ α) ≤ α over all equally likely within-stratum arrangements', () => {
    // Two strata of sizes (2, 2) and (2, 3): every arrangement of ranks within each stratum.
    const a = permutations(4);
    const b = permutations(5);
    for (const alpha of [0.01, 0.05, 0.1]) {
      let rej = 0;
      for (const p of a) for (const q of b) {
        if (stratifiedMannWhitney([{ x: p.slice(0, 2), y: p.slice(2) }, { x: q.slice(0, 2), y: q.slice(2) }]).pValue <= alpha) rej++;
      }
      expect(rej / (a.length * b.length)).toBeLessThanOrEqual(alpha + 1e-12);
    }
  });

  it('ignores one-sided strata; rejects NaN and the absence of any usable stratum', () => {
    expect(stratifiedMannWhitney([{ x: [1], y: [2] }, { x: [], y: [0] }]).strata).toBe(1);
    expect(() => stratifiedMannWhitney([{ x: [1, NaN], y: [2] }])).toThrow(/NaN/);
    expect(() => stratifiedMannWhitney([{ x: [], y: [2] }])).toThrow(/no stratum/);
  });
});
