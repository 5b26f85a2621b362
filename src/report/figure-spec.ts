/**
 * Figures for the report as vega-lite specifications (rendered to inline SVG by vega.ts):
 * - `figureDataSpec`: any result's FigureData (src/claims/figure.ts: series + axis metadata), drawn
 *   without knowing the theorem: integer ticks where `axis.integer`, log scales where
 *   `axis.scale = 'log'` (non-positive values are left out and counted in the caption), axis
 *   titles, one layer per mark kind, a legend below the plot that fits its labels;
 * - `trendFigure` / `statisticalFigure`: the figure of a trend claim (medians of its measure per
 *   level, one line per regime) and of a statistical claim (observed effect vs the smallest
 *   detectable effect, per test), from the claim's own result;
 * - `Palette` + `applyPalette`: one colour per series name (or regime, or colour-field value)
 *   across the whole page, so that "d = 120" or "κ=1 relu" has the same colour in every figure.
 */
import type { ClaimResult, TheoremResult } from '../claims/claim.ts';
import type { FigureAxis, FigureData } from '../claims/figure.ts';
import type { VegaLiteSpec } from './vega.ts';

export interface Figure { title: string; caption: string; spec: VegaLiteSpec; id?: string }

export const VL = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Tableau-like, distinguishable, and without the verdict colours (red, green). */
const COLOURS = ['#4c78a8', '#f58518', '#72b7b2', '#b279a2', '#d4a600', '#9d755d', '#1f3b73', '#ff9da6', '#7f7f7f', '#8c8c2b'];

