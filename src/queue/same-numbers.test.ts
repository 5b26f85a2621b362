/**
 * Same numbers with and without the queue: the same command with `--queue` and 1 or 3 worker
 * processes writes the same JSON / JSONL (up to ordering and wall times) as without — for a
 * tightening run (Theorem 4.1's c₂ search: Monte-Carlo trial batches and the shrinking's extra
 * batches), a verify result (Theorem 6.1's statistical checks) and a sweep with learning-rate
 * tuning (tuning units first, then the runs that wait for their rate). A unit's result depends
 * only on its key and seed; a chunking, ordering or seeding bug in the queue path shows here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.ts';
import { readRecords } from '../train/results.ts';
import type { RunRecord, TuneRecord } from '../train/run.ts';
import { comparable } from './testing/comparable.ts';
import { killStarted, RedisServer, WorkerProcess } from './testing/services.ts';

const TIGHTEN = ['tighten', 'theorem-4-1', '--budget', '2', '--seed', '7', '--json'];
const VERIFY = ['verify', '--only', 'theorem-6-1', '--seed', '3', '--json'];
const SWEEP = ['sweep', 'width', '--values', '8,16', '--fixed', '1', '--seeds', '2', '--epochs', '2', '--train-examples', '1024',
  '--test-examples', '128', '--pairs', '4', '--probe-batch', '32', '--lr-grid', '0.03,0.3', '--tune-epochs', '1', '--json'];

let dir = '';
let redis: RedisServer;
const workers: WorkerProcess[] = [];
const local: Record<string, string> = {};

const json = async (args: string[]) => {
  const r = await runCli(args);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
};
const withoutMs = (doc: Record<string, unknown>) => JSON.parse(JSON.stringify(doc, (k, v: unknown) => (k === 'ms' ? undefined : v))) as unknown;
const sweepRecords = (d: string) => comparable(readRecords<TuneRecord | RunRecord>(join(d, 'runs.jsonl')));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-queue-same-'));
  redis = await RedisServer.start();
  const start = WorkerProcess.start(redis.url);
  // Local runs (tinypool / worker threads, no queue) while the first worker starts.
  local.tighten = JSON.stringify(await json(TIGHTEN));
  local.verify = JSON.stringify(withoutMs(await json(VERIFY)));
  await json([...SWEEP, '--out', join(dir, 'local')]);
  workers.push(await start);
}, 240_000);

afterAll(async () => {
  try {
    await Promise.all(workers.map((w) => w.dispose()));
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  } finally {
    killStarted(); // whatever a timed-out test left running
  }
});

describe('--queue gives the numbers of the local run', () => {
  it('1 worker: tighten theorem-4-1 (same document) and a sweep with tuning (same records)', async () => {
    expect(JSON.stringify(await json([...TIGHTEN, '--queue', redis.url]))).toBe(local.tighten);
    const d = join(dir, 'q1');
    const doc = await json([...SWEEP, '--out', d, '--queue', redis.url]);
    expect(doc).toMatchObject({ complete: true, runs: 4 });
    expect(sweepRecords(d)).toEqual(sweepRecords(join(dir, 'local')));
    expect(workers[0]!.stderr).toMatch(/^done trials-/m);
    expect(workers[0]!.stderr).toMatch(/^done sweep-.* \(tune tune\/width=8\)/m);
  });

  it('3 workers: tighten, verify theorem-6-1 and the sweep again', async () => {
    workers.push(...(await Promise.all([WorkerProcess.start(redis.url), WorkerProcess.start(redis.url)])));
    const from = workers.map((w) => w.stderr.length);
    expect(JSON.stringify(await json([...TIGHTEN, '--queue', redis.url]))).toBe(local.tighten);
    expect(JSON.stringify(withoutMs(await json([...VERIFY, '--queue', redis.url])))).toBe(local.verify);
    const d = join(dir, 'q3');
    await json([...SWEEP, '--out', d, '--queue', redis.url]);
    expect(sweepRecords(d)).toEqual(sweepRecords(join(dir, 'local')));
    // The work was shared: every worker ran units.
    workers.forEach((w, i) => expect(w.stderr.slice(from[i]), `worker ${i}`).toMatch(/^done /m));
  });
});
