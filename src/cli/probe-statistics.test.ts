/**
 * `gradconf probe` with the Gram statistics: the JSON document carries `statistics` (exact
 * relations with the fields printed next to it), the text summary names each statistic,
 * `--labels` and `--top-k` work, and bad labels are a one-line error with exit code 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';
import { writeNpy } from '../data/npy.ts';

let dir = '';
const p = (f: string) => join(dir, f);
const mse = { input: [4], layers: [{ type: 'dense', units: 5, activation: 'tanh' }, { type: 'dense', units: 2 }], loss: 'mse' };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-probe-stats-'));
  writeFileSync(p('mse.json'), JSON.stringify(mse));
  writeNpy(p('x.npy'), { shape: [7, 4], data: Float32Array.from({ length: 28 }, (_, i) => Math.sin(1.3 * i)) });
  writeNpy(p('y.npy'), { shape: [7, 2], data: Float32Array.from({ length: 14 }, (_, i) => Math.cos(i)) });
  writeNpy(p('labels.npy'), { shape: [7], data: Float64Array.from([0, 1, 0, 1, 2, 2, 0]) });
  writeNpy(p('labels6.npy'), { shape: [6], data: Float64Array.from([0, 1, 0, 1, 2, 2]) });
  writeNpy(p('labels-frac.npy'), { shape: [7], data: Float64Array.from([0, 1, 0.5, 1, 2, 2, 0]) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = () => ['probe', '--model', p('mse.json'), '--inputs', p('x.npy'), '--targets', p('y.npy'), '--backend', 'cpu'];

describe('gradconf probe: statistics', () => {
  it('--json: statistics next to the existing fields, consistent with the printed Gram', async () => {
    const r = await runCli([...base(), '--json', '--gram', '--labels', p('labels.npy'), '--top-k', '3']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    for (const k of ['eta', 'cosine', 'diversity', 'norms', 'zeroGradients']) expect(doc).toHaveProperty(k);
    const st = doc.statistics;
    const G: number[][] = doc.gram;
    const n = G.length;
    const trace = G.reduce((a, row, i) => a + row[i]!, 0);
    const total = G.flat().reduce((a, v) => a + v, 0);
    expect(st.mCoherence).toBeCloseTo(total / trace, 9);
    expect(st.mCoherence * doc.diversity).toBeCloseTo(1, 12);
    expect(st.noiseScale.meanGradientSq).toBeCloseTo((total - trace) / (n * (n - 1)), 9);
    expect(st.spectrum.top).toHaveLength(3);
    expect(st.spectrum.trace).toBeCloseTo(trace, 6);
    expect(st.stiffness.byClass.classes).toEqual([0, 1, 2]);
    expect(st.stiffness.byClass.counts).toEqual([3, 2, 2]);
    expect(st.stiffness.overall.cosine).toBeCloseTo(doc.cosine.mean, 12);
    expect(r.out).not.toMatch(/NaN|Infinity/);
  });

  it('text summary: one line per statistic; without labels a note says why stiffness by class is missing', async () => {
    const r = await runCli([...base()]);
    expect(r.code).toBe(0);
    for (const re of [/^m-coherence .* = \S+/m, /^stiffness: sign \S+, cosine \S+ over 21 pairs$/m, /^noise scale B_simple = /m, /^spectrum of G: top /m, /^Cockpit tests \(largest θ that passes\): norm /m]) expect(r.out).toMatch(re);
    expect(r.out).toMatch(/^note: stiffness by class omitted: no class labels \(square-loss targets are values, not classes: give labels \(--labels labels.npy\)\)$/m);
    const withLabels = await runCli([...base(), '--labels', p('labels.npy')]);
    expect(withLabels.out).toMatch(/within class sign \S+ cosine \S+, between classes sign \S+ cosine \S+ \(3 classes; class matrix in --json\)/);
  });

  it('minibatch mode reports the noise scale and says what is not defined there', async () => {
    const r = await runCli([...base(), '--mode', 'minibatch', '--batch-size', '2', '--pairs', '3', '--json']);
    expect(r.code).toBe(0);
    const st = JSON.parse(r.out).statistics;
    expect(st.noiseScale.estimator).toBe('minibatch-pairs');
    expect(st.stiffness).toBeNull();
    expect(st.notes[0]).toMatch(/not computed in minibatch mode/);
  });

  it('bad labels and --top-k: one line naming the problem, exit 2', async () => {
    for (const [args, msg] of [
      [['--labels', p('labels6.npy')], /--labels|labels6\.npy: shape \[6\] does not match the 7 examples/],
      [['--labels', p('labels-frac.npy')], /label 0\.5 at index 2 is not an integer/],
      [['--labels', p('missing.npy')], /missing\.npy/],
      [['--top-k', '-1'], /--top-k/],
    ] as const) {
      const r = await runCli([...base(), ...args]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
});
