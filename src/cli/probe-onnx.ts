/**
 * `gradconf probe --onnx model.onnx --inputs x.npy --targets y.npy --loss mse|logistic|softmax-xent`:
 * the probe on an ONNX graph (src/onnx/probe.ts), with the same output as every other probe
 * (src/cli/probe.ts `printProbeReport`; --json: the ProbeReport fields plus model, weights, data,
 * seed). Inputs as PyTorch took them (NCHW images, integer token ids); a graph with several
 * inputs takes `--inputs name=a.npy,other=b.npy`.
 */
import { initBackend } from '../backend/index.ts';
import { readNpy } from '../data/npy.ts';
import { BadInputError } from '../errors.ts';
import { LOSSES } from '../../models/spec.ts';
import { OnnxProgram } from '../onnx/program.ts';
import { runOnnxProbe } from '../onnx/probe.ts';
import type { OnnxLoss } from '../onnx/reference.ts';
import type { ArrayData } from '../probe/index.ts';
import { printProbeReport, type ProbeOpts } from './probe.ts';

/** `--inputs`: one file for a one-input graph, or name=file pairs. */
function inputFiles(spec: string, program: OnnxProgram): Record<string, string> {
  const names = program.graph.inputs.map((d) => d.name);
  if (!spec.includes('=')) {
    if (names.length !== 1) throw new BadInputError(`--inputs: the graph has ${names.length} inputs (${names.join(', ')}); give --inputs ${names.map((n) => `${n}=FILE.npy`).join(',')}`);
    return { [names[0]!]: spec };
  }
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new BadInputError(`--inputs: "${part}" is not name=file.npy`);
    const name = part.slice(0, eq);
    if (!names.includes(name)) throw new BadInputError(`--inputs: the graph has no input "${name}" (its inputs: ${names.join(', ')})`);
    if (out[name]) throw new BadInputError(`--inputs: input "${name}" given twice`);
    out[name] = part.slice(eq + 1);
  }
  return out;
}

/** Run `probe --onnx`; returns the exit code. */
export async function onnxProbeCommand(opts: ProbeOpts): Promise<number> {
  const file = opts.onnx!;
  if (opts.weights || opts.saveWeights) throw new BadInputError('an --onnx model carries its own weights (its initializers): drop --weights/--save-weights');
  if (opts.kappa !== undefined || opts.scale !== undefined) throw new BadInputError('--kappa/--scale set an initializer; an --onnx model carries its own weights');
  if (opts.examples !== undefined) throw new BadInputError('--examples applies to the default MNIST data only; pass --inputs and --targets');
  if (!opts.inputs || !opts.targets) throw new BadInputError('--onnx needs --inputs x.npy (as PyTorch took them, e.g. NCHW images) and --targets y.npy');
  if (!opts.loss) throw new BadInputError(`--onnx needs --loss ${LOSSES.join('|')} (an ONNX graph has no loss)`);
  if (!(LOSSES as readonly string[]).includes(opts.loss)) throw new BadInputError(`--loss must be one of ${LOSSES.join(', ')} (got "${opts.loss}")`);
  const backend = await initBackend(opts.backend);
  const program = OnnxProgram.load(file);
  try {
    const files = inputFiles(opts.inputs, program);
    const inputs: Record<string, ArrayData> = Object.fromEntries(Object.entries(files).map(([n, f]) => [n, readNpy(f)]));
    const report = runOnnxProbe({
      program, loss: opts.loss as OnnxLoss, inputs, targets: readNpy(opts.targets), mode: opts.mode, batchSize: opts.batchSize,
      pairs: opts.pairs, seed: opts.seed, includeGram: opts.gram, strategy: opts.strategy,
      ...(opts.labels ? { labels: readNpy(opts.labels) } : {}), topK: opts.topK,
      sources: { inputs: files, targets: opts.targets, ...(opts.labels ? { labels: opts.labels } : {}) },
    });
    const g = program.graph;
    const doc = {
      ...report,
      backend,
      model: { source: `onnx ${file}`, parameters: program.parameterCount, loss: opts.loss, opset: g.opset, producer: g.producer },
      weights: `${file} (initializers)`,
      data: Object.values(files).concat(opts.targets).join(', '),
      seed: opts.seed,
    };
    printProbeReport(doc, report, opts.json ?? false);
    return 0;
  } finally {
    program.dispose();
  }
}
