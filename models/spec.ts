/**
 * The JSON model spec (DESIGN.md, "Public contracts") and its validation.
 *
 * `validateSpec(json)` turns untrusted JSON into a `ModelSpec` with every default filled in, or
 * throws a `BadInputError` whose message names the offending field, e.g.
 * `layers[3].units must be a positive integer`. `inferShapes` and `paramSpecs` give the per-layer
 * shapes and the parameter list (names and layouts as the safetensors contract).
 *
 * Shape conventions: shapes exclude the batch axis; images are [h, w, c] (NHWC); dense kernels
 * are [in, out]; conv kernels [kh, kw, cin, cout].
 */
import { BadInputError } from '../src/errors.ts';

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const LOSSES = ['mse', 'logistic', 'softmax-xent'] as const;
export type Loss = (typeof LOSSES)[number];
export const LAYER_TYPES = ['dense', 'conv2d', 'batchnorm', 'flatten', 'activation', 'avgpool', 'residual'] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

export interface DenseLayer { type: 'dense'; units: number; activation: Activation; bias: boolean }
export interface Conv2dLayer {
  type: 'conv2d'; filters: number; kernel: number; stride: number; padding: 'same' | 'valid';
  activation: Activation; bias: boolean;
}
export interface BatchnormLayer { type: 'batchnorm'; epsilon: number }
export interface FlattenLayer { type: 'flatten' }
export interface ActivationLayer { type: 'activation'; activation: Activation }
export interface AvgpoolLayer { type: 'avgpool'; size: number }
export interface ResidualLayer { type: 'residual'; layers: Layer[] }
export type Layer = DenseLayer | Conv2dLayer | BatchnormLayer | FlattenLayer | ActivationLayer | AvgpoolLayer | ResidualLayer;

/** A validated model: input shape without batch axis, layers, per-example loss. */
export interface ModelSpec { input: number[]; layers: Layer[]; loss: Loss }

/** Input form of a layer (defaults may be omitted), as written in JSON. */
export type LayerInput = Record<string, unknown>;

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

