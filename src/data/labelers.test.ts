import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  labelPoints,
  linearLabeler,
  makeLabeler,
  sinLabeler,
  tanhLabeler,
  toLogisticLabels,
  type Labeler,
} from './labelers.ts';
import { BadInputError } from '../errors.ts';

const SEED = 20240601;
const kinds = ['linear', 'tanh', 'sin'] as const;

/** Scales a raw vector into the unit ball: r · v / ‖v‖ (0 stays 0). */
function intoBall(v: number[], r: number): Float64Array {
  const n = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  return Float64Array.from(v, (a) => (n === 0 ? 0 : (r * a) / n));
}

/** Arbitrary (d, u, x) with ‖u‖ ≤ 1 and ‖x‖ ≤ 1; radius 1 is included. */
const ballPair = fc.integer({ min: 1, max: 12 }).chain((d) =>
  fc.record({
    d: fc.constant(d),
    u: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d }),
    ru: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    x: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d }),
    rx: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  }),
);

function build(kind: (typeof kinds)[number], u: Float64Array): Labeler {
  return kind === 'linear' ? linearLabeler(u) : kind === 'tanh' ? tanhLabeler(u) : sinLabeler(u);
}

describe(`labelers (fast-check seed ${SEED})`, () => {
  it('values match the closed forms on a hand-picked point', () => {
    const u = Float64Array.from([0.6, 0.8]); // ‖u‖ = 1
    const x = Float64Array.from([0.5, -0.25]); // ⟨u, x⟩ = 0.3 - 0.2 = 0.1
    expect(linearLabeler(u).value(x)).toBeCloseTo(0.1, 15);
    expect(tanhLabeler(u).value(x)).toBeCloseTo(0.09966799462495582, 15); // tanh(0.1)
    expect(sinLabeler(u).value(x)).toBeCloseTo(0.09983341664682815, 15); // sin(0.1)
    expect(linearLabeler(u).gradNorm(x)).toBeCloseTo(1, 15);
    expect(tanhLabeler(u).gradNorm(x)).toBeCloseTo(1 - 0.09966799462495582 ** 2, 14);
    expect(sinLabeler(u).gradNorm(x)).toBeCloseTo(0.9950041652780258, 14); // cos(0.1)
    // offset reads the second row of a 2 × 2 batch
    const X = Float64Array.from([9, 9, 0.5, -0.25]);
    expect(sinLabeler(u).value(X, 2)).toBeCloseTo(0.09983341664682815, 15);
  });

  for (const kind of kinds) {
    it(`${kind}: |C(x)| ≤ 1 and ‖∇C(x)‖ ≤ 1 on the unit ball (property)`, () => {
      fc.assert(
        fc.property(ballPair, ({ u, ru, x, rx }) => {
          const C = build(kind, intoBall(u, ru));
          const p = intoBall(x, rx);
          const tol = 1e-12; // a unit vector has norm 1 only to rounding
          return Math.abs(C.value(p)) <= 1 + tol && C.gradNorm(p) <= 1 + tol;
        }),
        { seed: SEED, numRuns: 300 },
      );
    });

    it(`${kind}: gradNorm agrees with central finite differences (property)`, () => {
      fc.assert(
        fc.property(ballPair, ({ u, ru, x, rx }) => {
          const C = build(kind, intoBall(u, ru));
          const p = intoBall(x, rx);
          // Central differences along each coordinate axis: error O(h^2 · max|φ'''|) ≈ 1e-10
          // plus rounding O(eps / h) ≈ 1e-11, so 1e-7 is a wide but still sharp margin.
          const h = 1e-5;
          let sq = 0;
          for (let j = 0; j < p.length; j++) {
            const a = Float64Array.from(p);
            const b = Float64Array.from(p);
            a[j] = a[j]! + h;
            b[j] = b[j]! - h;
            sq += ((C.value(a) - C.value(b)) / (2 * h)) ** 2;
          }
          expect(Math.abs(Math.sqrt(sq) - C.gradNorm(p))).toBeLessThan(1e-7);
          const g = C.grad(p);
          expect(Math.abs(Math.hypot(...g) - C.gradNorm(p))).toBeLessThan(1e-12);
        }),
        { seed: SEED + 1, numRuns: 100 },
      );
    });
  }

  it('rejects ‖u‖ > 1, empty and non-finite u', () => {
    expect(() => linearLabeler(Float64Array.from([0.8, 0.61]))).toThrow(BadInputError);
    expect(() => tanhLabeler(new Float64Array(0))).toThrow(BadInputError);
    expect(() => sinLabeler(Float64Array.from([NaN]))).toThrow(BadInputError);
    expect(() => linearLabeler(Float64Array.from([0.5])).value(Float64Array.from([1]), 1)).toThrow(BadInputError);
  });

  it('makeLabeler: ‖u‖ = scale, deterministic in the seed, validated', () => {
    for (const kind of kinds) {
      const a = makeLabeler(kind, 7, 3, 0.5);
      expect(a.kind).toBe(kind);
      expect(a.u.length).toBe(7);
      expect(Math.hypot(...a.u)).toBeCloseTo(0.5, 12);
      expect(Array.from(makeLabeler(kind, 7, 3, 0.5).u)).toEqual(Array.from(a.u));
      expect(Array.from(makeLabeler(kind, 7, 4, 0.5).u)).not.toEqual(Array.from(a.u));
    }
    expect(Math.hypot(...makeLabeler('sin', 5, 1).u)).toBeCloseTo(1, 12);
    expect(() => makeLabeler('tanh', 3, 1, 0)).toThrow(BadInputError);
    expect(() => makeLabeler('tanh', 3, 1, 1.5)).toThrow(BadInputError);
    expect(() => makeLabeler('sign' as never, 3, 1)).toThrow(BadInputError);
  });

  it('labelPoints labels each row and checks shapes', () => {
    const C = linearLabeler(Float64Array.from([0.5, 0, -0.5]));
    const X = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0.4, 0.6]);
    expect(Array.from(labelPoints(C, X, 4, 3))).toEqual([0.5, 0, -0.5, 0.1 - 0.3]);
    expect(() => labelPoints(C, X, 3, 3)).toThrow(BadInputError);
    expect(() => labelPoints(C, X, 6, 2)).toThrow(BadInputError);
  });

  it('toLogisticLabels maps by sign with 0 ↦ +1', () => {
    expect(Array.from(toLogisticLabels([-0.3, 0, -0, 2, -1e-300]))).toEqual([-1, 1, 1, 1, -1]);
    expect(() => toLogisticLabels([1, NaN])).toThrow(BadInputError);
  });
});
