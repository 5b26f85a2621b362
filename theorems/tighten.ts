/**
 * The registry of "tightening" searches that `gradconf tighten <id>` runs: counterexample search
 * for strengthened or mis-printed variants of a result (Thm 3.1, 3.2), and estimation of the
 * constants the paper leaves open (Thm 4.1, 5.1, Cor 5.1, 6.1). Each theorem file that supports
 * tightening puts a `tightener` in its definition; theorems/index.ts lists them. This file holds
 * the tightener type and the variant-search helper.
 */
import { formatVariantReports, searchVariant, type VariantReport, type VariantSpec } from '../src/bounds/variant-search.ts';
export interface TightenOptions {
  /** Search budget (fast-check runs / configurations / trials; each tightener says which). */
  budget: number;
  seed: number;
  progress?: (done: number, total: number) => void;
  /** A user-supplied candidate bound (restricted mathjs, src/bounds/restricted.ts) to search as an extra variant. */
  bound?: string;
}

export interface Tightener {
  id: string;
  /** One line: what is searched or estimated. */
  description: string;
  /** Variables a `--bound` expression may use; absent when the tightener takes no custom bound. */
  boundVariables?: readonly string[];
  /** Default budget for the CLI. */
  defaultBudget: number;
  /** Runs the search; returns the JSON document `gradconf tighten --json` prints. */
  run(opts: TightenOptions): Promise<Record<string, unknown>>;
  /** Human-readable rendering of that document. */
  format(doc: Record<string, unknown>): string;
}

/**
 * A tightener that searches a fixed list of variants (the statement and its strengthened or
 * mis-printed forms) plus, with `--bound`, the user's own bound built by `custom` — the shape of
 * Thm 3.1's and 3.2's searches (src/bounds/variant-search.ts does the search and the report).
 */
export function variantTightener<P>(o: {
  id: string;
  description: string;
  variants: readonly VariantSpec<P>[];
  custom: (expression: string) => VariantSpec<P>;
  boundVariables: readonly string[];
  bound: { source: string; tex(): string };
  defaultBudget?: number;
}): Tightener {
  return {
    id: o.id,
    description: o.description,
    defaultBudget: o.defaultBudget ?? 300,
    boundVariables: o.boundVariables,
    async run(opts) {
      const t0 = performance.now();
      const specs = opts.bound !== undefined ? [...o.variants, o.custom(opts.bound)] : o.variants;
      const total = opts.budget * specs.length;
      let done = 0;
      const variants: VariantReport[] = specs.map((s) => searchVariant(s, { budget: opts.budget, seed: opts.seed, progress: () => opts.progress?.(++done, total) }));
      return { id: o.id, budget: opts.budget, seed: opts.seed, bound: o.bound.source, tex: o.bound.tex(), variants, ms: performance.now() - t0 };
    },
    format(doc) {
      return formatVariantReports(`gradconf tighten ${o.id} (budget ${String(doc.budget)} per variant, seed ${String(doc.seed)})`, doc.variants as VariantReport[]);
    },
  };
}
