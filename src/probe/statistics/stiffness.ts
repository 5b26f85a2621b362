/**
 * Stiffness (S. Fort, P. K. Nowak, S. Jastrzebski, S. Narayanan, "Stiffness: A New Perspective on
 * Generalization in Neural Networks", arXiv:1901.09491, 2019, §3): how a small gradient step on
 * example i changes the loss on example j, to first order ∝ −⟨g_i, g_j⟩. For pairs of distinct
 * examples with non-zero gradients,
 *   sign stiffness    S_sign = E[ sign⟨g_i, g_j⟩ ]            ∈ [−1, 1],
 *   cosine stiffness  S_cos  = E[ ⟨g_i, g_j⟩ / (‖g_i‖ ‖g_j‖) ] ∈ [−1, 1],
 * over all pairs (`overall`) and, given class labels, the C×C class stiffness matrix
 *   M_ab = E_{i ∈ a, j ∈ b, i ≠ j}[ S(i, j) ],
 * with within-class stiffness = the mean of its diagonal and between-class stiffness = the mean of
 * its off-diagonal entries (each class, or pair of classes, weighs the same whatever its size).
 *
 * Examples whose gradient is zero (src/probe/stats.ts `zeroIndices`) have no direction and are left
 * out, as from the cosines. An entry with no pair (a class with a single example, on the
 * diagonal) is null, and is left out of the within-class mean; never NaN.
 */
import { zeroIndices } from '../stats.ts';

/** Mean sign and cosine over a set of pairs. */
export interface StiffnessValue {
  /** E[sign⟨g_i, g_j⟩]. */
  sign: number;
  /** E[cos(g_i, g_j)]. */
  cosine: number;
  /** Number of pairs averaged. */
  pairs: number;
}

/** Stiffness by class: the C×C matrices and their within/between means. */
export interface ClassStiffness {
  /** The label values, ascending; row/column a of the matrices is `classes[a]`. */
  classes: number[];
  /** Examples with a non-zero gradient per class. */
  counts: number[];
  /** Class stiffness matrices M_ab (null where the class pair has no pair of examples). */
  sign: (number | null)[][];
  cosine: (number | null)[][];
  /** Means of the diagonal / off-diagonal entries (null when none is defined). */
  withinClass: { sign: number; cosine: number } | null;
  betweenClasses: { sign: number; cosine: number } | null;
}

/** Stiffness overall and by class. */
export interface Stiffness {
  /** Over all pairs of non-zero gradients (null when fewer than two). */
  overall: StiffnessValue | null;
  /** By class (null without labels). */
  byClass: ClassStiffness | null;
}

/** Sign and cosine stiffness of a Gram, overall and (with one label per example) by class. */
export function stiffness(gram: ArrayLike<number>, n: number, labels?: ArrayLike<number> | null): Stiffness {
  if (labels && labels.length !== n) throw new Error(`${labels.length} labels for ${n} examples`);
  const diag = Array.from({ length: n }, (_, i) => gram[i * n + i]!);
  const skip = new Set(zeroIndices(diag));
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !skip.has(i));
  const classes = labels ? [...new Set(keep.map((i) => labels[i]!))].sort((a, b) => a - b) : [];
  const cls = new Map(classes.map((c, a) => [c, a]));
  const C = classes.length;
  const sSign = new Float64Array(C * C);
  const sCos = new Float64Array(C * C);
  const count = new Float64Array(C * C);
  let sign = 0;
  let cosine = 0;
  let pairs = 0;
  for (let p = 0; p < keep.length; p++) {
    const i = keep[p]!;
    for (let q = p + 1; q < keep.length; q++) {
      const j = keep[q]!;
      const g = gram[i * n + j]!;
      const s = Math.sign(g);
      const c = Math.max(-1, Math.min(1, g / Math.sqrt(diag[i]!) / Math.sqrt(diag[j]!)));
      sign += s;
      cosine += c;
      pairs++;
      if (labels) {
        const a = cls.get(labels[i]!)!;
        const b = cls.get(labels[j]!)!;
        for (const k of a === b ? [a * C + a] : [a * C + b, b * C + a]) {
          sSign[k]! += s;
          sCos[k]! += c;
          count[k]! += 1;
        }
      }
    }
  }
  const overall = pairs > 0 ? { sign: sign / pairs, cosine: cosine / pairs, pairs } : null;
  if (!labels) return { overall, byClass: null };
  const matrix = (s: Float64Array) => Array.from({ length: C }, (_, a) => Array.from({ length: C }, (_, b) => (count[a * C + b]! > 0 ? s[a * C + b]! / count[a * C + b]! : null)));
  const sign2 = matrix(sSign);
  const cos2 = matrix(sCos);
  const mean = (pick: (a: number, b: number) => boolean) => {
    let s = 0;
    let c = 0;
    let k = 0;
    for (let a = 0; a < C; a++) {
      for (let b = 0; b < C; b++) {
        if (!pick(a, b) || sign2[a]![b] === null) continue;
        s += sign2[a]![b]!;
        c += cos2[a]![b]!;
        k++;
      }
    }
    return k > 0 ? { sign: s / k, cosine: c / k } : null;
  };
  return {
    overall,
    byClass: {
      classes,
      counts: classes.map((c) => keep.filter((i) => labels[i] === c).length),
      sign: sign2,
      cosine: cos2,
      withinClass: mean((a, b) => a === b),
      betweenClasses: mean((a, b) => a !== b),
    },
  };
}
