/**
 * The probe against its peer and against the machine's limit (issue 16), in ONE run per
 * configuration (mlp B = 128, cnn B = 64 by default):
 *
 * - gradconf's tasks as bench/probe.ts runs them: plain (batched gradient), probe (Gram),
 *   reference (per-example loop), stock (tfjs's own dense gradients);
 * - the peer, jax-js (bench/peer-jax.ts): jaxGram = jit(vmap(grad)) per-example gradients and
 *   their Gram, jaxPlain = its batched gradient; ratios probe/jaxGram and plain/jaxPlain;
 * - the limit: multiply-adds counted from the shapes (bench/counts.ts) over the median time =
 *   the achieved rate, next to the backend's own dense matMul rate measured in the same run (an
 *   N×N·N×N tf.matMul, N = 1024, before and after the configurations; the better of the two), and
 *   the op-count floor of probe/plain beside the measured ratio;
 * - where the time goes: one tf.profile run of probe and of plain (kernel times summed by kernel
 *   name, peak tensor bytes). Profiling forces every kernel's output (wasm is synchronous, so the
 *   per-kernel times are real), and it is a separate run from the timed ones.
 *
 * Timing: tinybench medians for gradconf's tasks (bench/probe.ts), hand-timed medians for jax-js
 * (one untimed warm-up call compiles the jit, then `jaxReps` calls) and the matMul.
 */
import * as tf from '@tensorflow/tfjs';
import { BENCH_CONFIGS, runBench, type BenchRow } from './probe.ts';
import { preset, type PresetName } from '../models/presets.ts';
import { initWeights } from '../models/init.ts';
import { buildModel } from '../models/build.ts';
import { randomData } from '../models/arbitraries.ts';
import { computeGram } from '../src/probe/gram.ts';
import { batchGradients } from '../src/probe/plain.ts';
import { countModel, layerShapes, type ModelCount } from './counts.ts';
import { jaxPeer, startJax } from './peer-jax.ts';

export interface KernelShare { kernel: string; ms: number; calls: number }
export interface Profile {
  /** Sum of kernel times, wrappers excluded (see profileOf). */
  totalKernelMs: number; peakBytes: number;
  /** By kernel name, slowest first. */
  kernels: KernelShare[];
  /** By kernel name and shapes ("BatchMatMul [128,784]·[784,128] → [128,128]"), slowest first. */
  byShape: KernelShare[];
}

export interface PeerRow extends BenchRow {
  /** jax-js per-example Gram (vmap(grad) + Gram, jit) and batched gradient; null with `jaxError` when it could not run. */
  jaxGramMs: number | null; jaxPlainMs: number | null; jaxError?: string;
  probeOverJaxGram: number | null; plainOverJaxPlain: number | null;
  /** Multiply-adds counted from the shapes (bench/counts.ts). */
  macs: { probe: number; plain: number; forward: number; inputGrad: number; weightGrad: number; gram: number };
  /** probe/plain by the counts (forms as the counts pick them; full products), and with symmetric Grams. */
  floor: number; floorSymmetric: number;
  /** Achieved multiply-adds per second (×1e9). */
  probeGmacs: number; plainGmacs: number;
  /** probeGmacs / the backend's matMul rate. */
  probeFractionOfMatmul: number; plainFractionOfMatmul: number;
  profile: { probe: Profile; plain: Profile };
}

export interface PeerBench {
  backend: string;
  matmul: { n: number; gmacs: number; msBefore: number; msAfter: number };
  rows: PeerRow[];
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median ms of a large square tf.matMul (N×N times N×N) on the active backend, result forced. */
export function matmulMs(n: number, reps: number): number {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  try {
    tf.matMul(a, b).dispose(); // warm-up
    const ts: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      ts.push(performance.now() - t0);
      c.dispose();
    }
    return medianOf(ts);
  } finally {
    tf.dispose([a, b]);
  }
}

/**
 * Kernel times summed by kernel name and by name + shapes (top `top`), and the peak tensor bytes,
 * of one call of `f`. tf.customGrad functions appear as a kernel named "forward" whose time
 * includes the kernels they run (the wasm dense matMul, the probe's δ hooks): they are left out
 * so that nothing is counted twice.
 */
