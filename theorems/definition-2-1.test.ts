import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../src/backend/index.ts';
import { arbitrary, check, entry } from './definition-2-1.ts';

const SEED = 21;

describe(`definition-2-1 (fast-check seed ${SEED})`, () => {
  beforeAll(async () => { await initBackend('wasm'); });
  it('the probe η equals the definition computed from explicit gradients', () => {
    fc.assert(fc.property(arbitrary, (p) => check(p).holds), { seed: SEED, numRuns: 15 });
  });
  it('registry entry runs the same property and reports an exact claim that holds', async () => {
    const r = await entry.run({ seed: SEED, budget: 'quick' });
    expect(r.kind).toBe('exact');
    expect(r.holds).toBe(true);
    expect(r.instances).toBe(40);
    expect(r.details.minSlack as number).toBeGreaterThanOrEqual(0);
  });
});
