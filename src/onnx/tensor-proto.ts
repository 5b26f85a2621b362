/**
 * Decode an ONNX TensorProto (an initializer or a Constant node's value) into a HostTensor.
 *
 * Handles every way the format stores numbers: `raw_data` (little-endian, fixed width), the
 * typed fields (`float_data`, `double_data`, `int32_data` for the ≤ 32-bit integer types and
 * bool, `int64_data`, `uint64_data`), and external data (`data_location: EXTERNAL`, the bytes
 * in a file next to the model, keys `location` / `offset` / `length`). Element types: float32,
 * float64, float16, every integer width, bool. Anything else (strings, complex, 8-bit floats)
 * is a BadInputError, as is a length that does not match the dims, a missing or short external
 * file, or a non-finite float (a corrupt file must not turn into silent NaN).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TensorProto_DataLocation, TensorProto_DataType as DT, type TensorProto } from 'onnx-buf';
import { BadInputError } from '../errors.ts';
import { sizeOf, type ElemKind, type HostTensor } from './host-tensor.ts';

/** Element kind and byte width of the data types we read. */
const TYPES: Partial<Record<number, { name: string; kind: ElemKind; bytes: number }>> = {
  [DT.FLOAT]: { name: 'float32', kind: 'float', bytes: 4 },
  [DT.DOUBLE]: { name: 'float64', kind: 'float', bytes: 8 },
  [DT.FLOAT16]: { name: 'float16', kind: 'float', bytes: 2 },
  [DT.INT64]: { name: 'int64', kind: 'int', bytes: 8 },
  [DT.INT32]: { name: 'int32', kind: 'int', bytes: 4 },
  [DT.INT16]: { name: 'int16', kind: 'int', bytes: 2 },
  [DT.INT8]: { name: 'int8', kind: 'int', bytes: 1 },
  [DT.UINT64]: { name: 'uint64', kind: 'int', bytes: 8 },
  [DT.UINT32]: { name: 'uint32', kind: 'int', bytes: 4 },
  [DT.UINT16]: { name: 'uint16', kind: 'int', bytes: 2 },
  [DT.UINT8]: { name: 'uint8', kind: 'int', bytes: 1 },
  [DT.BOOL]: { name: 'bool', kind: 'bool', bytes: 1 },
};

/** The ONNX name of a data type number, for messages. */
export function dataTypeName(t: number): string {
  return TYPES[t]?.name ?? DT[t]?.toLowerCase() ?? `type ${t}`;
}

/** The element kind of an ONNX data type, or undefined when we cannot hold it. */
export function elemKindOf(t: number): ElemKind | undefined {
  return TYPES[t]?.kind;
}

/** IEEE half → number. */
function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Where to find external data, and how to name the tensor in messages. */
export interface DecodeContext {
  /** Folder of the .onnx file (external data locations are relative to it); undefined for bytes. */
  baseDir?: string;
  /** e.g. `initializer "fc.weight"`. */
  what: string;
}

function externalBytes(t: TensorProto, ctx: DecodeContext): Uint8Array {
  const kv = new Map(t.externalData.map((e) => [e.key, e.value]));
  const loc = kv.get('location');
  if (!loc) throw new BadInputError(`onnx: ${ctx.what} has external data without a "location"`);
  if (/[\u0000-\u001f\u007f]/.test(loc)) throw new BadInputError(`onnx: ${ctx.what}: external data location ${JSON.stringify(loc)} contains control characters (corrupt file?)`);
  if (ctx.baseDir === undefined) throw new BadInputError(`onnx: ${ctx.what} is stored in external file "${loc}"; load the model from a file path, not from bytes`);
  if (path.isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) {
    throw new BadInputError(`onnx: ${ctx.what}: external data location "${loc}" must be a relative path inside the model's folder`);
  }
  const file = path.join(ctx.baseDir, loc);
  if (!fs.existsSync(file)) throw new BadInputError(`onnx: ${ctx.what} is stored in external file "${loc}", which is missing (looked for ${file})`);
  const offset = Number(kv.get('offset') ?? '0');
  const size = fs.statSync(file).size;
  const length = kv.has('length') ? Number(kv.get('length')) : size - offset;
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new BadInputError(`onnx: ${ctx.what}: external data "${loc}" offset ${kv.get('offset') ?? 0} length ${kv.get('length') ?? '(rest)'} lies outside the file (${size} bytes)`);
  }
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, offset);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } finally {
    fs.closeSync(fd);
  }
}

