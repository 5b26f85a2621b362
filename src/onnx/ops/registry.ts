/**
 * The ONNX ops the interpreter implements (default domain, opsets 13–17), by op type: what
 * torch.onnx.export emits for the layers of issue 17. Anything else is refused when a graph is
 * prepared, with the node, the op and the opset named.
 */
import { CONV_OPS } from './conv.ts';
import { ELEMENTWISE_OPS } from './elementwise.ts';
import { MATMUL_OPS } from './matmul.ts';
import { NORMALIZATION_OPS } from './normalization.ts';
import type { OpDef } from './op.ts';
import { SHAPE_OPS } from './shape-ops.ts';

export const OPS: Readonly<Record<string, OpDef>> = { ...ELEMENTWISE_OPS, ...SHAPE_OPS, ...MATMUL_OPS, ...CONV_OPS, ...NORMALIZATION_OPS };

/** Supported op types, sorted (for messages and the README). */
export const SUPPORTED_OPS: readonly string[] = Object.keys(OPS).sort();
