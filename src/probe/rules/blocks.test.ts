// Rules' building blocks and cost estimates, on small cases with hand-computed values (cpu backend;
// rules.test.ts checks every rule's Gram against float64 twins on cpu and wasm).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../backend/index.ts';
import { ghostSum, GHOST_CHUNK_ENTRIES, groupGram, groupOuterSums, groupRows, outer, pickForm, rowBlock, sumToParam } from './blocks.ts';
import { matmulGhost } from './matmul.ts';
import { ruleFor } from './index.ts';
import type { Conv2dCall, GatherCall, MatmulCall, ScaleCall, ShiftCall } from '../../../models/primitives.ts';
import { BadInputError } from '../../errors.ts';

beforeAll(async () => { await initBackend('cpu'); });

const values = (t: tf.Tensor) => { const v = Array.from(t.dataSync()); t.dispose(); return v; };
const range = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i), shape);

describe('cost estimates (multiply-adds, by hand)', () => {
  it('matmul: ghost B²T²(in + out + 1), materialize B·T·in·out + K²·in·out', () => {
    const z = (s: number[]) => tf.zeros(s);
    const call = (input: tf.Tensor): MatmulCall => ({ kind: 'matmul', param: 'w', paramShape: [5, 7], input, transposed: false });
    // B = 4, T = 3, in = 5, out = 7, K = 2: ghost 16·9·13 = 1872; materialize 4·3·35 + 4·35 = 560
    expect(ruleFor('matmul').cost({ call: call(z([4, 3, 5])), delta: z([4, 3, 7]) }, 2)).toEqual({ ghost: 1872, materialize: 560 });
    // flat input, T = 1, K = 4: ghost 16·13 = 208; materialize 4·35 + 16·35 = 700
    expect(ruleFor('matmul').cost({ call: call(z([4, 5])), delta: z([4, 7]) }, 4)).toEqual({ ghost: 208, materialize: 700 });
  });

  it('gather: ghost B²T²(D + 2), materialize B·T·V·D + K²·V·D', () => {
    const call: GatherCall = { kind: 'gather', param: 't', paramShape: [10, 4], input: tf.zeros([2, 3], 'int32') };
    // B = 2, T = 3, V = 10, D = 4, K = 1: ghost 4·9·6 = 216; materialize 2·3·40 + 40 = 280
    expect(ruleFor('gather').cost({ call, delta: tf.zeros([2, 3, 4]) }, 1)).toEqual({ ghost: 216, materialize: 280 });
    expect(ruleFor('gather').cost({ call, delta: tf.zeros([2, 3, 4]) }, 2)).toEqual({ ghost: 216, materialize: 240 + 160 });
  });

  it('conv2d: ghost B²T²(k + cout/G)·G, materialize B·T·k·cout + K²·k·cout with k = kh·kw·cin/G', () => {
    const call: Conv2dCall = { kind: 'conv2d', param: 'k', paramShape: [2, 3, 2, 4], input: tf.zeros([2, 5, 5, 4]) as tf.Tensor4D, groups: 2, geometry: { kh: 2, kw: 3, strideH: 1, strideW: 1, pads: [0, 0, 0, 0] } };
    // B = 2, Ho = Wo = 3 (T = 9), cin = 4, G = 2, cout = 4: k = 6·2 = 12, cout/G = 2.
    // ghost 4·81·14·2 = 9072; materialize (K = 2) 2·9·12·4 + 4·12·4 = 864 + 192 = 1056
    expect(ruleFor('conv2d').cost({ call, delta: tf.zeros([2, 3, 3, 4]) }, 2)).toEqual({ ghost: 9072, materialize: 1056 });
  });

  it('scale and shift have no ghost form: materialize costs |δ|', () => {
    const sc: ScaleCall = { kind: 'scale', param: 'g', paramShape: [3], input: tf.zeros([2, 4, 3]) };
    const sh: ShiftCall = { kind: 'shift', param: 'b', paramShape: [3] };
    expect(ruleFor('scale').cost({ call: sc, delta: tf.zeros([2, 4, 3]) }, 2)).toEqual({ ghost: Infinity, materialize: 24 });
    expect(ruleFor('shift').cost({ call: sh, delta: tf.zeros([2, 4, 3]) }, 1)).toEqual({ ghost: Infinity, materialize: 24 });
  });

  it('pickForm: a forced form wins; auto takes the cheaper, ghost on a tie', () => {
    expect(pickForm('ghost', { ghost: 10, materialize: 1 })).toBe('ghost');
    expect(pickForm('materialize', { ghost: 1, materialize: 10 })).toBe('materialize');
    expect(pickForm('auto', { ghost: 1, materialize: 10 })).toBe('ghost');
    expect(pickForm('auto', { ghost: 10, materialize: 1 })).toBe('materialize');
    expect(pickForm('auto', { ghost: 5, materialize: 5 })).toBe('ghost');
    expect(pickForm('auto', { ghost: Infinity, materialize: 5 })).toBe('materialize');
  });
});

