/**
 * bench/counts.ts against counts done by hand on small shapes (the arithmetic is written out in
 * the comments, not computed by the module) and on the mlp preset.
 */
import { describe, expect, it } from 'vitest';
import { countLayer, countModel, layerShapes } from './counts.ts';
import { preset } from '../models/presets.ts';
import { validateSpec } from '../models/spec.ts';

// [4, 4, 2] → conv 3×3, 3 filters, stride 2, same (out 2×2: T = 4, patch 3·3·2 = 18) → flatten 12 → dense 5.
const small = validateSpec({
  input: [4, 4, 2],
  layers: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 5 }],
  loss: 'softmax-xent',
});

describe('multiply-add counts from the shapes', () => {
  it('layer shapes of a small conv net', () => {
    expect(layerShapes(small)).toEqual([
      { name: 'layers.0', kind: 'conv2d', t: 4, patch: 18, cout: 3, groups: 1, bias: true },
      { name: 'layers.2', kind: 'dense', t: 1, patch: 12, cout: 5, groups: 1, bias: true },
    ]);
  });

  it('B = 2, hand-counted', () => {
    const c = countModel(layerShapes(small), 2);
    // conv: M = 2·4·18·3 = 432; ghost (2·4)²·(18 + 3) = 1344; materialize 432 + 2²·18·3 + 2²·3 = 660.
    expect(c.layers[0]).toEqual({ name: 'layers.0', forward: 432, inputGrad: 0, weightGrad: 432, ghost: 1344, materialize: 660, form: 'materialize' });
    // dense: M = 2·12·5 = 120; ghost 2²·(12 + 5) = 68; materialize 120 + 4·60 + 4·5 = 380.
    expect(c.layers[1]).toEqual({ name: 'layers.2', forward: 120, inputGrad: 120, weightGrad: 120, ghost: 68, materialize: 380, form: 'ghost' });
    expect([c.forward, c.inputGrad, c.weightGrad, c.gram]).toEqual([552, 120, 552, 728]);
    expect(c.plain).toBe(552 + 120 + 552);
    expect(c.probe).toBe(552 + 120 + 728);
    expect(c.floor).toBeCloseTo(1400 / 1224, 12);
    // Quadratic part: conv 660 − 432 = 228, dense ghost 68.
    expect(c.gramQuadratic).toBe(296);
  });

  it('symmetric Grams count B(B+1)/2 entries', () => {
    const c = countModel(layerShapes(small), 2, { symmetric: true });
    // conv: (8·9/2)·21 = 756 ghost, 432 + 3·54 + 3·3 = 603 materialize; dense: 3·17 = 51, 120 + 180 + 15 = 315.
    expect(c.layers.map((l) => [l.ghost, l.materialize])).toEqual([[756, 603], [51, 315]]);
  });

  it('grouped convolution: ghost per group', () => {
    // [4, 4, 4] → 1×1 conv, 6 filters, 2 groups: T = 16, patch 2, cout 6, cout/G 3; B = 1.
    const [l] = layerShapes(validateSpec({ input: [4, 4, 4], layers: [{ type: 'conv2d', filters: 6, kernel: 1, groups: 2, padding: 'valid', bias: false }, { type: 'flatten' }, { type: 'dense', units: 1 }], loss: 'mse' }));
    const c = countLayer(l!, 1, true);
    // M = 16·2·6 = 192; ghost 16²·(2 + 3)·2 = 2560; materialize 192 + 1·2·6 = 204 (no bias).
    expect([c.forward, c.inputGrad, c.ghost, c.materialize]).toEqual([192, 0, 2560, 204]);
  });

  it('the mlp preset at B = 128 (counted by hand)', () => {
    const c = countModel(layerShapes(preset('mlp')), 128);
    // forward = 128·(784·512 + 3·512² + 512·10) = 128·1,192,960 = 152,698,880 = weight gradients;
    // input gradients skip the first layer: 128·(3·512² + 5120) = 101,318,656;
    // Gram, ghost on every layer: 128²·((784+512) + 3·(512+512) + (512+10)) = 16384·4890 = 80,117,760.
    expect([c.forward, c.inputGrad, c.weightGrad, c.gram]).toEqual([152_698_880, 101_318_656, 152_698_880, 80_117_760]);
    expect(c.layers.every((l) => l.form === 'ghost')).toBe(true);
    expect(c.floor).toBeCloseTo(334_135_296 / 406_716_416, 12);
  });

  it('a layer it does not count is an error naming it', () => {
    expect(() => layerShapes(preset('resnet'))).toThrow(/layer type "batchnorm" is not counted/);
  });
});
