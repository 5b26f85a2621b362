/**
 * The coordinator side of the queue: what `gradconf sweep|verify|tighten --queue URL` use to send
 * their independent units (src/queue/units.ts) to the workers and collect the results.
 *
 * A unit is a BullMQ job whose id is the unit's content hash (unitId), in the queue of its
 * backend, with `attempts` tries and exponential backoff for transient failures. Results arrive
 * through QueueEvents (`completed`, `failed`, `progress`); a reconciliation pass every
 * `reconcileMs` asks Redis for the state of every unit still awaited, so nothing hangs on a missed
 * event, and a unit Redis no longer knows (restarted without persistence, removed by hand) is
 * enqueued again. Each unit settles once, whatever happened to its job (results are keyed by unit
 * id; a unit redone after a stall gives the same result and is not counted twice). A collected
 * job is removed from Redis once the caller has taken its result.
 *
 * Finished jobs left by an earlier coordinator (it was killed after the workers finished): with
 * `reuseFinished` (the sweep's `--resume`) a completed one is collected, otherwise it is run again;
 * a failed one is always run again. Units still waiting or running are joined, not re-enqueued.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import { BadInputError } from '../errors.ts';
import { checkQueue, QUEUE_PREFIX, queueName, type QueueTarget } from './connection.ts';
import { BAD_INPUT_REASON, fromWire, toWire, unitBackend, unitId, type Unit, type UnitResult } from './units.ts';

/** Options of {@link UnitQueue.open}. */
export interface UnitQueueOptions {
  target: QueueTarget;
  /** Backend of the units (their queue). */
  backend: string;
  /** Collect completed jobs found from an earlier run instead of redoing them (sweep --resume). */
  reuseFinished?: boolean;
  /** Tries per unit for transient failures (default 4). */
  attempts?: number;
  /** First retry delay; doubles each retry (default 1000 ms). */
  backoffMs?: number;
  /** Interval of the reconciliation pass (default GRADCONF_QUEUE_RECONCILE_MS or 5000 ms). */
  reconcileMs?: number;
  /** One line per notable event (default stderr). */
  log?: (line: string) => void;
}

interface Pending {
  unit: Unit;
  promise: Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  progress: ((p: { epoch: number }) => void)[];
  settled: boolean;
  /** The job has been added (or found) in this session. */
  placed: boolean;
}

/** A coordinator's connection to the queue. */
export class UnitQueue {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private reconciling = false;
  private cancelling = false;
  private closed = false;
  /** Units collected, and units enqueued again after Redis lost them. */
  readonly stats = { submitted: 0, collected: 0, reenqueued: 0, reused: 0 };

