import { describe, expect, it } from 'vitest';
import { boolArg, nonNegativeInt, oneOf, positiveInt } from './args.ts';
import { BadInputError } from '../src/errors.ts';

describe('builder argument checks', () => {
  it('positiveInt accepts 1, 7 and rejects 0, -1, 1.5, NaN, "3", undefined', () => {
    expect(positiveInt(1, 'f')).toBe(1);
    expect(positiveInt(7, 'f')).toBe(7);
    for (const bad of [0, -1, 1.5, NaN, '3', undefined]) expect(() => positiveInt(bad, 'mlp.width')).toThrow(BadInputError);
    expect(() => positiveInt(0, 'mlp.width')).toThrow('mlp.width must be a positive integer (got 0)');
    expect(() => positiveInt(undefined, 'mlp.width')).toThrow('mlp.width must be a positive integer (got undefined)');
  });

  it('nonNegativeInt accepts 0 and rejects -1 and 2.5', () => {
    expect(nonNegativeInt(0, 'f')).toBe(0);
    expect(() => nonNegativeInt(-1, 'mlp.depth')).toThrow('mlp.depth must be a non-negative integer (got -1)');
    expect(() => nonNegativeInt(2.5, 'mlp.depth')).toThrow(BadInputError);
  });

  it('oneOf returns the default for undefined and rejects other strings', () => {
    expect(oneOf(undefined, ['a', 'b'] as const, 'f', 'b')).toBe('b');
    expect(oneOf('a', ['a', 'b'] as const, 'f', 'b')).toBe('a');
    expect(() => oneOf('c', ['a', 'b'] as const, 'x.act', 'a')).toThrow('x.act must be one of "a", "b" (got "c")');
  });

  it('boolArg', () => {
    expect(boolArg(undefined, 'f', true)).toBe(true);
    expect(boolArg(false, 'f', true)).toBe(false);
    expect(() => boolArg('yes', 'wrn.skip', true)).toThrow('wrn.skip must be true or false (got "yes")');
  });
});
