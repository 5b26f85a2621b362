/**
 * The layer modules keep their declarations honest: on random architectures (every kind, from
 * models/arbitraries.ts) and the presets, a forward pass with a recording tap
 * (models/primitives.ts) shows that
 * - every primitive call names a declared parameter, with its declared shape and the primitive
 *   the layer module declares for it ("which primitive each parameter enters through");
 * - every trainable parameter enters through at least one call, and stored statistics never do;
 * - the output has the shape the spec walk computes.
 * And each kind's `fields` are exactly the keys its parser fills in (no field the contract
 * accepts is silently dropped, none is invented).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend/index.ts';
import { specArb, randomData, randomWeights } from '../arbitraries.ts';
import { PRESETS } from '../presets.ts';
import { buildModel, forward } from '../build.ts';
import { layerSites, outputShape, paramSpecs, type ModelSpec } from '../spec.ts';
import type { PrimitiveCall, PrimitiveTap } from '../primitives.ts';
import { LAYER_TYPES, layerKind } from './index.ts';

function check(spec: ModelSpec, seed: number): void {
  const model = buildModel(spec, randomWeights(spec, seed));
  const data = randomData(spec, 2, seed);
  const calls: { kind: PrimitiveCall['kind']; param: string; paramShape: number[] }[] = [];
  const tap: PrimitiveTap = { use: (call, y) => { calls.push({ kind: call.kind, param: call.param, paramShape: call.paramShape }); expect(y.shape[0]).toBe(2); return y; } };
  // A tied dense uses an embedding's table through matmul (its own declaration names the table).
  const tied = new Set(layerSites(spec).flatMap((s) => (s.layer.type === 'dense' && s.layer.tied !== undefined ? [s.layer.tied] : [])));
  try {
    const out = tf.tidy(() => {
      const x = tf.tensor(data.x, data.xShape);
      return forward(model, x, { tap }).shape;
    });
    expect(out).toEqual([2, ...outputShape(spec)]);
    const params = new Map(paramSpecs(spec).map((p) => [p.name, p]));
    for (const c of calls) {
      const p = params.get(c.param);
      expect(p, `call to undeclared parameter ${c.param}`).toBeDefined();
      expect(c.paramShape).toEqual(p!.shape);
      if (!(c.kind === 'matmul' && tied.has(c.param))) expect(c.kind, c.param).toBe(p!.primitive);
    }
    for (const p of params.values()) {
      const used = calls.some((c) => c.param === p.name);
      expect(used, `${p.name} (trainable ${p.trainable})`).toBe(p.trainable);
    }
  } finally {
    model.dispose();
  }
}

describe('layer modules: declared parameters and primitives = what the forward pass does (cpu, fast-check seed 41)', () => {
  it('random architectures of every kind', async () => {
    await initBackend('cpu');
    fc.assert(fc.property(specArb(), fc.integer({ min: 1, max: 1e6 }), (spec, seed) => check(spec, seed)), { seed: 41, numRuns: 60 });
  });
  it('the presets (wasm: the 28×28 convs are slow on cpu)', async () => {
    await initBackend('wasm');
    for (const name of ['cnn', 'resnet', 'wrn', 'transformer'] as const) check(PRESETS[name], 3);
  });
});

describe('each kind parses exactly its declared fields', () => {
  const examples: Record<string, Record<string, unknown>> = {
    dense: { units: 2, activation: 'gelu', bias: false, tied: 'layers.0.table' },
    conv2d: { filters: 2, kernel: 3, stride: 2, padding: 'valid', activation: 'relu', bias: false, groups: 2 },
    batchnorm: { epsilon: 0.01 },
    layernorm: { epsilon: 0.01 },
    groupnorm: { groups: 2, epsilon: 0.01 },
    flatten: {},
    activation: { activation: 'tanh' },
    avgpool: { size: 2 },
    maxpool: { size: 3, stride: 1 },
    globalavgpool: {},
    embedding: { vocab: 5, dim: 3 },
    attention: { heads: 2, causal: true },
    residual: { layers: [{ type: 'flatten' }], shortcut: [{ type: 'flatten' }] },
    parallel: { merge: 'concat', branches: [[{ type: 'flatten' }], []] },
  };
  it.each([...LAYER_TYPES])('%s', (type) => {
    const kind = layerKind(type);
    const raw = examples[type]!;
    expect(Object.keys(raw).sort()).toEqual([...kind.fields].sort());
    const parsed = kind.parse(raw, 'layers[0]', (v) => (v as { type: string }[]).map((l) => ({ ...l })));
    expect(Object.keys(parsed).filter((k) => k !== 'type').sort()).toEqual([...kind.fields].sort());
    // Every field given is kept with its value (nested sequences as parsed layers).
    for (const [k, v] of Object.entries(raw)) expect((parsed as unknown as Record<string, unknown>)[k]).toEqual(v);
  });
});
