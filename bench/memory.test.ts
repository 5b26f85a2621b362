/**
 * The memory bench at small sizes (bench/memory.ts): rows for every size, blocked within the
 * budget and equal to unblocked, unblocked skipped above --max-unblocked.
 */
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.ts';
import { validateSpec } from '../models/spec.ts';
import { memoryTable, runMemoryBench } from './memory.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';

describe('memory bench (cpu, small)', () => {
  it('blocked rows stay within the budget, match unblocked, and the table prints them', async () => {
    await initBackend('cpu');
    const spec = validateSpec({ input: [30], layers: [{ type: 'dense', units: 24, activation: 'tanh' }, { type: 'dense', units: 5, activation: 'linear' }], loss: 'softmax-xent' });
    // Weights 3.1 kB; the unblocked probe of 120 examples peaks well above 150 kB (B² floats ×
    // several ghost temporaries = 120²·4·4 ≈ 230 kB), so a 150 kB budget forces blocks.
    const rows = runMemoryBench({ spec, sizes: [40, 120], budget: 150_000, maxUnblocked: 120 });
    expect(rows.map((r) => `${r.batch} ${r.variant}`)).toEqual(['40 unblocked', '40 blocked', '120 unblocked', '120 blocked']);
    const big = rows[3]!;
    expect(big.blocks).toBeGreaterThan(1);
    expect(big.withinBudget).toBe(true);
    expect(big.peakTensorBytes).toBeLessThanOrEqual(150_000);
    expect(rows[2]!.peakTensorBytes).toBeGreaterThan(150_000);
    expect(big.gramRelErr!).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
    expect(big.timeRatio).toBeGreaterThan(0);
    const skipped = runMemoryBench({ spec, sizes: [60], budget: 150_000, maxUnblocked: 50 });
    expect(skipped.map((r) => r.variant)).toEqual(['blocked']);
    expect(memoryTable(rows, 'cpu').split('\n')).toHaveLength(5);
  });
});
