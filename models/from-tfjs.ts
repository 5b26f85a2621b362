/**
 * Bring your own model: a tfjs-layers model → gradconf spec + weights. `Sequential` models map
 * layer by layer; functional models (`tf.model({inputs, outputs})`, model.json class
 * "Functional" / "Model") whose layer graph is series-parallel map their forks and Add /
 * Concatenate merges onto `parallel` layers (models/layers/parallel.ts, models/series-parallel.ts).
 *
 * Supported layers: Dense (on the last axis, any rank), Conv2D (square kernel, equal strides, no
 * dilation, channels-last), DepthwiseConv2D (→ conv2d with groups = channels; its kernel
 * [k, k, c, m] is our [k, k, 1, c·m]), BatchNormalization (last axis, center and scale on),
 * LayerNormalization (last axis, center and scale on), Embedding (first layer, no mask),
 * Flatten, Activation, AveragePooling2D (pool = strides, valid), MaxPooling2D (valid),
 * GlobalAveragePooling1D/2D (channels-last), Dropout (identity: the probe measures the
 * deterministic network), InputLayer. Activations: linear, tanh, relu, sigmoid, gelu (tfjs's is
 * the exact erf form); `softmax` only on the last Dense layer with the softmax-xent loss (it
 * becomes a linear output, which is the same per-example loss). Anything else is a one-line
 * BadInputError naming the layer.
 *
 * Files: `model.save('file://dir')` (tfjs-node) writes `dir/model.json` + `dir/weights.bin`;
 * `loadTfjsModelFiles` reads that format with plain tfjs (no tfjs-node needed) and
 * `saveTfjsModelFiles` writes it.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Activation, Layer, Loss, ModelSpec } from './spec.ts';
import { ACTIVATIONS, LOSSES, validateSpec } from './spec.ts';
import type { Weights } from './weights.ts';
import { checkWeights } from './weights.ts';
import { BadInputError } from '../src/errors.ts';
import { seriesParallel, type GraphNode, type SeriesItem } from './series-parallel.ts';

export const SUPPORTED_TFJS_LAYERS = ['Dense', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'LayerNormalization', 'Embedding', 'Flatten', 'Activation',
  'AveragePooling2D', 'MaxPooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'Dropout', 'InputLayer', 'Add', 'Concatenate'] as const;

/** Keras/tfjs training-config loss names → our losses (used when no loss is given). */
const KERAS_LOSSES: Record<string, Loss> = {
  categoricalCrossentropy: 'softmax-xent', categorical_crossentropy: 'softmax-xent',
  sparseCategoricalCrossentropy: 'softmax-xent', sparse_categorical_crossentropy: 'softmax-xent',
  meanSquaredError: 'mse', mean_squared_error: 'mse', mse: 'mse',
};

type Cfg = Record<string, unknown>;

function pair(v: unknown, what: string, name: string): number {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || a[0] !== a[1] || typeof a[0] !== 'number') throw new BadInputError(`layer "${name}": ${what} ${JSON.stringify(v)} is not square (gradconf supports k×k only)`);
  return a[0];
}

function activationOf(v: unknown, name: string, isLast: boolean, loss: Loss): Activation {
  const a = (v ?? 'linear') as string;
  if (a === 'softmax' && isLast && loss === 'softmax-xent') return 'linear';
  if (!(ACTIVATIONS as readonly string[]).includes(a)) {
    throw new BadInputError(`layer "${name}": activation "${a}" is not supported (supported: ${ACTIVATIONS.join(', ')}${loss === 'softmax-xent' ? '; softmax on the last Dense layer' : ''})`);
  }
  return a as Activation;
}

/** Where a tfjs layer lands in the spec, for the checks that depend on position. */
interface LayerPlace {
  /** Prefix of its weight names (`layers.3`, `layers.2.branches.1.0`). */
  name: string;
  /** The model's first layer (it sees the raw input, e.g. token ids). */
  first: boolean;
  /** The model's output layer (softmax allowed there, with softmax-xent). */
  isLast: boolean;
}

/**
 * One tfjs layer → a spec layer (null for InputLayer and Dropout, which the spec does not need),
 * its weights put under `place.name`. Throws a BadInputError naming the layer for anything the
 * spec cannot express.
 */
