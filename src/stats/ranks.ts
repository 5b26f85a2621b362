/**
 * Mid-ranks and tie groups of a pooled sample — the shared step of the rank tests
 * (Mann–Whitney, Jonckheere–Terpstra) used for the paper's trend claims (Theorems 4.1, 5.1, 6.1).
 */

/** Mid-ranks (1-based; tied values share the mean of their ranks) and the sizes of tie groups > 1. */
export function midRanks(values: readonly number[]): { ranks: Float64Array; ties: number[] } {
  const n = values.length;
  values.forEach((v, i) => { if (Number.isNaN(v)) throw new RangeError(`midRanks: value ${i} is NaN`); });
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]!] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}
