/**
 * `gradconf probe --max-memory` (issue 15, "Any batch size"): parsing and one-line errors (exit 2),
 * the --json `blockSize`/`memory` fields, the text line, and the ONNX path's refusal. Runs the
 * probe command through the CLI in-process (run-cli.ts).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const probe = (args: string[]) => runCli(['probe', ...args]);

describe('probe --max-memory', () => {
  it('bad sizes: one line, exit 2', async () => {
    for (const bad of ['12M', '0', 'lots', '-1GB']) {
      const r = await probe(['--backend', 'cpu', '--batch-size', '4', '--max-memory', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.err.trim().split('\n'), bad).toHaveLength(1);
      expect(r.err, bad).toMatch(/--max-memory must be/);
    }
  });

  it('--onnx with --max-memory: one line, exit 2', async () => {
    const r = await probe(['--onnx', 'missing.onnx', '--max-memory', '1GB']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--max-memory is not supported with --onnx/);
  });

  it('--json reports the block size and memory; a tight budget blocks the Gram; too small a budget is exit 2', async () => {
    const base = ['--backend', 'cpu', '--batch-size', '64', '--json', '--seed', '3'];
    const free = JSON.parse((await probe(base)).out);
    expect(free.blockSize).toBe(64);
    expect(free.memory.blocks).toBe(1);
    expect(free.memory.budgetSource).toBe('default for cpu');
    expect(free.memory.budgetBytes).toBe(2 * 2 ** 30);
    // The mlp preset's weights take 4.79 MB; the unblocked 64-example probe adds ~9.8 MB more
    // (measured on cpu; ~4.8 MB of it does not depend on B), so 12 MB needs blocks and 8 MB
    // cannot hold even two-example blocks (~5.2 MB above the weights).
    expect(free.memory.peakTensorBytes).toBeGreaterThan(12e6);
    const r = await probe([...base, '--max-memory', '12MB']);
    expect(r.code).toBe(0);
    const tight = JSON.parse(r.out);
    expect(tight.memory.blocks).toBeGreaterThan(1);
    expect(tight.blockSize).toBe(tight.memory.blockSize);
    expect(tight.memory.budgetBytes).toBe(12e6);
    expect(tight.memory.peakTensorBytes).toBeLessThanOrEqual(12e6);
    expect(Math.abs(tight.eta - free.eta)).toBeLessThanOrEqual(1e-3 * Math.max(free.eta, 1e-12) + 1e-9);
    const small = await probe([...base, '--max-memory', '8MB']);
    expect(small.code).toBe(2);
    expect(small.err).toMatch(/^gradconf: --max-memory 8MB is (too small|below)/);
  });

  it('text output has the memory line', async () => {
    const r = await probe(['--backend', 'cpu', '--batch-size', '40', '--max-memory', '12MB']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/memory: Gram in \d+ blocks of ≤ \d+ examples .*peak tensor memory .* of 11\.4 MiB \(--max-memory\)/);
  });
});
