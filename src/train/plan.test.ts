/**
 * Sweep configuration and plans: the paper preset mirrors the paper's Section 7 numbers (written
 * here from ../shared/paper/THEOREMS.md, not from the code), options are checked with the option
 * named, plans have unique keys in the expected number, and the model families have the layer
 * structure their docs state (counted by hand for small cases).
 */
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors.ts';
import { defaultDecayEpochs, modelChoice, sweepConfig, sweepPlan } from './plan.ts';
import { denseStack, modelSpecFor } from './families.ts';
import { parameterCount, paramSpecs } from '../../models/spec.ts';

describe('sweepConfig', () => {
  it('paper scale mirrors Section 7: 200 epochs, ÷10 at 80 and 160, 5 runs, batch 128, 100 pairs × 128, tuned rate, sizes', () => {
    const w = sweepConfig('width', 'cifar10', 'paper', { dataDir: '/d' });
    expect(w).toMatchObject({ epochs: 200, lrDecayEpochs: [80, 160], lrDecayFactor: 0.1, seeds: [0, 1, 2, 3, 4], batchSize: 128, pairs: 100, probeBatch: 128,
      lr: null, trainExamples: null, testExamples: null, family: 'cnn', values: [2, 3, 4, 5, 6], fixed: 16 });
    expect(sweepConfig('depth', 'cifar10', 'paper', { dataDir: '/d' })).toMatchObject({ family: 'cnn', values: [16, 22, 28, 34, 40], fixed: 2 });
    const b = sweepConfig('bn-skip', 'cifar10', 'paper', { dataDir: '/d' });
    expect(b.family).toBe('resnet');
    expect(b.values[0]).toBe(16);
    expect(b.values[b.values.length - 1]).toBe(100);
    expect(b.variants).toEqual(['plain', 'bn', 'skip', 'bn+skip']);
  });

  it('decay epochs default to 40 % and 80 % of the epochs (the paper\'s 80/160 of 200)', () => {
    expect(defaultDecayEpochs(200)).toEqual([80, 160]);
    expect(defaultDecayEpochs(10)).toEqual([4, 8]);
    expect(defaultDecayEpochs(1)).toEqual([]);
    expect(sweepConfig('width', 'mnist', 'paper', { epochs: 50 }).lrDecayEpochs).toEqual([20, 40]);
  });

  it('a fixed --lr disables tuning; --seed shifts the seeds', () => {
    const c = sweepConfig('depth', 'mnist', 'small', { lr: 0.05, seeds: 2, firstSeed: 10 });
    expect(c.lr).toBe(0.05);
    expect(c.lrGrid).toEqual([]);
    expect(c.seeds).toEqual([10, 11]);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['values not increasing', () => sweepConfig('width', 'mnist', 'small', { values: [8, 8] }), /--values must be strictly increasing/],
    ['zero value', () => sweepConfig('width', 'mnist', 'small', { values: [0, 8] }), /--values must be positive integers/],
    ['mlp for bn-skip', () => sweepConfig('bn-skip', 'mnist', 'small', { family: 'mlp' }), /--family mlp has no batch-norm/],
    ['resnet for width', () => sweepConfig('width', 'mnist', 'small', { family: 'resnet' }), /--family resnet is for the bn-skip sweep/],
    ['cnn depth', () => sweepConfig('depth', 'mnist', 'small', { family: 'cnn', values: [10, 15] }), /6 n \+ 4/],
    ['dense-stack odd depth', () => sweepConfig('bn-skip', 'mnist', 'small', { values: [5] }), /2·blocks \+ 2/],
    ['negative lr', () => sweepConfig('width', 'mnist', 'small', { lr: -1 }), /--lr must be a positive number/],
    ['train < batch', () => sweepConfig('width', 'mnist', 'small', { trainExamples: 64 }), /--train-examples \(64\) must be at least the batch size/],
    ['train < 2 probe batches', () => sweepConfig('width', 'mnist', 'small', { trainExamples: 200 }), /two probe minibatches/],
    ['unknown dataset', () => sweepConfig('width', 'svhn' as 'mnist', 'small'), /--dataset must be one of/],
  ];
  for (const [name, f, re] of bad) {
    it(`rejects ${name}`, () => {
      expect(f).toThrow(BadInputError);
      expect(f).toThrow(re);
    });
  }
});

describe('sweepPlan', () => {
  it('one run per level × variant × seed, unique keys, tuning shared across seeds', () => {
    const c = sweepConfig('bn-skip', 'mnist', 'small', { values: [4, 6], seeds: 2 });
    const p = sweepPlan(c);
    expect(p).toHaveLength(2 * 4 * 2);
    expect(new Set(p.map((r) => r.key)).size).toBe(p.length);
    expect(new Set(p.map((r) => r.configKey)).size).toBe(8);
    expect(p[0]!.key).toBe('plain/depth=4/seed=0');
    const last = p[p.length - 1]!;
    expect(last).toMatchObject({ key: 'bn+skip/depth=6/seed=1', level: 6, variant: 'bn+skip', model: { family: 'dense-stack', width: 64, depth: 6, bn: true, skip: true } });
    const w = sweepPlan(sweepConfig('width', 'mnist', 'small', { seeds: 1 }));
    expect(w.map((r) => r.key)).toEqual(['width=16/seed=0', 'width=32/seed=0', 'width=64/seed=0', 'width=128/seed=0', 'width=256/seed=0']);
    expect(w.every((r) => r.model.depth === 4)).toBe(true);
  });
});

describe('model families', () => {
  it('denseStack: stem, blocks of two units (residual with skip), head; biases dropped under BN', () => {
    // d = 5, width 3, 1 block, 2 classes, no BN, no skip: dense 5→3, 3→3, 3→3, 3→2 with biases.
    const plain = denseStack({ input: 5, width: 3, blocks: 1, classes: 2, bn: false, skip: false });
    expect(parameterCount(plain)).toBe((5 * 3 + 3) + 2 * (3 * 3 + 3) + (3 * 2 + 2));
    // With BN (no dense biases before BN; γ, β per BN layer: 3 BN layers × 6) and skip.
    const both = denseStack({ input: 5, width: 3, blocks: 1, classes: 2, bn: true, skip: true });
    expect(parameterCount(both)).toBe(5 * 3 + 2 * (3 * 3) + (3 * 2 + 2) + 3 * 6);
    expect(both.layers.map((l) => l.type)).toEqual(['dense', 'batchnorm', 'activation', 'residual', 'activation', 'dense']);
    const skip = denseStack({ input: 5, width: 3, blocks: 2, classes: 2, bn: false, skip: true });
    expect(skip.layers.filter((l) => l.type === 'residual')).toHaveLength(2);
    // depth = weight layers = 2·blocks + 2
    expect(paramSpecs(skip).filter((p) => p.role === 'kernel')).toHaveLength(6);
  });

  it('modelSpecFor: mlp on flat images, the paper\'s CNN-16-2 (13 convs + 1 dense, no BN, no skip), resnet with switches', () => {
    const c = sweepConfig('width', 'mnist', 'small');
    const m = modelSpecFor(modelChoice(c, 64, 'plain'), [28, 28, 1], 10);
    expect(m.input).toEqual([784]);
    expect(m.layers.filter((l) => l.type === 'dense')).toHaveLength(5); // 4 hidden + output
    const cnn = modelSpecFor({ family: 'cnn', width: 2, depth: 16, bn: false, skip: false }, [32, 32, 3], 10);
    expect(cnn.input).toEqual([32, 32, 3]);
    expect(paramSpecs(cnn).filter((p) => p.role === 'kernel' && p.shape.length === 4)).toHaveLength(13);
    expect(cnn.layers.some((l) => l.type === 'batchnorm' || l.type === 'residual')).toBe(false);
    const wrn = modelSpecFor({ family: 'resnet', width: 2, depth: 16, bn: true, skip: true }, [32, 32, 3], 10);
    expect(wrn.layers.some((l) => l.type === 'residual')).toBe(true);
    expect(wrn.layers.some((l) => l.type === 'batchnorm')).toBe(true);
  });
});
