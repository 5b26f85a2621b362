/**
 * The confusion monitor's JSONL format (one JSON object per line; `gradconf report --monitor`
 * reads it): a header line `{"type":"monitor", …}` with the settings, then one `{"type":"probe", …}`
 * line per probe, in training order.
 */
import type { CosineSummary } from '../probe/stats.ts';

/** The first line: what was probed, how often, with which seed. */
export interface MonitorHeader {
  type: 'monitor';
  version: 1;
  mode: 'minibatch' | 'example';
  /** Probe every `every` steps (batches) or epochs. */
  every: number;
  unit: 'step' | 'epoch';
  /** minibatch mode: pairs per probe and minibatch size; example mode: probe-set size. */
  pairs?: number;
  batchSize: number;
  /** Examples given to the monitor (the pool in minibatch mode, the probe set in example mode). */
  examples: number;
  seed: number;
  model: { parameters: number; loss: string };
  backend: string;
  startedAt: string;
}

/** One probe during training. */
export interface MonitorRecord {
  type: 'probe';
  /** Optimizer steps done when probed (0 = before training). */
  step: number;
  /** 1-based epoch in progress (or just finished); null when not known. */
  epoch: number | null;
  /** The training loss reported for the step or epoch (null when not given). */
  loss: number | null;
  mode: 'minibatch' | 'example';
  /** Examples (example mode) or pairs (minibatch mode) probed. */
  n: number;
  /** Def. 2.1's η between per-example gradients (example mode) or between minibatch-mean gradients. */
  eta: number;
  cosine: CosineSummary | null;
  /** Example mode: sign/cosine stiffness overall, and within/between classes when labels exist. */
  stiffness: { sign: number; cosine: number; withinClass: { sign: number; cosine: number } | null; betweenClasses: { sign: number; cosine: number } | null } | null;
  /** B_simple = tr Σ/‖E g‖² with its two unbiased parts. */
  noiseScale: { bSimple: number | null; traceCovariance: number; meanGradientSq: number } | null;
  /** Example mode only. */
  mCoherence: number | null;
  diversity: number | null;
  /** Example mode: mean loss over the probe set. */
  probeLoss: number | null;
  /** Wall time of this probe (ms). */
  ms: number;
}

/** Any line of a monitor log. */
export type MonitorLine = MonitorHeader | MonitorRecord;
