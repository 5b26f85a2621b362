/**
 * The self-contained HTML report of `gradconf verify --report` (and `gradconf report --sweep`,
 * `--monitor`), laid out for a reviewer who reads it on screen or prints it on A4:
 * - first screen: one table, one row per claim — result, claim, kind, what holds / fails / is a
 *   finding, and a one-line reason;
 * - then one section per result: its statement as typeset math (MathML built here by Temml, from
 *   the same mathjs source the check evaluates), one block per claim with its small table
 *   (claims-html.ts) and its figure, the result's own figures (`details.figures`, FigureData), and a
 *   collapsed "data" block with the result as JSON (`--json` stays the machine format).
 * No scripts, no fonts, no external resources: the page needs no network at view time.
 */
import type { ClaimResult, TheoremResult } from '../claims/claim.ts';
import { renderSvg } from './vega.ts';
import { boundHtml, esc, mathjsTex, mathHtml, proseHtml } from './math.ts';
import { applyPalette, dataFigure, figureDataOf, Palette, statisticalFigure, trendFigure, type Figure } from './figure-spec.ts';
import { claimHtml, claimReason, claimStatus, readable, statementHtml, type Status } from './claims-html.ts';

export { esc, boundHtml } from './math.ts';
export type { Figure } from './figure-spec.ts';
export { figureDataOf } from './figure-spec.ts';

export interface ResultStatement { title?: string; wording?: string; hypotheses?: string[]; bound?: string; tex?: string; version?: string; confidence?: string }

/** One row of the first-screen table (results add theirs; a sweep adds its tests). */
export interface SummaryRow { result: string; href: string; claim: string; kind: string; status: Status; reason: string }

export interface ReportInput {
  title: string;
  generatedAt: string;
  backend: string;
  budget: string;
  results: TheoremResult[];
  statements: Record<string, ResultStatement>;
  /** Extra vega-lite figures per result id (figures.ts builders), drawn after the result's own. */
  figures: Record<string, Figure[]>;
  /** Extra sections (e.g. a sweep), rendered after the results. */
  extra?: { id: string; title: string; html: string; figures: Figure[] }[];
  /** First-screen rows of the extra sections. */
  summary?: SummaryRow[];
  /** One sentence under the title (what the page is about); defaults to the verdict counts. */
  lede?: string;
}

async function figureHtml(f: Figure, palette: Palette): Promise<string> {
  const svg = await renderSvg(applyPalette(f.spec, palette));
  return `<figure${f.id ? ` data-figure-id="${esc(f.id)}"` : ''}>${svg}<figcaption><b>${proseHtml(f.title)}</b> ${proseHtml(f.caption)}</figcaption></figure>`;
}

/** The figure a claim draws from its own result (trend: medians per level; statistical: effects). */
function claimFigure(c: ClaimResult, palette: Palette): Figure | undefined {
  if (c.kind === 'trend') return trendFigure(c, palette);
  if (c.kind === 'statistical') return statisticalFigure(c, palette);
  return undefined;
}

/** JSON with numbers cut to 6 significant digits, capped (the collapsed data block). */
function dataJson(r: TheoremResult): string {
  const j = JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v), 1);
  return j.length > 200_000 ? `${j.slice(0, 200_000)}\n… (${j.length} characters in all: gradconf verify --json has the whole result)` : j;
}

function statementBlock(st: ResultStatement): string {
  const hyp = (st.hypotheses ?? []).map((h) => {
    const t = /[<>=]/.test(h) && !/\s[a-z]{4,}\s/.test(h) ? mathjsTex(h) : null;
    return `<li>${t ? mathHtml(t) : proseHtml(h)}</li>`;
  }).join('');
  const parts = [
    st.wording ? `<p class="wording">${proseHtml(st.wording)}</p>` : '',
    hyp ? `<p class="hyp-title">Hypotheses</p><ul class="hypotheses">${hyp}</ul>` : '',
    st.bound ? `<p class="hyp-title">What the check evaluates</p>${boundHtml(st.bound, st.tex)}` : '',
  ].join('');
  return parts ? `<div class="statement">${parts}</div>` : '';
}

/** The result's overall line: exact verdict and findings. */
function resultStatus(r: TheoremResult): Status {
  if (!r.holds) return { word: 'exact claim FAILS', cls: 'fails' };
  if (r.findings.length) return { word: `${r.findings.length} finding${r.findings.length > 1 ? 's' : ''}`, cls: 'finding' };
  return { word: 'holds', cls: 'holds' };
}

export function summaryRows(r: TheoremResult): SummaryRow[] {
  const claims = r.claims ?? [];
  if (claims.length === 0) {
    return [{ result: r.title, href: `#${r.id}`, claim: '', kind: r.kind, status: r.holds ? { word: 'holds', cls: 'holds' } : { word: 'FAILS', cls: 'fails' }, reason: `${r.instances} instances` }];
  }
  return claims.map((c) => ({ result: r.title, href: `#${r.id}--${c.id}`, claim: c.statement, kind: c.kind, status: claimStatus(r, c), reason: claimReason(r, c) }));
}

