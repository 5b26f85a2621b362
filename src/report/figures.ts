/**
 * Figures of the older detail shapes (Figure 1's loss curves and cosine histograms, Section 7's
 * per-level medians), keyed by result id, for results that do not yet hand FigureData in
 * `details.figures` (which html.ts draws generically, with the claims' own figures). A result
 * with FigureData, or without a builder, gets nothing here.
 */
import type { TheoremResult } from '../claims/claim.ts';
import { axisEncoding, figureDataOf, legend, type Figure } from './figure-spec.ts';

export type FigureBuilder = (r: TheoremResult) => Figure[];

const VL = 'https://vega.github.io/schema/vega-lite/v5.json';

interface Curve { d: number; seed: number; loss: number[] }
interface Hist { d: number; seed: number; lo: number; hi: number; counts: number[] }

/** Figure 1: SGD loss curves (log scale) and end-of-training per-sample gradient cosine densities, d = 120 vs d = 80. */
function figure1(r: TheoremResult): Figure[] {
  const curves = r.details.curves as Curve[] | undefined;
  const hists = r.details.histograms as Hist[] | undefined;
  const figs: Figure[] = [];
  if (curves) {
    const values = curves.flatMap((c) => {
      const step = Math.max(1, Math.round(((r.details.epochs as number) ?? c.loss.length - 1) / (c.loss.length - 1)));
      return c.loss.map((l, i) => ({ epoch: i * step, loss: Math.max(l, 1e-16), run: `d=${c.d}, seed ${c.seed}`, d: `d = ${c.d}` }));
    });
    figs.push({
      title: 'Figure 1 (left).', caption: 'Training loss F(w) of SGD (batch 1) per epoch, 3 seeds each: over-parameterized d = 120 vs under-parameterized d = 80.',
      spec: { $schema: VL, width: 480, height: 260, data: { values }, mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: '.0f', tickMinStep: 1 } }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss F(w) (log scale)', axis: { format: '~g' } },
          color: { field: 'd', type: 'nominal', legend: legend(['d = 120', 'd = 80'], 480) }, detail: { field: 'run', type: 'nominal' } } },
    });
  }
  if (hists) {
    const values = hists.flatMap((h) => {
      const w = (h.hi - h.lo) / h.counts.length;
      const total = h.counts.reduce((a, b) => a + b, 0) || 1;
      return h.counts.map((c, i) => ({ cosine: h.lo + (i + 0.5) * w, density: c / total / w, d: `d = ${h.d}`, run: `d=${h.d}, seed ${h.seed}` }));
    }).filter((v) => v.cosine > -0.7 && v.cosine < 0.7);
    figs.push({
      title: 'Figure 1 (right).', caption: 'Density of per-sample gradient cosines at the end of training (histogram, each run): closer to 0 for d = 120.',
      spec: { $schema: VL, width: 480, height: 260, data: { values }, mark: { type: 'line', interpolate: 'step', strokeWidth: 1 },
        encoding: { x: { field: 'cosine', type: 'quantitative', title: 'per-sample gradient cosine' }, y: { field: 'density', type: 'quantitative', title: 'density' },
          color: { field: 'd', type: 'nominal', legend: legend(['d = 120', 'd = 80'], 480) }, detail: { field: 'run', type: 'nominal' } } },
    });
  }
  return figs;
}

/** Section 7: medians of end-of-training training loss and minimum cosine per sweep level (and variant). */
function section7(r: TheoremResult): Figure[] {
  const levels = (r.details.levels as { sweep: string; level: number; variant: string; trainLoss: number; minCosine: number | null }[] | undefined) ?? [];
  return ['width', 'depth', 'bn-skip'].flatMap((sweep) => {
    const values = levels.filter((l) => l.sweep === sweep && l.minCosine !== null).map((l) => ({ level: l.level, minCosine: l.minCosine, trainLoss: l.trainLoss, variant: l.variant }));
    if (!values.length) return [];
    const x = axisEncoding('level', { title: sweep === 'width' ? 'width (units per layer)' : 'depth (layers)', integer: true, ...(sweep === 'width' ? { scale: 'log' as const } : {}) }, values.map((v) => v.level));
    return [{
      title: `Section 7 — ${sweep} sweep (MNIST, small scale).`, caption: 'Medians over seeds at the end of training: minimum minibatch-pair cosine (left) and training loss (right).',
      spec: { $schema: VL, data: { values }, hconcat: [
        { width: 280, height: 200, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'minCosine', type: 'quantitative', title: 'min cosine' }, color: { field: 'variant', type: 'nominal', legend: legend([...new Set(values.map((v) => v.variant))], 280) } } },
        { width: 280, height: 200, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'trainLoss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss (log scale)', axis: { format: '~g' } }, color: { field: 'variant', type: 'nominal', legend: null } } },
      ] },
    }];
  });
}

export const FIGURE_BUILDERS: Record<string, FigureBuilder> = {
  'section-7': section7,
  'figure-1': figure1,
};

/** Figures for every result that has a builder and the data it needs (and no FigureData of its own). */
export function figuresFor(results: TheoremResult[]): Record<string, Figure[]> {
  const out: Record<string, Figure[]> = {};
  for (const r of results) {
    const b = FIGURE_BUILDERS[r.id];
    if (b && figureDataOf(r).length === 0) out[r.id] = b(r);
  }
  return out;
}
