/**
 * The worker-thread side of a sweep (src/train/sweep.ts): runs one task (learning-rate tuning or
 * training run, src/train/run.ts) and reports each finished epoch on the given MessagePort, for
 * the progress bar. Loaded through worker-entry.js, which registers tsx's TypeScript loader first.
 */
import type { MessagePort } from 'node:worker_threads';
import { executeRun, executeTune, type RunRecord, type Task, type TuneRecord } from './run.ts';
import { BadInputError } from '../errors.ts';
import { wasmHeapExhausted } from '../backend/wasm-heap.ts';

/** Prefix of the message of a BadInputError raised in a worker (errors cross threads as plain Errors). */
export const BAD_INPUT_PREFIX = 'gradconf-bad-input: ';

/** What the pool sends: the task, and a port for per-epoch progress messages (`{ epoch }`). */
export interface WorkerMessage { task: Task; port?: MessagePort }

/** Run one task; resolves to its record (structured-cloned back to the main thread). */
export async function runTask(msg: WorkerMessage): Promise<TuneRecord | RunRecord> {
  const post = (e: { epoch: number }) => msg.port?.postMessage({ epoch: e.epoch });
  try {
    return msg.task.type === 'tune' ? await executeTune(msg.task, post) : await executeRun(msg.task, post);
  } catch (e) {
    const heap = wasmHeapExhausted(e); // measured here, in the thread whose heap ran out
    if (heap) throw new Error(`${BAD_INPUT_PREFIX}${heap}`);
    throw e instanceof BadInputError ? new Error(`${BAD_INPUT_PREFIX}${e.message}`) : e;
  } finally {
    msg.port?.close();
  }
}
