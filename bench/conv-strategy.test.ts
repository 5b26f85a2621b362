/** bench/conv-strategy.ts on a tiny batch: the recorded uses, and rows that agree with the rule's own choice. */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.ts';
import { recordConvUses, runConvStrategy, convTable } from './conv-strategy.ts';

describe('conv strategy bench (B = 2)', () => {
  it('records the two conv layers of the cnn preset with their shapes', async () => {
    await initBackend('wasm');
    const r = recordConvUses('cnn', 2);
    try {
      expect(r.uses.map((u) => [u.call.param, u.call.input.shape, u.delta.shape])).toEqual([
        ['layers.0.kernel', [2, 28, 28, 1], [2, 28, 28, 32]],
        ['layers.1.kernel', [2, 28, 28, 32], [2, 14, 14, 64]],
      ]);
    } finally {
      r.dispose();
    }
  });

  it('times every form; auto is the rule\'s pick; skipSlow leaves the slow form out', async () => {
    await initBackend('wasm');
    const rows = await runConvStrategy([{ config: 'cnn', batch: 2 }], { reps: 1, slowFactor: 1e9 });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.ghostMs! > 0 && r.materializeMs! > 0 && r.autoMs > 0).toBe(true);
      expect(r.auto).toBe(r.cost.ghost <= r.cost.materialize ? 'ghost' : 'materialize');
      expect(r.pass).toBe(r.autoOverBest <= 1.05);
    }
    // conv 0 at B = 2: ghost (2·784)²·(9 + 32) ≈ 1.0e8 vs materialize 2·784·9·32 + 4·288 ≈ 4.5e5 (conv2d.ts cost).
    expect(rows[0]!.cost.ghost).toBe(4 * 784 * 784 * 41);
    expect(rows[0]!.cost.materialize).toBe(2 * 784 * 9 * 32 + 4 * 9 * 32);
    const skipped = await runConvStrategy([{ config: 'cnn', batch: 2 }], { reps: 1, slowFactor: 20, skipSlow: true });
    // conv 1: ghost 4·196²·(288 + 64) ≈ 5.4e7 is 7× materialize (2·196·288·64 + 4·18432 ≈ 7.3e6), under 20: it runs.
    expect(skipped[0]!.ghostMs).toBeNull();
    expect(skipped[1]!.ghostMs).toBeGreaterThan(0);
    expect(convTable(skipped)).toMatch(/not run/);
  });
});
