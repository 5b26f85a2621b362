/**
 * IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed.
 *
 * Layout: magic `0x00 0x00 <type> <ndims>`, then `ndims` big-endian uint32 dimensions, then the
 * data in C order, big-endian for multi-byte types. Type codes: 0x08 ubyte, 0x09 sbyte,
 * 0x0B short (int16), 0x0C int (int32), 0x0D float (float32), 0x0E double (float64).
 * Gzip input is recognized by its magic bytes `1f 8b`.
 *
 * Every defect (missing file, bad magic, unknown type, truncated header or data, trailing
 * bytes, corrupt gzip) is a {@link BadInputError} whose one-line message names the source.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { BadInputError, check } from '../errors.ts';

/** IDX element types, by the names of the format's documentation. */
export type IdxType = 'ubyte' | 'sbyte' | 'short' | 'int' | 'float' | 'double';

/** Typed array matching an {@link IdxType}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX array: C-order data in native byte order. */
export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: IdxData;
}

/** Type code ↔ name and element size in bytes. */
export const IDX_TYPES: Readonly<Record<IdxType, { code: number; bytes: number }>> = {
  ubyte: { code: 0x08, bytes: 1 },
  sbyte: { code: 0x09, bytes: 1 },
  short: { code: 0x0b, bytes: 2 },
  int: { code: 0x0c, bytes: 4 },
  float: { code: 0x0d, bytes: 4 },
  double: { code: 0x0e, bytes: 8 },
};

const TYPE_BY_CODE = new Map<number, IdxType>(
  (Object.keys(IDX_TYPES) as IdxType[]).map((t) => [IDX_TYPES[t].code, t]),
);

/** Options for reading. */
export interface ReadIdxOptions {
  /** Keep only the first `limit` entries along dimension 0 (the whole file is still validated). */
  limit?: number;
  /** Name used in error messages when the source is a buffer (default `<buffer>`). */
  name?: string;
}

