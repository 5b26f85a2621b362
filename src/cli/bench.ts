/** `gradconf bench`: the probe benchmark (bench/probe.ts) with ratios measured in one run. */
import { Command } from 'commander';
import { initBackend } from '../backend/index.ts';
import { BENCH_CONFIGS, DEFAULT_BENCH_CONFIGS, runBench, type BenchSkip } from '../../bench/probe.ts';
import { BadInputError } from '../errors.ts';
import { intOption, printJson } from './common.ts';

interface BenchOpts { json?: boolean; backend?: string; config?: string; time: number; seed: number }

export async function benchCommand(opts: BenchOpts): Promise<number> {
  const names = opts.config ? opts.config.split(',').map((s) => s.trim()) : DEFAULT_BENCH_CONFIGS;
  const configs = names.map((n) => {
    const c = BENCH_CONFIGS.find((b) => b.config === n);
    if (!c) throw new BadInputError(`unknown bench config "${n}"; known: ${BENCH_CONFIGS.map((b) => b.config).join(', ')}`);
    return c;
  });
  const backend = await initBackend(opts.backend);
  const skipped: BenchSkip[] = [];
  const results = await runBench(configs, { timeMs: opts.time, seed: opts.seed, progress: (m) => process.stderr.write(`${m}\n`), skipped });
  if (opts.json) {
    printJson({ backend, results, ...(skipped.length ? { skipped } : {}) });
  } else {
    process.stdout.write(`config      B    plain ms   probe ms   reference ms   probe/plain   reference/probe   stock ms   probe/stock  (backend ${backend})\n`);
    for (const r of results) {
      process.stdout.write(`${r.config.padEnd(11)} ${String(r.batch).padEnd(4)} ${r.plainMs.toFixed(1).padStart(8)}   ${r.probeMs.toFixed(1).padStart(8)}   ${r.referenceMs.toFixed(0).padStart(12)}   ${r.probeOverPlain.toFixed(2).padStart(11)}   ${r.referenceOverProbe.toFixed(1).padStart(15)}   ${(r.stockMs === null ? '–' : r.stockMs.toFixed(1)).padStart(8)}   ${(r.probeOverStock === null ? '–' : r.probeOverStock.toFixed(2)).padStart(11)}\n`);
    }
    for (const s of skipped) process.stdout.write(`${s.config.padEnd(11)} skipped: ${s.reason}\n`);
  }
  return 0;
}

export function benchProgram(run: (code: Promise<number>) => void): Command {
  return new Command('bench')
    .description('benchmark the probe against the plain batched gradient and the per-example reference (ratios from one run)')
    .option('--config <names>', `comma-separated: ${BENCH_CONFIGS.map((b) => b.config).join(', ')} (default ${DEFAULT_BENCH_CONFIGS.join(',')})`)
    .option('--time <ms>', 'tinybench time budget per task', intOption('--time', 1), 2000)
    .option('--seed <n>', 'seed for weights and data', intOption('--seed'), 0)
    .option('--backend <name>', 'wasm (default), cpu, webgpu, tensorflow; or GRADCONF_BACKEND')
    .option('--json', 'print one JSON document')
    .action((o: BenchOpts) => run(benchCommand(o)));
}
