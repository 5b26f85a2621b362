/** Sweep records without their wall times, keyed and sorted by key: what must not depend on where a unit ran. */
import type { RunRecord, TuneRecord } from '../../train/run.ts';

export function comparable(recs: (TuneRecord | RunRecord)[]): Record<string, unknown> {
  return Object.fromEntries(recs.map((r) => {
    const x = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    delete x.ms;
    if (Array.isArray(x.epochs)) for (const e of x.epochs as Record<string, unknown>[]) delete e.ms;
    return [r.key, x] as const;
  }).sort(([a], [b]) => a.localeCompare(b)));
}
