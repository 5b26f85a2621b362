/**
 * Definition 2.1 (gradient confusion) — ../shared/paper/THEOREMS.md.
 *
 * {f_i} has gradient confusion bound η ≥ 0 at w if <∇f_i(w), ∇f_j(w)> ≥ −η for all i ≠ j; the
 * smallest such bound is η(w) = max(0, −min_{i≠j} <g_i, g_j>). The check: on random architectures
 * and data, the probe's η (from its one-backward-pass Gram) equals η computed by the definition
 * from explicitly computed per-example gradients (one backward pass each, float64 dot products),
 * and every pair satisfies the definition's inequality with the probe's η.
 *
 * Kind: exact. Tolerance: float32 (src/tolerance.ts GRAM_REL_TOL_F32 relative to max|G|).
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { specArb } from '../models/arbitraries.ts';
import type { ModelSpec } from '../models/spec.ts';
import { computeGram } from '../src/probe/gram.ts';
import { gramStats } from '../src/probe/stats.ts';
import { perExampleGradients, dot } from '../src/probe/reference.ts';
import { randomInstance } from '../src/probe/instances.ts';
import { GRAM_REL_TOL_F32 } from '../src/tolerance.ts';
import { slackOf, type ExactClaim, type Statement, type Verdict } from '../src/claims/claim.ts';
import { defineTheorem, exactProperty } from './define.ts';
import type { FigureData } from '../src/claims/figure.ts';

/** The definition as data. */
export const statement: Statement = {
  id: 'definition-2-1',
  title: 'Definition 2.1: gradient confusion η from the per-example Gram',
  wording: '{f_i} has gradient confusion bound η ≥ 0 at w if <∇f_i(w), ∇f_j(w)> ≥ −η for all i ≠ j.',
  hypotheses: ['f_i differentiable at w', 'N ≥ 2'],
  bound: 'abs(etaProbe - etaDefinition) <= tol * maxAbsGram',
  version: 'ICML 2020 (final), Definition 2.1',
  confidence: 'sure',
};

/** An instance: architecture, number of examples, seed of weights and data. */
export interface Params { spec: ModelSpec; n: number; seed: number }

/** η from a Gram matrix as the probe reports it (src/probe/stats.ts). */
export const probeEta = (gram: Float64Array, n: number): number => gramStats(gram, n).eta;

/** fast-check arbitrary of instances: random architecture, 2–6 examples, seed for weights and data. */
export const arbitrary: fc.Arbitrary<Params> = fc.record({ spec: specArb(), n: fc.integer({ min: 2, max: 6 }), seed: fc.integer({ min: 1, max: 1_000_000 }) });

/** Check one instance on the active backend (`etaOf`: the η under test, the probe's by default). */
export function check(p: Params, etaOf: (gram: Float64Array, n: number) => number = probeEta): Verdict {
  const inst = randomInstance(p.spec, p.n, p.seed);
  try {
    const { gram } = computeGram(inst.model, inst.x, inst.y);
    const etaProbe = etaOf(gram, p.n);
    const g = perExampleGradients(inst.model, inst.x, inst.y);
    let minDot = Infinity;
    let maxAbs = 0;
    for (let i = 0; i < p.n; i++) {
      for (let j = 0; j < p.n; j++) {
        const v = dot(g[i]!, g[j]!);
        maxAbs = Math.max(maxAbs, Math.abs(v));
        if (i !== j) minDot = Math.min(minDot, v);
      }
    }
    const etaDef = Math.max(0, -minDot);
    const tol = GRAM_REL_TOL_F32 * maxAbs;
    const diff = Math.abs(etaProbe - etaDef);
    // The definition's inequality with the probe's η: every off-diagonal <g_i, g_j> ≥ −η (up to tol).
    const inequality = minDot >= -etaProbe - tol;
    return { holds: diff <= tol && inequality, measured: { etaProbe, etaDefinition: etaDef, diff, maxAbsGram: maxAbs }, bound: tol, slack: slackOf(diff, tol) };
  } finally {
    inst.done();
  }
}

/** Exact: the probe's η equals the definition's on every instance. */
export const etaClaim: ExactClaim = {
  id: 'probe-eta-equals-definition', kind: 'exact', source: 'paper',
  statement: 'the probe\'s η (one backward pass, per-example Gram) equals max(0, −min_{i≠j} <∇f_i, ∇f_j>) of explicit per-example gradients, and every pair satisfies <∇f_i, ∇f_j> ≥ −η',
  budgets: { test: 15, quick: 40, full: 1000 },
  check(ctx, numRuns) {
    const pairs: [number, number][] = [];
    const out = exactProperty(ctx, arbitrary, numRuns, check, {
      tolerance: `GRAM_REL_TOL_F32 = ${GRAM_REL_TOL_F32} relative to max|G|`,
      onVerdict: (_, v) => { if (pairs.length < 400) pairs.push([v.measured.etaDefinition!, v.measured.etaProbe!]); },
    });
    return { ...out, details: { backend: tf.getBackend(), pairs } };
  },
};

/** Definition 2.1: statement and its one exact claim. */
export const theorem = defineTheorem({
  statement, alpha: 0.05, claims: [etaClaim],
  figures: (claims) => {
    const c = claims[0];
    const pairs = ((c?.kind === 'exact' ? c.details?.pairs : undefined) ?? []) as [number, number][];
    const figure: FigureData = {
      id: 'probe-eta-equals-definition', title: 'η from the probe vs η from explicit per-example gradients',
      caption: 'One point per instance searched; every point lies on the diagonal to float32 tolerance.',
      x: { title: 'η, definition (explicit gradients)' }, y: { title: 'η, probe (one backward pass)' },
      series: [{ name: 'instances', mark: 'point', points: pairs }],
    };
    return { figures: [figure] };
  },
});
