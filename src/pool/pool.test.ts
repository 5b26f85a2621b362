import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.ts';
import { defaultWorkers, TrialPool, withPool } from './pool.ts';
import { trialSeed, type TrialConfig } from './trial.ts';

const configs: TrialConfig[] = [
  { d: 8, n: 4, width: 8, depth: 1, activation: 'tanh', loss: 'mse', init: { name: 'gaussian', kappa: 1 } },
  { d: 5, n: 3, width: 6, depth: 2, activation: 'relu', loss: 'logistic', init: { name: 'small-weights' }, norms: true },
  { d: 4, n: 3, width: 4, depth: 2, activation: 'linear', loss: 'mse', init: { name: 'orthogonal' }, ball: { radius: 0.1, samples: 2, norm: 'operator' } },
];
const tasks = configs.map((c) => ({ config: c, seeds: Array.from({ length: 9 }, (_, i) => trialSeed(7, c, i)) }));

describe('trial pool (tinypool child processes running src/pool/worker.ts through tsx)', () => {
  it('results are identical in-process, with 1 worker and with 2 workers, and come back in order', async () => {
    const local = await withPool({ workers: 0 }, (p) => p.run(tasks));
    let last = 0;
    const one = await withPool({ workers: 1 }, (p) => p.run(tasks, (done) => { last = done; }));
    const two = await withPool({ workers: 2, chunk: 2 }, (p) => p.run(tasks));
    expect(last).toBe(27);
    expect(one).toEqual(local);
    expect(two).toEqual(local);
    expect(two[1]![4]!.seed).toBe(tasks[1]!.seeds[4]);
  });

  it('throughput with 1 and 2 workers (reported, not asserted: the machine is shared)', async () => {
    const c: TrialConfig = { d: 32, n: 8, width: 64, depth: 4, activation: 'tanh', loss: 'mse', init: { name: 'gaussian', kappa: 1 } };
    const rates: Record<number, number> = {};
    for (const workers of [1, 2]) {
      await withPool({ workers }, async (p) => {
        await p.run([{ config: c, seeds: Array.from({ length: 8 * workers }, (_, i) => trialSeed(1, c, 1000 + i)) }]); // warm-up: load tfjs
        const t0 = performance.now();
        await p.run([{ config: c, seeds: Array.from({ length: 300 }, (_, i) => trialSeed(1, c, i)) }]);
        rates[workers] = 300 / ((performance.now() - t0) / 1000);
        expect(p.trials).toBe(300 + 8 * workers);
      });
    }
    console.log(`trials/s (d 32, width 64, depth 4, N 8): 1 worker ${rates[1]!.toFixed(0)}, 2 workers ${rates[2]!.toFixed(0)}`);
    expect(rates[1]!).toBeGreaterThan(0);
  });

  it('GRADCONF_WORKERS sets the default; bad values are a BadInputError', async () => {
    const old = process.env.GRADCONF_WORKERS;
    try {
      process.env.GRADCONF_WORKERS = '3';
      expect(defaultWorkers()).toBe(3);
      process.env.GRADCONF_WORKERS = '-1';
      expect(() => defaultWorkers()).toThrow(BadInputError);
      delete process.env.GRADCONF_WORKERS;
      expect(defaultWorkers()).toBeGreaterThanOrEqual(1);
      await expect(TrialPool.open({ workers: 1.5 })).rejects.toThrow(BadInputError);
    } finally {
      if (old === undefined) delete process.env.GRADCONF_WORKERS;
      else process.env.GRADCONF_WORKERS = old;
    }
  });
});
