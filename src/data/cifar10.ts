/**
 * CIFAR-10 in its binary format ("CIFAR-10 binary version"): files `data_batch_1.bin` …
 * `data_batch_5.bin` (training, 50000 images) and `test_batch.bin` (10000 images), each a
 * sequence of 3073-byte records: 1 label byte (0..9), then 3072 pixel bytes, channel-major —
 * the 1024 red values of the 32 × 32 image in row-major order, then the green, then the blue.
 *
 * Shape convention: `images` is NHWC, a row-major `n × 32 × 32 × 3` Float32Array in [0, 1]
 * (byte / 255), the layout of tfjs image inputs; `labels` a Uint8Array of length n.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BadInputError, check } from '../errors.ts';

/** Bytes per record: 1 label + 3 × 32 × 32 pixels. */
export const CIFAR10_RECORD_BYTES = 3073;

/** Class names, indexed by label. */
export const CIFAR10_CLASSES = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const;

/** The training and test file names. */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

/** A decoded CIFAR-10 split. */
export interface Cifar10Dataset {
  /** n × 32 × 32 × 3 (NHWC), values in [0, 1]. */
  images: Float32Array;
  /** n labels in 0..9. */
  labels: Uint8Array;
  n: number;
  height: 32;
  width: 32;
  channels: 3;
}

const PIXELS = 32 * 32;

/**
 * Decodes CIFAR-10 binary records held in memory.
 * @param buf concatenated 3073-byte records
 * @param source name used in error messages
 * @param limit decode only the first `limit` records (the size is still checked)
 * @returns NHWC images in [0, 1], labels, and the record count
 * @throws BadInputError if the size is zero or not a multiple of 3073, or a label exceeds 9
 */
export function parseCifar10Batch(
  buf: Uint8Array,
  source = '<buffer>',
  limit?: number,
): { images: Float32Array; labels: Uint8Array; n: number } {
  check(
    buf.length > 0 && buf.length % CIFAR10_RECORD_BYTES === 0,
    () => `${source}: size ${buf.length} bytes is not a positive multiple of the ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 record (1 label + 3072 pixels)`,
  );
  const total = buf.length / CIFAR10_RECORD_BYTES;
  const n = limit === undefined ? total : Math.min(total, limit);
  const images = new Float32Array(n * PIXELS * 3);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * CIFAR10_RECORD_BYTES;
    const y = buf[r]!;
    check(y <= 9, () => `${source}: record ${i} has label ${y}, outside 0..9`);
    labels[i] = y;
    const out = i * PIXELS * 3;
    for (let c = 0; c < 3; c++) {
      const src = r + 1 + c * PIXELS;
      // pixel p = h·32 + w goes to NHWC offset (p·3 + c)
      for (let p = 0; p < PIXELS; p++) images[out + p * 3 + c] = buf[src + p]! / 255;
    }
  }
  return { images, labels, n };
}

/**
 * Loads a CIFAR-10 split from `dir` (the directory holding the .bin files, or its parent
 * containing `cifar-10-batches-bin/` as the official archive extracts).
 * @param split 'train' (data_batch_1..5.bin, in order) or 'test' (test_batch.bin)
 * @param opts `limit`: keep only the first examples (later files are then not read)
 * @throws BadInputError if the directory or a file is missing, or a file is corrupt
 */
export function loadCifar10(dir: string, split: 'train' | 'test', opts: { limit?: number } = {}): Cifar10Dataset {
  check(split === 'train' || split === 'test', `cifar10: split must be 'train' or 'test', got '${String(split)}'`);
  const { limit } = opts;
  check(limit === undefined || (Number.isInteger(limit) && limit >= 0), `cifar10: limit must be a non-negative integer, got ${limit}`);
  check(fs.existsSync(dir) && fs.statSync(dir).isDirectory(), `${dir}: CIFAR-10 directory not found`);
  const nested = path.join(dir, 'cifar-10-batches-bin');
  const base = !fs.existsSync(path.join(dir, CIFAR10_FILES[split][0]!)) && fs.existsSync(nested) ? nested : dir;
  const files = CIFAR10_FILES[split].map((f) => path.join(base, f));
  for (const f of files) {
    check(fs.existsSync(f), () =>
      `${base}: missing ${path.basename(f)} (a CIFAR-10 directory holds data_batch_1.bin … data_batch_5.bin and test_batch.bin)`);
  }
  const parts: { images: Float32Array; labels: Uint8Array; n: number }[] = [];
  let n = 0;
  for (const f of files) {
    if (limit !== undefined && n >= limit) break;
    let buf: Buffer;
    try {
      buf = fs.readFileSync(f);
    } catch (e) {
      throw new BadInputError(`${f}: cannot read (${(e as Error).message})`);
    }
    const part = parseCifar10Batch(buf, f, limit === undefined ? undefined : limit - n);
    parts.push(part);
    n += part.n;
  }
  const images = new Float32Array(n * PIXELS * 3);
  const labels = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS * 3);
    labels.set(p.labels, at);
    at += p.n;
  }
  return { images, labels, n, height: 32, width: 32, channels: 3 };
}
