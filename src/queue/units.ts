/**
 * The independent units of work that go through the queue, and how a worker runs one:
 * - `trials`: one batch of Monte-Carlo trials of one configuration (src/pool/trial.ts; what a
 *   TrialPool sends to a tinypool worker), result `TrialResult[]` in seed order;
 * - `sweep`: one task of a Section 7 sweep — a learning-rate tuning or one training run
 *   (src/train/run.ts), result the JSON record the sweep appends to runs.jsonl;
 * - `echo`: a diagnostic unit (returns its value after `sleepMs`; fails its first `failAttempts`
 *   attempts with a transient error, or with `badInput` as a bad-input error): measures the queue's
 *   per-unit overhead and exercises retries in the tests.
 *
 * A unit's result depends only on the unit (its configuration and seeds), so its id is a hash of
 * its canonical JSON ({@link unitId}): the same unit submitted twice, by one coordinator or two,
 * is one job, and a restarted coordinator finds the jobs it had enqueued.
 *
 * Units and results travel as JSON text with non-finite numbers kept ({@link toWire}): a NaN
 * measure must reach the coordinator as NaN, as it does through tinypool's structured clone, and
 * a NaN in a unit must reach the worker's checks as NaN, not as null.
 */
import { createHash } from 'node:crypto';
import { BadInputError } from '../errors.ts';
import type { TrialConfig, TrialResult } from '../pool/trial.ts';
import type { RunRecord, Task, TuneRecord } from '../train/run.ts';

/** A unit of work. */
export type Unit =
  | { kind: 'trials'; config: TrialConfig; seeds: number[]; backend: string }
  | { kind: 'sweep'; task: Task & { backend: string } }
  | { kind: 'echo'; value: unknown; backend: string; sleepMs?: number; failAttempts?: number; badInput?: string };

/** The result type of each kind. */
export type UnitResult<U extends Unit> = U extends { kind: 'trials' } ? TrialResult[] : U extends { kind: 'sweep' } ? TuneRecord | RunRecord : unknown;

/** Prefix of a failed job's reason when the unit had bad input (the coordinator exits 2). */
export const BAD_INPUT_REASON = 'bad input: ';

/** Version of the unit format: part of every id, so a worker never gets a unit it cannot read. */
export const UNIT_FORMAT = 1;

/** The tfjs backend a unit runs on (it picks the queue). */
export function unitBackend(u: Unit): string {
  return u.kind === 'sweep' ? u.task.backend : u.backend;
}

/** JSON with object keys sorted, so equal units hash equally. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    return Object.fromEntries(Object.keys(x).sort().map((k) => [k, (x as Record<string, unknown>)[k]]));
  });
}

/** The job id of a unit: `<kind>-<sha256 of its canonical wire JSON, 40 hex>` (BullMQ ids take no ':'). */
export function unitId(u: Unit): string {
  return `${u.kind}-${createHash('sha256').update(`gradconf-unit-v${UNIT_FORMAT}\n${canonicalJson(JSON.parse(toWire(u)))}`).digest('hex').slice(0, 40)}`;
}

/** A short human label of a unit for worker logs. */
export function unitLabel(u: Unit): string {
  if (u.kind === 'sweep') return `${u.task.type} ${u.task.key}`;
  if (u.kind === 'trials') return `${u.seeds.length} trials d=${u.config.d} n=${u.config.n} l=${u.config.width} β=${u.config.depth}`;
  return 'echo';
}

/** Encode a unit or a result as JSON text, keeping NaN and ±Infinity (as `{"$n":"NaN"}` etc.). */
export function toWire(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? { $n: String(x) } : x));
}

/** Inverse of {@link toWire}. */
export function fromWire<T>(text: string): T {
  return JSON.parse(text, (_k, x: unknown) => {
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      const keys = Object.keys(x);
      if (keys.length === 1 && keys[0] === '$n') return Number((x as { $n: string }).$n);
    }
    return x;
  }) as T;
}

const isInt = (v: unknown, min: number) => Number.isSafeInteger(v) && (v as number) >= min;
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

/**
 * Check a trials unit read from the queue (a worker trusts nothing it reads from the network).
 * @throws BadInputError naming the first bad field.
 */
