/**
 * `gradconf sweep width|depth|bn-skip`: the paper's Section 7 training sweeps (Sankararaman et
 * al., ICML 2020) on MNIST, Fashion-MNIST or CIFAR-10, with the trend tests of
 * src/train/section-7-analysis.ts over the results. Results go to `<out>/runs.jsonl` (one JSON line per
 * finished task, appended atomically; `--resume` continues after a kill); progress with ETA on
 * stderr; `--json` prints one JSON document.
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { join } from 'node:path';
import { initBackend } from '../backend/index.ts';
import { DATASETS, FAMILIES, SCALES, SWEEP_KINDS, sweepConfig, type DatasetName, type Family, type Scale, type SweepKind } from '../train/plan.ts';
import { runSweep } from '../train/sweep.ts';
import { withUnitQueue, type UnitQueue } from '../queue/coordinator.ts';
import { analyseSection7, ALPHA } from '../train/section-7-analysis.ts';
import { formatDuration } from '../train/progress.ts';
import { intOption, numberOption, printJson } from './common.ts';

interface SweepOpts {
  dataset: DatasetName; dataDir?: string; scale: Scale; seeds?: number; seed?: number; epochs?: number; out?: string;
  resume?: boolean; json?: boolean; family?: Family; values?: number[]; fixed?: number; trainExamples?: number;
  testExamples?: number; pairs?: number; probeBatch?: number; batchSize?: number; lr?: number; lrGrid?: number[];
  tuneEpochs?: number; lrDecay?: number[]; workers?: number; backend?: string; dataSeed?: number; queue?: string;
}

/** Parse a comma-separated list with `item` (commander argParser). */
function listOption(name: string, item: (v: string) => number) {
  return (v: string): number[] => {
    const parts = v.split(',').map((s) => s.trim());
    if (parts.length === 0 || parts.some((p) => p === '')) throw new InvalidArgumentError(`${name} must be a comma-separated list (got "${v}")`);
    return parts.map(item);
  };
}

const fmt = (v: number | null | undefined, d = 4) => (v === null || v === undefined ? '–' : Number.isFinite(v) ? v.toPrecision(d) : String(v));

