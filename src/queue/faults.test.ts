/**
 * Faults of a sweep on the queue, with a real redis-server, real `gradconf worker` processes and
 * the coordinator as a real `gradconf sweep --queue` process (a tiny width sweep on MNIST, 6
 * training runs): after each fault the sweep's runs.jsonl must hold every run exactly once
 * (readRecords throws on a duplicate key) and equal, record for record up to wall times and order,
 * the same sweep run locally without a queue.
 * - a worker SIGKILLed mid-unit (2 workers): its unit is recovered by BullMQ's stalled-job check
 *   and finished by the other worker;
 * - Redis restarted (empty: no persistence) mid-sweep (1 worker): coordinator and worker
 *   reconnect, the coordinator re-enqueues the units Redis lost;
 * - the coordinator SIGKILLed and restarted with --resume: it collects the units the worker
 *   finished meanwhile, and none is computed twice;
 * - a unit with bad input (a subset larger than the split, raised in the worker): exit 2 with one
 *   line at the coordinator, each unit tried once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords } from '../train/results.ts';
import type { RunRecord, TuneRecord } from '../train/run.ts';
import { runCli } from '../cli/run-cli.ts';
import { BIN, killStarted, RedisServer, ROOT, track, WorkerProcess } from './testing/services.ts';
import { comparable } from './testing/comparable.ts';

const SWEEP = ['sweep', 'width', '--values', '8,16', '--fixed', '1', '--seeds', '3', '--epochs', '4', '--train-examples', '2048',
  '--test-examples', '256', '--pairs', '4', '--probe-batch', '32', '--lr', '0.1'];
const RUNS = 6;
type Rec = TuneRecord | RunRecord;

let dir = '';
let redis: RedisServer;
let baseline: Rec[] = [];
const workers: WorkerProcess[] = [];

const out = (name: string) => join(dir, name);
const runLines = (d: string) => {
  const f = join(d, 'runs.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"type":"run"')).length : 0;
};
const lines = (w: WorkerProcess, from: number, re: RegExp) => w.stderr.slice(from).split('\n').filter((l) => re.test(l));
const until = async (cond: () => boolean, what: string, ms = 90_000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** `gradconf sweep … --queue` as a child process. */
function coordinator(outDir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const child = track(spawn(process.execPath, [BIN, ...SWEEP, '--queue', redis.url, '--out', outDir, '--json', ...extra], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GRADCONF_QUEUE_RECONCILE_MS: '500', ...env },
  }));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, done, out: () => stdout, err: () => stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-queue-faults-'));
  redis = await RedisServer.start();
  const [local] = await Promise.all([
    runCli([...SWEEP, '--workers', '0', '--out', out('local')]),
    (async () => { workers.push(await WorkerProcess.start(redis.url, { lockMs: 1500 }), await WorkerProcess.start(redis.url, { lockMs: 1500 })); })(),
  ]);
  expect(local!.code, local!.err).toBe(0);
  baseline = readRecords<Rec>(join(out('local'), 'runs.jsonl'));
  expect(baseline.filter((r) => r.type === 'run')).toHaveLength(RUNS);
}, 180_000);

afterAll(async () => {
  try {
    await Promise.all(workers.map((w) => w.dispose()));
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  } finally {
    killStarted(); // whatever a timed-out test left running
  }
});

describe('sweep on the queue: faults lose nothing and count nothing twice', () => {
  it('a worker SIGKILLed mid-unit: the unit is recovered and finished by the other worker', async () => {
    const [a, b] = workers as [WorkerProcess, WorkerProcess];
    const fromA = a.stderr.length;
    const fromB = b.stderr.length;
    const c = coordinator(out('kill-worker'));
    await until(() => lines(a, fromA, /^start sweep-/).length > 0, 'worker A to start a unit');
    await new Promise((r) => setTimeout(r, 150));
    a.kill('SIGKILL');
    await a.exited;
    const startedA = lines(a, fromA, /^start sweep-/).map((l) => l.split(' ')[1]!);
    const doneA = new Set(lines(a, fromA, /^done sweep-/).map((l) => l.split(' ')[1]!));
    const cut = startedA.filter((id) => !doneA.has(id));
    expect(cut.length, `worker A had no unit in flight when killed: ${a.stderr.slice(fromA)}`).toBeGreaterThan(0);
    const r = await c.done;
    expect(r.code, c.err()).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ complete: true, runs: RUNS });
    // The killed unit was taken up again (stalled-job recovery) and finished by B.
    for (const id of cut) expect(lines(b, fromB, new RegExp(`^done ${id} `))).toHaveLength(1);
    const recs = readRecords<Rec>(join(out('kill-worker'), 'runs.jsonl'));
    expect(comparable(recs)).toEqual(comparable(baseline));
  });

  it('Redis restarted (empty) mid-sweep: everyone reconnects, lost units are enqueued again, the sweep completes', async () => {
    const b = workers[1]!;
    const fromB = b.stderr.length;
    const d = out('restart-redis');
    const c = coordinator(d);
    await until(() => runLines(d) >= 1, 'a first record');
    await redis.restart(300);
    const r = await c.done;
    expect(r.code, c.err()).toBe(0);
    expect(c.err()).toMatch(/no longer in Redis .*enqueued them again/);
    expect(b.stderr.slice(fromB)).toMatch(/Redis connection problem/);
    const recs = readRecords<Rec>(join(d, 'runs.jsonl'));
    expect(comparable(recs)).toEqual(comparable(baseline));
  });

  it('the coordinator SIGKILLed, restarted with --resume: it collects what finished meanwhile and recomputes nothing', async () => {
    const b = workers[1]!;
    const fromB = b.stderr.length;
    const d = out('kill-coordinator');
    const c = coordinator(d);
    await until(() => runLines(d) >= 1, 'a first record');
    c.child.kill('SIGKILL');
    await c.done;
    const recorded = runLines(d);
    expect(recorded).toBeLessThan(RUNS);
    // The worker finishes every unit of the sweep although nobody is collecting.
    await until(() => lines(b, fromB, /^done sweep-/).length >= RUNS, 'the worker to finish all units');
    const again = coordinator(d, ['--resume']);
    const r = await again.done;
    expect(r.code, again.err()).toBe(0);
    expect(again.err()).toMatch(new RegExp(`collected ${RUNS - recorded} unit\\(s\\) the workers finished while no coordinator was running`));
    const starts = lines(b, fromB, /^start sweep-/).map((l) => l.split(' ')[1]!);
    expect(starts).toHaveLength(RUNS);
    expect(new Set(starts).size).toBe(RUNS);
    const recs = readRecords<Rec>(join(d, 'runs.jsonl'));
    expect(comparable(recs)).toEqual(comparable(baseline));
  });

  it('a unit with bad input fails once in the worker; the coordinator exits 2 with one line', async () => {
    const b = workers[1]!;
    const fromB = b.stderr.length;
    const c = coordinator(out('bad'), ['--train-examples', '70000']);
    const r = await c.done;
    expect(r.code).toBe(2);
    expect(c.err()).toMatch(/^gradconf: mnist train: asked for 70000 examples, the split has 60000\n$/);
    await until(() => lines(b, fromB, /^failed sweep-.*bad input: mnist train: asked for 70000/).length > 0, 'the failure in the worker log', 10_000);
    await new Promise((res) => setTimeout(res, 1000)); // units already taken finish (and fail) too
    const starts = lines(b, fromB, /^start sweep-/).map((l) => l.split(' ')[1]!);
    expect(new Set(starts).size).toBe(starts.length);
    expect(lines(b, fromB, /attempt 2/)).toHaveLength(0);
  });
});
