/**
 * Uniform samples on the unit sphere S^{d-1} ⊂ R^d: the input distribution of the paper's
 * data model (inputs drawn uniformly from the unit sphere, cf. the sphere lemma used in
 * Theorems 3.1 and 3.2).
 *
 * Shape convention: `n` points as a row-major `n × d` Float64Array (point i occupies
 * `[i*d, (i+1)*d)`).
 */
import { Rng } from '../rng.ts';
import { check } from '../errors.ts';

/**
 * Draws `n` i.i.d. points uniform on the unit sphere S^{d-1}.
 *
 * Method: a standard Gaussian vector is rotation invariant, so g/‖g‖ is uniform on the sphere.
 * A (probability-zero) all-zero draw is redrawn. Deterministic in `seed`.
 *
 * @param n number of points (non-negative integer)
 * @param d ambient dimension (positive integer)
 * @param seed 32-bit seed for {@link Rng}
 * @returns row-major `n × d` Float64Array whose rows have Euclidean norm 1 (to rounding)
 * @throws BadInputError when `n` or `d` is not a valid count
 */
export function sampleSphere(n: number, d: number, seed: number): Float64Array {
  check(Number.isInteger(n) && n >= 0, `sampleSphere: n must be a non-negative integer, got ${n}`);
  check(Number.isInteger(d) && d >= 1, `sampleSphere: d must be a positive integer, got ${d}`);
  const rng = new Rng(seed);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const base = i * d;
    let sq = 0;
    while (sq === 0) {
      sq = 0;
      for (let j = 0; j < d; j++) {
        const g = rng.normal();
        out[base + j] = g;
        sq += g * g;
      }
    }
    // Divide (not multiply by a reciprocal): for d = 1 this gives exactly ±1.
    const norm = Math.sqrt(sq);
    for (let j = 0; j < d; j++) out[base + j] = out[base + j]! / norm;
  }
  return out;
}
