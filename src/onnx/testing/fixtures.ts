/**
 * Test helpers: the PyTorch-exported ONNX fixtures of scripts/onnx-fixtures.py, read through the
 * library's own readers, and resnet18 generated on demand (too large to commit).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { readNpy, type NpyArray } from '../../data/npy.ts';
import { OnnxProgram } from '../program.ts';
import type { OnnxLoss } from '../reference.ts';
import { targetMatrix } from '../targets.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURE_ROOT = path.join(REPO, 'test/fixtures/onnx');

/** meta.json of a fixture. */
export interface FixtureMeta {
  loss: OnnxLoss;
  opset: number;
  batch: number;
  input_shape: number[];
  input_dtype: 'float32' | 'int64';
  dynamic_batch: boolean;
  training_mode: 'EVAL' | 'PRESERVE';
  default_init: boolean;
  output_shape: number[];
  parameter_count: number;
  parameters: { name: string; shape: number[] }[];
  /** Group size m of minibatch_gram.npy (fixtures with batch norm). */
  minibatch_group?: number;
}

/** The committed fixtures' names. */
export function committedFixtures(): string[] {
  return fs.readdirSync(FIXTURE_ROOT).filter((d) => fs.statSync(path.join(FIXTURE_ROOT, d)).isDirectory()).sort();
}

/** A fixture loaded on the active backend. */
export interface Fixture {
  name: string;
  dir: string;
  meta: FixtureMeta;
  program: OnnxProgram;
  /** float32 inputs (NCHW) or int32 token ids. */
  x: tf.Tensor;
  /** Prepared targets [B, K]. */
  y: tf.Tensor2D;
  logits: NpyArray;
  gram: NpyArray;
  losses: NpyArray;
  dispose(): void;
}

/** Read a fixture folder. */
export function loadFixture(dir: string): Fixture {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as FixtureMeta;
  const program = OnnxProgram.load(path.join(dir, 'model.onnx'));
  const xa = readNpy(path.join(dir, 'x.npy'));
  const x = meta.input_dtype === 'int64' ? tf.tensor(Int32Array.from(xa.data), xa.shape, 'int32') : tf.tensor(Float32Array.from(xa.data), xa.shape, 'float32');
  const logits = readNpy(path.join(dir, 'logits.npy'));
  const k = logits.shape.slice(1).reduce((a, b) => a * b, 1);
  const y = tf.tensor2d(targetMatrix(meta.loss, meta.batch, k, readNpy(path.join(dir, 'y.npy'))), [meta.batch, k]);
  return {
    name: path.basename(dir), dir, meta, program, x, y, logits,
    gram: readNpy(path.join(dir, 'gram.npy')),
    losses: readNpy(path.join(dir, 'losses.npy')),
    dispose() {
      program.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/** max|a − b| / max|b|. */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
}

/**
 * Generate the resnet18 fixture into a temporary folder with Debian's python3-torch (+
 * torchvision). Returns the folder, or the reason it could not (printed by the caller as the
 * skip reason).
 */
export function generateResnet18(): { dir: string } | { reason: string } {
  const py = '/usr/bin/python3';
  if (!fs.existsSync(py)) return { reason: `${py} not found` };
  const probe = spawnSync(py, ['-c', 'import torch, torchvision'], { encoding: 'utf8' });
  if (probe.status !== 0) return { reason: `python3-torch / python3-torchvision not importable (${(probe.stderr || '').trim().split('\n').pop()})` };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gradconf-onnx-'));
  const r = spawnSync(py, [path.join(REPO, 'scripts/onnx-fixtures.py'), '--only', 'resnet18', '--out', out], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { reason: `scripts/onnx-fixtures.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  return { dir: path.join(out, 'resnet18') };
}
