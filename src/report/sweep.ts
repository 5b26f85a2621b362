/**
 * Plots of a training sweep directory (`gradconf sweep … --out dir`: runs.jsonl + sweep.json), in
 * the spirit of the paper's Section 7 figures: training-loss curves, minimum minibatch-pair cosine
 * vs the swept level (width or depth; per variant for the BN/skip study), and the density of the
 * end-of-training cosines. Used by `gradconf report --sweep dir` and the verify report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { axisEncoding, legend, type Figure } from './figure-spec.ts';
import { BadInputError } from '../errors.ts';

const VL = 'https://vega.github.io/schema/vega-lite/v5.json';

/** The fields of a run record these plots use (src/train/run.ts RunRecord). */
export interface SweepRun {
  type: 'run';
  sweep: string;
  level: number;
  variant: string;
  seed: number;
  lr: number;
  diverged: boolean;
  epochs: { epoch: number; trainLoss: number; testAccuracy: number | null; cosine: { min: number } | null; cosines: number[] }[];
  final: { trainLoss: number | null; testAccuracy: number | null; minCosine: number | null };
}

/** Read the run records of a sweep directory (other record types are skipped). */
export function readSweepRuns(dir: string): { config: Record<string, unknown>; runs: SweepRun[] } {
  const runsFile = join(dir, 'runs.jsonl');
  if (!existsSync(runsFile)) throw new BadInputError(`${dir} is not a sweep directory (no runs.jsonl)`);
  const config = existsSync(join(dir, 'sweep.json')) ? JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as Record<string, unknown> : {};
  const runs: SweepRun[] = [];
  readFileSync(runsFile, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let r: { type?: string };
    try {
      r = JSON.parse(line) as { type?: string };
    } catch {
      throw new BadInputError(`${runsFile}: line ${i + 1} is not valid JSON`);
    }
    if (r.type === 'run') runs.push(r as SweepRun);
  });
  if (runs.length === 0) throw new BadInputError(`${runsFile} holds no finished run`);
  return { config, runs };
}

const levelName = (sweep: string) => (sweep === 'width' ? 'width' : 'depth');

/** The sweep's figures. */
export function sweepFigures(runs: SweepRun[], title = 'sweep'): Figure[] {
  const sweep = runs[0]!.sweep;
  const lv = levelName(sweep);
  // Zero-padded so that the legend sorts by level, not alphabetically.
  const pad = Math.max(...runs.map((r) => String(r.level).length));
  const group = (r: SweepRun) => (sweep === 'bn-skip' ? `${r.variant}, ${lv} ${String(r.level).padStart(pad, '0')}` : `${lv} ${String(r.level).padStart(pad, '0')}`);
  const curves = runs.flatMap((r) => r.epochs.map((e) => ({ epoch: e.epoch, trainLoss: e.trainLoss, group: group(r), run: `${group(r)} seed ${r.seed}` })));
  const mins = runs.filter((r) => r.final.minCosine !== null).map((r) => ({ level: r.level, minCosine: r.final.minCosine, variant: r.variant, seed: r.seed }));
  const density = runs.flatMap((r) => (r.epochs[r.epochs.length - 1]?.cosines ?? []).map((c) => ({ cosine: c, group: group(r) })));
  const groups = [...new Set(runs.map(group))].sort();
  const variants = [...new Set(runs.map((r) => r.variant))].sort();
  const levels = runs.map((r) => r.level);
  const levelAxis = (field: string) => axisEncoding(field, { title: sweep === 'width' ? 'width (units per layer)' : 'depth (layers)', integer: true, ...(sweep === 'width' && Math.max(...levels) / Math.min(...levels) >= 8 ? { scale: 'log' as const } : {}) }, levels);
  const figs: Figure[] = [
    {
      title: `${title}: training loss.`, caption: 'Mean training loss over the training subset at the end of each epoch, one line per run.',
      spec: { $schema: VL, width: 460, height: 240, data: { values: curves }, mark: { type: 'line', point: true },
        encoding: { x: axisEncoding('epoch', { title: 'epoch', integer: true }, curves.map((c) => c.epoch)), y: { field: 'trainLoss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss (log scale)', axis: { format: '~g' } },
          color: { field: 'group', type: 'nominal', legend: legend(groups, 460) }, detail: { field: 'run', type: 'nominal' } } },
    },
    {
      title: `${title}: minimum cosine vs ${lv}.`, caption: 'Minimum cosine similarity of 2 minibatch gradients over the probe\'s pairs at the end of training (points: seeds; line: mean). Closer to 0 = less gradient confusion.',
      spec: { $schema: VL, width: 460, height: 240, data: { values: mins }, layer: [
        { mark: { type: 'point', filled: true, opacity: 0.6 }, encoding: { x: levelAxis('level'), y: { field: 'minCosine', type: 'quantitative', title: 'min cosine at the end of training' }, color: { field: 'variant', type: 'nominal', legend: variants.length > 1 ? legend(variants, 460) : null } } },
        { mark: { type: 'line' }, encoding: { x: levelAxis('level'), y: { aggregate: 'mean', field: 'minCosine', type: 'quantitative' }, color: { field: 'variant', type: 'nominal', legend: null } } },
      ] },
    },
  ];
  if (density.length) {
    figs.push({
      title: `${title}: cosine density at the end of training.`, caption: 'Kernel density estimate of the minibatch-pair cosines of the last epoch, pooled over seeds.',
      spec: { $schema: VL, width: 460, height: 240, data: { values: density }, transform: [{ density: 'cosine', groupby: ['group'], extent: [-1, 1] }],
        mark: { type: 'line' }, encoding: { x: { field: 'value', type: 'quantitative', title: 'minibatch-pair cosine' }, y: { field: 'density', type: 'quantitative', title: 'density' }, color: { field: 'group', type: 'nominal', legend: legend(groups, 460) } } },
    });
  }
  return figs;
}
