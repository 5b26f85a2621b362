/** `{"type": "flatten"}`: [..] → [prod] in row-major (NHWC) order. */
import type { LayerKind } from './kind.ts';
import { sizeOf } from './fields.ts';

export interface FlattenLayer { type: 'flatten' }

export const flattenKind: LayerKind<FlattenLayer> = {
  type: 'flatten',
  fields: [],
  parse: () => ({ type: 'flatten' }),
  outputShape: (_l, s) => [sizeOf(s)],
  params: () => [],
  forward: (_l, x) => x.reshape([x.shape[0]!, -1]),
};
