/**
 * Model spec → functional forward pass on tfjs, through the registry of layer kinds
 * (models/layers/): each layer's module runs its forward, touching its parameters only through
 * the primitives of models/primitives.ts (matmul, conv2d, scale, shift, gather).
 *
 * Shapes: inputs are [B, ...spec.input] (NHWC for images; token ids as numbers for an embedding
 * model). `tap` (the probe's) sees every primitive call and may hook its output, so that one
 * backward pass yields every per-example backprop signal δ (src/probe/gram.ts).
 *
 * Batch norm normalizes the last axis. `bnMode: 'stored'` uses the stored mean/variance
 * (inference; per-example gradients are well defined); `'batch'` uses the statistics of each
 * contiguous group of `groupSize` examples (training mode, the paper's minibatch protocol; the
 * biased variance as TensorFlow).
 */
import * as tf from '@tensorflow/tfjs';
import type { Layer, ModelSpec } from './spec.ts';
import { layerSites, paramSpecs } from './spec.ts';
import { layerKind, type LayerContext } from './layers/index.ts';
import type { PrimitiveTap } from './primitives.ts';
import type { Weights } from './weights.ts';
import { checkWeights } from './weights.ts';

export type { PrimitiveTap, PrimitiveCall } from './primitives.ts';

/** A spec with its parameters as tfjs tensors (kept until `dispose`). */
export interface BuiltModel {
  spec: ModelSpec;
  /** By safetensors name (`layers.0.kernel`, ...), including batchnorm mean/variance. */
  params: Map<string, tf.Tensor>;
  dispose(): void;
}

export interface ForwardOptions {
  /** Sees every primitive call (the probe's hook); see models/primitives.ts. */
  tap?: PrimitiveTap;
  /**
   * Replace parameters (e.g. to differentiate w.r.t. them); falls back to model.params. Pass this
   * whenever gradients w.r.t. parameters are wanted: without it, the wasm paths skip kernel gradients.
   */
  params?: Map<string, tf.Tensor>;
  bnMode?: 'stored' | 'batch';
  /** For bnMode 'batch': statistics per contiguous group of this many examples (default: whole batch). */
  groupSize?: number;
  /**
   * Use tfjs's own matMul and gradients for matmul primitives, not gradconf's wasm fast path:
   * only for the benchmark's "stock" baseline. Convs are unaffected (wasm has no stock conv
   * kernel gradient).
   */
  stockDense?: boolean;
}

/** Build tensors for the weights (validated against the spec first). */
export function buildModel(spec: ModelSpec, weights: Weights): BuiltModel {
  checkWeights(spec, weights);
  const params = new Map<string, tf.Tensor>();
  for (const p of paramSpecs(spec)) {
    const w = weights.get(p.name)!;
    params.set(p.name, tf.keep(tf.tensor(w.data, p.shape, 'float32')));
  }
  return { spec, params, dispose: () => params.forEach((t) => t.dispose()) };
}

/**
 * Output shape (with batch axis) of every layer that has parameters, keyed by layer name, for a
 * batch of B (from the spec walk).
 */
export function tapShapes(spec: ModelSpec, batch: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of layerSites(spec)) {
    if (s.kind.params(s.layer, s.inShape).length) out.set(s.name, [batch, ...s.outShape]);
  }
  return out;
}

/** Forward pass of x [B, ...input] through the model; returns the output [B, ...outputShape]. */
export function forward(model: BuiltModel, x: tf.Tensor, opts: ForwardOptions = {}): tf.Tensor {
  const param = (name: string): tf.Tensor => {
    const t = opts.params?.get(name) ?? model.params.get(name);
    if (!t) throw new Error(`parameter ${name} missing`);
    return t;
  };
  // Kernel gradients are only needed when differentiating w.r.t. parameters passed in `params`.
  const prim = { tap: opts.tap, kernelGrad: opts.params !== undefined, stock: opts.stockDense ?? false };
  const bnMode = opts.bnMode ?? 'stored';
  const run = (layers: readonly { type: string }[], h0: tf.Tensor, prefix: string): tf.Tensor => {
    let h = h0;
    layers.forEach((l, i) => {
      const name = `${prefix}.${i}`;
      const ctx: LayerContext = {
        name, p: (rel) => `${name}.${rel}`, param, prim, bnMode, groupSize: opts.groupSize,
        run: (field, seq, xin) => run(seq, xin, `${name}.${field}`),
      };
      h = layerKind(l.type, name).forward(l, h, ctx);
    });
    return h;
  };
  return run(model.spec.layers as Layer[], x, 'layers');
}
