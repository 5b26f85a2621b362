/**
 * The per-primitive Gram rules on their own — records of primitive uses built by hand, no model
 * spec — against float64 twins that follow the definitions: the per-example gradient of the
 * parameter through that one use (matmul Σ_t a_it ⊗ δ_it, conv Σ_positions patch ⊗ δ per group,
 * scale Σ δ⊙x and shift Σ δ over the broadcast axes, gather scatter-add of δ rows), summed per
 * group of examples, then S Sᵀ. For every rule: ghost form = materialized form = the twin, and
 * `materialize` = the twin's group sums in the parameter's layout; on cpu and wasm. Geometries
 * and broadcast shapes go beyond what spec layers produce (rectangular kernels, asymmetric pads,
 * [C, 1, 1] and [T, C] parameters), as an ONNX interpreter would hand them over.
 *
 * Tied weights: a parameter with several uses gets its cross terms (parameterGram), and they
 * matter — the sum of the uses' separate Grams is measurably wrong.
 *
 * Tolerance: GRAM_REL_TOL_F32 relative to max|G| (src/tolerance.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../backend/index.ts';
import { ruleFor, type PrimitiveUse } from './index.ts';
import { parameterGram } from '../parameter-gram.ts';
import { convOutSize, type ConvGeometry } from '../../../models/ops/conv2d.ts';
import type { PrimitiveCall } from '../../../models/primitives.ts';
import { relErr } from '../instances.ts';
import { GRAM_REL_TOL_F32 } from '../../tolerance.ts';
import { Rng } from '../../rng.ts';

/** Per-example gradients [B][P] → group sums [K][P] → K×K Gram, in float64. */
function twinGram(per: Float64Array[], k: number): { sums: Float64Array[]; gram: Float64Array } {
  const m = per.length / k;
  const p = per[0]!.length;
  const sums = Array.from({ length: k }, (_, a) => {
    const s = new Float64Array(p);
    for (let i = a * m; i < (a + 1) * m; i++) for (let j = 0; j < p; j++) s[j]! += per[i]![j]!;
    return s;
  });
  const gram = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    let v = 0;
    for (let j = 0; j < p; j++) v += sums[a]![j]! * sums[b]![j]!;
    gram[a * k + b] = v;
  }
  return { sums, gram };
}

interface Case { use: PrimitiveUse; per: Float64Array[]; tensors: tf.Tensor[] }

const f32 = (a: Float64Array) => Float32Array.from(a);
const rnd = (n: number, rng: Rng) => Float64Array.from(rng.normals(n)).map((v) => Math.fround(v));

function matmulCase(b: number, t: number, din: number, dout: number, transposed: boolean, rng: Rng): Case {
  const a = rnd(b * t * din, rng);
  const d = rnd(b * t * dout, rng);
  const per = Array.from({ length: b }, (_, i) => {
    const g = new Float64Array(din * dout);
    for (let s = 0; s < t; s++) for (let x = 0; x < din; x++) for (let y = 0; y < dout; y++) {
      const v = a[(i * t + s) * din + x]! * d[(i * t + s) * dout + y]!;
      if (transposed) g[y * din + x]! += v; else g[x * dout + y]! += v;
    }
    return g;
  });
  const shape = t === 1 ? [b] : [b, t];
  const input = tf.tensor(f32(a), [...shape, din]);
  const delta = tf.tensor(f32(d), [...shape, dout]);
  const call: PrimitiveCall = { kind: 'matmul', param: 'w', paramShape: transposed ? [dout, din] : [din, dout], input, transposed };
  return { use: { call, delta }, per, tensors: [input, delta] };
}

