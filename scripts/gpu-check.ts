/**
 * The device check for the GPU route (issue "GPU route: WebGPU (Dawn) backend verified on a real
 * GPU"). Bundled by scripts/gpu-prepare.sh into .gpu/gpu-check.mjs and run by scripts/gpu-check.sh
 * on the lent GPU machine. Writes JSON to $OUT (or --out):
 *   parity.json  (a) probe parity webgpu vs cpu on three models: max relative error of the Gram
 *   bench.json   (b) the probe benchmark on webgpu at B = 128 and 256, and the same on the CPU
 *                    (wasm) of the same machine, ratios measured in the same run
 *   sweep.jsonl  (c) a --scale paper width sweep for 2 epochs on MNIST, with timings (sweep.log)
 * Each part is independent: a failure is recorded in summary.json and the next part still runs.
 * Usage: node gpu-check.mjs [--out DIR] [--parts parity,bench,sweep] [--backend webgpu]
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Bundled statically (the backend module's dynamic import cannot be bundled); referencing an
// export keeps esbuild from dropping the import as side-effect free.
import * as webgpuBackend from '@tensorflow/tfjs-backend-webgpu';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, provideWebgpuModule, unavailableReason } from '../src/backend/index.ts';
import { preset } from '../models/presets.ts';
import { initWeights } from '../models/init.ts';
import { buildModel } from '../models/build.ts';
import { randomData } from '../models/arbitraries.ts';
import { computeGram } from '../src/probe/gram.ts';
import { relErr } from '../src/probe/instances.ts';
import { runBench } from '../bench/probe.ts';
import { main } from '../src/cli/main.ts';

const here = dirname(fileURLToPath(import.meta.url));
// In the bundle, the wasm binaries sit next to gpu-check.mjs (gpu-prepare.sh copies them).
setWasmPaths(`${here}/`);

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1]! : dflt; };
const out = opt('out', process.env.OUT ?? 'out/gpu-check');
const parts = opt('parts', 'parity,bench,sweep').split(',');
const gpu = opt('backend', 'webgpu');
mkdirSync(out, { recursive: true });
const summary: Record<string, unknown> = { started: new Date().toISOString(), gpuBackend: gpu, node: process.version };
const save = () => writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
const log = (m: string) => process.stderr.write(`[gpu-check ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

async function part(name: string, f: () => Promise<unknown>): Promise<void> {
  if (!parts.includes(name)) return;
  const t0 = performance.now();
  log(`${name}…`);
  try {
    summary[name] = { ok: true, seconds: (performance.now() - t0) / 1000, result: await f() };
    (summary[name] as { seconds: number }).seconds = (performance.now() - t0) / 1000;
  } catch (e) {
    summary[name] = { ok: false, error: String((e as Error).message ?? e).split('\n')[0], seconds: (performance.now() - t0) / 1000 };
  }
  log(`${name}: ${JSON.stringify(summary[name]).slice(0, 300)}`);
  save();
}

provideWebgpuModule(webgpuBackend as Parameters<typeof provideWebgpuModule>[0]);
summary.webgpuUnavailable = await unavailableReason('webgpu') ?? null;
save();

await part('parity', async () => {
  const rows = [];
  for (const [name, batch] of [['mlp', 32], ['cnn', 16], ['resnet', 16]] as const) {
    const spec = preset(name);
    const weights = initWeights(spec, { init: 'he', seed: 1 });
    const d = randomData(spec, batch, 2);
    const gram = async (backend: string) => {
      await initBackend(backend);
      const model = buildModel(spec, weights);
      const x = tf.tensor(d.x, d.xShape);
      const y = tf.tensor2d(d.y, d.yShape as [number, number]);
      try { return computeGram(model, x, y).gram; } finally { model.dispose(); tf.dispose([x, y]); }
    };
    const ref = await gram('cpu');
    const got = await gram(gpu);
    rows.push({ model: name, batch, backend: gpu, maxRelErrGram: relErr(got, ref) });
  }
  writeFileSync(join(out, 'parity.json'), `${JSON.stringify(rows, null, 1)}\n`);
  return rows;
});

await part('bench', async () => {
  const configs = [128, 256].flatMap((batch) => [{ config: `mlp-B${batch}`, preset: 'mlp' as const, batch }, { config: `cnn-B${batch}`, preset: 'cnn' as const, batch }]);
  const res: Record<string, unknown> = {};
  for (const backend of [gpu, 'wasm']) {
    await initBackend(backend);
    res[backend] = await runBench(backend === gpu ? configs : configs.filter((c) => c.batch === 128), { timeMs: 1500, progress: log });
  }
  writeFileSync(join(out, 'bench.json'), `${JSON.stringify(res, null, 1)}\n`);
  return res;
});

await part('sweep', async () => {
  const dir = join(out, 'sweep');
  const t0 = performance.now();
  // In this process (--workers 0): one GPU, and the bundle carries no worker-thread entry file.
  const code = await main(['sweep', 'width', '--dataset', 'mnist', '--scale', 'paper', '--epochs', '2', '--seeds', '1', '--backend', gpu, '--workers', '0', '--out', dir, '--json']);
  return { exitCode: code, seconds: (performance.now() - t0) / 1000, dir };
});

summary.finished = new Date().toISOString();
save();
process.exit(0);
