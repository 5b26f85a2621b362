import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.ts';
import { buildModel } from '../../models/build.ts';
import { operatorNorm } from '../../models/init.ts';
import { perExampleGradients, dot } from '../probe/reference.ts';
import { Rng } from '../rng.ts';
import { childSeed, configKey, kernelNames, perturb, runTrial, trialData, trialSeed, trialSpec, trialWeights, type TrialConfig } from './trial.ts';

const base: TrialConfig = { d: 6, n: 5, width: 7, depth: 2, activation: 'tanh', loss: 'mse', init: { name: 'gaussian', kappa: 1 } };

describe('Monte-Carlo trial (src/pool/trial.ts)', () => {
  beforeAll(async () => { await initBackend('wasm'); });

  it('seeds: deterministic, distinct across indices and configurations, independent child streams', () => {
    expect(trialSeed(1, base, 0)).toBe(trialSeed(1, { ...base }, 0));
    const s = new Set(Array.from({ length: 1000 }, (_, i) => trialSeed(1, base, i)));
    expect(s.size).toBe(1000);
    expect(trialSeed(1, base, 0)).not.toBe(trialSeed(1, { ...base, depth: 3 }, 0));
    expect(trialSeed(1, base, 0)).not.toBe(trialSeed(2, base, 0));
    expect(configKey({ ...base, init: { name: 'gaussian', kappa: 2 } })).not.toBe(configKey(base));
    expect(childSeed(5, 1)).not.toBe(childSeed(5, 2));
  });

  it('data: points on the unit sphere; logistic targets are ±1', () => {
    const { x, y } = trialData({ ...base, loss: 'logistic' }, 9);
    for (let i = 0; i < base.n; i++) {
      let s = 0;
      for (let j = 0; j < base.d; j++) s += x[i * base.d + j]! ** 2;
      expect(s).toBeCloseTo(1, 6);
      expect(Math.abs(y[i]!)).toBe(1);
    }
  });

  it('measures agree with the slow per-example reference (explicit gradients, float64 dot products)', () => {
    for (const c of [base, { ...base, activation: 'relu' as const, loss: 'logistic' as const }, { ...base, init: { name: 'small-weights' as const } }]) {
      const seed = 12345;
      const r = runTrial(c, seed);
      const w = trialWeights(c, seed);
      const { x, y } = trialData(c, seed);
      const model = buildModel(trialSpec(c), w);
      const xt = tf.tensor2d(x, [c.n, c.d]);
      const yt = tf.tensor2d(y, [c.n, 1]);
      const g = perExampleGradients(model, xt, yt);
      model.dispose(); tf.dispose([xt, yt]);
      let minOff = Infinity;
      let maxAbs = 0;
      let minCos = Infinity;
      for (let i = 0; i < c.n; i++) for (let j = 0; j < c.n; j++) {
        const v = dot(g[i]!, g[j]!);
        maxAbs = Math.max(maxAbs, Math.abs(v));
        if (i !== j) {
          minOff = Math.min(minOff, v);
          const ni = Math.sqrt(dot(g[i]!, g[i]!));
          const nj = Math.sqrt(dot(g[j]!, g[j]!));
          if (ni > 0 && nj > 0) minCos = Math.min(minCos, v / (ni * nj));
        }
      }
      expect(Math.abs(r.minOffDiag - minOff)).toBeLessThanOrEqual(2e-4 * maxAbs);
      expect(Math.abs(r.eta - Math.max(0, -minOff))).toBeLessThanOrEqual(2e-4 * maxAbs);
      expect(Math.abs(r.maxAbsG - maxAbs)).toBeLessThanOrEqual(2e-4 * maxAbs);
      if (Number.isFinite(minCos)) expect(Math.abs(r.minCos! - minCos)).toBeLessThanOrEqual(5e-4);
    }
  });

  it('same seed, same result; operator norms measured when asked', () => {
    const c = { ...base, norms: true };
    expect(runTrial(c, 3)).toEqual(runTrial(c, 3));
    expect(runTrial(c, 3).opNorms).toHaveLength(base.depth + 1);
  });

  it('ball perturbations: operator-norm ball moves every layer by exactly r; Frobenius ball stays within r', () => {
    const c: TrialConfig = { ...base, ball: { radius: 0.3, samples: 1, norm: 'operator' } };
    const w = trialWeights(c, 4);
    const w2 = perturb(c, w, new Rng(8));
    for (const name of kernelNames(c)) {
      const a = w.get(name)!;
      const b = w2.get(name)!;
      const diff = b.data.map((v, i) => v - a.data[i]!);
      expect(operatorNorm(diff, a.shape[0]!, a.shape[1]!)).toBeCloseTo(0.3, 5); // float32 storage
    }
    const f: TrialConfig = { ...base, ball: { radius: 0.3, samples: 1, norm: 'frobenius' } };
    const w3 = perturb(f, w, new Rng(8));
    let sq = 0;
    for (const name of kernelNames(f)) w3.get(name)!.data.forEach((v, i) => { sq += (v - w.get(name)!.data[i]!) ** 2; });
    expect(Math.sqrt(sq)).toBeLessThanOrEqual(0.3 * (1 + 1e-6));
    const r = runTrial({ ...c, ball: { radius: 0.3, samples: 3, norm: 'operator' } }, 4);
    expect(r.ball).toHaveLength(3);
    expect(r.ball!.every((b) => b.opNorms!.length === base.depth + 1)).toBe(true);
  });
});
