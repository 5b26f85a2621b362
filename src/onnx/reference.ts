/**
 * The slow, obviously-correct per-example Gram of an ONNX model: ONE BACKWARD PASS PER EXAMPLE
 * with respect to the parameter tensors themselves (tf.grads through the interpreter), each
 * gradient flattened to float64, and G_ij = <g_i, g_j> by explicit float64 dot products. It is
 * the twin the fast probe (probe-gram.ts: one backward pass, the per-primitive rules) is compared with.
 *
 * f_i is the loss of example i alone (DESIGN.md: sum reduction; the model in eval mode). With a
 * dynamic batch axis example i runs alone; with a batch fixed in the export, the whole batch runs
 * and only f_i is differentiated — the same gradient, since examples do not interact (the
 * interpreter refuses graphs in which they would, batch-loc.ts).
 *
 * Backends: runs on any. On wasm (no Conv2DBackpropFilter, no UnsortedSegmentSum) the conv
 * kernel and gather gradients come from the interpreter's own formulas (ops/conv.ts,
 * ops/gather.ts), which their tests compare with the cpu backend's kernels.
 *
 * Outputs: the graph's first output, flattened per example to [B, K] (examples moved to axis 0).
 */
import * as tf from '@tensorflow/tfjs';
import { exampleLosses } from '../../models/loss.ts';
import { exampleMajor, type BatchLoc } from './batch-loc.ts';
import { BadInputError } from '../errors.ts';
import type { GraphInputs, OnnxProgram } from './program.ts';

/** The per-example losses of DESIGN.md. */
export type OnnxLoss = 'mse' | 'logistic' | 'softmax-xent';

/** The output [B, ...] as [B, K], examples first. */
export function perExampleOutputs(out: tf.Tensor, loc: BatchLoc | null, batch: number): tf.Tensor2D {
  if (!loc) throw new BadInputError('onnx: the graph\'s output does not depend on its inputs');
  return exampleMajor(out, loc, batch).reshape([batch, -1]) as tf.Tensor2D;
}

/**
 * Model outputs [B, K] (first graph output, float32) for the whole batch.
 * @throws BadInputError when an output is NaN or infinite (never silent NaN).
 */
export function forwardOutputs(program: OnnxProgram, inputs: GraphInputs): tf.Tensor2D {
  const out = tf.tidy(() => {
    const { batch } = program.checkInputs(inputs);
    const r = program.run(inputs, { weightGrads: false });
    return perExampleOutputs(r.outputs[0]!, r.locs[0]!, batch);
  });
  const v = out.dataSync();
  const bad = v.findIndex((e) => !Number.isFinite(e));
  if (bad >= 0) {
    const k = out.shape[1];
    out.dispose();
    throw new BadInputError(`onnx: ${program.graph.source}: output "${program.graph.outputs[0]!.name}" is ${v[bad]} for example ${Math.floor(bad / k)}`);
  }
  return out;
}

function sliceInputs(byName: Map<string, tf.Tensor>, i: number): Record<string, tf.Tensor> {
  return Object.fromEntries([...byName].map(([k, t]) => [k, tf.slice(t, i, 1)]));
}

/**
 * Explicit per-example gradients g_i, float64, parameters concatenated in `program.parameters`
 * order (each flattened row-major in its ONNX layout).
 * @param y prepared targets [B, K] (targets.ts).
 */
export function perExampleGradients(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss): Float64Array[] {
  const { byName, batch } = program.checkInputs(inputs);
  const names = program.parameters.map((p) => p.name);
  const stored = program.parameterTensors();
  const xs = names.map((n) => stored.get(n)!);
  const total = program.parameterCount;
  const dynamic = program.dynamicBatch;
  const out: Float64Array[] = [];
  for (let i = 0; i < batch; i++) {
    const grads = tf.tidy(() => {
      const f = (...ps: tf.Tensor[]) => {
        const params = new Map(names.map((n, j) => [n, ps[j]!]));
        const r = program.run(dynamic ? sliceInputs(byName, i) : inputs, { params });
        const b = dynamic ? 1 : batch;
        const l = exampleLosses(loss, perExampleOutputs(r.outputs[0]!, r.locs[0]!, b), dynamic ? tf.slice(y, i, 1) : y);
        return (dynamic ? l : tf.slice(l, i, 1)).sum() as tf.Scalar;
      };
      return tf.grads(f)(xs);
    });
    const g = new Float64Array(total);
    let off = 0;
    for (const t of grads) {
      g.set(t.dataSync(), off);
      off += t.size;
      t.dispose();
    }
    out.push(g);
  }
  return out;
}

/** The reference Gram: G [B·B] row-major float64, and the per-example losses f_i. */
export function referenceGram(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss): { gram: Float64Array; k: number; losses: Float64Array } {
  const gs = perExampleGradients(program, inputs, y, loss);
  const b = gs.length;
  const gram = new Float64Array(b * b);
  for (let i = 0; i < b; i++) {
    for (let j = i; j < b; j++) {
      let s = 0;
      const gi = gs[i]!;
      const gj = gs[j]!;
      for (let q = 0; q < gi.length; q++) s += gi[q]! * gj[q]!;
      gram[i * b + j] = s;
      gram[j * b + i] = s;
    }
  }
  const losses = tf.tidy(() => exampleLosses(loss, forwardOutputs(program, inputs), y).dataSync());
  return { gram, k: b, losses: Float64Array.from(losses) };
}

/**
 * The gradient of ONE minibatch's mean loss (1/m) Σ_{i∈batch} f_i with respect to every parameter,
 * batch norm on the minibatch's own statistics (training mode, the paper's protocol), by one
 * backward pass through the interpreter: float64, parameters concatenated in
 * `program.parameters` order. The slow twin of the minibatch mode (minibatch.ts).
 * @param inputs exactly the minibatch's examples.
 */
export function minibatchGradient(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss): Float64Array {
  const { batch } = program.checkInputs(inputs);
  const names = program.parameters.map((p) => p.name);
  const stored = program.parameterTensors();
  const grads = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => {
    const r = program.run(inputs, { params: new Map(names.map((n, j) => [n, ps[j]!])), bnMode: 'batch', groupSize: batch });
    return tf.div(exampleLosses(loss, perExampleOutputs(r.outputs[0]!, r.locs[0]!, batch), y).sum(), batch) as tf.Scalar;
  })(names.map((n) => stored.get(n)!)));
  const g = new Float64Array(program.parameterCount);
  let off = 0;
  for (const t of grads) {
    g.set(t.dataSync(), off);
    off += t.size;
    t.dispose();
  }
  return g;
}
