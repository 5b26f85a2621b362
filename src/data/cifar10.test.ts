import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10Batch } from './cifar10.ts';
import { BadInputError } from '../errors.ts';

/**
 * One record whose pixel bytes encode their own position: channel c, row h, column w has value
 * (c·50 + h·3 + w·5 + salt) mod 256 — distinct enough that a wrong transposition shows.
 */
function pixel(c: number, h: number, w: number, salt: number): number {
  return (c * 50 + h * 3 + w * 5 + salt) % 256;
}
function record(label: number, salt: number): Buffer {
  const r = Buffer.alloc(CIFAR10_RECORD_BYTES);
  r[0] = label;
  for (let c = 0; c < 3; c++)
    for (let h = 0; h < 32; h++) for (let w = 0; w < 32; w++) r[1 + c * 1024 + h * 32 + w] = pixel(c, h, w, salt);
  return r;
}

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

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradconf-cifar-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function makeDir(name: string, perFile: number[][], test: number[]): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  perFile.forEach((labels, k) =>
    fs.writeFileSync(path.join(d, `data_batch_${k + 1}.bin`), Buffer.concat(labels.map((y, i) => record(y, 10 * k + i)))),
  );
  fs.writeFileSync(path.join(d, 'test_batch.bin'), Buffer.concat(test.map((y, i) => record(y, 100 + i))));
  return d;
}

describe('CIFAR-10 binary', () => {
  it('transposes channel-major records to NHWC', () => {
    const { images, labels, n } = parseCifar10Batch(Buffer.concat([record(3, 0), record(9, 1)]));
    expect(n).toBe(2);
    expect(Array.from(labels)).toEqual([3, 9]);
    expect(images.length).toBe(2 * 32 * 32 * 3);
    // hand-picked positions: NHWC offset ((i·32 + h)·32 + w)·3 + c
    expect(images[0]).toBe(Math.fround(0 / 255)); // i0 h0 w0 red = 0
    expect(images[1]).toBe(Math.fround(50 / 255)); // i0 h0 w0 green
    expect(images[2]).toBe(Math.fround(100 / 255)); // i0 h0 w0 blue
    expect(images[3]).toBe(Math.fround(5 / 255)); // i0 h0 w1 red
    expect(images[32 * 3 + 2]).toBe(Math.fround(103 / 255)); // i0 h1 w0 blue
    const at = (i: number, h: number, w: number, c: number) => images[((i * 32 + h) * 32 + w) * 3 + c]!;
    for (const [i, h, w, c] of [[0, 31, 31, 2], [1, 7, 20, 1], [1, 0, 0, 0], [1, 31, 0, 2]] as const) {
      expect(at(i, h, w, c)).toBe(Math.fround(pixel(c, h, w, i) / 255));
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of images) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('loads train (5 files in order) and test splits, with limit', () => {
    const d = makeDir('full', [[0, 1], [2], [3, 4], [5], [6]], [7, 8, 9]);
    const tr = loadCifar10(d, 'train');
    expect([tr.n, tr.height, tr.width, tr.channels]).toEqual([7, 32, 32, 3]);
    expect(Array.from(tr.labels)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // example 2 is the first record of data_batch_2 (salt 10): its green pixel at h=1, w=2
    expect(tr.images[((2 * 32 + 1) * 32 + 2) * 3 + 1]).toBe(Math.fround(pixel(1, 1, 2, 10) / 255));
    const te = loadCifar10(d, 'test');
    expect(Array.from(te.labels)).toEqual([7, 8, 9]);
    const lim = loadCifar10(d, 'train', { limit: 4 });
    expect(Array.from(lim.labels)).toEqual([0, 1, 2, 3]);
    expect(Array.from(lim.images)).toEqual(Array.from(tr.images.subarray(0, 4 * 3072)));
    expect(loadCifar10(d, 'train', { limit: 0 }).n).toBe(0);
  });

  it('finds the archive layout <dir>/cifar-10-batches-bin/', () => {
    makeDir(path.join('parent', 'cifar-10-batches-bin'), [[1], [1], [1], [1], [1]], [2]);
    expect(Array.from(loadCifar10(path.join(dir, 'parent'), 'test').labels)).toEqual([2]);
  });

  it('errors: missing dir, missing file, bad size, bad label', () => {
    const missing = path.join(dir, 'nope');
    expect(badMessage(() => loadCifar10(missing, 'train'))).toContain(missing);
    const d = makeDir('partial', [[0], [0], [0], [0], [0]], [0]);
    fs.rmSync(path.join(d, 'data_batch_4.bin'));
    expect(badMessage(() => loadCifar10(d, 'train'))).toMatch(/missing data_batch_4\.bin/);
    expect(loadCifar10(d, 'test').n).toBe(1); // the test split does not need the training files
    const t = path.join(d, 'test_batch.bin');
    fs.writeFileSync(t, Buffer.concat([record(0, 0), Buffer.alloc(5)]));
    const m = badMessage(() => loadCifar10(d, 'test'));
    expect(m).toContain(t);
    expect(m).toMatch(/3078 bytes is not a positive multiple of the 3073-byte/);
    fs.writeFileSync(t, Buffer.alloc(0));
    expect(badMessage(() => loadCifar10(d, 'test'))).toMatch(/size 0 bytes/);
    fs.writeFileSync(t, record(10, 0));
    expect(badMessage(() => loadCifar10(d, 'test'))).toMatch(/record 0 has label 10/);
    expect(() => loadCifar10(d, 'test', { limit: -1 })).toThrow(BadInputError);
  });
});