function convCase(b: number, h: number, w: number, groups: number, cinG: number, coutG: number, g: ConvGeometry, rng: Rng): Case {
  const cin = groups * cinG;
  const cout = groups * coutG;
  const [ho, wo] = convOutSize(g, h, w);
  const x = rnd(b * h * w * cin, rng);
  const d = rnd(b * ho * wo * cout, rng);
  const per = Array.from({ length: b }, (_, n) => {
    const gr = new Float64Array(g.kh * g.kw * cinG * cout);
    for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) {
      const yy = i * g.strideH + ky * (g.dilationH ?? 1) - g.pads[0];
      const xx = j * g.strideW + kx * (g.dilationW ?? 1) - g.pads[2];
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
      for (let o = 0; o < cout; o++) {
        const q = Math.floor(o / coutG);
        for (let c = 0; c < cinG; c++) {
          gr[((ky * g.kw + kx) * cinG + c) * cout + o]! += x[((n * h + yy) * w + xx) * cin + q * cinG + c]! * d[((n * ho + i) * wo + j) * cout + o]!;
        }
      }
    }
    return gr;
  });
  const input = tf.tensor4d(f32(x), [b, h, w, cin]);
  const delta = tf.tensor4d(f32(d), [b, ho, wo, cout]);
  const call: PrimitiveCall = { kind: 'conv2d', param: 'k', paramShape: [g.kh, g.kw, cinG, cout], input, geometry: g, groups };
  return { use: { call, delta }, per, tensors: [input, delta] };
}

/** Output [B, ...s], parameter shape p broadcast against s (numpy rules). */
function broadcastCase(kind: 'scale' | 'shift', b: number, s: number[], p: number[], rng: Rng): Case {
  const size = s.reduce((x, y) => x * y, 1);
  const psize = p.reduce((x, y) => x * y, 1);
  const x = rnd(b * size, rng);
  const d = rnd(b * size, rng);
  const padded = [...new Array<number>(s.length - p.length).fill(1), ...p];
  const per = Array.from({ length: b }, (_, i) => {
    const g = new Float64Array(psize);
    for (let e = 0; e < size; e++) {
      // Multi-index of e in s, then the parameter index (size-1 axes collapse to 0).
      let rem = e;
      const idx = new Array<number>(s.length);
      for (let ax = s.length - 1; ax >= 0; ax--) { idx[ax] = rem % s[ax]!; rem = Math.floor(rem / s[ax]!); }
      let pi = 0;
      for (let ax = 0; ax < s.length; ax++) pi = pi * padded[ax]! + (padded[ax] === 1 ? 0 : idx[ax]!);
      g[pi]! += kind === 'scale' ? d[i * size + e]! * x[i * size + e]! : d[i * size + e]!;
    }
    return g;
  });
  const input = tf.tensor(f32(x), [b, ...s]);
  const delta = tf.tensor(f32(d), [b, ...s]);
  const call: PrimitiveCall = kind === 'scale' ? { kind, param: 'g', paramShape: p, input } : { kind, param: 'g', paramShape: p };
  return { use: { call, delta }, per, tensors: [input, delta] };
}

function gatherCase(b: number, t: number, v: number, dim: number, rng: Rng): Case {
  const ids = Int32Array.from({ length: b * t }, () => rng.int(v));
  const d = rnd(b * t * dim, rng);
  const per = Array.from({ length: b }, (_, i) => {
    const g = new Float64Array(v * dim);
    for (let s = 0; s < t; s++) for (let e = 0; e < dim; e++) g[ids[i * t + s]! * dim + e]! += d[(i * t + s) * dim + e]!;
    return g;
  });
  const input = tf.tensor2d(ids, [b, t], 'int32');
  const delta = tf.tensor3d(f32(d), [b, t, dim]);
  const call: PrimitiveCall = { kind: 'gather', param: 'table', paramShape: [v, dim], input };
  return { use: { call, delta }, per, tensors: [input, delta] };
}

/** Every form of the rule against the twin, per example and with K = 2 groups when B is even. */
function checkCase(c: Case): void {
  const b = c.use.delta.shape[0]!;
  const rule = ruleFor(c.use.call.kind);
  for (const k of b % 2 === 0 && b > 2 ? [b, 2] : [b]) {
    const twin = twinGram(c.per, k);
    for (const form of ['ghost', 'materialize'] as const) {
      const g = rule.gram(c.use, k, form);
      expect(relErr(g.dataSync(), twin.gram), `${c.use.call.kind} ${form} K=${k}`).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
      g.dispose();
    }
    const s = rule.materialize(c.use, k);
    const flat = new Float64Array(twin.sums.length * twin.sums[0]!.length);
    twin.sums.forEach((row, a) => flat.set(row, a * row.length));
    expect(relErr(s.dataSync(), flat), `${c.use.call.kind} materialize K=${k}`).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
    s.dispose();
  }
  tf.dispose(c.tensors);
}

