/**
 * Field validation shared by the layer modules: each check throws a one-line BadInputError that
 * names the field by its path, e.g. `layers[3].units must be a positive integer (got 0)`.
 */
import { BadInputError } from '../../src/errors.ts';

const show = (v: unknown): string => JSON.stringify(v) ?? 'nothing';

/** Throw a BadInputError `${path} ${what}`. */
export function fail(path: string, what: string): never {
  throw new BadInputError(`${path} ${what}`);
}

/** A positive integer (or `dflt` when absent and a default exists). */
export function posInt(v: unknown, path: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(path, `must be a positive integer (got ${show(v)})`);
  return v;
}

/** One of `allowed` (or `dflt` when absent and a default exists). */
export function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string, dflt?: T): T {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${show(v)})`);
  }
  return v as T;
}

/** true or false (default `dflt`). */
export function bool(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(path, `must be true or false (got ${show(v)})`);
  return v;
}

/** A positive finite number (default `dflt`). */
export function positive(v: unknown, path: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(path, `must be a positive number (got ${show(v)})`);
  return v;
}

/** A non-empty string (optional: undefined when absent). */
export function optString(v: unknown, path: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) fail(path, `must be a parameter name such as "layers.0.table" (got ${show(v)})`);
  return v;
}

/** `[a, b, c]` for messages. */
export const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Product of a shape's entries. */
export const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
