/**
 * Which initializers of an ONNX graph are the model's parameters, and where each enters a
 * primitive — decided once, statically, when a graph is prepared.
 *
 * Issue 17: the parameters are the float initializers that enter through the probe's primitives
 * (MatMul/Gemm weights and biases, Conv weights and biases, normalization scale and bias, Gather
 * tables, elementwise Add/Sub/Mul operands); batch-norm running statistics and shape constants
 * are not parameters. Concretely, a float initializer is a parameter when it occupies a slot
 * that the node's op declares parametric (ops/*.ts `primitives`) and the node's other operand
 * depends on the graph inputs. Constant nodes are never parameters (torch emits ε, √d and the
 * like as Constant nodes).
 *
 * Two rules that keep the Gram equal to PyTorch's Gram over model.parameters():
 * - Deduplicated initializers. torch.onnx.export (1.13, eval mode) merges initializers with
 *   EQUAL VALUES into one and re-creates the others as `Identity(kept) → original name` (fresh
 *   models are full of them: zero biases, unit LayerNorm weights, and batch-norm running_var
 *   aliased to a unit weight). Genuinely tied weights never look like that (a shared tensor is
 *   one initializer used twice, no Identity). So the output of an Identity whose input is an
 *   initializer is a parameter OF ITS OWN, named after that output, with a copy of the values.
 * - A parameter that also enters some non-primitive use (e.g. Div(x, w), or a shape
 *   computation) is refused: its gradient would have a part no Gram rule sees.
 * A parameter with several primitive uses (tied weights) is one parameter with several uses.
 */
import { BadInputError } from '../errors.ts';
import type { HostTensor } from './host-tensor.ts';
import { OPS, SUPPORTED_OPS } from './ops/registry.ts';
import type { OnnxGraph, OnnxNode } from './read-model.ts';
import type { ParameterUse } from './records.ts';

/** One parameter of the graph. */
export interface ParameterInfo {
  /** The initializer's name, or an Identity copy's output name. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** The initializer its values come from (= name unless it is a deduplicated copy). */
  readonly source: string;
  readonly uses: readonly ParameterUse[];
}

/** The graph, ready to interpret. */
export interface PreparedGraph {
  /** Nodes in order, without the Identity copies of initializers (folded into `constants`). */
  readonly nodes: readonly OnnxNode[];
  /** Initializers and Identity copies of them, by name. */
  readonly constants: ReadonlyMap<string, HostTensor>;
  /** Parameters in graph order (first use). */
  readonly parameters: readonly ParameterInfo[];
  /** node name → input slot → parameter name. */
  readonly slotParams: ReadonlyMap<string, ReadonlyMap<number, string>>;
}

/** The one-line message for an op we do not implement. */
export function unsupportedOp(node: OnnxNode, opset: number): string {
  const op = node.domain ? `${node.domain}.${node.opType}` : node.opType;
  const set = node.domain ? `domain ${node.domain}` : `opset ${opset}`;
  return `onnx: node "${node.name}" uses op ${op} (${set}), not supported; supported: ${SUPPORTED_OPS.join(', ')}`;
}

/**
 * Check every op, fold Identity copies of initializers, and find the parameters.
 * @throws BadInputError for an unsupported op or a parameter with a non-primitive use.
 */
export function prepareGraph(graph: OnnxGraph): PreparedGraph {
  for (const n of graph.nodes) {
    if (n.domain !== '' || !OPS[n.opType]) throw new BadInputError(unsupportedOp(n, graph.opset));
  }
  const constants = new Map(graph.initializers);
  const source = new Map<string, string>([...graph.initializers.keys()].map((k) => [k, k]));
  const nodes: OnnxNode[] = [];
  for (const n of graph.nodes) {
    const inp = n.inputs[0];
    if (n.opType === 'Identity' && inp !== undefined && constants.has(inp) && n.outputs[0]) {
      constants.set(n.outputs[0], constants.get(inp)!);
      source.set(n.outputs[0], source.get(inp)!);
    } else {
      nodes.push(n);
    }
  }

  const dynamic = new Set(graph.inputs.map((v) => v.name));
  for (const n of nodes) if (n.inputs.some((i) => dynamic.has(i))) for (const o of n.outputs) dynamic.add(o);

  const uses = new Map<string, ParameterUse[]>();
  const slotParams = new Map<string, Map<number, string>>();
  for (const n of nodes) {
    const prim = OPS[n.opType]!.primitives;
    if (!prim) continue;
    for (const { slot, kind } of prim(n, (s) => dynamic.has(n.inputs[s] ?? ''))) {
      const name = n.inputs[slot];
      const c = name ? constants.get(name) : undefined;
      if (!name || !c || c.kind !== 'float') continue;
      const list = uses.get(name) ?? [];
      list.push({ node: n.name, opType: n.opType, slot, kind, param: name });
      uses.set(name, list);
      const m = slotParams.get(n.name) ?? new Map<number, string>();
      m.set(slot, name);
      slotParams.set(n.name, m);
    }
  }
  for (const n of nodes) {
    n.inputs.forEach((name, slot) => {
      const u = uses.get(name);
      if (u && !slotParams.get(n.name)?.has(slot)) {
        throw new BadInputError(`onnx: parameter "${name}" enters node "${n.name}" (${n.opType}, input ${slot}) outside the probe's primitives (it is also a ${u[0]!.kind} at node "${u[0]!.node}"); not supported`);
      }
    });
  }
  for (const o of graph.outputs) if (uses.has(o.name)) throw new BadInputError(`onnx: parameter "${o.name}" is also a graph output; not supported`);
  const parameters = [...uses].map(([name, u]) => {
    const c = constants.get(name)!;
    return { name, shape: c.shape, size: c.data.length, source: source.get(name)!, uses: u };
  });
  return { nodes, constants, parameters, slotParams };
}