function summaryTable(rows: SummaryRow[]): string {
  const body: string[] = [];
  for (let i = 0; i < rows.length;) {
    let j = i;
    while (j < rows.length && rows[j]!.result === rows[i]!.result) j++;
    for (let k = i; k < j; k++) {
      const x = rows[k]!;
      const head = k === i ? `<td class="result" rowspan="${j - i}"><a href="${esc(x.href.replace(/--.*$/, ''))}">${proseHtml(x.result)}</a></td>` : '';
      body.push(`<tr class="row-${x.status.cls}${k === i ? ' first' : ''}">${head}<td class="claim-cell"><a href="${esc(x.href)}">${statementHtml(x.claim)}</a></td><td class="kind">${esc(x.kind)}</td><td><span class="badge ${x.status.cls}">${esc(x.status.word)}</span></td><td class="reason">${proseHtml(x.reason)}</td></tr>`);
    }
    i = j;
  }
  return `<table class="summary"><thead><tr><th>result</th><th>claim</th><th>kind</th><th>status</th><th>why</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function counts(rows: SummaryRow[]): string {
  const n = (c: string) => rows.filter((r) => r.status.cls === c).length;
  const fails = n('fails');
  const head = fails ? `<span class="fails">${fails} exact claim${fails > 1 ? 's' : ''} FAIL${fails > 1 ? '' : 'S'}</span> (a bug in the code or in the paper; verify exits 1)` : '<span class="holds">Every exact claim holds</span>';
  return `${head}. ${rows.length} claims: ${n('holds')} hold or are not rejected, <span class="finding">${n('finding')} finding${n('finding') === 1 ? '' : 's'}</span> (a claim of the paper that our tests contradict at this budget — never a failure of verify), ${n('none')} without a verdict (no trend detected, or no confusion to trend).`;
}

const CSS = `
:root{--holds:#176117;--fails:#b00020;--finding:#9a5b00;--none:#666;--rule:#d8d8d8}
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1120px;margin:1.2em auto;padding:0 1em;color:#1d1d1d}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.25em;border-top:2px solid #bbb;padding-top:.8em;margin-top:2em}
h3{font-size:1em;font-weight:600;margin:.2em 0 .3em}h4{font-size:.95em;margin:.6em 0 .2em}
a{color:#1a4f8a;text-decoration:none}a:hover{text-decoration:underline}
table{border-collapse:collapse;margin:.3em 0;font-size:.92em}
td,th{border:1px solid var(--rule);padding:3px 7px;text-align:left;vertical-align:top}th{background:#f3f3f3;font-weight:600}
.holds{color:var(--holds)}.fails{color:var(--fails)}.finding{color:var(--finding)}.none{color:var(--none)}
.badge{display:inline-block;font-weight:700;font-size:.85em;padding:0 .45em;border-radius:3px;border:1px solid currentColor;white-space:nowrap}
.badge.fails{background:#fde8ec}.badge.finding{background:#fff3dc}.badge.holds{background:#eaf5ea}.badge.none{background:#f1f1f1}
.meta,.lede{color:#444}.kind{color:#555;white-space:nowrap}
table.summary{width:100%;font-size:.88em}table.summary td.result{font-weight:600;width:22%}table.summary td.claim-cell{width:30%}
table.summary tr.first td{border-top:2px solid #aaa}table.summary a{color:inherit}
.statement{background:#f7f7f5;border-left:3px solid #bbb;padding:.4em .9em;margin:.6em 0}
.wording{margin:.3em 0}.hyp-title{margin:.4em 0 .1em;font-size:.85em;color:#555;text-transform:uppercase;letter-spacing:.03em}
ul.hypotheses{margin:.1em 0 .3em;padding-left:1.3em}
.bound{margin:.2em 0 .4em}.bound-part{margin:.15em 0}.bound-label{color:#555;font-size:.9em}
math{font-family:'STIX Two Math','Latin Modern Math','Cambria Math',math;font-size:1.08em}
math[display=block]{margin:.2em 0;overflow-x:auto;overflow-y:hidden}
.tml-sml-pad{padding:0 .1667em}.tml-med-pad{padding:0 .2222em}.tml-thk-pad{padding:0 .2778em}
.claim{border:1px solid var(--rule);border-left:4px solid var(--rule);padding:.5em .8em;margin:.9em 0;border-radius:3px}
.claim-holds{border-left-color:var(--holds)}.claim-fails{border-left-color:var(--fails);background:#fffafa}.claim-finding{border-left-color:var(--finding);background:#fffcf5}.claim-none{border-left-color:#aaa}
.source{font-size:.75em;color:#666;border:1px solid #ccc;border-radius:3px;padding:0 .3em;font-weight:400;vertical-align:middle}
.method{font-size:.88em;color:#444;margin:.2em 0 .4em}.reason{color:#222}
.counterexample{background:#fff0f0;padding:.3em .7em;margin:.5em 0}.replay code{font-size:.9em}
table.kv th{font-weight:500;background:#fafafa}.more,.see-data{color:#777;font-size:.85em}
figure{margin:.8em 0;break-inside:avoid;page-break-inside:avoid}figure svg{max-width:100%;height:auto;display:block}
figcaption{font-size:.88em;color:#333;max-width:760px;margin-top:.2em}
details.data{margin:.8em 0}details.data summary{cursor:pointer;color:#555;font-size:.9em}
details.data pre{max-height:30em;overflow:auto;font-size:11px;background:#f6f6f6;padding:.5em;white-space:pre-wrap;word-break:break-all}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:9.5pt}
 h2{break-before:page;border-top:none;margin-top:0}
 header+section h2{break-before:auto}
 table,figure,.statement,.counterexample,.claim h3{break-inside:avoid;page-break-inside:avoid}
 h2,h3,h4{break-after:avoid}
 tr{break-inside:avoid}
 figure svg{max-width:100%;height:auto}
 details.data{display:none}
 a{color:inherit}
 .claim{border-width:1px 1px 1px 3px}
}`;

/** The whole report as one HTML string. */
export async function renderReport(input: ReportInput): Promise<string> {
  const palette = new Palette();
  // regimes first: the same regime has the same (strong) colour in every result's figures
  for (const r of input.results) for (const c of r.claims ?? []) if (c.kind === 'trend') for (const g of c.regimes) if (g.outcome) palette.colour(g.label);
  const rows = [...input.results.flatMap(summaryRows), ...(input.summary ?? [])];
  const sections: string[] = [];
  for (const r of input.results) {
    const st = { title: r.title, ...(input.statements[r.id] ?? {}) } as ResultStatement;
    const own = figureDataOf(r);
    const ownIds = new Set(own.map((f) => f.id));
    const claimBlocks: string[] = [];
    for (const c of r.claims ?? []) {
      const fig = ownIds.has(c.id) ? undefined : claimFigure(c, palette);
      claimBlocks.push(claimHtml(r, c).replace(/<\/div>$/, `${fig ? await figureHtml(fig, palette) : ''}</div>`));
    }
    const figs: string[] = [];
    for (const f of own) figs.push(await figureHtml(dataFigure(f, palette), palette));
    for (const f of input.figures[r.id] ?? []) figs.push(await figureHtml(f, palette));
    const otherKeys = Object.keys(r.details ?? {}).filter((k) => k !== 'figures');
    const other = otherKeys.length ? `<h4>Other measurements</h4>${readable(Object.fromEntries(otherKeys.map((k) => [k, r.details[k]])), 1)}` : '';
    const rs = resultStatus(r);
    sections.push(`<section id="${esc(r.id)}" data-result-id="${esc(r.id)}" class="result">
<h2>${proseHtml(r.title)} <span class="badge ${rs.cls}">${esc(rs.word)}</span></h2>
<p class="meta">${esc((r.kinds ?? [r.kind]).join(' · '))} claims · ${r.instances} instances · ${(r.ms / 1000).toFixed(1)} s · budget ${esc(r.budget ?? input.budget)} · seed ${r.seed}${st.version ? ` · follows ${esc(st.version)}` : ''}${st.confidence ? ` · confidence: ${esc(st.confidence)}` : ''}</p>
${statementBlock(st)}${claimBlocks.join('\n')}${figs.length ? `<div class="figures">${figs.join('')}</div>` : ''}${other}
<details class="data"><summary>data</summary><pre>${esc(dataJson(r))}</pre></details></section>`);
  }
  for (const x of input.extra ?? []) {
    const figs: string[] = [];
    for (const f of x.figures) figs.push(await figureHtml(f, palette));
    sections.push(`<section id="${esc(x.id)}" data-result-id="${esc(x.id)}" class="result"><h2>${proseHtml(x.title)}</h2>${x.html}${figs.join('')}</section>`);
  }
  const lede = input.lede ?? (rows.length ? counts(rows) : '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(input.title)}</title><style>${CSS}</style></head><body>
<header><h1>${esc(input.title)}</h1><p class="meta">Generated ${esc(input.generatedAt)} · backend ${esc(input.backend)} · budget ${esc(input.budget)}</p>
${lede ? `<p class="lede">${lede}</p>` : ''}${rows.length ? summaryTable(rows) : ''}</header>
${sections.join('\n')}</body></html>\n`;
}
