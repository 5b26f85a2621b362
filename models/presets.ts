/**
 * The benchmark models behind the CLI's `--model mlp|cnn|resnet` (probe cost benchmarks and
 * quick experiments on MNIST-sized inputs). Written out as literal specs so they read as data.
 */
import type { ModelSpec } from './spec.ts';
import { validateSpec } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

/** The preset names. */
export const PRESET_NAMES = ['mlp', 'cnn', 'resnet'] as const;
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
};

/**
 * The validated preset specs (frozen; use {@link preset} for a fresh, mutable copy):
 * - `mlp`: input [784], dense 512 tanh four times, dense 10 linear; softmax-xent.
 * - `cnn`: input [28, 28, 1], conv 3x3x32 same relu, conv 3x3x64 stride 2 same relu, flatten,
 *   dense 128 relu, dense 10; softmax-xent.
 * - `resnet`: input [28, 28, 1], conv 3x3x16 -> bn -> relu, two residual blocks
 *   [conv 3x3x16, bn, relu, conv 3x3x16, bn] each followed by relu, avgpool 4 (28 -> 7),
 *   flatten, dense 10; softmax-xent. Batch norm and skip connections both on.
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
