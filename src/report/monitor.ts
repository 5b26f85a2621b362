/**
 * Plots of a confusion-monitor log (src/monitor/: a JSONL file with a `monitor` header line and one
 * `probe` line per probe) over training: the training loss, η, the cosine summary (min, 5%,
 * median, 95%), stiffness and the noise scale B_simple, each against the optimizer step. Used by
 * `gradconf report --monitor file.jsonl`.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Figure } from './html.ts';
import type { MonitorHeader, MonitorRecord } from '../monitor/monitor-record.ts';
import { BadInputError } from '../errors.ts';

const VL = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Read a monitor log: its header (null if absent) and its probe records, in file order. */
export function readMonitorLog(file: string): { header: MonitorHeader | null; records: MonitorRecord[] } {
  if (!existsSync(file)) throw new BadInputError(`monitor log not found: ${file}`);
  let header: MonitorHeader | null = null;
  const records: MonitorRecord[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let r: { type?: unknown; step?: unknown };
    try {
      r = JSON.parse(line) as { type?: unknown };
    } catch {
      throw new BadInputError(`${file}: line ${i + 1} is not valid JSON`);
    }
    if (r?.type === 'monitor') header = r as MonitorHeader;
    else if (r?.type === 'probe') {
      const rec = r as Record<string, unknown>;
      for (const f of ['step', 'eta']) {
        if (typeof rec[f] !== 'number' || !Number.isFinite(rec[f])) throw new BadInputError(`${file}: line ${i + 1}: "${f}" must be a finite number (got ${JSON.stringify(rec[f])})`);
      }
      if (rec.mode !== 'minibatch' && rec.mode !== 'example') throw new BadInputError(`${file}: line ${i + 1}: "mode" must be "minibatch" or "example" (got ${JSON.stringify(rec.mode)})`);
      records.push(r as MonitorRecord);
    }
  });
  if (records.length === 0) throw new BadInputError(`${file} holds no probe record (is it a gradconf monitor log?)`);
  return { header, records };
}

/** A line per series over the training step; every figure of a log shares the x range. */
const line = (values: Record<string, unknown>[], y: string, yTitle: string, steps: [number, number], opts: { log?: boolean; color?: string } = {}) => ({
  $schema: VL, width: 460, height: 220, data: { values }, mark: { type: 'line' as const, point: true },
  encoding: {
    x: { field: 'step', type: 'quantitative' as const, title: 'training step', scale: { domain: steps } },
    y: { field: y, type: 'quantitative' as const, title: yTitle, ...(opts.log ? { scale: { type: 'log' as const } } : {}) },
    ...(opts.color ? { color: { field: opts.color, type: 'nominal' as const, title: null, legend: { labelLimit: 300 } } } : {}),
  },
});

/** The figures of one monitor log (a figure whose quantity was never recorded is left out). */
export function monitorFigures(records: MonitorRecord[], title = 'monitor'): Figure[] {
  const figs: Figure[] = [];
  const steps: [number, number] = [Math.min(...records.map((r) => r.step)), Math.max(...records.map((r) => r.step))];
  const loss = records.filter((r) => r.loss !== null && r.loss > 0).map((r) => ({ step: r.step, loss: r.loss }));
  if (loss.length) figs.push({ title: `${title}: training loss.`, caption: 'The loss the training loop reported at each probed step (log scale).', spec: line(loss, 'loss', 'training loss', steps, { log: true }) });
  const between = records[0]!.mode === 'minibatch' ? 'minibatch-mean gradients' : 'per-example gradients';
  figs.push({ title: `${title}: gradient confusion η.`, caption: `Definition 2.1: η = max(0, −min ⟨g_i, g_j⟩) between ${between}.`, spec: line(records.map((r) => ({ step: r.step, eta: r.eta })), 'eta', 'η', steps) });
  const cos = records.flatMap((r) => (r.cosine ? (['min', 'q05', 'median', 'q95'] as const).map((q) => ({ step: r.step, value: r.cosine![q], quantile: q })) : []));
  if (cos.length) figs.push({ title: `${title}: cosine similarity.`, caption: `Minimum, 5% quantile, median and 95% quantile of the cosines between ${between} at each probe.`, spec: line(cos, 'value', 'cosine', steps, { color: 'quantile' }) });
  const stiff = records.flatMap((r) => (r.stiffness ? [
    { step: r.step, value: r.stiffness.sign, kind: 'sign, all pairs' }, { step: r.step, value: r.stiffness.cosine, kind: 'cosine, all pairs' },
    ...(r.stiffness.withinClass ? [{ step: r.step, value: r.stiffness.withinClass.cosine, kind: 'cosine, within class' }] : []),
    ...(r.stiffness.betweenClasses ? [{ step: r.step, value: r.stiffness.betweenClasses.cosine, kind: 'cosine, between classes' }] : []),
  ] : []));
  if (stiff.length) figs.push({ title: `${title}: stiffness.`, caption: 'Fort et al. (2019): mean sign and cosine of ⟨g_i, g_j⟩ over pairs of examples, overall and within / between classes.', spec: line(stiff, 'value', 'stiffness', steps, { color: 'kind' }) });
  const noise = records.filter((r) => r.noiseScale?.bSimple != null && r.noiseScale.bSimple > 0).map((r) => ({ step: r.step, bSimple: r.noiseScale!.bSimple }));
  if (noise.length) figs.push({ title: `${title}: gradient noise scale B_simple.`, caption: 'McCandlish et al. (2018): tr Σ / ‖E g‖² from unbiased estimates of both (log scale); probes where ‖E g‖² was estimated ≤ 0 are left out.', spec: line(noise, 'bSimple', 'B_simple', steps, { log: true }) });
  return figs;
}
