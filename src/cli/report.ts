/**
 * `gradconf report --sweep dir [--out file.html]`: the self-contained HTML report of a training
 * sweep directory — the Section 7 trend tests (src/train/section-7-analysis.ts) and the sweep's plots.
 * `gradconf report --monitor file.jsonl […]`: the plots of confusion-monitor logs over training.
 */
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readSweepRuns, sweepFigures } from '../report/sweep.ts';
import { monitorFigures, readMonitorLog } from '../report/monitor.ts';
import { esc, renderReport, type SummaryRow } from '../report/html.ts';
import { proseHtml } from '../report/math.ts';
import { pHtml, readable } from '../report/claims-html.ts';
import { fmtP } from '../report/figure-spec.ts';
import { analyseSection7, type RunSummary } from '../train/section-7-analysis.ts';
import { BadInputError } from '../errors.ts';

interface ReportOpts { sweep?: string[]; monitor?: string[]; out?: string }

/** A sweep's or log's settings as a small table (and its JSON in a collapsed data block). */
function settingsHtml(config: unknown): string {
  return `${readable(config, 1)}<details class="data"><summary>data</summary><pre>${esc(JSON.stringify(config, null, 1))}</pre></details>`;
}

/** The HTML of one or more sweep directories (trend tests over all of them together). */
export async function sweepReportHtml(dirs: string[]): Promise<string> {
  const all = dirs.map((d) => ({ dir: d, ...readSweepRuns(d) }));
  const analysis = analyseSection7(all.flatMap((a) => a.runs as unknown as RunSummary[]));
  const resultName = `Section 7 trend tests (${dirs.join(', ')})`;
  const tau = (t: number) => (t < 0 ? '−' : '') + Math.abs(t).toFixed(2);
  const rows: SummaryRow[] = [
    ...analysis.tests.map((t) => ({
      result: resultName, href: `#section-7-tests--${t.id}`, claim: t.claim, kind: 'trend',
      status: t.holds ? { word: 'holds', cls: 'holds' as const } : { word: 'finding', cls: 'finding' as const },
      reason: `${t.result.n} runs, ${t.quantity.replace(/\|/g, '')}: τ = ${tau(t.result.tau)}, one-sided p = ${fmtP(t.result.p)}, Holm p = ${fmtP(t.pHolm)} ${t.holds ? '≤' : '>'} α = ${analysis.alpha}${t.holds ? '' : '; not shown at this scale'}`,
    })),
    ...analysis.untested.map((u) => ({ result: resultName, href: '#section-7-tests', claim: u.replace(/:.*$/, ''), kind: 'trend', status: { word: 'not tested', cls: 'none' as const }, reason: u.replace(/^[^:]*:\s*/, '') })),
  ];
  const tests = `<p class="method">One-sided rank tests of the paper's Section 7 claims over the finished runs (each run's end-of-training values), Holm-adjusted together at family-wise α = ${analysis.alpha}. τ is Kendall-type concordance (+1: every pair in the claimed order).</p>
<table class="claim-table"><thead><tr><th>claim</th><th>quantity</th><th>test</th><th>τ</th><th>p (one-sided)</th><th>Holm p</th><th>runs</th><th>left out</th><th>verdict</th></tr></thead><tbody>${analysis.tests.map((t) => `<tr id="section-7-tests--${esc(t.id)}"><td>${proseHtml(t.claim)}</td><td>${esc(t.quantity)}</td><td>${esc(t.result.test)}</td><td>${t.result.tau >= 0 ? '+' : '−'}${Math.abs(t.result.tau).toFixed(2)}</td><td>${pHtml(t.result.p)}</td><td>${pHtml(t.pHolm)}</td><td>${t.result.n}</td><td>${t.excluded.length}</td><td class="${t.holds ? 'holds' : 'finding'}">${t.holds ? 'holds' : 'finding'}</td></tr>`).join('')}</tbody></table>
${analysis.findings.length ? `<h3>Findings at this scale</h3><ul>${analysis.findings.map((f) => `<li>${proseHtml(f)}</li>`).join('')}</ul>` : ''}
${analysis.descriptive.length ? `<h3>Depth trend per BN/skip variant (descriptive, not in the Holm family)</h3><table><thead><tr><th>variant</th><th>τ</th><th>p (one-sided)</th><th>runs</th></tr></thead><tbody>${analysis.descriptive.map((d) => `<tr><td>${esc(d.variant)}</td><td>${tau(d.result.tau)}</td><td>${pHtml(d.result.p)}</td><td>${d.result.n}</td></tr>`).join('')}</tbody></table>` : ''}
${analysis.untested.length ? `<p>Not tested: ${analysis.untested.map((u) => proseHtml(u)).join('; ')}</p>` : ''}`;
  return renderReport({
    title: `gradconf sweep report — ${dirs.join(', ')}`, generatedAt: new Date().toISOString(),
    backend: [...new Set(all.flatMap((a) => a.runs.map((r) => (r as unknown as { backend?: string }).backend ?? '?')))].join(', '),
    budget: 'sweep', results: [], statements: {}, figures: {}, summary: rows,
    lede: `${analysis.tests.length} trend test${analysis.tests.length === 1 ? '' : 's'} of the paper's Section 7 claims over ${all.reduce((n, a) => n + a.runs.length, 0)} finished runs: <span class="holds">${analysis.tests.filter((t) => t.holds).length} hold</span>, <span class="finding">${analysis.tests.filter((t) => !t.holds).length} finding${analysis.tests.filter((t) => !t.holds).length === 1 ? '' : 's'}</span> (not shown at this scale)${analysis.untested.length ? `, ${analysis.untested.length} not tested` : ''}.`,
    extra: [
      { id: 'section-7-tests', title: `Section 7 trend tests (one-sided, Holm, α = ${analysis.alpha})`, html: tests, figures: [] },
      ...all.map((a, i) => ({
        id: `sweep-${i}`, title: `Sweep ${a.dir}`, html: `<p class="meta">${a.runs.length} finished runs.</p>${settingsHtml(a.config)}`,
        figures: sweepFigures(a.runs, `${String(a.config.kind ?? a.runs[0]!.sweep)} sweep`),
      })),
    ],
  });
}

