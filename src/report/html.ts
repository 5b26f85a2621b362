/**
 * The self-contained HTML report of `gradconf verify --report` (and `gradconf report --sweep`):
 * one section per paper result with its statement, the bound rendered from its mathjs expression
 * (mathjs's own HTML rendering, plus the LaTeX source), the verdict, the measured details, the
 * counterexample when one was found, and the figures as inline SVG. No scripts, no external
 * resources: the page needs no network at view time.
 */
import { parse } from 'mathjs';
import type { TheoremResult } from '../../theorems/verdict.ts';
import { renderSvg, type VegaLiteSpec } from './vega.ts';

export interface Figure { title: string; caption: string; spec: VegaLiteSpec }

export interface ResultStatement { wording?: string; bound?: string; version?: string; confidence?: string }

export interface ReportInput {
  title: string;
  generatedAt: string;
  backend: string;
  budget: string;
  results: TheoremResult[];
  statements: Record<string, ResultStatement>;
  figures: Record<string, Figure[]>;
  /** Extra sections (e.g. a sweep), rendered after the results. */
  extra?: { id: string; title: string; html: string; figures: Figure[] }[];
}

/** Escape text for HTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The bound expression as mathjs HTML + LaTeX source; falls back to the plain text when it is not a mathjs expression. */
export function boundHtml(expr: string): string {
  try {
    const node = parse(expr);
    return `<div class="bound"><span class="math">${node.toHTML()}</span><details><summary>LaTeX</summary><code>${esc(node.toTex())}</code></details></div>`;
  } catch {
    return `<div class="bound"><code>${esc(expr)}</code></div>`;
  }
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === 'string' || typeof v === 'boolean') return esc(v);
  return `<code>${esc(JSON.stringify(v)).slice(0, 400)}</code>`;
}

/** Plot data (drawn as figures instead) and fields shown elsewhere are left out of the table. */
const HIDDEN = new Set(['counterexample', 'path', 'figures', 'curves', 'histograms', 'cosines', 'samples']);

function detailsTable(details: Record<string, unknown>): string {
  const rows = Object.entries(details).filter(([k]) => !HIDDEN.has(k));
  if (rows.length === 0) return '';
  const cell = (v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      const j = JSON.stringify(v);
      return `<pre class="json">${esc(j.length > 6000 ? `${j.slice(0, 6000)} …` : j)}</pre>`;
    }
    return fmt(v);
  };
  return `<table class="details"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${cell(v)}</td></tr>`).join('')}</tbody></table>`;
}

async function figuresHtml(figs: Figure[]): Promise<string> {
  const parts: string[] = [];
  for (const f of figs) {
    parts.push(`<figure><figcaption><b>${esc(f.title)}</b> ${esc(f.caption)}</figcaption>${await renderSvg(f.spec)}</figure>`);
  }
  return parts.join('');
}

const CSS = `body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-top:1px solid #ccc;padding-top:1em}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.holds{color:#176117;font-weight:bold}.fails{color:#a11;font-weight:bold}.kind{color:#555}
figure{margin:1em 0}figcaption{margin-bottom:.3em}.bound{margin:.5em 0;padding:.5em;background:#f6f6f6}
.math{font-family:'Times New Roman',serif;font-size:1.1em}pre{background:#f6f6f6;padding:.5em;overflow:auto}
.wording{font-style:italic}pre.json{max-height:9em;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:12px;margin:0}
td{max-width:900px}`;

/** 'holds'; 'FAILS' for an exact claim (a bug in the code or the paper); 'finding' for a statistical or trend claim that does not hold. */
export function verdictWord(r: TheoremResult): string {
  return r.holds ? 'holds' : r.kind === 'exact' ? 'FAILS' : 'finding (does not hold here)';
}

/** The whole report as one HTML string. */
export async function renderReport(input: ReportInput): Promise<string> {
  const summary = input.results.map((r) => `<tr><td><a href="#${esc(r.id)}">${esc(r.id)}</a></td><td class="kind">${esc(r.kind)}</td><td>${r.instances}</td><td class="${r.holds ? 'holds' : 'fails'}">${verdictWord(r)}</td><td>${(r.ms / 1000).toFixed(1)} s</td><td>--seed ${r.seed}</td></tr>`).join('');
  const sections: string[] = [];
  for (const r of input.results) {
    const st = input.statements[r.id] ?? {};
    const ce = r.details.counterexample !== undefined
      ? `<h3>Counterexample</h3><pre>${esc(JSON.stringify(r.details.counterexample, null, 1))}</pre><p>Replay: <code>fc.assert(property, { seed: ${r.seed}, path: ${esc(JSON.stringify(r.details.path ?? ''))} })</code></p>` : '';
    sections.push(`<section id="${esc(r.id)}" data-result-id="${esc(r.id)}"><h2>${esc(r.title)}</h2>
<p><span class="kind">${esc(r.kind)} claim</span> · <span class="${r.holds ? 'holds' : 'fails'}">${verdictWord(r)}</span> on ${r.instances} instances · ${(r.ms / 1000).toFixed(1)} s · seed ${r.seed}${st.version ? ` · follows ${esc(st.version)}` : ''}${st.confidence ? ` (${esc(st.confidence)})` : ''}</p>
${st.wording ? `<p class="wording">${esc(st.wording)}</p>` : ''}${st.bound ? boundHtml(st.bound) : ''}
${detailsTable(r.details)}${ce}${await figuresHtml(input.figures[r.id] ?? [])}</section>`);
  }
  for (const x of input.extra ?? []) {
    sections.push(`<section id="${esc(x.id)}" data-result-id="${esc(x.id)}"><h2>${esc(x.title)}</h2>${x.html}${await figuresHtml(x.figures)}</section>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title><style>${CSS}</style></head><body>
<h1>${esc(input.title)}</h1><p>Generated ${esc(input.generatedAt)} · backend ${esc(input.backend)} · budget ${esc(input.budget)}</p>
<table class="summary"><thead><tr><th>result</th><th>kind</th><th>instances</th><th>verdict</th><th>time</th><th>replay</th></tr></thead><tbody>${summary}</tbody></table>
${sections.join('\n')}</body></html>\n`;
}
