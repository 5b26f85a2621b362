import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, loadWeights, saveWeights } from './safetensors.ts';
import { validateSpec } from './spec.ts';
import type { Weights } from './weights.ts';
import { BadInputError } from '../src/errors.ts';

/** Builds a file by hand: u64 LE header length, the header text as given, then the raw bytes. */
function file(header: string, data: number[] = [], lengthOverride?: bigint): Buffer {
  const h = Buffer.from(header, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(h.length));
  return Buffer.concat([len, h, Buffer.from(data)]);
}
const t = (dtype: string, shape: number[], begin: number, end: number) =>
  ({ dtype, shape, data_offsets: [begin, end] });
const hdr = (o: Record<string, unknown>) => JSON.stringify(o);
const bytes = (n: number) => new Array<number>(n).fill(0);

describe('decodeSafetensors on a hand-built file', () => {
  it('reads F32 and F64 tensors and metadata as the format specifies', () => {
    // a: F32 [2] = [1.5, -2]: IEEE bits 0x3FC00000, 0xC0000000, little-endian.
    // b: F64 [1, 2] = [0.1, -3.25]: bits 0x3FB999999999999A, 0xC00A000000000000, little-endian.
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
      + '"b":{"dtype":"F64","shape":[1,2],"data_offsets":[8,24]},"__metadata__":{"format":"pt"}}   ';
    const data = [
      0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0,
      0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xc0,
    ];
    const { weights, metadata } = decodeSafetensors(file(header, data));
    expect(metadata).toEqual({ format: 'pt' });
    expect([...weights.keys()]).toEqual(['a', 'b']);
    expect(weights.get('a')!.shape).toEqual([2]);
    expect(Array.from(weights.get('a')!.data)).toEqual([1.5, -2]);
    expect(weights.get('b')!.shape).toEqual([1, 2]);
    expect(weights.get('b')!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(weights.get('b')!.data)).toEqual([Math.fround(0.1), -3.25]);
  });

  it('accepts a scalar (shape []) and an empty tensor, in any key order', () => {
    const header = hdr({ z: t('F32', [0, 3], 4, 4), s: t('F32', [], 0, 4) });
    const { weights } = decodeSafetensors(file(header, [0, 0, 0x80, 0x3f])); // 1.0f
    expect(Array.from(weights.get('s')!.data)).toEqual([1]);
    expect(weights.get('z')!.data.length).toBe(0);
  });
});

describe('encodeSafetensors', () => {
  it('writes the documented layout: u64 LE length, space-padded JSON, LE float32 bytes', () => {
    const w: Weights = new Map([['layers.0.kernel', { shape: [1, 2], data: Float32Array.from([1.5, -2]) }]]);
    const buf = encodeSafetensors(w, { note: 'x' });
    const n = Number(buf.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const text = buf.toString('utf8', 8, 8 + n);
    expect(text.trimEnd().length).toBeGreaterThan(0);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    expect(JSON.parse(text)).toEqual({
      __metadata__: { note: 'x' },
      'layers.0.kernel': { dtype: 'F32', shape: [1, 2], data_offsets: [0, 8] },
    });
    expect([...buf.subarray(8 + n)]).toEqual([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
  });

  it('round-trips any float32 values bit for bit, with metadata (property, seed 3)', () => {
    const tensor = fc.tuple(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })).chain(([shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.float32Array({ minLength: n, maxLength: n }).map((data) => ({ shape, data }));
    });
    fc.assert(fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__'), { maxLength: 5 }),
      fc.array(tensor, { minLength: 5, maxLength: 5 }),
      fc.dictionary(fc.string(), fc.string()),
      (names, tensors, meta) => {
        const w: Weights = new Map(names.map((nm, i) => [nm, tensors[i]!]));
        const { weights, metadata } = decodeSafetensors(encodeSafetensors(w, meta));
        expect(metadata).toEqual(meta);
        expect([...weights.keys()].sort()).toEqual([...w.keys()].sort());
        for (const [k, v] of w) {
          const got = weights.get(k)!;
          expect(got.shape).toEqual(v.shape);
          expect(Buffer.from(got.data.buffer).equals(Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength))).toBe(true);
        }
      }), { seed: 3, numRuns: 100 });
  });

  it('rejects a data length that does not match the shape', () => {
    const w: Weights = new Map([['k', { shape: [3], data: new Float32Array(2) }]]);
    expect(() => encodeSafetensors(w)).toThrow(BadInputError);
  });
});

