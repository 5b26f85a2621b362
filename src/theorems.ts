/**
 * `gradconf/theorems` — the registry of the paper's results (package.json "exports" "./theorems"):
 * `THEOREMS` (each entry's `run({ seed, budget })` checks that result, as `gradconf verify` does),
 * `selectTheorems(ids)`, the statements, and the result types. A thin re-export of
 * theorems/index.ts: this entry sits, like src/cli/, above theorems/ in the import graph.
 */
export { THEOREMS, STATEMENTS, selectTheorems } from '../theorems/index.ts';
export type { TheoremEntry, TheoremResult, Verdict } from '../theorems/index.ts';
