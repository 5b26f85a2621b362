/**
 * NumPy `.npy` files: read format versions 1.0, 2.0 and 3.0; write version 1.0 (2.0 only when
 * the header would not fit 1.0's 16-bit length, as NumPy does).
 *
 * Supported dtypes: `<f4` and `<f8` (read and write; returned as Float32Array / Float64Array)
 * and, for reading targets, `<i4`, `<i8` and `|u1` (returned converted to Float64Array; `<i8`
 * values beyond ±2^53 are rejected because a double cannot hold them exactly). The returned
 * `dtype` is the file's. C order only: `fortran_order: True` is rejected. Big-endian (`>…`),
 * structured and other dtypes are rejected.
 *
 * The writer reproduces NumPy's bytes exactly: header dict with keys in sorted order, 21 − len(
 * repr(shape[0])) spare spaces for in-place growth, then spaces and a newline up to a multiple of
 * 64 bytes (NumPy ≥ 1.22's alignment). Every defect is a {@link BadInputError} naming the source.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { BadInputError, check } from '../errors.ts';

/** Dtype descriptors this module reads. */
export type NpyDtype = '<f4' | '<f8' | '<i4' | '<i8' | '|u1';

/** A decoded .npy array (C order). */
export interface NpyArray {
  /** The file's dtype. */
  dtype: NpyDtype;
  shape: number[];
  /** Float32Array for `<f4`, Float64Array otherwise (integers converted). */
  data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ITEM_BYTES: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8, '|u1': 1 };
const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';
/** NumPy's ARRAY_ALIGN: the header (incl. magic and length) ends on a multiple of this. */
const ALIGN = 64;
/** NumPy's GROWTH_AXIS_MAX_DIGITS. */
const GROWTH_DIGITS = 21;

function bad(source: string, problem: string): BadInputError {
  return new BadInputError(`${source}: ${problem}`);
}

function describeDescr(d: string): string {
  return d.length > 40 ? d.slice(0, 40) + '…' : d;
}

interface Header {
  dtype: NpyDtype;
  shape: number[];
}