/** Page-wide colours: the first name asked gets the first colour, and keeps it on the whole page. */
export class Palette {
  private readonly map = new Map<string, string>();
  colour(name: string): string {
    let c = this.map.get(name);
    if (!c) {
      c = COLOURS[this.map.size % COLOURS.length]!;
      this.map.set(name, c);
    }
    return c;
  }
  /** A vega-lite colour scale for these names (in this order). */
  scale(names: readonly string[]): { domain: string[]; range: string[] } {
    return { domain: [...names], range: names.map((n) => this.colour(n)) };
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Give every nominal colour encoding of `spec` (layers, concatenations included) the page's
 * colours: its domain is the field's distinct values in the inline data, sorted as vega would.
 */
export function applyPalette(spec: VegaLiteSpec, palette: Palette): VegaLiteSpec {
  const walk = (node: unknown, values: Obj[] | undefined): void => {
    if (Array.isArray(node)) { node.forEach((n) => walk(n, values)); return; }
    if (!isObj(node)) return;
    const data = isObj(node.data) && Array.isArray(node.data.values) ? node.data.values as Obj[] : values;
    const enc = node.encoding;
    if (isObj(enc) && isObj(enc.color) && typeof enc.color.field === 'string' && enc.color.type === 'nominal' && data && !(isObj(enc.color.scale) && enc.color.scale.range)) {
      const f = enc.color.field;
      const names = [...new Set(data.map((d) => d[f]).filter((v) => v !== undefined && v !== null).map(String))].sort();
      enc.color.scale = { ...(isObj(enc.color.scale) ? enc.color.scale : {}), ...palette.scale(names) };
    }
    for (const k of ['layer', 'hconcat', 'vconcat', 'concat', 'spec']) if (k in node) walk(node[k], data);
  };
  const copy = structuredClone(spec) as unknown;
  walk(copy, undefined);
  return copy as VegaLiteSpec;
}

/** Distinct sorted finite values. */
const distinct = (xs: number[]) => [...new Set(xs.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);

/**
 * A vega-lite positional channel for an axis over these values: integer ticks at the data's own
 * levels (≤ 12 of them) or at whole numbers, log scale (base 2 for integer levels such as widths).
 */
export function axisEncoding(field: string, axis: FigureAxis, values: number[]): Obj {
  const log = axis.scale === 'log';
  const levels = distinct(values);
  const scale: Obj = log ? { type: 'log', ...(axis.integer ? { base: 2 } : {}) } : { zero: false };
  const ax: Obj = { title: axis.title, labelFlush: false };
  if (axis.integer) {
    if (levels.length > 0 && levels.length <= 12) ax.values = levels;
    else ax.tickMinStep = 1;
    ax.format = '.0f'; // not 'd': vega drops some labels with it
  } else if (log) {
    ax.format = '~g';
  }
  return { field, type: 'quantitative', scale, axis: ax };
}

/** A legend below the plot, one column unless there are many short labels. */
export function legend(names: readonly string[], width: number): Obj {
  const longest = Math.max(0, ...names.map((n) => n.length));
  const columns = names.length > 4 && longest * 6.5 < width / 2 - 30 ? 2 : 1;
  return { orient: 'bottom', direction: 'vertical', columns, title: null, labelLimit: Math.floor(columns === 2 ? width / 2 - 30 : width), symbolLimit: 0 };
}

const W = 520;
const H = 250;

/** The vega-lite spec of one FigureData (and how many points a log axis left out). */
export function figureDataSpec(fd: FigureData, palette: Palette): { spec: VegaLiteSpec; dropped: number } {
  const ok = (v: number, a: FigureAxis) => Number.isFinite(v) && (a.scale !== 'log' || v > 0);
  let dropped = 0;
  const values = fd.series.flatMap((s) => s.points.flatMap(([x, y]) => {
    if (!ok(x, fd.x) || !ok(y, fd.y)) { dropped++; return []; }
    return [{ x, y, series: s.name, mark: s.mark }];
  }));
  const names = [...new Set(fd.series.map((s) => s.name))];
  const colour = { field: 'series', type: 'nominal', scale: palette.scale(names), legend: names.length > 1 ? legend(names, W) : null };
  const x = axisEncoding('x', fd.x, values.map((v) => v.x));
  const y = axisEncoding('y', fd.y, values.map((v) => v.y));
  const marks = [...new Set(fd.series.map((s) => s.mark))];
  const mostPoints = Math.max(1, ...fd.series.map((s) => s.points.length));
  const markOf = (m: string): Obj => {
    if (m === 'line') return { type: 'line', strokeWidth: 1.8, point: mostPoints <= 25 ? { size: 30 } : false };
    if (m === 'point') return { type: 'point', filled: true, size: 40, opacity: 0.8 };
    if (m === 'area') return { type: 'area', opacity: 0.25, line: { strokeWidth: 1 } };
    return { type: 'bar', opacity: 0.6, size: Math.max(1, Math.floor(W / (mostPoints * 1.3))) };
  };
  const layer = marks.map((m) => ({
    transform: [{ filter: { field: 'mark', equal: m } }],
    mark: markOf(m),
    encoding: { x, y, color: colour },
  }));
  // one layer, or several sharing the colour scale (and one legend)
  const spec = { $schema: VL, width: W, height: H, data: { values }, layer, resolve: { scale: { color: 'shared' } } };
  return { spec: spec as unknown as VegaLiteSpec, dropped };
}

/** The report figure of a FigureData. */
export function dataFigure(fd: FigureData, palette: Palette): Figure {
  const { spec, dropped } = figureDataSpec(fd, palette);
  const note = dropped ? ` (${dropped} non-positive or non-finite point${dropped > 1 ? 's' : ''} left out of the log axis.)` : '';
  return { id: fd.id, title: fd.title, caption: `${fd.caption}${note}`, spec };
}

/** The name of a trend claim's level (for the x axis), read from its id and statement. */
export function levelName(c: { id: string; statement: string }): string {
  const named = /-(?:with|vs|over|by)-(depth|width|d|n|k)\b/i.exec(c.id) ?? /(?:with|as|over|vs\.?|in)\s+(?:the\s+)?(depth|width|d|N|k)\b/.exec(c.statement);
  if (named) {
    const w = named[1]!;
    return w === 'depth' ? 'depth β' : w === 'width' ? 'width l' : w === 'd' ? 'input dimension d' : /n/i.test(w) ? 'samples N' : 'iteration k';
  }
  const s = `${c.id} ${c.statement}`;
  if (/depth/i.test(s)) return 'depth β';
  if (/width/i.test(s)) return 'width l';
  if (/\bd\b|dimension/.test(s)) return 'input dimension d';
  if (/\bN\b|samples/.test(s)) return 'samples N';
  if (/\bk\b|iteration|step/.test(s)) return 'iteration k';
  return 'level';
}

const fmtTau = (t: number) => (t < 0 ? '−' : '') + Math.abs(t).toFixed(2);

/** A trend claim's figure: medians of its measure per level, one line per tested regime. */
export function trendFigure(c: Extract<ClaimResult, { kind: 'trend' }>, palette: Palette): Figure | undefined {
  const tested = c.regimes.filter((r) => r.outcome);
  const series = tested.map((r) => ({ name: r.label, mark: 'line' as const, points: r.levels.map((l, i) => [l, r.outcome!.medians[i] ?? NaN] as [number, number]).filter(([, v]) => Number.isFinite(v)) }))
    .filter((s) => s.points.length > 0);
  if (series.length === 0) return undefined;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const allPos = (v: number[]) => v.every((t) => t > 0);
  const span = (v: number[]) => Math.max(...v) / Math.min(...v);
  const xLog = allPos(xs) && span(xs) >= 8;
  const yLog = allPos(ys) && (span(ys) >= 10 || /raw/i.test(c.measure));
  const flat = c.regimes.filter((r) => !r.outcome).map((r) => r.label);
  const fd: FigureData = {
    id: c.id, title: `${c.statement}`,
    caption: `Median ${c.measure} per level (${c.direction} claimed), one line per regime${yLog ? ', log scale' : ''}. `
      + tested.map((r) => `${r.label}: ${r.verdict} (τ = ${fmtTau(r.outcome!.tau)}, Holm p = ${fmtP(r.outcome!.pAdjusted)})`).join('; ') + '.'
      + (flat.length ? ` No confusion, so no verdict: ${flat.join('; ')}.` : ''),
    x: { title: levelName(c), integer: xs.every((v) => Number.isInteger(v)), ...(xLog ? { scale: 'log' as const } : {}) },
    y: { title: `median ${c.measure}`, ...(yLog ? { scale: 'log' as const } : {}) },
    series,
  };
  return dataFigure(fd, palette);
}

/** A statistical claim's figure: per test, the observed effect next to the smallest effect the test detects. */
export function statisticalFigure(c: Extract<ClaimResult, { kind: 'statistical' }>, palette: Palette): Figure | undefined {
  const tests = c.tests.filter((t) => t.effect !== undefined && Number.isFinite(t.effect));
  if (tests.length === 0) return undefined;
  const OBS = 'observed effect';
  const MDE = 'smallest detectable effect (power 0.8)';
  const values = tests.flatMap((t) => [
    { test: t.label, value: t.effect!, what: OBS, rejected: t.rejected ? 'rejected' : 'not rejected' },
    ...(t.minDetectable !== undefined && Number.isFinite(t.minDetectable) ? [{ test: t.label, value: t.minDetectable, what: MDE, rejected: '' }] : []),
  ]);
  const names = [OBS, ...(values.some((v) => v.what === MDE) ? [MDE] : [])];
  const unit = tests[0]!.test.replace(/\s*\(.*$/, '');
  const y = { field: 'test', type: 'nominal', sort: tests.map((t) => t.label), title: null, axis: { labelLimit: 260 } };
  const x = { field: 'value', type: 'quantitative', title: `effect (${unit} statistic)`, scale: { zero: true } };
  const colour = { field: 'what', type: 'nominal', scale: palette.scale(names), legend: legend(names, 420) };
  const spec = {
    $schema: VL, width: 420, height: { step: 24 }, data: { values },
    layer: [
      { transform: [{ filter: { field: 'what', equal: MDE } }], mark: { type: 'tick', thickness: 2, size: 16 }, encoding: { x, y, color: colour } },
      { transform: [{ filter: { field: 'what', equal: OBS } }], mark: { type: 'point', filled: true, size: 70 }, encoding: { x, y, color: colour, shape: { field: 'rejected', type: 'nominal', scale: { domain: ['not rejected', 'rejected'], range: ['circle', 'cross'] }, legend: null } } },
    ],
  };
  return {
    id: c.id, title: c.statement,
    caption: `Observed effect of each test (dot; a cross when Holm rejects it at family-wise α = ${c.alpha}) and the smallest effect it detects with power 0.8 (tick): a dot left of its tick is an effect the test could not have seen.`,
    spec: spec as unknown as VegaLiteSpec,
  };
}

/** p-values: 2 significant digits, scientific (1.2×10^{−5}) below 1e-3. */
export function fmtP(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return '–';
  if (p === 0) return '0';
  return p < 1e-3 ? sci(p, 1) : p.toPrecision(2);
}

/** m×10^{e} (LaTeX exponent: text that goes through proseHtml is typeset with a raised exponent). */
export function sci(v: number, digits = 2): string {
  const [m, e] = v.toExponential(digits).split('e');
  return `${m!.replace('-', '−')}×10^{${String(Number(e)).replace('-', '−')}}`;
}

/** FigureData handed by a result in details.figures (malformed entries are skipped). */
export function figureDataOf(r: TheoremResult): FigureData[] {
  const f = r.details?.figures;
  if (!Array.isArray(f)) return [];
  return f.filter((x): x is FigureData => typeof x === 'object' && x !== null && Array.isArray((x as FigureData).series) && typeof (x as FigureData).x === 'object' && typeof (x as FigureData).y === 'object');
}

