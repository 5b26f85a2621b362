/**
 * `gradconf probe`: the per-example Gram / minibatch-pair cosines of a model on data
 * (DESIGN.md public contract; every layer kind of the spec vocabulary, README "The model spec").
 * With no arguments: the `mlp` preset, He init, on 128 MNIST training images drawn with the seed.
 */
import { Command, Option } from 'commander';
import { outputShape, parseSpec, parameterCount, type ModelSpec } from '../../models/spec.ts';
import { initWeights, INIT_NAMES, type InitName } from '../../models/init.ts';
import { loadWeights, saveWeights } from '../../models/safetensors.ts';
import { preset, PRESET_NAMES } from '../../models/presets.ts';
import { loadTfjsModelFiles, specFromTfjs } from '../../models/from-tfjs.ts';
import type { Weights } from '../../models/weights.ts';
import { readNpy } from '../data/npy.ts';
import { loadMnist, normalizeImages } from '../data/mnist.ts';
import { initBackend } from '../backend/index.ts';
import { BadInputError } from '../errors.ts';
import { runProbe, type ArrayData, type ProbeReport } from '../probe/index.ts';
import { formatBytes, parseByteSize } from '../probe/memory.ts';
import { Rng } from '../rng.ts';
import { intOption, numberOption, printJson, readBytes } from './common.ts';
import { onnxProbeCommand } from './probe-onnx.ts';

/** MNIST's pixel mean and standard deviation (training set), the usual normalization. */
const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

export interface ProbeOpts {
  model?: string; preset?: string; tfjsModel?: string; onnx?: string; loss?: string; weights?: string; init: InitName; kappa?: number; scale?: number;
  inputs?: string; targets?: string; mode: 'example' | 'minibatch'; batchSize?: number; pairs?: number;
  gram?: boolean; seed: number; backend?: string; json?: boolean; saveWeights?: string; examples?: number;
  strategy: 'auto' | 'ghost' | 'materialize';
  labels?: string; topK?: number;
  /** --max-memory as given (parsed by memory.ts parseByteSize). */
  maxMemory?: string;
}

function mnistFor(spec: ModelSpec, opts: ProbeOpts): { inputs: ArrayData; targets: ArrayData; source: string } {
  const per = spec.input.reduce((a, b) => a * b, 1);
  if (per !== 784) {
    throw new BadInputError(`--inputs and --targets are required for a model whose input is [${spec.input}] (the default MNIST data fits [784] or [28, 28, 1])`);
  }
  const out = outputShape(spec);
  if (spec.loss !== 'softmax-xent' || out.length !== 1 || out[0] !== 10 || spec.layers[0]!.type === 'embedding') {
    throw new BadInputError('the default MNIST data needs a softmax-xent model with 10 outputs; pass --inputs and --targets for other models');
  }
  const all = loadMnist('train');
  const want = opts.mode === 'example' ? (opts.batchSize ?? 128) : (opts.examples ?? all.n);
  if (want > all.n) throw new BadInputError(`MNIST has ${all.n} training images (asked for ${want})`);
  const pick = new Rng(opts.seed).permutation(all.n).slice(0, want);
  const images = new Float32Array(want * 784);
  const labels = new Float64Array(want);
  pick.forEach((src, i) => {
    images.set(all.images.subarray(src * 784, src * 784 + 784), i * 784);
    labels[i] = all.labels[src]!;
  });
  return {
    inputs: { shape: [want, 784], data: normalizeImages(images, MNIST_MEAN, MNIST_STD) },
    targets: { shape: [want], data: labels },
    source: `MNIST train, ${want} images drawn with seed ${opts.seed}, normalized (x − ${MNIST_MEAN}) / ${MNIST_STD}`,
  };
}

