/**
 * The tap/record interface (records.ts) is complete: per-example gradients rebuilt from one
 * tapped pass's records and deltas alone (testing/record-gradients.ts, float64 loops over the
 * documented formulas) equal the slow reference's autodiff gradients (reference.ts) for every
 * fixture, on cpu and wasm. Every parameter use is recorded exactly once per pass.
 *
 * Tolerance: both sides are float32 computations of the same gradients (different summation
 * orders), compared as max|a − b| / max|b| over the whole gradient of each example:
 * GRAM_REL_TOL_F32 (src/tolerance.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { GRAM_REL_TOL_F32 } from '../tolerance.ts';
import type { PrimitiveRecord } from './records.ts';
import { perExampleGradients } from './reference.ts';
import { committedFixtures, FIXTURE_ROOT, loadFixture, maxRel } from './testing/fixtures.ts';
import { gradientsFromRecords } from './testing/record-gradients.ts';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`records rebuild the per-example gradients (${backend})`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    for (const name of committedFixtures()) {
      it(name, () => {
        const f = loadFixture(`${FIXTURE_ROOT}/${name}`);
        try {
          const ref = perExampleGradients(f.program, f.x, f.y, f.meta.loss);
          const got = gradientsFromRecords(f.program, f.x, f.y, f.meta.loss);
          for (let b = 0; b < ref.length; b++) expect(maxRel(got[b]!, ref[b]!)).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          // One record per static use, each of the declared kind.
          const recs: PrimitiveRecord[] = [];
          tf.tidy(() => {
            f.program.run(f.x, { onRecord: (r) => recs.push(r) });
          });
          const uses = f.program.parameters.flatMap((p) => p.uses);
          expect(recs.map((r) => `${r.use.node}#${r.use.slot}:${r.kind}`).sort()).toEqual(uses.map((u) => `${u.node}#${u.slot}:${u.kind}`).sort());
        } finally {
          f.dispose();
        }
      });
    }
  });
}