export async function profileOf(f: () => void, top = 8): Promise<Profile> {
  const info = await tf.profile(f);
  const by = new Map<string, KernelShare>();
  const byShape = new Map<string, KernelShare>();
  const add = (m: Map<string, KernelShare>, key: string, ms: number) => {
    const e = m.get(key) ?? { kernel: key, ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    m.set(key, e);
  };
  for (const k of info.kernels) {
    if (k.name === 'forward') continue;
    const ms = Number(k.kernelTimeMs);
    add(by, k.name, ms);
    const shapes = `${k.inputShapes.map((s) => JSON.stringify(s)).join('·')} → ${k.outputShapes.map((s) => JSON.stringify(s)).join(',')}`;
    add(byShape, `${k.name} ${shapes}`, ms);
  }
  const sorted = (m: Map<string, KernelShare>) => [...m.values()].sort((a, b) => b.ms - a.ms);
  const round = (k: KernelShare) => ({ ...k, ms: Math.round(k.ms * 10) / 10 });
  const kernels = sorted(by);
  return {
    totalKernelMs: kernels.reduce((a, k) => a + k.ms, 0), peakBytes: info.peakBytes,
    kernels: kernels.slice(0, top).map(round), byShape: sorted(byShape).slice(0, 2 * top).map(round),
  };
}

async function timeAsync(f: () => Promise<unknown>, reps: number): Promise<number> {
  await f(); // warm-up: jit compile
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return medianOf(ts);
}

export interface PeerOptions {
  timeMs?: number; seed?: number; referenceIterations?: number; jaxReps?: number; matmulN?: number;
  progress?: (msg: string) => void;
}

/** Run the peer/limit benchmark on the active backend for configurations by name (presets mlp, cnn, …). */
export async function runPeerBench(names: string[], opts: PeerOptions = {}): Promise<PeerBench> {
  const seed = opts.seed ?? 0;
  const n = opts.matmulN ?? 1024;
  opts.progress?.(`matMul ${n}×${n} on ${tf.getBackend()}…`);
  const msBefore = matmulMs(n, 7);
  await startJax();
  const partial: Omit<PeerRow, 'probeFractionOfMatmul' | 'plainFractionOfMatmul'>[] = [];
  for (const name of names) {
    const c = BENCH_CONFIGS.find((b) => b.config === name);
    if (!c || !('preset' in c)) throw new Error(`peer bench: unknown preset configuration "${name}"`);
    const [row] = await runBench([c], { timeMs: opts.timeMs, seed, referenceIterations: opts.referenceIterations, progress: opts.progress });
    const spec = preset(c.preset as PresetName);
    const w = initWeights(spec, { init: 'he', seed });
    const d = randomData(spec, c.batch, seed);
    // The profile: same model, weights and data as runBench's.
    const model = buildModel(spec, w);
    const x = tf.tensor(d.x, d.xShape);
    const y = tf.tensor2d(d.y, d.yShape as [number, number]);
    opts.progress?.(`profile ${name}…`);
    const profile = { probe: await profileOf(() => { computeGram(model, x, y); }), plain: await profileOf(() => { tf.dispose(batchGradients(model, x, y)); }) };
    model.dispose();
    tf.dispose([x, y]);
    let jaxGramMs: number | null = null;
    let jaxPlainMs: number | null = null;
    let jaxError: string | undefined;
    try {
      const peer = jaxPeer(spec, w);
      const reps = opts.jaxReps ?? 3;
      opts.progress?.(`jax-js ${name} (B=${c.batch}): plain…`);
      jaxPlainMs = await timeAsync(() => peer.plain(d.x, d.xShape, d.y, d.yShape), reps);
      opts.progress?.(`jax-js ${name} (B=${c.batch}): vmap(grad) Gram…`);
      jaxGramMs = await timeAsync(() => peer.gram(d.x, d.xShape, d.y, d.yShape), reps);
      peer.dispose();
    } catch (e) {
      jaxError = (e as Error).message;
    }
    const counts: ModelCount = countModel(layerShapes(spec), c.batch);
    const symForms = Object.fromEntries(counts.layers.map((l) => [l.name, l.form]));
    const symFloor = countModel(layerShapes(spec), c.batch, { symmetric: true, forms: symForms }).floor;
    partial.push({
      ...row!,
      jaxGramMs, jaxPlainMs, ...(jaxError ? { jaxError } : {}),
      probeOverJaxGram: jaxGramMs === null ? null : row!.probeMs / jaxGramMs,
      plainOverJaxPlain: jaxPlainMs === null ? null : row!.plainMs / jaxPlainMs,
      macs: { probe: counts.probe, plain: counts.plain, forward: counts.forward, inputGrad: counts.inputGrad, weightGrad: counts.weightGrad, gram: counts.gram },
      floor: counts.floor, floorSymmetric: symFloor,
      probeGmacs: counts.probe / row!.probeMs / 1e6, plainGmacs: counts.plain / row!.plainMs / 1e6,
      profile,
    });
  }
  opts.progress?.(`matMul ${n}×${n} again…`);
  const msAfter = matmulMs(n, 7);
  const gmacs = (n * n * n) / Math.min(msBefore, msAfter) / 1e6;
  return {
    backend: tf.getBackend(),
    matmul: { n, gmacs, msBefore, msAfter },
    rows: partial.map((r) => ({ ...r, probeFractionOfMatmul: r.probeGmacs / gmacs, plainFractionOfMatmul: r.plainGmacs / gmacs })),
  };
}

const f = (v: number | null, d = 2) => (v === null ? '–' : v.toFixed(d));

/** The human-readable table. */
export function peerTable(r: PeerBench): string {
  const lines = [
    `backend ${r.backend}; dense matMul ${r.matmul.n}×${r.matmul.n}: ${r.matmul.gmacs.toFixed(2)} GMAC/s (${r.matmul.msBefore.toFixed(1)} ms before, ${r.matmul.msAfter.toFixed(1)} ms after)`,
    'config B   plain ms  probe ms  reference ms  stock ms  jaxPlain ms  jaxGram ms  probe/plain  floor (sym)  ref/probe  probe/jaxGram  plain/jaxPlain  probe GMAC/s  of matMul  plain GMAC/s  of matMul',
  ];
  for (const x of r.rows) {
    lines.push([
      x.config.padEnd(6), String(x.batch).padEnd(3), x.plainMs.toFixed(1).padStart(8), x.probeMs.toFixed(1).padStart(9), x.referenceMs.toFixed(0).padStart(13),
      f(x.stockMs, 1).padStart(9), f(x.jaxPlainMs, 1).padStart(12), f(x.jaxGramMs, 0).padStart(11), x.probeOverPlain.toFixed(2).padStart(12),
      `${x.floor.toFixed(2)} (${x.floorSymmetric.toFixed(2)})`.padStart(12), x.referenceOverProbe.toFixed(1).padStart(10), f(x.probeOverJaxGram, 4).padStart(14),
      f(x.plainOverJaxPlain).padStart(15), x.probeGmacs.toFixed(2).padStart(13), x.probeFractionOfMatmul.toFixed(2).padStart(10), x.plainGmacs.toFixed(2).padStart(13), x.plainFractionOfMatmul.toFixed(2).padStart(10),
    ].join(' '));
    if (x.jaxError) lines.push(`  jax-js: ${x.jaxError}`);
  }
  for (const x of r.rows) {
    for (const k of ['probe', 'plain'] as const) {
      const p = x.profile[k];
      lines.push(`profile ${x.config} ${k}: ${p.totalKernelMs.toFixed(1)} ms in kernels, peak ${(p.peakBytes / 2 ** 20).toFixed(1)} MiB; ${p.kernels.map((q) => `${q.kernel} ${q.ms.toFixed(1)} ms ×${q.calls}`).join(', ')}`);
    }
  }
  return lines.join('\n');
}
