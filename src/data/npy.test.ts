import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeNpy, parseNpy, readNpy, writeNpy } from './npy.ts';
import { BadInputError } from '../errors.ts';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const b = (...bytes: number[]) => Buffer.from(bytes);

/** A version 1.0 file with the given header text (padding included by the caller) and data. */
function v1(header: string, data: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16LE(header.length);
  return Buffer.concat([latin1('\x93NUMPY\x01\x00'), len, latin1(header), data]);
}

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

// What numpy.save(np.array([[1.5, -2, 0], [1, 0.5, -0.25]], dtype='<f4')) writes (checked once
// against numpy 2.4 by hand): the dict (59 chars), 21 - len('2') = 20 growth spaces, 38 spaces
// of padding (64 - ((10 + 79 + 1) % 64) = 38) and '\n' — 118 header bytes, so magic + version + length + header = 128 = 2 · 64.
const DICT_2x3_F4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
const HEADER_2x3_F4 = DICT_2x3_F4 + ' '.repeat(20 + 38) + '\n';
// little-endian float32: 1.5 = 0x3fc00000, -2 = 0xc0000000, 1 = 0x3f800000, 0.5 = 0x3f000000,
// -0.25 = 0xbe800000
const DATA_2x3_F4 = b(0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x3f, 0, 0, 0x80, 0xbe);
const FILE_2x3_F4 = v1(HEADER_2x3_F4, DATA_2x3_F4);
const VALUES_2x3 = [1.5, -2, 0, 1, 0.5, -0.25];

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradconf-npy-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('.npy against hand-written bytes', () => {
  it('the hand-written file is 64-byte aligned as numpy writes it', () => {
    expect(DICT_2x3_F4.length).toBe(59);
    expect(HEADER_2x3_F4.length).toBe(118);
    expect(FILE_2x3_F4.length).toBe(128 + 24);
  });

  it('encodeNpy reproduces numpy bytes exactly', () => {
    expect(encodeNpy({ shape: [2, 3], data: Float32Array.from(VALUES_2x3) })).toEqual(FILE_2x3_F4);
    // 1-d float64 [3]: "(3,)" is 2 chars shorter than "(2, 3)" → 57-char dict, 20 growth spaces,
    // pad = 64 - ((10 + 77 + 1) % 64) = 40 → 118 header bytes again. 1.0 = 0x3ff0000000000000.
    const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
    expect(dict.length).toBe(57);
    const want = v1(dict + ' '.repeat(20 + 40) + '\n', b(0, 0, 0, 0, 0, 0, 0xf0, 0x3f, ...new Array<number>(16).fill(0)));
    expect(encodeNpy({ shape: [3], data: Float64Array.from([1, 0, 0]) })).toEqual(want);
    // 0-d: shape "()", no growth spaces: 55-char dict, pad = 64 - ((10 + 55 + 1) % 64) = 62.
    const dict0 = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }";
    expect(dict0.length).toBe(55);
    const want0 = v1(dict0 + ' '.repeat(62) + '\n', b(0, 0, 0, 0, 0, 0, 0xf0, 0x3f));
    expect(encodeNpy({ shape: [], data: Float64Array.from([1]) })).toEqual(want0);
    expect(want0.length).toBe(128 + 8);
  });

  it('parseNpy decodes the hand-written file', () => {
    const a = parseNpy(FILE_2x3_F4);
    expect(a.dtype).toBe('<f4');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual(VALUES_2x3);
  });

  it('reads version 2.0 and 3.0 headers, unaligned padding, other key orders, 3L shapes', () => {
    const hdr = DICT_2x3_F4 + '    \n';
    const len = Buffer.alloc(4);
    len.writeUInt32LE(hdr.length);
    for (const major of [2, 3]) {
      const f = Buffer.concat([latin1(`\x93NUMPY${String.fromCharCode(major)}\x00`), len, latin1(hdr), DATA_2x3_F4]);
      expect(Array.from(parseNpy(f).data)).toEqual(VALUES_2x3);
    }
    const reordered = "{'shape': (2L, 3L), 'fortran_order': False, 'descr': '<f4'}\n";
    const a = parseNpy(v1(reordered, DATA_2x3_F4));
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual(VALUES_2x3);
  });

  it('integer dtypes are converted to Float64Array', () => {
    const h = (descr: string, shape: string) => `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }\n`;
    const i4 = parseNpy(v1(h('<i4', '(2,)'), b(0xff, 0xff, 0xff, 0xff, 1, 1, 0, 0))); // -1, 257
    expect([i4.dtype, i4.data instanceof Float64Array, Array.from(i4.data)]).toEqual(['<i4', true, [-1, 257]]);
    const i8 = parseNpy(v1(h('<i8', '(2, 1)'), b(0xfe, ...new Array<number>(7).fill(0xff), 0, 0, 0, 0, 0, 1, 0, 0))); // -2, 2^40
    expect([i8.shape, Array.from(i8.data)]).toEqual([[2, 1], [-2, 2 ** 40]]);
    const u1 = parseNpy(v1(h('|u1', '(3,)'), b(0, 7, 255)));
    expect(Array.from(u1.data)).toEqual([0, 7, 255]);
    // 2^63 - 1 does not fit a double exactly
    expectBad(() => parseNpy(v1(h('<i8', '(1,)'), b(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)), 't.npy'), 't.npy', /2\^53/);
  });
});

