/**
 * The safetensors weight format (https://github.com/huggingface/safetensors), the project's
 * weight file contract (DESIGN.md, "Public contracts"): names `layers.<i>.kernel` etc., float32,
 * layouts as tfjs.
 *
 * Layout of a file: 8 bytes little-endian u64 N; N bytes of UTF-8 JSON header
 * `{"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}` (padded with spaces; this writer pads to a multiple of 8
 * so the data start is 8-byte aligned); then the byte buffer, with offsets relative to its start.
 * Values are little-endian. The reader follows the reference implementation's validation: the
 * tensors' byte ranges, sorted by begin, must tile the buffer exactly (start at 0, no gaps, no
 * overlaps, end at the file's end), and each range must hold shape-product * dtype-size bytes.
 * Accepted dtypes: F32, and F64 (converted to float32, as the project computes in float32).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { BadInputError } from '../src/errors.ts';
import type { ModelSpec } from './spec.ts';
import { checkWeights } from './weights.ts';
import type { Weights } from './weights.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const DTYPE_SIZE = { F32: 4, F64: 8 } as const;
type Dtype = keyof typeof DTYPE_SIZE;

/**
 * Serializes weights as safetensors bytes: tensors in the map's order, all F32, `metadata` (if
 * given) as `__metadata__`. Throws BadInputError when a tensor's data length does not match its
 * shape or a name is `__metadata__`.
 */
export function encodeSafetensors(w: Weights, metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new BadInputError(`safetensors metadata "${k}" must be a string (got ${typeof v})`);
    }
    header.__metadata__ = { ...metadata };
  }
  let offset = 0;
  for (const [name, a] of w) {
    if (name === '__metadata__') throw new BadInputError('a tensor cannot be named "__metadata__"');
    const n = a.shape.reduce((x, y) => x * y, 1);
    if (a.data.length !== n) throw new BadInputError(`tensor "${name}" has ${a.data.length} values, shape [${a.shape}] needs ${n}`);
    header[name] = { dtype: 'F32', shape: [...a.shape], data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  const jsonLen = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - ((8 + jsonLen) % 8)) % 8);
  const headerLen = Buffer.byteLength(json, 'utf8');
  const out = Buffer.alloc(8 + headerLen + offset);
  out.writeBigUInt64LE(BigInt(headerLen), 0);
  out.write(json, 8, 'utf8');
  let pos = 8 + headerLen;
  for (const a of w.values()) {
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength), pos);
    } else {
      for (let i = 0; i < a.data.length; i++) out.writeFloatLE(a.data[i]!, pos + 4 * i);
    }
    pos += a.data.byteLength;
  }
  return out;
}

interface Entry { name: string; dtype: Dtype; shape: number[]; begin: number; end: number }

/**
 * Parses safetensors bytes. `source` (a file name) prefixes every error message. Throws a
 * one-line BadInputError on: fewer than 8 bytes, a header length beyond the file, a header that
 * is not a JSON object, an entry without a valid dtype/shape/data_offsets, a dtype other than
 * F32/F64, byte ranges out of range, overlapping, leaving gaps, or not matching the shape.
 */
export function decodeSafetensors(buf: Buffer, source = 'safetensors data'): { weights: Weights; metadata: Record<string, string> } {
  const bad = (what: string): never => { throw new BadInputError(`${source}: ${what}`); };
  if (buf.length < 8) bad(`file is ${buf.length} bytes, shorter than the 8-byte header length`);
  const n64 = buf.readBigUInt64LE(0);
  if (n64 > BigInt(buf.length - 8)) bad(`header length ${n64} exceeds the file size (${buf.length} bytes)`);
  const n = Number(n64);
  const dataStart = 8 + n;
  const dataLen = buf.length - dataStart;
  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', 8, dataStart));
  } catch (e) {
    bad(`header is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('header is not a JSON object');
  const meta: [string, string][] = [];
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`__metadata__ "${k}" must be a string`);
        meta.push([k, v as string]);
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(`tensor "${name}" must be an object with dtype, shape, data_offsets`);
    const o = raw as Record<string, unknown>;
    const dtype = o.dtype;
    if (typeof dtype !== 'string') bad(`tensor "${name}" has no dtype`);
    if (!(dtype as string in DTYPE_SIZE)) bad(`tensor "${name}" has unsupported dtype ${JSON.stringify(dtype)} (supported: F32, F64)`);
    const shape = o.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)} (must be an array of non-negative integers)`);
    }
    const offs = o.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offs)} (must be [begin, end] with non-negative integers)`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin || end > dataLen) bad(`tensor "${name}" data_offsets [${begin}, ${end}] are out of range (the data buffer has ${dataLen} bytes)`);
    const count = (shape as number[]).reduce((x, y) => x * y, 1);
    const size = DTYPE_SIZE[dtype as Dtype];
    if (end - begin !== count * size) {
      bad(`tensor "${name}" data_offsets [${begin}, ${end}] hold ${end - begin} bytes, shape [${shape as number[]}] of ${dtype as string} needs ${count * size}`);
    }
    entries.push({ name, dtype: dtype as Dtype, shape: shape as number[], begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin < expected) bad(`tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] overlap another tensor`);
    if (e.begin > expected) bad(`tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] leave a gap at byte ${expected} of the data buffer`);
    expected = e.end;
  }
  if (expected !== dataLen) bad(`the tensors cover ${expected} of the ${dataLen} data bytes (trailing bytes)`);
  const weights: Weights = new Map();
  for (const e of entries) {
    const count = e.shape.reduce((x, y) => x * y, 1);
    const data = new Float32Array(count);
    const at = dataStart + e.begin;
    if (e.dtype === 'F32') {
      if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(buf.subarray(at, at + 4 * count));
      else for (let i = 0; i < count; i++) data[i] = buf.readFloatLE(at + 4 * i);
    } else {
      const f64 = new Float64Array(count);
      if (LITTLE_ENDIAN) new Uint8Array(f64.buffer).set(buf.subarray(at, at + 8 * count));
      else for (let i = 0; i < count; i++) f64[i] = buf.readDoubleLE(at + 8 * i);
      data.set(f64); // rounds to nearest float32
    }
    weights.set(e.name, { shape: [...e.shape], data });
  }
  // fromEntries defines own properties, so even a key "__proto__" stays plain data.
  return { weights, metadata: Object.fromEntries(meta) };
}

/** Writes `w` (and optional string metadata) to `file` as safetensors. */
export function saveWeights(file: string, w: Weights, metadata?: Record<string, string>): void {
  const bytes = encodeSafetensors(w, metadata);
  try {
    writeFileSync(file, bytes);
  } catch (e) {
    throw new BadInputError(`${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Reads a safetensors file and checks it against `spec` (`checkWeights`: exactly the model's
 * tensors, right shapes, finite values). Every problem is a one-line BadInputError naming the
 * file: missing/unreadable file, corrupt container, or weights that do not fit the model.
 */
export function loadWeights(file: string, spec: ModelSpec): Weights {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BadInputError(`${file}: no such file`);
    if (code === 'EISDIR') throw new BadInputError(`${file}: is a directory, not a safetensors file`);
    throw new BadInputError(`${file}: cannot read (${code ?? (e as Error).message})`);
  }
  const { weights } = decodeSafetensors(buf, file);
  checkWeights(spec, weights, file);
  return weights;
}
