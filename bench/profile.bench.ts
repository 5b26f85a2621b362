/**
 * `npx tsx bench/profile.bench.ts [--config mlp,cnn] [--backend NAME] [--top N]`: where the probe's
 * and plain's time goes — one tf.profile run of each after a warm-up (bench/peers.ts profileOf),
 * kernel times by kernel name and by kernel + shapes, and the peak tensor bytes.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend/index.ts';
import { BENCH_CONFIGS } from './probe.ts';
import { preset, type PresetName } from '../models/presets.ts';
import { initWeights } from '../models/init.ts';
import { buildModel } from '../models/build.ts';
import { randomData } from '../models/arbitraries.ts';
import { computeGram } from '../src/probe/gram.ts';
import { batchGradients } from '../src/probe/plain.ts';
import { profileOf } from './peers.ts';
import { benchArgs, fail } from './args.ts';

const a = benchArgs(process.argv.slice(2));
const backend = await initBackend(a.str('--backend'));
const top = a.int('--top') ?? 10;
for (const name of a.list('--config') ?? ['mlp', 'cnn']) {
  const c = BENCH_CONFIGS.find((b) => b.config === name && 'preset' in b);
  if (!c || !('preset' in c)) fail(`unknown preset config "${name}"`);
  const spec = preset(c.preset as PresetName);
  const model = buildModel(spec, initWeights(spec, { init: 'he', seed: 0 }));
  const d = randomData(spec, c.batch, 0);
  const x = tf.tensor(d.x, d.xShape);
  const y = tf.tensor2d(d.y, d.yShape as [number, number]);
  const tasks = { probe: () => { computeGram(model, x, y); }, plain: () => { tf.dispose(batchGradients(model, x, y)); } };
  for (const [task, f] of Object.entries(tasks)) {
    f();
    const p = await profileOf(f, top);
    process.stdout.write(`${name} ${task} (B=${c.batch}, ${backend}): ${p.totalKernelMs.toFixed(1)} ms in kernels, peak ${(p.peakBytes / 2 ** 20).toFixed(1)} MiB\n`);
    for (const k of p.byShape) process.stdout.write(`  ${k.ms.toFixed(1).padStart(8)} ms ×${String(k.calls).padEnd(3)} ${k.kernel}\n`);
  }
  model.dispose();
  tf.dispose([x, y]);
}
