/**
 * The results file: atomic appends survive a SIGKILL at a random instant (a real child process
 * appending in a loop is killed; the file must parse completely and hold a prefix of the records),
 * and reading rejects malformed and duplicate lines with the file and line named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendRecordAtomic, readRecords } from './results.ts';
import { BadInputError } from '../errors.ts';

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gradconf-results-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('appendRecordAtomic / readRecords', () => {
  it('appends JSON lines and reads them back in order', () => {
    const f = join(dir, 'a.jsonl');
    for (let i = 0; i < 5; i++) appendRecordAtomic(f, { type: 'run', key: `k${i}`, value: i } as { type: string; key: string });
    const r = readRecords<{ key: string; type: string; value: number }>(f);
    expect(r.map((x) => x.value)).toEqual([0, 1, 2, 3, 4]);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a missing file is empty; malformed and duplicate lines are errors naming file:line', () => {
    expect(readRecords(join(dir, 'none.jsonl'))).toEqual([]);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"type":"run","key":"a"}\n{"type":"run","key":"b"\n');
    expect(() => readRecords(bad)).toThrow(BadInputError);
    expect(() => readRecords(bad)).toThrow(/bad\.jsonl:2: not valid JSON/);
    const dup = join(dir, 'dup.jsonl');
    writeFileSync(dup, '{"type":"run","key":"a"}\n\n{"type":"run","key":"a"}\n');
    expect(() => readRecords(dup)).toThrow(/dup\.jsonl:3: duplicate record "a"/);
    const nokey = join(dir, 'nokey.jsonl');
    writeFileSync(nokey, '{"type":"run"}\n');
    expect(() => readRecords(nokey)).toThrow(/nokey\.jsonl:1: .*"key"/);
  });

  it('concurrent readers and a SIGKILL mid-stream never see or leave a partial record', async () => {
    // A child process appends records of 2 MB each in a loop and is killed at a varying instant.
    // With records this large a plain append (one write of 2 MB) is cut short by SIGKILL often
    // enough to leave a partial last line (measured: 2 of 5 kills of a naive appendFileSync writer
    // with 4 MB lines); the atomic rewrite never exposes one. Three kills per test run.
    for (const [round, delayMs] of [[0, 60], [1, 140], [2, 260]] as const) {
      const f = join(dir, `killed-${round}.jsonl`);
      const script = `
        import { appendRecordAtomic } from ${JSON.stringify(new URL('./results.ts', import.meta.url).pathname)};
        const pad = 'x'.repeat(2_000_000);
        for (let i = 0; i < 1000; i++) {
          appendRecordAtomic(${JSON.stringify(f)}, { type: 'run', key: 'k' + i, i, pad });
          if (i === 2) process.stdout.write('ready\\n');
        }`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(); });
        child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      // Meanwhile, read the file as another process would: never a partial record.
      const until = Date.now() + delayMs;
      let reads = 0;
      while (Date.now() < until) {
        expect(() => readRecords(f)).not.toThrow();
        reads++;
        await new Promise((r) => setImmediate(r));
      }
      expect(reads).toBeGreaterThan(0);
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      expect(child.signalCode).toBe('SIGKILL');
      const recs = readRecords<{ key: string; type: string; i: number }>(f); // throws on a partial line
      expect(recs.length).toBeGreaterThanOrEqual(3);
      expect(recs.length).toBeLessThan(1000);
      expect(recs.map((r) => r.i)).toEqual(Array.from({ length: recs.length }, (_, i) => i));
      rmSync(f);
    }
  });
});