function convertLayer(l: tf.layers.Layer, place: LayerPlace, loss: Loss, weights: Weights): Layer | null {
  const cls = l.getClassName();
  if (!(SUPPORTED_TFJS_LAYERS as readonly string[]).includes(cls) || cls === 'Add' || cls === 'Concatenate') {
    throw new BadInputError(`layer "${l.name}" (${cls}) is not supported; supported: ${SUPPORTED_TFJS_LAYERS.join(', ')}`);
  }
  if (cls === 'InputLayer' || cls === 'Dropout') return null;
  const c = l.getConfig() as Cfg;
  const w = l.getWeights();
  const put = (role: string, t: tf.Tensor) => weights.set(`${place.name}.${role}`, { shape: t.shape, data: Float32Array.from(t.dataSync()) });
  const { isLast } = place;
  switch (cls) {
    case 'Dense':
      if (c.useBias !== false) put('bias', w[1]!);
      put('kernel', w[0]!);
      return { type: 'dense', units: c.units as number, activation: activationOf(c.activation, l.name, isLast, loss), bias: c.useBias !== false } as Layer;
    case 'Conv2D': {
      if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw new BadInputError(`layer "${l.name}": only channelsLast is supported`);
      if (pair(c.dilationRate ?? 1, 'dilation', l.name) !== 1) throw new BadInputError(`layer "${l.name}": dilated convolutions are not supported`);
      const pad = c.padding as string;
      if (pad !== 'same' && pad !== 'valid') throw new BadInputError(`layer "${l.name}": padding "${pad}" is not supported (same, valid)`);
      put('kernel', w[0]!);
      if (c.useBias !== false) put('bias', w[1]!);
      return {
        type: 'conv2d', filters: c.filters as number, kernel: pair(c.kernelSize, 'kernel', l.name), stride: pair(c.strides ?? 1, 'strides', l.name),
        padding: pad, activation: activationOf(c.activation, l.name, isLast, loss), bias: c.useBias !== false, groups: 1,
      } as Layer;
    }
    case 'BatchNormalization': {
      const rank = (l.inputSpec?.[0]?.ndim ?? (l as unknown as { batchInputShape?: number[] }).batchInputShape?.length);
      const axis = c.axis as number;
      if (!(axis === -1 || (rank !== undefined && axis === rank - 1))) throw new BadInputError(`layer "${l.name}": batch norm over axis ${axis} is not supported (last axis only)`);
      if (c.center === false || c.scale === false) throw new BadInputError(`layer "${l.name}": batch norm without center or scale is not supported`);
      ['gamma', 'beta', 'mean', 'variance'].forEach((role, j) => put(role, w[j]!));
      return { type: 'batchnorm', epsilon: c.epsilon as number };
    }
    case 'DepthwiseConv2D': {
      if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw new BadInputError(`layer "${l.name}": only channelsLast is supported`);
      if (pair(c.dilationRate ?? 1, 'dilation', l.name) !== 1) throw new BadInputError(`layer "${l.name}": dilated convolutions are not supported`);
      const pad = c.padding as string;
      if (pad !== 'same' && pad !== 'valid') throw new BadInputError(`layer "${l.name}": padding "${pad}" is not supported (same, valid)`);
      const [kh, kw, ch, mult] = w[0]!.shape as [number, number, number, number];
      // [k, k, c, m] → [k, k, 1, c·m]: output channel c·m + j, the group order of ours (and PyTorch's).
      put('kernel', w[0]!.reshape([kh, kw, 1, ch * mult]));
      if (c.useBias !== false) put('bias', w[1]!);
      return {
        type: 'conv2d', filters: ch * mult, kernel: pair(c.kernelSize, 'kernel', l.name), stride: pair(c.strides ?? 1, 'strides', l.name),
        padding: pad, activation: activationOf(c.activation, l.name, isLast, loss), bias: c.useBias !== false, groups: ch,
      } as Layer;
    }
    case 'LayerNormalization': {
      const axis = c.axis as number | number[];
      const input = (l as unknown as { input?: { shape: unknown[] } | { shape: unknown[] }[] }).input;
      const rank = (Array.isArray(input) ? input[0]?.shape : input?.shape)?.length;
      const ax = Array.isArray(axis) ? axis : [axis];
      if (!(ax.length === 1 && (ax[0] === -1 || (rank !== undefined && ax[0] === rank - 1)))) throw new BadInputError(`layer "${l.name}": layer normalization over axis ${JSON.stringify(axis)} is not supported (last axis only)`);
      if (c.center === false || c.scale === false) throw new BadInputError(`layer "${l.name}": layer normalization without center or scale is not supported`);
      put('gamma', w[0]!);
      put('beta', w[1]!);
      return { type: 'layernorm', epsilon: c.epsilon as number };
    }
    case 'Embedding':
      if (!place.first) throw new BadInputError(`layer "${l.name}": an Embedding must be the model's first layer (it takes the integer token ids)`);
      if (c.maskZero === true) throw new BadInputError(`layer "${l.name}": Embedding with maskZero is not supported`);
      put('table', w[0]!);
      return { type: 'embedding', vocab: c.inputDim as number, dim: c.outputDim as number };
    case 'MaxPooling2D': {
      if (c.padding !== undefined && c.padding !== 'valid') throw new BadInputError(`layer "${l.name}": max pooling needs padding "valid"`);
      const p = pair(c.poolSize, 'pool size', l.name);
      return { type: 'maxpool', size: p, stride: pair(c.strides ?? p, 'strides', l.name) };
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
      if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw new BadInputError(`layer "${l.name}": only channelsLast is supported`);
      return { type: 'globalavgpool' };
    case 'Flatten':
      return { type: 'flatten' };
    case 'Activation':
      return { type: 'activation', activation: activationOf(c.activation, l.name, isLast, loss) };
    case 'AveragePooling2D': {
      const p = pair(c.poolSize, 'pool size', l.name);
      if (pair(c.strides ?? p, 'strides', l.name) !== p) throw new BadInputError(`layer "${l.name}": average pooling needs strides equal to the pool size`);
      if (c.padding !== undefined && c.padding !== 'valid') throw new BadInputError(`layer "${l.name}": average pooling needs padding "valid"`);
      return { type: 'avgpool', size: p };
    }
  }
  throw new BadInputError(`layer "${l.name}" (${cls}) is not supported`);
}

function lossOf(opts: { loss?: string; trainingLoss?: string }): Loss {
  const lossName = opts.loss ?? (opts.trainingLoss ? KERAS_LOSSES[opts.trainingLoss] : undefined);
  if (lossName === undefined) {
    throw new BadInputError(`the model's loss is unknown${opts.trainingLoss ? ` ("${opts.trainingLoss}")` : ''}: pass --loss ${LOSSES.join('|')}`);
  }
  if (!(LOSSES as readonly string[]).includes(lossName)) throw new BadInputError(`--loss must be one of ${LOSSES.join(', ')} (got "${lossName}")`);
  return lossName as Loss;
}

function inputShapeOf(model: tf.LayersModel): number[] {
  if (model.inputs.length !== 1) throw new BadInputError(`the model has ${model.inputs.length} inputs; gradconf takes models with one input`);
  const inShape = model.inputs[0]?.shape.slice(1) ?? [];
  if (inShape.some((v) => v === null || v === undefined)) throw new BadInputError(`the model's input shape [${inShape}] is not fully defined`);
  return inShape as number[];
}

/**
 * Convert a tfjs-layers Sequential model. `loss` is required unless the model carries a
 * recognized training loss (`trainingLoss`, e.g. from model.json's trainingConfig).
 */
export function specFromSequential(model: tf.LayersModel, opts: { loss?: string; trainingLoss?: string } = {}): { spec: ModelSpec; weights: Weights } {
  const loss = lossOf(opts);
  const inShape = inputShapeOf(model);
  const layers: Layer[] = [];
  const weights: Weights = new Map();
  const all = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && l.getClassName() !== 'Dropout');
  for (const l of model.layers) {
    const layer = convertLayer(l, { name: `layers.${layers.length}`, first: layers.length === 0, isLast: all[all.length - 1] === l }, loss, weights);
    if (layer) layers.push(layer);
  }
  const spec = validateSpec({ input: inShape, layers, loss });
  checkWeights(spec, weights, 'tfjs model');
  return { spec, weights };
}

