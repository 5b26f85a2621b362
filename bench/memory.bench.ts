/**
 * `npm run bench:memory -- [--json] [--backend NAME] [--sizes 64,256,1024,4096] [--budget 128MiB]
 * [--max-unblocked B]`: peak tensor memory and time of the per-example probe on the mlp preset,
 * unblocked vs blocked within a budget (bench/memory.ts), one run; JSON and a table.
 */
import { initBackend } from '../src/backend/index.ts';
import { parseByteSize } from '../src/probe/memory.ts';
import { BadInputError } from '../src/errors.ts';
import { DEFAULT_SIZES, memoryTable, runMemoryBench } from './memory.ts';

const args = process.argv.slice(2);
const val = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
try {
  const sizesText = val('--sizes');
  const sizes = sizesText === undefined ? DEFAULT_SIZES : sizesText.split(',').map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 2) throw new BadInputError(`--sizes must be integers ≥ 2 separated by commas (got "${sizesText}")`);
    return v;
  });
  const budgetText = val('--budget');
  const budget = budgetText === undefined ? undefined : parseByteSize(budgetText, '--budget');
  const mu = val('--max-unblocked');
  const maxUnblocked = mu === undefined ? undefined : Number(mu);
  if (maxUnblocked !== undefined && !Number.isInteger(maxUnblocked)) throw new BadInputError(`--max-unblocked must be an integer (got "${mu}")`);
  const backend = await initBackend(val('--backend'));
  const t0 = Date.now();
  const rows = runMemoryBench({ sizes, budget, maxUnblocked, progress: (m) => process.stderr.write(`${m}\n`) });
  const doc = { backend, model: 'preset mlp (784-512x4-10, 1,195,018 parameters), He init seed 1, random N(0,1) inputs', wallMs: Date.now() - t0, results: rows };
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  else process.stdout.write(`${memoryTable(rows, backend)}\n`);
} catch (e) {
  if (e instanceof BadInputError) { process.stderr.write(`gradconf: ${e.message}\n`); process.exit(2); }
  throw e;
}
