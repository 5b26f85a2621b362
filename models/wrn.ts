/**
 * Spec builder for the wide-residual-network family of the paper's Section 7 (Zagoruyko &
 * Komodakis, "Wide Residual Networks", 2016), with batch norm and skip connections as switches
 * so that one builder gives the paper's WRN, its CNN-beta-l (neither), and the BN/skip study.
 */
import type { Activation, LayerInput, ModelSpec } from './spec.ts';
import { ACTIVATIONS, validateSpec } from './spec.ts';
import { BadInputError } from '../src/errors.ts';
import { boolArg, oneOf, positiveInt } from './args.ts';

/** Options of {@link wrn}. */
export interface WrnOptions {
  /** Input image [h, w, c] (square: h = w, for the final global average pool). */
  input: number[];
  /** Depth beta = 6 n + 4 (WRN naming), n = blocks per group; needs (depth - 4) % 6 == 0, depth >= 10. */
  depth?: number;
  /** n directly (overrides depth; if both are given they must agree). For tiny test nets. */
  blocksPerGroup?: number;
  /** Width factor l: the groups have 16 l, 32 l, 64 l filters. */
  widthFactor: number;
  /** Number of classes (>= 2): the final dense layer's units. */
  classes: number;
  /** Batch norm after every conv (conv -> bn -> activation); conv biases are then dropped. */
  batchnorm: boolean;
  /** Wrap every shape-preserving block in a residual (skip) connection. */
  skip: boolean;
  /** Nonlinearity (default 'relu', as in the paper's experiments). */
  activation?: Activation;
}

/**
 * n, the blocks per group, from a WRN depth beta = 6 n + 4.
 * @throws BadInputError naming `depth` unless depth is an integer >= 10 with (depth - 4) % 6 == 0.
 */
export function wrnBlocksPerGroup(depth: number, field = 'wrn.depth'): number {
  if (typeof depth !== 'number' || !Number.isSafeInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) {
    throw new BadInputError(`${field} must be 6 n + 4 for a whole number n >= 1 (10, 16, 22, 28, ...), got ${JSON.stringify(depth) ?? String(depth)}`);
  }
  return (depth - 4) / 6;
}

/**
 * A WRN-style image classifier as a validated `ModelSpec`, the architecture of the paper's
 * Section 7 (WRN-beta-l; with `batchnorm` and `skip` off it is the paper's CNN-beta-l):
 *
 * 1. stem: 3x3 conv with 16 filters, then [bn], then the activation;
 * 2. three groups with 16 l, 32 l, 64 l filters of n blocks each; a block is two 3x3 "same"
 *    convs, each followed by [bn] and the activation (conv -> [bn] -> relu). With `skip`, a block
 *    becomes `{"type":"residual","layers":[conv, [bn], relu, conv, [bn]]}` followed by the
 *    activation (post-activation ResNet: relu(x + F(x))); without, it is the plain sequence;
 * 3. transition blocks — the first block of groups 2 and 3 (whose first conv has stride 2 and
 *    doubles the filters), and the first block of group 1 when 16 l != 16 — get a 1x1 projection
 *    shortcut with `skip`, as the original WRN: `{"type":"residual","layers":[conv(stride s),
 *    [bn], relu, conv, [bn]],"shortcut":[conv 1x1 (stride s), [bn]]}` followed by the
 *    activation (in our post-activation blocks the projection is normalized like the block, as
 *    ResNet's option B; the shortcut conv has a bias only without batch norm). Without `skip`
 *    they are plain blocks;
 * 4. head: avgpool over the whole final map (size ceil(h / 4)), flatten, dense(classes) linear
 *    with bias; loss softmax-xent.
 *
 * Depth: the spec has 6 n + 1 3x3 convs and one dense layer, plus with `skip` the 1x1 shortcut
 * convs (three, or two when l = 1). The WRN naming depth = 6 n + 4 counts 6 n + 1 convs and the
 * three 1x1 shortcut convs; we keep it so the paper's depths 16, 22, 28, 34, 40 (n = 2..6) mean
 * the same nets.
 * Conv bias is false when batchnorm is on (the bn beta plays its role), true otherwise. With
 * batch norm off the activation is fused into the conv, except in a residual block's last conv.
 * @param name the builder name used in error messages (`cnn`, `resnet` pass their own).
 * @throws BadInputError naming the field (`wrn.depth`, `wrn.input`, ...).
 */