/** Parses the Python-literal header dict of a .npy file. */
function parseHeader(text: string, source: string): Header {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) throw bad(source, `malformed .npy header ${JSON.stringify(describeDescr(t))}`);
  const descrM = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(t);
  if (!descrM) {
    if (/['"]descr['"]\s*:/.test(t)) throw bad(source, 'unsupported dtype (structured or non-string descr)');
    throw bad(source, `.npy header lacks 'descr'`);
  }
  const descr = descrM[2]!;
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(t);
  if (!fortranM) throw bad(source, `.npy header lacks 'fortran_order'`);
  if (fortranM[1] === 'True') throw bad(source, 'fortran_order True is not supported (save the array in C order)');
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(t);
  if (!shapeM) throw bad(source, `.npy header lacks 'shape'`);
  const parts = shapeM[1]!.split(',').map((s) => s.trim());
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const shape: number[] = [];
  for (const p of parts) {
    const m = /^(\d+)L?$/.exec(p);
    if (!m) throw bad(source, `bad shape entry '${p}' in .npy header`);
    shape.push(Number(m[1]));
  }
  if (descr.startsWith('>')) throw bad(source, `big-endian dtype '${descr}' is not supported (use little-endian '<')`);
  if (!(descr in ITEM_BYTES)) {
    throw bad(source, `unsupported dtype '${describeDescr(descr)}' (supported: <f4, <f8, <i4, <i8, |u1)`);
  }
  return { dtype: descr as NpyDtype, shape };
}

/**
 * Decodes a .npy file held in memory.
 * @param buf the file's bytes
 * @param source name used in error messages (default `<buffer>`)
 * @throws BadInputError on bad magic, unsupported version or dtype, big-endian or Fortran
 *   order, a malformed or truncated header, or a data length that differs from the shape's
 */
export function parseNpy(buf: Uint8Array, source = '<buffer>'): NpyArray {
  for (let k = 0; k < MAGIC.length; k++) {
    if (buf[k] !== MAGIC[k]) {
      if (buf.length < MAGIC.length) throw bad(source, `truncated .npy file (${buf.length} bytes)`);
      throw bad(source, 'bad magic (a .npy file starts with \\x93NUMPY)');
    }
  }
  if (buf.length < 10) throw bad(source, `truncated .npy header (${buf.length} bytes)`);
  const major = buf[6]!;
  const minor = buf[7]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw bad(source, `truncated .npy header (${buf.length} bytes)`);
    hlen = view.getUint32(8, true);
    start = 12;
  } else {
    throw bad(source, `unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  }
  if (start + hlen > buf.length) throw bad(source, `truncated .npy header (needs ${start + hlen} bytes, file has ${buf.length})`);
  const headerBytes = buf.subarray(start, start + hlen);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { dtype, shape } = parseHeader(text, source);
  const count = shape.reduce((a, b) => a * b, 1);
  const item = ITEM_BYTES[dtype];
  const need = count * item;
  const have = buf.length - start - hlen;
  const shapeStr = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  if (have < need) throw bad(source, `truncated data: shape ${shapeStr} of ${dtype} needs ${need} bytes, found ${have}`);
  if (have > need) throw bad(source, `size mismatch: shape ${shapeStr} of ${dtype} needs ${need} bytes, found ${have} (${have - need} extra)`);
  const off = start + hlen;
  // Copy into a fresh (aligned) buffer before viewing it as a typed array.
  const bytes = new Uint8Array(need);
  bytes.set(buf.subarray(off, off + need));
  const dv = new DataView(bytes.buffer);
  switch (dtype) {
    case '<f4':
      if (LITTLE_ENDIAN_HOST) return { dtype, shape, data: new Float32Array(bytes.buffer) };
      return { dtype, shape, data: Float32Array.from({ length: count }, (_, i) => dv.getFloat32(4 * i, true)) };
    case '<f8':
      if (LITTLE_ENDIAN_HOST) return { dtype, shape, data: new Float64Array(bytes.buffer) };
      return { dtype, shape, data: Float64Array.from({ length: count }, (_, i) => dv.getFloat64(8 * i, true)) };
    case '<i4':
      return { dtype, shape, data: Float64Array.from({ length: count }, (_, i) => dv.getInt32(4 * i, true)) };
    case '|u1':
      return { dtype, shape, data: Float64Array.from(bytes) };
    case '<i8': {
      const data = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = dv.getBigInt64(8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(-Number.MAX_SAFE_INTEGER)) {
          throw bad(source, `<i8 value ${v} at index ${i} is beyond ±2^53 and cannot be converted exactly`);
        }
        data[i] = Number(v);
      }
      return { dtype, shape, data };
    }
  }
}

/** Python's repr of a tuple of ints. */
function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * Encodes a float32 or float64 array as a version 1.0 .npy file (C order, little-endian),
 * byte for byte as `numpy.save` writes it.
 * @param arr shape (0-d allowed: `[]` with one element) and C-order data
 * @throws BadInputError if the shape does not match the data length
 */
export function encodeNpy(arr: { shape: readonly number[]; data: Float32Array | Float64Array }): Buffer {
  const { shape, data } = arr;
  for (const s of shape) check(Number.isInteger(s) && s >= 0, `encodeNpy: bad dimension ${s}`);
  const count = shape.reduce((a, b) => a * b, 1);
  check(count === data.length, `encodeNpy: shape ${shapeRepr(shape)} has ${count} elements, data has ${data.length}`);
  const isF32 = data instanceof Float32Array;
  check(isF32 || data instanceof Float64Array, 'encodeNpy: data must be a Float32Array or Float64Array');
  const descr = isF32 ? '<f4' : '<f8';
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_DIGITS - String(shape[0]).length));
  // numpy's _wrap_header: pad = ALIGN - ((magic 6 + version 2 + length field + len + 1) % ALIGN)
  let major = 1;
  let lenBytes = 2;
  let pad = ALIGN - ((8 + lenBytes + dict.length + 1) % ALIGN);
  if (dict.length + 1 + pad > 0xffff) {
    major = 2;
    lenBytes = 4;
    pad = ALIGN - ((8 + lenBytes + dict.length + 1) % ALIGN);
  }
  const header = dict + ' '.repeat(pad) + '\n';
  const pre = 8 + lenBytes;
  const itemBytes = isF32 ? 4 : 8;
  const out = Buffer.alloc(pre + header.length + count * itemBytes);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  out.write(header, pre, 'latin1');
  const off = pre + header.length;
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), off);
  } else {
    for (let i = 0; i < count; i++) {
      if (isF32) out.writeFloatLE(data[i]!, off + 4 * i);
      else out.writeDoubleLE(data[i]!, off + 8 * i);
    }
  }
  return out;
}

/**
 * Reads a .npy file (see {@link parseNpy}).
 * @throws BadInputError if the file is missing or unreadable, or on any format defect
 */
export function readNpy(path: string): NpyArray {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw bad(path, 'file not found');
    if (code === 'EISDIR') throw bad(path, 'is a directory, not a file');
    throw bad(path, `cannot read (${(e as Error).message})`);
  }
  return parseNpy(buf, path);
}

/** Writes {@link encodeNpy}'s bytes to `path`. */
export function writeNpy(path: string, arr: { shape: readonly number[]; data: Float32Array | Float64Array }): void {
  fs.writeFileSync(path, encodeNpy(arr));
}
