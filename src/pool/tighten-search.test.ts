import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../backend/index.ts';
import { TrialPool } from './pool.ts';
import { boundAt, formatTighten, measureConfig, tightenSearch, type TightenSpec } from './tighten-search.ts';
import type { TrialConfig } from './trial.ts';

interface C { d: number; n: number }
const spec: TightenSpec<C> = {
  theorem: 'synthetic',
  arbitrary: fc.record({ d: fc.integer({ min: 2, max: 6 }), n: fc.integer({ min: 2, max: 5 }) }),
  trial: (c): TrialConfig => ({ d: c.d, n: c.n, width: 4, depth: 1, activation: 'tanh', loss: 'mse', init: { name: 'gaussian', kappa: 1 } }),
  measure: (r) => r.eta,
  measureName: 'η',
  forms: [
    { name: 'd η²', cell: (c, e) => ({ x: c.d * e * e, logA: 2 * Math.log(c.n) }) },
    { name: 'never applies', cell: () => null },
  ],
  trialsPerConfig: 16,
  shrinkEvaluations: 3,
};

describe('tightenSearch (synthetic bound on an in-process pool)', () => {
  beforeAll(async () => { await initBackend('wasm'); });

  it('searches, estimates, shrinks within its budget, and reports a form that never applies as unconstrained', async () => {
    const pool = await TrialPool.open({ workers: 0 });
    const doc = await tightenSearch(spec, { budget: 3, seed: 9, pool });
    expect(doc.configurations).toBe(3);
    // 3 configurations × 16 trials, then at most 3 shrink evaluations + 2 replays (original and fresh stream) × 16
    expect(doc.trials as number).toBeGreaterThanOrEqual(48);
    expect(doc.trials as number).toBeLessThanOrEqual(48 + 5 * 16);
    expect(pool.trials).toBe(doc.trials);
    const forms = doc.forms as { cells: number; cHat: number | null }[];
    expect(forms[1]).toMatchObject({ cells: 0, cHat: null });
    expect(formatTighten(doc)).toContain('no threshold in the form\'s domain was reached');
    // the worst cell's constant is the reported ĉ: the bound at ĉ equals the cell's Clopper–Pearson lower end
    const w = (doc.worst as { configuration: C; cell: { e: number; pLower: number } });
    expect(boundAt(spec.forms[0]!, w.configuration, w.cell.e, doc.cHat as number)).toBeCloseTo(w.cell.pLower, 10);
    // same seed, same document
    const again = await tightenSearch(spec, { budget: 3, seed: 9, pool });
    expect(again.cHat).toBe(doc.cHat);
    expect(again.path).toBe(doc.path);
    expect((await measureConfig(spec, pool, w.configuration, 9)).length).toBe(16);
  });
});
