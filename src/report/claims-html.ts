/**
 * The claims of a result as a reader wants them (src/claims/claim.ts): a status word and a
 * one-line reason for the first screen, and per claim a small table — exact: instances, smallest
 * slack, degenerate instances, tolerance (and the counterexample as a short table with its replay
 * line); statistical: per test the statistic, p, Holm-adjusted p, observed and smallest detectable
 * effect, n; trend: per regime the verdict, τ, smallest detectable τ, one-sided p, Holm p, n.
 * Other data (constants with confidence intervals, forms compared, …) is shown as nested tables,
 * never as raw JSON; the full result stays available in a collapsed "data" block.
 */
import type { ClaimResult, TheoremResult } from '../claims/claim.ts';
import { esc, mathjsTex, mathHtml, proseHtml } from './math.ts';
import { fmtP, sci } from './figure-spec.ts';

export type StatusClass = 'holds' | 'fails' | 'finding' | 'none';
export interface Status { word: string; cls: StatusClass }

/** A number for a table: integers as they are, else 3 significant digits (×10ⁿ when tiny or huge). */
export function numHtml(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : v < 0 ? '−∞' : '–';
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return String(v).replace('-', '−');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) {
    const [m, e] = v.toExponential(2).split('e');
    return `${m!.replace('-', '−')}×10<sup>${String(Number(e)).replace('-', '−')}</sup>`;
  }
  return String(Number(v.toPrecision(3))).replace('-', '−');
}

/** A p-value for a table (×10ⁿ below 1e-3). */
export function pHtml(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return '–';
  return p < 1e-3 && p > 0 ? numHtml(p) : esc(fmtP(p));
}

