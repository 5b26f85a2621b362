/**
 * `gradconf verify`: run the theorem registry (theorems/index.ts). Table or JSON on stdout,
 * progress on stderr; exit 1 when an exact claim fails.
 */
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { selectTheorems, STATEMENTS } from '../../theorems/index.ts';
import type { ClaimResult, TheoremResult } from '../claims/claim.ts';
import { renderReport } from '../report/html.ts';
import { figuresFor } from '../report/figures.ts';
import { BadInputError } from '../errors.ts';
import { onQueue } from '../queue/queue-trials.ts';
import { EXIT_CLAIM_FAILED, EXIT_OK, intOption, printJson, progressReporter } from './common.ts';

interface VerifyOpts { only?: string; quick?: boolean; full?: boolean; seed: number; json?: boolean; backend?: string; report?: string; saveDetails?: string; queue?: string }

export async function verifyCommand(opts: VerifyOpts): Promise<number> {
  if (opts.quick && opts.full) throw new BadInputError('give --quick or --full, not both');
  const ids = (opts.only ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const { selected, unknown } = selectTheorems(ids);
  if (unknown.length) throw new BadInputError(`unknown result id(s): ${unknown.join(', ')}; known: ${selectTheorems([]).selected.map((t) => t.id).join(', ')}`);
  const backend = await initBackend(opts.backend);
  const budget = opts.full ? 'full' as const : 'quick' as const;
  const results: TheoremResult[] = [];
  const runAll = async () => {
    for (const t of selected) results.push(await t.run({ seed: opts.seed, budget, progress: progressReporter(t.id) }));
  };
  if (opts.queue) await onQueue(opts.queue, backend, runAll);
  else await runAll();
  const failedExact = results.some((r) => !r.holds);
  if (opts.saveDetails) {
    mkdirSync(opts.saveDetails, { recursive: true });
    for (const r of results) writeFileSync(join(opts.saveDetails, `${r.id}.json`), `${JSON.stringify({ backend, ...r })}\n`);
    process.stderr.write(`results written to ${opts.saveDetails}/<id>.json\n`);
  }
  if (opts.report) {
    const html = await renderReport({
      title: 'gradconf verify — gradient confusion (Sankararaman et al., ICML 2020)', generatedAt: new Date().toISOString(),
      backend, budget, results, statements: STATEMENTS, figures: figuresFor(results),
    });
    mkdirSync(dirname(resolve(opts.report)), { recursive: true });
    writeFileSync(opts.report, html);
    process.stderr.write(`report written to ${opts.report}\n`);
  }
  if (opts.json) {
    printJson({ backend, budget, results });
  } else {
    process.stdout.write(`gradconf verify (${budget}, backend ${tf.getBackend()}, seed ${opts.seed})\n${formatResults(results)}\n`);
  }
  return failedExact ? EXIT_CLAIM_FAILED : EXIT_OK;
}

export function verifyProgram(run: (code: Promise<number>) => void): Command {
  return new Command('verify')
    .description('run the paper\'s results as executable checks (exit 1 if an exact claim fails)')
    .option('--only <ids>', 'comma-separated result ids (e.g. definition-2-1)')
    .addOption(new Option('--quick', 'small budget (default)'))
    .addOption(new Option('--full', '≥ 1000 instances per result'))
    .option('--seed <n>', 'fast-check seed', intOption('--seed'), 1)
    .option('--backend <name>', 'wasm (default), cpu, webgpu, tensorflow; or GRADCONF_BACKEND')
    .option('--json', 'print one JSON document')
    .option('--save-details <dir>', 'write each result (with its plot data, e.g. Figure 1\'s curves) to <dir>/<id>.json')
    .option('--report <file.html>', 'also write a self-contained HTML report with the paper\'s figures')
    .option('--queue <url>', 'run the Monte-Carlo trial batches on the workers of this Redis job queue (gradconf worker)')
    .action((o: VerifyOpts) => run(verifyCommand(o)));
}

/** One claim's verdict and its headline number, in words. */
export function claimSummary(c: ClaimResult): string {
  if (c.kind === 'exact') {
    const slack = c.minSlack !== undefined ? `, min slack ${c.minSlack.toPrecision(3)}` : '';
    const deg = c.degenerate ? ` (${c.degenerate} degenerate apart)` : '';
    return `${c.verdict === 'holds' ? 'holds' : 'FAILS'} on ${c.instances} instances${slack}${deg}`;
  }
  if (c.kind === 'statistical') {
    const p = Math.min(...c.tests.map((t) => t.pAdjusted));
    return `${c.verdict} at family-wise α = ${c.alpha} (${c.tests.length} test(s), smallest Holm-adjusted p ${Number.isFinite(p) ? p.toPrecision(2) : '—'})`;
  }
  const reg = c.regimes.map((g) => `${g.label}: ${g.verdict}${g.outcome ? ` (τ ${g.outcome.tau.toFixed(2)}, p_adj ${g.outcome.pAdjusted.toPrecision(2)})` : ''}`);
  return `${c.direction} ${c.measure} — ${reg.join('; ')}`;
}

/** The verify table: one row per claim, then the replay line of any counterexample. */
export function formatResults(results: readonly TheoremResult[]): string {
  const rows = results.flatMap((r) => r.claims.map((c, k) => [k === 0 ? r.id : '', c.id, c.kind, claimSummary(c), k === 0 ? `${(r.ms / 1000).toFixed(1)} s` : '']));
  const head = ['result', 'claim', 'kind', 'verdict', 'time'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 3 ? 0 : r[i]!.length))));
  const line = (r: string[]) => r.map((c, i) => (i === 3 ? c : c.padEnd(w[i]!))).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  for (const r of results) {
    for (const c of r.claims) {
      if (c.kind === 'exact' && c.verdict === 'fails') out.push(`${r.id} ${c.id}: counterexample ${JSON.stringify(c.counterexample)} (replay: --seed ${r.seed}, path ${String(c.path)})`);
    }
    if (r.findings.length) out.push(`${r.id}: finding(s) ${r.findings.join(', ')} (statistical rejection or reversed trend of a paper claim; replay with --seed ${r.seed})`);
  }
  const failed = results.filter((r) => !r.holds).map((r) => r.id);
  out.push(failed.length ? `exact claims FAIL in: ${failed.join(', ')}` : 'every exact claim holds');
  return out.join('\n');
}
