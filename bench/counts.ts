/**
 * Multiply-add counts from the shapes (issue 16, "the limit"): what a plain training gradient and
 * the probe must compute, layer by layer, for a batch of B examples.
 *
 * A parametric layer is y = x·W (dense, T positions per example: T = 1 on a flat input) or a
 * convolution (T = Ho·Wo output positions, patch = kh·kw·cin/G, cout output channels, G groups),
 * optionally followed by a bias. With M = B·T·patch·cout (one product of the layer's size per
 * output position):
 *   forward            M          (y = patches · W)
 *   input gradient     M          (δx = δ · Wᵀ), every layer but the first (nothing needs δ of the input)
 *   weight gradient    M          (Σ_i patchesᵢᵀ δᵢ)          — plain only
 *   Gram, ghost        (B·T)²·(patch + cout/G)·G   (A Aᵀ and D Dᵀ over positions, per conv group;
 *                                                   a bias is folded in: (a·a + 1)(δ·δ), no MACs)
 *   Gram, materialize  M + B²·patch·cout            (per-example sums Uᵢᵀδᵢ, then S Sᵀ)
 *                      + B²·cout for the bias        (its own S Sᵀ)
 * Element-wise work (activations, the ghost form's Hadamard product and position sums, bias sums)
 * is not counted: it is O(B·|y|) or O((B·T)²), memory-bound, and the same order in both.
 *
 * The products are counted in full, as tfjs computes them (a Gram M Mᵀ as a general matMul, B²
 * entries); `symmetric: true` counts each Gram's B(B+1)/2 distinct entries instead (what a
 * symmetric rank-k update would do), the lowest count any implementation of these forms reaches.
 *
 * probe/plain floor = (forward + input gradients + Gram with the cheaper form per layer)
 *                   / (forward + input gradients + weight gradients).
 */
import type { ModelSpec } from '../models/spec.ts';
import { convPadding } from '../models/ops/conv2d.ts';

/** One parametric layer's shapes (per example; the batch size is an argument of the counts). */
export interface LayerShape {
  name: string;
  kind: 'dense' | 'conv2d';
  /** Output positions per example (Ho·Wo; for dense the product of the input's leading axes, 1 when flat). */
  t: number;
  /** Inputs per output (dense: in; conv: kh·kw·cin/groups). */
  patch: number;
  cout: number;
  groups: number;
  bias: boolean;
}

export type GramForm = 'ghost' | 'materialize';

export interface LayerCount {
  name: string;
  forward: number;
  inputGrad: number;
  weightGrad: number;
  ghost: number;
  materialize: number;
  /** The form the counts pick (the smaller; ties → ghost, as src/probe/rules/blocks.ts pickForm). */
  form: GramForm;
}

export interface ModelCount {
  batch: number;
  layers: LayerCount[];
  forward: number;
  inputGrad: number;
  weightGrad: number;
  /** Σ over layers of the chosen form's Gram count. */
  gram: number;
  /** forward + inputGrad + weightGrad. */
  plain: number;
  /** forward + inputGrad + gram. */
  probe: number;
  /** probe / plain. */
  floor: number;
  /** The part of `gram` that grows as B² (the S Sᵀ and A Aᵀ / D Dᵀ products). */
  gramQuadratic: number;
}

/** The parametric layers of a flat spec (dense, conv2d; flatten and activation pass through). */
export function layerShapes(spec: Pick<ModelSpec, 'input' | 'layers'>): LayerShape[] {
  let s = [...spec.input];
  const out: LayerShape[] = [];
  spec.layers.forEach((l, i) => {
    const name = `layers.${i}`;
    switch (l.type) {
      case 'dense': {
        const t = s.slice(0, -1).reduce((a, b) => a * b, 1);
        out.push({ name, kind: 'dense', t, patch: s[s.length - 1]!, cout: l.units, groups: 1, bias: l.bias });
        s = [...s.slice(0, -1), l.units];
        break;
      }
      case 'conv2d': {
        const [h, w, c] = s as [number, number, number];
        const ho = convPadding(h, l.kernel, l.stride, l.padding).out;
        const wo = convPadding(w, l.kernel, l.stride, l.padding).out;
        out.push({ name, kind: 'conv2d', t: ho * wo, patch: l.kernel * l.kernel * (c / l.groups), cout: l.filters, groups: l.groups, bias: l.bias });
        s = [ho, wo, l.filters];
        break;
      }
      case 'flatten':
        s = [s.reduce((a, b) => a * b, 1)];
        break;
      case 'activation':
        break;
      default:
        throw new Error(`counts: layer type "${l.type}" is not counted (dense, conv2d, flatten, activation only)`);
    }
  });
  return out;
}

/** Multiply-adds of one layer for B examples (module comment); `first`: no input gradient. */
export function countLayer(l: LayerShape, b: number, first: boolean, opts: { symmetric?: boolean } = {}): LayerCount {
  const pairs = opts.symmetric ? (b * (b + 1)) / 2 : b * b;
  const bt = b * l.t;
  const posPairs = opts.symmetric ? (bt * (bt + 1)) / 2 : bt * bt;
  const m = b * l.t * l.patch * l.cout;
  // T = 1: A Aᵀ and D Dᵀ are already the B×B example Grams.
  const ghost = posPairs * (l.patch + l.cout / l.groups) * l.groups;
  const materialize = m + pairs * l.patch * l.cout + (l.bias ? pairs * l.cout : 0);
  return {
    name: l.name, forward: m, inputGrad: first ? 0 : m, weightGrad: m,
    ghost, materialize, form: ghost <= materialize ? 'ghost' : 'materialize',
  };
}

/** Counts of a whole model (layers as from {@link layerShapes}); `forms` overrides the chosen form per layer name. */
export function countModel(layers: LayerShape[], b: number, opts: { symmetric?: boolean; forms?: Record<string, GramForm> } = {}): ModelCount {
  const ls = layers.map((l, i) => {
    const c = countLayer(l, b, i === 0, opts);
    const forced = opts.forms?.[l.name];
    return forced ? { ...c, form: forced } : c;
  });
  const sum = (f: (c: LayerCount) => number) => ls.reduce((a, c) => a + f(c), 0);
  const forward = sum((c) => c.forward);
  const inputGrad = sum((c) => c.inputGrad);
  const weightGrad = sum((c) => c.weightGrad);
  const gram = sum((c) => c[c.form]);
  // Quadratic part: the whole ghost count, or the materialized count less its M (linear in B).
  const gramQuadratic = sum((c) => (c.form === 'ghost' ? c.ghost : c.materialize - c.forward));
  const plain = forward + inputGrad + weightGrad;
  const probe = forward + inputGrad + gram;
  return { batch: b, layers: ls, forward, inputGrad, weightGrad, gram, plain, probe, floor: probe / plain, gramQuadratic };
}
