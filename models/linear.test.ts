import { describe, expect, it } from 'vitest';
import { deepLinear } from './linear.ts';
import { parameterCount, paramSpecs } from './spec.ts';

describe('deepLinear (Theorem 6.1)', () => {
  it('W_0..W_beta, all linear, no bias, mse (d=3, l=4, beta=3, 2 outputs)', () => {
    const s = deepLinear({ input: 3, width: 4, depth: 3, outputs: 2 });
    expect(s.input).toEqual([3]);
    expect(s.loss).toBe('mse');
    expect(s.layers).toEqual([
      { type: 'dense', units: 4, activation: 'linear', bias: false },
      { type: 'dense', units: 4, activation: 'linear', bias: false },
      { type: 'dense', units: 4, activation: 'linear', bias: false },
      { type: 'dense', units: 2, activation: 'linear', bias: false },
    ]);
    // 3*4 + 4*4 + 4*4 + 4*2.
    expect(parameterCount(s)).toBe(12 + 16 + 16 + 8);
    expect(paramSpecs(s).map((p) => p.depthIndex)).toEqual([0, 1, 2, 3]);
  });

  it('defaults to one output; depth 0 is plain linear regression', () => {
    expect(deepLinear({ input: 5, width: 2, depth: 0 }).layers).toEqual([{ type: 'dense', units: 1, activation: 'linear', bias: false }]);
  });

  it('validates like mlp', () => {
    expect(() => deepLinear({ input: 5, width: 2, depth: -2 })).toThrow(/depth must be a non-negative integer/);
  });
});
