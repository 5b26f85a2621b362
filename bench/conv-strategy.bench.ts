/**
 * `npm run bench:conv -- [--config cnn,resnet] [--reps N] [--slow-factor F] [--skip-slow] [--backend NAME] [--out FILE]`:
 * ghost vs materialized vs auto on every conv layer (bench/conv-strategy.ts); batch sizes as the
 * probe bench (cnn 64, resnet 32; `--batch N` overrides for all).
 */
import { writeFileSync } from 'node:fs';
import { initBackend } from '../src/backend/index.ts';
import { BENCH_CONFIGS } from './probe.ts';
import { convTable, runConvStrategy } from './conv-strategy.ts';
import type { PresetName } from '../models/presets.ts';
import { benchArgs, fail } from './args.ts';

const a = benchArgs(process.argv.slice(2));
const names = a.list('--config') ?? ['cnn', 'resnet'];
const batch = a.int('--batch');
const configs = names.map((n) => {
  const c = BENCH_CONFIGS.find((b) => b.config === n && 'preset' in b);
  if (!c || !('preset' in c)) fail(`unknown preset config "${n}"`);
  return { config: c.preset as PresetName, batch: batch ?? c.batch };
});
const sf = a.str('--slow-factor');
const slowFactor = sf === undefined ? undefined : Number(sf);
if (slowFactor !== undefined && !(slowFactor > 0)) fail(`--slow-factor must be a positive number (got "${sf}")`);
const backend = await initBackend(a.str('--backend'));
const started = new Date().toISOString();
const rows = await runConvStrategy(configs, { reps: a.int('--reps'), slowFactor, skipSlow: a.has('--skip-slow'), progress: (m) => process.stderr.write(`${m}\n`) });
const command = `npm run bench:conv -- ${process.argv.slice(2).join(' ')}`.trim();
const out = a.str('--out');
if (out) writeFileSync(out, `${JSON.stringify({ command, started, finished: new Date().toISOString(), backend, rows }, null, 2)}\n`);
process.stdout.write(`backend ${backend}\n${convTable(rows)}\n`);
