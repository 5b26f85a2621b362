/**
 * `gradconf` command line: verify, probe, bench. `--json` prints one JSON document to stdout,
 * progress goes to stderr; exit 0 ok, 1 a claim failed, 2 bad input (one line naming the problem),
 * 3 internal error.
 */
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { probeProgram } from './probe.ts';
import { verifyProgram } from './verify.ts';
import { benchProgram } from './bench.ts';
import { tightenProgram } from './tighten.ts';
import { reportProgram } from './report.ts';
import { sweepProgram } from './sweep.ts';
import { workerProgram } from './worker.ts';
import { reportError } from './common.ts';

/** Run the CLI on argv (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const run = (p: Promise<number>) => { pending = p; };
  const program = new Command('gradconf')
    .description('gradient confusion (Sankararaman et al., ICML 2020), made executable')
    .version((createRequire(import.meta.url)('../../package.json') as { version: string }).version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `gradconf: ${s}` : s) })
;
  for (const sub of [verifyProgram(run), tightenProgram(run), probeProgram(run), sweepProgram(run), reportProgram(run), benchProgram(run), workerProgram(run)]) {
    program.addCommand(sub.exitOverride().configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `gradconf: ${s}` : s) }));
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return pending ? await pending : 0;
  } catch (e) {
    return reportError(e);
  }
}
