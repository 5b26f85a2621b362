/**
 * Host tensors: constant values held in plain JS arrays (initializers, Constant nodes, shapes).
 *
 * Floats keep their precision (float32 or float64 as stored; tfjs later rounds to float32);
 * integers of every width, and booleans, are held as numbers in a Float64Array (exact up to
 * ±2^53; int64 sentinels such as Slice's INT64_MAX keep their order, which is all they are
 * used for). Row-major, shape `[]` for a scalar.
 */

/** The three kinds of element the interpreter distinguishes. */
export type ElemKind = 'float' | 'int' | 'bool';

/** A constant tensor on the host. */
export interface HostTensor {
  readonly kind: ElemKind;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** A host tensor of integers. */
export function hostInts(values: ArrayLike<number>, shape: readonly number[] = [values.length]): HostTensor {
  return { kind: 'int', shape: [...shape], data: Float64Array.from(values) };
}
