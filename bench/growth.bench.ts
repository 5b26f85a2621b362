/**
 * `npm run bench:growth -- [--config mlp,cnn] [--batches 16,…,1024] [--mlp-widths …] [--cnn-widths …]
 * [--reps N] [--backend NAME] [--out FILE.json] [--svg FILE.svg] [--md FILE.md]`: cost growth against B
 * and width (bench/growth.ts); prints the tables; writes the JSON, the SVG plot and the tables.
 */
import { writeFileSync } from 'node:fs';
import { initBackend } from '../src/backend/index.ts';
import { growthSvg, growthTables, runGrowth, type GrowthFailure } from './growth.ts';
import { benchArgs, fail } from './args.ts';

const a = benchArgs(process.argv.slice(2));
const ints = (name: string): number[] | undefined => {
  const l = a.list(name);
  if (!l) return undefined;
  return l.map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 1) fail(`${name} must be positive integers (got "${s}")`);
    return v;
  });
};
const configs = a.list('--config') ?? ['mlp', 'cnn'];
for (const c of configs) if (c !== 'mlp' && c !== 'cnn') fail(`--config: growth runs mlp and cnn (got "${c}")`);
const backend = await initBackend(a.str('--backend'));
const started = new Date().toISOString();
const failures: GrowthFailure[] = [];
const points = await runGrowth({
  failures,
  configs: configs as ('mlp' | 'cnn')[], batches: ints('--batches'), reps: a.int('--reps'),
  widths: { ...(ints('--mlp-widths') ? { mlp: ints('--mlp-widths') } : {}), ...(ints('--cnn-widths') ? { cnn: ints('--cnn-widths') } : {}) },
  progress: (m) => process.stderr.write(`${m}\n`),
});
const command = `npm run bench:growth -- ${process.argv.slice(2).join(' ')}`.trim();
const tables = growthTables(points);
const out = a.str('--out');
if (out) writeFileSync(out, `${JSON.stringify({ command, started, finished: new Date().toISOString(), backend, points, ...(failures.length ? { failures } : {}) }, null, 2)}\n`);
const svg = a.str('--svg');
if (svg) writeFileSync(svg, await growthSvg(points, `probe and plain cost against B and width (${backend}; ${command.replace(/ --(out|svg|md) \S+/g, '')})`));
const md = a.str('--md');
if (md) writeFileSync(md, `${tables}\n${failures.map((f) => `\nfailed: ${f.config} ${f.sweep} B=${f.batch} width=${f.width}: ${f.error}`).join('')}\n`);
const failed = failures.map((f) => `failed: ${f.config} ${f.sweep} B=${f.batch} width=${f.width}: ${f.error}`).join('\n');
process.stdout.write(`backend ${backend}\n${tables}\n${failed}${failed ? '\n' : ''}`);
