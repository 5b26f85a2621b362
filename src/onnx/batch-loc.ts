/**
 * Where the examples are inside an intermediate tensor of an ONNX graph.
 *
 * The graph's inputs carry the examples on axis 0, but exported graphs move them: PyTorch's
 * nn.MultiheadAttention (batch_first) transposes to [T, B, E], folds heads into the batch
 * ([T, B, E] → [T, B·H, E/H]) and flattens [T, B, E] → [T·B, E] for the output projection. A
 * per-example rule needs, for every recorded input and delta, which entries belong to example b.
 *
 * `BatchLoc { axis, inner }` says: axis `axis` of the tensor, of size outer·B·inner, is the
 * row-major product (outer, B, inner), and entry index i on that axis belongs to example
 * ⌊i / inner⌋ mod B. The plain case is `{ axis: 0, inner: 1 }` with size B. `null` means the
 * tensor does not depend on the examples (constants, parameters, shapes).
 *
 * Every op states how it moves the location (helpers below); an op that would combine different
 * examples (a reduction or softmax over the example factor, a matmul contracting it, a reshape
 * that splits it across axes) is refused with a BadInputError naming the node: the per-example
 * Gram is only defined for graphs in which examples do not interact (eval mode).
 */
import * as tf from '@tensorflow/tfjs';
import { stridesOf } from './host-tensor.ts';

/** See the module comment. */
export interface BatchLoc {
  readonly axis: number;
  readonly inner: number;
}

/** The location of the examples in a graph input. */
export const INPUT_LOC: BatchLoc = { axis: 0, inner: 1 };

/** Same location? */
export function sameLoc(a: BatchLoc | null, b: BatchLoc | null): boolean {
  return a === b || (a !== null && b !== null && a.axis === b.axis && a.inner === b.inner);
}

/**
 * The location after a reshape from `from` to `to` (same element count), or undefined when the
 * examples' factor does not stay inside one axis of the new shape.
 */
export function reshapeLoc(loc: BatchLoc, from: readonly number[], to: readonly number[], batch: number): BatchLoc | undefined {
  // In the flat row-major index, example b occupies a stride of `step` elements, B of them in a row.
  const step = loc.inner * (stridesOf(from)[loc.axis] ?? 1);
  const st = stridesOf(to);
  for (let a = 0; a < to.length; a++) {
    const s = st[a]!;
    const size = to[a]!;
    if (step % s === 0 && step < s * size) {
      const inner = step / s;
      if (size % (inner * batch) === 0) return { axis: a, inner };
      return undefined;
    }
  }
  return undefined;
}

/** The location after moving the axes with `perm` (output axis i is input axis perm[i]). */
export function transposeLoc(loc: BatchLoc, perm: readonly number[]): BatchLoc {
  return { axis: perm.indexOf(loc.axis), inner: loc.inner };
}

/** The location in a broadcast result of rank `outRank`, from an input of rank `inRank`. */
export function alignLoc(loc: BatchLoc, inRank: number, outRank: number): BatchLoc {
  return { axis: loc.axis + outRank - inRank, inner: loc.inner };
}

/** The location after removing axis `removed` (which must not be loc.axis). */
export function dropAxisLoc(loc: BatchLoc, removed: number): BatchLoc {
  return { axis: loc.axis > removed ? loc.axis - 1 : loc.axis, inner: loc.inner };
}

/**
 * The tensor with its examples moved to a new leading axis of size B: [B, ...] where the rest
 * keeps the tensor's other axes in order, with the example axis replaced by (outer, inner)
 * (size-1 factors are dropped). For `{ axis: 0, inner: 1 }` and size B this is the tensor itself.
 */
export function exampleMajor(t: tf.Tensor, loc: BatchLoc, batch: number): tf.Tensor {
  const shape = t.shape;
  if (batch === 1) return shape[0] === 1 ? t : t.reshape([1, ...shape]); // one example: all of it
  const size = shape[loc.axis]!;
  if (loc.axis === 0 && loc.inner === 1 && size === batch) return t;
  return tf.tidy(() => {
    const outer = size / (batch * loc.inner);
    const split = [...shape.slice(0, loc.axis), outer, batch, loc.inner, ...shape.slice(loc.axis + 1)];
    const bAxis = loc.axis + 1;
    const perm = [bAxis, ...split.map((_, i) => i).filter((i) => i !== bAxis)];
    const moved = tf.transpose(t.reshape(split), perm);
    const rest = [...shape.slice(0, loc.axis), ...(outer === 1 ? [] : [outer]), ...(loc.inner === 1 ? [] : [loc.inner]), ...shape.slice(loc.axis + 1)];
    return moved.reshape([batch, ...rest]);
  });
}

/**
 * A shape `bshape` broadcast against a tensor of `shape` (same rank, 1 on every axis it does not
 * vary along — in particular on the examples' axis), carried through `exampleMajor`: the shape
 * it broadcasts with against exampleMajor(t) without that tensor's leading example axis. The
 * examples' axis becomes the (outer, inner) factors, of size 1 here.
 */
export function exampleMajorBroadcast(bshape: readonly number[], shape: readonly number[], loc: BatchLoc, batch: number): number[] {
  if (bshape.length !== shape.length) throw new Error(`exampleMajorBroadcast: rank ${bshape.length} ≠ ${shape.length}`);
  if (batch === 1) return shape[0] === 1 ? bshape.slice(1) : [...bshape];
  const size = shape[loc.axis]!;
  if (bshape[loc.axis] !== 1) throw new Error(`exampleMajorBroadcast: [${bshape.join(', ')}] varies along the examples' axis ${loc.axis}`);
  if (loc.axis === 0 && loc.inner === 1 && size === batch) return bshape.slice(1);
  const outer = size / (batch * loc.inner);
  return [...bshape.slice(0, loc.axis), ...(outer === 1 ? [] : [1]), ...(loc.inner === 1 ? [] : [1]), ...bshape.slice(loc.axis + 1)];
}
