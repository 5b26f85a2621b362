/**
 * The registry of layer kinds: one module per kind, one line here. models/spec.ts validates and
 * walks a spec through it, models/build.ts runs the forward pass through it, models/init.ts and
 * the weight files take the parameter list from it. A type that is not registered is an error
 * everywhere (`layerKind`), never a silent identity.
 *
 * Adding a layer made of existing primitives: a file here (its fields, output shape, parameters,
 * forward) + its line below + its tests (and an entry in models/arbitraries.ts so the probe's
 * properties cover it).
 */
import type { LayerKind } from './kind.ts';
import { BadInputError } from '../../src/errors.ts';
import { denseKind, type DenseLayer } from './dense.ts';
import { conv2dKind, type Conv2dLayer } from './conv2d.ts';
import { batchnormKind, type BatchnormLayer } from './batchnorm.ts';
import { layernormKind, type LayernormLayer } from './layernorm.ts';
import { groupnormKind, type GroupnormLayer } from './groupnorm.ts';
import { flattenKind, type FlattenLayer } from './flatten.ts';
import { activationKind, type ActivationLayer } from './activation.ts';
import { avgpoolKind, type AvgpoolLayer } from './avgpool.ts';
import { maxpoolKind, type MaxpoolLayer } from './maxpool.ts';
import { globalavgpoolKind, type GlobalavgpoolLayer } from './globalavgpool.ts';
import { embeddingKind, type EmbeddingLayer } from './embedding.ts';
import { attentionKind, type AttentionLayer } from './attention.ts';
import { residualKind, type ResidualLayer as ResidualOf } from './residual.ts';
import { parallelKind, type ParallelLayer as ParallelOf } from './parallel.ts';

/** A residual block whose nested layers are any layers. */
export type ResidualLayer = ResidualOf<Layer>;
/** Parallel branches of any layers, merged. */
export type ParallelLayer = ParallelOf<Layer>;

/** A validated layer of any registered kind (defaults filled in). */
export type Layer = DenseLayer | Conv2dLayer | BatchnormLayer | LayernormLayer | GroupnormLayer | FlattenLayer
  | ActivationLayer | AvgpoolLayer | MaxpoolLayer | GlobalavgpoolLayer | EmbeddingLayer | AttentionLayer | ResidualLayer | ParallelLayer;

const KINDS = [
  denseKind, conv2dKind, batchnormKind, layernormKind, groupnormKind, flattenKind, activationKind,
  avgpoolKind, maxpoolKind, globalavgpoolKind, embeddingKind, attentionKind, residualKind, parallelKind,
] as const;

/** The registered layer types, in registry order. */
export const LAYER_TYPES = KINDS.map((k) => k.type) as readonly Layer['type'][];
export type LayerType = Layer['type'];

const BY_TYPE = new Map<string, LayerKind>(KINDS.map((k) => [k.type, k as unknown as LayerKind]));

/** The kind of a layer type; a BadInputError naming the type (and `path`, when given) for an unknown one. */
export function layerKind(type: unknown, path?: string): LayerKind {
  const k = typeof type === 'string' ? BY_TYPE.get(type) : undefined;
  if (!k) {
    throw new BadInputError(`${path ? `${path}.type ` : 'layer type '}is an unknown layer type ${JSON.stringify(type) ?? '(missing)'}; known: ${LAYER_TYPES.join(', ')}`);
  }
  return k;
}

export type {
  DenseLayer, Conv2dLayer, BatchnormLayer, LayernormLayer, GroupnormLayer, FlattenLayer, ActivationLayer,
  AvgpoolLayer, MaxpoolLayer, GlobalavgpoolLayer, EmbeddingLayer, AttentionLayer,
};
export type { LayerKind, LayerContext, ParamDecl, ParamRole, ParamInit, LayerAt } from './kind.ts';
export { ACTIVATIONS, activate, type Activation } from './activation.ts';
export { checkTokenIds } from './embedding.ts';
