/**
 * An ONNX graph interpreted with tfjs ops: the forward pass, with parameters replaceable by
 * name (to differentiate with respect to them) and taps on parametric nodes (for the probe).
 *
 * Shape conventions: inputs as PyTorch exported them (NCHW for images; the examples on axis 0
 * of every input), float inputs float32, integer inputs (token ids) int32. Outputs come back
 * as the graph has them, with where their examples are (usually axis 0; batch-loc.ts).
 *
 * One run evaluates the nodes in file order (ONNX requires topological order). Host constants
 * (initializers that are not parameters, Constant nodes, and every node whose inputs are all
 * host constants — the Shape/Gather/Concat arithmetic of dynamic-batch exports) are computed on
 * the host; everything that depends on the examples or on a parameter is a tfjs tensor, traced
 * by tf.grads. An error inside an op (a shape that does not fit, an attribute out of range)
 * becomes a one-line BadInputError naming the node.
 *
 * Memory: `run` creates tensors in the caller's scope (wrap it in tf.tidy or tf.grads); the
 * program's own tensors (parameters and initializer constants) live until `dispose()`.
 */
import * as tf from '@tensorflow/tfjs';
import { BadInputError } from '../errors.ts';
import { INPUT_LOC, type BatchLoc } from './batch-loc.ts';
import type { HostTensor } from './host-tensor.ts';
import { isHost, type OpContext, type TensorValue, type Value } from './ops/op.ts';
import { OPS } from './ops/registry.ts';
import { prepareGraph, type ParameterInfo, type PreparedGraph } from './parameters.ts';
import { readOnnx, type AttrValue, type OnnxGraph, type OnnxNode, type OnnxValueInfo } from './read-model.ts';
import type { PrimitiveRecord, RecordDraft } from './records.ts';

/** Options of one forward pass. */
export interface RunOptions {
  /** Parameter values by name, replacing the stored ones (e.g. the xs of tf.grads). */
  readonly params?: ReadonlyMap<string, tf.Tensor>;
  /** Node name → tensor added to the node's output 0 (same shape; a zero tap for the probe). */
  readonly taps?: ReadonlyMap<string, tf.Tensor>;
  /** Called once per primitive use of a parameter, right after its node ran (records.ts). */
  readonly onRecord?: (r: PrimitiveRecord) => void;
  /** false: no gradient with respect to parameters will be asked (skips kernel-gradient work). Default true. */
  readonly weightGrads?: boolean;
  /**
   * Called with output 0 of every node that emitted records in this run (after its tap), by
   * node name; the graph continues with the tensor it returns (the probe's gradient hook, which
   * must be the identity in value).
   */
  readonly hook?: (node: string, output: tf.Tensor) => tf.Tensor;
  /**
   * BatchNormalization statistics: 'stored' (default; the running mean/variance, inference) or
   * 'batch' — the mean and biased variance of each contiguous group of `groupSize` examples
   * (default: all of them) over the group and the spatial axes, as PyTorch's training mode and
   * the spec models' minibatch mode (the paper's protocol).
   */
  readonly bnMode?: 'stored' | 'batch';
  readonly groupSize?: number;
}

/** The outputs of one forward pass. */
export interface RunResult {
  /** Graph outputs in order (host constant outputs converted to tensors). */
  readonly outputs: tf.Tensor[];
  /** Where each output's examples are (null: it does not depend on them). */
  readonly locs: (BatchLoc | null)[];
  /** Output 0 shape of every node (the shapes taps must have). */
  readonly nodeShapes: ReadonlyMap<string, readonly number[]>;
}

/** The inputs of a run: one tensor for a single-input graph, or tensors by input name. */
export type GraphInputs = tf.Tensor | Readonly<Record<string, tf.Tensor>>;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}

