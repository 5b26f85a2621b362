/**
 * `gradconf` — the library entry point (package.json "exports" "."): the probe (per-example Gram
 * and minibatch-pair cosines) on spec models, tfjs-layers models and ONNX graphs, the statistics computed from it, the confusion monitor for
 * training, model specs, builders, initializers and weights, data readers, and backend selection.
 * The registry of paper results is the separate entry `gradconf/theorems` (src/theorems.ts).
 *
 * A thin list of re-exports: each name is documented where it is defined. Everything here runs on
 * the tfjs backend that is active; call `initBackend()` (wasm by default) once before probing, or
 * set one with tfjs yourself.
 */

// Backend
export { initBackend, availableBackends, BACKEND_NAMES, type BackendName } from './backend/index.ts';
export { BadInputError } from './errors.ts';
export { Rng } from './rng.ts';

// The probe (DESIGN.md "The probe")
export { runProbe, checkInputs, type ArrayData, type ProbeRequest, type ProbeReport } from './probe/index.ts';
export { computeGram, type GramOptions, type GramResult } from './probe/gram.ts';
export { minibatchCosines, referenceMinibatchCosines, sampleMinibatchPairs, type MinibatchOptions, type MinibatchResult } from './probe/minibatch.ts';
export { referenceGram, perExampleGradients, minibatchGradient } from './probe/reference.ts';
export { batchGradients, flatGradient, trainableNames } from './probe/plain.ts';
export { gramStats, gramCosines, summarize, type GramStats, type CosineSummary } from './probe/stats.ts';

// Statistics from the Gram (src/probe/statistics/)
export { exampleStatistics, minibatchStatistics, pairProducts, type ProbeStatistics, type ExampleStatisticsOptions } from './probe/statistics/probe-statistics.ts';
export { referenceStatistics } from './probe/statistics/reference-statistics.ts';
export { gramMoments, type GramMoments } from './probe/statistics/gram-moments.ts';
export { gradientDiversity, mCoherence } from './probe/statistics/diversity.ts';
export { stiffness, type Stiffness, type StiffnessValue, type ClassStiffness } from './probe/statistics/stiffness.ts';
export { noiseScaleFromGram, noiseScaleFromPairs, type NoiseScale, type PairProducts } from './probe/statistics/noise-scale.ts';
export { gramSpectrum, spectrumFromEigenvalues, type Spectrum } from './probe/statistics/spectrum.ts';
export { symmetricEigenvalues, jacobiEigenvalues } from './probe/statistics/symmetric-eigenvalues.ts';
export { gradientTests, type GradientTests } from './probe/statistics/gradient-tests.ts';
export { labelsFromTargets, checkLabels } from './probe/statistics/labels.ts';

// The confusion monitor (src/monitor/)
export { ConfusionMonitor, type MonitorOptions, type MonitoredModel } from './monitor/confusion-monitor.ts';
export type { MonitorHeader, MonitorRecord, MonitorLine } from './monitor/monitor-record.ts';

// Models: specs, builders for the paper's families, initializers, weights, tfjs-layers import
export { parseSpec, validateSpec, paramSpecs, parameterCount, outputShape, ACTIVATIONS, LOSSES, LAYER_TYPES } from '../models/spec.ts';
export type { ModelSpec, Layer, Activation, Loss, LayerType, ParamSpec } from '../models/spec.ts';
export { buildModel, forward, type BuiltModel, type ForwardOptions } from '../models/build.ts';
export { exampleLosses, prepareTargets } from '../models/loss.ts';
export { initWeights, kernelSeed, INIT_NAMES, type InitName, type InitOptions } from '../models/init.ts';
export { preset, PRESETS, PRESET_NAMES, type PresetName } from '../models/presets.ts';
export { mlp, type MlpOptions } from '../models/mlp.ts';
export { cnn, type CnnOptions } from '../models/cnn.ts';
export { resnet, type ResnetOptions } from '../models/resnet.ts';
export { wrn, type WrnOptions } from '../models/wrn.ts';
export { deepLinear, type DeepLinearOptions } from '../models/linear.ts';
export { loadWeights, saveWeights, encodeSafetensors, decodeSafetensors } from '../models/safetensors.ts';
export type { Weights, WeightArray } from '../models/weights.ts';
export { specFromSequential, specFromFunctional, specFromTfjs, loadTfjsModelFiles, saveTfjsModelFiles } from '../models/from-tfjs.ts';

// ONNX models (torch.onnx.export, opsets 13–17; src/onnx/)
export {
  OnnxProgram, readOnnx, parseOnnx, SUPPORTED_OPS, MIN_OPSET, MAX_OPSET, runOnnxProbe, onnxGram, onnxMinibatchCosines,
  referenceOnnxMinibatchCosines, forwardOutputs as onnxForward, referenceGram as referenceOnnxGram,
  perExampleGradients as onnxPerExampleGradients, minibatchGradient as onnxMinibatchGradient,
} from './onnx/index.ts';
export type { OnnxProbeRequest, OnnxGramOptions, OnnxGramResult, OnnxLoss, GraphInputs, OnnxGraph, ParameterInfo as OnnxParameter } from './onnx/index.ts';

// Data
export { readNpy, writeNpy, parseNpy, encodeNpy, type NpyArray } from './data/npy.ts';
export { loadMnist, loadFashionMnist, normalizeImages, oneHot, type MnistDataset, type ImageDataset } from './data/mnist.ts';
export { loadCifar10 } from './data/cifar10.ts';
export { readIdx, writeIdx } from './data/idx.ts';
export { sampleSphere } from './data/sphere.ts';

// Section 7 training
export { sgdStep, trainModel, evaluate, type TrainSettings, type TrainResult, type EpochRecord, type TrainTensors } from './train/train.ts';
