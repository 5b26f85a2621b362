/**
 * ONNX import (issue 17): read a .onnx file, interpret it with tfjs ops, and run the probe on it
 * through the same per-primitive rules as spec models.
 *
 *   const program = OnnxProgram.load('model.onnx');          // BadInputError on anything unsupported
 *   const report = runOnnxProbe({ program, loss: 'softmax-xent', inputs, targets, mode: 'example', seed: 0 });
 *   const { gram } = onnxGram(program, x, y, 'mse');           // the fast probe: one backward pass
 *   const slow = referenceGram(program, x, y, 'mse');          // its slow per-example twin
 *   const out = forwardOutputs(program, x);                    // [B, K], x NCHW as PyTorch took it
 *   program.run(x, { taps, onRecord, hook });                  // the interpreter (records.ts)
 */
export { OnnxProgram, type GraphInputs, type RunOptions, type RunResult } from './program.ts';
export { readOnnx, parseOnnx, MIN_OPSET, MAX_OPSET, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from './read-model.ts';
export { forwardOutputs, minibatchGradient, perExampleGradients, perExampleOutputs, referenceGram, type OnnxLoss } from './reference.ts';
export { onnxGram, type OnnxGramOptions, type OnnxGramResult } from './probe-gram.ts';
export { onnxMinibatchCosines, referenceOnnxMinibatchCosines, defaultOnnxMaxExamples } from './minibatch.ts';
export { runOnnxProbe, inputTensors, type OnnxProbeRequest } from './probe.ts';
export { targetMatrix } from './targets.ts';
export { exampleMajor, type BatchLoc } from './batch-loc.ts';
export { SUPPORTED_OPS } from './ops/registry.ts';
export type { ParameterInfo } from './parameters.ts';
export type { Conv2dRecord, GatherRecord, MatmulRecord, ParameterUse, PrimitiveKind, PrimitiveRecord, ScaleRecord, ShiftRecord } from './records.ts';