  private constructor(
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly o: UnitQueueOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Check the URL (one-line error if unreachable), open the queue and its event stream. */
  static async open(o: UnitQueueOptions): Promise<UnitQueue> {
    await checkQueue(o.target);
    const name = queueName(o.backend);
    const queue = new Queue(name, { connection: o.target.redis, prefix: QUEUE_PREFIX });
    const events = new QueueEvents(name, { connection: o.target.redis, prefix: QUEUE_PREFIX });
    const log = o.log ?? ((l: string) => { process.stderr.write(`${l}\n`); });
    let down = false;
    const onError = (e: Error) => {
      if (!down) log(`gradconf: Redis connection problem (${(e?.message ?? String(e)).split('\n')[0]}); reconnecting`);
      down = true;
    };
    queue.on('error', onError);
    events.on('error', onError);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const uq = new UnitQueue(queue, events, o, (l) => { down = false; log(l); });
    events.on('completed', ({ jobId, returnvalue }) => { down = false; uq.onCompleted(jobId, returnvalue as unknown); });
    events.on('failed', ({ jobId, failedReason }) => { uq.onFailed(jobId, failedReason); });
    events.on('progress', ({ jobId, data }) => { uq.onProgress(jobId, data); });
    const every = o.reconcileMs ?? (Number(process.env.GRADCONF_QUEUE_RECONCILE_MS) || 5000);
    uq.timer = setInterval(() => { void uq.reconcile(); }, every);
    uq.timer.unref();
    return uq;
  }

  /** Workers connected to this queue now (Redis CLIENT LIST; 0 where the server hides it). */
  async workers(): Promise<number> {
    try {
      return await this.queue.getWorkersCount();
    } catch {
      return 0;
    }
  }

  /** Submit a unit; resolves to its result (rejects with BadInputError for a bad-input failure). */
  submit<U extends Unit>(unit: U, onProgress?: (p: { epoch: number }) => void): Promise<UnitResult<U>> {
    if (this.closed) return Promise.reject(new Error('internal: unit queue closed'));
    if (unitBackend(unit) !== this.o.backend) return Promise.reject(new Error(`internal: a ${unitBackend(unit)} unit sent to the ${this.o.backend} queue`));
    const id = unitId(unit);
    let p = this.pending.get(id);
    if (!p) {
      let resolve!: (v: unknown) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<unknown>((res, rej) => { resolve = res; reject = rej; });
      p = { unit, promise, resolve, reject, progress: [], settled: false, placed: false };
      this.pending.set(id, p);
      this.stats.submitted++;
      void this.place(id, p).catch((e: unknown) => this.settle(id, e instanceof Error ? e : new Error(String(e))));
    }
    if (onProgress) p.progress.push(onProgress);
    return p.promise as Promise<UnitResult<U>>;
  }

  /** Units submitted and not yet settled. */
  get inFlight(): number {
    return this.pending.size;
  }

  private jobOpts(id: string) {
    return {
      jobId: id, attempts: this.o.attempts ?? 4, backoff: { type: 'exponential', delay: this.o.backoffMs ?? 1000 },
      removeOnComplete: false, removeOnFail: false,
    };
  }

  private async add(id: string, p: Pending): Promise<void> {
    await this.queue.add(p.unit.kind, { unit: toWire(p.unit) }, this.jobOpts(id));
  }

  /** Enqueue the unit, or join / collect / redo the job an earlier coordinator left. */
  private async place(id: string, p: Pending): Promise<void> {
    const state = await this.queue.getJobState(id);
    if (p.settled) return;
    if (state === 'completed' && this.o.reuseFinished) {
      const job = await Job.fromId(this.queue, id);
      if (job && typeof job.returnvalue === 'string') {
        this.stats.reused++;
        this.onCompleted(id, job.returnvalue);
        return;
      }
    }
    if (state === 'completed' || state === 'failed') await this.queue.remove(id);
    if (state === 'unknown' || state === 'completed' || state === 'failed') await this.add(id, p);
    p.placed = true;
  }

  private settle(id: string, outcome: Error | { value: unknown }): void {
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    p.settled = true;
    this.pending.delete(id);
    if (outcome instanceof Error) p.reject(outcome);
    else {
      this.stats.collected++;
      p.resolve(outcome.value);
    }
  }

  private onCompleted(id: string, returnvalue: unknown): void {
    const p = this.pending.get(id);
    if (!p || p.settled) return;
    let value: unknown;
    try {
      value = fromWire(String(returnvalue));
    } catch (e) {
      this.settle(id, new Error(`unit ${id}: unreadable result (${(e as Error).message})`));
      return;
    }
    this.settle(id, { value });
    // Remove the job only after the microtasks that follow the result have run — there the sweep
    // appends its record — so a coordinator killed in between finds the job again on --resume.
    setImmediate(() => { void this.queue.remove(id).catch(() => {}); });
  }

  private onFailed(id: string, reason: string): void {
    if (!this.pending.has(id)) return;
    const r = reason ?? 'unknown reason';
    this.settle(id, r.startsWith(BAD_INPUT_REASON)
      ? new BadInputError(r.slice(BAD_INPUT_REASON.length))
      : new Error(`unit ${id} failed for good (up to ${this.o.attempts ?? 4} attempts): ${r}`));
  }

  private onProgress(id: string, data: unknown): void {
    const p = this.pending.get(id);
    if (!p || p.settled || typeof data !== 'object' || data === null || typeof (data as { epoch?: unknown }).epoch !== 'number') return;
    for (const f of p.progress) f(data as { epoch: number });
  }

  /** Ask Redis for the state of every awaited unit: collect what was missed, re-enqueue what was lost. */
  async reconcile(): Promise<void> {
    if (this.reconciling || this.closed || this.cancelling) return;
    this.reconciling = true;
    try {
      let lost = 0;
      for (const [id, p] of [...this.pending]) {
        if (p.settled || !p.placed) continue;
        const state = await this.queue.getJobState(id);
        if (p.settled) continue;
        if (state === 'completed' || state === 'failed') {
          const job = await Job.fromId(this.queue, id);
          if (!job) continue;
          if (state === 'completed') this.onCompleted(id, job.returnvalue);
          else this.onFailed(id, job.failedReason);
        } else if (state === 'unknown') {
          // A unit cancelPending withdrew while this pass was waiting on Redis is not lost.
          if (this.cancelling) break;
          await this.add(id, p);
          lost++;
        }
      }
      if (lost > 0) {
        this.stats.reenqueued += lost;
        this.log(`gradconf: ${lost} unit(s) were no longer in Redis (restarted without persistence?); enqueued them again`);
      }
    } catch {
      // Redis unreachable right now: the next pass tries again.
    } finally {
      this.reconciling = false;
    }
  }

  /** Remove the units still waiting (after a failure: nobody will collect them). */
  async cancelPending(): Promise<void> {
    // From here on no reconcile pass may take a withdrawn unit for one Redis lost and enqueue it again.
    this.cancelling = true;
    const ids = [...this.pending.keys()];
    for (const id of ids) {
      try {
        await this.queue.remove(id);
      } catch {
        // running (locked): it finishes and stays until a later run collects or redoes it.
      }
    }
  }

  /** Stop listening and close the connections (units still awaited are rejected). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const id of [...this.pending.keys()]) this.settle(id, new Error('unit queue closed'));
    // A graceful close waits for Redis; if it is gone, drop the connections after 3 s instead.
    const graceful = Promise.allSettled([this.events.close(), this.queue.close()]).then(() => true);
    const gaveUp = new Promise<boolean>((r) => { setTimeout(() => r(false), 3000).unref(); });
    if (!(await Promise.race([graceful, gaveUp]))) await Promise.allSettled([this.events.disconnect(), this.queue.disconnect()]);
  }
}

/**
 * Open the unit queue of `--queue url` for a coordinator command, say on stderr how many workers
 * are connected, run `fn`, and always close it (withdrawing the units still waiting if `fn` failed).
 */
export async function withUnitQueue<T>(url: string, backend: string, o: Pick<UnitQueueOptions, 'reuseFinished' | 'log'>, fn: (q: UnitQueue) => Promise<T>): Promise<T> {
  const { parseQueueUrl } = await import('./connection.ts');
  const target = parseQueueUrl(url);
  const log = o.log ?? ((l: string) => { process.stderr.write(`${l}\n`); });
  const q = await UnitQueue.open({ target, backend, ...o, log });
  try {
    const n = await q.workers();
    // Progress convention of src/cli/common.ts: info only on a terminal or with GRADCONF_PROGRESS=1;
    // the hint that nobody is listening, always.
    const chatty = process.stderr.isTTY === true || process.env.GRADCONF_PROGRESS === '1';
    if (n === 0) log(`gradconf: queue ${target.display} (${queueName(backend)}): no worker connected yet; start "gradconf worker --queue URL --backend ${backend}" on each machine`);
    else if (chatty) log(`gradconf: queue ${target.display} (${queueName(backend)}): ${n} worker${n === 1 ? '' : 's'} connected`);
    const out = await fn(q);
    if (q.stats.reused > 0) log(`gradconf: collected ${q.stats.reused} unit(s) the workers finished while no coordinator was running`);
    return out;
  } catch (e) {
    await q.cancelPending();
    throw e;
  } finally {
    await q.close();
  }
}