export function wrn(o: WrnOptions, name = 'wrn'): ModelSpec {
  if (!Array.isArray(o.input) || o.input.length !== 3) {
    throw new BadInputError(`${name}.input must be an image shape [h, w, c] (got ${JSON.stringify(o.input) ?? 'nothing'})`);
  }
  const [h, w] = o.input.map((v, i) => positiveInt(v, `${name}.input[${i}]`)) as [number, number, number];
  if (h !== w) throw new BadInputError(`${name}.input must be square [h, h, c] for the global average pool (got [${o.input}])`);
  let n: number;
  if (o.blocksPerGroup !== undefined) {
    n = positiveInt(o.blocksPerGroup, `${name}.blocksPerGroup`);
    if (o.depth !== undefined && wrnBlocksPerGroup(o.depth, `${name}.depth`) !== n) {
      throw new BadInputError(`${name}.depth (${o.depth}) and ${name}.blocksPerGroup (${n}) disagree: depth = 6 * blocksPerGroup + 4 = ${6 * n + 4}`);
    }
  } else {
    if (o.depth === undefined) throw new BadInputError(`${name}.depth is required (or ${name}.blocksPerGroup)`);
    n = wrnBlocksPerGroup(o.depth, `${name}.depth`);
  }
  const l = positiveInt(o.widthFactor, `${name}.widthFactor`);
  const classes = positiveInt(o.classes, `${name}.classes`);
  if (classes < 2) throw new BadInputError(`${name}.classes must be at least 2 for softmax-xent (got ${classes})`);
  if (o.batchnorm === undefined) throw new BadInputError(`${name}.batchnorm is required (true or false)`);
  if (o.skip === undefined) throw new BadInputError(`${name}.skip is required (true or false)`);
  const bn = boolArg(o.batchnorm, `${name}.batchnorm`, false);
  const skip = boolArg(o.skip, `${name}.skip`, false);
  const act = oneOf(o.activation, ACTIVATIONS, `${name}.activation`, 'relu');

  const conv = (filters: number, stride: number, activation: Activation): LayerInput =>
    ({ type: 'conv2d', filters, kernel: 3, stride, padding: 'same', activation, bias: !bn });
  /** conv -> [bn] -> activation. */
  const unit = (filters: number, stride: number): LayerInput[] => (bn
    ? [conv(filters, stride, 'linear'), { type: 'batchnorm' }, { type: 'activation', activation: act }]
    : [conv(filters, stride, act)]);
  const plainBlock = (filters: number, stride: number): LayerInput[] => [...unit(filters, stride), ...unit(filters, 1)];
  /** relu(x + F(x)), or relu(P(x) + F(x)) with a 1x1 projection P where the shape changes. */
  const residualBlock = (filters: number, stride: number, project: boolean): LayerInput[] => [
    {
      type: 'residual',
      layers: [...unit(filters, stride), conv(filters, 1, 'linear'), ...(bn ? [{ type: 'batchnorm' }] : [])],
      ...(project ? { shortcut: [{ type: 'conv2d', filters, kernel: 1, stride, padding: 'same', activation: 'linear', bias: !bn }, ...(bn ? [{ type: 'batchnorm' }] : [])] } : {}),
    },
    { type: 'activation', activation: act },
  ];

  const layers: LayerInput[] = [...unit(16, 1)];
  let channels = 16;
  [16 * l, 32 * l, 64 * l].forEach((filters, g) => {
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && g > 0 ? 2 : 1;
      const transition = stride !== 1 || channels !== filters;
      layers.push(...(skip ? residualBlock(filters, stride, transition) : plainBlock(filters, stride)));
      channels = filters;
    }
  });
  const final = Math.ceil(Math.ceil(h / 2) / 2); // "same" convs with stride 2 in groups 2 and 3
  layers.push({ type: 'avgpool', size: final }, { type: 'flatten' }, { type: 'dense', units: classes, activation: 'linear', bias: true });
  return validateSpec({ input: [...o.input], layers, loss: 'softmax-xent' });
}
