/**
 * Hardened input (fast-check): malformed specs, weights and data files given to `gradconf probe`
 * are rejected cleanly — exit 2 with one line on stderr and nothing on stdout, never a stack
 * trace, an internal error, or NaN in the output. A mutation that happens to leave the input valid
 * must give exit 0 and a NaN-free JSON document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';
import { encodeNpy } from '../data/npy.ts';
import { encodeSafetensors } from '../../models/safetensors.ts';
import { randomWeights } from '../../models/arbitraries.ts';
import { validateSpec } from '../../models/spec.ts';

const run = runCli;

let dir = '';
const spec = { input: [3], layers: [{ type: 'dense', units: 4, activation: 'tanh' }, { type: 'dense', units: 2 }], loss: 'softmax-xent' };
const good = {
  spec: Buffer.from(JSON.stringify(spec)),
  weights: encodeSafetensors(randomWeights(validateSpec(spec), 1)),
  x: encodeNpy({ shape: [4, 3], data: Float32Array.from([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1, 1.1, 1.2]) }),
  y: encodeNpy({ shape: [4], data: Float64Array.from([0, 1, 1, 0]) }),
};
type Which = keyof typeof good;

beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gradconf-hard-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Byte-level mutations: truncate, overwrite bytes, insert garbage, or replace the whole file. */
const bytesMutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), frac: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 4 }), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('garbage' as const), data: fc.uint8Array({ maxLength: 64 }) }),
);

/** Structural spec mutations: a field set to a hostile value. */
const hostile = fc.oneof(fc.constant(null), fc.constant(-1), fc.constant(0), fc.constant(1.5), fc.constant('tanh'), fc.constant('lstm'), fc.constant([]), fc.constant({}), fc.constant(1e9), fc.constant(true), fc.string({ maxLength: 5 }));
const specMutation = fc.record({
  kind: fc.constant('field' as const),
  path: fc.constantFrom(['input'], ['input', 0], ['loss'], ['layers'], ['layers', 0], ['layers', 0, 'units'], ['layers', 0, 'activation'], ['layers', 0, 'type'], ['layers', 1, 'units'], ['layers', 1, 'bias'], ['layers', 0, 'extra']),
  value: hostile,
});

function applyBytes(buf: Buffer, m: { kind: string; frac?: number; at?: number[]; byte?: number; data?: Uint8Array }): Buffer {
  if (m.kind === 'truncate') return buf.subarray(0, Math.floor(buf.length * m.frac!));
  if (m.kind === 'garbage') return Buffer.from(m.data!);
  const b = Buffer.from(buf);
  for (const a of m.at!) b[Math.floor(a * b.length)] = m.byte!;
  return b;
}

function applySpec(path: (string | number)[], value: unknown): Buffer {
  const s = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  let o: Record<string | number, unknown> = s;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]!] = value;
  return Buffer.from(JSON.stringify(s));
}

describe('malformed specs, weights and data are rejected cleanly (fast-check seed 2026)', () => {
  it('exit 2 with one line, or exit 0 with NaN-free JSON', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom<Which>('spec', 'weights', 'x', 'y'),
      fc.oneof(bytesMutation, specMutation),
      async (which, m) => {
        const files: Record<Which, Buffer> = { ...good };
        if (m.kind === 'field') files.spec = applySpec([...m.path], m.value);
        else files[which] = applyBytes(good[which], m);
        for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
        const r = await run(['probe', '--model', join(dir, 'spec'), '--weights', join(dir, 'weights'), '--inputs', join(dir, 'x'), '--targets', join(dir, 'y'), '--backend', 'cpu', '--json']);
        expect(r.err).not.toMatch(/\n\s+at |internal error/);
        if (r.code === 0) {
          expect(r.out).not.toMatch(/NaN|Infinity|null,\s*"cosine/);
          JSON.parse(r.out);
        } else {
          expect(r.code).toBe(2);
          expect(r.out).toBe('');
          expect(r.err.trimEnd().split('\n')).toHaveLength(1);
        }
      },
    ), { seed: 2026, numRuns: 300 });
  });
});
