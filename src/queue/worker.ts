/**
 * `gradconf worker`: takes units (src/queue/units.ts) from the BullMQ queue of its backend and
 * runs them on unit threads (src/queue/unit-threads.ts), `concurrency` at a time, until stopped.
 *
 * Faults:
 * - killed (SIGKILL, power loss): its job locks expire after `lockDurationMs`; another worker's
 *   stalled-job check (every `lockDurationMs`) puts the units back in the queue (BullMQ stalled-job
 *   recovery). A unit that stalls more than {@link MAX_STALLED} times is failed.
 * - SIGINT / SIGTERM: stop taking units; units still running after `graceMs` are handed back
 *   (moved to the queue's wait list at once, their threads terminated); then exit 0. A second
 *   signal hands back at once.
 * - a unit failing with bad input (BadInputError in the unit: malformed spec, NaN data, a subset
 *   larger than the split) fails for good (BullMQ UnrecoverableError): no retry; any other error is
 *   transient and retried with the coordinator's backoff.
 * - Redis going away: ioredis reconnects (every ≤ 2 s) and the worker carries on.
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { QUEUE_PREFIX, queueName, type QueueTarget } from './connection.ts';
import { UnitAbandoned, UnitError, UnitThreads } from './unit-threads.ts';
import { BAD_INPUT_REASON, fromWire, unitLabel, type Unit } from './units.ts';

/** Times a unit may be recovered from a dead worker before it is failed (BullMQ maxStalledCount). */
export const MAX_STALLED = 3;

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  target: QueueTarget;
  backend: string;
  /** Units at a time (one thread each). Default 1. */
  concurrency?: number;
  /** On SIGINT/SIGTERM, wait this long for running units before handing them back (default 10 s). */
  graceMs?: number;
  /** BullMQ job lock; a dead worker's units are picked up again after about 2–3 times this (default 30 s). */
  lockDurationMs?: number;
  /** One line per event (default: stderr). */
  log?: (line: string) => void;
  /** Stop when this resolves (besides signals); for tests and embedding. */
  stop?: Promise<unknown>;
  /** Install SIGINT/SIGTERM handlers (default true). */
  signals?: boolean;
}

/** What a worker did. */
export interface WorkerSummary { completed: number; failed: number; handedBack: number }

/** Run a worker until a signal (or `stop`); resolves when it has shut down cleanly. */
export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  const log = o.log ?? ((l: string) => { process.stderr.write(`${l}\n`); });
  const concurrency = o.concurrency ?? 1;
  const lockDuration = o.lockDurationMs ?? 30_000;
  const threads = new UnitThreads(concurrency);
  const active = new Map<string, { job: Job; token: string; abandon: () => Promise<void>; handedBack: boolean }>();
  const summary: WorkerSummary = { completed: 0, failed: 0, handedBack: 0 };

  const processor = async (job: Job, token?: string): Promise<string> => {
    let unit: Unit;
    try {
      unit = fromWire<Unit>((job.data as { unit: string }).unit);
    } catch {
      throw new UnrecoverableError(`${BAD_INPUT_REASON}job ${job.id} holds no readable unit (not written by gradconf?)`);
    }
    const t0 = performance.now();
    log(`start ${job.id} (${unitLabel(unit)}), attempt ${job.attemptsMade + 1}`);
    const { result, abandon } = threads.run(unit, job.attemptsMade + 1, (p) => { void job.updateProgress(p).catch(() => {}); });
    const entry = { job, token: token!, abandon, handedBack: false };
    active.set(job.id!, entry);
    try {
      const out = await result;
      summary.completed++;
      log(`done ${job.id} (${unitLabel(unit)}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return out;
    } catch (e) {
      if (e instanceof UnitAbandoned || entry.handedBack) {
        summary.handedBack++;
        log(`handed back ${job.id} (${unitLabel(unit)})`);
        throw new WaitingError();
      }
      summary.failed++;
      if (e instanceof UnitError && e.badInput) {
        log(`failed ${job.id} (${unitLabel(unit)}): bad input: ${e.message}`);
        throw new UnrecoverableError(`${BAD_INPUT_REASON}${e.message}`);
      }
      log(`failed ${job.id} (${unitLabel(unit)}), attempt ${job.attemptsMade + 1}: ${(e as Error).message}`);
      throw e;
    } finally {
      active.delete(job.id!);
    }
  };

  const worker = new Worker(queueName(o.backend), processor, {
    connection: o.target.redis, prefix: QUEUE_PREFIX, concurrency, autorun: false,
    lockDuration, stalledInterval: lockDuration, maxStalledCount: MAX_STALLED,
    // A finished unit stays until its coordinator has read it (the coordinator removes it).
    removeOnComplete: { count: 1_000_000 }, removeOnFail: { count: 1_000_000 },
  });
  let lostRedis = false;
  worker.on('error', (e) => {
    const m = (e?.message ?? String(e)).split('\n')[0];
    if (!lostRedis) log(`Redis connection problem (${m}); reconnecting`);
    lostRedis = true;
  });
  worker.on('ready', () => { if (lostRedis) log('Redis connection back'); lostRedis = false; });

  let stopping: Promise<void> | undefined;
  let handBackNow: (() => void) | undefined;
  const handBack = async () => {
    for (const a of [...active.values()]) {
      if (a.handedBack) continue;
      a.handedBack = true;
      try {
        await a.job.moveToWait(a.token);
      } catch (e) {
        log(`could not hand back ${a.job.id} (${(e as Error).message}); its lock will expire and another worker takes it`);
      }
      await a.abandon();
    }
  };
  const shutdown = (why: string) => {
    if (stopping) { handBackNow?.(); return; }
    const grace = o.graceMs ?? 10_000;
    log(`${why}: finishing ${active.size} running unit(s) (up to ${grace / 1000} s, then handing them back)`);
    stopping = (async () => {
      const closed = worker.close();
      let t: NodeJS.Timeout | undefined;
      const timer = new Promise<void>((r) => {
        t = setTimeout(r, grace);
        handBackNow = () => { clearTimeout(t); r(); };
      });
      await Promise.race([closed, timer.then(handBack)]);
      clearTimeout(t);
      await closed;
    })();
  };
  const onSig = (sig: NodeJS.Signals) => shutdown(sig);
  if (o.signals !== false) {
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
  }
  void o.stop?.then(() => shutdown('stop requested'));

  try {
    await worker.waitUntilReady();
    log(`gradconf worker: queue ${o.target.display} (${queueName(o.backend)}), backend ${o.backend}, concurrency ${concurrency}; Ctrl-C to stop`);
    const running = worker.run();
    await running;
    if (stopping) await stopping;
  } finally {
    if (o.signals !== false) {
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
    }
    await threads.close();
  }
  log(`gradconf worker: stopped (${summary.completed} done, ${summary.failed} failed, ${summary.handedBack} handed back)`);
  return summary;
}