function dimsText(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => d ?? '?').join(', ')}]`;
}

/** An ONNX model ready to run. */
export class OnnxProgram {
  readonly graph: OnnxGraph;
  readonly parameters: readonly ParameterInfo[];
  private readonly prepared: PreparedGraph;
  private readonly paramTensors = new Map<string, tf.Tensor>();
  private readonly constTensors = new Map<HostTensor, tf.Tensor>();
  private readonly constantSet: Set<HostTensor>;
  private disposed = false;

  /** Read and prepare a .onnx file. @throws BadInputError (one line) for anything unsupported or malformed. */
  static load(file: string): OnnxProgram {
    return new OnnxProgram(readOnnx(file));
  }

  constructor(graph: OnnxGraph) {
    this.graph = graph;
    this.prepared = prepareGraph(graph);
    this.parameters = this.prepared.parameters;
    this.constantSet = new Set(this.prepared.constants.values());
    for (const p of this.parameters) {
      const c = this.prepared.constants.get(p.name)!;
      this.paramTensors.set(p.name, tf.keep(tf.tensor(Float32Array.from(c.data), [...c.shape], 'float32')));
    }
  }

  /** The stored parameter values (float32), by name, in graph order. Owned by the program. */
  parameterTensors(): ReadonlyMap<string, tf.Tensor> {
    return this.paramTensors;
  }

  /** Total number of parameter scalars. */
  get parameterCount(): number {
    return this.parameters.reduce((a, p) => a + p.size, 0);
  }

  /** Whether axis 0 of every graph input is symbolic (any batch size runs) rather than fixed. */
  get dynamicBatch(): boolean {
    return this.graph.inputs.every((v) => v.dims === null || typeof v.dims[0] !== 'number');
  }

  /**
   * Check the inputs against the graph's declared inputs (names, rank, fixed and symbolic dims,
   * element kind) and return them by name with the number of examples.
   * @throws BadInputError (one line) on any mismatch.
   */
  checkInputs(inputs: GraphInputs): { byName: Map<string, tf.Tensor>; batch: number } {
    const decl = this.graph.inputs;
    const byName = new Map<string, tf.Tensor>();
    if (inputs instanceof tf.Tensor) {
      if (decl.length !== 1) throw new BadInputError(`onnx: the graph has ${decl.length} inputs (${decl.map((d) => d.name).join(', ')}); pass them by name`);
      byName.set(decl[0]!.name, inputs);
    } else {
      for (const d of decl) {
        const t = inputs[d.name];
        if (!t) throw new BadInputError(`onnx: missing input "${d.name}" (the graph's inputs: ${decl.map((v) => v.name).join(', ')})`);
        byName.set(d.name, t);
      }
      for (const k of Object.keys(inputs)) if (!decl.some((d) => d.name === k)) throw new BadInputError(`onnx: unknown input "${k}" (the graph's inputs: ${decl.map((v) => v.name).join(', ')})`);
    }
    const symbols = new Map<string, number>();
    let batch = -1;
    for (const d of decl) {
      const t = byName.get(d.name)!;
      const s = t.shape;
      if (d.dims) {
        const want = dimsText(d.dims);
        if (s.length !== d.dims.length) throw new BadInputError(`onnx: input "${d.name}" has shape [${s.join(', ')}]; the graph expects ${want} (rank ${d.dims.length})`);
        d.dims.forEach((dim, i) => {
          if (typeof dim === 'number' && dim > 0 && s[i] !== dim) {
            const hint = i === 0 ? ` (the batch size is fixed at ${dim} in this export: pass dynamic_axes={"${d.name}": {0: "batch"}} to torch.onnx.export to run other batch sizes)` : '';
            throw new BadInputError(`onnx: input "${d.name}" has shape [${s.join(', ')}]; the graph expects ${want} (axis ${i}: ${s[i]} ≠ ${dim})${hint}`);
          }
          if (typeof dim === 'string' && dim !== '') {
            const prev = symbols.get(dim);
            if (prev !== undefined && prev !== s[i]) throw new BadInputError(`onnx: input "${d.name}" axis ${i} ("${dim}") is ${s[i]}, but another input has ${dim} = ${prev}`);
            symbols.set(dim, s[i]!);
          }
        });
      }
      if (s.length === 0) throw new BadInputError(`onnx: input "${d.name}" is a scalar; the examples must be on axis 0`);
      if (batch >= 0 && s[0] !== batch) throw new BadInputError(`onnx: input "${d.name}" has ${s[0]} examples on axis 0, another input ${batch}`);
      batch = s[0]!;
      const want = d.kind === 'float' ? 'float32' : d.kind === 'int' ? 'int32' : 'bool';
      if (t.dtype !== want) throw new BadInputError(`onnx: input "${d.name}" is ${t.dtype}; the graph's ${d.elemType} input takes ${want} tensors here`);
    }
    return { byName, batch };
  }

  /**
   * One forward pass.
   * @throws BadInputError for inputs that do not fit and for errors inside ops (naming the node).
   */
  run(inputs: GraphInputs, opts: RunOptions = {}): RunResult {
    if (this.disposed) throw new Error('OnnxProgram: used after dispose()');
    const { byName, batch } = this.checkInputs(inputs);
    const env = new Map<string, Value>();
    for (const [name, t] of byName) env.set(name, { t, kind: this.graph.inputs.find((d) => d.name === name)!.kind, loc: INPUT_LOC });
    for (const [name, c] of this.prepared.constants) {
      const p = this.paramTensors.get(name);
      if (p) {
        const given = opts.params?.get(name);
        if (given && (given.dtype !== 'float32' || given.shape.join() !== p.shape.join())) throw new Error(`OnnxProgram.run: parameter "${name}" must be float32 [${p.shape}], got ${given.dtype} [${given.shape}]`);
        env.set(name, { t: given ?? p, kind: 'float', loc: null });
      } else {
        env.set(name, { host: c });
      }
    }
    const runCache = new Map<HostTensor, tf.Tensor>();
    const nodeShapes = new Map<string, readonly number[]>();
    for (const node of this.prepared.nodes) {
      const ins = node.inputs.map((n) => (n === '' ? undefined : env.get(n)));
      const ran = this.runNode(node, ins, batch, opts, runCache);
      let outs = ran.outs;
      const tap = opts.taps?.get(node.name);
      if (tap) {
        const o = outs[0]!;
        if (isHost(o)) throw new Error(`OnnxProgram.run: node "${node.name}" is a constant; it cannot be tapped`);
        if (tap.shape.join() !== o.t.shape.join()) throw new Error(`OnnxProgram.run: tap for "${node.name}" has shape [${tap.shape}], the output is [${o.t.shape}]`);
        outs = [{ ...o, t: tf.add(o.t, tap) }, ...outs.slice(1)];
      }
      if (opts.hook && ran.recorded) {
        const o = outs[0] as TensorValue;
        outs = [{ ...o, t: opts.hook(node.name, o.t) }, ...outs.slice(1)];
      }
      const o0 = outs[0];
      if (o0) nodeShapes.set(node.name, isHost(o0) ? o0.host.shape : o0.t.shape);
      node.outputs.forEach((name, i) => {
        const v = outs[i];
        if (name !== '' && v) env.set(name, v);
      });
    }
    const outputs: tf.Tensor[] = [];
    const locs: (BatchLoc | null)[] = [];
    for (const o of this.graph.outputs) {
      const v = env.get(o.name)!;
      outputs.push(isHost(v) ? this.hostToTensor(v.host, runCache) : v.t);
      locs.push(isHost(v) ? null : v.loc);
    }
    return { outputs, locs, nodeShapes };
  }

  /** Free the program's tensors. */
  dispose(): void {
    for (const t of this.paramTensors.values()) t.dispose();
    for (const t of this.constTensors.values()) t.dispose();
    this.paramTensors.clear();
    this.constTensors.clear();
    this.disposed = true;
  }

  private hostToTensor(h: HostTensor, runCache: Map<HostTensor, tf.Tensor>): tf.Tensor {
    const persistent = this.constantSet.has(h);
    const cache = persistent ? this.constTensors : runCache;
    let t = cache.get(h);
    if (!t) {
      const shape = [...h.shape];
      if (h.kind === 'float') t = tf.tensor(h.data instanceof Float32Array ? h.data : Float32Array.from(h.data), shape, 'float32');
      else if (h.kind === 'int') t = tf.tensor(Int32Array.from(h.data, (v) => Math.min(Math.max(v, INT32_MIN), INT32_MAX)), shape, 'int32');
      else t = tf.tensor(Uint8Array.from(h.data, (v) => (v ? 1 : 0)), shape, 'bool');
      if (persistent) tf.keep(t);
      cache.set(h, t);
    }
    return t;
  }

  private runNode(node: OnnxNode, ins: (Value | undefined)[], batch: number, opts: RunOptions, runCache: Map<HostTensor, tf.Tensor>): { outs: Value[]; recorded: boolean } {
    const op = OPS[node.opType]!;
    const fail = (message: string): never => {
      throw new BadInputError(`onnx: node "${node.name}" (${node.opType}): ${message}`);
    };
    const slots = this.prepared.slotParams.get(node.name);
    const drafts: [number, RecordDraft][] = [];
    const attr = (name: string): AttrValue | undefined => node.attrs.get(name);
    const ctx: OpContext = {
      node,
      opset: this.graph.opset,
      batch,
      fail,
      mixes: (message) => {
        if (batch > 1) fail(message);
      },
      tensor: (v) => (isHost(v) ? this.hostToTensor(v.host, runCache) : v.t),
      ints: (v, what) => {
        if (!v) return fail(`the ${what} input is missing`);
        if (!isHost(v)) return fail(`the ${what} input must be a constant (it depends on the data)`);
        if (v.host.kind === 'float') return fail(`the ${what} input must be integers`);
        return Array.from(v.host.data);
      },
      attr,
      attrInt: (name, dflt) => {
        const v = attr(name);
        if (v === undefined) return dflt;
        if (typeof v !== 'number' || !Number.isInteger(v)) return fail(`attribute ${name} must be an integer`);
        return v;
      },
      attrFloat: (name, dflt) => {
        const v = attr(name);
        if (v === undefined) return dflt;
        if (typeof v !== 'number') return fail(`attribute ${name} must be a number`);
        return v;
      },
      attrInts: (name) => {
        const v = attr(name);
        if (v === undefined) return undefined;
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) return fail(`attribute ${name} must be a list of integers`);
        return v as number[];
      },
      attrString: (name, dflt) => {
        const v = attr(name);
        if (v === undefined) return dflt;
        if (typeof v !== 'string') return fail(`attribute ${name} must be a string`);
        return v;
      },
      param: (slot) => slots?.get(slot),
      record: (slot, draft) => {
        drafts.push([slot, draft]);
      },
      recording: opts.onRecord !== undefined,
      weightGrads: opts.weightGrads ?? true,
      bnMode: opts.bnMode ?? 'stored',
      groupSize: opts.groupSize ?? batch,
    };
    let outs: Value[];
    try {
      const allHost = node.inputs.length > 0 && ins.every((v) => v === undefined || isHost(v));
      outs = allHost ? this.evalOnHost(op.run, ctx, ins) : op.run(ctx, ins);
      for (const o of outs) {
        if (!isHost(o) && o.kind === 'float' && o.t.dtype !== 'float32') fail(`internal: a float output of dtype ${o.t.dtype}`);
      }
    } catch (e) {
      if (e instanceof BadInputError) throw e;
      throw new BadInputError(`onnx: node "${node.name}" (${node.opType}) failed: ${firstLine(e)}`);
    }
    const o0 = outs[0];
    if (opts.onRecord && drafts.length > 0 && o0 && !isHost(o0) && o0.loc) {
      for (const [slot, d] of drafts) {
        const use = this.parameters.find((p) => p.name === slots!.get(slot))!.uses.find((u) => u.node === node.name && u.slot === slot)!;
        opts.onRecord({ ...d, use, outputShape: o0.t.shape, outputLoc: o0.loc } as PrimitiveRecord);
      }
      return { outs, recorded: true };
    }
    return { outs, recorded: false };
  }

  /** Run an op on tfjs copies of host constants and read the outputs back to the host. */
  private evalOnHost(run: (ctx: OpContext, ins: readonly (Value | undefined)[]) => Value[], ctx: OpContext, ins: (Value | undefined)[]): Value[] {
    let outs: Value[] = [];
    tf.tidy(() => {
      const local = new Map<HostTensor, tf.Tensor>();
      const hostCtx: OpContext = { ...ctx, tensor: (v) => (isHost(v) ? this.hostToTensor(v.host, local) : v.t), recording: false };
      outs = run(hostCtx, ins).map((o): Value => (isHost(o) ? o : toHostValue(o)));
    });
    return outs;
  }
}

function toHostValue(v: TensorValue): Value {
  const data = v.t.dataSync();
  return { host: { kind: v.kind, shape: v.t.shape, data: v.kind === 'float' ? Float32Array.from(data) : Float64Array.from(data) } };
}

export type { OnnxValueInfo };
