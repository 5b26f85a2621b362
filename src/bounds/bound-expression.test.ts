import { describe, expect, it } from 'vitest';
import { BoundExpression } from './bound-expression.ts';
import { THM31_BOUND, THM31_CONJECTURE, THM31_NO_NEIGHBOURHOOD, THM31_STEP, THM31_WEAK_STEP, THM32_BOUND, THM32_PRINTED } from './sgd-bounds.ts';
import { BadInputError } from '../errors.ts';

describe('BoundExpression (mathjs): evaluation, free variables, LaTeX', () => {
  it('evaluates a block and returns its last value; free variables exclude assigned ones and function names', () => {
    const e = new BoundExpression('t', 'y = 2 * x\nexp(y) + z', 'test', { x: '\\xi' });
    expect(e.variables).toEqual(['x', 'z']);
    expect(e.evaluate({ x: 0.5, z: 1 })).toBeCloseTo(Math.E + 1, 15);
    expect(e.tex()).toContain('\\xi');
  });

  it('evaluate() of a predicate and holds() of a value are errors; a single expression needs no block', () => {
    const pred = new BoundExpression('p', 'a > 1', 'test');
    expect(() => pred.evaluate({ a: 2 })).toThrow(/did not evaluate to a number/);
    expect(pred.holds({ a: 2 })).toBe(true);
    expect(pred.holds({ a: 0.5 })).toBe(false);
    const one = new BoundExpression('one', 'a * 2', 'test');
    expect(one.evaluate({ a: 1.5 })).toBe(3);
    expect(one.id).toBe('one');
    expect(one.description).toBe('test');
    expect(one.source).toBe('a * 2');
    expect(new BoundExpression('t', 'r = 2\nr * x', 'test').variables).toEqual(['x']);
    expect(new BoundExpression('t', 'x', 'test', { x: 'X_0' }).tex()).toBe('X_0');
    expect(new BoundExpression('t', 'x + y', 'test', { x: 'X_0' }).tex()).toContain('y');
  });

  it('rejects missing or non-finite variables with a BadInputError naming the variable', () => {
    const e = new BoundExpression('t', 'a + b', 'test');
    expect(() => e.evaluate({ a: 1 })).toThrow(BadInputError);
    expect(() => e.evaluate({ a: 1 })).toThrow(/variable b/);
    expect(() => e.evaluate({ a: 1, b: Number.NaN })).toThrow(/variable b/);
  });

  it('predicates: the step conditions of Thm 3.1/3.2 and the 2/L variant', () => {
    expect(THM31_STEP.holds({ alpha: 0.24, N: 4, L: 2 })).toBe(true);
    expect(THM31_STEP.holds({ alpha: 0.25, N: 4, L: 2 })).toBe(false);
    expect(THM31_WEAK_STEP.holds({ alpha: 0.9, L: 2 })).toBe(true);
    expect(THM31_WEAK_STEP.holds({ alpha: 1, L: 2 })).toBe(false);
    expect(() => THM31_BOUND.holds({ mu: 1, N: 2, alpha: 0.1, L: 1, T: 3, gap0: 1, eta: 0.5 })).toThrow(/predicate/);
  });
});

describe('the bounds of Theorems 3.1 and 3.2 against hand computation', () => {
  it('Thm 3.1: μ = 1, N = 2, α = 0.1, L = 1, T = 3, F(w0) − F* = 1, η = 0.5', () => {
    // ρ = 1 − (2/2)(0.1 − 2·1·0.01/2) = 1 − 0.09 = 0.91; ρ³ = 0.753571; α η/(1 − ρ) = 0.05/0.09.
    expect(THM31_BOUND.evaluate({ mu: 1, N: 2, alpha: 0.1, L: 1, T: 3, gap0: 1, eta: 0.5 })).toBeCloseTo(0.753571 + 0.05 / 0.09, 14);
    expect(THM31_NO_NEIGHBOURHOOD.evaluate({ mu: 1, N: 2, alpha: 0.1, L: 1, T: 3, gap0: 1 })).toBeCloseTo(0.753571, 14);
  });

  it('Thm 3.1 conjecture (ρ from α − Lα²/2) and the theorem at the same point: μ = 1, N = 2, α = 0.5, L = 1, T = 2, gap0 = 1, η = 0.1', () => {
    // conjecture: α − Lα²/2 = 0.375, 1 − ρ = (2/2)·0.375, ρ² = 0.390625, αη/(1 − ρ) = 0.05/0.375 ⇒ 0.5239583…
    // theorem:    α − NLα²/2 = 0.25,  1 − ρ = 0.25, ρ² = 0.5625, αη/(1 − ρ) = 0.2 ⇒ 0.7625
    const s = { mu: 1, N: 2, alpha: 0.5, L: 1, T: 2, gap0: 1, eta: 0.1 };
    expect(THM31_CONJECTURE.evaluate(s)).toBeCloseTo(0.390625 + 0.05 / 0.375, 14);
    expect(THM31_BOUND.evaluate(s)).toBeCloseTo(0.7625, 14);
    expect(THM31_CONJECTURE.variables).toEqual(['mu', 'N', 'alpha', 'L', 'T', 'gap0', 'eta']);
    expect(THM31_CONJECTURE.tex()).toContain('\\alpha');
  });

  it('Thm 3.1 keeps full relative precision of αη/(1 − ρ) when μα is tiny (no 1 − (1 − x) cancellation)', () => {
    // 1 − ρ = (2μ/N)(α − NLα²/2) = 1e-20·(0.1 − 0.01) = 9e-22; αη/(1 − ρ) = 0.1/9e-22.
    const v = THM31_BOUND.evaluate({ mu: 1e-20, N: 2, alpha: 0.1, L: 1, T: 1, gap0: 0, eta: 1 });
    expect(Math.abs(v / (0.1 / 9e-22) - 1)).toBeLessThan(1e-14);
  });

  it('Thm 3.2 derived and printed: N = 2, L = 1, α = 0.5, F(w1) − F* = 3, T = 4, η = 0.25', () => {
    // ρ = 4/(2 − 1) = 4; derived = 4·3/(0.5·4) + 4·0.25 = 6 + 1 = 7; printed = 4·3/4 + 1 = 4.
    expect(THM32_BOUND.evaluate({ N: 2, L: 1, alpha: 0.5, gap1: 3, T: 4, eta: 0.25 })).toBeCloseTo(7, 14);
    expect(THM32_PRINTED.evaluate({ N: 2, L: 1, alpha: 0.5, gap1: 3, T: 4, eta: 0.25 })).toBeCloseTo(4, 14);
  });

  it('LaTeX of the bounds names ρ, η, α, μ and the gaps', () => {
    const t31 = THM31_BOUND.tex();
    for (const s of ['\\rho', '\\eta', '\\alpha', '\\mu', 'F(w_0)-F^{*}']) expect(t31).toContain(s);
    expect(THM32_BOUND.tex()).toContain('F(w_1)-F^{*}');
    expect(THM32_PRINTED.tex()).not.toContain('\\alpha\\cdot{T}');
    expect(THM32_BOUND.tex()).toContain('\\alpha\\cdot{T}');
  });
});
