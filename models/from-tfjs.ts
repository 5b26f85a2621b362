/**
 * Bring your own model: a tfjs-layers `Sequential` model → gradconf spec + weights.
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

export const SUPPORTED_TFJS_LAYERS = ['Dense', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'LayerNormalization', 'Embedding', 'Flatten', 'Activation',
  'AveragePooling2D', 'MaxPooling2D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'Dropout', 'InputLayer'] as const;

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

/**
 * Convert a tfjs-layers Sequential model. `loss` is required unless the model carries a
 * recognized training loss (`trainingLoss`, e.g. from model.json's trainingConfig).
 */
export function specFromSequential(model: tf.LayersModel, opts: { loss?: string; trainingLoss?: string } = {}): { spec: ModelSpec; weights: Weights } {
  const lossName = opts.loss ?? (opts.trainingLoss ? KERAS_LOSSES[opts.trainingLoss] : undefined);
  if (lossName === undefined) {
    throw new BadInputError(`the model's loss is unknown${opts.trainingLoss ? ` ("${opts.trainingLoss}")` : ''}: pass --loss ${LOSSES.join('|')}`);
  }
  if (!(LOSSES as readonly string[]).includes(lossName)) throw new BadInputError(`--loss must be one of ${LOSSES.join(', ')} (got "${lossName}")`);
  const loss = lossName as Loss;
  const inShape = model.inputs[0]?.shape.slice(1) ?? [];
  if (inShape.some((v) => v === null || v === undefined)) throw new BadInputError(`the model's input shape [${inShape}] is not fully defined`);
  const layers: Layer[] = [];
  const weights: Weights = new Map();
  const put = (i: number, role: string, t: tf.Tensor) => weights.set(`layers.${i}.${role}`, { shape: t.shape, data: Float32Array.from(t.dataSync()) });
  const all = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && l.getClassName() !== 'Dropout');
  for (const l of model.layers) {
    const cls = l.getClassName();
    if (!(SUPPORTED_TFJS_LAYERS as readonly string[]).includes(cls)) {
      throw new BadInputError(`layer "${l.name}" (${cls}) is not supported; supported: ${SUPPORTED_TFJS_LAYERS.join(', ')}`);
    }
    if (cls === 'InputLayer' || cls === 'Dropout') continue;
    const c = l.getConfig() as Cfg;
    const w = l.getWeights();
    const i = layers.length;
    const isLast = all[all.length - 1] === l;
    switch (cls) {
      case 'Dense':
        layers.push({ type: 'dense', units: c.units as number, activation: activationOf(c.activation, l.name, isLast, loss), bias: c.useBias !== false });
        put(i, 'kernel', w[0]!);
        if (c.useBias !== false) put(i, 'bias', w[1]!);
        break;
      case 'Conv2D': {
        if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw new BadInputError(`layer "${l.name}": only channelsLast is supported`);
        if (pair(c.dilationRate ?? 1, 'dilation', l.name) !== 1) throw new BadInputError(`layer "${l.name}": dilated convolutions are not supported`);
        const pad = c.padding as string;
        if (pad !== 'same' && pad !== 'valid') throw new BadInputError(`layer "${l.name}": padding "${pad}" is not supported (same, valid)`);
        layers.push({
          type: 'conv2d', filters: c.filters as number, kernel: pair(c.kernelSize, 'kernel', l.name), stride: pair(c.strides ?? 1, 'strides', l.name),
          padding: pad, activation: activationOf(c.activation, l.name, isLast, loss), bias: c.useBias !== false, groups: 1,
        });
        put(i, 'kernel', w[0]!);
        if (c.useBias !== false) put(i, 'bias', w[1]!);
        break;
      }
      case 'BatchNormalization': {
        const rank = (l.inputSpec?.[0]?.ndim ?? (l as unknown as { batchInputShape?: number[] }).batchInputShape?.length);
        const axis = c.axis as number;
        if (!(axis === -1 || (rank !== undefined && axis === rank - 1))) throw new BadInputError(`layer "${l.name}": batch norm over axis ${axis} is not supported (last axis only)`);
        if (c.center === false || c.scale === false) throw new BadInputError(`layer "${l.name}": batch norm without center or scale is not supported`);
        layers.push({ type: 'batchnorm', epsilon: c.epsilon as number });
        ['gamma', 'beta', 'mean', 'variance'].forEach((role, j) => put(i, role, w[j]!));
        break;
      }
      case 'DepthwiseConv2D': {
        if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw new BadInputError(`layer "${l.name}": only channelsLast is supported`);
        if (pair(c.dilationRate ?? 1, 'dilation', l.name) !== 1) throw new BadInputError(`layer "${l.name}": dilated convolutions are not supported`);
        const pad = c.padding as string;
        if (pad !== 'same' && pad !== 'valid') throw new BadInputError(`layer "${l.name}": padding "${pad}" is not supported (same, valid)`);
        const [kh, kw, ch, mult] = w[0]!.shape as [number, number, number, number];
        layers.push({
          type: 'conv2d', filters: ch * mult, kernel: pair(c.kernelSize, 'kernel', l.name), stride: pair(c.strides ?? 1, 'strides', l.name),
          padding: pad, activation: activationOf(c.activation, l.name, isLast, loss), bias: c.useBias !== false, groups: ch,
        });
        // [k, k, c, m] → [k, k, 1, c·m]: output channel c·m + j, the group order of ours (and PyTorch's).
        put(i, 'kernel', w[0]!.reshape([kh, kw, 1, ch * mult]));
        if (c.useBias !== false) put(i, 'bias', w[1]!);
        break;
      }
      case 'LayerNormalization': {
        const axis = c.axis as number | number[];
        const input = (l as unknown as { input?: { shape: unknown[] } | { shape: unknown[] }[] }).input;
        const rank = (Array.isArray(input) ? input[0]?.shape : input?.shape)?.length;
        const ax = Array.isArray(axis) ? axis : [axis];
        if (!(ax.length === 1 && (ax[0] === -1 || (rank !== undefined && ax[0] === rank - 1)))) throw new BadInputError(`layer "${l.name}": layer normalization over axis ${JSON.stringify(axis)} is not supported (last axis only)`);
        if (c.center === false || c.scale === false) throw new BadInputError(`layer "${l.name}": layer normalization without center or scale is not supported`);
        layers.push({ type: 'layernorm', epsilon: c.epsilon as number });
        put(i, 'gamma', w[0]!);
        put(i, 'beta', w[1]!);
        break;
      }
      case 'Embedding':
        if (i !== 0) throw new BadInputError(`layer "${l.name}": an Embedding must be the model's first layer (it takes the integer token ids)`);
        if (c.maskZero === true) throw new BadInputError(`layer "${l.name}": Embedding with maskZero is not supported`);
        layers.push({ type: 'embedding', vocab: c.inputDim as number, dim: c.outputDim as number });
        put(i, 'table', w[0]!);
        break;
      case 'MaxPooling2D': {
        if (c.padding !== undefined && c.padding !== 'valid') throw new BadInputError(`layer "${l.name}": max pooling needs padding "valid"`);
        const p = pair(c.poolSize, 'pool size', l.name);
        layers.push({ type: 'maxpool', size: p, stride: pair(c.strides ?? p, 'strides', l.name) });
        break;
      }
      case 'GlobalAveragePooling1D':
      case 'GlobalAveragePooling2D':
        if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') throw new BadInputError(`layer "${l.name}": only channelsLast is supported`);
        layers.push({ type: 'globalavgpool' });
        break;
      case 'Flatten':
        layers.push({ type: 'flatten' });
        break;
      case 'Activation':
        layers.push({ type: 'activation', activation: activationOf(c.activation, l.name, isLast, loss) });
        break;
      case 'AveragePooling2D': {
        const p = pair(c.poolSize, 'pool size', l.name);
        if (pair(c.strides ?? p, 'strides', l.name) !== p) throw new BadInputError(`layer "${l.name}": average pooling needs strides equal to the pool size`);
        if (c.padding !== undefined && c.padding !== 'valid') throw new BadInputError(`layer "${l.name}": average pooling needs padding "valid"`);
        layers.push({ type: 'avgpool', size: p });
        break;
      }
    }
  }
  const spec = validateSpec({ input: inShape, layers, loss });
  checkWeights(spec, weights, 'tfjs model');
  return { spec, weights };
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
