/**
 * The registry of paper results that `gradconf verify` runs, in the paper's order. Each theorem
 * module exports `theorem` (theorems/define.ts); its tightener, when it has one, is listed from it.
 */
import type { Theorem } from './define.ts';
import type { Tightener } from './tighten.ts';
import { theorem as definition21 } from './definition-2-1.ts';
import { theorem as lemmaSphere } from './lemma-sphere.ts';
import { theorem as figure1 } from './figure-1.ts';
import { theorem as theorem31 } from './theorem-3-1.ts';
import { theorem as theorem32 } from './theorem-3-2.ts';
import { theorem as theorem41 } from './theorem-4-1.ts';
import { theorem as theorem51 } from './theorem-5-1.ts';
import { theorem as corollary51 } from './corollary-5-1.ts';
import { theorem as theorem61 } from './theorem-6-1.ts';
import { theorem as section7 } from './section-7.ts';

export const THEOREMS: Theorem[] = [definition21, lemmaSphere, figure1, theorem31, theorem32, theorem41, theorem51, corollary51, theorem61, section7];

/** `gradconf tighten` searches, listed from the theorem modules (no import side effects). */
export const TIGHTENERS: Tightener[] = THEOREMS.flatMap((t) => (t.tightener ? [t.tightener] : []));

/** The tightener for an id, or undefined. */
export function tightenerFor(id: string): Tightener | undefined {
  return TIGHTENERS.find((t) => t.id === id);
}

/** Each result's statement (wording, bound expression, paper version, confidence) for the report. */
export const STATEMENTS: Record<string, Theorem['statement']> = Object.fromEntries(THEOREMS.map((t) => [t.id, t.statement]));

/** Results selected by id (all when `ids` is empty); unknown ids are reported. */
export function selectTheorems(ids: string[]): { selected: Theorem[]; unknown: string[] } {
  if (ids.length === 0) return { selected: THEOREMS, unknown: [] };
  const known = new Map(THEOREMS.map((t) => [t.id, t]));
  return { selected: ids.filter((i) => known.has(i)).map((i) => known.get(i)!), unknown: ids.filter((i) => !known.has(i)) };
}

export type { Theorem } from './define.ts';
export type { TheoremResult, ClaimResult, Verdict } from '../src/claims/claim.ts';