const geometryArb = fc.record({
  kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), strideH: fc.integer({ min: 1, max: 2 }), strideW: fc.integer({ min: 1, max: 2 }),
  pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
  // Dilations as ONNX's Conv has them (the spec's conv2d has none).
  dilationH: fc.integer({ min: 1, max: 3 }), dilationW: fc.integer({ min: 1, max: 2 }),
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`primitive rules on ${backend} vs float64 twins (fast-check seed 31)`, () => {
    it('matmul: rank 2 and 3 inputs, stored [in, out] or transposed', async () => {
      await initBackend(backend);
      fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.integer(),
        (b, t, din, dout, tr, seed) => checkCase(matmulCase(b, t, din, dout, tr, new Rng(seed)))), { seed: 31, numRuns: 30 });
    });

    it('conv2d: groups, rectangular kernels and strides, asymmetric explicit padding, dilations', async () => {
      await initBackend(backend);
      fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), geometryArb, fc.integer(), (b, h, w, groups, cinG, coutG, g, seed) => {
          fc.pre(convOutSize(g, h, w).every((v) => v >= 1));
          checkCase(convCase(b, h, w, groups, cinG, coutG, g, new Rng(seed)));
        }), { seed: 32, numRuns: 30 });
    });

    it('scale and shift: parameters [C] on the last axis, [C, 1, 1] on a middle axis, [T, C] over two axes', async () => {
      await initBackend(backend);
      const shapes: [number[], number[]][] = [[[5], [5]], [[3, 4], [4]], [[2, 3, 4], [4]], [[3, 2, 2], [3, 1, 1]], [[2, 3, 4], [3, 4]], [[3, 4], [1, 4]]];
      fc.assert(fc.property(fc.constantFrom(...shapes), fc.constantFrom('scale' as const, 'shift' as const), fc.integer({ min: 1, max: 4 }), fc.integer(),
        ([s, p], kind, b, seed) => checkCase(broadcastCase(kind, b, s, p, new Rng(seed)))), { seed: 33, numRuns: 30 });
    });

    it('gather: repeated ids within and across examples', async () => {
      await initBackend(backend);
      fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer(),
        (b, t, v, dim, seed) => checkCase(gatherCase(b, t, v, dim, new Rng(seed)))), { seed: 34, numRuns: 30 });
    });

    it('a parameter used twice (embedding rows and a tied output layer) gets its cross terms', async () => {
      await initBackend(backend);
      fc.assert(fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer(), (b, t, v, dim, seed) => {
        const rng = new Rng(seed);
        // Use 1: gather rows of table [V, D]; use 2: logits = h · tableᵀ, i.e. a transposed matmul.
        const g1 = gatherCase(b, t, v, dim, rng);
        const g2 = matmulCase(b, t, dim, v, true, rng);
        const c2 = { ...g2.use, call: { ...g2.use.call, param: 'table' } } as PrimitiveUse;
        const per = g1.per.map((p, i) => p.map((x, j) => x + g2.per[i]![j]!));
        const twin = twinGram(per, b).gram;
        for (const strategy of ['auto', 'ghost', 'materialize'] as const) {
          const g = parameterGram([g1.use, c2], b, strategy);
          expect(relErr(g.dataSync(), twin), strategy).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
          g.dispose();
        }
        // Without the cross terms: the sum of the two uses' own Grams.
        const a = parameterGram([g1.use], b, 'auto');
        const c = parameterGram([c2], b, 'auto');
        const noCross = tf.add(a, c);
        const wrong = relErr(noCross.dataSync(), twin);
        tf.dispose([a, c, noCross, ...g1.tensors, ...g2.tensors]);
        return wrong > 10 * GRAM_REL_TOL_F32 || twinGram(g1.per, b).gram.every((x) => Math.abs(x) < 1e-9);
      }), { seed: 35, numRuns: 30 });
    });

    it('an unknown primitive is an error naming it', () => {
      expect(() => ruleFor('lstm')).toThrow(/no probe rule for primitive "lstm"/);
    });
  });
}
