/**
 * Figures for the report, built from each result's `details` (what its `entry.run` returned),
 * keyed by result id. A result without a builder gets no figure.
 */
import type { TheoremResult } from '../../theorems/verdict.ts';
import type { Figure } from './html.ts';

export type FigureBuilder = (r: TheoremResult) => Figure[];

export const FIGURE_BUILDERS: Record<string, FigureBuilder> = {};

/** Figures for every result that has a builder and the data it needs. */
export function figuresFor(results: TheoremResult[]): Record<string, Figure[]> {
  const out: Record<string, Figure[]> = {};
  for (const r of results) {
    const b = FIGURE_BUILDERS[r.id];
    if (b) out[r.id] = b(r);
  }
  return out;
}
