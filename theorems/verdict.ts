/**
 * What a theorem check returns (DESIGN.md, "A theorem file"), and what the registry reports.
 * Three kinds of claim, never mixed: exact (must hold on every instance: a counterexample is a bug
 * in the code or in the paper), statistical (holds with probability; carries its test and
 * false-alarm rate), trend (a one-sided test across a sweep, with an effect size).
 */
export type ClaimKind = 'exact' | 'statistical' | 'trend';

/** The outcome of checking one instance. */
export interface Verdict {
  holds: boolean;
  /** The measured quantities (named). */
  measured: Record<string, number>;
  /** The bound the measurement is compared with. */
  bound: number;
  /** (bound − measured) / max(|bound|, tiny): ≥ 0 when it holds; smaller = tighter. */
  slack: number;
  /** For statistical claims: the test used and its false-alarm rate. */
  test?: { name: string; alpha: number };
}

/** A registry entry's result, the `gradconf verify --json` contract. */
export interface TheoremResult {
  id: string;
  title: string;
  kind: ClaimKind;
  holds: boolean;
  instances: number;
  details: Record<string, unknown>;
  seed: number;
  ms: number;
}

export interface RunOptions {
  seed: number;
  budget: 'quick' | 'full';
  /** Progress callback (instances done, total). */
  progress?: (done: number, total: number) => void;
}

/** A registered paper result. */
export interface TheoremEntry {
  id: string;
  title: string;
  kind: ClaimKind;
  run(opts: RunOptions): Promise<TheoremResult>;
}

/** slack = (bound − measured) / |bound| (with |bound| floored at 1e-300). */
export function slackOf(measured: number, bound: number): number {
  return (bound - measured) / Math.max(Math.abs(bound), 1e-300);
}
