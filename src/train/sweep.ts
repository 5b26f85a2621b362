/**
 * Run a Section 7 sweep (Sankararaman et al., ICML 2020): learning-rate tuning per configuration
 * (when no fixed rate is given), then every run of the plan, in parallel on worker threads
 * (tinypool; one task per worker at a time), each finished task appended atomically to
 * `<out>/runs.jsonl` (src/train/results.ts).
 *
 * Resume: with `resume`, the records already in the file are kept and only the missing tasks run;
 * since a record is written only when its task has finished, and atomically, a kill at any instant
 * loses at most the tasks in flight (they are redone) and never duplicates one. The configuration
 * is stored in `<out>/sweep.json`; resuming with a different configuration is refused.
 *
 * Every task is self-contained and seeded (He init with the run's seed, seeded shuffling and
 * probe pairs), so the records do not depend on the order or the worker that ran them.
 *
 * With `queue` (`gradconf sweep --queue URL`), each task is one unit on the job queue
 * (src/queue/coordinator.ts) instead of a local thread: every ready task is enqueued at once, the
 * workers' per-epoch progress drives the same bar, and each record is appended, atomically and
 * once, as it arrives. A resumed sweep also collects the units the workers finished while no
 * coordinator was running.
 */
import { MessageChannel } from 'node:worker_threads';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import { parameterCount } from '../../models/spec.ts';
import { BadInputError } from '../errors.ts';
import { checkData } from './datasets.ts';
import { modelSpecFor, takesImages } from './families.ts';
import { sweepPlan, type RunPlan, type SweepConfig } from './plan.ts';
import { CONFIG_FILE, RESULTS_FILE, appendRecordAtomic, readRecords, writeFileAtomic } from './results.ts';
import { ProgressBar, type ProgressOptions } from './progress.ts';
import type { RunRecord, Task, TuneRecord } from './run.ts';
import { BAD_INPUT_PREFIX } from './worker.ts';
import { requestedBackend } from '../backend/index.ts';
import type { UnitQueue } from '../queue/coordinator.ts';

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** Output directory (created): runs.jsonl and sweep.json. */
  outDir: string;
  /** Continue a sweep in `outDir` (without it, an existing results file is an error). */
  resume?: boolean;
  /** Worker threads (default: available cores, at most the number of tasks); 0 = in this thread. */
  workers?: number;
  /** tfjs backend for the tasks (default: GRADCONF_BACKEND or wasm). */
  backend?: string;
  /** Progress bar options (label etc.); `false` for none. */
  progress?: Partial<ProgressOptions> | false;
  /** Called after each record is appended. */
  onRecord?: (r: TuneRecord | RunRecord) => void;
  /** Run the tasks as units on this job queue instead of local threads (`workers` is then ignored). */
  queue?: UnitQueue;
}

/** What a sweep produced (all records in the file, old and new). */
export interface SweepOutcome {
  config: SweepConfig;
  plan: RunPlan[];
  tunes: TuneRecord[];
  runs: RunRecord[];
  resultsFile: string;
  /** Tasks run in this call, and tasks found already done. */
  ran: number;
  skipped: number;
  workers: number;
  ms: number;
}

/** Key of the tuning task of a configuration. */
export const tuneKey = (configKey: string) => `tune/${configKey}`;

function diffFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Rough relative cost of a run, to start the expensive ones first (better packing on workers). */
function costOf(cfg: SweepConfig, p: RunPlan): number {
  const image: [number, number, number] = cfg.dataset === 'cifar10' ? [32, 32, 3] : [28, 28, 1];
  const spec = modelSpecFor(p.model, image, 10);
  return parameterCount(spec) * (takesImages(cfg.family) ? 100 : 1) + spec.layers.length * 2e4;
}

/**
 * Run (or resume) the sweep described by `cfg`; see the module doc.
 * @throws BadInputError for missing data, an existing results file without `resume`, a
 *   configuration that differs from the stored one, or a results file with foreign/duplicate keys.
 */
