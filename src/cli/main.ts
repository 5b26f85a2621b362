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

/**
 * The package's version from package.json; 'unknown' where there is none beside the code (the
 * esbuild bundle that scripts/gpu-prepare.sh carries to a GPU machine has no package.json).
 */
function packageVersion(): string {
  try {
    // By the package's own name, so that it resolves from src/cli and from the compiled dist/src/cli.
    return (createRequire(import.meta.url)('gradconf/package.json') as { version: string }).version;
  } catch {
    return 'unknown (bundled)';
  }
}

/** Run the CLI on argv (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const run = (p: Promise<number>) => { pending = p; };
  const program = new Command('gradconf')
    .description('gradient confusion (Sankararaman et al., ICML 2020), made executable')
    .version(packageVersion())
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
