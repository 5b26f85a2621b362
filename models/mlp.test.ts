import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mlp } from './mlp.ts';
import { outputShape, parameterCount, paramSpecs } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

describe('mlp', () => {
  it("'paper' variant defaults: s at every layer, no bias, 1 output, mse (d=5, l=7, beta=2)", () => {
    const s = mlp({ input: 5, width: 7, depth: 2 });
    expect(s).toEqual({
      input: [5],
      layers: [
        { type: 'dense', units: 7, activation: 'tanh', bias: false },
        { type: 'dense', units: 7, activation: 'tanh', bias: false },
        { type: 'dense', units: 1, activation: 'tanh', bias: false },
      ],
      loss: 'mse',
    });
    // W_0: 5*7, W_1: 7*7, W_2: 7*1.
    expect(parameterCount(s)).toBe(35 + 49 + 7);
    expect(paramSpecs(s).map((p) => [p.name, p.shape])).toEqual([
      ['layers.0.kernel', [5, 7]], ['layers.1.kernel', [7, 7]], ['layers.2.kernel', [7, 1]],
    ]);
  });

  it("'linear-output': linear last layer, bias on by default", () => {
    const s = mlp({ input: 4, width: 3, depth: 1, outputs: 2, variant: 'linear-output', loss: 'softmax-xent', activation: 'relu' });
    expect(s.layers).toEqual([
      { type: 'dense', units: 3, activation: 'relu', bias: true },
      { type: 'dense', units: 2, activation: 'linear', bias: true },
    ]);
    expect(parameterCount(s)).toBe(4 * 3 + 3 + 3 * 2 + 2);
    expect(s.loss).toBe('softmax-xent');
  });

  it('depth 0 is the single layer d -> outputs; bias and loss can be set', () => {
    const s = mlp({ input: 6, width: 99, depth: 0, bias: true, loss: 'logistic', activation: 'sigmoid' });
    expect(s.layers).toEqual([{ type: 'dense', units: 1, activation: 'sigmoid', bias: true }]);
    expect(parameterCount(s)).toBe(7);
  });

  it('has beta + 1 weight matrices and d l + (beta - 1) l^2 + l o weights (property, seed 5)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }),
      (d, l, beta, o) => {
        const s = mlp({ input: d, width: l, depth: beta, outputs: o });
        expect(paramSpecs(s).length).toBe(beta + 1);
        expect(parameterCount(s)).toBe(d * l + (beta - 1) * l * l + l * o);
        expect(outputShape(s)).toEqual([o]);
      }), { seed: 5, numRuns: 100 });
  });

  it('names the offending field', () => {
    expect(() => mlp({ input: 3, width: 0, depth: 1 })).toThrow(new BadInputError('mlp.width must be a positive integer (got 0)'));
    expect(() => mlp({ input: 3, width: 2, depth: -1 })).toThrow('mlp.depth must be a non-negative integer (got -1)');
    expect(() => mlp({ input: 3, width: 2, depth: 1.5 })).toThrow(/mlp\.depth/);
    expect(() => mlp({ input: 0, width: 2, depth: 1 })).toThrow(/mlp\.input/);
    expect(() => mlp({ input: 3, width: 2, depth: 1, outputs: 0 })).toThrow(/mlp\.outputs/);
    expect(() => mlp({ input: 3, width: 2, depth: 1, activation: 'swish' as 'relu' })).toThrow(/mlp\.activation must be one of/);
    expect(() => mlp({ input: 3, width: 2, depth: 1, variant: 'x' as 'paper' })).toThrow(/mlp\.variant/);
    expect(() => mlp({ input: 3, width: 2, depth: 1, outputs: 2, loss: 'logistic' })).toThrow(/"logistic" needs a single output unit/);
  });
});
