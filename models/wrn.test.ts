import { describe, expect, it } from 'vitest';
import { wrn, wrnBlocksPerGroup } from './wrn.ts';
import type { Layer } from './spec.ts';
import { outputShape, parameterCount, paramSpecs } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

const count = (layers: Layer[], type: string): number =>
  layers.reduce((a, l) => a + (l.type === type ? 1 : 0) + (l.type === 'residual' ? count(l.layers, type) : 0), 0);
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
      { type: 'conv2d', filters: 16, kernel: 3, stride: 1, padding: 'same', activation: 'linear', bias: false },
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

  it('skip on, n=2, l=2: transition blocks stay plain, the others are residual', () => {
    const s = wrn({ input: [8, 8, 3], blocksPerGroup: 2, widthFactor: 2, classes: 3, batchnorm: false, skip: true });
    // Group 1 block 0 is a transition (16 -> 32 filters), groups 2, 3 block 0 (stride 2): 3
    // residual blocks remain, each [conv relu, conv linear] then a relu activation layer.
    expect(count(s.layers, 'residual')).toBe(3);
    expect(s.layers.length).toBe(1 + 3 * (2 + 2) + 3);
    const r = s.layers[3]!;
    expect(r).toEqual({
      type: 'residual',
      layers: [
        { type: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'relu', bias: true },
        { type: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 'same', activation: 'linear', bias: true },
      ],
    });
    expect(s.layers[4]).toEqual({ type: 'activation', activation: 'relu' });
    const c = (cin: number, cout: number) => 3 * 3 * cin * cout + cout;
    const total = c(3, 16) + c(16, 32) + c(32, 32) + 2 * c(32, 32) + c(32, 64) + c(64, 64) + 2 * c(64, 64)
      + c(64, 128) + c(128, 128) + 2 * c(128, 128) + 128 * 3 + 3;
    expect(total).toBe(679107);
    expect(parameterCount(s)).toBe(679107);
    // Skip connections add no parameters.
    expect(parameterCount(wrn({ input: [8, 8, 3], blocksPerGroup: 2, widthFactor: 2, classes: 3, batchnorm: false, skip: false }))).toBe(679107);
  });

  it('skip with l = 1: group 1 block 0 is residual too; bn inside the block ends with bn', () => {
    const s = wrn({ input: [4, 4, 1], blocksPerGroup: 1, widthFactor: 1, classes: 2, batchnorm: true, skip: true });
    expect(count(s.layers, 'residual')).toBe(1);
    const r = s.layers.find((l) => l.type === 'residual');
    expect(r && r.type === 'residual' && r.layers.map((l) => l.type)).toEqual(['conv2d', 'batchnorm', 'activation', 'conv2d', 'batchnorm']);
  });

  it('depth = 6 n + 4: 6 n + 1 convs; the pool covers the final map', () => {
    for (const [depth, n] of [[10, 1], [16, 2], [22, 3], [28, 4], [40, 6]] as const) {
      expect(wrnBlocksPerGroup(depth)).toBe(n);
      const s = wrn({ input: [32, 32, 3], depth, widthFactor: 1, classes: 10, batchnorm: true, skip: true });
      expect(convKernels(s)).toBe(6 * n + 1);
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
