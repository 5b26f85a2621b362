/**
 * Cost growth of the probe (issue 16): time and peak tensor memory of probe and plain against the
 * batch size B (16 … 1024, width fixed) and against the width (B fixed), for the mlp and cnn
 * presets, on the active backend.
 *
 * Why B² shows: plain costs O(B) (every product has one factor B), while every Gram form has a
 * B² term — the ghost form's A Aᵀ and D Dᵀ (B²·(in + out) per dense layer), the materialized
 * form's S Sᵀ (B²·|W|) — so the probe's time per example grows with B where plain's stays flat.
 * Each point also carries the multiply-adds counted from the shapes (bench/counts.ts), split into
 * the part linear in B and the Gram's B² part, and `fitQuadratic` fits t(B) = t0 + a·B + c·B² to the
 * measured times (least squares, weighted by 1/t² so every point counts alike in relative terms).
 *
 * Width variants: mlp = 784 → w ×4 tanh → 10; cnn = conv 3×3 × w → conv 3×3 × 2w stride 2 →
 * dense 128 → 10 (the presets are w = 512 and w = 32).
 *
 * Timing and memory: one tf.profile call of each (peak bytes of live tensors, the inputs and
 * weights included), which is also the warm-up, then `reps` alternating probe/plain calls, medians.
 */
import * as tf from '@tensorflow/tfjs';
import { preset } from '../models/presets.ts';
import { validateSpec, type ModelSpec } from '../models/spec.ts';
import { initWeights } from '../models/init.ts';
import { buildModel } from '../models/build.ts';
import { randomData } from '../models/arbitraries.ts';
import { computeGram } from '../src/probe/gram.ts';
import { batchGradients } from '../src/probe/plain.ts';
import { countModel, layerShapes } from './counts.ts';
import { renderSvg, type VegaLiteSpec } from '../src/report/vega.ts';

export interface GrowthPoint {
  sweep: 'batch' | 'width'; config: 'mlp' | 'cnn'; batch: number; width: number;
  probeMs: number; plainMs: number; probeOverPlain: number;
  probePeakBytes: number; plainPeakBytes: number;
  /** Counted multiply-adds: probe total, its Gram's B² part, plain total. */
  probeMacs: number; probeGramQuadraticMacs: number; plainMacs: number;
  reps: number;
}

export interface GrowthFailure { sweep: 'batch' | 'width'; config: 'mlp' | 'cnn'; batch: number; width: number; error: string }

export const DEFAULT_BATCHES = [16, 32, 64, 128, 256, 512, 1024];
export const DEFAULT_WIDTHS: Record<'mlp' | 'cnn', number[]> = { mlp: [128, 256, 512, 1024, 2048], cnn: [8, 16, 32, 64] };
/** Batch sizes of the width sweeps (the bench's). */
export const WIDTH_BATCH: Record<'mlp' | 'cnn', number> = { mlp: 128, cnn: 64 };

