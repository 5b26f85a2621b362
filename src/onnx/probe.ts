/**
 * `gradconf probe --onnx model.onnx` as a library call: validate the data against the graph,
 * run per-example or minibatch mode (probe-gram.ts, minibatch.ts) and report exactly what the
 * spec probe reports (src/probe/index.ts `ProbeReport`, the --json contract).
 *
 * Data: every graph input as an array with the examples on axis 0, in the layout PyTorch took
 * (NCHW for images), as read from .npy: float inputs any float or integer dtype (→ float32),
 * integer inputs (token ids) integers or integral floats within int32. Targets as DESIGN.md's
 * losses (targets.ts): mse [n, K], logistic ±1 [n], softmax-xent labels [n] or one-hot [n, K],
 * K = the graph's output size per example.
 */
import * as tf from '@tensorflow/tfjs';
import { BadInputError } from '../errors.ts';
import { exampleReport, minibatchReport, type ArrayData, type ProbeReport } from '../probe/index.ts';
import type { GramStrategy } from '../probe/rules/index.ts';
import { checkLabels, labelsFromTargets } from '../probe/statistics/labels.ts';
import { onnxMinibatchCosines } from './minibatch.ts';
import { onnxGram } from './probe-gram.ts';
import type { GraphInputs, OnnxProgram } from './program.ts';
import { forwardOutputs, type OnnxLoss } from './reference.ts';
import { targetMatrix } from './targets.ts';

export interface OnnxProbeRequest {
  program: OnnxProgram;
  loss: OnnxLoss;
  /** The data of the graph's input (one array), or of each input by name. */
  inputs: ArrayData | Readonly<Record<string, ArrayData>>;
  targets: ArrayData;
  mode: 'example' | 'minibatch';
  /** example mode: the first `batchSize` examples (default: all, or the export's fixed batch size); minibatch mode: m (default 128). */
  batchSize?: number;
  /** minibatch mode: number of pairs P (default 100). */
  pairs?: number;
  seed: number;
  includeGram?: boolean;
  strategy?: GramStrategy;
  /** One integer class per example (default: from softmax-xent / logistic targets). */
  labels?: ArrayData;
  topK?: number;
  /** File names for error messages: inputs by graph input name, targets, labels. */
  sources?: { inputs?: Readonly<Record<string, string>>; targets?: string; labels?: string };
}

function isArrayData(v: unknown): v is ArrayData {
  return typeof v === 'object' && v !== null && Array.isArray((v as ArrayData).shape) && 'data' in v;
}

/**
 * The data as tfjs tensors by graph input name, checked: names, one example count, finiteness,
 * integral ids; shapes are checked against the graph by `program.checkInputs`.
 */
export function inputTensors(program: OnnxProgram, inputs: OnnxProbeRequest['inputs'], sources: Readonly<Record<string, string>> = {}): Record<string, tf.Tensor> {
  const decl = program.graph.inputs;
  let byName: Record<string, ArrayData>;
  if (isArrayData(inputs)) {
    if (decl.length !== 1) throw new BadInputError(`onnx: the graph has ${decl.length} inputs (${decl.map((d) => d.name).join(', ')}); give one array per input name (--inputs name=file.npy,…)`);
    byName = { [decl[0]!.name]: inputs };
  } else {
    byName = { ...inputs } as Record<string, ArrayData>;
  }
  for (const k of Object.keys(byName)) if (!decl.some((d) => d.name === k)) throw new BadInputError(`onnx: the graph has no input "${k}" (its inputs: ${decl.map((d) => d.name).join(', ')})`);
  const out: Record<string, tf.Tensor> = {};
  try {
    for (const d of decl) {
      const a = byName[d.name];
      const src = sources[d.name] ?? `input "${d.name}"`;
      if (!a) throw new BadInputError(`onnx: missing data for the graph's input "${d.name}" (its inputs: ${decl.map((v) => v.name).join(', ')})`);
      const n = a.shape[0] ?? 0;
      if (a.shape.length < 1 || n < 1) throw new BadInputError(`${src}: no examples (shape [${a.shape.join(', ')}])`);
      const per = a.data.length / n;
      if (a.shape.reduce((x, y) => x * y, 1) !== a.data.length) throw new BadInputError(`${src}: ${a.data.length} values for shape [${a.shape.join(', ')}]`);
      for (let i = 0; i < a.data.length; i++) {
        const v = a.data[i]!;
        if (!Number.isFinite(v)) throw new BadInputError(`${src}: NaN or Inf at example ${Math.floor(i / per)} (flat index ${i})`);
        if (d.kind !== 'float' && (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1)) {
          throw new BadInputError(`${src}: value ${v} at example ${Math.floor(i / per)} (flat index ${i}) is not an int32 integer (the graph's input "${d.name}" is ${d.elemType}: token ids?)`);
        }
      }
      out[d.name] = d.kind === 'float'
        ? tf.tensor(a.data instanceof Float32Array ? a.data : Float32Array.from(a.data), a.shape, 'float32')
        : d.kind === 'int' ? tf.tensor(Int32Array.from(a.data), a.shape, 'int32') : tf.tensor(Uint8Array.from(a.data, (v) => (v ? 1 : 0)), a.shape, 'bool');
    }
    const counts = new Set(Object.values(out).map((t) => t.shape[0]));
    if (counts.size > 1) throw new BadInputError(`onnx: the inputs hold different numbers of examples (${[...counts].join(', ')})`);
    return out;
  } catch (e) {
    tf.dispose(Object.values(out));
    throw e;
  }
}

