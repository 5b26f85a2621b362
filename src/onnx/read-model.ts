/**
 * Read an ONNX model file into a plain, validated graph (no tfjs here).
 *
 * The protobuf is decoded with `onnx-buf` (ONNX 1.20's onnx.proto compiled for
 * `@bufbuild/protobuf`). What a corrupt, truncated or unsupported file gets is a one-line
 * BadInputError: a protobuf that does not decode, a model without a graph or without an opset for
 * the default domain, an opset outside 13–17 (what torch.onnx.export emits and what is tested
 * here), a node input that no graph input, initializer or earlier node defines (ONNX requires
 * topological order), a graph output that nothing produces, initializers that do not decode (see
 * tensor-proto.ts). Ops are checked against the interpreter's registry when the graph is
 * prepared (program.ts), so that the message can list what is supported.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { AttributeProto_AttributeType as AT, ModelProtoSchema, type AttributeProto, type ModelProto, type ValueInfoProto } from 'onnx-buf';
import { BadInputError } from '../errors.ts';
import type { ElemKind, HostTensor } from './host-tensor.ts';
import { dataTypeName, decodeTensor, elemKindOf } from './tensor-proto.ts';

/** Default-domain opsets the interpreter implements (torch.onnx.export's range; 17 is torch's newest here). */
export const MIN_OPSET = 13;
export const MAX_OPSET = 17;

/** An attribute value: numbers, lists of numbers, strings or a tensor. */
export type AttrValue = number | number[] | string | string[] | HostTensor;

/** One node, with its attributes decoded. */
export interface OnnxNode {
  /** The node's name; `<OpType>_<index>` when the file leaves it empty, made unique. */
  readonly name: string;
  readonly opType: string;
  /** '' for the default (ai.onnx) domain. */
  readonly domain: string;
  /** Input value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
}

/** A graph input or output: element kind and dims (a number, a symbolic name, or null when unknown). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: string;
  readonly kind: ElemKind;
  /** null when the file gives no shape at all. */
  readonly dims: readonly (number | string | null)[] | null;
}

/** A decoded, structurally valid ONNX graph. */
export interface OnnxGraph {
  /** Where it came from, for messages. */
  readonly source: string;
  readonly irVersion: number;
  /** The default domain's opset. */
  readonly opset: number;
  readonly producer: string;
  readonly nodes: readonly OnnxNode[];
  /** Initializers by name (in file order). */
  readonly initializers: ReadonlyMap<string, HostTensor>;
  /** The graph's real inputs (initializers listed as inputs, as older IR versions do, are left out). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function attrValue(a: AttributeProto, what: string, baseDir: string | undefined): AttrValue {
  switch (a.type) {
    case AT.FLOAT: return a.f;
    case AT.INT: return Number(a.i);
    case AT.STRING: return new TextDecoder().decode(a.s);
    case AT.TENSOR:
      if (!a.t) throw new BadInputError(`onnx: ${what}: tensor attribute "${a.name}" is empty`);
      return decodeTensor(a.t, { baseDir, what: `${what} attribute "${a.name}"` });
    case AT.FLOATS: return [...a.floats];
    case AT.INTS: return a.ints.map((v) => Number(v));
    case AT.STRINGS: return a.strings.map((s) => new TextDecoder().decode(s));
    default:
      throw new BadInputError(`onnx: ${what}: attribute "${a.name}" has type ${AT[a.type] ?? a.type}, not supported`);
  }
}

function valueInfo(v: ValueInfoProto, what: string): OnnxValueInfo {
  const tt = v.type?.value.case === 'tensorType' ? v.type.value.value : undefined;
  if (!tt) throw new BadInputError(`onnx: ${what} "${v.name}" is not a tensor (sequences, maps and optionals are not supported)`);
  const kind = elemKindOf(tt.elemType);
  if (!kind) throw new BadInputError(`onnx: ${what} "${v.name}" has element type ${dataTypeName(tt.elemType)}, not supported`);
  const dims = tt.shape ? tt.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null)) : null;
  return { name: v.name, elemType: dataTypeName(tt.elemType), kind, dims };
}

/** Control characters never occur in real names; in a corrupt file they would break one-line messages. */
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkText(source: string, s: string, what: string): void {
  if (CONTROL.test(s)) throw new BadInputError(`onnx: ${source}: ${what} ${JSON.stringify(s)} contains control characters (corrupt file?)`);
}

/** First line of an error's message, without the library's prefixes. */
function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!.replace(/^\[[^\]]*\]\s*/, '');
}

