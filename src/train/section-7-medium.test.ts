/**
 * The medium-scale Section 7 run (README "Section 7 on real data", results/section-7-fashion-mnist-resnet):
 * a bn-skip depth sweep of the ResNet family (depths 10, 16, 22, width 1) on Fashion-MNIST through
 * the job queue, committed as results. Its trend tests are replayed here from the committed runs and
 * the findings pinned (direction and magnitude), so a sign or label bug in the analysis cannot
 * silently invert the headline.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyseSection7, summarizeRun, type RunSummary } from './section-7-analysis.ts';

const runs = readFileSync('results/section-7-fashion-mnist-resnet/runs.jsonl', 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l) as RunSummary & { type: string }).filter((r) => r.type === 'run').map(summarizeRun);

describe('medium Section 7 run (Fashion-MNIST, ResNet depths 10/16/22, bn-skip)', () => {
  const a = analyseSection7(runs);
  const test = (id: string) => a.tests.find((t) => t.id === id)!;

  it('holds every run exactly once: 4 variants × 3 depths × 2 seeds', () => {
    expect(runs).toHaveLength(24);
    expect(new Set(runs.map((r) => `${r.variant}/${r.level}/${r.seed}`)).size).toBe(24);
  });

  it('BN + skip is not closer to 0 than BN alone (finding): concordance ≤ 0.5, p large', () => {
    const t = test('bnskip-vs-bn');
    expect(t.holds).toBe(false);
    expect(t.result.n).toBe(12);
    expect(t.result.concordance).toBeGreaterThan(0.2);
    expect(t.result.concordance).toBeLessThan(0.5);
    expect(t.result.p).toBeGreaterThan(0.5);
  });

  it('skip without BN diverges at depth ≥ 16 (4 of 6 runs), so BN + skip vs skip is tested on depth 10 only and is not significant', () => {
    const skip = runs.filter((r) => r.variant === 'skip');
    expect(skip.filter((r) => r.diverged).map((r) => r.level).sort()).toEqual([16, 16, 22, 22]);
    const t = test('bnskip-vs-skip');
    expect(t.holds).toBe(false);
    expect(t.excluded).toHaveLength(4);
    expect(t.result.concordance).toBeGreaterThan(0.5);
  });

  it('the advantage of BN + skip shows in training: its loss falls with depth while plain and BN-only rise', () => {
    const med = (v: string, d: number) => a.levels.find((l) => l.variant === v && l.level === d)!.trainLoss;
    expect(med('bn+skip', 22)).toBeLessThan(med('bn+skip', 10));
    expect(med('plain', 22)).toBeGreaterThan(med('plain', 10));
    expect(med('bn', 22)).toBeGreaterThan(med('bn', 10));
    expect(med('bn+skip', 22)).toBeLessThan(0.8 * med('bn', 22));
    const acc = (v: string, d: number) => a.levels.find((l) => l.variant === v && l.level === d)!.testAccuracy!;
    expect(acc('bn+skip', 22)).toBeGreaterThan(0.4);
    expect(acc('plain', 22)).toBeLessThan(0.15);
  });
});
