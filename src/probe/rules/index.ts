/**
 * The registry of Gram rules, keyed by PRIMITIVE (models/primitives.ts): matmul, conv2d, scale,
 * shift, gather. A layer is a composition of primitives, so a new layer made of them needs no
 * rule; layers without parameters need none either (their effect is in the δ's, which autodiff
 * carries through the whole network). An unknown primitive is an error, never a silent zero.
 */
import type { PrimitiveKind } from '../../../models/primitives.ts';
import type { PrimitiveRule } from './rule.ts';
import { matmulRule } from './matmul.ts';
import { conv2dRule } from './conv2d.ts';
import { scaleRule } from './scale.ts';
import { shiftRule } from './shift.ts';
import { gatherRule } from './gather.ts';
import { BadInputError } from '../../errors.ts';

const RULES = new Map<string, PrimitiveRule>([
  ['matmul', matmulRule as PrimitiveRule],
  ['conv2d', conv2dRule as PrimitiveRule],
  ['scale', scaleRule as PrimitiveRule],
  ['shift', shiftRule as PrimitiveRule],
  ['gather', gatherRule as PrimitiveRule],
]);

/** The rule for a primitive; throws naming the primitive when there is none. */
export function ruleFor(kind: PrimitiveKind | string): PrimitiveRule {
  const r = RULES.get(kind);
  if (!r) throw new BadInputError(`no probe rule for primitive "${kind}" (rules exist for: ${[...RULES.keys()].join(', ')})`);
  return r;
}

export type { PrimitiveRule, PrimitiveUse, GramStrategy } from './rule.ts';