export function checkTrialUnit(u: { config: unknown; seeds: unknown }): void {
  const c = u.config as Partial<TrialConfig> | null;
  const bad = (field: string, got: unknown, want: string) => new BadInputError(`trials unit: config.${field} must be ${want} (got ${typeof got === 'number' ? String(got) : JSON.stringify(got)})`);
  if (typeof c !== 'object' || c === null) throw new BadInputError('trials unit: config must be an object');
  for (const f of ['d', 'n', 'width'] as const) if (!isInt(c[f], 1)) throw bad(f, c[f], 'a positive integer');
  if (!isInt(c.depth, 0)) throw bad('depth', c.depth, 'a non-negative integer');
  if (c.outputs !== undefined && !isInt(c.outputs, 1)) throw bad('outputs', c.outputs, 'a positive integer');
  if (!['tanh', 'relu', 'sigmoid', 'linear'].includes(c.activation as string)) throw bad('activation', c.activation, 'tanh, relu, sigmoid or linear');
  if (c.loss !== 'mse' && c.loss !== 'logistic') throw bad('loss', c.loss, 'mse or logistic');
  if (c.labeler !== undefined && !['linear', 'tanh', 'sin'].includes(c.labeler)) throw bad('labeler', c.labeler, 'linear, tanh or sin');
  const init = c.init as Record<string, unknown> | undefined;
  if (typeof init !== 'object' || init === null) throw bad('init', init, 'an object');
  if (init.name === 'gaussian') {
    if (!isNum(init.kappa)) throw bad('init.kappa', init.kappa, 'a finite number');
  } else if (init.name === 'small-weights') {
    if (init.scale !== undefined && !isNum(init.scale)) throw bad('init.scale', init.scale, 'a finite number');
  } else if (init.name !== 'orthogonal') {
    throw bad('init.name', init.name, 'gaussian, small-weights or orthogonal');
  }
  if (c.ball !== undefined) {
    const b = c.ball as unknown as Record<string, unknown>;
    if (!isNum(b.radius) || !isInt(b.samples, 1) || (b.norm !== 'operator' && b.norm !== 'frobenius')) throw bad('ball', b, '{ radius: finite, samples: positive integer, norm: operator | frobenius }');
  }
  if (!Array.isArray(u.seeds) || u.seeds.some((s) => !Number.isSafeInteger(s))) throw new BadInputError('trials unit: seeds must be a list of integers');
}

/** What a running unit may report. */
export interface UnitContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Progress of a sweep task: one call per finished epoch. */
  progress?: (p: { epoch: number }) => void;
}

let trialBackend: Promise<string> | undefined;

/** Run a unit on this thread (a worker's unit thread, src/queue/unit-thread.ts). */
export async function executeUnit(u: Unit, ctx: UnitContext): Promise<unknown> {
  switch (u.kind) {
    case 'trials': {
      checkTrialUnit(u);
      const { initBackend } = await import('../backend/index.ts');
      trialBackend ??= initBackend(u.backend);
      await trialBackend;
      const { runTrial } = await import('../pool/trial.ts');
      return u.seeds.map((s) => runTrial(u.config, s));
    }
    case 'sweep': {
      const { executeRun, executeTune } = await import('../train/run.ts');
      const t = u.task;
      const onEpoch = (e: { epoch: number }) => ctx.progress?.({ epoch: e.epoch });
      if (t.type === 'tune') return executeTune(t, onEpoch);
      if (t.type === 'run') return executeRun(t, onEpoch);
      throw new BadInputError(`sweep unit: unknown task type ${JSON.stringify((t as { type: unknown }).type)}`);
    }
    case 'echo': {
      if (u.sleepMs) await new Promise((r) => setTimeout(r, u.sleepMs));
      if (u.badInput !== undefined) throw new BadInputError(u.badInput);
      if (u.failAttempts !== undefined && ctx.attempt <= u.failAttempts) throw new Error(`echo unit: transient failure on attempt ${ctx.attempt}`);
      return u.value;
    }
    default:
      throw new BadInputError(`unknown unit kind ${JSON.stringify((u as { kind: unknown }).kind)} (this worker reads unit format ${UNIT_FORMAT})`);
  }
}