/** The mlp or cnn preset with width w (module comment). */
export function widthSpec(config: 'mlp' | 'cnn', w: number): ModelSpec {
  const s = preset(config);
  if (config === 'mlp') {
    for (const l of s.layers.slice(0, 4)) if (l.type === 'dense') l.units = w;
  } else {
    const [c1, c2] = s.layers as [{ type: string; filters: number }, { type: string; filters: number }];
    c1.filters = w;
    c2.filters = 2 * w;
  }
  return validateSpec(s);
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One point: time and peak memory of probe and plain for a spec at batch b. */
export async function measurePoint(spec: ModelSpec, b: number, reps: number, seed = 0): Promise<Pick<GrowthPoint, 'probeMs' | 'plainMs' | 'probePeakBytes' | 'plainPeakBytes' | 'reps'>> {
  const model = buildModel(spec, initWeights(spec, { init: 'he', seed }));
  const d = randomData(spec, b, seed);
  const x = tf.tensor(d.x, d.xShape);
  const y = tf.tensor2d(d.y, d.yShape as [number, number]);
  try {
    const probe = () => { computeGram(model, x, y); };
    const plain = () => { const g = batchGradients(model, x, y); g[g.length - 1]!.dataSync(); tf.dispose(g); };
    // The profiled calls (peak bytes) double as the warm-up.
    const probePeakBytes = (await tf.profile(probe)).peakBytes;
    const plainPeakBytes = (await tf.profile(plain)).peakBytes;
    const tp: number[] = [];
    const tq: number[] = [];
    for (let r = 0; r < reps; r++) {
      let t0 = performance.now();
      probe();
      tp.push(performance.now() - t0);
      t0 = performance.now();
      plain();
      tq.push(performance.now() - t0);
    }
    return { probeMs: medianOf(tp), plainMs: medianOf(tq), probePeakBytes, plainPeakBytes, reps };
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
}

export interface GrowthOptions {
  configs?: ('mlp' | 'cnn')[]; batches?: number[]; widths?: Partial<Record<'mlp' | 'cnn', number[]>>; reps?: number;
  progress?: (msg: string) => void;
  /** Points that threw (with the message); they are left out of the result. */
  failures?: GrowthFailure[];
}

export async function runGrowth(opts: GrowthOptions = {}): Promise<GrowthPoint[]> {
  const out: GrowthPoint[] = [];
  const reps = opts.reps ?? 3;
  for (const config of opts.configs ?? ['mlp', 'cnn'] as const) {
    const base = config === 'mlp' ? 512 : 32;
    const jobs: { sweep: 'batch' | 'width'; b: number; w: number }[] = [
      ...(opts.batches ?? DEFAULT_BATCHES).map((b) => ({ sweep: 'batch' as const, b, w: base })),
      ...(opts.widths?.[config] ?? DEFAULT_WIDTHS[config]).map((w) => ({ sweep: 'width' as const, b: WIDTH_BATCH[config], w })),
    ];
    for (const j of jobs) {
      const spec = widthSpec(config, j.w);
      opts.progress?.(`growth ${config} ${j.sweep}: B=${j.b} width=${j.w}…`);
      let m: Awaited<ReturnType<typeof measurePoint>>;
      try {
        m = await measurePoint(spec, j.b, reps);
      } catch (e) {
        // e.g. the wasm heap exhausted at the largest B: recorded, and the sweep goes on.
        opts.failures?.push({ sweep: j.sweep, config, batch: j.b, width: j.w, error: (e as Error).message });
        opts.progress?.(`  failed: ${(e as Error).message}`);
        continue;
      }
      const c = countModel(layerShapes(spec), j.b);
      out.push({ sweep: j.sweep, config, batch: j.b, width: j.w, ...m, probeOverPlain: m.probeMs / m.plainMs, probeMacs: c.probe, probeGramQuadraticMacs: c.gramQuadratic, plainMacs: c.plain });
    }
  }
  return out;
}

/**
 * Least-squares fit of t = t0 + a·n + c·n² to (n, t) pairs, each residual relative (divided by
 * t, so that small and large n count alike); returns t0, a, c and the share c·n²/t(n) of the
 * quadratic term at the largest n. Needs at least three distinct n.
 */
export function fitQuadratic(pts: { n: number; t: number }[]): { t0: number; a: number; c: number; quadraticShareAtMax: number } {
  // Normal equations of the design rows [1/t, n/t, n²/t] against 1.
  const m = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const r = [0, 0, 0];
  for (const { n, t } of pts) {
    const row = [1 / t, n / t, (n * n) / t];
    for (let i = 0; i < 3; i++) {
      r[i]! += row[i]!;
      for (let j = 0; j < 3; j++) m[i]![j]! += row[i]! * row[j]!;
    }
  }
  const [t0, a, c] = solve3(m, r);
  const nMax = Math.max(...pts.map((p) => p.n));
  return { t0, a, c, quadraticShareAtMax: (c * nMax * nMax) / (t0 + a * nMax + c * nMax * nMax) };
}

/** Gaussian elimination with partial pivoting for a 3×3 system. */
function solve3(m: number[][], r: number[]): [number, number, number] {
  const a = m.map((row, i) => [...row, r[i]!]);
  for (let k = 0; k < 3; k++) {
    let p = k;
    for (let i = k + 1; i < 3; i++) if (Math.abs(a[i]![k]!) > Math.abs(a[p]![k]!)) p = i;
    [a[k], a[p]] = [a[p]!, a[k]!];
    if (a[k]![k] === 0) throw new Error('fitQuadratic: singular system (need three distinct n)');
    for (let i = k + 1; i < 3; i++) {
      const f = a[i]![k]! / a[k]![k]!;
      for (let j = k; j < 4; j++) a[i]![j]! -= f * a[k]![j]!;
    }
  }
  const x = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = a[i]![3]!;
    for (let j = i + 1; j < 3; j++) s -= a[i]![j]! * x[j]!;
    x[i] = s / a[i]![i]!;
  }
  return x as [number, number, number];
}

/** Markdown tables of the sweeps. */
export function growthTables(pts: GrowthPoint[]): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const lines: string[] = [];
  for (const sweep of ['batch', 'width'] as const) {
    lines.push('', sweep === 'batch' ? '| config | B | probe ms | plain ms | probe/plain | probe ms/example | plain ms/example | probe peak MiB | plain peak MiB | probe MMAC | of which Gram B² | plain MMAC |' : '| config | width | B | probe ms | plain ms | probe/plain | probe peak MiB | plain peak MiB | probe MMAC | of which Gram B² | plain MMAC |');
    lines.push(sweep === 'batch' ? '|---|---|---|---|---|---|---|---|---|---|---|---|' : '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const p of pts.filter((q) => q.sweep === sweep)) {
      const macs = `${(p.probeMacs / 1e6).toFixed(0)} | ${(p.probeGramQuadraticMacs / 1e6).toFixed(0)} | ${(p.plainMacs / 1e6).toFixed(0)}`;
      lines.push(sweep === 'batch'
        ? `| ${p.config} | ${p.batch} | ${p.probeMs.toFixed(1)} | ${p.plainMs.toFixed(1)} | ${p.probeOverPlain.toFixed(2)} | ${(p.probeMs / p.batch).toFixed(3)} | ${(p.plainMs / p.batch).toFixed(3)} | ${mib(p.probePeakBytes)} | ${mib(p.plainPeakBytes)} | ${macs} |`
        : `| ${p.config} | ${p.width} | ${p.batch} | ${p.probeMs.toFixed(1)} | ${p.plainMs.toFixed(1)} | ${p.probeOverPlain.toFixed(2)} | ${mib(p.probePeakBytes)} | ${mib(p.plainPeakBytes)} | ${macs} |`);
    }
  }
  for (const config of ['mlp', 'cnn'] as const) {
    const b = pts.filter((p) => p.sweep === 'batch' && p.config === config);
    if (b.length < 3) continue;
    const fp = fitQuadratic(b.map((p) => ({ n: p.batch, t: p.probeMs })));
    const fq = fitQuadratic(b.map((p) => ({ n: p.batch, t: p.plainMs })));
    const big = b[b.length - 1]!;
    lines.push('', `${config}: fit t = t0 + a·B + c·B² — probe t0 = ${fp.t0.toFixed(1)} ms, a = ${fp.a.toFixed(3)} ms, c = ${fp.c.toExponential(2)} ms, B² share at B = ${big.batch}: ${(100 * fp.quadraticShareAtMax).toFixed(0)}% (counted: ${(100 * big.probeGramQuadraticMacs / big.probeMacs).toFixed(0)}% of the probe's MACs); plain t0 = ${fq.t0.toFixed(1)} ms, a = ${fq.a.toFixed(3)} ms, c = ${fq.c.toExponential(2)} ms, B² share ${(100 * fq.quadraticShareAtMax).toFixed(0)}% (counted: 0%).`);
  }
  return lines.join('\n');
}

