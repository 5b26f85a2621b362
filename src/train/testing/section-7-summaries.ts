/**
 * Writes the end-of-training summaries of finished sweeps as JSON lines (src/train/section-7-analysis.ts
 * `summarizeRun`), e.g. the committed quick-budget file of the Section 7 check:
 *
 *   npx tsx src/train/testing/section-7-summaries.ts out/sweep-width-mnist-small/runs.jsonl \
 *     out/sweep-depth-mnist-small/runs.jsonl out/sweep-bn-skip-mnist-small/runs.jsonl > theorems/section-7.small-mnist.jsonl
 */
import { readRecords } from '../results.ts';
import type { RunRecord } from '../run.ts';
import { summarizeRun } from '../section-7-analysis.ts';

for (const f of process.argv.slice(2)) {
  for (const r of readRecords<RunRecord>(f)) if (r.type === 'run') process.stdout.write(`${JSON.stringify(summarizeRun(r))}\n`);
}
