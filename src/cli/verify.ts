/**
 * `gradconf verify`: run the theorem registry (theorems/index.ts). Table or JSON on stdout,
 * progress on stderr; exit 1 when an exact claim fails.
 */
import { Command, Option } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { selectTheorems, STATEMENTS, type TheoremResult } from '../../theorems/index.ts';
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
  const budget = opts.full ? 'full' : 'quick';
  const results: TheoremResult[] = [];
  const runAll = async () => {
    for (const t of selected) results.push(await t.run({ seed: opts.seed, budget, progress: progressReporter(t.id) }));
  };
  if (opts.queue) await onQueue(opts.queue, backend, runAll);
  else await runAll();
  const failedExact = results.some((r) => r.kind === 'exact' && !r.holds);
  if (opts.saveDetails) {
    mkdirSync(opts.saveDetails, { recursive: true });
    for (const r of results) writeFileSync(join(opts.saveDetails, `${r.id}.json`), `${JSON.stringify({ backend, budget, ...r })}\n`);
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
    const rows = results.map((r) => [r.id, r.kind, String(r.instances), r.holds ? 'holds' : r.kind === 'exact' ? 'FAILS' : 'finding',
      typeof r.details.minSlack === 'number' ? `min slack ${(r.details.minSlack as number).toPrecision(3)}` : '',
      `${(r.ms / 1000).toFixed(1)} s`, `--seed ${r.seed}`]);
    const head = ['result', 'kind', 'instances', 'verdict', 'slack', 'time', 'replay'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('  ').trimEnd();
    process.stdout.write(`gradconf verify (${budget}, backend ${tf.getBackend()})\n${line(head)}\n${rows.map(line).join('\n')}\n`);
    for (const r of results) {
      if (!r.holds && r.details.counterexample !== undefined) {
        process.stdout.write(`${r.id}: counterexample ${JSON.stringify(r.details.counterexample)} (replay: --seed ${r.seed}, path ${String(r.details.path)})\n`);
      }
    }
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
