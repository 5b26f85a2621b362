/**
 * A progress bar with ETA for sweeps, on stderr. Work is counted in units (training epochs and
 * tuning epochs); the ETA uses only the rate of the units done in this session, so a resumed sweep
 * does not look faster than it is. Shown when stderr is a terminal or GRADCONF_PROGRESS=1 (the
 * convention of src/cli/common.ts).
 */

/** Format seconds as `1h02m`, `3m20s` or `45s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Options of {@link ProgressBar}. */
export interface ProgressOptions {
  label: string;
  /** Units already done before this session (resume); they count in the bar, not in the rate. */
  alreadyDone?: number;
  /** Where to write (default process.stderr). */
  write?: (s: string) => void;
  /** Default: stderr is a TTY or GRADCONF_PROGRESS=1. */
  enabled?: boolean;
  /** Clock in ms (tests). */
  now?: () => number;
  /** Minimum ms between redraws (default 250). */
  throttleMs?: number;
}

/** `[#####-----] 45% 120/266 epochs · 3/25 runs · ETA 3m20s` on one carriage-returned line. */
export class ProgressBar {
  private done: number;
  private readonly start: number;
  private readonly base: number;
  private last = -Infinity;
  private runsDone = 0;
  private readonly write: (s: string) => void;
  private readonly now: () => number;
  readonly enabled: boolean;

  constructor(private readonly total: number, private readonly runsTotal: number, private readonly o: ProgressOptions) {
    this.now = o.now ?? (() => Date.now());
    this.write = o.write ?? ((s) => { process.stderr.write(s); });
    this.enabled = o.enabled ?? (process.stderr.isTTY === true || process.env.GRADCONF_PROGRESS === '1');
    this.base = o.alreadyDone ?? 0;
    this.done = this.base;
    this.start = this.now();
  }

  /** Seconds left at the rate of this session (NaN before any unit is done). */
  eta(): number {
    const units = this.done - this.base;
    if (units <= 0) return NaN;
    return ((this.now() - this.start) / 1000 / units) * (this.total - this.done);
  }

  /** The bar as text. */
  render(): string {
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const w = 20;
    const fill = Math.round(frac * w);
    return `${this.o.label} [${'#'.repeat(fill)}${'-'.repeat(w - fill)}] ${Math.round(frac * 100)}% ${this.done}/${this.total} epochs · ${this.runsDone}/${this.runsTotal} tasks · ETA ${formatDuration(this.eta())}`;
  }

  /** Add done units (and finished tasks); redraws at most every throttleMs. */
  advance(units: number, tasks = 0): void {
    this.done += units;
    this.runsDone += tasks;
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.last < (this.o.throttleMs ?? 250) && this.done < this.total) return;
    this.last = t;
    this.write(`\r${this.render()}   `);
  }

  /** Count tasks finished before this session. */
  setTasksDone(n: number): void {
    this.runsDone = n;
  }

  /** End the line. */
  finish(): void {
    if (this.enabled) this.write(`\r${this.render()}   \n`);
  }
}
