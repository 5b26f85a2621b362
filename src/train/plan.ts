/**
 * What a Section 7 sweep trains: the sweep kinds (width, depth, bn-skip), the two scales (`small`
 * for this 2-core machine, `paper` mirroring the paper's sizes for GPU machines), and the list of
 * runs (one per level × variant × seed) with the keys that make results resumable.
 *
 * The paper (Sankararaman et al., ICML 2020, Section 7; ../shared/paper/THEOREMS.md): MSRA (He)
 * init, plain SGD without momentum, batch 128, no weight decay, 200 epochs with the learning rate
 * divided by 10 at epochs 80 and 160, initial rate tuned on a log grid (lowest training loss),
 * 5 runs; depth β ∈ {16, 22, 28, 34, 40} at width 2, width ℓ ∈ {2..6} at depth 16, BN/skip over
 * β ∈ {16 .. 100}; at the end of every epoch 100 pairs of minibatches of size 128.
 */
import { BadInputError } from '../errors.ts';

/** The sweeps of Section 7. */
export const SWEEP_KINDS = ['width', 'depth', 'bn-skip'] as const;
/** One of {@link SWEEP_KINDS}. */
export type SweepKind = (typeof SWEEP_KINDS)[number];
/** Datasets a sweep can train on. */
export const DATASETS = ['mnist', 'fashion-mnist', 'cifar10'] as const;
/** One of {@link DATASETS}. */
export type DatasetName = (typeof DATASETS)[number];
/** Presets: `small` (this machine, minutes) and `paper` (the paper's sizes, GPU machines). */
export const SCALES = ['small', 'paper'] as const;
/** One of {@link SCALES}. */
export type Scale = (typeof SCALES)[number];
/**
 * Model families: `mlp` (Section 4's fully connected net, ReLU, linear output), `cnn` (the
 * paper's CNN-β-ℓ: WRN stack without BN and skip), `resnet` (WRN stack with BN/skip switches),
 * `dense-stack` (the same stack as `resnet` with dense layers in place of convs: cheap enough
 * for the BN/skip study on 2 CPU cores).
 */
export const FAMILIES = ['mlp', 'cnn', 'resnet', 'dense-stack'] as const;
/** One of {@link FAMILIES}. */
export type Family = (typeof FAMILIES)[number];
/** The four corners of the BN/skip study. */
export const VARIANTS = ['plain', 'bn', 'skip', 'bn+skip'] as const;
/** One of {@link VARIANTS}. */
export type Variant = (typeof VARIANTS)[number];

/** One model of a sweep. Width/depth meaning depends on the family (see `modelSpecFor`). */
export interface ModelChoice {
  family: Family;
  /** mlp / dense-stack: units per hidden layer; cnn / resnet: the width factor ℓ. */
  width: number;
  /** mlp: hidden layers β; dense-stack: weight layers 2·blocks + 2; cnn / resnet: WRN depth 6n + 4. */
  depth: number;
  bn: boolean;
  skip: boolean;
}