export async function runSweep(cfg: SweepConfig, o: SweepOptions): Promise<SweepOutcome> {
  const t0 = performance.now();
  checkData(cfg);
  const resultsFile = join(o.outDir, RESULTS_FILE);
  const configFile = join(o.outDir, CONFIG_FILE);
  if (!o.resume && (existsSync(resultsFile) || existsSync(configFile))) {
    throw new BadInputError(`${o.outDir} already holds a sweep; pass --resume to continue it or choose another --out`);
  }
  if (existsSync(configFile)) {
    let stored: Record<string, unknown>;
    try {
      stored = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    } catch {
      throw new BadInputError(`${configFile} is not valid JSON`);
    }
    const diff = diffFields(stored, cfg as unknown as Record<string, unknown>);
    if (diff.length) throw new BadInputError(`--resume: the sweep in ${o.outDir} was started with other settings (${diff.join(', ')} differ); use the same options or another --out`);
  } else {
    writeFileAtomic(configFile, `${JSON.stringify(cfg, null, 2)}\n`);
  }

  const plan = sweepPlan(cfg);
  const tuning = cfg.lr === null;
  const known = new Set([...plan.map((p) => p.key), ...(tuning ? plan.map((p) => tuneKey(p.configKey)) : [])]);
  const existing = readRecords<TuneRecord | RunRecord>(resultsFile);
  for (const r of existing) if (!known.has(r.key)) throw new BadInputError(`${resultsFile}: record "${r.key}" is not part of this sweep`);
  const tunes = new Map(existing.filter((r): r is TuneRecord => r.type === 'tune').map((r) => [r.configKey, r]));
  const runs = new Map(existing.filter((r): r is RunRecord => r.type === 'run').map((r) => [r.key, r]));

  const cost = new Map(plan.map((p) => [p.key, costOf(cfg, p)]));
  const byCost = (a: RunPlan, b: RunPlan) => cost.get(b.key)! - cost.get(a.key)!;
  const pendingRuns = plan.filter((p) => !runs.has(p.key)).sort(byCost);
  const configs = new Map<string, RunPlan>();
  for (const p of [...plan].sort(byCost)) if (!configs.has(p.configKey)) configs.set(p.configKey, { ...p, seed: cfg.seeds[0]! });
  const pendingTunes: Task[] = tuning
    ? [...configs.values()].filter((p) => !tunes.has(p.configKey)).map((p) => ({ type: 'tune', key: tuneKey(p.configKey), configKey: p.configKey, plan: p, config: cfg, backend: o.backend }))
    : [];
  const runTask = (p: RunPlan): Task => {
    const t = tunes.get(p.configKey);
    return { type: 'run', key: p.key, plan: p, config: cfg, lr: tuning ? t!.chosen : cfg.lr!, lrSource: tuning ? tuneKey(p.configKey) : '--lr', backend: o.backend };
  };
  const ready: Task[] = [...pendingTunes, ...pendingRuns.filter((p) => !tuning || tunes.has(p.configKey)).map(runTask)];
  const waiting = pendingRuns.filter((p) => tuning && !tunes.has(p.configKey));

  const unitsOf = (t: Task) => (t.type === 'tune' ? cfg.lrGrid.length * cfg.tuneEpochs : cfg.epochs);
  const allTasks = plan.length + (tuning ? configs.size : 0);
  const todo = pendingTunes.length + pendingRuns.length;
  const totalUnits = plan.length * cfg.epochs + (tuning ? configs.size * cfg.lrGrid.length * cfg.tuneEpochs : 0);
  const todoUnits = pendingTunes.reduce((a, t) => a + unitsOf(t), 0) + pendingRuns.length * cfg.epochs;
  const bar = new ProgressBar(totalUnits, allTasks, { label: `sweep ${cfg.kind}`, alreadyDone: totalUnits - todoUnits, ...(o.progress || {}), ...(o.progress === false ? { enabled: false } : {}) });
  bar.setTasksDone(allTasks - todo);

  const workers = o.queue ? 0 : Math.max(0, Math.min(o.workers ?? availableParallelism(), todo));
  const pool = workers > 0
    // Compiled (dist/): the worker module itself; from TypeScript: the entry that registers tsx first.
    ? (import.meta.url.endsWith('.js')
      ? new Tinypool({ filename: new URL('./worker.js', import.meta.url).href, name: 'runTask', minThreads: workers, maxThreads: workers, idleTimeout: 60_000 })
      : new Tinypool({ filename: new URL('./worker-entry.js', import.meta.url).href, name: 'default', minThreads: workers, maxThreads: workers, idleTimeout: 60_000 }))
    : undefined;

  const execute = async (t: Task): Promise<TuneRecord | RunRecord> => {
    let counted = 0;
    const tick = () => { if (counted < unitsOf(t)) { counted++; bar.advance(1); } };
    let rec: TuneRecord | RunRecord;
    if (o.queue) {
      rec = await o.queue.submit({ kind: 'sweep', task: { ...t, backend: requestedBackend(o.backend) } }, tick);
    } else if (pool) {
      const { port1, port2 } = new MessageChannel();
      port1.on('message', tick);
      try {
        rec = (await pool.run({ task: t, port: port2 }, { transferList: [port2] })) as TuneRecord | RunRecord;
      } catch (e) {
        const m = (e as Error)?.message ?? '';
        throw m.startsWith(BAD_INPUT_PREFIX) ? new BadInputError(m.slice(BAD_INPUT_PREFIX.length)) : e;
      } finally {
        port1.close();
      }
    } else {
      const { executeRun, executeTune } = await import('./run.ts');
      rec = t.type === 'tune' ? await executeTune(t, tick) : await executeRun(t, tick);
    }
    bar.advance(unitsOf(t) - counted, 1);
    return rec;
  };

  const finished = (rec: TuneRecord | RunRecord) => {
    appendRecordAtomic(resultsFile, rec);
    if (rec.type === 'tune') {
      tunes.set(rec.configKey, rec);
      for (let i = waiting.length - 1; i >= 0; i--) {
        if (waiting[i]!.configKey === rec.configKey) ready.push(runTask(waiting.splice(i, 1)[0]!));
      }
      ready.sort((a, b) => (a.type === b.type ? (a.type === 'run' && b.type === 'run' ? byCost(a.plan, b.plan) : 0) : a.type === 'tune' ? -1 : 1));
    } else {
      runs.set(rec.key, rec);
    }
    o.onRecord?.(rec);
  };

  let ran = 0;
  // The first failure stops dispatching; tasks still in flight are ended with the pool. Every
  // promise handles its own rejection, so none is left unhandled.
  let failure: { error: unknown } | undefined;
  const inflight = new Set<Promise<void>>();
  try {
    while (!failure && (ready.length > 0 || inflight.size > 0)) {
      while (!failure && ready.length > 0 && (o.queue !== undefined || inflight.size < Math.max(1, workers))) {
        const t = ready.shift()!;
        const p: Promise<void> = execute(t)
          .then((rec) => { finished(rec); ran++; })
          .catch((error: unknown) => { failure ??= { error }; })
          .finally(() => { inflight.delete(p); });
        inflight.add(p);
      }
      if (inflight.size > 0) await Promise.race(inflight);
    }
  } finally {
    bar.finish();
    await pool?.destroy();
    // On the queue, the units of a failed sweep are withdrawn rather than awaited (the ones
    // already running finish on their workers; --resume collects them).
    if (o.queue && failure) await o.queue.cancelPending();
    else await Promise.all(inflight);
  }
  if (failure) throw failure.error;
  if (waiting.length > 0) throw new Error(`internal: ${waiting.length} runs never got a learning rate`);
  return {
    config: cfg, plan, tunes: [...tunes.values()], runs: plan.map((p) => runs.get(p.key)!).filter((r) => r !== undefined),
    resultsFile, ran, skipped: allTasks - todo, workers, ms: performance.now() - t0,
  };
}
