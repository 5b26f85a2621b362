/**
 * `npm run bench:monitor -- [--json] [--backend NAME] [--steps N] [--repeats N] [--every N]`: the
 * confusion monitor's overhead on training (bench/monitor.ts), ratios from one run.
 */
import { initBackend } from '../src/backend/index.ts';
import { runMonitorBench } from './monitor.ts';

const args = process.argv.slice(2);
const opt = (name: string): number | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) { process.stderr.write(`gradconf: ${name} must be a positive integer (got "${args[i + 1]}")\n`); process.exit(2); }
  return v;
};
const bi = args.indexOf('--backend');
const backend = await initBackend(bi >= 0 ? args[bi + 1] : undefined);
const rows = await runMonitorBench({ steps: opt('--steps'), repeats: opt('--repeats'), every: opt('--every'), progress: (m) => process.stderr.write(`${m}\n`) });
if (args.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ backend, results: rows }, null, 2)}\n`);
} else {
  process.stdout.write(`config          every  probe          probes  plain ms/step  monitored ms/step  ratio  from probe cost  probe ms  probe/step  same weights  (backend ${backend})\n`);
  for (const r of rows) {
    process.stdout.write(`${r.config.padEnd(15)} ${String(r.every).padStart(5)}  ${r.probe.padEnd(13)} ${String(r.probesPerRun).padStart(6)}  ${r.plainMsPerStep.toFixed(1).padStart(13)}  ${r.monitoredMsPerStep.toFixed(1).padStart(17)}  ${r.ratio.toFixed(3).padStart(5)}  ${r.ratioFromProbeCost.toFixed(3).padStart(15)}  ${r.probeMs.toFixed(0).padStart(8)}  ${r.probeInSteps.toFixed(1).padStart(10)}  ${String(r.sameWeights).padStart(12)}\n`);
  }
}