describe('corrupt input is a one-line BadInputError naming the source', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['shorter than 8 bytes', Buffer.from([1, 2, 3]), /f\.st: file is 3 bytes, shorter than the 8-byte header length/],
    ['header length beyond the file', file('{}', [], 1000n), /f\.st: header length 1000 exceeds the file size \(10 bytes\)/],
    ['header length near 2^64', file('{}', [], 2n ** 64n - 1n), /exceeds the file size/],
    ['invalid JSON', file('{"a": [1,', []), /f\.st: header is not valid JSON/],
    ['header not an object', file('[1, 2]'), /header is not a JSON object/],
    ['unknown dtype', file(hdr({ a: t('I64', [1], 0, 8) }), bytes(8)), /tensor "a" has unsupported dtype "I64" \(supported: F32, F64\)/],
    ['bf16', file(hdr({ a: t('BF16', [2], 0, 4) }), bytes(4)), /unsupported dtype "BF16"/],
    ['missing dtype', file(hdr({ a: { shape: [1], data_offsets: [0, 4] } }), bytes(4)), /tensor "a" has no dtype/],
    ['bad shape', file(hdr({ a: t('F32', [-1], 0, 4) }), bytes(4)), /tensor "a" has an invalid shape \[-1\]/],
    ['bad offsets', file(hdr({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }), bytes(4)), /tensor "a" has invalid data_offsets \[0\]/],
    ['offsets beyond the buffer', file(hdr({ a: t('F32', [4], 0, 16) }), bytes(8)), /tensor "a" data_offsets \[0, 16\] are out of range \(the data buffer has 8 bytes\)/],
    ['end before begin', file(hdr({ a: t('F32', [0], 8, 4) }), bytes(8)), /out of range/],
    ['size not shape * 4', file(hdr({ a: t('F32', [3], 0, 8) }), bytes(8)), /tensor "a" data_offsets \[0, 8\] hold 8 bytes, shape \[3\] of F32 needs 12/],
    ['F64 size not shape * 8', file(hdr({ a: t('F64', [2], 0, 8) }), bytes(8)), /shape \[2\] of F64 needs 16/],
    ['overlap', file(hdr({ a: t('F32', [2], 0, 8), b: t('F32', [2], 4, 12) }), bytes(12)), /tensor "b" data_offsets \[4, 12\] overlap another tensor/],
    ['gap', file(hdr({ a: t('F32', [1], 0, 4), b: t('F32', [1], 8, 12) }), bytes(12)), /tensor "b" .* leave a gap at byte 4/],
    ['trailing bytes', file(hdr({ a: t('F32', [1], 0, 4) }), bytes(8)), /the tensors cover 4 of the 8 data bytes/],
    ['metadata not strings', file(hdr({ __metadata__: { a: 1 } })), /__metadata__ "a" must be a string/],
  ];
  for (const [what, buf, msg] of cases) {
    it(what, () => {
      let err: unknown;
      try { decodeSafetensors(buf, 'f.st'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(BadInputError);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).not.toContain('\n');
    });
  }
});

describe('saveWeights / loadWeights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradconf-st-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const spec = validateSpec({ input: [3], layers: [{ type: 'dense', units: 2 }], loss: 'mse' });
  const w: Weights = new Map([
    ['layers.0.kernel', { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ['layers.0.bias', { shape: [2], data: Float32Array.from([-1, 0.5]) }],
  ]);

  it('round-trips through a file and checks the weights against the spec', () => {
    const f = join(dir, 'w.safetensors');
    saveWeights(f, w, { seed: '7' });
    const back = loadWeights(f, spec);
    expect(Array.from(back.get('layers.0.kernel')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(back.get('layers.0.bias')!.data)).toEqual([-1, 0.5]);
  });

  it('names the file when it is missing, a directory, corrupt, or does not fit the model', () => {
    expect(() => loadWeights(join(dir, 'nope.safetensors'), spec)).toThrow(new BadInputError(`${join(dir, 'nope.safetensors')}: no such file`));
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(() => loadWeights(sub, spec)).toThrow(/sub: is a directory/);
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, Buffer.from([1, 2]));
    expect(() => loadWeights(bad, spec)).toThrow(/bad\.safetensors: file is 2 bytes/);
    const other = join(dir, 'other.safetensors');
    saveWeights(other, new Map([['layers.0.kernel', { shape: [2, 3], data: new Float32Array(6) }]]));
    expect(() => loadWeights(other, spec)).toThrow(/other\.safetensors: tensor "layers\.0\.kernel" has shape \[2,3\], the model needs \[3,2\]/);
    const nan = join(dir, 'nan.safetensors');
    saveWeights(nan, new Map([...w, ['layers.0.bias', { shape: [2], data: Float32Array.from([NaN, 0]) }]]));
    expect(() => loadWeights(nan, spec)).toThrow(/nan\.safetensors: tensor "layers\.0\.bias" contains NaN/);
  });
});
