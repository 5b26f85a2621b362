import { describe, expect, it } from 'vitest';
import { cnn } from './cnn.ts';
import { wrn } from './wrn.ts';
import type { Layer } from './spec.ts';
import { parameterCount } from './spec.ts';

const types = (layers: Layer[]): string[] => layers.flatMap((l) => (l.type === 'residual' ? ['residual', ...types(l.layers)] : [l.type]));

describe('cnn (CNN-beta-l)', () => {
  it('is the WRN stack without batch norm and skip connections', () => {
    const s = cnn({ input: [32, 32, 3], depth: 16, widthFactor: 2, classes: 10 });
    expect(s).toEqual(wrn({ input: [32, 32, 3], depth: 16, widthFactor: 2, classes: 10, batchnorm: false, skip: false }));
    expect(types(s.layers)).not.toContain('batchnorm');
    expect(types(s.layers)).not.toContain('residual');
    expect(types(s.layers).filter((t) => t === 'conv2d').length).toBe(13); // 6 * 2 + 1
  });

  it('n = 1, l = 1 on [4, 4, 1]: parameters by hand', () => {
    const c = (cin: number, cout: number) => 3 * 3 * cin * cout + cout;
    const s = cnn({ input: [4, 4, 1], blocksPerGroup: 1, widthFactor: 1, classes: 2 });
    expect(parameterCount(s)).toBe(c(1, 16) + 2 * c(16, 16) + c(16, 32) + c(32, 32) + c(32, 64) + c(64, 64) + 64 * 2 + 2);
  });

  it('errors name cnn.*', () => {
    expect(() => cnn({ input: [8, 8, 3], depth: 17, widthFactor: 1, classes: 10 })).toThrow(/^cnn\.depth/);
  });
});