function fail(path: string, what: string): never {
  throw new BadInputError(`${path} ${what}`);
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string, dflt?: T): T {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    fail(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${JSON.stringify(v) ?? 'nothing'})`);
  }
  return v as T;
}

function posInt(v: unknown, path: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (!isPosInt(v)) fail(path, `must be a positive integer (got ${JSON.stringify(v) ?? 'nothing'})`);
  return v;
}

function bool(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(path, `must be true or false (got ${JSON.stringify(v)})`);
  return v;
}

const KNOWN_KEYS: Record<LayerType, string[]> = {
  dense: ['units', 'activation', 'bias'],
  conv2d: ['filters', 'kernel', 'stride', 'padding', 'activation', 'bias'],
  batchnorm: ['epsilon'],
  flatten: [],
  activation: ['activation'],
  avgpool: ['size'],
  residual: ['layers'],
};

function validateLayer(raw: unknown, path: string): Layer {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, 'must be an object with a "type"');
  const o = raw as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !(LAYER_TYPES as readonly string[]).includes(type)) {
    fail(`${path}.type`, `is an unknown layer type ${JSON.stringify(type) ?? '(missing)'}; known: ${LAYER_TYPES.join(', ')}`);
  }
  const t = type as LayerType;
  for (const k of Object.keys(o)) {
    if (k !== 'type' && !KNOWN_KEYS[t].includes(k)) fail(`${path}.${k}`, `is not a field of a ${t} layer (fields: ${KNOWN_KEYS[t].join(', ') || 'none'})`);
  }
  switch (t) {
    case 'dense':
      return {
        type: 'dense',
        units: posInt(o.units, `${path}.units`),
        activation: oneOf(o.activation, ACTIVATIONS, `${path}.activation`, 'linear'),
        bias: bool(o.bias, `${path}.bias`, true),
      };
    case 'conv2d':
      return {
        type: 'conv2d',
        filters: posInt(o.filters, `${path}.filters`),
        kernel: posInt(o.kernel, `${path}.kernel`),
        stride: posInt(o.stride, `${path}.stride`, 1),
        padding: oneOf(o.padding, ['same', 'valid'] as const, `${path}.padding`, 'same'),
        activation: oneOf(o.activation, ACTIVATIONS, `${path}.activation`, 'linear'),
        bias: bool(o.bias, `${path}.bias`, true),
      };
    case 'batchnorm': {
      const eps = o.epsilon ?? 0.001;
      if (typeof eps !== 'number' || !Number.isFinite(eps) || eps <= 0) fail(`${path}.epsilon`, `must be a positive number (got ${JSON.stringify(o.epsilon)})`);
      return { type: 'batchnorm', epsilon: eps };
    }
    case 'flatten':
      return { type: 'flatten' };
    case 'activation':
      return { type: 'activation', activation: oneOf(o.activation, ACTIVATIONS, `${path}.activation`) };
    case 'avgpool':
      return { type: 'avgpool', size: posInt(o.size, `${path}.size`) };
    case 'residual': {
      if (!Array.isArray(o.layers) || o.layers.length === 0) fail(`${path}.layers`, 'must be a non-empty array of layers');
      return { type: 'residual', layers: o.layers.map((l, j) => validateLayer(l, `${path}.layers[${j}]`)) };
    }
  }
}

/** Output shape of one layer for a given input shape; throws naming `path` when they do not fit. */
export function layerOutputShape(layer: Layer, inShape: number[], path: string): number[] {
  switch (layer.type) {
    case 'dense':
      if (inShape.length !== 1) fail(path, `(dense) needs a flat input but gets shape [${inShape}]; add a flatten layer before it`);
      return [layer.units];
    case 'conv2d': {
      if (inShape.length !== 3) fail(path, `(conv2d) needs an [h, w, c] input but gets shape [${inShape}]`);
      const [h, w] = inShape as [number, number, number];
      const s = layer.stride;
      const [ho, wo] = layer.padding === 'same'
        ? [Math.ceil(h / s), Math.ceil(w / s)]
        : [Math.floor((h - layer.kernel) / s) + 1, Math.floor((w - layer.kernel) / s) + 1];
      if (ho < 1 || wo < 1) fail(`${path}.kernel`, `(${layer.kernel}) is larger than the ${h}x${w} input with "valid" padding`);
      return [ho, wo, layer.filters];
    }
    case 'avgpool': {
      if (inShape.length !== 3) fail(path, `(avgpool) needs an [h, w, c] input but gets shape [${inShape}]`);
      const [h, w, c] = inShape as [number, number, number];
      const ho = Math.floor(h / layer.size);
      const wo = Math.floor(w / layer.size);
      if (ho < 1 || wo < 1) fail(`${path}.size`, `(${layer.size}) is larger than the ${h}x${w} input`);
      return [ho, wo, c];
    }
    case 'flatten':
      return [inShape.reduce((a, b) => a * b, 1)];
    case 'batchnorm':
    case 'activation':
      return inShape;
    case 'residual': {
      let s = inShape;
      layer.layers.forEach((l, j) => { s = layerOutputShape(l, s, `${path}.layers[${j}]`); });
      if (s.length !== inShape.length || s.some((v, i) => v !== inShape[i])) {
        fail(path, `(residual) block maps shape [${inShape}] to [${s}]; input and output shapes must match`);
      }
      return inShape;
    }
  }
}

/** Output shape of the whole model (without batch axis). */
export function outputShape(spec: ModelSpec): number[] {
  let s = spec.input;
  spec.layers.forEach((l, i) => { s = layerOutputShape(l, s, `layers[${i}]`); });
  return s;
}

/**
 * Validate untrusted JSON as a model spec. Throws BadInputError naming the field on any problem:
 * unknown layer type/activation/loss, non-positive sizes, shapes that do not chain, a loss that
 * does not fit the output (logistic needs one output unit; softmax-xent at least two).
 */
export function validateSpec(json: unknown): ModelSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadInputError('model spec must be a JSON object with "input", "layers" and "loss"');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['input', 'layers', 'loss'].includes(k)) fail(k, 'is not a field of a model spec (fields: input, layers, loss)');
  if (!Array.isArray(o.input) || (o.input.length !== 1 && o.input.length !== 3)) fail('input', 'must be [d] or [h, w, c]');
  const input = o.input.map((v, i) => posInt(v, `input[${i}]`));
  if (!Array.isArray(o.layers) || o.layers.length === 0) fail('layers', 'must be a non-empty array');
  const layers = o.layers.map((l, i) => validateLayer(l, `layers[${i}]`));
  const loss = oneOf(o.loss, LOSSES, 'loss');
  const spec: ModelSpec = { input, layers, loss };
  const out = outputShape(spec);
  if (out.length !== 1) fail('layers', `must end in a flat output (got shape [${out}]); add flatten and dense layers`);
  if (loss === 'logistic' && out[0] !== 1) fail('loss', `"logistic" needs a single output unit (the model has ${out[0]})`);
  if (loss === 'softmax-xent' && out[0]! < 2) fail('loss', '"softmax-xent" needs at least two output units');
  return spec;
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

/** What a parameter is, for initializers and the safetensors layout. */
export type ParamRole = 'kernel' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance';

export interface ParamSpec {
  /** safetensors name, e.g. `layers.3.kernel`, `layers.2.layers.0.bias`. */
  name: string;
  /** `layers.3` — the prefix shared by the layer's parameters. */
  layerName: string;
  role: ParamRole;
  shape: number[];
  /** Fan-in of the layer (dense: in; conv: kh*kw*cin); 0 for batchnorm. */
  fanIn: number;
  /** Fan-out (dense: units; conv: kh*kw*filters); 0 for batchnorm. */
  fanOut: number;
  /** false for batchnorm's stored mean/variance (no gradient). */
  trainable: boolean;
  /** Index of the parametric layer in forward order (0 = first layer that touches the input). */
  depthIndex: number;
}

/**
 * Every parameter of the model in forward order, with names and shapes as the safetensors
 * contract. Stored batchnorm statistics are included with `trainable: false`.
 */
export function paramSpecs(spec: ModelSpec): ParamSpec[] {
  const out: ParamSpec[] = [];
  let depth = 0;
  const walk = (layers: Layer[], inShape: number[], prefix: string): number[] => {
    let s = inShape;
    layers.forEach((l, i) => {
      const name = `${prefix}.${i}`;
      const push = (role: ParamRole, shape: number[], fanIn: number, fanOut: number, trainable = true) =>
        out.push({ name: `${name}.${role}`, layerName: name, role, shape, fanIn, fanOut, trainable, depthIndex: depth });
      if (l.type === 'dense') {
        push('kernel', [s[0]!, l.units], s[0]!, l.units);
        if (l.bias) push('bias', [l.units], s[0]!, l.units);
        depth++;
      } else if (l.type === 'conv2d') {
        const cin = s[2]!;
        const k = l.kernel;
        push('kernel', [k, k, cin, l.filters], k * k * cin, k * k * l.filters);
        if (l.bias) push('bias', [l.filters], k * k * cin, k * k * l.filters);
        depth++;
      } else if (l.type === 'batchnorm') {
        const c = s[s.length - 1]!;
        push('gamma', [c], 0, 0);
        push('beta', [c], 0, 0);
        push('mean', [c], 0, 0, false);
        push('variance', [c], 0, 0, false);
        depth++;
      }
      if (l.type === 'residual') walk(l.layers, s, `${name}.layers`);
      s = layerOutputShape(l, s, name);
    });
    return s;
  };
  walk(spec.layers, spec.input, 'layers');
  return out;
}

/** Number of trainable scalars. */
export function parameterCount(spec: ModelSpec): number {
  return paramSpecs(spec).filter((p) => p.trainable).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
}
