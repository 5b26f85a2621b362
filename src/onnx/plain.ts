/**
 * The plain batched gradient of an ONNX model: ∇ Σ_i f_i w.r.t. every parameter in one backward
 * pass through the interpreter — what a training step computes; the benchmark's baseline for the
 * ONNX probe (bench/probe.ts). Batch norm on stored statistics, as the probe's per-example mode.
 */
import * as tf from '@tensorflow/tfjs';
import { exampleLosses } from '../../models/loss.ts';
import type { GraphInputs, OnnxProgram } from './program.ts';
import { perExampleOutputs, type OnnxLoss } from './reference.ts';

/** Gradient tensors (caller disposes) of the summed loss, in `program.parameters` order. */
export function onnxBatchGradients(program: OnnxProgram, inputs: GraphInputs, y: tf.Tensor2D, loss: OnnxLoss): tf.Tensor[] {
  const { batch } = program.checkInputs(inputs);
  const names = program.parameters.map((p) => p.name);
  const stored = program.parameterTensors();
  return tf.grads((...ps: tf.Tensor[]) => {
    const r = program.run(inputs, { params: new Map(names.map((n, j) => [n, ps[j]!])) });
    return exampleLosses(loss, perExampleOutputs(r.outputs[0]!, r.locs[0]!, batch), y).sum() as tf.Scalar;
  })(names.map((n) => stored.get(n)!));
}
