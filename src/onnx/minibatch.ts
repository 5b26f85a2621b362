/**
 * Minibatch mode on an ONNX graph — the paper's Section 7 protocol, as src/probe/minibatch.ts
 * does it for spec models (same sampling, same chunking, same result): P pairs of disjoint
 * minibatches of size m, each minibatch with its own batch-norm statistics, the cosine of the
 * two minibatch-mean gradients of each pair.
 *
 * Fast path: several pairs per backward pass, K = 2·(pairs in the chunk) groups (probe-gram.ts).
 * Slow twin: each minibatch's mean gradient by its own backward pass w.r.t. the parameters
 * (reference.ts `minibatchGradient`), explicit float64 dot products.
 *
 * Inputs: examples on axis 0 of every graph input (one tensor, or tensors by input name).
 */
import * as tf from '@tensorflow/tfjs';
import { BadInputError } from '../errors.ts';
import { PASS_FLOAT_BUDGET, explicitMinibatchCosines, groupedMinibatchCosines, type MinibatchOptions, type MinibatchResult } from '../probe/minibatch.ts';
import { onnxGram } from './probe-gram.ts';
import type { GraphInputs, OnnxProgram } from './program.ts';
import { minibatchGradient, type OnnxLoss } from './reference.ts';

/** The rows `idx` of every input (same form as given). */
export function gatherInputs(inputs: GraphInputs, idx: tf.Tensor1D): GraphInputs {
  if (inputs instanceof tf.Tensor) return tf.gather(inputs, idx);
  return Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, tf.gather(t, idx)]));
}

function disposeInputs(inputs: GraphInputs): void {
  tf.dispose(inputs instanceof tf.Tensor ? [inputs] : Object.values(inputs));
}

/** Run f on the rows `rows` of the inputs and targets (released afterwards). */
export function withRows<T>(inputs: GraphInputs, y: tf.Tensor2D, rows: Int32Array, f: (x: GraphInputs, y: tf.Tensor2D) => T): T {
  const idx = tf.tensor1d(rows, 'int32');
  const xb = gatherInputs(inputs, idx);
  const yb = tf.gather(y, idx) as tf.Tensor2D;
  try {
    return f(xb, yb);
  } finally {
    disposeInputs(xb);
    tf.dispose([idx, yb]);
  }
}

/**
 * Floats one probe pass holds per example (recorded inputs, node outputs hooked and their δ's,
 * conv patches), measured on a forward pass of two examples: for the default chunk size.
 */
export function probeFloatsPerExample(program: OnnxProgram, inputs: GraphInputs): number {
  const batch = poolSize(inputs);
  const n = program.dynamicBatch ? Math.min(batch, 2) : (program.graph.inputs[0]!.dims![0] as number);
  const idx = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
  const x = gatherInputs(inputs, idx);
  try {
    return tf.tidy(() => {
      let floats = 0;
      const seen = new Set<string>();
      program.run(x, {
        weightGrads: false,
        onRecord: (r) => {
          if (!seen.has(r.use.node)) floats += 3 * r.outputShape.reduce((a, b) => a * b, 1);
          seen.add(r.use.node);
          // Patches: kh·kw·C_in floats per output position.
          if (r.kind === 'conv2d') floats += r.kernelShape[0] * r.kernelShape[1] * r.input.shape[1] * r.outputShape.slice(2).reduce((a, b) => a * b, 1) * r.outputShape[0]!;
        },
      });
      return floats / n;
    });
  } finally {
    disposeInputs(x);
    idx.dispose();
  }
}

/**
 * Examples per backward pass by default: 512, capped so that one pass holds at most
 * PASS_FLOAT_BUDGET floats (as src/probe/minibatch.ts defaultMaxExamples for spec models).
 */
export function defaultOnnxMaxExamples(program: OnnxProgram, inputs: GraphInputs): number {
  return Math.max(1, Math.min(512, Math.floor(PASS_FLOAT_BUDGET / Math.max(1, probeFloatsPerExample(program, inputs)))));
}

function checkBatchAxis(program: OnnxProgram, m: number): void {
  if (program.dynamicBatch) return;
  const fixed = program.graph.inputs[0]!.dims![0] as number;
  if (fixed !== 2 * m) {
    throw new BadInputError(`onnx: minibatch mode runs 2·m = ${2 * m} examples per pass, but this export fixes the batch size at ${fixed}: pass dynamic_axes={"${program.graph.inputs[0]!.name}": {0: "batch"}} to torch.onnx.export (or use --batch-size ${fixed / 2})`);
  }
}

/** Number of examples of the inputs (axis 0; a pool may be larger than a fixed-batch export). */
function poolSize(inputs: GraphInputs): number {
  return (inputs instanceof tf.Tensor ? inputs : Object.values(inputs)[0]!).shape[0] ?? 0;
}

/**
 * Minibatch-pair cosines, fast path (group Gram, several pairs per backward pass). `inputs` is
 * the pool the minibatches are drawn from (any size; each pass is checked against the graph).
 */
export function onnxMinibatchCosines(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss, opts: MinibatchOptions): MinibatchResult {
  const n = poolSize(inputs);
  const m = opts.batchSize;
  checkBatchAxis(program, m);
  const perChunk = program.dynamicBatch ? Math.max(1, Math.floor((opts.maxExamples ?? defaultOnnxMaxExamples(program, inputs)) / (2 * m))) : 1;
  return groupedMinibatchCosines(n, opts, perChunk, (rows, k) => withRows(inputs, y, rows, (xb, yb) => onnxGram(program, xb, yb, loss, { groups: k, bnMode: 'batch', strategy: opts.strategy }).gram));
}

/** Slow twin: each minibatch's mean gradient by its own backward pass, cosines by explicit dot products. */
export function referenceOnnxMinibatchCosines(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss, opts: MinibatchOptions): MinibatchResult {
  const n = poolSize(inputs);
  if (!program.dynamicBatch) throw new BadInputError('onnx: the minibatch reference runs each minibatch alone and needs a dynamic batch axis');
  return explicitMinibatchCosines(n, opts, (rows) => withRows(inputs, y, rows, (xb, yb) => minibatchGradient(program, xb, yb, loss)));
}