/** Run the command; returns the exit code (trend failures are findings: exit 0). */
export async function sweepCommand(kind: SweepKind, o: SweepOpts): Promise<number> {
  const cfg = sweepConfig(kind, o.dataset, o.scale, {
    dataDir: o.dataDir, family: o.family, values: o.values, fixed: o.fixed, seeds: o.seeds, firstSeed: o.seed, epochs: o.epochs,
    batchSize: o.batchSize, lr: o.lr, lrGrid: o.lrGrid, tuneEpochs: o.tuneEpochs, lrDecayEpochs: o.lrDecay,
    trainExamples: o.trainExamples, testExamples: o.testExamples, dataSeed: o.dataSeed, pairs: o.pairs, probeBatch: o.probeBatch,
  });
  const backend = await initBackend(o.backend);
  const outDir = o.out ?? join('out', `sweep-${kind}-${o.dataset}-${o.scale}`);
  const sweep = (queue?: UnitQueue) => runSweep(cfg, { outDir, resume: o.resume, workers: o.workers, backend, progress: { label: `sweep ${kind}` }, queue });
  const res = o.queue ? await withUnitQueue(o.queue, backend, { reuseFinished: o.resume }, sweep) : await sweep();
  const a = analyseSection7(res.runs, { seed: cfg.seeds[0] });
  const complete = res.runs.length === res.plan.length;
  if (o.json) {
    printJson({
      sweep: kind, dataset: cfg.dataset, scale: cfg.scale, backend, out: outDir, resultsFile: res.resultsFile, config: cfg,
      ran: res.ran, skipped: res.skipped, workers: res.workers, minutes: res.ms / 60_000, runs: res.runs.length, complete,
      tunes: res.tunes.map((t) => ({ configKey: t.configKey, chosen: t.chosen, atEdge: t.atEdge, grid: t.grid, losses: t.losses })),
      levels: a.levels, trends: a.tests, untested: a.untested, descriptive: a.descriptive, holds: a.holds, findings: a.findings, alpha: a.alpha,
    });
    return 0;
  }
  const lines: string[] = [
    `gradconf sweep ${kind} — ${cfg.dataset}, scale ${cfg.scale}, family ${cfg.family}, ${cfg.seeds.length} seeds, ${cfg.epochs} epochs, backend ${backend}`,
    `results: ${res.resultsFile} (${res.ran} tasks run now, ${res.skipped} already done; ${o.queue ? 'on the queue' : `${res.workers} workers`}; ${formatDuration(res.ms / 1000)})`,
    '',
    `${'variant'.padEnd(8)} ${(kind === 'width' ? 'width' : 'depth').padStart(5)}  runs  lr            train loss  min cos    |min cos|  test acc`,
    ...a.levels.map((l) => `${l.variant.padEnd(8)} ${String(l.level).padStart(5)}  ${String(l.runs).padStart(4)}  ${l.lr.map((v) => fmt(v, 2)).join(',').padEnd(12)}  ${fmt(l.trainLoss).padStart(10)}  ${fmt(l.minCosine).padStart(8)}  ${fmt(l.absMinCosine).padStart(9)}  ${fmt(l.testAccuracy).padStart(8)}${l.diverged ? `  (${l.diverged} diverged)` : ''}`),
    '(medians over seeds of the end-of-training values)',
    '',
    `trend tests (one-sided, Holm at α = ${ALPHA}):`,
    ...a.tests.map((t) => `  ${t.holds ? 'holds  ' : 'FINDING'} ${t.id.padEnd(16)} ${t.claim}: p = ${fmt(t.result.p, 3)} (Holm ${fmt(t.pHolm, 3)}), concordance ${t.result.concordance.toFixed(2)}, n = ${t.result.n}${t.excluded.length ? `, ${t.excluded.length} diverged left out` : ''}`),
  ];
  for (const u of a.untested) lines.push(`  untested ${u}`);
  if (!complete) lines.push(`(incomplete: ${res.runs.length} of ${res.plan.length} runs)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** commander definition of `sweep`. */
export function sweepProgram(run: (code: Promise<number>) => void): Command {
  return new Command('sweep')
    .description('Section 7 training sweeps (width, depth, BN/skip) with the per-epoch confusion probe and trend tests')
    .addArgument(new Argument('<kind>', 'width | depth | bn-skip').choices([...SWEEP_KINDS]))
    .addOption(new Option('--dataset <name>', 'dataset').choices([...DATASETS]).default('mnist'))
    .option('--data-dir <dir>', 'dataset directory (cifar10: required; fashion-mnist: default /usr/share/datasets/fashion-mnist)')
    .addOption(new Option('--scale <scale>', 'small: this machine, minutes; paper: the paper\'s sizes (GPU)').choices([...SCALES]).default('small'))
    .option('--seeds <n>', 'runs per configuration (small: 5, bn-skip 3; paper: 5)', intOption('--seeds', 1))
    .option('--seed <n>', 'first seed (runs use seed, seed + 1, ...)', intOption('--seed'))
    .option('--epochs <n>', 'epochs per run (small 8, paper 200); LR decay defaults to 0.4 and 0.8 of it', intOption('--epochs', 1))
    .option('--out <dir>', 'output directory (default out/sweep-<kind>-<dataset>-<scale>)')
    .option('--resume', 'continue the sweep in --out, skipping finished runs')
    .option('--json', 'print one JSON document')
    .addOption(new Option('--family <name>', 'model family (width/depth: mlp, cnn; bn-skip: dense-stack, resnet)').choices([...FAMILIES]))
    .option('--values <list>', 'swept widths or depths, increasing (comma-separated)', listOption('--values', intOption('--values', 1)))
    .option('--fixed <n>', 'the other dimension: depth of the width sweep, width of the depth/bn-skip sweeps', intOption('--fixed', 1))
    .option('--train-examples <n>', 'seeded subset of the training split (small 8192, paper all)', intOption('--train-examples', 1))
    .option('--test-examples <n>', 'seeded subset of the test split (small 2000, paper all)', intOption('--test-examples', 1))
    .option('--pairs <n>', 'probe: pairs of minibatches per epoch (default 100)', intOption('--pairs', 1))
    .option('--probe-batch <n>', 'probe: minibatch size (default 128)', intOption('--probe-batch', 1))
    .option('--batch-size <n>', 'SGD batch size (default 128)', intOption('--batch-size', 1))
    .option('--lr <rate>', 'fixed initial learning rate (default: tune on --lr-grid)', numberOption('--lr', true))
    .option('--lr-grid <list>', 'log grid of initial rates to tune on (default 0.001,0.003,0.01,0.03,0.1,0.3,1)', listOption('--lr-grid', numberOption('--lr-grid', true)))
    .option('--tune-epochs <n>', 'epochs per tuning run (small 2, paper 20)', intOption('--tune-epochs', 1))
    .option('--lr-decay <list>', 'epochs (0-based) where the rate is divided by 10 (paper 80,160)', listOption('--lr-decay', intOption('--lr-decay', 0)))
    .option('--data-seed <n>', 'seed of the data subsets (default 0)', intOption('--data-seed'))
    .option('--workers <n>', 'worker threads (default: available cores); 0 = run in this thread', intOption('--workers', 0))
    .option('--backend <name>', 'wasm (default), cpu, webgpu, tensorflow; or GRADCONF_BACKEND')
    .option('--queue <url>', 'run each task on the workers of this Redis job queue (gradconf worker); redis://[user:pass@]host:port[/db] or rediss://')
    .action((kind: SweepKind, o: SweepOpts) => run(sweepCommand(kind, o)));
}