/** The status of one claim: exact claims hold or FAIL; a failed claim of the paper is a finding. */
export function claimStatus(r: TheoremResult, c: ClaimResult): Status {
  const finding = r.findings.includes(c.id);
  if (c.kind === 'exact') return c.verdict === 'holds' ? { word: 'holds', cls: 'holds' } : { word: 'FAILS', cls: 'fails' };
  if (c.kind === 'statistical') {
    if (c.verdict === 'not rejected') return { word: 'not rejected', cls: 'holds' };
    return { word: finding ? 'finding' : 'rejected', cls: 'finding' };
  }
  if (finding) return { word: 'finding', cls: 'finding' };
  switch (c.verdict) {
    case 'holds': return { word: 'holds', cls: 'holds' };
    case 'reversed': return { word: 'reversed', cls: 'finding' };
    case 'mixed': return { word: 'mixed', cls: 'finding' };
    case 'not detected': return { word: 'not detected', cls: 'none' };
    default: return { word: 'no verdict', cls: 'none' };
  }
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** One line: why the claim has its status (plain text). */
export function claimReason(r: TheoremResult, c: ClaimResult): string {
  if (c.kind === 'exact') {
    if (c.verdict === 'fails') return `counterexample after ${plural(c.instances, 'instance')}; replay: gradconf verify --only ${r.id} --seed ${r.seed}`;
    const slack = c.minSlack !== undefined && Number.isFinite(c.minSlack) ? `, smallest slack ${fmt(c.minSlack)}` : '';
    const deg = c.degenerate ? ` (${c.degenerate} degenerate counted apart)` : '';
    return `held on all ${plural(c.instances, 'instance')}${slack}${deg}`;
  }
  if (c.kind === 'statistical') {
    const rej = c.tests.filter((t) => t.rejected);
    if (rej.length) {
      const w = rej.reduce((a, b) => (b.pAdjusted < a.pAdjusted ? b : a));
      return `${rej.length} of ${c.tests.length} tests reject at family-wise α = ${c.alpha}: ${w.label} (Holm p = ${fmtP(w.pAdjusted)}${w.effect !== undefined ? `, effect ${fmt(w.effect)}` : ''})`;
    }
    const minP = Math.min(...c.tests.map((t) => t.pAdjusted));
    const mde = c.tests.map((t) => t.minDetectable).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return `no test of ${c.tests.length} rejects at family-wise α = ${c.alpha} (smallest Holm p = ${fmtP(minP)}${mde.length ? `; would detect effects ≥ ${fmt(Math.max(...mde))}` : ''})`;
  }
  const tested = c.regimes.filter((g) => g.outcome);
  if (tested.length === 0) return 'no confusion in any regime: nothing to trend, no verdict';
  const by = (v: string) => tested.filter((g) => g.verdict === v);
  const parts: string[] = [];
  for (const v of ['holds', 'reversed', 'not detected']) {
    const gs = by(v);
    if (gs.length === 0) continue;
    const taus = gs.map((g) => g.outcome!.tau);
    const tau = taus.length === 1 ? `τ = ${fmtSigned(taus[0]!)}` : `τ ${fmtSigned(Math.min(...taus))}…${fmtSigned(Math.max(...taus))}`;
    const word = v === 'holds' ? `${c.direction}` : v;
    const extra = v === 'not detected' ? `, smallest detectable |τ| ${fmt(Math.min(...gs.map((g) => g.outcome!.minDetectableTau)))}` : '';
    parts.push(`${word} in ${gs.length}/${tested.length} regime${tested.length === 1 ? '' : 's'} (${tau}${extra})`);
  }
  const none = c.regimes.length - tested.length;
  return parts.join('; ') + (none ? `; ${none} without confusion` : '');
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-3 && v !== 0 ? sci(v, 1) : String(Number(v.toPrecision(3))).replace('-', '−'));
/** τ in a sentence (no '+': it reads as an operator in typeset math). */
const fmtSigned = (v: number) => (v < 0 ? '−' : '') + Math.abs(v).toFixed(2);
/** τ in a table column. */
const fmtTauCell = (v: number) => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(2);

/** A claim statement: as math when it is a mathjs expression, else prose with inline math. */
export function statementHtml(s: string): string {
  const t = /[<>=]/.test(s) && !/\s[a-z]{4,}\s/.test(s) ? mathjsTex(s) : null;
  return t ? mathHtml(t) : proseHtml(s);
}

function table(head: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const statusCell = (s: Status) => `<span class="${s.cls}">${esc(s.word)}</span>`;

/** The table of one claim (its kind's columns). */
export function claimTable(r: TheoremResult, c: ClaimResult): string {
  if (c.kind === 'exact') {
    return table(['verdict', 'instances', 'smallest slack', 'degenerate', 'tolerance', 'time'], [[
      statusCell(claimStatus(r, c)), numHtml(c.instances), numHtml(c.minSlack), numHtml(c.degenerate ?? 0), c.tolerance ? proseHtml(c.tolerance) : '–', `${(c.ms / 1000).toFixed(1)} s`,
    ]], 'claim-table');
  }
  if (c.kind === 'statistical') {
    return table(['test', 'method', 'statistic', 'p', 'Holm p', 'effect', 'smallest detectable', 'n', 'verdict'], c.tests.map((t) => [
      proseHtml(t.label), esc(t.test), numHtml(t.statistic), pHtml(t.pValue), pHtml(t.pAdjusted), numHtml(t.effect), numHtml(t.minDetectable), numHtml(t.n),
      t.rejected ? '<span class="finding">rejected</span>' : '<span class="holds">not rejected</span>',
    ]), 'claim-table');
  }
  return table(['regime', 'levels', 'verdict', 'τ', 'smallest detectable τ', 'p (one-sided)', 'Holm p', 'Holm p, reverse', 'n'], c.regimes.map((g) => {
    const o = g.outcome;
    const st: Status = g.verdict === 'holds' ? { word: 'holds', cls: 'holds' } : g.verdict === 'reversed' ? { word: 'reversed', cls: 'finding' } : g.verdict === 'not detected' ? { word: 'not detected', cls: 'none' } : { word: 'no confusion: no verdict', cls: 'none' };
    return [proseHtml(g.label), esc(g.levels.join(', ')), statusCell(st), o ? fmtTauCell(o.tau) : '–', o ? numHtml(o.minDetectableTau) : '–', pHtml(o?.pValue), pHtml(o?.pAdjusted), pHtml(o?.reverseAdjusted), o ? numHtml(o.sizes.reduce((a, b) => a + b, 0)) : '–'];
  }), 'claim-table');
}

/** How the claim's verdict was reached, in one sentence (kind, correction). */
function claimMethod(c: ClaimResult): string {
  if (c.kind === 'exact') return 'Exact claim: must hold on every instance; a counterexample is a bug in the code or in the paper.';
  if (c.kind === 'statistical') return `Statistical claim, the paper's statement as the null hypothesis; ${esc(c.correction)}, family-wise α = ${c.alpha}.`;
  const t = c.regimes.find((g) => g.outcome)?.outcome?.test;
  const how = t ? (/Holm/.test(t) ? esc(t) : `${esc(t)}; ${esc(c.correction)}`) : `one-sided rank test per regime; ${esc(c.correction)}`;
  return `Trend claim (${esc(c.direction)} in ${esc(c.measure)}): ${how}, family-wise α = ${c.alpha}, in each direction. τ is Kendall-type concordance (+1: every pair increasing).`;
}

// ---------------------------------------------------------------------------------------------
// Readable data: nested tables instead of JSON.

/** Plot data (drawn as figures) and what the claim tables show are left out of the tables. */
const HIDDEN = new Set(['figures', 'curves', 'histograms', 'cosines', 'samples', 'groups', 'points', 'trials', 'values', 'raw']);

const isPrim = (v: unknown) => v === null || ['number', 'string', 'boolean'].includes(typeof v);
const isNumArr = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/** A value as HTML: numbers formatted, short lists inline, flat records as tables, deeper data left to the data block. */
export function readable(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return numHtml(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return proseHtml(v);
  if (isNumArr(v)) {
    if (v.length === 2) return `[${numHtml(v[0])}, ${numHtml(v[1])}]`;
    if (v.length <= 8) return v.map((x) => numHtml(x)).join(', ');
    const fin = v.filter((x) => Number.isFinite(x));
    return `${v.length} values${fin.length ? `, ${numHtml(Math.min(...fin))} … ${numHtml(Math.max(...fin))}` : ''}`;
  }
  if (depth >= 3) return '<span class="see-data">(in the data block)</span>';
  if (Array.isArray(v)) {
    if (v.length === 0) return 'none';
    if (v.every((x) => isPrim(x))) return v.slice(0, 12).map((x) => readable(x, depth + 1)).join(', ') + (v.length > 12 ? ` … (${v.length} in all)` : '');
    if (v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) {
      const rows = v as Record<string, unknown>[];
      const keys = [...new Set(rows.flatMap((x) => Object.keys(x)))].filter((k) => !HIDDEN.has(k)).slice(0, 10);
      const shown = rows.slice(0, 20);
      return table(keys.map(esc), shown.map((x) => keys.map((k) => readable(x[k], depth + 1))), 'data-table')
        + (rows.length > shown.length ? `<p class="more">… ${rows.length - shown.length} more rows in the data block.</p>` : '');
    }
    return v.slice(0, 12).map((x) => readable(x, depth + 1)).join('; ');
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([k, x]) => !HIDDEN.has(k) && x !== undefined);
    if (entries.length === 0) return '–';
    return `<table class="kv"><tbody>${entries.map(([k, x]) => `<tr><th>${esc(k)}</th><td>${readable(x, depth + 1)}</td></tr>`).join('')}</tbody></table>`;
  }
  return esc(String(v));
}

/** The counterexample (a fast-check tuple or record) as a short table, with its replay line. */
export function counterexampleHtml(r: TheoremResult, c: Extract<ClaimResult, { kind: 'exact' }>): string {
  if (c.counterexample === undefined) return '';
  const ce = Array.isArray(c.counterexample) && c.counterexample.length === 1 ? c.counterexample[0] : c.counterexample;
  const failure = c.failure as { measured?: Record<string, number>; bound?: number; slack?: number } | undefined;
  const fail = failure && typeof failure === 'object'
    ? `<p>At this instance: ${Object.entries(failure.measured ?? {}).map(([k, v]) => `${esc(k)} = ${numHtml(v)}`).join(', ')}${failure.bound !== undefined ? `; bound ${numHtml(failure.bound)}` : ''}${failure.slack !== undefined ? `; slack ${numHtml(failure.slack)}` : ''}.</p>` : '';
  const replay = `gradconf verify --only ${r.id} --seed ${r.seed}`;
  const fc = c.path !== undefined ? `fc.assert(property, { seed: ${r.seed}, path: ${JSON.stringify(c.path)} })` : '';
  return `<div class="counterexample"><h4>Counterexample (shrunk)</h4>${readable(ce, 1)}${fail}<p class="replay">Replay: <code>${esc(replay)}</code>${fc ? ` — or in code, <code>${esc(fc)}</code>` : ''}</p></div>`;
}

/** One claim: heading with status, statement, method line, table, counterexample, other data. */
export function claimHtml(r: TheoremResult, c: ClaimResult): string {
  const st = claimStatus(r, c);
  const details = c.details && Object.keys(c.details).filter((k) => !HIDDEN.has(k)).length ? `<div class="claim-details">${readable(c.details, 1)}</div>` : '';
  const src = c.source === 'derived' ? '<span class="source" title="our derivation, not the paper\'s statement">derived</span>' : '<span class="source">paper</span>';
  return `<div class="claim claim-${st.cls}" id="${esc(`${r.id}--${c.id}`)}" data-claim-id="${esc(c.id)}">
<h3><span class="badge ${st.cls}">${esc(st.word)}</span> ${statementHtml(c.statement)} ${src}</h3>
<p class="method">${claimMethod(c)} <span class="reason">${proseHtml(claimReason(r, c))}.</span></p>
${claimTable(r, c)}${c.kind === 'exact' ? counterexampleHtml(r, c) : ''}${details}</div>`;
}
