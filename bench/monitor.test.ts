/**
 * Smoke test of the monitor benchmark (bench/monitor.ts) at toy size: it runs, every monitored run
 * ends with the plain run's weights (all three settings: sgdStep loop in both modes, model.fit),
 * and it counts the probes the schedule implies. No timing is asserted (benchmarks report ratios;
 * tests do not time).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.ts';
import { runMonitorBench } from './monitor.ts';

beforeAll(async () => { await initBackend('wasm'); });

describe('monitor benchmark (toy size)', () => {
  it('same weights with and without the monitor in every setting; probes every 3 of 7 steps', async () => {
    const rows = await runMonitorBench({ steps: 7, repeats: 1, every: 3, pairs: 2, probeBatch: 16, probeSet: 8, examples: 1024, tiny: true });
    expect(rows.map((r) => r.config)).toEqual(['loop-minibatch', 'loop-example', 'fit-minibatch']);
    for (const r of rows) {
      expect(r.sameWeights, r.config).toBe(true);
      expect(r.probesPerRun, r.config).toBe(2);
      expect(r.ratio).toBeGreaterThan(0);
    }
  });
});