/**
 * Decode and validate an ONNX model from bytes.
 * @param source  name for messages (the file path).
 * @param baseDir folder that external data locations are relative to (omit for in-memory bytes).
 * @throws BadInputError (one line) for anything malformed or unsupported at the file level.
 */
export function parseOnnx(bytes: Uint8Array, source = '<bytes>', baseDir?: string): OnnxGraph {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new BadInputError(`onnx: ${source}: not a valid ONNX file (protobuf: ${firstLine(e)})`);
  }
  const g = model.graph;
  if (!g || g.node.length === 0) throw new BadInputError(`onnx: ${source}: not a valid ONNX file (no graph with nodes; truncated or not a model?)`);
  const def = model.opsetImport.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (def.length !== 1) throw new BadInputError(`onnx: ${source}: no opset for the default ONNX domain (truncated file?)`);
  const opset = Number(def[0]!.version);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new BadInputError(`onnx: ${source}: opset ${opset} of the default domain is not supported (supported: ${MIN_OPSET}–${MAX_OPSET}; export with torch.onnx.export(..., opset_version=17))`);
  }
  for (const t of g.initializer) checkText(source, t.name, 'an initializer name');
  for (const v of [...g.input, ...g.output]) {
    checkText(source, v.name, 'a graph input/output name');
    const tt = v.type?.value.case === 'tensorType' ? v.type.value.value : undefined;
    for (const d of tt?.shape?.dim ?? []) if (d.value.case === 'dimParam') checkText(source, d.value.value, 'a dimension name');
  }
  for (const n of g.node) {
    for (const s of [n.name, n.opType, n.domain, ...n.input, ...n.output]) checkText(source, s, 'a node name, op or value name');
    for (const a of n.attribute) {
      checkText(source, a.name, 'an attribute name');
      if (a.type === AT.STRING) checkText(source, new TextDecoder().decode(a.s), 'a string attribute');
    }
  }
  if (g.sparseInitializer.length > 0) throw new BadInputError(`onnx: ${source}: sparse initializers are not supported`);

  const initializers = new Map<string, HostTensor>();
  for (const t of g.initializer) {
    if (!t.name) throw new BadInputError(`onnx: ${source}: an initializer has no name`);
    if (initializers.has(t.name)) throw new BadInputError(`onnx: ${source}: initializer "${t.name}" is defined twice`);
    initializers.set(t.name, decodeTensor(t, { baseDir, what: `initializer "${t.name}"` }));
  }
  const inputs = g.input.filter((v) => !initializers.has(v.name)).map((v) => valueInfo(v, 'graph input'));
  const outputs = g.output.map((v) => valueInfo(v, 'graph output'));
  if (outputs.length === 0) throw new BadInputError(`onnx: ${source}: the graph has no outputs`);

  const defined = new Set<string>([...initializers.keys(), ...inputs.map((v) => v.name)]);
  const names = new Set<string>();
  const nodes: OnnxNode[] = g.node.map((n, i) => {
    let name = n.name || `${n.opType}_${i}`;
    while (names.has(name)) name = `${name}_${i}`;
    names.add(name);
    const what = `node "${name}" (${n.opType})`;
    for (const inp of n.input) {
      if (inp !== '' && !defined.has(inp)) throw new BadInputError(`onnx: ${what}: input "${inp}" is not defined by any graph input, initializer or earlier node`);
    }
    for (const out of n.output) {
      if (out === '') continue;
      if (defined.has(out)) throw new BadInputError(`onnx: ${what}: output "${out}" is defined twice`);
      defined.add(out);
    }
    const attrs = new Map<string, AttrValue>();
    for (const a of n.attribute) attrs.set(a.name, attrValue(a, what, baseDir));
    return { name, opType: n.opType, domain: n.domain === 'ai.onnx' ? '' : n.domain, inputs: [...n.input], outputs: [...n.output], attrs };
  });
  for (const o of outputs) if (!defined.has(o.name)) throw new BadInputError(`onnx: ${source}: graph output "${o.name}" is not produced by any node`);
  return { source, irVersion: Number(model.irVersion), opset, producer: `${model.producerName} ${model.producerVersion}`.trim(), nodes, initializers, inputs, outputs };
}

/**
 * Read an ONNX model from a file (external data is looked up next to it).
 * @throws BadInputError for a missing or unreadable file and everything parseOnnx rejects.
 */
export function readOnnx(file: string): OnnxGraph {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new BadInputError(`onnx: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? firstLine(e)}`);
  }
  return parseOnnx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file, path.dirname(path.resolve(file)));
}
