/**
 * Whether a regime has any gradient confusion to trend (DESIGN.md: "a regime with no confusion
 * gets no verdict"). Definition 2.1: η is the largest −<∇f_i, ∇f_j> (0 when every pair agrees);
 * the minimum cosine is > 0 exactly when no pair disagrees. A regime where η = 0 in every trial,
 * or the minimum cosine is > 0 in every trial, has no confusion.
 */
export interface ConfusionMeasures { eta: number; minCos: number | null }

export function regimeHasConfusion(trials: readonly (readonly ConfusionMeasures[])[]): boolean {
  const all = trials.flat();
  if (all.length === 0) return false;
  if (all.every((t) => t.eta === 0)) return false;
  if (all.every((t) => t.minCos !== null && t.minCos > 0)) return false;
  return true;
}
