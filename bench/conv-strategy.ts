/**
 * conv strategy (issue 16, part 5): for every conv layer of a preset, the per-example Gram of that
 * layer's kernel through the conv2d rule (src/probe/rules/conv2d.ts) in the ghost form, the
 * materialized form, and 'auto' (the form the rule's cost model picks, src/probe/rules/blocks.ts
 * pickForm) — same recorded input and δ for all three. auto passes when its time is within 5% of
 * the better of the two forms.
 *
 * The inputs and δ's come from one real probe backward pass (the recorder the probe uses), so the
 * shapes and values are exactly those the probe sees. Timing: one warm-up of each form, then
 * `reps` rounds in alternating order (ghost, materialize, auto), medians; a form whose estimated
 * cost is more than `slowFactor` times the other's runs once, without warm-up (seconds per call:
 * its time is reported as that one call), or not at all with `skipSlow`.
 */
import * as tf from '@tensorflow/tfjs';
import { preset, type PresetName } from '../models/presets.ts';
import { initWeights } from '../models/init.ts';
import { buildModel, forward } from '../models/build.ts';
import { randomData } from '../models/arbitraries.ts';
import { exampleLosses } from '../models/loss.ts';
import type { Conv2dCall } from '../models/primitives.ts';
import { GradientRecorder } from '../src/probe/recorder.ts';
import { conv2dRule } from '../src/probe/rules/conv2d.ts';
import { pickForm } from '../src/probe/rules/blocks.ts';
import type { PrimitiveUse } from '../src/probe/rules/index.ts';

export interface ConvLayerRow {
  config: string; layer: string; batch: number;
  /** input [B, H, W, cin] → δ [B, Ho, Wo, cout], kernel [kh, kw, cin/G, cout]. */
  input: number[]; output: number[]; kernel: number[];
  /** The rule's cost estimates (multiply-adds). */
  cost: { ghost: number; materialize: number };
  auto: 'ghost' | 'materialize';
  /** null: not run (`skipSlow` and its estimate is over `slowFactor` times the other's). */
  ghostMs: number | null; materializeMs: number | null; autoMs: number;
  samples: { ghost: number; materialize: number; auto: number };
  /** The faster of the forms that ran. */
  better: 'ghost' | 'materialize';
  /** autoMs / the better form's ms; pass = ≤ 1.05. */
  autoOverBest: number; pass: boolean;
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The conv2d uses (input, δ) of one probe backward pass of a preset at batch b; dispose with the recorder. */
export function recordConvUses(name: PresetName, b: number, seed = 0): { uses: PrimitiveUse<Conv2dCall>[]; dispose: () => void } {
  const spec = preset(name);
  const model = buildModel(spec, initWeights(spec, { init: 'he', seed }));
  const d = randomData(spec, b, seed);
  const x = tf.tensor(d.x, d.xShape);
  const y = tf.tensor2d(d.y, d.yShape as [number, number]);
  const seedT = tf.scalar(0);
  let recorder: GradientRecorder | undefined;
  const f = (s: tf.Tensor): tf.Scalar => {
    recorder = new GradientRecorder(s as tf.Scalar);
    const l = exampleLosses(spec.loss, forward(model, x, { tap: recorder, bnMode: 'stored' }), y);
    return tf.add(tf.sum(l), tf.mul(s, 0)) as tf.Scalar;
  };
  tf.dispose(tf.grads(f)([seedT]));
  tf.dispose([x, y, seedT]);
  model.dispose();
  const uses: PrimitiveUse<Conv2dCall>[] = [];
  for (const list of recorder!.usesByParam().values()) for (const u of list) if (u.call.kind === 'conv2d') uses.push(u as PrimitiveUse<Conv2dCall>);
  return { uses, dispose: () => recorder!.dispose() };
}

export async function runConvStrategy(configs: { config: PresetName; batch: number }[], opts: { reps?: number; slowFactor?: number; skipSlow?: boolean; progress?: (m: string) => void } = {}): Promise<ConvLayerRow[]> {
  const reps = opts.reps ?? 5;
  const slow = opts.slowFactor ?? 20;
  const rows: ConvLayerRow[] = [];
  for (const c of configs) {
    const rec = recordConvUses(c.config, c.batch);
    try {
      for (const u of rec.uses) {
        const b = c.batch;
        const cost = conv2dRule.cost(u, b);
        const auto = pickForm('auto', cost);
        const run = (form: 'ghost' | 'materialize') => () => { const g = conv2dRule.gram(u, b, form); g.dataSync(); g.dispose(); };
        const tasks = { ghost: run('ghost'), materialize: run('materialize'), auto: run(pickForm('auto', conv2dRule.cost(u, b))) };
        const once = { ghost: cost.ghost > slow * cost.materialize, materialize: cost.materialize > slow * cost.ghost, auto: false };
        const times: Record<'ghost' | 'materialize' | 'auto', number[]> = { ghost: [], materialize: [], auto: [] };
        opts.progress?.(`conv ${c.config} ${u.call.param} (B=${b}): ${JSON.stringify(u.call.input.shape)} → ${JSON.stringify(u.delta.shape)}, auto = ${auto}${once.ghost ? ', ghost once' : ''}${once.materialize ? ', materialize once' : ''}…`);
        for (const k of ['ghost', 'materialize', 'auto'] as const) if (!once[k]) tasks[k]();
        for (let r = 0; r < reps; r++) {
          for (const k of ['ghost', 'materialize', 'auto'] as const) {
            if (once[k] && (r > 0 || opts.skipSlow)) continue;
            const t0 = performance.now();
            tasks[k]();
            times[k].push(performance.now() - t0);
          }
        }
        const ghostMs = times.ghost.length ? medianOf(times.ghost) : null;
        const materializeMs = times.materialize.length ? medianOf(times.materialize) : null;
        const autoMs = medianOf(times.auto);
        const best = Math.min(ghostMs ?? Infinity, materializeMs ?? Infinity);
        rows.push({
          config: c.config, layer: u.call.param, batch: b,
          input: u.call.input.shape, output: u.delta.shape, kernel: u.call.paramShape,
          cost, auto, ghostMs, materializeMs, autoMs,
          samples: { ghost: times.ghost.length, materialize: times.materialize.length, auto: times.auto.length },
          better: (ghostMs ?? Infinity) <= (materializeMs ?? Infinity) ? 'ghost' : 'materialize',
          autoOverBest: autoMs / best, pass: autoMs <= 1.05 * best,
        });
      }
    } finally {
      rec.dispose();
    }
  }
  return rows;
}

export function convTable(rows: ConvLayerRow[]): string {
  const lines = ['| config | layer | B | input → output | ghost MMAC (est.) | materialize MMAC (est.) | auto picks | ghost ms | materialize ms | auto ms | auto / best | within 5% |', '|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ms = (v: number | null, n: number) => (v === null ? 'not run' : `${v.toFixed(1)}${n === 1 ? ' (1 run)' : ''}`);
    const g = ms(r.ghostMs, r.samples.ghost);
    const m = ms(r.materializeMs, r.samples.materialize);
    lines.push(`| ${r.config} | ${r.layer} | ${r.batch} | ${r.input.slice(1).join('×')} → ${r.output.slice(1).join('×')} | ${(r.cost.ghost / 1e6).toFixed(0)} | ${(r.cost.materialize / 1e6).toFixed(0)} | ${r.auto} | ${g} | ${m} | ${r.autoMs.toFixed(1)} | ${r.autoOverBest.toFixed(3)} | ${r.pass ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}
