/**
 * The probe's core: the Gram matrix of (group-summed) per-example gradients in ONE forward and ONE
 * backward pass (DESIGN.md, "The probe").
 *
 * Shapes: x [B, ...input], y [B, K_out] (prepared targets). A zero tensor is added to the
 * pre-activation of every parametric layer; `tf.grads` of Σ_i f_i w.r.t. those zeros gives every
 * backprop signal δ at once, and the layer rules (src/probe/rules) turn (input, δ) into that
 * layer's share of the Gram. Shares are accumulated in float64.
 *
 * groups = B (default): G_ij = <∇f_i, ∇f_j>, batch norm on stored statistics.
 * groups = K < B: the K×K Gram of the gradients of the K contiguous groups' summed losses, with
 * batch norm on each group's own statistics (bnMode 'batch') — the paper's minibatch protocol.
 */
import * as tf from '@tensorflow/tfjs';
import type { BuiltModel, LayerRecord } from '../../models/build.ts';
import { forward, tapShapes } from '../../models/build.ts';
import { exampleLosses } from '../../models/loss.ts';
import { ruleFor, type GramStrategy } from './rules/index.ts';

export interface GramOptions {
  /** Number of contiguous groups; default B (per-example). Must divide B. */
  groups?: number;
  /** Batch-norm statistics: default 'stored' when groups = B, else 'batch'. */
  bnMode?: 'stored' | 'batch';
  strategy?: GramStrategy;
}

export interface GramResult {
  /** Row-major K×K. */
  gram: Float64Array;
  k: number;
  /** Per-example losses [B]. */
  losses: Float64Array;
  bnMode: 'stored' | 'batch';
}

/** Gram of per-example (or per-group) loss gradients in one backward pass. */
export function computeGram(model: BuiltModel, x: tf.Tensor, y: tf.Tensor2D, opts: GramOptions = {}): GramResult {
  const b = x.shape[0]!;
  const k = opts.groups ?? b;
  if (!Number.isInteger(k) || k < 1 || b % k !== 0) throw new Error(`groups (${k}) must divide the batch size (${b})`);
  const bnMode = opts.bnMode ?? (k === b ? 'stored' : 'batch');
  const shapes = tapShapes(model.spec, b);
  const names = [...shapes.keys()];
  const records: LayerRecord[] = [];
  let losses: tf.Tensor | undefined;
  const gram = new Float64Array(k * k);
  const zeros = names.map((n) => tf.zeros(shapes.get(n)!));
  try {
    const f = (...zs: tf.Tensor[]): tf.Scalar => {
      const taps = new Map(names.map((n, i) => [n, zs[i]!]));
      const out = forward(model, x, { taps, record: records, bnMode, groupSize: b / k });
      const l = exampleLosses(model.spec.loss, out, y);
      losses = tf.keep(l.clone());
      return tf.sum(l);
    };
    const deltas = tf.grads(f)(zeros);
    try {
      for (const r of records) {
        const delta = deltas[names.indexOf(r.layerName)]!;
        const part = ruleFor(r.layer.type).gram({ record: r, delta, groups: k, strategy: opts.strategy ?? 'auto' });
        const data = part.dataSync();
        part.dispose();
        for (let i = 0; i < k * k; i++) gram[i]! += data[i]!;
      }
    } finally {
      deltas.forEach((d) => d.dispose());
    }
    const lossData = Float64Array.from(losses!.dataSync());
    return { gram, k, losses: lossData, bnMode };
  } finally {
    zeros.forEach((z) => z.dispose());
    records.forEach((r) => r.input.dispose());
    losses?.dispose();
  }
}
