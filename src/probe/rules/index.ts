/**
 * The registry of Gram rules, keyed by layer type (like tfjs's gradient registry). Layers without
 * parameters (flatten, activation, avgpool, residual) need no rule: their effect is in the deltas,
 * which autodiff carries through the whole network. An unknown parametric type is an error.
 */
import type { LayerRule } from './rule.ts';
import { denseRule } from './dense.ts';
import { conv2dRule } from './conv2d.ts';
import { batchnormRule } from './batchnorm.ts';
import { BadInputError } from '../../errors.ts';

const RULES = new Map<string, LayerRule>([
  ['dense', denseRule],
  ['conv2d', conv2dRule],
  ['batchnorm', batchnormRule],
]);

/** Register (or replace) the rule for a layer type. */
export function registerRule(type: string, rule: LayerRule): void {
  RULES.set(type, rule);
}

/** The rule for a layer type; throws naming the type when there is none. */
export function ruleFor(type: string): LayerRule {
  const r = RULES.get(type);
  if (!r) throw new BadInputError(`no probe rule for layer type "${type}" (rules exist for: ${[...RULES.keys()].join(', ')})`);
  return r;
}

export type { LayerRule, RuleContext, GramStrategy } from './rule.ts';
