/**
 * The JSON model spec (DESIGN.md, "Public contracts"; the vocabulary is in the README) and its
 * validation, through the registry of layer kinds (models/layers/).
 *
 * `validateSpec(json)` turns untrusted JSON into a `ModelSpec` with every default filled in, or
 * throws a `BadInputError` whose message names the offending field, e.g.
 * `layers[3].units must be a positive integer (got 0)`. `layerSites` is THE walk over a spec —
 * every layer, nested ones included, in forward order with its name, path and shapes — and
 * `paramSpecs` the parameter list (names and layouts as the safetensors contract), both from it.
 *
 * Shape conventions: shapes exclude the batch axis; images are [h, w, c] (NHWC); sequences [T, d]
 * (token ids [T]); dense kernels are [in, out]; conv kernels [kh, kw, cin/groups, cout].
 */
import { BadInputError } from '../src/errors.ts';
import type { Layer, LayerKind, ParamInit, ParamRole } from './layers/index.ts';
import { ACTIVATIONS, LAYER_TYPES, layerKind } from './layers/index.ts';
import type { PrimitiveKind } from './primitives.ts';
import { fail, oneOf, posInt, shapeText } from './layers/fields.ts';

export { ACTIVATIONS, LAYER_TYPES };
export type {
  Activation, Layer, LayerType, DenseLayer, Conv2dLayer, BatchnormLayer, LayernormLayer, GroupnormLayer,
  FlattenLayer, ActivationLayer, AvgpoolLayer, MaxpoolLayer, GlobalavgpoolLayer, EmbeddingLayer, AttentionLayer,
  ResidualLayer, ParallelLayer, ParamRole, ParamInit,
} from './layers/index.ts';

export const LOSSES = ['mse', 'logistic', 'softmax-xent'] as const;
export type Loss = (typeof LOSSES)[number];

/** A validated model: input shape without batch axis, layers, per-example loss. */
export interface ModelSpec { input: number[]; layers: Layer[]; loss: Loss }

/** Input form of a layer (defaults may be omitted), as written in JSON. */
export type LayerInput = Record<string, unknown>;

function validateLayer(raw: unknown, path: string): Layer {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, 'must be an object with a "type"');
  const o = raw as Record<string, unknown>;
  const kind = layerKind(o.type, path);
  for (const k of Object.keys(o)) {
    if (k !== 'type' && !kind.fields.includes(k)) fail(`${path}.${k}`, `is not a field of ${/^[aeiou]/.test(kind.type) ? 'an' : 'a'} ${kind.type} layer (fields: ${kind.fields.join(', ') || 'none'})`);
  }
  const sub = (v: unknown, field: string) => (v as unknown[]).map((l, j) => validateLayer(l, `${path}.${field}[${j}]`));
  return kind.parse(o, path, sub) as Layer;
}

/** One layer of a spec as the walk meets it. */
export interface LayerSite {
  layer: Layer;
  kind: LayerKind;
  /** `layers.2.shortcut.0` — the prefix of its parameters' names. */
  name: string;
  /** `layers[2].shortcut[0]` — the path style of validation errors. */
  path: string;
  inShape: number[];
  outShape: number[];
  /** Nesting depth (0 = a top-level layer). */
  depth: number;
}

/**
 * Every layer of the model (nested sequences included) in forward order — a container before the
 * layers it holds, its sequences in field order — with names, paths and shapes. Throws a
 * BadInputError naming the layer when shapes do not chain or a type is unknown.
 */
export function layerSites(spec: { input: number[]; layers: readonly Layer[] }): LayerSite[] {
  const out: LayerSite[] = [];
  walkSites(spec.layers, spec.input, 'layers', 'layers', 0, out);
  return out;
}

/** The walk behind `layerSites`: appends the sites of `layers` to `out`, returns the output shape. */
function walkSites(layers: readonly Layer[], inShape: number[], prefix: string, pathPrefix: string, depth: number, out: LayerSite[]): number[] {
  let s = inShape;
  layers.forEach((layer, i) => {
    const name = `${prefix}.${i}`;
    const path = `${pathPrefix}[${i}]`;
    s = walkSite(layer, s, name, path, depth, depth === 0 && i === 0, out);
  });
  return s;
}

function walkSite(layer: Layer, inShape: number[], name: string, path: string, depth: number, first: boolean, out: LayerSite[]): number[] {
  const kind = layerKind(layer.type, path);
  const site: LayerSite = { layer, kind, name, path, inShape, outShape: [], depth };
  out.push(site);
  const children: Record<string, number[]> = {};
  for (const [field, seq] of Object.entries(kind.children?.(layer) ?? {})) {
    children[field] = walkSites(seq as Layer[], inShape, `${name}.${field}`, `${path}.${field}`, depth + 1, out);
  }
  site.outShape = kind.outputShape(layer, inShape, { path, first }, children);
  return site.outShape;
}

/** Output shape of one (possibly nested) layer for a given input shape; throws naming `path`. */
export function layerOutputShape(layer: Layer, inShape: number[], path: string): number[] {
  return walkSite(layer, inShape, path.replace(/\[(\d+)\]/g, '.$1'), path, 1, false, []);
}

/** Output shape of the whole model (without batch axis). */
export function outputShape(spec: { input: number[]; layers: readonly Layer[] }): number[] {
  const sites = layerSites(spec).filter((s) => s.depth === 0);
  return sites.length ? sites[sites.length - 1]!.outShape : spec.input;
}