describe('blocks', () => {
  it('groupRows sums contiguous groups of rows; K = B is the identity', () => {
    // rows [0,1], [2,3], [4,5], [6,7] → K = 2: [2, 4], [10, 12]
    expect(values(groupRows(range([4, 2]), 2))).toEqual([2, 4, 10, 12]);
    expect(values(groupRows(range([4, 2]), 1))).toEqual([12, 16]);
    const t = range([4, 2]);
    expect(groupRows(t, 4)).toBe(t);
    expect(values(groupRows(range([4, 1, 2]), 2))).toEqual([2, 4, 10, 12]);
  });

  it('groupGram sums the K×K blocks of a B×B Gram; K = B is the identity', () => {
    // 4×4 entries 0..15, K = 2: top-left 0+1+4+5 = 10, top-right 2+3+6+7 = 18, 8+9+12+13 = 42, 10+11+14+15 = 50
    expect(values(groupGram(range([4, 4]) as tf.Tensor2D, 2))).toEqual([10, 18, 42, 50]);
    expect(values(groupGram(range([4, 4]) as tf.Tensor2D, 1))).toEqual([120]);
    const g = range([4, 4]) as tf.Tensor2D;
    expect(groupGram(g, 4)).toBe(g);
  });

  it('outer is M Mᵀ', () => {
    expect(values(outer(tf.tensor2d([[1, 2], [3, 4]])))).toEqual([5, 11, 11, 25]);
  });

  it('groupOuterSums: per group Σ_r u_r ⊗ d_r', () => {
    // group 0: u rows (1), (2); d rows (3, 4), (5, 6) → 1·(3,4) + 2·(5,6) = (13, 16); group 1: u (0), (1), d (1, 1), (2, 0) → (2, 0)
    const u = tf.tensor3d([[[1], [2]], [[0], [1]]]);
    const d = tf.tensor3d([[[3, 4], [5, 6]], [[1, 1], [2, 0]]]);
    expect(values(groupOuterSums(u, d))).toEqual([13, 16, 2, 0]);
  });

  it('rowBlock: rows r0..r0+r−1 (T positions each) of X times Xᵀ', () => {
    const x = tf.tensor2d([[1, 0], [0, 1], [1, 1], [2, 0], [0, 3], [1, 0]]); // B = 3, T = 2
    // example 1 (of 0..2): rows 2, 3 = (1,1), (2,0) against all six rows
    expect(values(rowBlock(x, tf.transpose(x), 2, 1, 1))).toEqual([1, 1, 2, 2, 3, 1, 2, 0, 2, 4, 0, 2]);
  });

  it('ghostSum sums the position blocks; T = 1 is the plain product', () => {
    // B = 2, T = 2: left = (example index + 1) everywhere, right = 1: G_ij = (i + 1)·T² = [4, 4; 8, 8]
    const fill = (b: number, t: number) => (r0: number, r: number) => tf.concat(Array.from({ length: r }, (_, e) => tf.fill([t, b * t], r0 + e + 1)), 0) as tf.Tensor2D;
    const ones = (b: number, t: number) => (_: number, r: number) => tf.ones([r * t, b * t]) as tf.Tensor2D;
    expect(values(ghostSum(2, 2, fill(2, 2), ones(2, 2)))).toEqual([4, 4, 8, 8]);
    // T = 1: elementwise product of the rows: (i + 1)·(i + 1)
    expect(values(ghostSum(3, 1, fill(3, 1), fill(3, 1)))).toEqual([1, 1, 1, 4, 4, 4, 9, 9, 9]);
  });

  it('ghostSum evaluates in row chunks that stay under GHOST_CHUNK_ENTRIES (B = 3, T = 1400: chunks of 2 and 1)', () => {
    // rows per chunk = floor(2^24/(T·B·T)) = floor(16777216/5880000) = 2
    expect(GHOST_CHUNK_ENTRIES).toBe(2 ** 24);
    const b = 3;
    const t = 1400;
    const calls: [number, number][] = [];
    const left = (r0: number, r: number) => {
      calls.push([r0, r]);
      return tf.tidy(() => tf.concat(Array.from({ length: r }, (_, e) => tf.fill([t, b * t], r0 + e + 1)), 0)) as tf.Tensor2D;
    };
    const right = (_: number, r: number) => tf.ones([r * t, b * t]) as tf.Tensor2D;
    const g = ghostSum(b, t, left, right);
    expect(g.shape).toEqual([3, 3]);
    expect(calls).toEqual([[0, 2], [2, 1]]);
    const t2 = t * t; // G_ij = (i + 1)·T²
    expect(values(g)).toEqual([t2, t2, t2, 2 * t2, 2 * t2, 2 * t2, 3 * t2, 3 * t2, 3 * t2]);
  });

  it('sumToParam sums the broadcast axes per example (numpy alignment to trailing axes)', () => {
    // t [2, 2, 3] = 0..11. pshape [3]: sum over axis 1 → ex0 (0+3, 1+4, 2+5), ex1 (6+9, 7+10, 8+11)
    expect(values(sumToParam(range([2, 2, 3]), [3]))).toEqual([3, 5, 7, 15, 17, 19]);
    expect(values(sumToParam(range([2, 2, 3]), [1, 3]))).toEqual([3, 5, 7, 15, 17, 19]);
    // pshape [2, 1]: sum over the last axis → ex0 (0+1+2, 3+4+5), ex1 (6+7+8, 9+10+11)
    expect(values(sumToParam(range([2, 2, 3]), [2, 1]))).toEqual([3, 12, 21, 30]);
    expect(values(sumToParam(range([2, 2, 3]), [2, 3]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(sumToParam(range([2, 2, 3]), [2, 3]).shape).toEqual([2, 6]);
    // a size-1 axis of the output with a size-1 parameter axis is nothing to sum
    expect(values(sumToParam(range([2, 1, 3]), [1, 3]))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(values(sumToParam(range([2, 2, 3]), [1, 1]))).toEqual([15, 51]);
  });

  it('sumToParam: a parameter that does not broadcast is an error naming both shapes', () => {
    expect(() => sumToParam(range([2, 2, 3]), [4])).toThrow(new Error('parameter shape [4] does not broadcast against [2,3]'));
    expect(() => sumToParam(range([2, 2, 3]), [3, 3])).toThrow(new Error('parameter shape [3,3] does not broadcast against [2,3]'));
    expect(() => sumToParam(range([2, 2, 3]), [1, 2, 3])).toThrow(new Error('parameter shape [1,2,3] does not broadcast against [2,3]'));
    expect(() => sumToParam(range([2, 2, 3]), [1, 1, 3])).toThrow(new Error('parameter shape [1,1,3] does not broadcast against [2,3]'));
  });
});

describe('matmulGhost with the bias folded in', () => {
  it('T = 1: a = (1, 2), δ = (3, 4): W Gram [9, 24; 24, 64] plus bias Gram [9, 12; 12, 16]', () => {
    const u = { call: { kind: 'matmul', param: 'w', paramShape: [1, 1], input: tf.tensor2d([[1], [2]]), transposed: false } as MatmulCall, delta: tf.tensor2d([[3], [4]]) };
    expect(values(matmulGhost(u, 2, true))).toEqual([18, 36, 36, 80]);
    expect(values(matmulGhost(u, 2, false))).toEqual([9, 24, 24, 64]);
    expect(values(matmulGhost(u, 1, true))).toEqual([18 + 72 + 80]);
  });

  it('T = 2: g_W = Σ_t a_t δ_t = (3, 2), g_b = Σ_t δ_t = (2, 1) → [13, 8; 8, 5]', () => {
    const u = { call: { kind: 'matmul', param: 'w', paramShape: [1, 1], input: tf.tensor3d([[[1], [2]], [[3], [4]]]), transposed: false } as MatmulCall, delta: tf.tensor3d([[[1], [1]], [[2], [-1]]]) };
    expect(values(matmulGhost(u, 2, true))).toEqual([13, 8, 8, 5]);
    expect(values(matmulGhost(u, 2, false))).toEqual([9, 6, 6, 4]);
  });
});

describe('ruleFor', () => {
  it('returns the rule of each primitive; an unknown one is a BadInputError listing the known ones', () => {
    for (const k of ['matmul', 'conv2d', 'scale', 'shift', 'gather']) expect(ruleFor(k).kind).toBe(k);
    expect(() => ruleFor('lstm')).toThrow(BadInputError);
    expect(() => ruleFor('lstm')).toThrow('no probe rule for primitive "lstm" (rules exist for: matmul, conv2d, scale, shift, gather)');
  });
});

describe('gram dispatches on the form: ghost never materializes the group sums, materialize does', () => {
  const uses = () => ({
    matmul: { call: { kind: 'matmul', param: 'w', paramShape: [3, 2], input: tf.ones([4, 2, 3]), transposed: false } as MatmulCall, delta: tf.ones([4, 2, 2]) },
    gather: { call: { kind: 'gather', param: 't', paramShape: [5, 2], input: tf.tensor2d([[0, 1], [1, 2], [3, 3], [4, 0]], [4, 2], 'int32') } as GatherCall, delta: tf.ones([4, 2, 2]) },
    conv2d: { call: { kind: 'conv2d', param: 'k', paramShape: [2, 2, 1, 2], input: tf.ones([4, 3, 3, 1]) as tf.Tensor4D, groups: 1, geometry: { kh: 2, kw: 2, strideH: 1, strideW: 1, pads: [0, 0, 0, 0] } } as Conv2dCall, delta: tf.ones([4, 2, 2, 2]) },
  });
  for (const kind of ['matmul', 'gather', 'conv2d'] as const) {
    it(kind, () => {
      const rule = ruleFor(kind);
      const u = uses()[kind];
      const spy = vi.spyOn(rule, 'materialize');
      try {
        const ghost = values(rule.gram(u, 2, 'ghost'));
        expect(spy).not.toHaveBeenCalled();
        const mat = values(rule.gram(u, 2, 'materialize'));
        expect(spy).toHaveBeenCalledTimes(1);
        expect(ghost).toEqual(mat); // all-ones inputs: exact in float32 either way
      } finally {
        spy.mockRestore();
      }
    });
  }
});

describe('scale and shift rules (always materialized)', () => {
  it('shift: per-example δ summed over broadcast axes; scale: δ ⊙ x', () => {
    const delta = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const sh = { call: { kind: 'shift', param: 'b', paramShape: [3] } as ShiftCall, delta };
    expect(values(ruleFor('shift').materialize(sh, 2))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(values(ruleFor('shift').materialize(sh, 1))).toEqual([5, 7, 9]);
    expect(values(ruleFor('shift').gram(sh, 2, 'ghost'))).toEqual([14, 32, 32, 77]);
    // δ ⊙ x = (1, 2, 6), (0, 5, −6): Gram [41, −26; −26, 61]; K = 1: (1, 7, 0)
    const sc = { call: { kind: 'scale', param: 'g', paramShape: [3], input: tf.tensor2d([[1, 1, 2], [0, 1, -1]]) } as ScaleCall, delta };
    expect(values(ruleFor('scale').materialize(sc, 2))).toEqual([1, 2, 6, 0, 5, -6]);
    expect(values(ruleFor('scale').materialize(sc, 1))).toEqual([1, 7, 0]);
    expect(values(ruleFor('scale').gram(sc, 2, 'materialize'))).toEqual([41, -26, -26, 61]);
  });
});
