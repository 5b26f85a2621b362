import { describe, expect, it } from 'vitest';
import { bonferroni, holm } from './multiple.ts';

describe('Holm and Bonferroni (hand-computed)', () => {
  // p = (0.01, 0.04, 0.03, 0.005), m = 4. Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06,
  // 0.04·1 = 0.04 → running max 0.02, 0.03, 0.06, 0.06.
  const p = [0.01, 0.04, 0.03, 0.005];
  it('Holm adjusted p-values and rejections at α = 0.05', () => {
    const r = holm(p, 0.05);
    r.adjusted.forEach((v, i) => expect(v).toBeCloseTo([0.03, 0.06, 0.06, 0.02][i]!, 12));
    expect(r.rejected).toEqual([true, false, false, true]);
  });
  it('Bonferroni: m·p capped at 1', () => {
    const r = bonferroni(p, 0.05);
    r.adjusted.forEach((v, i) => expect(v).toBeCloseTo([0.04, 0.16, 0.12, 0.02][i]!, 12));
    expect(r.rejected).toEqual([true, false, false, true]);
    expect(bonferroni([0.5, 0.9], 0.05).adjusted).toEqual([1, 1]);
  });
  it('Holm rejects a superset of Bonferroni (0.012 is rejected only by Holm)', () => {
    const q = [0.001, 0.012, 0.2];
    expect(bonferroni(q, 0.05).rejected).toEqual([true, true, false]);
    expect(holm([0.001, 0.02, 0.2], 0.05).rejected).toEqual([true, true, false]); // 0.02·2 = 0.04
    expect(bonferroni([0.001, 0.02, 0.2], 0.05).rejected).toEqual([true, false, false]); // 0.02·3 = 0.06
  });
  it('rejects p-values outside [0, 1]', () => {
    expect(() => holm([1.2], 0.05)).toThrow(RangeError);
  });
});
