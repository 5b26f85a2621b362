/**
 * Test helper: write small ONNX models with onnx-buf (the same schema the reader uses), for the
 * error paths no PyTorch export produces, and rewrite exported ones (typed fields, external data).
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT, AttributeProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema,
  TensorProto_DataType as DT, TensorProtoSchema, TensorShapeProto_DimensionSchema, TensorShapeProtoSchema, TypeProto_TensorSchema, TypeProtoSchema,
  ValueInfoProtoSchema, type AttributeProto, type ModelProto, type TensorProto, type ValueInfoProto,
} from 'onnx-buf';

export { DT };

/** A float32 (or int64) tensor as raw little-endian bytes. */
export function tensorProto(name: string, dims: number[], data: number[], dataType: number = DT.FLOAT): TensorProto {
  const bytes = dataType === DT.INT64 ? new Uint8Array(BigInt64Array.from(data.map((v) => BigInt(v))).buffer) : new Uint8Array(Float32Array.from(data).buffer);
  return create(TensorProtoSchema, { name, dims: dims.map((d) => BigInt(d)), dataType, rawData: bytes });
}

export function valueInfo(name: string, dims: (number | string)[], elemType: number = DT.FLOAT): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType,
          shape: create(TensorShapeProtoSchema, {
            dim: dims.map((d) => create(TensorShapeProto_DimensionSchema, { value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } })),
          }),
        }),
      },
    }),
  });
}

type Attr = number | number[] | string | TensorProto;

function attribute(name: string, v: Attr): AttributeProto {
  if (typeof v === 'string') return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map((x) => BigInt(x)) });
  if (typeof v === 'number') return Number.isInteger(v) ? create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) }) : create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: v });
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, Attr>;
  domain?: string;
}

export interface ModelSpec {
  opset?: number;
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  nodes: NodeSpec[];
  initializers?: TensorProto[];
}

/** Serialize a model. */
export function buildOnnx(m: ModelSpec): Uint8Array {
  const graph = create(GraphProtoSchema, {
    name: 'test',
    input: m.inputs,
    output: m.outputs,
    initializer: m.initializers ?? [],
    node: m.nodes.map((n, i) => create(NodeProtoSchema, {
      opType: n.op, name: n.name ?? `${n.op}_${i}`, input: n.inputs, output: n.outputs, domain: n.domain ?? '',
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    })),
  });
  const model = create(ModelProtoSchema, {
    irVersion: 8n, producerName: 'gradconf-test', graph,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(m.opset ?? 17) })],
  });
  return toBinary(ModelProtoSchema, model);
}

/** Decode, change, re-encode. */
export function rewriteOnnx(bytes: Uint8Array, change: (m: ModelProto) => void): Uint8Array {
  const m = fromBinary(ModelProtoSchema, bytes);
  change(m);
  return toBinary(ModelProtoSchema, m);
}
