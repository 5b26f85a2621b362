/**
 * Run each distinct trial configuration of a study once on a pool (configurations keyed by
 * src/pool/trial.ts `configKey`; trial i of configuration c has seed trialSeed(seed, c, i), so a
 * regime can be replayed from its configurations and the seed).
 */
import type { TrialPool } from './pool.ts';
import { configKey, trialSeed, type TrialConfig, type TrialResult } from './trial.ts';

/** configKey → the `trials` results of that configuration. */
export async function runConfigs(pool: TrialPool, configs: readonly TrialConfig[], seed: number, trials: number, progress?: (done: number, total: number) => void): Promise<Map<string, TrialResult[]>> {
  const uniq = new Map<string, TrialConfig>();
  for (const c of configs) uniq.set(configKey(c), c);
  const list = [...uniq.values()];
  const res = await pool.run(list.map((c) => ({ config: c, seeds: Array.from({ length: trials }, (_, i) => trialSeed(seed, c, i)) })), progress);
  return new Map(list.map((c, i) => [configKey(c), res[i]!]));
}
