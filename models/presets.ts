/**
 * The benchmark models behind the CLI's `--preset mlp|cnn|resnet|wrn|transformer` (probe cost
 * benchmarks and quick experiments on MNIST-sized inputs). Written out as literal specs so they
 * read as data, except `wrn`, which is the `wrn` builder's WRN-16-2.
 */
import type { ModelSpec } from './spec.ts';
import { validateSpec } from './spec.ts';
import { wrn } from './wrn.ts';
import { BadInputError } from '../src/errors.ts';

/** The preset names. */
export const PRESET_NAMES = ['mlp', 'cnn', 'resnet', 'wrn', 'transformer'] as const;
/** One of {@link PRESET_NAMES}. */
export type PresetName = (typeof PRESET_NAMES)[number];

const RAW: Record<PresetName, unknown> = {
  // 784 -> 512 tanh x4 -> 10: 784*512+512 + 3*(512*512+512) + 512*10+10 = 1,195,018 parameters.
  mlp: {
    input: [784],
    layers: [
      { type: 'dense', units: 512, activation: 'tanh' },
      { type: 'dense', units: 512, activation: 'tanh' },
      { type: 'dense', units: 512, activation: 'tanh' },
      { type: 'dense', units: 512, activation: 'tanh' },
      { type: 'dense', units: 10, activation: 'linear' },
    ],
    loss: 'softmax-xent',
  },
  // 28x28x1 -> 28x28x32 -> 14x14x64 -> 12544 -> 128 -> 10.
  cnn: {
    input: [28, 28, 1],
    layers: [
      { type: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
      { type: 'conv2d', filters: 64, kernel: 3, stride: 2, padding: 'same', activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: 10, activation: 'linear' },
    ],
    loss: 'softmax-xent',
  },
  // 28x28x1 -> conv 16, bn, relu -> 2 x relu(x + bn(conv(relu(bn(conv(x)))))) -> avgpool 4
  // (7x7x16) -> flatten 784 -> 10. Convs without bias (batch norm follows each).
  resnet: {
    input: [28, 28, 1],
    layers: [
      { type: 'conv2d', filters: 16, kernel: 3, padding: 'same', bias: false },
      { type: 'batchnorm' },
      { type: 'activation', activation: 'relu' },
      ...[0, 1].flatMap(() => [
        {
          type: 'residual',
          layers: [
            { type: 'conv2d', filters: 16, kernel: 3, padding: 'same', bias: false },
            { type: 'batchnorm' },
            { type: 'activation', activation: 'relu' },
            { type: 'conv2d', filters: 16, kernel: 3, padding: 'same', bias: false },
            { type: 'batchnorm' },
          ],
        },
        { type: 'activation', activation: 'relu' },
      ]),
      { type: 'avgpool', size: 4 },
      { type: 'flatten' },
      { type: 'dense', units: 10, activation: 'linear' },
    ],
    loss: 'softmax-xent',
  },
  // WRN-16-2 (the paper's Section 7 architecture) with batch norm, skip connections and 1x1
  // projection shortcuts at the transitions, on 28x28x1, 10 classes.
  wrn: wrn({ input: [28, 28, 1], depth: 16, widthFactor: 2, classes: 10, batchnorm: true, skip: true }),
  // A small pre-LN transformer classifier: token ids [64] -> embedding 256 x 128 -> two blocks
  // [x + attn(LN(x)) with 4 heads, x + MLP(LN(x)) with 512 gelu units] -> LN -> mean over
  // positions -> 10 classes. No positional embedding (not in the spec vocabulary): it is a
  // cost benchmark, not a sequence model of record.
  transformer: {
    input: [64],
    layers: [
      { type: 'embedding', vocab: 256, dim: 128 },
      ...[0, 1].flatMap(() => [
        { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'attention', heads: 4 }] },
        { type: 'residual', layers: [{ type: 'layernorm' }, { type: 'dense', units: 512, activation: 'gelu' }, { type: 'dense', units: 128 }] },
      ]),
      { type: 'layernorm' },
      { type: 'globalavgpool' },
      { type: 'dense', units: 10 },
    ],
    loss: 'softmax-xent',
  },
};

/**
 * The validated preset specs (frozen; use {@link preset} for a fresh, mutable copy):
 * - `mlp`: input [784], dense 512 tanh four times, dense 10 linear; softmax-xent.
 * - `cnn`: input [28, 28, 1], conv 3x3x32 same relu, conv 3x3x64 stride 2 same relu, flatten,
 *   dense 128 relu, dense 10; softmax-xent.
 * - `resnet`: input [28, 28, 1], conv 3x3x16 -> bn -> relu, two residual blocks
 *   [conv 3x3x16, bn, relu, conv 3x3x16, bn] each followed by relu, avgpool 4 (28 -> 7),
 *   flatten, dense 10; softmax-xent. Batch norm and skip connections both on.
 * - `wrn`: WRN-16-2 (`wrn` builder: batch norm, skip, 1x1 projection shortcuts) on [28, 28, 1],
 *   10 classes.
 * - `transformer`: token ids [64] -> embedding (vocab 256, dim 128) -> two pre-LN blocks
 *   (4-head attention; MLP 512 gelu) -> layernorm -> globalavgpool -> dense 10; softmax-xent.
 */
export const PRESETS: Readonly<Record<PresetName, ModelSpec>> = Object.freeze(
  Object.fromEntries(PRESET_NAMES.map((n) => [n, deepFreeze(validateSpec(RAW[n]))])) as Record<PresetName, ModelSpec>,
);

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * A fresh copy of the named preset's spec.
 * @throws BadInputError listing the preset names for an unknown name.
 */
export function preset(name: string): ModelSpec {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new BadInputError(`unknown model preset ${JSON.stringify(name)}; presets: ${PRESET_NAMES.join(', ')}`);
  }
  return structuredClone(PRESETS[name as PresetName]) as ModelSpec;
}
