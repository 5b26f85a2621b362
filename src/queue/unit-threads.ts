/**
 * A queue worker's unit threads: one worker thread per concurrency slot, each with its own tfjs
 * instance, kept between units. CPU-bound units run there, so the worker's main thread stays free
 * to renew BullMQ's job locks and to answer signals; a unit can be abandoned at any instant (hand
 * back on shutdown) by terminating its thread, which is then replaced.
 */
import { Worker } from 'node:worker_threads';
import type { ThreadReply, ThreadRequest } from './unit-thread.ts';
import type { Unit } from './units.ts';

/** A unit failed inside its thread. */
export class UnitError extends Error {
  constructor(message: string, readonly badInput: boolean) {
    super(message);
    this.name = 'UnitError';
  }
}

/** The unit was abandoned (its thread terminated) before it finished. */
export class UnitAbandoned extends Error {
  constructor() {
    super('unit abandoned');
    this.name = 'UnitAbandoned';
  }
}

const ENTRY = new URL('./unit-thread-entry.js', import.meta.url);

class Slot {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  /** The unit in flight: how to fail it (thread crash, exit, abandon). */
  private current: { reject: (e: Error) => void } | undefined;
  busy = false;

  private start(): Promise<void> {
    const w = new Worker(ENTRY);
    this.worker = w;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => { if (m.ready) { w.off('message', onMsg); resolve(); } };
      w.on('message', onMsg);
      w.once('error', reject);
      w.once('exit', () => reject(new UnitError('unit thread exited before it was ready', false)));
    });
    this.ready.catch(() => {});
    w.on('error', (e) => this.current?.reject(new UnitError(`unit thread crashed: ${e.message.split('\n')[0]}`, false)));
    w.on('exit', () => {
      if (this.worker === w) { this.worker = undefined; this.ready = undefined; }
      this.current?.reject(new UnitError('unit thread exited', false));
    });
    return this.ready;
  }

  run(unit: Unit, attempt: number, progress: (p: { epoch: number }) => void): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let w: Worker | undefined;
      const onMsg = (m: ThreadReply) => {
        if ('progress' in m) { progress(m.progress); return; }
        finish();
        if ('result' in m) resolve(m.result);
        else reject(new UnitError(m.error, m.badInput));
      };
      const finish = () => { w?.off('message', onMsg); this.current = undefined; };
      this.current = { reject: (e) => { finish(); reject(e); } };
      void (async () => {
        if (!this.worker) await this.start();
        else await this.ready;
        if (this.current === undefined) return; // abandoned while the thread started
        w = this.worker!;
        w.on('message', onMsg);
        w.postMessage({ unit, attempt } satisfies ThreadRequest);
      })().catch((e: unknown) => this.current?.reject(e instanceof Error ? e : new Error(String(e))));
    });
  }

  /** Stop the unit in flight (if any): terminate the thread; the next unit starts a new one. */
  async abandon(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    this.current?.reject(new UnitAbandoned());
    if (w) await w.terminate();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/** A fixed set of unit threads; `run` takes a free one (callers never exceed the slot count). */
export class UnitThreads {
  private readonly slots: Slot[];

  constructor(readonly size: number) {
    this.slots = Array.from({ length: size }, () => new Slot());
  }

  /** Start a unit on a free thread: its encoded result, and how to abandon it. */
  run(unit: Unit, attempt: number, progress: (p: { epoch: number }) => void): { result: Promise<string>; abandon: () => Promise<void> } {
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) throw new Error('internal: no free unit thread');
    slot.busy = true;
    const result = slot.run(unit, attempt, progress).finally(() => { slot.busy = false; });
    return { result, abandon: () => slot.abandon() };
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}
