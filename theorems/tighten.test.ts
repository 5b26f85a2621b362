/** variantTightener (the shape of `gradconf tighten theorem-3-1 | theorem-3-2`) on a toy bound x ≤ 50. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { variantTightener } from './tighten.ts';
import type { VariantReport, VariantSpec } from '../src/bounds/variant-search.ts';

const upTo = (name: string, limit: number): VariantSpec<number> => ({
  name, description: `x ≤ ${limit}`, expectRefuted: limit < 100,
  arbitrary: fc.integer({ min: 0, max: 100 }),
  check: (x) => ({ holds: x <= limit, measured: { measured: x }, bound: limit, slack: (limit - x) / limit }),
});
const toy = (defaultBudget?: number) => variantTightener({
  id: 'toy', description: 'toy search', variants: [upTo('statement', 100), upTo('half', 50)],
  custom: (e) => upTo(`custom ${e}`, Number(e)), boundVariables: ['x'],
  bound: { source: 'x <= 100', tex: () => 'x \\le 100' }, ...(defaultBudget !== undefined ? { defaultBudget } : {}),
});

describe('variantTightener', () => {
  it('searches every variant at the budget and seed, plus the custom bound when given; progress counts all instances', async () => {
    const t = toy();
    expect([t.id, t.description, t.defaultBudget, t.boundVariables]).toEqual(['toy', 'toy search', 300, ['x']]);
    expect(toy(7).defaultBudget).toBe(7);
    const seen: [number, number][] = [];
    const t0 = performance.now();
    const doc = await t.run({ budget: 40, seed: 2, bound: '100', progress: (d, n) => seen.push([d, n]) });
    const elapsed = performance.now() - t0;
    const vs = doc.variants as VariantReport[];
    expect(vs.map((v) => [v.name, v.refuted])).toEqual([['statement', false], ['half', true], ['custom 100', false]]);
    expect(vs[1]!.counterexample).toBe(51);
    expect(vs.every((v) => v.seed === 2)).toBe(true);
    expect([doc.id, doc.budget, doc.seed, doc.bound, doc.tex]).toEqual(['toy', 40, 2, 'x <= 100', 'x \\le 100']);
    expect(doc.ms as number).toBeGreaterThanOrEqual(0);
    expect(doc.ms as number).toBeLessThanOrEqual(elapsed);
    // The first instance counts 1 of 3 · 40; the counts only grow (shrinking is not counted).
    expect(seen[0]).toEqual([1, 120]);
    expect(seen.every(([d], i) => i === 0 || d > seen[i - 1]![0])).toBe(true);
    expect(seen.every(([d, n]) => n === 120 && d <= 120)).toBe(true);
    const plain = await t.run({ budget: 10, seed: 2 });
    expect((plain.variants as VariantReport[]).map((v) => v.name)).toEqual(['statement', 'half']);
  });

  it('format: a titled text report of the search', async () => {
    const t = toy();
    const text = t.format(await t.run({ budget: 20, seed: 1 }));
    expect(text.split('\n')[0]).toBe('gradconf tighten toy (budget 20 per variant, seed 1)');
    expect(text).toMatch(/- half \(variant\): REFUTED after \d+ instances/);
    expect(text).toMatch(/- statement \(variant\): not refuted in 20 instances \(seed 1\)/);
  });
});
