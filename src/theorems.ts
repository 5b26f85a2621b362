/**
 * `gradconf/theorems` — the registry of the paper's results (package.json "exports" "./theorems"):
 * `THEOREMS` (each result's `run({ seed, budget })` checks its claims, as `gradconf verify` does),
 * `selectTheorems(ids)`, the statements, the tighteners, the runner `defineTheorem` for your own
 * results, and the claim and result types. A thin re-export of
 * theorems/index.ts: this entry sits, like src/cli/, above theorems/ in the import graph.
 */
export { THEOREMS, STATEMENTS, TIGHTENERS, selectTheorems, tightenerFor } from '../theorems/index.ts';
export { defineTheorem, runTheorem, runClaim, plantedClaim } from '../theorems/define.ts';
export type { Theorem, TheoremDefinition, RunOptions } from '../theorems/define.ts';
export type * from './claims/claim.ts';