function fromBytes(bytes: Uint8Array, type: number, n: number): Float32Array | Float64Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === DT.FLOAT) {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
    return out;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (type) {
      case DT.DOUBLE: out[i] = dv.getFloat64(8 * i, true); break;
      case DT.FLOAT16: out[i] = halfToNumber(dv.getUint16(2 * i, true)); break;
      case DT.INT64: out[i] = Number(dv.getBigInt64(8 * i, true)); break;
      case DT.UINT64: out[i] = Number(dv.getBigUint64(8 * i, true)); break;
      case DT.INT32: out[i] = dv.getInt32(4 * i, true); break;
      case DT.UINT32: out[i] = dv.getUint32(4 * i, true); break;
      case DT.INT16: out[i] = dv.getInt16(2 * i, true); break;
      case DT.UINT16: out[i] = dv.getUint16(2 * i, true); break;
      case DT.INT8: out[i] = dv.getInt8(i); break;
      case DT.UINT8: out[i] = dv.getUint8(i); break;
      case DT.BOOL: out[i] = dv.getUint8(i) ? 1 : 0; break;
    }
  }
  return out;
}

/** The typed field that holds this type's values, when raw_data is not used. */
function typedField(t: TensorProto): ArrayLike<number | bigint> {
  switch (t.dataType) {
    case DT.FLOAT: return t.floatData;
    case DT.DOUBLE: return t.doubleData;
    case DT.INT64: return t.int64Data;
    case DT.UINT64: case DT.UINT32: return t.uint64Data;
    default: return t.int32Data; // int32/16/8, uint16/8, bool, float16 (bit pattern)
  }
}

/**
 * Decode one TensorProto.
 * @throws BadInputError for unsupported types, length mismatches, missing external files and
 *   non-finite floats.
 */
export function decodeTensor(t: TensorProto, ctx: DecodeContext): HostTensor {
  const info = TYPES[t.dataType];
  if (!info) throw new BadInputError(`onnx: ${ctx.what} has data type ${dataTypeName(t.dataType)}, not supported (supported: ${Object.values(TYPES).map((v) => v!.name).join(', ')})`);
  if (t.segment) throw new BadInputError(`onnx: ${ctx.what} is a segmented tensor, not supported`);
  const shape = t.dims.map((d) => Number(d));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new BadInputError(`onnx: ${ctx.what} has invalid dims [${shape.join(', ')}]`);
  const n = sizeOf(shape);
  let data: Float32Array | Float64Array;
  const external = t.dataLocation === TensorProto_DataLocation.EXTERNAL;
  if (external || t.rawData.length > 0) {
    const bytes = external ? externalBytes(t, ctx) : t.rawData;
    if (bytes.length !== n * info.bytes) {
      throw new BadInputError(`onnx: ${ctx.what}: ${bytes.length} bytes of ${info.name} data for dims [${shape.join(', ')}] (expected ${n * info.bytes})`);
    }
    data = fromBytes(bytes, t.dataType, n);
  } else {
    const src = typedField(t);
    if (src.length !== n) throw new BadInputError(`onnx: ${ctx.what}: ${src.length} values for dims [${shape.join(', ')}] (expected ${n})`);
    data = t.dataType === DT.FLOAT ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (t.dataType === DT.FLOAT16) data[i] = halfToNumber(Number(v) & 0xffff);
      else if (t.dataType === DT.BOOL) data[i] = v ? 1 : 0;
      else data[i] = Number(v);
    }
  }
  if (info.kind === 'float') {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(data[i]!)) throw new BadInputError(`onnx: ${ctx.what} contains ${data[i]} at flat index ${i}`);
    }
  }
  return { kind: info.kind, shape, data };
}