/** The merge layers a functional model may use: tfjs class → spec merge. */
const MERGE_LAYERS: Record<string, 'add' | 'concat'> = { Add: 'add', Concatenate: 'concat' };

/**
 * Convert a tfjs-layers functional model (`tf.model({inputs, outputs})`, model.json class
 * "Functional" or "Model"): one input, one output, every layer called once, the layer graph
 * series-parallel (models/series-parallel.ts) with Add and Concatenate (last axis) merges — each
 * fork-and-merge becomes a `parallel` layer of the spec. The layer types are those of
 * `specFromSequential`. Weights are named by the spec position (`layers.2.branches.0.1.kernel`).
 */
export function specFromFunctional(model: tf.LayersModel, opts: { loss?: string; trainingLoss?: string } = {}): { spec: ModelSpec; weights: Weights } {
  const loss = lossOf(opts);
  const inShape = inputShapeOf(model);
  if (model.outputs.length !== 1) throw new BadInputError(`the model has ${model.outputs.length} outputs; gradconf takes models with one output`);
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const nodes: GraphNode[] = model.layers.map((l) => {
    const inbound = (l as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[]; tensorIndices: number[] }[] }).inboundNodes;
    if (inbound.length > 1) throw new BadInputError(`layer "${l.name}" (${l.getClassName()}) is called ${inbound.length} times (shared weights); not supported`);
    const node = inbound[0];
    if (node?.tensorIndices.some((t) => t !== 0)) throw new BadInputError(`layer "${l.name}" takes a second output of a layer; not supported`);
    return { name: l.name, inputs: node ? node.inboundLayers.map((p) => p.name) : [] };
  });
  const inputLayer = model.inputLayers[0]!.name;
  const outputLayer = model.outputLayers[0]!.name;
  const weights: Weights = new Map();
  const toSpec = (items: SeriesItem[], prefix: string, top: boolean): Layer[] => {
    const out: Layer[] = [];
    for (const item of items) {
      if ('node' in item) {
        const layer = convertLayer(byName.get(item.node)!, { name: `${prefix}.${out.length}`, first: top && out.length === 0, isLast: item.node === outputLayer }, loss, weights);
        if (layer) out.push(layer);
      } else {
        const m = byName.get(item.merge)!;
        const merge = MERGE_LAYERS[m.getClassName()]!;
        if (merge === 'concat') {
          const axis = (m.getConfig() as Cfg).axis as number;
          const rank = (m as unknown as { input: { shape: unknown[] }[] }).input[0]!.shape.length;
          if (axis !== -1 && axis !== rank - 1) throw new BadInputError(`layer "${m.name}" (Concatenate) joins axis ${axis}; only the last axis (channels) is supported`);
        }
        const at = `${prefix}.${out.length}`;
        out.push({ type: 'parallel', merge, branches: item.branches.map((b, j) => toSpec(b, `${at}.branches.${j}`, false)) } as Layer);
      }
    }
    return out;
  };
  const items = seriesParallel(nodes, inputLayer, outputLayer, (n) => byName.get(n)!.getClassName() in MERGE_LAYERS);
  const layers = toSpec(items, 'layers', true);
  const spec = validateSpec({ input: inShape, layers, loss });
  checkWeights(spec, weights, 'tfjs model');
  return { spec, weights };
}

