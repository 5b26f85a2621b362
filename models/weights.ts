/**
 * Model weights as plain arrays, independent of any tfjs backend: a map from the safetensors
 * name (`layers.<i>.kernel`, see models/spec.ts `paramSpecs`) to a float32 array and its shape.
 */
import type { ModelSpec } from './spec.ts';
import { paramSpecs } from './spec.ts';
import { BadInputError } from '../src/errors.ts';

export interface WeightArray { shape: number[]; data: Float32Array }
export type Weights = Map<string, WeightArray>;

/** Checks that `w` has exactly the parameters of `spec`, with the right shapes and finite values. */
export function checkWeights(spec: ModelSpec, w: Weights, source = 'weights'): void {
  const specs = paramSpecs(spec);
  for (const p of specs) {
    const a = w.get(p.name);
    if (!a) throw new BadInputError(`${source}: missing tensor "${p.name}" (shape [${p.shape}])`);
    if (a.shape.length !== p.shape.length || a.shape.some((v, i) => v !== p.shape[i])) {
      throw new BadInputError(`${source}: tensor "${p.name}" has shape [${a.shape}], the model needs [${p.shape}]`);
    }
    const n = p.shape.reduce((x, y) => x * y, 1);
    if (a.data.length !== n) throw new BadInputError(`${source}: tensor "${p.name}" has ${a.data.length} values, shape [${p.shape}] needs ${n}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(a.data[i]!)) throw new BadInputError(`${source}: tensor "${p.name}" contains NaN or Inf at index ${i}`);
    }
    if (p.role === 'variance' && a.data.some((v) => v < 0)) throw new BadInputError(`${source}: tensor "${p.name}" (a variance) has a negative entry`);
  }
  const known = new Set(specs.map((p) => p.name));
  for (const k of w.keys()) if (!known.has(k)) throw new BadInputError(`${source}: tensor "${k}" is not a parameter of the model`);
}
