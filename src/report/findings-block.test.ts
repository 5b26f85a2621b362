import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { currentBlock, findingsBlock, replaceBlock, BEGIN, END } from './findings-block.ts';
import type { TheoremResult } from '../claims/claim.ts';

describe('README findings block', () => {
  it('the README block is exactly what the committed verify run generates (numbers cannot drift)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(existsSync('docs/verify-quick-seed1.json')).toBe(true);
    const doc = JSON.parse(readFileSync('docs/verify-quick-seed1.json', 'utf8'));
    expect(currentBlock(readme)).toBe(findingsBlock(doc));
  });

  it('a block names verdicts and numbers per claim, and findings', () => {
    const r = {
      id: 'x-1', title: 't', kinds: ['exact', 'trend'], kind: 'exact', holds: true, findings: ['grows'], instances: 3, seed: 4, budget: 'quick', ms: 1, details: {},
      claims: [
        { id: 'ident', statement: 'a | b', source: 'derived', ms: 1, kind: 'exact', verdict: 'holds', holds: true, instances: 40, minSlack: 0.25 },
        { id: 'grows', statement: 'η grows', source: 'paper', ms: 1, kind: 'trend', verdict: 'reversed', direction: 'increasing', alpha: 0.05, correction: '', measure: 'η', instances: 2,
          regimes: [{ label: 'tanh', levels: [1, 2], verdict: 'reversed', outcome: { tau: -0.5, pAdjusted: 0.001 } }] },
      ],
    } as unknown as TheoremResult;
    const b = findingsBlock({ backend: 'wasm', budget: 'quick', results: [r] });
    expect(b.startsWith(BEGIN)).toBe(true);
    expect(b.endsWith(END)).toBe(true);
    expect(b).toContain('| `x-1` | a \\| b | exact (derived) | **holds** | 40 instances, min slack 0.250 |');
    expect(b).toContain('tanh: τ -0.50, p_adj 0.00100 (reversed)');
    expect(b).toContain('Findings (a paper claim rejected or reversed): `x-1/grows`.');
    expect(b).toContain('--quick --seed 4');
    expect(replaceBlock(`head\n${BEGIN}\nold\n${END}\ntail`, b)).toBe(`head\n${b}\ntail`);
    expect(() => replaceBlock('no markers', b)).toThrow(/markers/);
  });
});
