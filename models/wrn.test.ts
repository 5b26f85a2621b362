import { describe, expect, it } from 'vitest';
import { wrn, wrnBlocksPerGroup } from './wrn.ts';
import type { Layer } from './spec.ts';
import { outputShape, parameterCount, paramSpecs } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

const count = (layers: Layer[], type: string): number =>
  layers.reduce((a, l) => a + (l.type === type ? 1 : 0) + (l.type === 'residual' ? count(l.layers, type) + count(l.shortcut ?? [], type) : 0), 0);
const convKernels = (s: ReturnType<typeof wrn>) => paramSpecs(s).filter((p) => p.role === 'kernel' && p.shape.length === 4).length;

describe('wrn', () => {
  it('n=1, l=1, no bn, no skip on [8,8,3]: layers and parameters counted by hand', () => {
    const s = wrn({ input: [8, 8, 3], blocksPerGroup: 1, widthFactor: 1, classes: 10, batchnorm: false, skip: false });
    // stem conv + 3 groups x 1 block x 2 convs, avgpool, flatten, dense.
    expect(s.layers.length).toBe(1 + 6 + 3);
    expect(s.layers.map((l) => (l.type === 'conv2d' ? `${l.filters}/${l.stride}/${l.activation}/${l.bias}` : l.type))).toEqual([
      '16/1/relu/true', '16/1/relu/true', '16/1/relu/true', '32/2/relu/true', '32/1/relu/true',
      '64/2/relu/true', '64/1/relu/true', 'avgpool', 'flatten', 'dense',
    ]);
    // 8 -> 8 -> 4 -> 2, so the global pool has size 2.
    expect(s.layers[7]).toEqual({ type: 'avgpool', size: 2 });
    expect(s.layers[9]).toEqual({ type: 'dense', units: 10, activation: 'linear', bias: true });
    const stem = 3 * 3 * 3 * 16 + 16;
    const g1 = 2 * (3 * 3 * 16 * 16 + 16);
    const g2 = (3 * 3 * 16 * 32 + 32) + (3 * 3 * 32 * 32 + 32);
    const g3 = (3 * 3 * 32 * 64 + 64) + (3 * 3 * 64 * 64 + 64);
    expect(stem + g1 + g2 + g3 + 64 * 10 + 10).toBe(75050);
    expect(parameterCount(s)).toBe(75050);
    expect(s.loss).toBe('softmax-xent');
    expect(outputShape(s)).toEqual([10]);
  });

  it('with batch norm: conv -> bn -> relu, conv bias off, gamma and beta per channel', () => {
    const s = wrn({ input: [8, 8, 3], blocksPerGroup: 1, widthFactor: 1, classes: 10, batchnorm: true, skip: false });
    expect(s.layers.length).toBe(3 * 7 + 3);
    expect(s.layers.slice(0, 3)).toEqual([
      { type: 'conv2d', filters: 16, kernel: 3, stride: 1, padding: 'same', activation: 'linear', bias: false, groups: 1 },
      { type: 'batchnorm', epsilon: 0.001 },
      { type: 'activation', activation: 'relu' },
    ]);
    const convs = 3 * 3 * 3 * 16 + 2 * 3 * 3 * 16 * 16 + 3 * 3 * 16 * 32 + 3 * 3 * 32 * 32 + 3 * 3 * 32 * 64 + 3 * 3 * 64 * 64;
    const bns = 2 * (16 + 2 * 16 + 2 * 32 + 2 * 64); // gamma + beta (mean/variance not trainable)
    expect(convs + bns + 650).toBe(75290);
    expect(parameterCount(s)).toBe(75290);
    // The only bias left is the final dense layer's (layers[23]).
    expect(paramSpecs(s).filter((p) => p.role === 'bias').map((p) => p.name)).toEqual(['layers.23.bias']);
  });

  it('skip on, n=2, l=2: every block residual; transitions get a 1x1 projection shortcut', () => {
    const s = wrn({ input: [8, 8, 3], blocksPerGroup: 2, widthFactor: 2, classes: 3, batchnorm: false, skip: true });
    // 6 blocks, each a residual followed by relu; 3 transitions (16 -> 32 filters; stride 2 twice).
    expect(count(s.layers, 'residual')).toBe(6);
    expect(s.layers.length).toBe(1 + 6 * 2 + 3);
    expect(s.layers[1]).toEqual({
      type: 'residual',
      layers: [
        { type: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'relu', bias: true, groups: 1 },
        { type: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'linear', bias: true, groups: 1 },
      ],
      shortcut: [{ type: 'conv2d', filters: 32, kernel: 1, stride: 1, padding: 'same', activation: 'linear', bias: true, groups: 1 }],
    });
    expect(s.layers[3]).toEqual({
      type: 'residual',
      layers: [
        { type: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'relu', bias: true, groups: 1 },
        { type: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'linear', bias: true, groups: 1 },
      ],
    });
    const r5 = s.layers[5]!;
    expect(r5.type === 'residual' && r5.layers[0]).toMatchObject({ filters: 64, stride: 2 });
    expect(r5.type === 'residual' && r5.shortcut).toEqual([{ type: 'conv2d', filters: 64, kernel: 1, stride: 2, padding: 'same', activation: 'linear', bias: true, groups: 1 }]);
    expect(s.layers[2]).toEqual({ type: 'activation', activation: 'relu' });
    const c = (cin: number, cout: number) => 3 * 3 * cin * cout + cout;
    const plain = c(3, 16) + c(16, 32) + c(32, 32) + 2 * c(32, 32) + c(32, 64) + c(64, 64) + 2 * c(64, 64)
      + c(64, 128) + c(128, 128) + 2 * c(128, 128) + 128 * 3 + 3;
    expect(plain).toBe(679107);
    // Without skip connections: the same convs, no shortcuts.
    expect(parameterCount(wrn({ input: [8, 8, 3], blocksPerGroup: 2, widthFactor: 2, classes: 3, batchnorm: false, skip: false }))).toBe(679107);
    // The three 1x1 projections (with bias, no batch norm) are the only extra parameters.
    const proj = (16 * 32 + 32) + (32 * 64 + 64) + (64 * 128 + 128);
    expect(parameterCount(s)).toBe(679107 + proj);
    expect(paramSpecs(s).filter((p) => p.name.includes('.shortcut.')).map((p) => p.name)).toEqual([
      'layers.1.shortcut.0.kernel', 'layers.1.shortcut.0.bias', 'layers.5.shortcut.0.kernel', 'layers.5.shortcut.0.bias',
      'layers.9.shortcut.0.kernel', 'layers.9.shortcut.0.bias',
    ]);
    expect(outputShape(s)).toEqual([3]);
  });

  it('WRN-16-2 with batch norm: projection shortcuts conv 1x1 -> bn, conv biases off; 6n+1 3x3 convs + 3 shortcut convs', () => {
    const s = wrn({ input: [28, 28, 1], depth: 16, widthFactor: 2, classes: 10, batchnorm: true, skip: true });
    const kernels = paramSpecs(s).filter((p) => p.role === 'kernel' && p.shape.length === 4);
    expect(kernels.filter((p) => p.shape[0] === 3)).toHaveLength(13);
    expect(kernels.filter((p) => p.shape[0] === 1).map((p) => p.shape)).toEqual([[1, 1, 16, 32], [1, 1, 32, 64], [1, 1, 64, 128]]);
    const r = s.layers.find((l) => l.type === 'residual' && l.shortcut && l.shortcut.length === 2);
    expect(r && r.type === 'residual' && r.shortcut!.map((l) => l.type)).toEqual(['conv2d', 'batchnorm']);
    expect(paramSpecs(s).filter((p) => p.role === 'bias').map((p) => p.name)).toEqual([`layers.${s.layers.length - 1}.bias`]);
    // 28 -> 28 -> 14 -> 7: the global pool covers 7x7.
    expect(s.layers.find((l) => l.type === 'avgpool')).toEqual({ type: 'avgpool', size: 7 });
  });

  it('skip with l = 1: group 1 block 0 keeps the identity skip (16 -> 16); bn inside the block ends with bn', () => {
    const s = wrn({ input: [4, 4, 1], blocksPerGroup: 1, widthFactor: 1, classes: 2, batchnorm: true, skip: true });
    const rs = s.layers.filter((l) => l.type === 'residual');
    expect(rs).toHaveLength(3);
    expect(rs.map((r) => r.type === 'residual' && r.shortcut !== undefined)).toEqual([false, true, true]);
    expect(rs[0]!.type === 'residual' && rs[0]!.layers.map((l) => l.type)).toEqual(['conv2d', 'batchnorm', 'activation', 'conv2d', 'batchnorm']);
  });

  it('depth = 6 n + 4: 6 n + 1 3x3 convs (+ the 1x1 shortcuts with skip); the pool covers the final map', () => {
    for (const [depth, n] of [[10, 1], [16, 2], [22, 3], [28, 4], [40, 6]] as const) {
      expect(wrnBlocksPerGroup(depth)).toBe(n);
      const s = wrn({ input: [32, 32, 3], depth, widthFactor: 1, classes: 10, batchnorm: true, skip: true });
      expect(convKernels(s)).toBe(6 * n + 1 + 2); // l = 1: groups 2 and 3 have projections
      expect(convKernels(wrn({ input: [32, 32, 3], depth, widthFactor: 2, classes: 10, batchnorm: true, skip: false }))).toBe(6 * n + 1);
      expect(convKernels(wrn({ input: [32, 32, 3], depth, widthFactor: 2, classes: 10, batchnorm: true, skip: true }))).toBe(6 * n + 4);
    }
    const m = wrn({ input: [28, 28, 1], depth: 10, widthFactor: 1, classes: 10, batchnorm: false, skip: false });
    expect(m.layers.find((l) => l.type === 'avgpool')).toEqual({ type: 'avgpool', size: 7 });
    const odd = wrn({ input: [9, 9, 3], depth: 10, widthFactor: 1, classes: 10, batchnorm: false, skip: false });
    expect(odd.layers.find((l) => l.type === 'avgpool')).toEqual({ type: 'avgpool', size: 3 }); // 9 -> 5 -> 3
  });

  it('rejects bad depths, shapes and counts, naming the field', () => {
    const base = { input: [8, 8, 3], widthFactor: 1, classes: 10, batchnorm: false, skip: false };
    for (const depth of [15, 4, 0, 16.5, -2]) {
      expect(() => wrn({ ...base, depth })).toThrow(/^wrn\.depth must be 6 n \+ 4/);
    }
    expect(() => wrn({ ...base, depth: 15 })).toThrow(BadInputError);
    expect(() => wrn(base)).toThrow(/wrn\.depth is required/);
    expect(() => wrn({ ...base, depth: 16, blocksPerGroup: 3 })).toThrow(/wrn\.depth \(16\) and wrn\.blocksPerGroup \(3\) disagree/);
    expect(() => wrn({ ...base, depth: 16, blocksPerGroup: 2 })).not.toThrow();
    expect(() => wrn({ ...base, depth: 10, input: [8, 6, 3] })).toThrow(/wrn\.input must be square/);
    expect(() => wrn({ ...base, depth: 10, input: [8, 8] })).toThrow(/wrn\.input must be an image shape/);
    expect(() => wrn({ ...base, depth: 10, classes: 1 })).toThrow(/wrn\.classes must be at least 2/);
    expect(() => wrn({ ...base, depth: 10, widthFactor: 0 })).toThrow(/wrn\.widthFactor/);
    expect(() => wrn({ ...base, depth: 10, skip: 'yes' as unknown as boolean })).toThrow(/wrn\.skip must be true or false/);
  });
});
