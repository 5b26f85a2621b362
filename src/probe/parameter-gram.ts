/**
 * One parameter's share of the Gram, from every use of it in the forward pass.
 *
 * A parameter used once: its primitive's rule, ghost or materialized by estimated cost (or as
 * forced). A parameter used by several primitives (tied weights: an embedding table that is also
 * the output layer's kernel, a kernel applied twice) has per-example gradient g_i = Σ_u g_i^u, so
 * <g_i, g_j> = Σ_u Σ_v <g_i^u, g_j^v> — the cross terms u ≠ v included. It is computed exactly by
 * adding the uses' materialized group sums (each in the parameter's own layout) before the Gram:
 * G = (Σ_u S_u)(Σ_u S_u)ᵀ. Memory: K × |parameter| floats.
 */
import * as tf from '@tensorflow/tfjs';
import type { MatmulCall } from '../../models/primitives.ts';
import { ruleFor, type GramStrategy, type PrimitiveUse } from './rules/index.ts';
import { outer, pickForm } from './rules/blocks.ts';
import { matmulGhost, matmulRule } from './rules/matmul.ts';

/** K×K Gram of the group-summed gradients of one parameter over all its uses. */
export function parameterGram(uses: PrimitiveUse[], groups: number, strategy: GramStrategy): tf.Tensor2D {
  if (uses.length === 0) throw new Error('parameterGram needs at least one use');
  const shape = uses[0]!.call.paramShape;
  for (const u of uses) {
    if (u.call.paramShape.length !== shape.length || u.call.paramShape.some((v, i) => v !== shape[i])) {
      throw new Error(`parameter ${u.call.param} is used with shapes [${shape}] and [${u.call.paramShape}]`);
    }
  }
  if (uses.length === 1) {
    const u = uses[0]!;
    const rule = ruleFor(u.call.kind);
    return rule.gram(u, groups, pickForm(strategy, rule.cost(u, groups)));
  }
  return tf.tidy(() => {
    let s = ruleFor(uses[0]!.call.kind).materialize(uses[0]!, groups);
    for (const u of uses.slice(1)) s = tf.add(s, ruleFor(u.call.kind).materialize(u, groups));
    return outer(s);
  });
}

/**
 * Every parameter's Gram share, handed to `add` one at a time (and disposed by the caller).
 * A bias used once through a shift that shares its δ (the same tensor) with a weight used once
 * through a matmul — y = a·W + b, models/primitives.ts `linear` — is folded into the weight's
 * ghost form when that form is chosen ((a·a + 1)(δ·δ), matmul.ts `matmulGhost`); everything else
 * goes through `parameterGram`. Folded or not, the sum is the same (the probe properties compare
 * against the per-example loop with every strategy).
 */
export function eachParameterGram(byParam: Map<string, PrimitiveUse[]>, groups: number, strategy: GramStrategy, add: (part: tf.Tensor2D) => void): void {
  const matmulByDelta = new Map<tf.Tensor, string>();
  for (const [param, uses] of byParam) if (uses.length === 1 && uses[0]!.call.kind === 'matmul') matmulByDelta.set(uses[0]!.delta, param);
  const foldInto = new Map<string, string>(); // weight → bias
  for (const [param, uses] of byParam) {
    const v = uses[0]!;
    if (uses.length !== 1 || v.call.kind !== 'shift' || v.call.paramShape.length !== 1) continue;
    const w = matmulByDelta.get(v.delta);
    if (w === undefined || foldInto.has(w)) continue;
    const u = byParam.get(w)![0] as PrimitiveUse<MatmulCall>;
    if (pickForm(strategy, matmulRule.cost(u, groups)) === 'ghost' && v.call.paramShape[0] === u.delta.shape[u.delta.rank - 1]) foldInto.set(w, param);
  }
  const folded = new Set(foldInto.values());
  for (const [param, uses] of byParam) {
    if (folded.has(param)) continue;
    add(foldInto.has(param) ? matmulGhost(uses[0] as PrimitiveUse<MatmulCall>, groups, true) : parameterGram(uses, groups, strategy));
  }
}
