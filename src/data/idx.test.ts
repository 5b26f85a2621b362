import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeIdx, parseIdx, readIdx, readIdxHeader, writeIdx } from './idx.ts';
import { BadInputError } from '../errors.ts';

const b = (...bytes: number[]) => Buffer.from(bytes);

// Hand-built files: magic 00 00 <type> <ndims>, big-endian uint32 dims, big-endian data.
const UBYTE_2x3 = b(0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255);
const SBYTE = b(0, 0, 0x09, 1, 0, 0, 0, 3, 0xff, 0x80, 0x7f);
const SHORT = b(0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe); // 258, -2
const INT = b(0, 0, 0x0c, 1, 0, 0, 0, 2, 0x80, 0, 0, 1, 0, 1, 0, 0); // -2^31+1, 65536
const FLOAT = b(0, 0, 0x0d, 1, 0, 0, 0, 2, 0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0); // 1.5, -2
const DOUBLE = b(0, 0, 0x0e, 1, 0, 0, 0, 1, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0); // 1.5

function expectBad(f: () => unknown, ...parts: (string | RegExp)[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BadInputError);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  for (const p of parts) expect(msg).toMatch(p);
}

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradconf-idx-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('IDX decoding of hand-built buffers', () => {
  it('ubyte 2×3', () => {
    const a = parseIdx(UBYTE_2x3);
    expect(a.type).toBe('ubyte');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('sbyte, short, int, float, double (big-endian)', () => {
    const s = parseIdx(SBYTE);
    expect(s.data).toBeInstanceOf(Int8Array);
    expect(Array.from(s.data)).toEqual([-1, -128, 127]);
    const h = parseIdx(SHORT);
    expect([h.type, h.data instanceof Int16Array, Array.from(h.data)]).toEqual(['short', true, [258, -2]]);
    const i = parseIdx(INT);
    expect([i.type, i.data instanceof Int32Array, Array.from(i.data)]).toEqual(['int', true, [-2147483647, 65536]]);
    const f = parseIdx(FLOAT);
    expect([f.type, f.data instanceof Float32Array, Array.from(f.data)]).toEqual(['float', true, [1.5, -2]]);
    const d = parseIdx(DOUBLE);
    expect([d.type, d.data instanceof Float64Array, Array.from(d.data)]).toEqual(['double', true, [1.5]]);
  });

  it('multi-byte dimensions are big-endian (0x00000102 = 258)', () => {
    const buf = Buffer.concat([b(0, 0, 0x08, 1, 0, 0, 1, 2), Buffer.alloc(258, 7)]);
    const a = parseIdx(buf);
    expect(a.shape).toEqual([258]);
    expect(a.data.length).toBe(258);
  });

  it('a misaligned view into a larger buffer decodes the same', () => {
    const big = Buffer.concat([b(9), FLOAT, b(9)]);
    expect(Array.from(parseIdx(big.subarray(1, 1 + FLOAT.length)).data)).toEqual([1.5, -2]);
  });

  it('gzip input is detected by magic bytes', () => {
    const gz = zlib.gzipSync(UBYTE_2x3);
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const a = parseIdx(gz);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });

  it('limit keeps the first entries along dimension 0', () => {
    const a = parseIdx(UBYTE_2x3, 'x', { limit: 1 });
    expect(a.shape).toEqual([1, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    expect(parseIdx(UBYTE_2x3, 'x', { limit: 10 }).shape).toEqual([2, 3]);
    expect(parseIdx(UBYTE_2x3, 'x', { limit: 0 }).data.length).toBe(0);
    expectBad(() => parseIdx(UBYTE_2x3, 'x', { limit: -1 }), 'limit');
  });
});

describe('IDX corrupt input → BadInputError naming the source', () => {
  it('bad magic', () => expectBad(() => parseIdx(b(1, 0, 8, 1, 0, 0, 0, 0), 'f.idx'), 'f.idx', /bad magic/));
  it('unknown type code', () => expectBad(() => parseIdx(b(0, 0, 0x0a, 1, 0, 0, 0, 0), 'f.idx'), 'f.idx', /type code 0x0a/));
  it('truncated header', () => {
    expectBad(() => parseIdx(b(0, 0, 8), 'f.idx'), 'f.idx', /truncated IDX header/);
    expectBad(() => parseIdx(b(0, 0, 8, 2, 0, 0, 0, 1), 'f.idx'), 'f.idx', /truncated IDX header/);
    expectBad(() => parseIdx(b(), 'f.idx'), /truncated/);
  });
  it('truncated data', () => expectBad(() => parseIdx(UBYTE_2x3.subarray(0, UBYTE_2x3.length - 1), 'f.idx'), 'f.idx', /truncated data/, /needs 6 bytes, found 5/));
  it('size mismatch (trailing bytes)', () => expectBad(() => parseIdx(Buffer.concat([SHORT, b(0)]), 'f.idx'), 'f.idx', /size mismatch/, /1 extra/));
  it('corrupt gzip', () => expectBad(() => parseIdx(b(0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6), 'f.gz'), 'f.gz', /corrupt gzip/));
  it('a truncated gzip stream', () => {
    const gz = zlib.gzipSync(UBYTE_2x3);
    expectBad(() => parseIdx(gz.subarray(0, gz.length - 6), 'f.gz'), 'f.gz', /corrupt gzip/);
  });
  it('missing file and a directory', () => {
    const p = path.join(dir, 'nope-idx1-ubyte');
    expectBad(() => readIdx(p), p, /not found/);
    expectBad(() => readIdxHeader(p), p, /not found/);
    expectBad(() => readIdx(dir), dir, /directory/);
  });
  it('corrupt files on disk (plain and gzip)', () => {
    const p = path.join(dir, 'trunc.idx');
    fs.writeFileSync(p, UBYTE_2x3.subarray(0, 15));
    expectBad(() => readIdx(p), p, /truncated data/);
    expectBad(() => readIdx(p, { limit: 1 }), p, /truncated data/); // size checked even with a limit
    expectBad(() => readIdxHeader(p), p, /truncated data/);
    const q = path.join(dir, 'extra.idx.gz');
    fs.writeFileSync(q, zlib.gzipSync(Buffer.concat([UBYTE_2x3, b(1, 2)])));
    expectBad(() => readIdx(q), q, /size mismatch/);
  });
});

describe('IDX files and encoding', () => {
  it('reads plain and gzip files, with and without limit; header only', () => {
    const p = path.join(dir, 'a-idx2-ubyte');
    const q = path.join(dir, 'a-idx2-ubyte.gz');
    fs.writeFileSync(p, UBYTE_2x3);
    fs.writeFileSync(q, zlib.gzipSync(UBYTE_2x3));
    for (const f of [p, q]) {
      expect(Array.from(readIdx(f).data)).toEqual([1, 2, 3, 4, 5, 255]);
      const l = readIdx(f, { limit: 1 });
      expect(l.shape).toEqual([1, 3]);
      expect(Array.from(l.data)).toEqual([1, 2, 3]);
      expect(readIdxHeader(f)).toEqual({ type: 'ubyte', shape: [2, 3] });
    }
    expect(Array.from(readIdx(UBYTE_2x3).data)).toEqual([1, 2, 3, 4, 5, 255]);
    expectBad(() => readIdx(b(7, 7, 7, 7), { name: 'mem' }), 'mem', /bad magic/);
  });

  it('encodeIdx writes exactly the hand-built bytes', () => {
    expect(encodeIdx({ shape: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 255]) })).toEqual(UBYTE_2x3);
    expect(encodeIdx({ shape: [3], data: Int8Array.from([-1, -128, 127]) })).toEqual(SBYTE);
    expect(encodeIdx({ shape: [2], data: Int16Array.from([258, -2]) })).toEqual(SHORT);
    expect(encodeIdx({ shape: [2], data: Int32Array.from([-2147483647, 65536]) })).toEqual(INT);
    expect(encodeIdx({ shape: [2], data: Float32Array.from([1.5, -2]) })).toEqual(FLOAT);
    expect(encodeIdx({ shape: [1], data: Float64Array.from([1.5]) })).toEqual(DOUBLE);
    expect(zlib.gunzipSync(encodeIdx({ shape: [1], data: Float64Array.from([1.5]) }, { gzip: true }))).toEqual(DOUBLE);
    expectBad(() => encodeIdx({ shape: [2, 2], data: new Uint8Array(3) }), /4 elements, data has 3/);
  });

  it('writeIdx → readIdx round trip, 4-d float, gzip', () => {
    const data = Float32Array.from({ length: 2 * 3 * 1 * 2 }, (_, i) => i / 4 - 1);
    const p = path.join(dir, 'r.idx.gz');
    writeIdx(p, { shape: [2, 3, 1, 2], data }, { gzip: true });
    const a = readIdx(p);
    expect(a.shape).toEqual([2, 3, 1, 2]);
    expect(Array.from(a.data)).toEqual(Array.from(data));
  });
});