function firstRows(inputs: Record<string, tf.Tensor>, b: number): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, t.shape[0] === b ? t.clone() : tf.slice(t, 0, b)]));
}

function posInt(v: number | undefined, name: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new BadInputError(`${name} must be a positive integer (got ${v})`);
}

/** Output values per example (K) of the graph, from a forward pass of its first min(n, 2) examples (n: a fixed batch size). */
export function outputSize(program: OnnxProgram, inputs: GraphInputs, n: number): number {
  const b = program.dynamicBatch ? Math.min(n, 2) : n;
  const few = firstRows(inputs instanceof tf.Tensor ? { [program.graph.inputs[0]!.name]: inputs } : { ...inputs }, b);
  try {
    const out = forwardOutputs(program, few);
    const k = out.shape[1];
    out.dispose();
    return k;
  } finally {
    tf.dispose(Object.values(few));
  }
}

/** Run the probe on an ONNX model as requested; all tensors are released before returning. */
export function runOnnxProbe(req: OnnxProbeRequest): ProbeReport {
  const { program } = req;
  posInt(req.batchSize, '--batch-size');
  posInt(req.pairs, '--pairs');
  if (req.topK !== undefined && (!Number.isInteger(req.topK) || req.topK < 0)) throw new BadInputError(`--top-k must be a non-negative integer (got ${req.topK})`);
  const inputs = inputTensors(program, req.inputs, req.sources?.inputs);
  try {
    const n = Object.values(inputs)[0]!.shape[0]!;
    // Shapes against the graph (a fixed-batch export: on its first N examples when there are that many).
    const fixed = program.dynamicBatch ? undefined : (program.graph.inputs[0]!.dims![0] as number);
    if (fixed !== undefined && n >= fixed) {
      const few = firstRows(inputs, fixed);
      try {
        program.checkInputs(few);
      } finally {
        tf.dispose(Object.values(few));
      }
    } else {
      program.checkInputs(inputs);
    }
    const k = outputSize(program, inputs, fixed ?? n);
    const y = targetMatrix(req.loss, n, k, req.targets, req.sources?.targets);
    const labels = req.labels ? checkLabels(req.labels, n, req.sources?.labels ?? '--labels') : null;
    const hasBn = program.graph.nodes.some((node) => node.opType === 'BatchNormalization');
    const t0 = performance.now();
    if (req.mode === 'example') {
      const b = req.batchSize ?? fixed ?? n;
      if (b > n) throw new BadInputError(`--batch-size ${b} exceeds the ${n} examples given`);
      if (b < 2) throw new BadInputError('per-example mode needs at least 2 examples');
      const x = firstRows(inputs, b);
      const yt = tf.tensor2d(y.subarray(0, b * k), [b, k]);
      const res = (() => {
        try {
          return onnxGram(program, x, yt, req.loss, { strategy: req.strategy });
        } finally {
          tf.dispose([...Object.values(x), yt]);
        }
      })();
      return exampleReport(res.gram, b, res.losses, {
        labels: labels ? labels.subarray(0, b) : labelsFromTargets(req.loss, y.subarray(0, b * k), b),
        topK: req.topK, hasBn, includeGram: req.includeGram, t0,
      });
    }
    const m = req.batchSize ?? 128;
    const pairs = req.pairs ?? 100;
    const yt = tf.tensor2d(y, [n, k]);
    try {
      const r = onnxMinibatchCosines(program, inputs, yt, req.loss, { pairs, batchSize: m, seed: req.seed, strategy: req.strategy });
      return minibatchReport(r, { batchSize: m, pairs, pool: n, hasBn, t0 });
    } finally {
      yt.dispose();
    }
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

