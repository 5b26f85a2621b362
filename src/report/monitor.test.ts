/**
 * `gradconf report --monitor`: a real monitor log (written by the monitor during a short custom
 * training loop) becomes a self-contained HTML report whose figures carry the logged values, checked
 * in headless Chromium; malformed logs are one-line errors with exit code 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.ts';
import { checkPage } from './browser.ts';
import { monitorFigures, readMonitorLog } from './monitor.ts';
import { initBackend } from '../backend/index.ts';
import { ConfusionMonitor } from '../monitor/confusion-monitor.ts';
import { buildModel } from '../../models/build.ts';
import { validateSpec } from '../../models/spec.ts';
import { randomData, randomWeights } from '../../models/arbitraries.ts';
import { trainableNames } from '../probe/plain.ts';
import { sgdStep } from '../train/train.ts';

let dir = '';
const log = () => join(dir, 'run.jsonl');

beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'gradconf-monitor-report-'));
  mkdirSync('out', { recursive: true });
  // A short training run with the monitor in example mode (stiffness and m-coherence too).
  const spec = validateSpec({ input: [5], layers: [{ type: 'dense', units: 8, activation: 'tanh' }, { type: 'dense', units: 3 }], loss: 'softmax-xent' });
  const d = randomData(spec, 48, 2);
  const model = buildModel(spec, randomWeights(spec, 4));
  const mon = new ConfusionMonitor({ every: 2, mode: 'example', batchSize: 16, inputs: { shape: [48, 5], data: d.x }, targets: { shape: [48, 3], data: d.y }, out: log() });
  const x = tf.tensor2d(d.x, [48, 5]);
  const y = tf.tensor2d(d.y, [48, 3]);
  mon.probe(model, { step: 0, epoch: 0 });
  for (let step = 1; step <= 10; step++) {
    const b = (step - 1) % 3;
    const xb = tf.slice(x, [b * 16, 0], [16, 5]);
    const yb = tf.slice(y, [b * 16, 0], [16, 3]) as tf.Tensor2D;
    const loss = sgdStep(model, trainableNames(model), xb, yb, 0.5);
    tf.dispose([xb, yb]);
    mon.afterStep(model, { step, epoch: Math.ceil(step / 3), loss });
  }
  tf.dispose([x, y]);
  mon.dispose();
  model.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradconf report --monitor', () => {
  it('figures carry the logged values', () => {
    const { header, records } = readMonitorLog(log());
    expect(header!.mode).toBe('example');
    expect(records.map((r) => r.step)).toEqual([0, 2, 4, 6, 8, 10]);
    const figs = monitorFigures(records);
    expect(figs.map((f) => f.title)).toEqual(['monitor: training loss.', 'monitor: gradient confusion η.', 'monitor: cosine similarity.', 'monitor: stiffness.', 'monitor: gradient noise scale B_simple.']);
    const values = (i: number) => (figs[i]!.spec as { data: { values: Record<string, number>[] } }).data.values;
    // Step 0 has no training loss; η, every probe.
    expect(values(0).map((v) => v.step)).toEqual([2, 4, 6, 8, 10]);
    expect(values(1).map((v) => v.eta)).toEqual(records.map((r) => r.eta));
    expect(values(2).filter((v) => (v as unknown as { quantile: string }).quantile === 'min').map((v) => v.value)).toEqual(records.map((r) => r.cosine!.min));
    expect(values(4).map((v) => v.bSimple)).toEqual(records.filter((r) => r.noiseScale!.bSimple! > 0).map((r) => r.noiseScale!.bSimple));
  });

  it('renders in Chromium: one section, five figures, no console errors', async () => {
    const out = join(dir, 'monitor.html');
    const r = await runCli(['report', '--monitor', log(), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(out);
    const page = await checkPage(out, ['section[data-result-id]', 'figure svg', '#monitor-0 figure svg'], join('out', 'report-monitor.png'));
    expect(page.errors).toEqual([]);
    expect(page.counts['section[data-result-id]']).toBe(1);
    expect(page.counts['#monitor-0 figure svg']).toBe(5);
    expect(readFileSync(out, 'utf8')).not.toMatch(/<script/);
  });

  it('default output next to the log; bad logs are one-line errors (exit 2)', async () => {
    expect((await runCli(['report', '--monitor', log()])).code).toBe(0);
    expect(readFileSync(join(dir, 'run.html'), 'utf8')).toContain('<svg');
    writeFileSync(join(dir, 'bad.jsonl'), '{"type":"probe","step":1,"eta":0,"mode":"example"}\n{"type":"probe", oops\n');
    writeFileSync(join(dir, 'empty.jsonl'), '{"type":"monitor"}\n');
    writeFileSync(join(dir, 'no-eta.jsonl'), '{"type":"probe","step":1,"mode":"example","eta":null}\n');
    for (const [args, msg] of [
      [['--monitor', join(dir, 'bad.jsonl')], /bad\.jsonl: line 2 is not valid JSON/],
      [['--monitor', join(dir, 'empty.jsonl')], /holds no probe record/],
      [['--monitor', join(dir, 'no-eta.jsonl')], /no-eta\.jsonl: line 1: "eta" must be a finite number \(got null\)/],
      [['--monitor', join(dir, 'missing.jsonl')], /monitor log not found/],
      [['--monitor', log(), '--sweep', dir], /not both/],
      [[], /--sweep DIR .* or --monitor FILE/],
    ] as const) {
      const r = await runCli(['report', ...args]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
});
