/**
 * The pool's worker (a tinypool child process started with tsx's loader, src/pool/pool.ts): one
 * tfjs instance per worker, initialized once on the requested backend; each task runs a batch of
 * trials of one configuration (src/pool/trial.ts) and returns their measures.
 */
import { initBackend } from '../backend/index.ts';
import { runTrial, type TrialConfig, type TrialResult } from './trial.ts';

/** A batch of trials of one configuration, as sent to a worker. */
export interface WorkerTask {
  config: TrialConfig;
  seeds: number[];
  backend: string;
}

let ready: Promise<string> | undefined;

/** Run the task's trials (default export: tinypool calls it). */
export default async function trialWorker(task: WorkerTask): Promise<TrialResult[]> {
  ready ??= initBackend(task.backend);
  await ready;
  return task.seeds.map((s) => runTrial(task.config, s));
}
