/**
 * ONNX import (issue 17, phase A): read a .onnx file, interpret it with tfjs ops, differentiate
 * with respect to its parameters, and tap its parametric nodes for the probe.
 *
 *   const program = OnnxProgram.load('model.onnx');          // BadInputError on anything unsupported
 *   const out = forwardOutputs(program, x);                    // [B, K], x NCHW as PyTorch took it
 *   const { gram } = referenceGram(program, x, y, 'mse');      // slow per-example twin
 *   program.run(x, { taps, onRecord });                        // for the probe's Gram rules (records.ts)
 */
export { OnnxProgram, type GraphInputs, type RunOptions, type RunResult } from './program.ts';
export { readOnnx, parseOnnx, MIN_OPSET, MAX_OPSET, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from './read-model.ts';
export { forwardOutputs, perExampleGradients, perExampleOutputs, referenceGram, type OnnxLoss } from './reference.ts';
export { targetMatrix } from './targets.ts';
export { exampleMajor, type BatchLoc } from './batch-loc.ts';
export { SUPPORTED_OPS } from './ops/registry.ts';
export type { ParameterInfo } from './parameters.ts';
export type { Conv2dRecord, GatherRecord, MatmulRecord, ParameterUse, PrimitiveKind, PrimitiveRecord, ScaleRecord, ShiftRecord } from './records.ts';
