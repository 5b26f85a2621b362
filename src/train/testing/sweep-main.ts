/**
 * Test entry point for `gradconf sweep` until the command is registered in src/cli/main.ts: the
 * same root-program wiring as main.ts (exitOverride, one-line errors, exit codes) around
 * `sweepProgram`. Run with `tsx src/train/testing/sweep-main.ts <sweep args>`.
 */
import { Command } from 'commander';
import { sweepProgram } from '../../cli/sweep.ts';
import { reportError } from '../../cli/common.ts';

/** Run `sweep` with argv (the words after `gradconf sweep`); resolves to the exit code. */
export async function sweepMain(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  const write = (s: string) => process.stderr.write(s.startsWith('error:') ? `gradconf: ${s}` : s);
  const program = new Command('gradconf').exitOverride().configureOutput({ writeErr: write });
  program.addCommand(sweepProgram((p) => { pending = p; }).exitOverride().configureOutput({ writeErr: write }));
  try {
    await program.parseAsync(['sweep', ...argv], { from: 'user' });
    return pending ? await pending : 0;
  } catch (e) {
    return reportError(e);
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await sweepMain(process.argv.slice(2));
}
