/**
 * The queue with a real redis-server (password set with `requirepass`; one over TLS) and real
 * `gradconf worker` processes: URL parsing and its one-line errors, refused credentials, TLS with
 * a private CA, deterministic failures failing once (bad input → BadInputError at the
 * coordinator, one attempt in the worker's log), transient failures retried with exponential
 * backoff, and SIGINT/SIGTERM on a worker (finish, or hand back to another worker; exit 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { BadInputError } from '../errors.ts';
import { Queue } from 'bullmq';
import { checkQueue, parseQueueUrl, QUEUE_PREFIX, queueName, redact } from './connection.ts';
import { UnitQueue } from './coordinator.ts';
import { fromWire, toWire, unitId, type Unit } from './units.ts';
import { BIN, killStarted, makeTlsFiles, redisHasTls, RedisServer, ROOT, WorkerProcess } from './testing/services.ts';
import { queueChunk, queueTrialRunner } from './queue-trials.ts';
import { withPool, withTrialRunner, type TrialTask } from '../pool/pool.ts';
import { trialSeed, type TrialConfig } from '../pool/trial.ts';

const PASSWORD = 'p@ss:w/rd';
let redis: RedisServer;
let worker: WorkerProcess;
let queue: UnitQueue;
const echo = (value: unknown, extra: Partial<Extract<Unit, { kind: 'echo' }>> = {}): Unit => ({ kind: 'echo', value, backend: 'wasm', ...extra });
const starts = (w: WorkerProcess, id: string) => w.stderr.split('\n').filter((l) => l.startsWith(`start ${id} `)).length;

beforeAll(async () => {
  redis = await RedisServer.start({ password: PASSWORD });
  worker = await WorkerProcess.start(redis.url, { concurrency: 2 });
  queue = await UnitQueue.open({ target: parseQueueUrl(redis.url), backend: 'wasm', backoffMs: 300, log: () => {} });
}, 60_000);
afterAll(async () => {
  try {
    await queue?.close();
    await worker?.dispose();
    await redis?.dispose();
  } finally {
    killStarted(); // whatever a timed-out test left running
  }
});

describe('--queue URL', () => {
  it('parses host, port, db, user and a percent-encoded password; rediss turns TLS on', () => {
    const t = parseQueueUrl('rediss://alice:p%40ss@10.1.2.3:6380/4');
    expect(t.redis).toMatchObject({ host: '10.1.2.3', port: 6380, db: 4, username: 'alice', password: 'p@ss', tls: {} });
    expect(t.display).toBe('rediss://alice:***@10.1.2.3:6380/4');
    expect(parseQueueUrl('rediss://redis.internal:6380').redis.tls).toEqual({ servername: 'redis.internal' });
    const plain = parseQueueUrl('redis://localhost');
    expect(plain.redis).toMatchObject({ host: 'localhost', port: 6379, db: 0 });
    expect(plain.redis.tls).toBeUndefined();
    expect(plain.redis.password).toBeUndefined();
    expect(redact('redis://:secret@h:1')).toBe('redis://:***@h:1');
  });

  it.each([
    ['not a URL', 'localhost:6379', /must be a Redis URL/],
    ['another scheme', 'http://h:1', /must be a Redis URL redis:\/\/\[user:pass@\]host:port\[\/db\] or rediss:\/\//],
    ['a database that is not a number', 'redis://h:1/abc', /database must be a non-negative integer/],
    ['a query', 'redis://h:1?tls=1', /no query/],
  ])('rejects %s with one line', (_n, url, re) => {
    expect(() => parseQueueUrl(url)).toThrow(BadInputError);
    expect(() => parseQueueUrl(url)).toThrow(re);
  });

  it('a wrong password is refused with one line naming the server (no password in it), exit 2 at the CLI', async () => {
    const bad = `redis://:wrong@127.0.0.1:${redis.port}`;
    await expect(checkQueue(parseQueueUrl(bad))).rejects.toThrow(/refused the credentials/);
    const r = spawnSync(process.execPath, [BIN, 'worker', '--queue', bad], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/refused the credentials/);
    expect(r.stderr).not.toMatch(/wrong/);
    await expect(checkQueue(parseQueueUrl(`redis://127.0.0.1:${redis.port}`))).rejects.toThrow(/refused the credentials|NOAUTH/);
  });
});

describe('units through the queue (password-protected redis-server, one worker process, 2 threads)', () => {
  it('results come back in order; non-finite numbers survive the trip', async () => {
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => queue.submit(echo({ i, x: [NaN, -Infinity, 1.5] }))));
    out.forEach((v, i) => expect(v).toEqual({ i, x: [NaN, -Infinity, 1.5] }));
    expect(fromWire(toWire({ a: Infinity, b: [null, 2] }))).toEqual({ a: Infinity, b: [null, 2] });
  });

  it('a TrialPool on the queue returns what the local pool returns, trial for trial, in seed order', async () => {
    const configs: TrialConfig[] = [
      { d: 6, n: 4, width: 12, depth: 1, activation: 'tanh', loss: 'mse', init: { name: 'gaussian', kappa: 1 } },
      { d: 3, n: 5, width: 8, depth: 2, activation: 'relu', loss: 'logistic', init: { name: 'orthogonal' }, norms: true },
    ];
    const tasks: TrialTask[] = configs.map((c) => ({ config: c, seeds: Array.from({ length: 7 }, (_, i) => trialSeed(5, c, i)) }));
    const local = await withPool({ workers: 0 }, (p) => p.run(tasks));
    let last = 0;
    const remote = await withTrialRunner(queueTrialRunner(queue, 'test queue'), () => withPool({ chunk: 3 }, async (p) => {
      expect(p.runner?.where).toBe('test queue');
      return p.run(tasks, (done) => { last = done; });
    }));
    expect(remote).toEqual(local);
    expect(last).toBe(14);
    // An explicit worker count keeps a pool local even inside withTrialRunner (replays in tests).
    await withTrialRunner(queueTrialRunner(queue, 'test queue'), () => withPool({ workers: 0 }, async (p) => { expect(p.runner).toBeUndefined(); }));
    expect([queueChunk(10), queueChunk(64 * 20), queueChunk(1e6)]).toEqual([8, 20, 64]);
  });

  it('the same unit twice is one job (ids are content hashes, key order irrelevant)', async () => {
    const u = echo({ a: 1, b: 2 }, { sleepMs: 200 });
    expect(unitId(u)).toBe(unitId({ backend: 'wasm', value: { b: 2, a: 1 }, sleepMs: 200, kind: 'echo' } as Unit));
    expect(unitId(u)).not.toBe(unitId(echo({ a: 1, b: 3 }, { sleepMs: 200 })));
    const [a, b] = await Promise.all([queue.submit(u), queue.submit(u)]);
    expect(a).toEqual(b);
    expect(starts(worker, unitId(u))).toBe(1);
  });

  it('a bad-input unit fails once, with its one-line message, as a BadInputError', async () => {
    const u = echo('x', { badInput: 'model spec: layers.0.units must be a positive integer (got -3)' });
    const err = await queue.submit(u).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toBe('model spec: layers.0.units must be a positive integer (got -3)');
    expect(starts(worker, unitId(u))).toBe(1);
  });

  it('NaN in a trials unit is bad input named by its field, not a silent NaN result', async () => {
    const u: Unit = { kind: 'trials', backend: 'wasm', seeds: [1], config: { d: 4, n: 3, width: 8, depth: 1, activation: 'tanh', loss: 'mse', init: { name: 'gaussian', kappa: NaN } } };
    const err = await queue.submit(u).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadInputError);
    expect((err as Error).message).toMatch(/config\.init\.kappa must be a finite number \(got NaN\)/);
    expect(starts(worker, unitId(u))).toBe(1);
  });

  it('a transient failure is retried with exponential backoff (300 ms, 600 ms) and then succeeds', async () => {
    const u = echo('third time lucky', { failAttempts: 2 });
    const t0 = performance.now();
    expect(await queue.submit(u)).toBe('third time lucky');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
    const id = unitId(u);
    const lines = worker.stderr.split('\n').filter((l) => l.includes(id));
    expect(lines.filter((l) => l.startsWith('start')).map((l) => /attempt (\d+)/.exec(l)?.[1])).toEqual(['1', '2', '3']);
    expect(lines.filter((l) => l.startsWith('failed'))).toHaveLength(2);
  });

  it('a unit that keeps failing transiently stops after `attempts` tries with an internal (not bad-input) error', async () => {
    const q = await UnitQueue.open({ target: parseQueueUrl(redis.url), backend: 'wasm', attempts: 2, backoffMs: 100, log: () => {} });
    try {
      const u = echo('never', { failAttempts: 99 });
      const err = await q.submit(u).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(BadInputError);
      expect((err as Error).message).toMatch(/failed for good \(up to 2 attempts\): echo unit: transient failure on attempt 2/);
      expect(starts(worker, unitId(u))).toBe(2);
    } finally {
      await q.close();
    }
  });
});

describe('withdrawing units (after a failure elsewhere in the sweep)', () => {
  it('a reconcile pass after cancelPending does not take the withdrawn units for lost ones and enqueue them again', async () => {
    // No worker serves the cpu queue, so the units stay waiting until withdrawn.
    const logged: string[] = [];
    const q = await UnitQueue.open({ target: parseQueueUrl(redis.url), backend: 'cpu', reconcileMs: 60_000, log: (l) => { logged.push(l); } });
    const raw = new Queue(queueName('cpu'), { connection: parseQueueUrl(redis.url).redis, prefix: QUEUE_PREFIX });
    try {
      const units = [1, 2, 3].map((i): Unit => ({ kind: 'echo', value: `withdrawn ${i}`, backend: 'cpu' }));
      for (const u of units) void q.submit(u).catch(() => {});
      const placed = async () => (await Promise.all(units.map((u) => raw.getJobState(unitId(u))))).every((s) => s === 'waiting');
      for (let t = 0; !(await placed()); t++) {
        if (t > 100) throw new Error('units never reached the queue');
        await new Promise((r) => setTimeout(r, 50));
      }
      await q.cancelPending();
      await q.reconcile();
      expect(await Promise.all(units.map((u) => raw.getJobState(unitId(u))))).toEqual(['unknown', 'unknown', 'unknown']);
      expect(logged.filter((l) => /no longer in Redis/.test(l))).toEqual([]);
    } finally {
      await raw.close();
      await q.close();
    }
  });
});

describe('SIGINT / SIGTERM on a worker', () => {
  it('SIGINT mid-unit: the unit finishes (within the grace period), then the worker exits 0', async () => {
    const r3 = await RedisServer.start();
    const w = await WorkerProcess.start(r3.url, { graceS: 30 });
    const q = await UnitQueue.open({ target: parseQueueUrl(r3.url), backend: 'wasm', log: () => {} });
    try {
      const u = echo('finished', { sleepMs: 1500 });
      const id = unitId(u);
      const p = q.submit(u);
      await w.waitFor(new RegExp(`start ${id} `));
      w.kill('SIGINT');
      expect(await p).toBe('finished');
      expect(await w.exited).toEqual({ code: 0, signal: null });
      expect(w.stderr).toMatch(new RegExp(`done ${id} `));
      expect(w.stderr).toMatch(/stopped \(1 done, 0 failed, 0 handed back\)/);
    } finally {
      await q.close();
      await w.dispose();
      await r3.dispose();
    }
  });

  it('SIGTERM with a unit longer than the grace period: handed back at once, taken by another worker, exit 0', async () => {
    const r2 = await RedisServer.start();
    const a = await WorkerProcess.start(r2.url, { graceS: 0.3 });
    const q = await UnitQueue.open({ target: parseQueueUrl(r2.url), backend: 'wasm', log: () => {} });
    let b: WorkerProcess | undefined;
    try {
      const u = echo('moved', { sleepMs: 4000 });
      const id = unitId(u);
      const p = q.submit(u);
      await a.waitFor(new RegExp(`start ${id} `));
      const t0 = performance.now();
      a.kill('SIGTERM');
      expect(await a.exited).toEqual({ code: 0, signal: null });
      expect(performance.now() - t0).toBeLessThan(3000); // well before the unit's 4 s
      expect(a.stderr).toMatch(new RegExp(`handed back ${id} `));
      expect(a.stderr).not.toMatch(new RegExp(`done ${id} `));
      b = await WorkerProcess.start(r2.url);
      expect(await p).toBe('moved');
      // Handing back is not a failed attempt: the second worker runs it as attempt 1.
      expect(b.stderr).toMatch(new RegExp(`start ${id} \\(echo\\), attempt 1`));
    } finally {
      await q.close();
      await b?.dispose();
      await a.dispose();
      await r2.dispose();
    }
  });
});

describe('TLS (rediss://)', () => {
  const tls = redisHasTls();
  it.runIf(tls)('a worker trusts a private CA through NODE_EXTRA_CA_CERTS; without it, one line and exit 2', async () => {
    const files = makeTlsFiles();
    const r = await RedisServer.start({ tls: files, password: 'tls-secret' });
    let w: WorkerProcess | undefined;
    let q: UnitQueue | undefined;
    try {
      expect(r.url).toMatch(/^rediss:\/\//);
      const noCa = spawnSync(process.execPath, [BIN, 'worker', '--queue', r.url], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
      expect(noCa.status).toBe(2);
      expect(noCa.stderr.trim().split('\n')).toHaveLength(1);
      expect(noCa.stderr).toMatch(/cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1.*certificate/i);
      w = await WorkerProcess.start(r.url, { env: { NODE_EXTRA_CA_CERTS: files.ca } });
      // This process started without the CA in its environment: give it to ioredis directly.
      const target = parseQueueUrl(r.url);
      target.redis.tls = { ...target.redis.tls, ca: readFileSync(files.ca) };
      q = await UnitQueue.open({ target, backend: 'wasm', log: () => {} });
      expect(await q.submit(echo('over tls'))).toBe('over tls');
    } finally {
      await q?.close();
      await w?.dispose();
      await r.dispose();
      rmSync(files.dir, { recursive: true, force: true });
    }
  });
});
