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

interface Outcome { medians?: number[]; verdict?: string; tau?: number; pAdjusted?: number }
interface RegimeClaim { claim?: string; name?: string; measure?: string; regimes?: { regime: Record<string, unknown>; levels?: number[]; depths?: number[]; measure?: string; outcome?: Outcome }[] }

const regimeLabel = (r: Record<string, unknown>) => Object.entries(r).filter(([k]) => ['kappa', 'activation', 'loss'].includes(k)).map(([k, v]) => (k === 'kappa' ? `κ=${String(v)}` : String(v))).join(' ');

/** Medians of a trend claim's measure per level, one line per regime (log2 x axis). */
function trendChart(c: RegimeClaim, xTitle: string, yTitle: string, flip: boolean, title: string, caption: string): Figure | undefined {
  const values = (c.regimes ?? []).flatMap((r) => {
    const levels = r.levels ?? r.depths ?? [];
    const med = r.outcome?.medians ?? [];
    return levels.map((l, i) => ({ level: l, value: flip ? -(med[i] ?? NaN) : med[i], regime: `${regimeLabel(r.regime)} (${r.outcome?.verdict ?? ''})` }));
  }).filter((v) => Number.isFinite(v.value));
  if (values.length === 0) return undefined;
  return {
    title, caption,
    spec: { $schema: VL, width: 420, height: 240, data: { values }, mark: { type: 'line', point: true },
      encoding: { x: { field: 'level', type: 'quantitative', scale: { type: 'log', base: 2 }, title: xTitle },
        y: { field: 'value', type: 'quantitative', title: yTitle }, color: { field: 'regime', type: 'nominal', title: 'regime (verdict)', legend: { labelLimit: 400 } } } },
  };
}

/** Theorem 4.1: confusion (raw η, and the minimum pairwise cosine) vs width and vs depth at Strategy 4.1 init. */
function theorem41(r: TheoremResult): Figure[] {
  const claims = (r.details.claims as RegimeClaim[] | undefined) ?? [];
  const figs: Figure[] = [];
  for (const c of claims) {
    const byWidth = /width/.test(c.claim ?? '');
    const normalized = /normal|cos/i.test(c.measure ?? '');
    const f = trendChart(c, byWidth ? 'width l' : 'depth β', normalized ? 'median minimum pairwise cosine' : 'median raw η', normalized,
      `Theorem 4.1 — ${normalized ? 'minimum cosine' : 'raw η'} vs ${byWidth ? 'width' : 'depth'}.`,
      `Claim: ${c.claim ?? ''} (${c.measure ?? ''}). Medians over the trials of each configuration; legend: Jonckheere–Terpstra verdict per regime (Holm, α = 0.05).`);
    if (f) figs.push(f);
  }
  const forms = (r.details.forms as { measure: string; comparison?: { fits?: { form: string; c: number; ci: [number, number]; r2: number }[] } }[] | undefined) ?? [];
  const fitValues = forms.flatMap((f) => (f.comparison?.fits ?? []).map((x) => ({ measure: f.measure, form: x.form, c: x.c, lo: x.ci[0], hi: x.ci[1], r2: x.r2 })));
  if (fitValues.length) {
    figs.push({
      title: 'Theorem 4.1 — fitted constants of the candidate tail forms.', caption: 'Least-squares fit of log tail probabilities to −c·rate(form) with 95% intervals (log scale); R² in the tooltip-free legend below each point.',
      spec: { $schema: VL, width: 420, height: 160, data: { values: fitValues }, layer: [
        { mark: { type: 'rule' }, encoding: { y: { field: 'form', type: 'nominal', title: null }, x: { field: 'lo', type: 'quantitative', scale: { type: 'log' }, title: 'fitted c (95% CI)' }, x2: { field: 'hi' }, color: { field: 'measure', type: 'nominal' } } },
        { mark: { type: 'point', filled: true }, encoding: { y: { field: 'form', type: 'nominal' }, x: { field: 'c', type: 'quantitative' }, color: { field: 'measure', type: 'nominal' } } },
      ] },
    });
  }
  return figs;
}

/** Theorem 5.1: tails of η vs depth under Assumption 1 (raw and normalized). */
function theorem51(r: TheoremResult): Figure[] {
  const claims = ((r.details.claims as RegimeClaim[] | undefined) ?? []).filter((c) => (c.regimes ?? []).some((g) => g.depths));
  return claims.flatMap((c) => {
    const normalized = /normal|cos/i.test(c.name ?? '');
    const f = trendChart(c, 'depth β', normalized ? 'median −min cosine' : 'median raw η', false, `Theorem 5.1 — ${c.name ?? ''}.`, 'Small weights (‖W_p‖ ≤ 1, exact), sphere data; medians per depth, one line per regime (verdict in the legend).');
    return f ? [f] : [];
  });
}

/** Theorem 6.1: orthogonal deep linear nets — KS distance of the min-cosine law at each depth vs depth 0. */
function theorem61(r: TheoremResult): Figure[] {
  const claims = (r.details.claims as { name: string; tests?: { depth: number; statistic: number; pValue: number }[]; minDetectableSupDifference?: number }[] | undefined) ?? [];
  const values = claims.filter((c) => c.tests).flatMap((c) => c.tests!.map((t) => ({ depth: t.depth, ks: t.statistic, claim: c.name.slice(0, 60), detectable: c.minDetectableSupDifference })));
  if (!values.length) return [];
  return [{
    title: 'Theorem 6.1 — depth independence.', caption: 'Two-sample KS distance between the law at depth β and at depth 0 (400 trials each); the dashed rule is the smallest difference the test detects at 95%.',
    spec: { $schema: VL, width: 420, height: 220, data: { values }, layer: [
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'depth', type: 'quantitative' }, y: { field: 'ks', type: 'quantitative', title: 'KS distance to depth 0' }, color: { field: 'claim', type: 'nominal', title: null } } },
      { mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y: { aggregate: 'max', field: 'detectable', type: 'quantitative' } } },
    ] },
  }];
}

/** Section 7: medians of end-of-training training loss and minimum cosine per sweep level (and variant). */
function section7(r: TheoremResult): Figure[] {
  const levels = (r.details.levels as { sweep: string; level: number; variant: string; trainLoss: number; minCosine: number | null }[] | undefined) ?? [];
  return ['width', 'depth', 'bn-skip'].flatMap((sweep) => {
    const values = levels.filter((l) => l.sweep === sweep && l.minCosine !== null).map((l) => ({ level: l.level, minCosine: l.minCosine, trainLoss: l.trainLoss, variant: l.variant }));
    if (!values.length) return [];
    const x = { field: 'level', type: 'quantitative' as const, title: sweep === 'width' ? 'width' : 'depth' };
    return [{
      title: `Section 7 — ${sweep} sweep (MNIST, small scale).`, caption: 'Medians over seeds at the end of training: minimum minibatch-pair cosine (left) and training loss (right).',
      spec: { $schema: VL, data: { values }, hconcat: [
        { width: 280, height: 200, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'minCosine', type: 'quantitative', title: 'min cosine' }, color: { field: 'variant', type: 'nominal' } } },
        { width: 280, height: 200, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'trainLoss', type: 'quantitative', scale: { type: 'log' }, title: 'training loss' }, color: { field: 'variant', type: 'nominal' } } },
      ] },
    }];
  });
}

export const FIGURE_BUILDERS: Record<string, FigureBuilder> = {
  'section-7': section7,
  'figure-1': figure1,
  'theorem-4-1': theorem41,
  'theorem-5-1': theorem51,
  'theorem-6-1': theorem61,
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