describe('.npy round trips', () => {
  const shapes: number[][] = [[], [0], [5], [3, 4], [2, 3, 1, 4]];
  for (const shape of shapes) {
    for (const Ctor of [Float32Array, Float64Array]) {
      it(`${Ctor.name} shape [${shape.join(', ')}]`, () => {
        const n = shape.reduce((a, c) => a * c, 1);
        const vals = Array.from({ length: n }, (_, i) => (i % 7) * 0.375 - 1 + (Ctor === Float64Array ? 1e-12 * i : 0));
        const data = new Ctor(vals);
        const p = path.join(dir, `rt-${Ctor.name}-${shape.join('x')}.npy`);
        writeNpy(p, { shape, data });
        const bytes = fs.readFileSync(p);
        expect((bytes.readUInt16LE(8) + 10) % 64).toBe(0); // data starts 64-byte aligned
        const back = readNpy(p);
        expect(back.dtype).toBe(Ctor === Float32Array ? '<f4' : '<f8');
        expect(back.shape).toEqual(shape);
        expect(back.data).toBeInstanceOf(Ctor);
        expect(Array.from(back.data)).toEqual(Array.from(data));
      });
    }
  }

  it('parses a misaligned view into a larger buffer', () => {
    const big = Buffer.concat([b(1, 2, 3), FILE_2x3_F4]);
    expect(Array.from(parseNpy(big.subarray(3)).data)).toEqual(VALUES_2x3);
  });
});

describe('.npy corrupt input → BadInputError naming the source', () => {
  it('bad magic', () => expectBad(() => parseNpy(latin1('\x93NUMPZ\x01\x00\x00\x00'), 'x.npy'), 'x.npy', /bad magic/));
  it('truncated file and header', () => {
    expectBad(() => parseNpy(b(0x93, 0x4e), 'x.npy'), 'x.npy', /truncated/);
    expectBad(() => parseNpy(FILE_2x3_F4.subarray(0, 9), 'x.npy'), 'x.npy', /truncated .npy header/);
    expectBad(() => parseNpy(FILE_2x3_F4.subarray(0, 60), 'x.npy'), 'x.npy', /truncated .npy header/);
  });
  it('truncated data', () =>
    expectBad(() => parseNpy(FILE_2x3_F4.subarray(0, FILE_2x3_F4.length - 4), 'x.npy'), 'x.npy', /truncated data/, /needs 24 bytes, found 20/));
  it('shape vs data length mismatch', () =>
    expectBad(() => parseNpy(Buffer.concat([FILE_2x3_F4, b(0, 0, 0, 0)]), 'x.npy'), 'x.npy', /size mismatch/, /4 extra/));
  it('unsupported version', () => expectBad(() => parseNpy(latin1('\x93NUMPY\x04\x00\x00\x00\x00\x00'), 'x.npy'), /version 4\.0/));
  it('unsupported dtype, big-endian, structured', () => {
    const h = (descr: string) => `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }\n`;
    expectBad(() => parseNpy(v1(h("'|b1'"), b(1)), 'x.npy'), 'x.npy', /unsupported dtype '\|b1'/);
    expectBad(() => parseNpy(v1(h("'>f4'"), b(0, 0, 0, 0)), 'x.npy'), 'x.npy', /big-endian/);
    expectBad(() => parseNpy(v1(h("[('a', '<f4')]"), b(0, 0, 0, 0)), 'x.npy'), 'x.npy', /unsupported dtype/);
  });
  it('fortran order', () =>
    expectBad(
      () => parseNpy(v1("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", DATA_2x3_F4), 'x.npy'),
      'x.npy',
      /fortran_order/,
    ));
  it('malformed header', () => {
    expectBad(() => parseNpy(v1('not a dict\n', b()), 'x.npy'), /malformed/);
    expectBad(() => parseNpy(v1("{'descr': '<f4', 'fortran_order': False}\n", b()), 'x.npy'), /lacks 'shape'/);
    expectBad(() => parseNpy(v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }\n", b()), 'x.npy'), /bad shape entry 'x'/);
  });
  it('missing file', () => {
    const p = path.join(dir, 'missing.npy');
    expectBad(() => readNpy(p), p, /not found/);
  });
  it('encodeNpy rejects a shape/data mismatch', () => {
    expectBad(() => encodeNpy({ shape: [2, 2], data: new Float32Array(3) }), /4 elements, data has 3/);
  });
});
