/**
 * Argument checks shared by the spec builders (mlp.ts, linear.ts, wrn.ts, ...): each throws a
 * one-line BadInputError naming the field as `<builder>.<field>`, e.g.
 * `mlp.width must be a positive integer (got 0)`, the style of models/spec.ts.
 */
import { BadInputError } from '../src/errors.ts';

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** `v` if it is a positive integer, else a BadInputError naming `field`. */
export function positiveInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new BadInputError(`${field} must be a positive integer (got ${show(v)})`);
  }
  return v;
}

/** `v` if it is an integer >= 0, else a BadInputError naming `field`. */
export function nonNegativeInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new BadInputError(`${field} must be a non-negative integer (got ${show(v)})`);
  }
  return v;
}

/** `v` (or `dflt` when undefined) if it is one of `allowed`, else a BadInputError naming `field`. */
export function oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string, dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new BadInputError(`${field} must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${show(v)})`);
  }
  return v as T;
}

/** `v` (or `dflt` when undefined) if it is a boolean, else a BadInputError naming `field`. */
export function boolArg(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new BadInputError(`${field} must be true or false (got ${show(v)})`);
  return v;
}
