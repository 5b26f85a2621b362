import { describe, expect, it } from 'vitest';
import { resnet } from './resnet.ts';
import type { Layer } from './spec.ts';
import { parameterCount } from './spec.ts';

const types = (layers: Layer[]): string[] => layers.flatMap((l) => (l.type === 'residual' ? ['residual', ...types(l.layers), ...types(l.shortcut ?? [])] : [l.type]));
const base = { input: [8, 8, 3], depth: 16, widthFactor: 1, classes: 10 };

describe('resnet (the BN / skip study)', () => {
  it('switches batch norm and skip connections independently', () => {
    for (const bn of [false, true]) for (const skip of [false, true]) {
      const t = types(resnet({ ...base, bn, skip }).layers);
      expect(t.includes('batchnorm')).toBe(bn);
      // n = 2, l = 1: all 6 blocks are residual; the 2 stride-2 transitions have a projection
      // shortcut (conv 1x1 [-> bn]); block 0 of group 1 (16 -> 16) keeps the identity.
      expect(t.filter((x) => x === 'residual').length).toBe(skip ? 6 : 0);
      expect(t.filter((x) => x === 'batchnorm').length).toBe(bn ? 13 + (skip ? 2 : 0) : 0);
    }
  });

  it('skip adds only the projections; bn adds 2 per channel and removes conv biases', () => {
    const plain = parameterCount(resnet({ ...base, bn: false, skip: false }));
    // Projections 16 -> 32 and 32 -> 64, 1x1, with bias when there is no batch norm.
    const proj = (16 * 32 + 32) + (32 * 64 + 64);
    expect(parameterCount(resnet({ ...base, bn: false, skip: true }))).toBe(plain + proj);
    // 13 convs: stem 16, group 1: 4 x 16, group 2: 4 x 32, group 3: 4 x 64 output channels.
    const channels = 16 + 4 * 16 + 4 * 32 + 4 * 64;
    expect(parameterCount(resnet({ ...base, bn: true, skip: false }))).toBe(plain - channels + 2 * channels);
    // With bn: the projections lose their bias and get a batch norm (2 per channel) each.
    expect(parameterCount(resnet({ ...base, bn: true, skip: true }))).toBe(plain - channels + 2 * channels + proj - (32 + 64) + 2 * (32 + 64));
  });

  it('errors name resnet.*', () => {
    expect(() => resnet({ ...base, bn: 1 as unknown as boolean, skip: true })).toThrow(/^resnet\.bn must be true or false/);
    expect(() => resnet({ ...base, depth: 12, bn: true, skip: true })).toThrow(/^resnet\.depth/);
  });
});
