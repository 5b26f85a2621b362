import { describe, expect, it } from 'vitest';
import { resnet } from './resnet.ts';
import type { Layer } from './spec.ts';
import { parameterCount } from './spec.ts';

const types = (layers: Layer[]): string[] => layers.flatMap((l) => (l.type === 'residual' ? ['residual', ...types(l.layers)] : [l.type]));
const base = { input: [8, 8, 3], depth: 16, widthFactor: 1, classes: 10 };

describe('resnet (the BN / skip study)', () => {
  it('switches batch norm and skip connections independently', () => {
    for (const bn of [false, true]) for (const skip of [false, true]) {
      const t = types(resnet({ ...base, bn, skip }).layers);
      expect(t.includes('batchnorm')).toBe(bn);
      // n = 2, l = 1: block 1 of each group and block 0 of group 1 (16 -> 16) are residual.
      expect(t.filter((x) => x === 'residual').length).toBe(skip ? 4 : 0);
      expect(t.filter((x) => x === 'batchnorm').length).toBe(bn ? 13 : 0);
    }
  });

  it('skip adds no parameters; bn adds 2 per channel and removes conv biases', () => {
    const plain = parameterCount(resnet({ ...base, bn: false, skip: false }));
    expect(parameterCount(resnet({ ...base, bn: false, skip: true }))).toBe(plain);
    // 13 convs: stem 16, group 1: 4 x 16, group 2: 4 x 32, group 3: 4 x 64 output channels.
    const channels = 16 + 4 * 16 + 4 * 32 + 4 * 64;
    expect(parameterCount(resnet({ ...base, bn: true, skip: true }))).toBe(plain - channels + 2 * channels);
  });

  it('errors name resnet.*', () => {
    expect(() => resnet({ ...base, bn: 1 as unknown as boolean, skip: true })).toThrow(/^resnet\.bn must be true or false/);
    expect(() => resnet({ ...base, depth: 12, bn: true, skip: true })).toThrow(/^resnet\.depth/);
  });
});
