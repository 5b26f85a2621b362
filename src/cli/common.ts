/**
 * Shared CLI plumbing: one-line errors with exit codes (0 ok, 1 a claim failed, 2 bad input,
 * 3 internal error), option parsers that reject malformed values, JSON output, progress on stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { BadInputError } from '../errors.ts';
import { wasmHeapExhausted } from '../backend/wasm-heap.ts';

export const EXIT_OK = 0;
export const EXIT_CLAIM_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 3;

/** Parse an integer option (commander argParser): rejects "1.5", "abc", "1e3x". */
export function intOption(name: string, min = Number.MIN_SAFE_INTEGER) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer (got "${v}")`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min} (got "${v}")`);
    return n;
  };
}

/** Parse a finite number option. */
export function numberOption(name: string, positive = false) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (positive && n <= 0)) throw new InvalidArgumentError(`${name} must be a ${positive ? 'positive ' : ''}finite number (got "${v}")`);
    return n;
  };
}

/** Read a file as bytes, with a one-line error naming it when missing. */
export function readBytes(path: string, what: string): Buffer {
  if (!existsSync(path)) throw new BadInputError(`${what} file not found: ${path}`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new BadInputError(`${what} file ${path} cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Print one JSON document to stdout. */
export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** Progress on stderr (only when stderr is a terminal or GRADCONF_PROGRESS=1), with an ETA. */
export function progressReporter(label: string): (done: number, total: number) => void {
  const on = process.stderr.isTTY || process.env.GRADCONF_PROGRESS === '1';
  const t0 = Date.now();
  let last = 0;
  return (done, total) => {
    if (!on) return;
    const now = Date.now();
    if (done < total && now - last < 250) return;
    last = now;
    const eta = done > 0 ? ((now - t0) / done) * (total - done) / 1000 : NaN;
    process.stderr.write(`\r${label}: ${done}/${total}${Number.isFinite(eta) ? `, ETA ${eta.toFixed(0)} s` : ''}   ${done >= total ? '\n' : ''}`);
  };
}

/** Map an error to a one-line message and an exit code (a stack only with GRADCONF_DEBUG=1). */
export function reportError(e: unknown): number {
  const err = e as Error & { code?: string; exitCode?: number };
  if (err?.code?.startsWith?.('commander.')) {
    // commander already printed its own one-line message.
    return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  if (err instanceof BadInputError) {
    process.stderr.write(`gradconf: ${err.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const heap = wasmHeapExhausted(e);
  if (heap) {
    process.stderr.write(`gradconf: ${heap}\n`);
    return EXIT_BAD_INPUT;
  }
  const msg = (err?.message ?? String(e)).split('\n')[0];
  process.stderr.write(`gradconf: internal error: ${msg} (set GRADCONF_DEBUG=1 for the stack)\n`);
  if (process.env.GRADCONF_DEBUG === '1') process.stderr.write(`${err?.stack ?? ''}\n`);
  return EXIT_INTERNAL;
}
