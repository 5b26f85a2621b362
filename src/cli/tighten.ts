/** `gradconf tighten <id>`: counterexample search for variants / constant estimation (theorems/tighten.ts). */
import { Command } from 'commander';
import { TIGHTENERS, tightenerFor } from '../../theorems/index.ts';
import { BadInputError } from '../errors.ts';
import { intOption, printJson, progressReporter } from './common.ts';
import { initBackend } from '../backend/index.ts';
import { onQueue } from '../queue/queue-trials.ts';

interface TightenOpts { budget?: number; seed: number; json?: boolean; backend?: string; bound?: string; queue?: string }

export async function tightenCommand(id: string, opts: TightenOpts): Promise<number> {
  const t = tightenerFor(id);
  if (!t) throw new BadInputError(`nothing to tighten for "${id}"; known: ${TIGHTENERS.map((x) => x.id).join(', ') || '(none registered)'}`);
  if (opts.bound !== undefined && !t.boundVariables) {
    throw new BadInputError(`--bound is not supported for ${id} (supported: ${TIGHTENERS.filter((x) => x.boundVariables).map((x) => x.id).join(', ')})`);
  }
  const backend = await initBackend(opts.backend);
  const search = () => t.run({ budget: opts.budget ?? t.defaultBudget, seed: opts.seed, bound: opts.bound, progress: progressReporter(`tighten ${id}`) });
  const doc = opts.queue ? await onQueue(opts.queue, backend, search) : await search();
  if (opts.json) printJson({ backend, ...doc });
  else process.stdout.write(`${t.format(doc)}\n`);
  return 0;
}

export function tightenProgram(run: (code: Promise<number>) => void): Command {
  return new Command('tighten')
    .description('search for counterexamples to strengthened variants of a result, or estimate its open constants')
    .argument('<id>', 'result id, e.g. theorem-3-1')
    .option('--budget <n>', 'search budget (see each result)', intOption('--budget', 1))
    .option('--seed <n>', 'fast-check seed', intOption('--seed'), 1)
    .option('--backend <name>', 'wasm (default), cpu, webgpu, tensorflow; or GRADCONF_BACKEND')
    .option('--bound <expr>', 'also search your own candidate bound (a restricted mathjs expression; theorem-3-1: mu N alpha L T gap0 eta; theorem-3-2: N L alpha gap1 T eta)')
    .option('--json', 'print one JSON document')
    .option('--queue <url>', 'run the Monte-Carlo trial batches on the workers of this Redis job queue (gradconf worker)')
    .action((id: string, o: TightenOpts) => run(tightenCommand(id, o)));
}
