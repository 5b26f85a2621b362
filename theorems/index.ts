/**
 * The registry of paper results that `gradconf verify` runs, in the paper's order.
 */
import type { TheoremEntry } from './verdict.ts';
import { entry as definition21, statement as definition21Statement } from './definition-2-1.ts';

export const THEOREMS: TheoremEntry[] = [definition21];

/** Each result's statement (wording, bound expression, paper version, confidence) for the report. */
export const STATEMENTS: Record<string, { wording?: string; bound?: string; version?: string; confidence?: string }> = {
  [definition21Statement.id]: definition21Statement,
};

/** Entries selected by id (all when `ids` is empty); unknown ids are reported. */
export function selectTheorems(ids: string[]): { selected: TheoremEntry[]; unknown: string[] } {
  if (ids.length === 0) return { selected: THEOREMS, unknown: [] };
  const known = new Map(THEOREMS.map((t) => [t.id, t]));
  return { selected: ids.filter((i) => known.has(i)).map((i) => known.get(i)!), unknown: ids.filter((i) => !known.has(i)) };
}

export type { TheoremEntry, TheoremResult, Verdict } from './verdict.ts';
