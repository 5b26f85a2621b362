/**
 * Sweep data: per-channel normalization (checked by hand on CIFAR-10 binary files written here),
 * seeded subsets (same seed → same subset; subset rows are distinct rows of the split; another
 * seed → another subset), and the install hint when Fashion-MNIST is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES } from '../data/cifar10.ts';
import { loadSweepData, checkData } from './datasets.ts';
import { BadInputError } from '../errors.ts';

let dir = '';
const bytes: Buffer[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-data-'));
  const cifar = join(dir, 'cifar');
  mkdirSync(cifar);
  // Record r of file f: label (f + r) % 10, pixel byte (7·r + p + f) % 256.
  [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].forEach((name, f) => {
    const n = 6;
    const b = Buffer.alloc(n * CIFAR10_RECORD_BYTES);
    for (let r = 0; r < n; r++) {
      b[r * CIFAR10_RECORD_BYTES] = (f + r) % 10;
      for (let p = 0; p < 3072; p++) b[r * CIFAR10_RECORD_BYTES + 1 + p] = (7 * r + p + f) % 256;
    }
    bytes.push(b);
    writeFileSync(join(cifar, name), b);
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSweepData', () => {
  it('CIFAR-10: NHWC, normalized per channel with (byte/255 − mean_c) / std_c', () => {
    const d = loadSweepData({ dataset: 'cifar10', dataDir: join(dir, 'cifar'), trainExamples: null, testExamples: null, dataSeed: 0 });
    expect(d.image).toEqual([32, 32, 3]);
    expect(d.nTrain).toBe(30);
    expect(d.nTest).toBe(6);
    const mean = [0.4914, 0.4822, 0.4465];
    const std = [0.2470, 0.2435, 0.2616];
    // Training record 7 = file 1, record 1; pixel (h=2, w=5), channel c: byte at 1 + c·1024 + 2·32 + 5.
    for (let c = 0; c < 3; c++) {
      const byte = bytes[1]![1 * CIFAR10_RECORD_BYTES + 1 + c * 1024 + 2 * 32 + 5]!;
      expect(d.xTrain[7 * 3072 + (2 * 32 + 5) * 3 + c]).toBeCloseTo((byte / 255 - mean[c]!) / std[c]!, 5);
    }
    expect(d.yTrain[7]).toBe((1 + 1) % 10);
  });

  it('seeded subsets: reproducible, distinct rows of the split, different for another seed', () => {
    const req = { dataset: 'cifar10' as const, dataDir: join(dir, 'cifar'), trainExamples: 10, testExamples: 3, dataSeed: 4 };
    const full = loadSweepData({ ...req, trainExamples: null, testExamples: null });
    const a = loadSweepData(req);
    const b = loadSweepData(req);
    expect(a.xTrain).toEqual(b.xTrain);
    expect(a.nTrain).toBe(10);
    const rowOf = (x: Float32Array, i: number) => x.subarray(i * 3072, (i + 1) * 3072).join(',');
    const fullRows = Array.from({ length: full.nTrain }, (_, i) => rowOf(full.xTrain, i));
    const picked = Array.from({ length: 10 }, (_, i) => fullRows.indexOf(rowOf(a.xTrain, i)));
    expect(picked.every((j) => j >= 0)).toBe(true);
    expect(new Set(picked).size).toBe(10);
    picked.forEach((j, i) => expect(a.yTrain[i]).toBe(full.yTrain[j]));
    const c = loadSweepData({ ...req, dataSeed: 5 });
    expect(c.xTrain).not.toEqual(a.xTrain);
    expect(() => loadSweepData({ ...req, trainExamples: 31 })).toThrow(/asked for 31 examples, the split has 30/);
  });

  it('a missing Fashion-MNIST directory is a BadInputError; checkData reads no more than a header', () => {
    const req = { dataset: 'fashion-mnist' as const, dataDir: join(dir, 'nope'), trainExamples: null, testExamples: null, dataSeed: 0 };
    expect(() => checkData(req)).toThrow(BadInputError);
    expect(() => checkData(req)).toThrow(/fashion-mnist/);
    expect(() => checkData({ ...req, dataset: 'cifar10', dataDir: null })).toThrow(/--data-dir is required for cifar10/);
  });
});
