/**
 * A worker pool for Monte-Carlo trials at initialization (Theorems 4.1, 5.1, 6.1, Corollary 5.1):
 * tinypool child processes, each started with tsx's ESM loader (`node --import tsx`) so the worker
 * is the TypeScript module src/pool/worker.ts itself, each with its own tfjs instance on the chosen
 * backend. Work is sent as batches of trial seeds of one configuration; results come back in order,
 * so a run is deterministic whatever the number of workers (checked in pool.test.ts).
 *
 * `workers: 0` runs the same trials in this process (no child processes), e.g. for replays in tests.
 * Default number of workers: `GRADCONF_WORKERS` if set, else `os.availableParallelism()`.
 *
 * A {@link TrialRunner} sends the batches elsewhere instead — the job queue of `--queue URL`
 * (src/queue/queue-trials.ts). The CLI installs one around a command with {@link withTrialRunner};
 * every pool opened inside it without an explicit `workers` then uses it, so theorem code calling
 * `withPool({}, …)` runs unchanged and gets the same numbers (a trial depends only on its
 * configuration and seed, not on where or in which batch it ran).
 */
import os from 'node:os';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import Tinypool from 'tinypool';
import { initBackend, requestedBackend } from '../backend/index.ts';
import { BadInputError } from '../errors.ts';
import { runTrial, type TrialConfig, type TrialResult } from './trial.ts';
import type { WorkerTask } from './worker.ts';

/** Trials of one configuration. */
export interface TrialTask { config: TrialConfig; seeds: number[] }

/** Options of {@link TrialPool.open}. */
export interface PoolOptions {
  /** Number of worker processes; 0 = run in this process. Default {@link defaultWorkers}. */
  workers?: number;
  /** tfjs backend of the workers (default: GRADCONF_BACKEND or 'wasm'). */
  backend?: string;
  /** Trials per message (default: adaptive, 4–32; with a runner, the runner's choice). */
  chunk?: number;
  /** Send the batches to this runner (default: the one installed by {@link withTrialRunner}, unless `workers` is given). */
  runner?: TrialRunner;
}

/** Runs batches of trials somewhere else than this machine's tinypool (e.g. on a job queue). */
export interface TrialRunner {
  /** Where, for messages (e.g. `queue redis://host:6379/0`). */
  readonly where: string;
  /** Trials per batch for a run of `total` trials (when PoolOptions.chunk is not given). */
  chunk(total: number): number;
  /** Run one batch on the given backend; results in seed order. */
  runBatch(task: WorkerTask): Promise<TrialResult[]>;
}

const ambientRunner = new AsyncLocalStorage<TrialRunner>();

/** Run `fn` with every pool opened inside it (without an explicit `workers`) sending its trials to `runner`. */
export function withTrialRunner<T>(runner: TrialRunner, fn: () => Promise<T>): Promise<T> {
  return ambientRunner.run(runner, fn);
}

/** GRADCONF_WORKERS (a non-negative integer) if set, else the number of cores. */
export function defaultWorkers(): number {
  const env = process.env.GRADCONF_WORKERS;
  if (env !== undefined && env !== '') {
    const v = Number(env);
    if (!Number.isInteger(v) || v < 0) throw new BadInputError(`GRADCONF_WORKERS must be a non-negative integer (got "${env}")`);
    return v;
  }
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Running as compiled JavaScript (the published dist/), not as TypeScript through tsx. */
const COMPILED = import.meta.url.endsWith('.js');

/** file: URL of tsx's ESM loader, resolved from this package (works from any working directory). */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** A pool of trial workers; close it when done (or use {@link withPool}). */
export class TrialPool {
  /** Trials run through this pool so far. */
  trials = 0;

  private constructor(
    private readonly pool: Tinypool | null,
    /** Number of worker processes (0 = in-process). */
    readonly workers: number,
    /** The tfjs backend the trials run on. */
    readonly backend: string,
    private readonly chunk: number | undefined,
    /** Where the batches run when not on this machine (then `workers` is 0). */
    readonly runner?: TrialRunner,
  ) {}

  /** Start the workers (they load tfjs lazily, on their first task). */
  static async open(opts: PoolOptions = {}): Promise<TrialPool> {
    const workers = opts.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 0) throw new BadInputError(`workers must be a non-negative integer (got ${workers})`);
    const backend = requestedBackend(opts.backend);
    const runner = opts.runner ?? (opts.workers === undefined ? ambientRunner.getStore() : undefined);
    if (runner) return new TrialPool(null, 0, backend, opts.chunk, runner);
    if (workers === 0) {
      await initBackend(backend);
      return new TrialPool(null, 0, backend, opts.chunk);
    }
    const pool = new Tinypool({
      filename: new URL(COMPILED ? './worker.js' : './worker.ts', import.meta.url).href,
      runtime: 'child_process',
      minThreads: workers,
      maxThreads: workers,
      execArgv: COMPILED ? [] : ['--import', tsxLoader()],
      // A worker holds a wasm heap; no recycling between tasks keeps tfjs initialized once.
      isolateWorkers: false,
    });
    return new TrialPool(pool, workers, backend, opts.chunk);
  }

  /**
   * Run every task's trials; result[t][i] belongs to tasks[t].seeds[i]. `progress` is called with
   * (trials done, trials total) as batches complete.
   */
  async run(tasks: readonly TrialTask[], progress?: (done: number, total: number) => void): Promise<TrialResult[][]> {
    const total = tasks.reduce((a, t) => a + t.seeds.length, 0);
    let done = 0;
    const out: TrialResult[][] = tasks.map((t) => new Array<TrialResult>(t.seeds.length));
    if (!this.pool && !this.runner) {
      tasks.forEach((t, ti) => t.seeds.forEach((s, i) => {
        out[ti]![i] = runTrial(t.config, s);
        progress?.(++done, total);
      }));
      this.trials += total;
      return out;
    }
    const chunk = this.chunk ?? (this.runner ? this.runner.chunk(total) : Math.max(4, Math.min(32, Math.ceil(total / (this.workers * 8)))));
    const exec = (msg: WorkerTask) => (this.runner ? this.runner.runBatch(msg) : (this.pool!.run(msg) as Promise<TrialResult[]>));
    const jobs: Promise<void>[] = [];
    tasks.forEach((t, ti) => {
      for (let start = 0; start < t.seeds.length; start += chunk) {
        const seeds = t.seeds.slice(start, start + chunk);
        const msg: WorkerTask = { config: t.config, seeds, backend: this.backend };
        jobs.push(exec(msg).then((res) => {
          res.forEach((r, i) => { out[ti]![start + i] = r; });
          done += seeds.length;
          progress?.(done, total);
        }));
      }
    });
    await Promise.all(jobs);
    this.trials += total;
    return out;
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}

/** Open a pool, run `fn` with it, and always close it. */
export async function withPool<T>(opts: PoolOptions, fn: (pool: TrialPool) => Promise<T>): Promise<T> {
  const pool = await TrialPool.open(opts);
  try {
    return await fn(pool);
  } finally {
    await pool.close();
  }
}