/**
 * Validate untrusted JSON as a model spec. Throws BadInputError naming the field on any problem:
 * unknown layer type/activation/loss, non-positive sizes, shapes that do not chain, groups or
 * heads that do not divide, an embedding that is not the first layer, a `tied` dense whose table
 * does not exist or does not fit, a loss that does not fit the output (logistic needs one output
 * unit; softmax-xent at least two classes; outputs are [C], or [T, C] per position).
 */
export function validateSpec(json: unknown): ModelSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadInputError('model spec must be a JSON object with "input", "layers" and "loss"');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['input', 'layers', 'loss'].includes(k)) fail(k, 'is not a field of a model spec (fields: input, layers, loss)');
  if (!Array.isArray(o.input) || o.input.length < 1 || o.input.length > 3) fail('input', 'must be [d], [T] (token ids), [T, d] or [h, w, c]');
  const input = o.input.map((v, i) => posInt(v, `input[${i}]`));
  if (!Array.isArray(o.layers) || o.layers.length === 0) fail('layers', 'must be a non-empty array');
  const layers = o.layers.map((l, i) => validateLayer(l, `layers[${i}]`));
  const loss = oneOf(o.loss, LOSSES, 'loss');
  const spec: ModelSpec = { input, layers, loss };
  const sites = layerSites(spec);
  const out = outputShape(spec);
  if (out.length > 2 || (loss === 'logistic' && out.length !== 1)) {
    fail('layers', `must end in an output [C]${loss === 'logistic' ? '' : ' or [T, C] (per position)'} (got shape ${shapeText(out)}); add flatten/globalavgpool and dense layers`);
  }
  const c = out[out.length - 1]!;
  if (loss === 'logistic' && c !== 1) fail('loss', `"logistic" needs a single output unit (the model has ${c})`);
  if (loss === 'softmax-xent' && c < 2) fail('loss', '"softmax-xent" needs at least two output units');
  checkTied(spec, sites);
  return spec;
}

/** A `tied` dense: the named parameter is an embedding table [V, D] with V = units and D = the input's last axis. */
function checkTied(spec: ModelSpec, sites: LayerSite[]): void {
  const tables = paramSpecs(spec).filter((p) => p.role === 'table');
  for (const s of sites) {
    const l = s.layer;
    if (l.type !== 'dense' || l.tied === undefined) continue;
    const t = tables.find((p) => p.name === l.tied);
    if (!t) fail(`${s.path}.tied`, `(${JSON.stringify(l.tied)}) is not an embedding table of this model (tables: ${tables.map((p) => p.name).join(', ') || 'none'})`);
    const [v, d] = t.shape as [number, number];
    if (l.units !== v) fail(`${s.path}.units`, `(${l.units}) must equal the vocab (${v}) of the tied table ${t.name}`);
    const inDim = s.inShape[s.inShape.length - 1]!;
    if (inDim !== d) fail(`${s.path}.tied`, `(${JSON.stringify(l.tied)}) needs the input's last axis (${inDim}) to equal the table's dim (${d})`);
  }
}

/** Parse JSON text and validate it; a JSON syntax error is a BadInputError too. */
export function parseSpec(text: string, source = 'model spec'): ModelSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BadInputError(`${source} is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return validateSpec(json);
}

export interface ParamSpec {
  /** safetensors name, e.g. `layers.3.kernel`, `layers.2.layers.0.bias`, `layers.1.query.kernel`. */
  name: string;
  /** `layers.3` — the prefix shared by the layer's parameters. */
  layerName: string;
  /** The layer's type. */
  layerType: Layer['type'];
  role: ParamRole;
  shape: number[];
  /** How models/init.ts fills it: drawn by the initializer ('kernel'), ones or zeros. */
  init: ParamInit;
  /** Fan-in of the layer (dense: in; conv: kh*kw*cin/groups); 0 for normalization parameters. */
  fanIn: number;
  /** Fan-out (dense: units; conv: kh*kw*filters/groups); 0 for normalization parameters. */
  fanOut: number;
  /** false for batchnorm's stored mean/variance (no gradient). */
  trainable: boolean;
  /** The primitive it enters through (models/primitives.ts); null when not trainable. */
  primitive: PrimitiveKind | null;
  /** Index of the parametric layer in forward order (0 = first layer that has parameters). */
  depthIndex: number;
}

/**
 * Every parameter of the model in forward order, with names and shapes as the safetensors
 * contract. Stored batchnorm statistics are included with `trainable: false`. A tied dense has
 * no kernel (it uses the table).
 */
export function paramSpecs(spec: { input: number[]; layers: readonly Layer[] }): ParamSpec[] {
  const out: ParamSpec[] = [];
  let depth = 0;
  for (const s of layerSites(spec)) {
    const decls = s.kind.params(s.layer, s.inShape);
    for (const d of decls) {
      out.push({
        name: `${s.name}.${d.name}`, layerName: s.name, layerType: s.layer.type, role: d.role, shape: d.shape, init: d.init,
        fanIn: d.fanIn, fanOut: d.fanOut, trainable: d.trainable, primitive: d.primitive, depthIndex: depth,
      });
    }
    if (decls.length) depth++;
  }
  return out;
}

/** Number of trainable scalars (a tied table counts once). */
export function parameterCount(spec: ModelSpec): number {
  return paramSpecs(spec).filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}
