/**
 * Spec builder for the paper's batch-norm / skip-connection study (Section 7): the WRN stack
 * with each of the two switched on or off, named for the CLI.
 */
import type { Activation, ModelSpec } from './spec.ts';
import { wrn } from './wrn.ts';
import { BadInputError } from '../src/errors.ts';

/** Options of {@link resnet}. */
export interface ResnetOptions {
  /** Input image [h, h, c]. */
  input: number[];
  /** Depth beta = 6 n + 4 (the paper's study uses 16 .. 100). */
  depth?: number;
  /** n directly, for tiny test nets (overrides depth). */
  blocksPerGroup?: number;
  /** Width factor l (groups of 16 l, 32 l, 64 l filters). */
  widthFactor: number;
  /** Number of classes. */
  classes: number;
  /** Batch norm after every conv. */
  bn: boolean;
  /** Residual (skip) connections around every shape-preserving block. */
  skip: boolean;
  /** Nonlinearity (default 'relu'). */
  activation?: Activation;
}

/**
 * `wrn` with `batchnorm: bn` and `skip` as given: the four corners of the paper's Section 7 study
 * (neither = CNN-beta-l, BN only, skip only, both = WRN-beta-l, which the paper finds keeps
 * gradient confusion low at large depth). See `wrn` for the layer layout and the projection
 * shortcuts of the transition blocks.
 * @throws BadInputError naming the field (`resnet.depth`, `resnet.bn`, ...).
 */
export function resnet(o: ResnetOptions): ModelSpec {
  const { bn, ...rest } = o;
  if (typeof bn !== 'boolean') throw new BadInputError(`resnet.bn must be true or false (got ${JSON.stringify(bn) ?? 'nothing'})`);
  return wrn({ ...rest, batchnorm: bn }, 'resnet');
}
