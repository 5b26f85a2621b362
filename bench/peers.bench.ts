/**
 * `npm run bench:peers -- [--config mlp,cnn] [--backend NAME] [--time MS] [--reference-iterations N]
 * [--jax-reps N] [--matmul N] [--out FILE] [--json]`: the probe next to jax-js and next to the
 * backend's matMul rate (bench/peers.ts), in one run. `--out` also writes the JSON document.
 */
import { writeFileSync } from 'node:fs';
import { initBackend } from '../src/backend/index.ts';
import { BENCH_CONFIGS } from './probe.ts';
import { peerTable, runPeerBench } from './peers.ts';
import { benchArgs, fail } from './args.ts';

const a = benchArgs(process.argv.slice(2));
const names = a.list('--config') ?? ['mlp', 'cnn'];
for (const n of names) if (!BENCH_CONFIGS.some((c) => c.config === n && 'preset' in c)) fail(`unknown bench config "${n}"; known: ${BENCH_CONFIGS.filter((c) => 'preset' in c).map((c) => c.config).join(', ')}`);
await initBackend(a.str('--backend'));
const started = new Date().toISOString();
const r = await runPeerBench(names, {
  timeMs: a.int('--time'), referenceIterations: a.int('--reference-iterations'), jaxReps: a.int('--jax-reps'), matmulN: a.int('--matmul'),
  progress: (m) => process.stderr.write(`${m}\n`),
});
const doc = { command: `npm run bench:peers -- ${process.argv.slice(2).join(' ')}`.trim(), started, finished: new Date().toISOString(), ...r };
const out = a.str('--out');
if (out) writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
process.stdout.write(a.has('--json') ? `${JSON.stringify(doc, null, 2)}\n` : `${peerTable(r)}\n`);