/** Run the command; returns the exit code. */
export async function probeCommand(opts: ProbeOpts): Promise<number> {
  if ([opts.model, opts.preset, opts.tfjsModel, opts.onnx].filter((v) => v !== undefined).length > 1) throw new BadInputError('give one of --model, --preset, --tfjs-model, --onnx');
  const maxMemory = opts.maxMemory === undefined ? undefined : parseByteSize(opts.maxMemory);
  if (opts.onnx) {
    if (maxMemory !== undefined) throw new BadInputError('--max-memory is not supported with --onnx: the ONNX probe builds the whole B×B Gram in one pass and sizes its minibatch passes by its own default (use a smaller --batch-size)');
    return onnxProbeCommand(opts);
  }
  if (opts.tfjsModel && (opts.weights || opts.saveWeights)) throw new BadInputError('a --tfjs-model carries its own weights: drop --weights/--save-weights');
  if (opts.loss && !opts.tfjsModel) throw new BadInputError('--loss applies to --tfjs-model and --onnx only (a JSON spec names its loss)');
  if ((opts.inputs === undefined) !== (opts.targets === undefined)) throw new BadInputError('--inputs and --targets go together');
  if (opts.weights && opts.saveWeights) throw new BadInputError('--save-weights writes the initial weights of --init; it cannot be used with --weights');
  const backend = await initBackend(opts.backend);
  let spec: ModelSpec;
  let weights: Weights;
  if (opts.tfjsModel) {
    const { model, trainingLoss } = await loadTfjsModelFiles(opts.tfjsModel);
    ({ spec, weights } = specFromTfjs(model, { loss: opts.loss, trainingLoss }));
    model.dispose();
  } else {
    spec = opts.model ? parseSpec(readBytes(opts.model, 'model spec').toString('utf8'), opts.model) : preset(opts.preset ?? 'mlp');
    weights = opts.weights
      ? loadWeights(opts.weights, spec)
      : initWeights(spec, { init: opts.init, seed: opts.seed, kappa: opts.kappa, scale: opts.scale });
  }
  if (opts.saveWeights) saveWeights(opts.saveWeights, weights, { init: opts.init, seed: String(opts.seed), generator: 'gradconf probe' });
  let data: { inputs: ArrayData; targets: ArrayData; source: string };
  if (opts.inputs && opts.targets) {
    data = { inputs: readNpy(opts.inputs), targets: readNpy(opts.targets), source: `${opts.inputs}, ${opts.targets}` };
  } else {
    data = mnistFor(spec, opts);
  }
  const report: ProbeReport = runProbe({
    spec, weights, inputs: data.inputs, targets: data.targets, mode: opts.mode, batchSize: opts.batchSize,
    pairs: opts.pairs, seed: opts.seed, includeGram: opts.gram, strategy: opts.strategy,
    ...(maxMemory !== undefined ? { maxMemory, maxMemoryText: opts.maxMemory } : {}),
    ...(opts.labels ? { labels: readNpy(opts.labels) } : {}), topK: opts.topK,
    sources: { ...(opts.inputs ? { inputs: opts.inputs, targets: opts.targets } : {}), ...(opts.labels ? { labels: opts.labels } : {}) },
  });
  const doc = {
    ...report,
    backend,
    model: { source: opts.tfjsModel ? `tfjs model ${opts.tfjsModel}` : opts.model ?? `preset ${opts.preset ?? 'mlp'}`, parameters: parameterCount(spec), loss: spec.loss },
    weights: opts.tfjsModel ?? opts.weights ?? `init ${opts.init} (seed ${opts.seed})`,
    data: data.source,
    seed: opts.seed,
  };
  printProbeReport(doc, report, opts.json ?? false);
  return 0;
}

/** What the probe command prints besides the report: the model, weights and data it ran on. */
export interface ProbeDoc { backend: string; model: { source: string; parameters: number; loss: string }; weights: string; data: string }