/** The vega-lite figure: ms per example and peak MiB against B, ms against width; probe and plain, one column per config. */
export function growthFigure(pts: GrowthPoint[], title: string): VegaLiteSpec {
  const rows = pts.flatMap((p) => (['probe', 'plain'] as const).map((task) => ({
    sweep: p.sweep, config: p.config, B: p.batch, width: p.width, task,
    ms: task === 'probe' ? p.probeMs : p.plainMs,
    msPerExample: (task === 'probe' ? p.probeMs : p.plainMs) / p.batch,
    peakMiB: (task === 'probe' ? p.probePeakBytes : p.plainPeakBytes) / 2 ** 20,
  })));
  const panel = (sweep: 'batch' | 'width', x: string, xTitle: string, y: string, yTitle: string) => ({
    data: { values: rows.filter((r) => r.sweep === sweep) },
    facet: { column: { field: 'config', type: 'nominal' as const, title: null } },
    resolve: { scale: { x: 'independent' as const, y: 'independent' as const } },
    spec: {
      width: 260, height: 170,
      mark: { type: 'line' as const, point: true },
      encoding: {
        x: { field: x, type: 'quantitative' as const, scale: { type: 'log' as const, base: 2 }, title: xTitle },
        y: { field: y, type: 'quantitative' as const, scale: { type: 'log' as const }, title: yTitle },
        color: { field: 'task', type: 'nominal' as const, title: null },
      },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    vconcat: [
      panel('batch', 'B', 'batch size B', 'msPerExample', 'ms per example'),
      panel('batch', 'B', 'batch size B', 'peakMiB', 'peak tensor MiB'),
      panel('width', 'width', 'width (mlp units; cnn first-conv filters)', 'ms', 'ms (B = 128 mlp, 64 cnn)'),
    ],
  } as unknown as VegaLiteSpec;
}

export async function growthSvg(pts: GrowthPoint[], title: string): Promise<string> {
  return renderSvg(growthFigure(pts, title));
}
