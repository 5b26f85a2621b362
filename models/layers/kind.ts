/**
 * The contract of a layer kind (one module per kind in models/layers/, registered in index.ts):
 * its JSON fields and their validation, its output shape, its parameters (names, shapes, default
 * initialization, and the primitive each enters through), and its forward pass on tfjs.
 *
 * Shapes exclude the batch axis; images are [h, w, c] (NHWC); sequences [T, d]. Parameter names
 * are relative to the layer (`kernel`, `query.kernel`, `table`); the model prefixes the layer's
 * name (`layers.3.query.kernel`, `layers.2.shortcut.0.kernel`).
 */
import type * as tf from '@tensorflow/tfjs';
import type { PrimitiveKind, PrimitiveOptions } from '../primitives.ts';

/** What a parameter is: the last segment of its name. */
export type ParamRole = 'kernel' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance' | 'table';

/**
 * How models/init.ts fills a parameter: `kernel` = drawn by the chosen initializer (fan-in/out
 * below), `ones`, `zeros`.
 */
export type ParamInit = 'kernel' | 'ones' | 'zeros';

/** A parameter as a layer declares it. */
export interface ParamDecl {
  /** Relative name: `kernel`, `bias`, `query.kernel`, `table`, … */
  name: string;
  role: ParamRole;
  shape: number[];
  init: ParamInit;
  /** Fan-in / fan-out for initializers (dense: in / out; conv: kh·kw·cin/groups / kh·kw·cout/groups; 0 when unused). */
  fanIn: number;
  fanOut: number;
  /** false for stored statistics (batch norm's mean/variance): no gradient. */
  trainable: boolean;
  /** The primitive the parameter enters through (null when not trainable). */
  primitive: PrimitiveKind | null;
}

/** Where a layer sits, for its error messages and position-dependent checks. */
export interface LayerAt {
  /** `layers[2].shortcut[0]` — the path style of validation errors. */
  path: string;
  /** True for the model's first top-level layer (the only one that sees the raw input, e.g. token ids). */
  first: boolean;
}

/** What a layer's forward pass can use. */
export interface LayerContext {
  /** `layers.3` */
  name: string;
  /** The full parameter name for a relative one: `kernel` → `layers.3.kernel`. */
  p(rel: string): string;
  /** The parameter tensor by full name. */
  param(full: string): tf.Tensor;
  /** Options for the primitives (the probe's tap, kernel gradients). */
  prim: PrimitiveOptions;
  /** Batch norm: stored statistics, or each contiguous group's own (training mode). */
  bnMode: 'stored' | 'batch';
  /** bnMode 'batch': examples per group (undefined: the whole batch). */
  groupSize?: number;
  /** Run a nested layer sequence (field `field` of this layer) on x. */
  run(field: string, layers: readonly { type: string }[], x: tf.Tensor): tf.Tensor;
}

/** A layer kind. `L` is the validated layer object (defaults filled in). */
export interface LayerKind<L extends { type: string } = { type: string }> {
  type: L['type'];
  /** JSON fields besides "type". */
  fields: readonly string[];
  /**
   * Validate the raw JSON object's fields (unknown fields are rejected before); `layers(v, field)`
   * validates a nested layer sequence. Errors name `${path}.${field}`.
   */
  parse(o: Record<string, unknown>, path: string, layers: (v: unknown, field: string) => { type: string }[]): L;
  /** Nested layer sequences, by field, each applied to this layer's input (residual). */
  children?(layer: L): Record<string, readonly { type: string }[]>;
  /** Output shape for an input shape; `children` holds the output shape of each nested sequence. */
  outputShape(layer: L, inShape: number[], at: LayerAt, children: Record<string, number[]>): number[];
  /** The layer's own parameters for an input shape (nested sequences declare theirs). */
  params(layer: L, inShape: number[]): ParamDecl[];
  forward(layer: L, x: tf.Tensor, ctx: LayerContext): tf.Tensor;
  /**
   * Floats per example the probe holds for this layer besides its output (conv patches,
   * attention scores): an estimate for the minibatch-mode memory default.
   */
  probeFloats?(layer: L, inShape: number[], outShape: number[]): number;
}

