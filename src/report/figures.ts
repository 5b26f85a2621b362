/**
 * Figures for the report, built from each result's `details` (what its `entry.run` returned),
 * keyed by result id. A result without a builder gets no figure.
 */
import type { TheoremResult } from '../../theorems/verdict.ts';
import type { Figure } from './html.ts';

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
        encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss' },
          color: { field: 'd', type: 'nominal', title: null }, detail: { field: 'run', type: 'nominal' } } },
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
        encoding: { x: { field: 'cosine', type: 'quantitative' }, y: { field: 'density', type: 'quantitative' },
          color: { field: 'd', type: 'nominal', title: null }, detail: { field: 'run', type: 'nominal' } } },
    });
  }
  return figs;
}

export const FIGURE_BUILDERS: Record<string, FigureBuilder> = {
  'figure-1': figure1,
};

/** Figures for every result that has a builder and the data it needs. */
export function figuresFor(results: TheoremResult[]): Record<string, Figure[]> {
  const out: Record<string, Figure[]> = {};
  for (const r of results) {
    const b = FIGURE_BUILDERS[r.id];
    if (b) out[r.id] = b(r);
  }
  return out;
}
