/**
 * The queue-backed {@link TrialRunner} of src/pool/pool.ts: each batch of Monte-Carlo trials of
 * one configuration is one `trials` unit on the queue. `gradconf verify|tighten --queue URL`
 * install it with `withTrialRunner`, so every TrialPool the theorem code opens sends its batches
 * to the workers; the results are the trials' own (seeded per trial), hence the same numbers as
 * a local run.
 */
import { withTrialRunner, type TrialRunner } from '../pool/pool.ts';
import type { WorkerTask } from '../pool/worker.ts';
import type { TrialResult } from '../pool/trial.ts';
import type { UnitQueue } from './coordinator.ts';

/**
 * Trials per unit: ceil(total / 64), clamped to [8, 64] — at least 8 so that the per-unit
 * overhead (a few ms, README "Running on N machines") stays small against ~10 ms per trial, at
 * most 64 so that a run still splits into enough units for many workers.
 */
export function queueChunk(total: number): number {
  return Math.max(8, Math.min(64, Math.ceil(total / 64)));
}

/** A TrialRunner on a coordinator's unit queue. */
export function queueTrialRunner(queue: UnitQueue, where: string): TrialRunner {
  return {
    where,
    chunk: queueChunk,
    runBatch: (t: WorkerTask): Promise<TrialResult[]> => queue.submit({ kind: 'trials', config: t.config, seeds: t.seeds, backend: t.backend }),
  };
}

/** Run `fn` (a verify or tighten command) with its trial batches on the queue of `--queue url`. */
export async function onQueue<T>(url: string, backend: string, fn: () => Promise<T>): Promise<T> {
  const { withUnitQueue } = await import('./coordinator.ts');
  const { parseQueueUrl } = await import('./connection.ts');
  return withUnitQueue(url, backend, {}, (q) => withTrialRunner(queueTrialRunner(q, `queue ${parseQueueUrl(url).display}`), fn));
}
