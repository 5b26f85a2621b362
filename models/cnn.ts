/**
 * Spec builder for the paper's CNN-beta-l (Section 7): a WRN without skip connections and
 * without batch norm.
 */
import type { Activation, ModelSpec } from './spec.ts';
import { wrn } from './wrn.ts';

/** Options of {@link cnn}: those of `wrn` without the batchnorm/skip switches. */
export interface CnnOptions {
  /** Input image [h, h, c]. */
  input: number[];
  /** Depth beta = 6 n + 4 (the paper's 16, 22, 28, 34, 40). */
  depth?: number;
  /** n directly, for tiny test nets (overrides depth). */
  blocksPerGroup?: number;
  /** Width factor l (groups of 16 l, 32 l, 64 l filters). */
  widthFactor: number;
  /** Number of classes. */
  classes: number;
  /** Nonlinearity (default 'relu'). */
  activation?: Activation;
}

/**
 * The paper's CNN-beta-l: `wrn` with batchnorm false and skip false, i.e. a 3x3 stem conv with
 * 16 filters, three groups of n blocks of two 3x3 convs (16 l, 32 l, 64 l filters, stride 2 at
 * the start of groups 2 and 3), each conv followed by relu, then global average pool, flatten,
 * dense(classes), softmax-xent. 6 n + 1 convs + 1 dense; depth = 6 n + 4 in WRN naming.
 * @throws BadInputError naming the field (`cnn.depth`, ...).
 */
export function cnn(o: CnnOptions): ModelSpec {
  return wrn({ ...o, batchnorm: false, skip: false }, 'cnn');
}
