// regimeHasConfusion (Definition 2.1): a regime has no confusion when η = 0 in every trial or the
// minimum cosine is > 0 in every trial (no pair of gradients disagrees); otherwise it has some.
import { describe, expect, it } from 'vitest';
import { regimeHasConfusion } from './confusion.ts';

const t = (eta: number, minCos: number | null) => ({ eta, minCos });

describe('regimeHasConfusion', () => {
  it('no trials (or only empty trials): no confusion', () => {
    expect(regimeHasConfusion([])).toBe(false);
    expect(regimeHasConfusion([[], []])).toBe(false);
  });

  it('η = 0 in every trial: no confusion, whatever the cosines say', () => {
    expect(regimeHasConfusion([[t(0, null), t(0, 0)], [t(0, -0.5)]])).toBe(false);
  });

  it('minimum cosine > 0 in every trial: no confusion', () => {
    expect(regimeHasConfusion([[t(0.3, 0.1)], [t(0.2, 1e-9), t(0.1, 0.9)]])).toBe(false);
  });

  it('one trial with η > 0 and a cosine ≤ 0 (or unknown) is enough', () => {
    expect(regimeHasConfusion([[t(0.3, -0.2)]])).toBe(true);
    expect(regimeHasConfusion([[t(0.3, 0)]])).toBe(true); // cos = 0 is not > 0
    expect(regimeHasConfusion([[t(0.3, null)]])).toBe(true); // unknown cosine: not evidence of agreement
    expect(regimeHasConfusion([[t(0, 0.5), t(0, 0.5)], [t(0, 0.4), t(1e-12, -1e-6)]])).toBe(true); // across trials (flattened)
    expect(regimeHasConfusion([[t(0.1, 0.5)], [t(0, null)]])).toBe(true); // η > 0 somewhere and not every cosine > 0
  });
});
