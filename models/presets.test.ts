import { describe, expect, it } from 'vitest';
import { PRESETS, PRESET_NAMES, preset } from './presets.ts';
import { outputShape, parameterCount } from './spec.ts';
import { initWeights } from './init.ts';
import { checkWeights } from './weights.ts';
import { BadInputError } from '../src/errors.ts';

describe('presets', () => {
  it('mlp: 784 -> 512 tanh x4 -> 10, parameters by hand', () => {
    const s = preset('mlp');
    expect(s.input).toEqual([784]);
    expect(s.layers.map((l) => (l.type === 'dense' ? `${l.units}:${l.activation}` : l.type))).toEqual([
      '512:tanh', '512:tanh', '512:tanh', '512:tanh', '10:linear',
    ]);
    expect(parameterCount(s)).toBe((784 * 512 + 512) + 3 * (512 * 512 + 512) + (512 * 10 + 10));
    expect(parameterCount(s)).toBe(1195018);
    expect(s.loss).toBe('softmax-xent');
  });

  it('cnn: 28x28x1 -> conv32 -> conv64/2 -> 14*14*64 -> 128 -> 10', () => {
    const s = preset('cnn');
    expect(s.input).toEqual([28, 28, 1]);
    const expected = (3 * 3 * 1 * 32 + 32) + (3 * 3 * 32 * 64 + 64) + (14 * 14 * 64 * 128 + 128) + (128 * 10 + 10);
    expect(expected).toBe(1625866);
    expect(parameterCount(s)).toBe(expected);
    expect(s.layers[1]).toMatchObject({ type: 'conv2d', filters: 64, stride: 2, padding: 'same', activation: 'relu' });
    expect(outputShape(s)).toEqual([10]);
  });

  it('resnet: stem conv16+bn, two residual blocks, avgpool 4 -> 7x7x16 -> 10', () => {
    const s = preset('resnet');
    expect(s.layers.map((l) => l.type)).toEqual([
      'conv2d', 'batchnorm', 'activation', 'residual', 'activation', 'residual', 'activation', 'avgpool', 'flatten', 'dense',
    ]);
    const r = s.layers[3]!;
    expect(r.type === 'residual' && r.layers.map((l) => l.type)).toEqual(['conv2d', 'batchnorm', 'activation', 'conv2d', 'batchnorm']);
    // stem 3*3*1*16 (no bias) + bn 2*16; per block 2 * 3*3*16*16 + 2 * 2*16; dense 7*7*16*10 + 10.
    expect(parameterCount(s)).toBe(144 + 32 + 2 * (2 * 2304 + 64) + (784 * 10 + 10));
    expect(parameterCount(s)).toBe(17370);
  });

  it('wrn: WRN-16-2 on 28x28x1 with projection shortcuts; parameters by hand', () => {
    const s = preset('wrn');
    expect(s.input).toEqual([28, 28, 1]);
    // 3x3 convs (no bias, batch norm after each): stem 1 -> 16; group 1: 16 -> 32, then 3 x 32 -> 32;
    // group 2: 32 -> 64, 3 x 64 -> 64; group 3: 64 -> 128, 3 x 128 -> 128. Shortcuts 1x1: 16 -> 32,
    // 32 -> 64, 64 -> 128. Batch norm: 2 per channel after each of them. Dense 128 -> 10.
    const k3 = 9 * (16 + 16 * 32 + 3 * 32 * 32 + 32 * 64 + 3 * 64 * 64 + 64 * 128 + 3 * 128 * 128);
    const k1 = 16 * 32 + 32 * 64 + 64 * 128;
    const bn = 2 * (16 + 5 * 32 + 5 * 64 + 5 * 128);
    expect(parameterCount(s)).toBe(k3 + k1 + bn + 128 * 10 + 10);
    expect(parameterCount(s)).toBe(691834);
    expect(outputShape(s)).toEqual([10]);
  });

  it('transformer: embedding 256 x 128, two pre-LN blocks with 4 heads, T = 64, globalavgpool, 10 classes', () => {
    const s = preset('transformer');
    expect(s.input).toEqual([64]);
    expect(s.layers.map((l) => l.type)).toEqual(['embedding', 'residual', 'residual', 'residual', 'residual', 'layernorm', 'globalavgpool', 'dense']);
    const attn = 4 * (128 * 128 + 128);
    const mlp = (128 * 512 + 512) + (512 * 128 + 128);
    const ln = 2 * 128;
    expect(parameterCount(s)).toBe(256 * 128 + 2 * (ln + attn + ln + mlp) + ln + (128 * 10 + 10));
    const r = s.layers[1]!;
    expect(r.type === 'residual' && r.layers).toEqual([{ type: 'layernorm', epsilon: 1e-5 }, { type: 'attention', heads: 4, causal: false }]);
    expect(outputShape(s)).toEqual([10]);
  });

  it('every preset initializes into weights that pass checkWeights', () => {
    for (const name of PRESET_NAMES) checkWeights(PRESETS[name], initWeights(PRESETS[name], { init: 'he', seed: 1 }));
  });

  it('preset() returns a fresh copy; PRESETS is frozen', () => {
    const a = preset('mlp');
    a.layers.pop();
    expect(preset('mlp').layers.length).toBe(5);
    expect(Object.isFrozen(PRESETS.mlp.layers)).toBe(true);
  });

  it('an unknown name lists the presets', () => {
    expect(() => preset('vgg')).toThrow(new BadInputError('unknown model preset "vgg"; presets: mlp, cnn, resnet, wrn, transformer'));
  });
});
