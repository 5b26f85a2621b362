/**
 * The fast probe on an ONNX graph: the K×K Gram of (group-summed) per-example gradients in ONE
 * forward and ONE backward pass, through the same per-primitive rules as spec models
 * (src/probe/rules, src/probe/parameter-gram.ts).
 *
 * How: the interpreter runs with `onRecord` (every parameter use: its input, layout and where
 * the examples are, records.ts) and a gradient hook on the output of every node that uses a
 * parameter (src/probe/recorder.ts `deltaHook`); one tf.grads of Σ_i f_i against a seed scalar
 * delivers each node's δ = ∂(Σ_i f_i)/∂(node output). primitive-uses.ts turns every record and
 * its node's δ into the rules' PrimitiveUse (examples first, NHWC convs), and eachParameterGram
 * adds each parameter's share, tied parameters with their cross terms.
 *
 * groups = B (default): G_ij = <∇f_i, ∇f_j>, batch norm on stored statistics (eval mode, the only
 * setting in which per-example gradients are defined). groups = K < B: the K×K Gram of the
 * gradients of the K contiguous groups' summed losses, batch norm on each group's own statistics
 * (training mode) — the paper's minibatch protocol (minibatch.ts).
 *
 * Slow twin: reference.ts `referenceGram` (one backward pass per example w.r.t. the parameters,
 * float64 dot products); probe-gram.test.ts compares them on every fixture.
 */
import * as tf from '@tensorflow/tfjs';
import { exampleLosses } from '../../models/loss.ts';
import { BadInputError } from '../errors.ts';
import { eachParameterGram } from '../probe/parameter-gram.ts';
import { deltaHook } from '../probe/recorder.ts';
import type { GramStrategy, PrimitiveUse } from '../probe/rules/index.ts';
import { callOf, deltaOf } from './primitive-uses.ts';
import type { GraphInputs, OnnxProgram } from './program.ts';
import type { PrimitiveRecord } from './records.ts';
import { perExampleOutputs, type OnnxLoss } from './reference.ts';

export interface OnnxGramOptions {
  /** Number of contiguous groups; default B (per-example). Must divide B. */
  groups?: number;
  /** Batch-norm statistics: default 'stored' when groups = B, else 'batch' (per group). */
  bnMode?: 'stored' | 'batch';
  strategy?: GramStrategy;
}

export interface OnnxGramResult {
  /** Row-major K×K, float64. */
  gram: Float64Array;
  k: number;
  /** Per-example losses [B] (with the batch-norm statistics used). */
  losses: Float64Array;
  bnMode: 'stored' | 'batch';
}

/**
 * The group Gram of an ONNX model on `inputs` (as PyTorch took them, examples on axis 0) with
 * prepared targets y [B, K_out] (targets.ts). All tensors it creates are released.
 * @throws BadInputError for inputs that do not fit the graph, fewer than 2 examples, a
 *   non-finite loss or Gram (naming the example).
 */
export function onnxGram(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss, opts: OnnxGramOptions = {}): OnnxGramResult {
  const { batch } = program.checkInputs(inputs);
  if (batch < 2) throw new BadInputError(`onnx probe: needs at least 2 examples (got ${batch})`);
  const k = opts.groups ?? batch;
  if (!Number.isInteger(k) || k < 1 || batch % k !== 0) throw new Error(`groups (${k}) must divide the batch size (${batch})`);
  const bnMode = opts.bnMode ?? (k === batch ? 'stored' : 'batch');
  const shapes = new Map(program.parameters.map((p) => [p.name, p.shape]));
  const pending: { r: PrimitiveRecord; call: ReturnType<typeof callOf> }[] = [];
  const nodeDeltas = new Map<string, tf.Tensor>();
  const owned = new Set<tf.Tensor>();
  let kept: tf.Tensor | undefined;
  const seed = tf.scalar(0);
  try {
    const f = (s: tf.Tensor): tf.Scalar => {
      const res = program.run(inputs, {
        weightGrads: false,
        bnMode,
        groupSize: batch / k,
        onRecord: (r) => {
          const call = callOf(r, batch, shapes.get(r.use.param)!);
          if (call.kind !== 'shift') owned.add(tf.keep(call.input));
          pending.push({ r, call });
        },
        hook: (node, out) => deltaHook(out, s as tf.Scalar, (d) => {
          nodeDeltas.get(node)?.dispose();
          nodeDeltas.set(node, d);
        }),
      });
      const l = exampleLosses(loss, perExampleOutputs(res.outputs[0]!, res.locs[0]!, batch), y);
      kept = tf.keep(l.clone());
      // + 0·s: the seed always reaches the loss, even in a graph without parameters.
      return tf.add(tf.sum(l), tf.mul(s, 0)) as tf.Scalar;
    };
    tf.dispose(tf.grads(f)([seed]));
    const losses = Float64Array.from(kept!.dataSync());
    const badLoss = losses.findIndex((v) => !Number.isFinite(v));
    if (badLoss >= 0) throw new BadInputError(`onnx probe: the loss of example ${badLoss} is ${losses[badLoss]}`);

    const byParam = new Map<string, PrimitiveUse[]>(program.parameters.map((p) => [p.name, []]));
    const shared = new Map<string, Map<string, tf.Tensor>>();
    for (const { r, call } of pending) {
      const nd = nodeDeltas.get(r.use.node);
      if (!nd) continue; // the node's output does not reach the loss: no contribution
      const perNode = shared.get(r.use.node) ?? new Map<string, tf.Tensor>();
      shared.set(r.use.node, perNode);
      const delta = deltaOf(r, nd, batch, perNode);
      owned.add(delta);
      byParam.get(r.use.param)!.push({ call, delta });
    }
    for (const [p, u] of byParam) {
      if (u.length === 0) byParam.delete(p);
      // Tied uses add their materialized sums, which needs one layout (parameter-gram.ts).
      const layouts = new Set(u.map((v) => `[${v.call.paramShape.join(', ')}]`));
      if (layouts.size > 1) throw new BadInputError(`onnx probe: parameter "${p}" is used in different layouts (${[...layouts].join(', ')}: ${u.map((v) => v.call.kind).join(', ')}); not supported`);
    }
    const gram = new Float64Array(k * k);
    eachParameterGram(byParam, k, opts.strategy ?? 'auto', (part) => {
      const data = part.dataSync();
      part.dispose();
      for (let i = 0; i < k * k; i++) gram[i]! += data[i]!;
    });
    const bad = gram.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new BadInputError(`onnx probe: the Gram entry (${Math.floor(bad / k)}, ${bad % k}) is ${gram[bad]} (non-finite gradients: check the weights and inputs)`);
    return { gram, k, losses, bnMode };
  } finally {
    seed.dispose();
    kept?.dispose();
    for (const t of owned) t.dispose();
    for (const t of nodeDeltas.values()) t.dispose();
  }
}