/** Print one probe run: the --json document (report + doc), or the text summary. */
export function printProbeReport(doc: ProbeDoc & ProbeReport, report: ProbeReport, json: boolean): void {
  const backend = doc.backend;
  if (json) {
    printJson(doc);
  } else {
    const f = (v: number | undefined) => (v === undefined ? '–' : v.toPrecision(4));
    const c = report.cosine;
    const lines = [
      `gradconf probe — ${doc.model.source} (${doc.model.parameters} parameters, ${doc.model.loss}), weights: ${doc.weights}`,
      `data: ${doc.data}`,
      `backend ${backend}, mode ${report.mode}${report.mode === 'minibatch' ? `: ${report.pairs} pairs of minibatches of ${report.batchSize}` : `: ${report.n} examples`}${report.batchnorm ? `, batch norm: ${report.batchnorm}` : ''}`,
      `gradient confusion η = ${f(report.eta)}${report.mode === 'minibatch' ? ' (between minibatch-mean gradients)' : ''}`,
      c ? `cosines (${c.count}): min ${f(c.min)}  q05 ${f(c.q05)}  median ${f(c.median)}  mean ${f(c.mean)}  q95 ${f(c.q95)}` : 'cosines: fewer than two non-zero gradients',
      report.diversity !== null ? `gradient diversity Σ‖g_i‖²/‖Σg_i‖² = ${f(report.diversity)}` : '',
      ...statisticsLines(report, f),
      `zero gradients: ${report.zeroGradients.length}${report.zeroGradients.length ? ` (${report.zeroGradients.slice(0, 10).join(', ')}${report.zeroGradients.length > 10 ? ', …' : ''})` : ''}`,
      report.memory ? memoryLine(report) : '',
      `time: ${report.ms.toFixed(0)} ms`,
    ].filter((l) => l !== '');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

/** One line on the memory budget: block size, peak tensor memory against the budget. */
function memoryLine(report: ProbeReport): string {
  const m = report.memory!;
  const blocks = report.mode === 'example'
    ? (m.blocks === 1 ? 'Gram unblocked' : `Gram in ${m.blocks} blocks of ≤ ${m.blockSize} examples (host copies ${formatBytes(m.hostStoreBytes)})`)
    : `${m.blocks} passes of ≤ ${m.blockSize} examples`;
  return `memory: ${blocks}; peak tensor memory ${formatBytes(m.peakTensorBytes)} of ${formatBytes(m.budgetBytes)} (${m.budgetSource})${m.withinBudget ? '' : ' — OVER the budget: the estimate was low for this model'}`;
}

/** The text summary of `report.statistics` (src/probe/statistics/). */
function statisticsLines(report: ProbeReport, f: (v: number | undefined) => string): string[] {
  const st = report.statistics;
  const lines: string[] = [];
  if (st.mCoherence !== null) lines.push(`m-coherence ‖Σg_i‖²/Σ‖g_i‖² = ${f(st.mCoherence)} (1 = orthogonal, ${report.n} = identical)`);
  const o = st.stiffness?.overall;
  if (o) {
    const c = st.stiffness!.byClass;
    const w = c?.withinClass;
    const b = c?.betweenClasses;
    lines.push(`stiffness: sign ${f(o.sign)}, cosine ${f(o.cosine)} over ${o.pairs} pairs${c ? `; within class sign ${w ? f(w.sign) : '–'} cosine ${w ? f(w.cosine) : '–'}, between classes sign ${b ? f(b.sign) : '–'} cosine ${b ? f(b.cosine) : '–'} (${c.classes.length} classes; class matrix in --json)` : ''}`);
  }
  const ns = st.noiseScale;
  if (ns) lines.push(`noise scale B_simple = tr Σ/‖E g‖² = ${ns.bSimple === null ? 'undefined' : f(ns.bSimple)} (tr Σ ${f(ns.traceCovariance)}, ‖E g‖² ${f(ns.meanGradientSq)}; unbiased, ${ns.estimator})`);
  const sp = st.spectrum;
  if (sp) lines.push(`spectrum of G: top ${sp.top.slice(0, 5).map((v) => f(v)).join(' ')}${sp.top.length > 5 ? ' …' : ''}; effective rank ${f(sp.effectiveRank)}, participation ratio ${f(sp.participationRatio)}`);
  const gt = st.gradientTests;
  if (gt) lines.push(`Cockpit tests (largest θ that passes): norm ${f(gt.norm)}, inner product ${f(gt.innerProduct)}, orthogonality ${f(gt.orthogonality)}`);
  for (const note of st.notes) lines.push(`note: ${note}`);
  return lines;
}

/** commander definition of `probe`. */
export function probeProgram(run: (code: Promise<number>) => void): Command {
  return new Command('probe')
    .description('per-example gradient Gram (or minibatch-pair cosines) of a model on data: gradient confusion, cosines, diversity')
    .option('--model <spec.json>', 'model spec (JSON, see README)')
    .addOption(new Option('--preset <name>', 'built-in model').choices([...PRESET_NAMES]))
    .option('--tfjs-model <model.json>', 'a tfjs-layers model (Sequential, or functional with Add/Concatenate merges) saved with model.save(\'file://…\') (model.json + weights.bin)')
    .option('--onnx <model.onnx>', 'an ONNX model (e.g. torch.onnx.export, opset 13–17); needs --inputs, --targets, --loss')
    .option('--loss <loss>', 'loss for --tfjs-model (default: from its training config) or --onnx (required): mse, logistic, softmax-xent')
    .option('--weights <file.safetensors>', 'weights (default: initialize with --init)')
    .addOption(new Option('--init <name>', 'initializer when no --weights').choices([...INIT_NAMES]).default('he'))
    .option('--kappa <k>', 'Strategy 4.1 κ (init gaussian)', numberOption('--kappa', true))
    .option('--scale <s>', 'operator-norm bound s (init small-weights)', numberOption('--scale', true))
    .option('--save-weights <file>', 'write the initial weights used (safetensors)')
    .option('--inputs <x.npy>', 'inputs [n, ...input] or [n, prod(input)] (float32/float64 .npy); --onnx: as PyTorch took them (NCHW), name=x.npy,… for several graph inputs')
    .option('--targets <y.npy>', 'targets: one-hot/labels (softmax-xent), ±1 (logistic), values (mse)')
    .addOption(new Option('--mode <mode>', 'per-example Gram or minibatch pairs (the paper\'s protocol)').choices(['example', 'minibatch']).default('example'))
    .option('--batch-size <n>', 'example mode: examples used (default all / 128 MNIST); minibatch mode: minibatch size (default 128)', intOption('--batch-size', 1))
    .option('--pairs <n>', 'minibatch mode: number of pairs (default 100)', intOption('--pairs', 1))
    .option('--examples <n>', 'minibatch mode with default MNIST data: pool size (default 60000)', intOption('--examples', 2))
    .addOption(new Option('--strategy <s>', 'Gram form for matmul/conv2d/gather uses: by estimated cost, or forced').choices(['auto', 'ghost', 'materialize']).default('auto'))
    .option('--labels <labels.npy>', 'one integer class label per example, for stiffness by class (default: from softmax-xent/logistic targets)')
    .option('--top-k <k>', 'top eigenvalues of the Gram reported (default 10; 0 skips the spectrum)', intOption('--top-k', 0))
    .option('--max-memory <size>', 'tensor-memory budget, e.g. 512MB, 2GiB or bytes (default: wasm 1GiB, cpu 2GiB, webgpu 1GiB, tensorflow 4GiB): example mode builds the Gram in blocks of examples that fit (any --batch-size; cost up to 2x the Gram work), minibatch mode sizes its passes; not with --onnx')
    .option('--gram', 'include the Gram matrix in the JSON output')
    .option('--seed <n>', 'seed for initialization and data sampling', intOption('--seed'), 0)
    .option('--backend <name>', 'wasm (default), cpu, webgpu, tensorflow; or GRADCONF_BACKEND')
    .option('--json', 'print one JSON document')
    .action((o: ProbeOpts) => run(probeCommand(o)));
}
