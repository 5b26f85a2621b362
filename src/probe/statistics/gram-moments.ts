/**
 * The sums of a Gram matrix G (row-major n×n, G_ij = ⟨g_i, g_j⟩) that most statistics of the probe
 * are built from: the trace tr G = Σ_i ‖g_i‖², the total 1ᵀG1 = ‖Σ_i g_i‖², the row sums
 * r_i = Σ_j G_ij = ⟨g_i, Σ_j g_j⟩ and the squared Frobenius norm ‖G‖²_F = Σ_ij G_ij². One pass, float64.
 */

/** The sums of a Gram that the statistics use. */
export interface GramMoments {
  n: number;
  /** tr G = Σ_i ‖g_i‖². */
  trace: number;
  /** 1ᵀ G 1 = ‖Σ_i g_i‖². */
  total: number;
  /** r_i = Σ_j G_ij = ⟨g_i, Σ_j g_j⟩. */
  rowSums: Float64Array;
  /** ‖G‖²_F = Σ_ij G_ij² = Σ_k λ_k². */
  frobeniusSq: number;
}

/** Trace, total, row sums and squared Frobenius norm of a row-major n×n Gram. */
export function gramMoments(gram: ArrayLike<number>, n: number): GramMoments {
  if (gram.length !== n * n) throw new Error(`Gram has ${gram.length} entries, expected ${n}×${n}`);
  const rowSums = new Float64Array(n);
  let trace = 0;
  let total = 0;
  let frobeniusSq = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) {
      const v = gram[i * n + j]!;
      r += v;
      frobeniusSq += v * v;
    }
    rowSums[i] = r;
    total += r;
    trace += gram[i * n + i]!;
  }
  return { n, trace, total, rowSums, frobeniusSq };
}
