/**
 * The registry of paper results that `gradconf verify` runs, in the paper's order.
 */
import type { TheoremEntry } from './verdict.ts';
import { registerTighteners } from './tighten.ts';
import * as definition21 from './definition-2-1.ts';
import * as lemmaSphere from './lemma-sphere.ts';
import * as figure1 from './figure-1.ts';
import * as theorem31 from './theorem-3-1.ts';
import * as theorem32 from './theorem-3-2.ts';
import * as theorem41 from './theorem-4-1.ts';
import * as theorem51 from './theorem-5-1.ts';
import * as corollary51 from './corollary-5-1.ts';
import * as theorem61 from './theorem-6-1.ts';
import * as section7 from './section-7.ts';

const MODULES = [definition21, lemmaSphere, figure1, theorem31, theorem32, theorem41, theorem51, corollary51, theorem61, section7];

export const THEOREMS: TheoremEntry[] = MODULES.map((m) => m.entry);

registerTighteners([theorem31.tightener, theorem32.tightener, theorem41.tightener, theorem51.tightener, corollary51.tightener, theorem61.tightener]);

/** Each result's statement (wording, bound expression, paper version, confidence) for the report. */
export const STATEMENTS: Record<string, { wording?: string; bound?: string; version?: string; confidence?: string }> =
  Object.fromEntries(MODULES.map((m) => [m.statement.id, m.statement]));

/** Entries selected by id (all when `ids` is empty); unknown ids are reported. */
export function selectTheorems(ids: string[]): { selected: TheoremEntry[]; unknown: string[] } {
  if (ids.length === 0) return { selected: THEOREMS, unknown: [] };
  const known = new Map(THEOREMS.map((t) => [t.id, t]));
  return { selected: ids.filter((i) => known.has(i)).map((i) => known.get(i)!), unknown: ids.filter((i) => !known.has(i)) };
}

export type { TheoremEntry, TheoremResult, Verdict } from './verdict.ts';