/** Everything that determines a sweep's results (stored in sweep.json; resume must match). */
export interface SweepConfig {
  kind: SweepKind;
  dataset: DatasetName;
  /** Directory of the dataset files (cifar10: required; fashion-mnist: default the Debian path). */
  dataDir: string | null;
  scale: Scale;
  family: Family;
  /** The swept levels: widths (width sweep) or depths (depth, bn-skip sweeps), increasing. */
  values: number[];
  /** The fixed other dimension: depth for the width sweep, width for the others. */
  fixed: number;
  /** bn-skip sweep: the variants trained at each depth (others: ['plain']). */
  variants: Variant[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  /** Fixed initial learning rate, or null to tune on `lrGrid`. */
  lr: number | null;
  /** Log grid of initial rates tried when `lr` is null. */
  lrGrid: number[];
  /** Epochs of each tuning run (constant rate; the rate with the lowest training loss wins). */
  tuneEpochs: number;
  /** Epochs (0-based) from which the rate is multiplied by `lrDecayFactor` (paper: 80, 160). */
  lrDecayEpochs: number[];
  lrDecayFactor: number;
  /** Training examples used (a seeded subset), or null for the whole training split. */
  trainExamples: number | null;
  /** Test examples used (a seeded subset), or null for the whole test split. */
  testExamples: number | null;
  /** Seed of the data subsets (the same for every run, so runs see the same data). */
  dataSeed: number;
  /** Probe: pairs of minibatches per epoch and their size (paper: 100 × 128). */
  pairs: number;
  probeBatch: number;
}

/** One training run of a sweep. */
export interface RunPlan {
  /** Unique within the sweep, e.g. `width=64/seed=0`, `bn+skip/depth=16/seed=2`. */
  key: string;
  /** The run's configuration without the seed (shared by its learning-rate tuning), e.g. `width=64`. */
  configKey: string;
  /** The swept value (width or depth). */
  level: number;
  variant: Variant;
  seed: number;
  model: ModelChoice;
}

/** Learning-rate decay epochs mirroring the paper's 80/160 of 200: round(0.4 E), round(0.8 E). */
export function defaultDecayEpochs(epochs: number): number[] {
  return [...new Set([Math.round(0.4 * epochs), Math.round(0.8 * epochs)])].filter((e) => e > 0 && e < epochs);
}

/** User overrides of a preset (CLI options); undefined = preset value. */
export interface SweepOverrides {
  dataDir?: string;
  family?: Family;
  values?: number[];
  fixed?: number;
  seeds?: number;
  firstSeed?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  lrGrid?: number[];
  tuneEpochs?: number;
  lrDecayEpochs?: number[];
  trainExamples?: number;
  testExamples?: number;
  dataSeed?: number;
  pairs?: number;
  probeBatch?: number;
}

interface Preset { family: Family; values: number[]; fixed: number; /** Seeds, when not the scale's default. */ seeds?: number }

/**
 * The presets. `paper`: the paper's CNN-β-ℓ for width (ℓ = 2..6 at β = 16) and depth (β = 16..40
 * at ℓ = 2), the WRN stack with BN/skip switches over β ∈ {16, 28, 40, 52, 76, 100} at ℓ = 2.
 * `small` (2 CPU cores, ≤ 10 minutes per sweep): ReLU MLPs on a subset of the data — width
 * {16..256} at 4 hidden layers, depth {1..16} hidden layers at width 64 — and the dense BN/skip
 * stack at width 64 over depths {4, 10, 18, 26} weight layers (3 seeds: 4 variants × 4 depths
 * are 16 configurations; a stratified test over 4 depths has ample power with 3 seeds each).
 */
const PRESETS: Record<Scale, Record<SweepKind, Preset>> = {
  paper: {
    width: { family: 'cnn', values: [2, 3, 4, 5, 6], fixed: 16 },
    depth: { family: 'cnn', values: [16, 22, 28, 34, 40], fixed: 2 },
    'bn-skip': { family: 'resnet', values: [16, 28, 40, 52, 76, 100], fixed: 2 },
  },
  small: {
    width: { family: 'mlp', values: [16, 32, 64, 128, 256], fixed: 4 },
    depth: { family: 'mlp', values: [1, 2, 4, 8, 16], fixed: 64 },
    'bn-skip': { family: 'dense-stack', values: [4, 10, 18, 26], fixed: 64, seeds: 3 },
  },
};

/** Training settings of each scale (epochs, data, probe, tuning). */
const SCALE_SETTINGS: Record<Scale, Omit<SweepConfig, 'kind' | 'dataset' | 'dataDir' | 'scale' | 'family' | 'values' | 'fixed' | 'variants' | 'lrDecayEpochs'>> = {
  paper: {
    seeds: [0, 1, 2, 3, 4], epochs: 200, batchSize: 128, lr: null, lrGrid: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1], tuneEpochs: 20,
    lrDecayFactor: 0.1, trainExamples: null, testExamples: null, dataSeed: 0, pairs: 100, probeBatch: 128,
  },
  small: {
    seeds: [0, 1, 2, 3, 4], epochs: 8, batchSize: 128, lr: null, lrGrid: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1], tuneEpochs: 2,
    lrDecayFactor: 0.1, trainExamples: 8192, testExamples: 2000, dataSeed: 0, pairs: 100, probeBatch: 128,
  },
};

function positiveInts(v: number[], field: string): number[] {
  if (v.length === 0) throw new BadInputError(`${field} must list at least one value`);
  for (const x of v) if (!Number.isSafeInteger(x) || x < 1) throw new BadInputError(`${field} must be positive integers (got ${x})`);
  return v;
}

/**
 * The full configuration of a sweep: the scale's preset with the user's overrides applied and
 * checked (each problem a BadInputError naming the option).
 */
