/**
 * The slow, obviously-correct twin of probe-statistics.ts: every statistic computed from the explicit
 * per-example gradient vectors g_1..g_n (float64) by its textbook formula — the mean vector, the
 * deviations, the projections, the P×P second-moment matrix — never from the Gram's sums. Same
 * interface (`ProbeStatistics`, with `notes` left empty); the tests compare the two in one line.
 */
import type { ProbeStatistics } from './probe-statistics.ts';
import { zeroIndices } from '../stats.ts';
import { jacobiEigenvalues } from './symmetric-eigenvalues.ts';
import type { Spectrum } from './spectrum.ts';
import type { ClassStiffness, StiffnessValue } from './stiffness.ts';

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function mean(gs: Float64Array[]): Float64Array {
  const m = new Float64Array(gs[0]!.length);
  for (const g of gs) for (let k = 0; k < m.length; k++) m[k]! += g[k]! / gs.length;
  return m;
}

function referenceStiffness(gs: Float64Array[], labels?: ArrayLike<number> | null): { overall: StiffnessValue | null; byClass: ClassStiffness | null } {
  const n = gs.length;
  const skip = new Set(zeroIndices(gs.map((g) => dot(g, g))));
  const live = gs.map((_, i) => i).filter((i) => !skip.has(i));
  const pairsOf = (accept: (i: number, j: number) => boolean) => {
    const out: { s: number; c: number }[] = [];
    for (const i of live) {
      for (const j of live) {
        if (j <= i || !accept(i, j)) continue;
        const ip = dot(gs[i]!, gs[j]!);
        out.push({ s: Math.sign(ip), c: Math.max(-1, Math.min(1, ip / Math.sqrt(dot(gs[i]!, gs[i]!)) / Math.sqrt(dot(gs[j]!, gs[j]!)))) });
      }
    }
    return out;
  };
  const avg = (ps: { s: number; c: number }[]) => (ps.length ? { sign: ps.reduce((a, p) => a + p.s, 0) / ps.length, cosine: ps.reduce((a, p) => a + p.c, 0) / ps.length, pairs: ps.length } : null);
  const overall = avg(pairsOf(() => true));
  if (!labels) return { overall, byClass: null };
  if (labels.length !== n) throw new Error('one label per example');
  const classes = [...new Set(live.map((i) => labels[i]!))].sort((a, b) => a - b);
  const entry = (a: number, b: number) => avg(pairsOf((i, j) => (labels[i] === a && labels[j] === b) || (labels[i] === b && labels[j] === a)));
  const m = classes.map((a) => classes.map((b) => entry(a, b)));
  const meanOf = (cells: (StiffnessValue | null)[]) => {
    const ok = cells.filter((c): c is StiffnessValue => c !== null);
    return ok.length ? { sign: ok.reduce((s, c) => s + c.sign, 0) / ok.length, cosine: ok.reduce((s, c) => s + c.cosine, 0) / ok.length } : null;
  };
  return {
    overall,
    byClass: {
      classes,
      counts: classes.map((c) => live.filter((i) => labels[i] === c).length),
      sign: m.map((r) => r.map((c) => c?.sign ?? null)),
      cosine: m.map((r) => r.map((c) => c?.cosine ?? null)),
      withinClass: meanOf(classes.map((_, a) => m[a]![a]!)),
      betweenClasses: meanOf(classes.flatMap((_, a) => classes.map((__, b) => (a === b ? null : m[a]![b]!)))),
    },
  };
}

/** Eigenvalues of G = J Jᵀ through the smaller of JᵀJ (P×P) and J Jᵀ (n×n), by Jacobi; n values. */
function gramEigenvalues(gs: Float64Array[]): Float64Array {
  const n = gs.length;
  const p = gs[0]!.length;
  let lam: Float64Array;
  if (p <= n) {
    const m = new Float64Array(p * p);
    for (const g of gs) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) m[a * p + b]! += g[a]! * g[b]!;
    lam = jacobiEigenvalues(m, p);
  } else {
    lam = jacobiEigenvalues(Float64Array.from({ length: n * n }, (_, k) => dot(gs[Math.floor(k / n)]!, gs[k % n]!)), n);
  }
  const out = new Float64Array(n);
  out.set(lam.subarray(0, n));
  return out;
}

