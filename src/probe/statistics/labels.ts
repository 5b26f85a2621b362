/**
 * Class labels for the statistics that need them (stiffness by class): given explicitly (one
 * integer per example, e.g. `--labels labels.npy`), or read off the targets where they are labels —
 * softmax-xent (the one-hot class) and logistic (the ±1 sign). Square-loss targets are values, not
 * labels: no labels unless given.
 */
import type { Loss } from '../../../models/spec.ts';
import { BadInputError } from '../../errors.ts';

/** Labels from prepared targets [n, k] (models/loss.ts `prepareTargets`), or null for mse. */
export function labelsFromTargets(loss: Loss, targets: ArrayLike<number>, n: number): Int32Array | null {
  const k = targets.length / n;
  if (loss === 'mse') return null;
  if (loss === 'logistic') return Int32Array.from({ length: n }, (_, i) => (targets[i * k]! > 0 ? 1 : -1));
  return Int32Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (targets[i * k + j]! > targets[i * k + best]!) best = j;
    return best;
  });
}

/** Validate explicit labels: shape [n] or [n, 1], finite integers. */
export function checkLabels(labels: { shape: number[]; data: ArrayLike<number> }, n: number, source = 'labels'): Int32Array {
  const s = labels.shape;
  if (!(s.length === 1 || (s.length === 2 && s[1] === 1)) || s[0] !== n) {
    throw new BadInputError(`${source}: shape [${s}] does not match the ${n} examples (expected [${n}])`);
  }
  if (labels.data.length !== n) throw new BadInputError(`${source}: ${labels.data.length} values for shape [${s}]`);
  return Int32Array.from({ length: n }, (_, i) => {
    const v = labels.data[i]!;
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) throw new BadInputError(`${source}: label ${v} at index ${i} is not an integer`);
    return v;
  });
}
