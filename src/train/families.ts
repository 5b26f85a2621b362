/**
 * Model specs for the Section 7 families (Sankararaman et al., ICML 2020): the MLP of Section 4,
 * the paper's CNN-β-ℓ and the WRN stack with batch-norm/skip switches (models/cnn.ts,
 * models/resnet.ts), and `denseStack`, the same stack with dense layers in place of 3×3 convs —
 * the BN/skip study at a size two CPU cores can train in minutes.
 */
import type { LayerInput, ModelSpec } from '../../models/spec.ts';
import { validateSpec } from '../../models/spec.ts';
import { mlp } from '../../models/mlp.ts';
import { cnn } from '../../models/cnn.ts';
import { resnet } from '../../models/resnet.ts';
import { BadInputError } from '../errors.ts';
import type { ModelChoice } from './plan.ts';

/** Options of {@link denseStack}. */
export interface DenseStackOptions {
  /** Input dimension d. */
  input: number;
  /** Units of every hidden layer. */
  width: number;
  /** Blocks of two dense layers (the stack has 2·blocks + 2 weight layers). */
  blocks: number;
  classes: number;
  bn: boolean;
  skip: boolean;
}

/**
 * The WRN block structure (models/wrn.ts) with dense layers: stem dense(width) → [bn] → relu;
 * then `blocks` blocks of two units dense → [bn] → relu, where with `skip` a block is
 * `residual[dense, [bn], relu, dense, [bn]]` followed by relu (post-activation, as wrn); head
 * dense(classes), softmax-xent. Dense biases are dropped where batch norm follows (its β plays
 * their role). Depth = 2·blocks + 2 weight layers.
 * @throws BadInputError naming the field.
 */
export function denseStack(o: DenseStackOptions): ModelSpec {
  for (const [k, v] of Object.entries({ input: o.input, width: o.width, blocks: o.blocks, classes: o.classes })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new BadInputError(`dense-stack.${k} must be a positive integer (got ${v})`);
  }
  const dense = (activation: string): LayerInput => ({ type: 'dense', units: o.width, activation, bias: !o.bn });
  const unit = (): LayerInput[] => (o.bn ? [dense('linear'), { type: 'batchnorm' }, { type: 'activation', activation: 'relu' }] : [dense('relu')]);
  const layers: LayerInput[] = [...unit()];
  for (let b = 0; b < o.blocks; b++) {
    if (o.skip) {
      layers.push({ type: 'residual', layers: [...unit(), dense('linear'), ...(o.bn ? [{ type: 'batchnorm' }] : [])] }, { type: 'activation', activation: 'relu' });
    } else {
      layers.push(...unit(), ...unit());
    }
  }
  layers.push({ type: 'dense', units: o.classes, activation: 'linear', bias: true });
  return validateSpec({ input: [o.input], layers, loss: 'softmax-xent' });
}

/** Whether the family takes images [h, w, c] (else flat vectors). */
export function takesImages(family: ModelChoice['family']): boolean {
  return family === 'cnn' || family === 'resnet';
}

/**
 * The spec of a sweep's model for images of shape [h, w, c] and `classes` classes:
 * - mlp: `mlp({width, depth: hidden layers, activation: 'relu', variant: 'linear-output',
 *   loss: 'softmax-xent'})` on the flattened image (He init suits ReLU);
 * - cnn: the paper's CNN-β-ℓ (`cnn`, depth 6n + 4, width factor ℓ);
 * - resnet: the WRN stack with `bn`/`skip` (`resnet`);
 * - dense-stack: {@link denseStack} with blocks = (depth − 2) / 2.
 */
export function modelSpecFor(m: ModelChoice, image: [number, number, number], classes: number): ModelSpec {
  const flat = image[0] * image[1] * image[2];
  switch (m.family) {
    case 'mlp':
      return mlp({ input: flat, width: m.width, depth: m.depth, outputs: classes, activation: 'relu', variant: 'linear-output', loss: 'softmax-xent' });
    case 'cnn':
      return cnn({ input: [...image], depth: m.depth, widthFactor: m.width, classes });
    case 'resnet':
      return resnet({ input: [...image], depth: m.depth, widthFactor: m.width, classes, bn: m.bn, skip: m.skip });
    case 'dense-stack':
      return denseStack({ input: flat, width: m.width, blocks: (m.depth - 2) / 2, classes, bn: m.bn, skip: m.skip });
  }
}