/** Top-k, effective rank exp(H(λ/Σλ)) and participation ratio (Σλ)²/Σλ², by their definitions. */
function spectrumOf(lam: Float64Array, topK: number): Spectrum | null {
  const max = Math.max(...lam);
  if (!(max > 0)) return null;
  const pos = Array.from(lam, (l) => Math.max(0, l) / max);
  const total = pos.reduce((a, b) => a + b, 0);
  const entropy = -pos.filter((l) => l > 0).reduce((a, l) => a + (l / total) * Math.log(l / total), 0);
  return {
    top: Array.from(lam).sort((a, b) => b - a).slice(0, topK),
    trace: total * max,
    effectiveRank: Math.exp(entropy),
    participationRatio: total ** 2 / pos.reduce((a, l) => a + l * l, 0),
  };
}

/** Every statistic from explicit per-example gradients (n ≥ 2, all of the same length). */
export function referenceStatistics(raw: Float64Array[], opts: { labels?: ArrayLike<number> | null; topK?: number } = {}): ProbeStatistics {
  const n = raw.length;
  // Work on g / max|g_ik| (no underflow for tiny gradients); `sq` scales squared quantities back.
  const big = Math.max(0, ...raw.map((g) => g.reduce((a, v) => Math.max(a, Math.abs(v)), 0)));
  const unit = big > 0 ? 2 ** Math.ceil(Math.log2(big)) : 1; // a power of 2: scaling is exact
  const gs = raw.map((g) => g.map((v) => v / unit));
  const sq = unit * unit;
  const gbar = mean(gs);
  const sumVec = gbar.map((v) => v * n);
  const sqNorms = gs.map((g) => dot(g, g));
  const sumSq = sqNorms.reduce((a, b) => a + b, 0);
  const meanSq = dot(gbar, gbar);
  // Unbiased sample covariance trace and E‖ḡ‖² = ‖E g‖² + tr Σ / n.
  const traceCovariance = gs.reduce((a, g) => a + dot(g.map((v, k) => v - gbar[k]!), g.map((v, k) => v - gbar[k]!)), 0) / (n - 1);
  const meanGradientSq = meanSq - traceCovariance / n;
  const proj = gs.map((g) => dot(g, gbar));
  const topK = opts.topK ?? 10;
  const perp = gs.map((g, i) => g.map((v, k) => v - (proj[i]! / meanSq) * gbar[k]!));
  return {
    mCoherence: sumSq > 0 ? dot(sumVec, sumVec) / sumSq : null,
    stiffness: referenceStiffness(gs, opts.labels),
    noiseScale: { bSimple: meanGradientSq > 0 ? traceCovariance / meanGradientSq : null, traceCovariance: traceCovariance * sq, meanGradientSq: meanGradientSq * sq, estimator: 'per-example' },
    spectrum: topK > 0 ? spectrumOf(gramEigenvalues(gs).map((v) => v * sq), topK) : null,
    gradientTests: meanSq > 0 ? {
      norm: Math.sqrt(gs.reduce((a, g) => a + dot(g.map((v, k) => v - gbar[k]!), g.map((v, k) => v - gbar[k]!)), 0) / (n * (n - 1) * meanSq)),
      innerProduct: Math.sqrt(proj.reduce((a, p) => a + (p - meanSq) ** 2, 0) / meanSq / meanSq / (n * (n - 1))),
      orthogonality: Math.sqrt(perp.reduce((a, r) => a + dot(r, r), 0) / (n * (n - 1) * meanSq)),
      batchSize: n,
    } : null,
    notes: [],
  };
}