/** The HTML of one or more confusion-monitor logs: settings and plots of each over training. */
export async function monitorReportHtml(files: string[]): Promise<string> {
  const logs = files.map((f) => ({ file: f, ...readMonitorLog(f) }));
  return renderReport({
    title: `gradconf monitor report — ${files.join(', ')}`, generatedAt: new Date().toISOString(),
    backend: [...new Set(logs.map((l) => l.header?.backend ?? '?'))].join(', '),
    budget: 'monitor', results: [], statements: {}, figures: {},
    extra: logs.map((l, i) => ({
      id: `monitor-${i}`, title: `Monitor ${l.file}`,
      html: `<p class="meta">${l.records.length} probes, steps ${l.records[0]!.step}–${l.records[l.records.length - 1]!.step}.</p>${l.header ? settingsHtml(l.header) : ''}`,
      figures: monitorFigures(l.records, `monitor ${i + 1}`),
    })),
  });
}

export async function reportCommand(o: ReportOpts): Promise<number> {
  if (o.sweep?.length && o.monitor?.length) throw new BadInputError('give --sweep or --monitor, not both (one report each)');
  if (o.monitor?.length) {
    const out = o.out ?? o.monitor[0]!.replace(/\.jsonl?$/i, '') + '.html';
    const html = await monitorReportHtml(o.monitor);
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, html);
    process.stdout.write(`report written to ${out}\n`);
    return 0;
  }
  if (!o.sweep?.length) throw new BadInputError('give at least one --sweep DIR (a gradconf sweep --out directory) or --monitor FILE (a confusion-monitor JSONL log)');
  const out = o.out ?? join(o.sweep[0]!, 'report.html');
  const html = await sweepReportHtml(o.sweep);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, html);
  process.stdout.write(`report written to ${out}\n`);
  return 0;
}

export function reportProgram(run: (code: Promise<number>) => void): Command {
  return new Command('report')
    .description('HTML report of sweep directories (trend tests and plots) or of confusion-monitor logs (plots over training)')
    .option('--sweep <dir...>', 'sweep output directories (runs.jsonl)')
    .option('--monitor <file.jsonl...>', 'confusion-monitor logs (JSONL, see README "Monitoring training")')
    .option('--out <file.html>', 'where to write the report (default: <first dir>/report.html, or <log>.html)')
    .action((o: ReportOpts) => run(reportCommand(o)));
}
