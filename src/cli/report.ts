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
import { esc, renderReport } from '../report/html.ts';
import { analyseSection7, type RunSummary } from '../train/section-7-analysis.ts';
import { BadInputError } from '../errors.ts';

interface ReportOpts { sweep?: string[]; monitor?: string[]; out?: string }

/** The HTML of one or more sweep directories (trend tests over all of them together). */
export async function sweepReportHtml(dirs: string[]): Promise<string> {
  const all = dirs.map((d) => ({ dir: d, ...readSweepRuns(d) }));
  const analysis = analyseSection7(all.flatMap((a) => a.runs as unknown as RunSummary[]));
  const tests = `<table><thead><tr><th>claim</th><th>quantity</th><th>one-sided p</th><th>Holm p</th><th>τ</th><th>runs</th><th>verdict</th></tr></thead><tbody>${analysis.tests.map((t) => `<tr><td>${esc(t.claim)}</td><td>${esc(t.quantity)}</td><td>${t.result.p.toPrecision(3)}</td><td>${t.pHolm.toPrecision(3)}</td><td>${t.result.tau.toFixed(2)}</td><td>${t.result.n}</td><td class="${t.holds ? 'holds' : 'fails'}">${t.holds ? 'holds' : 'finding'}</td></tr>`).join('')}</tbody></table>
${analysis.findings.length ? `<h3>Findings at this scale</h3><ul>${analysis.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
${analysis.untested.length ? `<p>Not tested: ${analysis.untested.map(esc).join('; ')}</p>` : ''}`;
  return renderReport({
    title: `gradconf sweep report — ${dirs.join(', ')}`, generatedAt: new Date().toISOString(),
    backend: [...new Set(all.flatMap((a) => a.runs.map((r) => (r as unknown as { backend?: string }).backend ?? '?')))].join(', '),
    budget: 'sweep', results: [], statements: {}, figures: {},
    extra: [
      { id: 'section-7-tests', title: `Section 7 trend tests (one-sided, Holm, α = ${analysis.alpha})`, html: tests, figures: [] },
      ...all.map((a, i) => ({
        id: `sweep-${i}`, title: `Sweep ${a.dir}`, html: `<pre class="json">${esc(JSON.stringify(a.config))}</pre><p>${a.runs.length} finished runs.</p>`,
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
      html: `${l.header ? `<pre class="json">${esc(JSON.stringify(l.header))}</pre>` : ''}<p>${l.records.length} probes, steps ${l.records[0]!.step}–${l.records[l.records.length - 1]!.step}.</p>`,
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