function hex(b: number | undefined): string {
  return b === undefined ? '(none)' : '0x' + b.toString(16).padStart(2, '0');
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function gunzip(b: Uint8Array, name: string): Buffer {
  try {
    return zlib.gunzipSync(b);
  } catch (e) {
    throw new BadInputError(`${name}: corrupt gzip data (${(e as Error).message})`);
  }
}

interface Header {
  type: IdxType;
  shape: number[];
  dataOffset: number;
  dataBytes: number;
}

/** Validates the header in `head` against the total byte length of the (decompressed) file. */
function parseHeader(head: Uint8Array, totalBytes: number, name: string): Header {
  if (totalBytes < 4) throw new BadInputError(`${name}: truncated IDX header (${totalBytes} bytes, need at least 4)`);
  if (head[0] !== 0 || head[1] !== 0) {
    throw new BadInputError(`${name}: bad magic ${hex(head[0])} ${hex(head[1])} (an IDX file starts with 0x00 0x00)`);
  }
  const type = TYPE_BY_CODE.get(head[2]!);
  if (type === undefined) {
    throw new BadInputError(`${name}: unknown IDX type code ${hex(head[2])} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  }
  const ndims = head[3]!;
  const dataOffset = 4 + 4 * ndims;
  if (totalBytes < dataOffset) {
    throw new BadInputError(`${name}: truncated IDX header (${totalBytes} bytes, ${ndims} dimensions need ${dataOffset})`);
  }
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const shape: number[] = [];
  for (let k = 0; k < ndims; k++) shape.push(view.getUint32(4 + 4 * k, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = count * IDX_TYPES[type].bytes;
  const have = totalBytes - dataOffset;
  if (have < dataBytes) {
    throw new BadInputError(
      `${name}: truncated data: shape [${shape.join(', ')}] of ${type} needs ${dataBytes} bytes, found ${have}`,
    );
  }
  if (have > dataBytes) {
    throw new BadInputError(
      `${name}: size mismatch: shape [${shape.join(', ')}] of ${type} needs ${dataBytes} bytes, found ${have} (${have - dataBytes} extra)`,
    );
  }
  return { type, shape, dataOffset, dataBytes };
}

function checkLimit(limit: number | undefined, name: string): void {
  check(limit === undefined || (Number.isInteger(limit) && limit >= 0), `${name}: limit must be a non-negative integer, got ${limit}`);
}

/** The shape after applying `limit` to dimension 0, and the element count it keeps. */
function limited(shape: number[], limit: number | undefined): { shape: number[]; count: number } {
  const out = shape.slice();
  if (limit !== undefined && out.length > 0) out[0] = Math.min(out[0]!, limit);
  return { shape: out, count: out.reduce((a, b) => a * b, 1) };
}

/** Decodes `count` big-endian elements starting at `bytes[0]`. */
function decodeData(bytes: Uint8Array, type: IdxType, count: number): IdxData {
  const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'ubyte':
      return Uint8Array.from(bytes.subarray(0, count));
    case 'sbyte':
      return new Int8Array(Uint8Array.from(bytes.subarray(0, count)).buffer);
    case 'short': {
      const a = new Int16Array(count);
      for (let i = 0; i < count; i++) a[i] = src.getInt16(2 * i, false);
      return a;
    }
    case 'int': {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = src.getInt32(4 * i, false);
      return a;
    }
    case 'float': {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = src.getFloat32(4 * i, false);
      return a;
    }
    case 'double': {
      const a = new Float64Array(count);
      for (let i = 0; i < count; i++) a[i] = src.getFloat64(8 * i, false);
      return a;
    }
  }
}

/**
 * Decodes an IDX file held in memory (gzip detected by magic bytes).
 * @param buf the file's bytes
 * @param name the name used in error messages
 * @throws BadInputError on any defect
 */
export function parseIdx(buf: Uint8Array, name = '<buffer>', opts: { limit?: number } = {}): IdxArray {
  checkLimit(opts.limit, name);
  const raw = isGzip(buf) ? gunzip(buf, name) : buf;
  const h = parseHeader(raw, raw.length, name);
  const { shape, count } = limited(h.shape, opts.limit);
  return { type: h.type, shape, data: decodeData(raw.subarray(h.dataOffset), h.type, count) };
}

function readFile(path: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new BadInputError(fileError(path, e));
  }
}

function fileError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${path}: file not found`;
  if (code === 'EISDIR') return `${path}: is a directory, not a file`;
  return `${path}: cannot read (${(e as Error).message})`;
}

/**
 * Opens an IDX file. A gzip file is decompressed whole and returned as bytes; for a plain file
 * only the header is read and validated against the file size, and `onPlain` gets the open
 * descriptor (closed afterwards).
 */
function withIdxFile<T>(
  path: string,
  onGzip: (bytes: Buffer) => T,
  onPlain: (fd: number, header: Header) => T,
): T {
  let fd: number;
  let size: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    throw new BadInputError(fileError(path, e));
  }
  try {
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw new BadInputError(`${path}: is a directory, not a file`);
      size = st.size;
    } catch (e) {
      if (e instanceof BadInputError) throw e;
      throw new BadInputError(fileError(path, e));
    }
    const head = Buffer.alloc(Math.min(size, 4 + 4 * 255));
    fs.readSync(fd, head, 0, head.length, 0);
    if (isGzip(head)) return onGzip(gunzip(readFile(path), path));
    return onPlain(fd, parseHeader(head, size, path));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads the header of an IDX file (plain or gzip) and validates the file's size against it.
 * For a plain file only the header bytes are read.
 * @returns the element type and the full shape
 * @throws BadInputError naming the file and the problem on any defect
 */
export function readIdxHeader(path: string): { type: IdxType; shape: number[] } {
  return withIdxFile(
    path,
    (bytes) => {
      const h = parseHeader(bytes, bytes.length, path);
      return { type: h.type, shape: h.shape };
    },
    (_fd, h) => ({ type: h.type, shape: h.shape }),
  );
}

/**
 * Reads an IDX array from a file path (plain or gzip) or from bytes in memory.
 * With `limit`, a plain file is read only as far as needed (its size is still checked).
 * @throws BadInputError naming the file and the problem on any defect
 */
export function readIdx(source: string | Uint8Array, opts: ReadIdxOptions = {}): IdxArray {
  if (typeof source !== 'string') return parseIdx(source, opts.name ?? '<buffer>', opts);
  const path = source;
  checkLimit(opts.limit, path);
  return withIdxFile(
    path,
    (bytes) => parseIdx(bytes, path, opts),
    (fd, h) => {
      const { shape, count } = limited(h.shape, opts.limit);
      const bytes = Buffer.alloc(count * IDX_TYPES[h.type].bytes);
      let got = 0;
      while (got < bytes.length) {
        const k = fs.readSync(fd, bytes, got, bytes.length - got, h.dataOffset + got);
        if (k === 0) throw new BadInputError(`${path}: truncated data (file shrank while reading)`);
        got += k;
      }
      return { type: h.type, shape, data: decodeData(bytes, h.type, count) };
    },
  );
}

function typeOf(data: IdxData): IdxType {
  if (data instanceof Uint8Array) return 'ubyte';
  if (data instanceof Int8Array) return 'sbyte';
  if (data instanceof Int16Array) return 'short';
  if (data instanceof Int32Array) return 'int';
  if (data instanceof Float32Array) return 'float';
  return 'double';
}

/**
 * Encodes an array as IDX bytes (the element type follows the typed array's class:
 * Uint8Array → ubyte, Int8Array → sbyte, Int16Array → short, Int32Array → int,
 * Float32Array → float, Float64Array → double).
 * @param arr shape (≤ 255 dimensions, each < 2^32) and C-order data
 * @param opts `gzip: true` compresses the result
 * @throws BadInputError if the shape does not match the data length
 */
export function encodeIdx(arr: { shape: readonly number[]; data: IdxData }, opts: { gzip?: boolean } = {}): Buffer {
  const { shape, data } = arr;
  check(shape.length <= 255, `encodeIdx: ${shape.length} dimensions (at most 255)`);
  for (const s of shape) check(Number.isInteger(s) && s >= 0 && s < 2 ** 32, `encodeIdx: bad dimension ${s}`);
  const count = shape.reduce((a, b) => a * b, 1);
  check(count === data.length, `encodeIdx: shape [${shape.join(', ')}] has ${count} elements, data has ${data.length}`);
  const type = typeOf(data);
  const { code, bytes } = IDX_TYPES[type];
  const off = 4 + 4 * shape.length;
  const out = Buffer.alloc(off + count * bytes);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((s, k) => out.writeUInt32BE(s, 4 + 4 * k));
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < count; i++) {
    const x = data[i]!;
    switch (type) {
      case 'ubyte':
        v.setUint8(off + i, x);
        break;
      case 'sbyte':
        v.setInt8(off + i, x);
        break;
      case 'short':
        v.setInt16(off + 2 * i, x, false);
        break;
      case 'int':
        v.setInt32(off + 4 * i, x, false);
        break;
      case 'float':
        v.setFloat32(off + 4 * i, x, false);
        break;
      case 'double':
        v.setFloat64(off + 8 * i, x, false);
        break;
    }
  }
  return opts.gzip ? zlib.gzipSync(out) : out;
}

/** Writes {@link encodeIdx}'s bytes to `path`. */
export function writeIdx(path: string, arr: { shape: readonly number[]; data: IdxData }, opts: { gzip?: boolean } = {}): void {
  fs.writeFileSync(path, encodeIdx(arr, opts));
}