/** A tfjs-layers model of either kind: Sequential, or functional (`tf.model`). */
export function specFromTfjs(model: tf.LayersModel, opts: { loss?: string; trainingLoss?: string } = {}): { spec: ModelSpec; weights: Weights } {
  return model instanceof tf.Sequential ? specFromSequential(model, opts) : specFromFunctional(model, opts);
}

interface ModelJson {
  modelTopology: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  trainingConfig?: { loss?: unknown };
}

/** Read `model.json` + its weight files (the format of `model.save('file://…')`) with plain tfjs. */
export async function loadTfjsModelFiles(modelJson: string): Promise<{ model: tf.LayersModel; trainingLoss?: string }> {
  if (!existsSync(modelJson)) throw new BadInputError(`tfjs model file not found: ${modelJson}`);
  let j: ModelJson;
  try {
    j = JSON.parse(readFileSync(modelJson, 'utf8')) as ModelJson;
  } catch (e) {
    throw new BadInputError(`${modelJson} is not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!j || typeof j !== 'object' || !j.modelTopology || !Array.isArray(j.weightsManifest)) {
    throw new BadInputError(`${modelJson} is not a tfjs layers model (needs "modelTopology" and "weightsManifest")`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of j.weightsManifest) {
    for (const p of group.paths) {
      const f = join(dirname(modelJson), p);
      if (!existsSync(f)) throw new BadInputError(`${modelJson}: weight file not found: ${f}`);
      buffers.push(readFileSync(f));
    }
    specs.push(...group.weights);
  }
  const data = Buffer.concat(buffers);
  const bytes = (s: tf.io.WeightsManifestEntry) => s.shape.reduce((x, y) => x * y, 1) * (s.dtype === 'bool' ? 1 : 4);
  const need = specs.reduce((a, s) => a + bytes(s), 0);
  // Optimizer state (saved with includeOptimizer) may hold int32 counters; model weights must be float32.
  const bad = specs.find((s) => s.group !== 'optimizer' && s.dtype !== 'float32');
  if (bad) throw new BadInputError(`${modelJson}: weight "${bad.name}" is ${bad.dtype}; only float32 model weights are supported`);
  if (data.length !== need) throw new BadInputError(`${modelJson}: weight files hold ${data.length} bytes, the manifest needs ${need}`);
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: j.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: specs, weightData }));
  } catch (e) {
    throw new BadInputError(`${modelJson}: tfjs could not build the model: ${(e as Error).message.split('\n')[0]}`);
  }
  const tl = j.trainingConfig?.loss;
  return { model, trainingLoss: typeof tl === 'string' ? tl : undefined };
}

/** Write `dir/model.json` + `dir/weights.bin` as tfjs-node's `model.save('file://dir')` does. */
export async function saveTfjsModelFiles(model: tf.LayersModel, dir: string, opts: { includeOptimizer?: boolean } = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = a.weightData instanceof ArrayBuffer ? Buffer.from(a.weightData) : Buffer.concat((a.weightData as ArrayBuffer[]).map((b) => Buffer.from(b)));
    writeFileSync(join(dir, 'weights.bin'), data);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
      ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}),
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer: opts.includeOptimizer ?? false });
}
