/** The restricted expression evaluator: correct values, LaTeX, and the known mathjs escape attempts rejected. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileBound } from './restricted.ts';

describe('compileBound', () => {
  it('evaluates bounds over named variables (values computed by hand)', () => {
    const b = compileBound('N^2 * exp(-c * d * eta^2 / (16 * zeta0^4 * (beta + 2)^4))', ['N', 'c', 'd', 'eta', 'zeta0', 'beta']);
    // N² exp(−1·16·1/(16·1·16)) = 4·exp(−1/16)
    expect(b.evaluate({ N: 2, c: 1, d: 16, eta: 1, zeta0: 1, beta: 0 })).toBeCloseTo(4 * Math.exp(-1 / 16), 14);
    expect(b.tex).toContain('\\exp');
    expect(compileBound('x > 1 ? sqrt(x) : -x', ['x']).evaluate({ x: 4 })).toBe(2);
    expect(compileBound('max(a, b) + pi', ['a', 'b']).evaluate({ a: 1, b: 3 })).toBeCloseTo(3 + Math.PI, 14);
  });

  const escapes: [string, RegExp][] = [
    ['import({x: 1})', /calling import/],
    ['createUnit("foo")', /calling createUnit|constant/],
    ['evaluate("1+1")', /calling evaluate|constant/],
    ['parse("1")', /calling parse|constant/],
    ['simplify("x")', /calling simplify|constant/],
    ['cos.constructor("return process")()', /not allowed|cannot parse/],
    ['cos.constructor("return process")', /not allowed/],
    ['cos["constructor"]', /not allowed/],
    ['f(x) = x', /functionassignment/],
    ['a = 1', /assignment/],
    ['{a: 1}.a', /not allowed/],
    ['[1, 2]', /array/],
    ['x[1]', /not allowed/],
    ['1; 2', /block/],
    ['process', /symbol "process"/],
    ['(cos)(1)', /computed function|not allowed/],
    ['"abc"', /constant "abc"/],
  ];
  for (const [expr, msg] of escapes) {
    it(`rejects ${expr}`, () => {
      expect(() => compileBound(expr, ['x'])).toThrow(msg);
    });
  }

  it('empty and over-long expressions are rejected; 2000 characters are fine; the result carries its source, TeX and variables', () => {
    expect(() => compileBound('   ', ['x'])).toThrow(/empty expression/);
    expect(() => compileBound('', ['x'], '--bound')).toThrow(/^--bound: empty expression$/);
    const long = `x${' + 0'.repeat(499)}   `; // 1 + 499·4 + 3 = 2000 characters
    expect(long.length).toBe(2000);
    expect(compileBound(long, ['x']).evaluate({ x: 2 })).toBe(2);
    expect(() => compileBound(`${long}+`, ['x'])).toThrow(/longer than 2000/);
    const b = compileBound('sqrt(x) + pi', ['x', 'y'], 'src');
    expect(b.expression).toBe('sqrt(x) + pi');
    expect(b.variables).toEqual(['x', 'y']);
    expect(b.tex).toContain('\\sqrt');
    expect(() => b.evaluate({ x: 1 })).toThrow(/^src: no value for variable "y"$/);
    expect(() => compileBound('e + pi + x', ['x']).evaluate({ x: 0 })).not.toThrow();
    expect(() => compileBound('exp(x)', ['x']).evaluate({ x: 1e6 })).toThrow(/not a finite real number/);
  });

  it('non-finite results, missing variables and syntax errors are clear errors', () => {
    expect(() => compileBound('1/x', ['x']).evaluate({ x: 0 })).toThrow(/not a finite real number/);
    expect(() => compileBound('sqrt(x)', ['x']).evaluate({ x: -1 })).toThrow(/not a finite real number/);
    expect(() => compileBound('x + y', ['x', 'y']).evaluate({ x: 1 })).toThrow(/no value for variable "y"/);
    expect(() => compileBound('x +* 2', ['x'])).toThrow(/cannot parse/);
  });

  it('error messages in full: the source (default "bound"), what was refused, and what is allowed', () => {
    expect(() => compileBound('exp2(x)', ['x'])).toThrow(/^bound: calling exp2 \(allowed: exp, log, sqrt, abs, min, max, pow, floor, ceil, log1p, expm1, sin, cos, tanh\) is not allowed in an expression$/);
    expect(() => compileBound('process', ['x', 'y'])).toThrow(/^bound: the symbol "process" \(variables: x, y\) is not allowed in an expression$/);
    expect(() => compileBound('process', [])).toThrow(/^bound: the symbol "process" \(variables: none\) is not allowed in an expression$/);
    expect(() => compileBound('[1, 2]', ['x'])).toThrow(/^bound: a array node is not allowed in an expression$/);
    expect(() => compileBound('{a: 1}.a', ['x'], 'src')).toThrow(/^src: a accessor node is not allowed in an expression$/);
    expect(() => compileBound('x +* 2', ['x'])).toThrow(/^bound: cannot parse "x \+\* 2": Value expected \(char 4\)$/);
    expect(() => compileBound('log(x)', ['x']).evaluate({ x: 0 })).toThrow(/^bound: "log\(x\)" is not a finite real number at \{"x":0\} \(got -Infinity\)$/);
    // A variable, a constant and a callee are the three symbols that pass.
    expect(compileBound('x * pi + cos(0)', ['x']).evaluate({ x: 1 })).toBeCloseTo(Math.PI + 1, 14);
    expect(() => compileBound('cos', ['x'])).toThrow(/the symbol "cos"/);
  });

  it('never throws anything but a BadInputError, whatever the input (fast-check, seed 11)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.double({ noNaN: true }), (s, x) => {
      try {
        const v = compileBound(s, ['x']).evaluate({ x });
        return Number.isFinite(v);
      } catch (e) {
        return (e as Error).name === 'BadInputError';
      }
    }), { seed: 11, numRuns: 2000 });
  });
});
