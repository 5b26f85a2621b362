/**
 * The registry of "tightening" searches that `gradconf tighten <id>` runs: counterexample search
 * for strengthened or mis-printed variants of a result (Thm 3.1, 3.2), and estimation of the
 * constants the paper leaves open (Thm 4.1, 5.1, Cor 5.1, 6.1). Each theorem file that supports
 * tightening exports a `tightener`; this file lists them.
 */
export interface TightenOptions {
  /** Search budget (fast-check runs / configurations / trials; each tightener says which). */
  budget: number;
  seed: number;
  progress?: (done: number, total: number) => void;
  /** A user-supplied candidate bound (restricted mathjs, src/bounds/restricted.ts) to search as an extra variant. */
  bound?: string;
}

export interface Tightener {
  id: string;
  /** One line: what is searched or estimated. */
  description: string;
  /** Variables a `--bound` expression may use; absent when the tightener takes no custom bound. */
  boundVariables?: readonly string[];
  /** Default budget for the CLI. */
  defaultBudget: number;
  /** Runs the search; returns the JSON document `gradconf tighten --json` prints. */
  run(opts: TightenOptions): Promise<Record<string, unknown>>;
  /** Human-readable rendering of that document. */
  format(doc: Record<string, unknown>): string;
}

export const TIGHTENERS: Tightener[] = [];

/** Called by theorems/index.ts with every theorem module's `tightener` (avoids an import cycle). */
export function registerTighteners(list: Tightener[]): void {
  for (const t of list) if (!TIGHTENERS.some((x) => x.id === t.id)) TIGHTENERS.push(t);
}

/** The tightener for an id, or undefined. */
export function tightenerFor(id: string): Tightener | undefined {
  return TIGHTENERS.find((t) => t.id === id);
}