export function sweepConfig(kind: SweepKind, dataset: DatasetName, scale: Scale, o: SweepOverrides = {}): SweepConfig {
  if (!(SWEEP_KINDS as readonly string[]).includes(kind)) throw new BadInputError(`sweep must be one of ${SWEEP_KINDS.join(', ')} (got "${kind}")`);
  if (!(DATASETS as readonly string[]).includes(dataset)) throw new BadInputError(`--dataset must be one of ${DATASETS.join(', ')} (got "${dataset}")`);
  if (!(SCALES as readonly string[]).includes(scale)) throw new BadInputError(`--scale must be one of ${SCALES.join(', ')} (got "${scale}")`);
  const preset = PRESETS[scale][kind];
  const s = SCALE_SETTINGS[scale];
  const family = o.family ?? preset.family;
  if (!(FAMILIES as readonly string[]).includes(family)) throw new BadInputError(`--family must be one of ${FAMILIES.join(', ')} (got "${family}")`);
  if (kind !== 'bn-skip' && (family === 'resnet' || family === 'dense-stack')) {
    throw new BadInputError(`--family ${family} is for the bn-skip sweep; the ${kind} sweep trains mlp or cnn`);
  }
  if (kind === 'bn-skip' && (family === 'mlp' || family === 'cnn')) {
    throw new BadInputError(`--family ${family} has no batch-norm/skip switches; the bn-skip sweep trains resnet or dense-stack`);
  }
  const values = positiveInts(o.values ?? preset.values, '--values');
  for (let i = 1; i < values.length; i++) if (values[i]! <= values[i - 1]!) throw new BadInputError('--values must be strictly increasing');
  const fixed = o.fixed ?? preset.fixed;
  positiveInts([fixed], '--fixed');
  const seedsCount = o.seeds ?? preset.seeds ?? s.seeds.length;
  if (!Number.isSafeInteger(seedsCount) || seedsCount < 1) throw new BadInputError(`--seeds must be a positive integer (got ${seedsCount})`);
  const first = o.firstSeed ?? 0;
  const epochs = o.epochs ?? s.epochs;
  positiveInts([epochs], '--epochs');
  const lrDecayEpochs = o.lrDecayEpochs ?? (o.epochs === undefined && scale === 'paper' ? [80, 160] : defaultDecayEpochs(epochs));
  for (const e of lrDecayEpochs) if (!Number.isSafeInteger(e) || e < 0) throw new BadInputError(`--lr-decay epochs must be non-negative integers (got ${e})`);
  const lr = o.lr ?? (o.lrGrid ? null : s.lr);
  if (lr !== null && !(lr > 0 && Number.isFinite(lr))) throw new BadInputError(`--lr must be a positive number (got ${lr})`);
  const lrGrid = o.lrGrid ?? s.lrGrid;
  if (lr === null && lrGrid.length === 0) throw new BadInputError('--lr-grid must list at least one rate');
  for (const r of lrGrid) if (!(r > 0 && Number.isFinite(r))) throw new BadInputError(`--lr-grid rates must be positive numbers (got ${r})`);
  const cfg: SweepConfig = {
    kind, dataset, dataDir: o.dataDir ?? null, scale, family, values, fixed,
    variants: kind === 'bn-skip' ? [...VARIANTS] : ['plain'],
    seeds: Array.from({ length: seedsCount }, (_, i) => first + i),
    epochs, batchSize: o.batchSize ?? s.batchSize, lr, lrGrid: lr === null ? lrGrid : [], tuneEpochs: o.tuneEpochs ?? s.tuneEpochs,
    lrDecayEpochs, lrDecayFactor: s.lrDecayFactor,
    trainExamples: o.trainExamples ?? s.trainExamples, testExamples: o.testExamples ?? s.testExamples,
    dataSeed: o.dataSeed ?? s.dataSeed, pairs: o.pairs ?? s.pairs, probeBatch: o.probeBatch ?? s.probeBatch,
  };
  positiveInts([cfg.batchSize, cfg.tuneEpochs, cfg.pairs, cfg.probeBatch], '--batch-size, --tune-epochs, --pairs and --probe-batch');
  if (cfg.trainExamples !== null) positiveInts([cfg.trainExamples], '--train-examples');
  if (cfg.testExamples !== null) positiveInts([cfg.testExamples], '--test-examples');
  if (cfg.trainExamples !== null && cfg.trainExamples < cfg.batchSize) throw new BadInputError(`--train-examples (${cfg.trainExamples}) must be at least the batch size (${cfg.batchSize})`);
  if (cfg.trainExamples !== null && cfg.trainExamples < 2 * cfg.probeBatch) throw new BadInputError(`--train-examples (${cfg.trainExamples}) must be at least two probe minibatches (2 × ${cfg.probeBatch})`);
  if (family === 'cnn' || family === 'resnet') {
    for (const d of kind === 'width' ? [fixed] : values) {
      if (d < 10 || (d - 4) % 6 !== 0) throw new BadInputError(`${kind === 'width' ? '--fixed' : '--values'}: a ${family} depth must be 6 n + 4 (10, 16, 22, ...), got ${d}`);
    }
  }
  if (family === 'dense-stack') {
    for (const d of values) if (d < 2 || d % 2 !== 0) throw new BadInputError(`--values: a dense-stack depth counts weight layers 2·blocks + 2 (4, 6, 8, ...), got ${d}`);
  }
  return cfg;
}

/** The model of one level/variant. */
export function modelChoice(cfg: SweepConfig, level: number, variant: Variant): ModelChoice {
  const width = cfg.kind === 'width' ? level : cfg.fixed;
  const depth = cfg.kind === 'width' ? cfg.fixed : level;
  return { family: cfg.family, width, depth, bn: variant === 'bn' || variant === 'bn+skip', skip: variant === 'skip' || variant === 'bn+skip' };
}

/** Every run of the sweep, in order level → variant → seed. */
export function sweepPlan(cfg: SweepConfig): RunPlan[] {
  const out: RunPlan[] = [];
  const dim = cfg.kind === 'width' ? 'width' : 'depth';
  for (const level of cfg.values) {
    for (const variant of cfg.variants) {
      const configKey = cfg.kind === 'bn-skip' ? `${variant}/${dim}=${level}` : `${dim}=${level}`;
      for (const seed of cfg.seeds) {
        out.push({ key: `${configKey}/seed=${seed}`, configKey, level, variant, seed, model: modelChoice(cfg, level, variant) });
      }
    }
  }
  return out;
}
