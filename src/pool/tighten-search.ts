/**
 * Constant estimation and counterexample search for bounds of the form
 *   P(measure > e) ≤ A · exp(−c · X(config, e))
 * (THEOREMS.md: Theorem 4.1's c₂, Theorem 5.1's c, Corollary 5.1's c, Theorem 6.1's c) — the engine
 * behind `gradconf tighten theorem-4-1|theorem-5-1|corollary-5-1|theorem-6-1`.
 *
 * 1. Search: fast-check draws `budget` configurations from the theorem's arbitrary (seeded); each
 *    runs `trialsPerConfig` Monte-Carlo trials in the worker pool (trial seeds from
 *    src/pool/trial.ts trialSeed(seed, config, i): replayable).
 * 2. Estimate (src/stats/tail.ts): per form, cells at thresholds just below the 1st, 2nd, 4th, …
 *    largest values; Clopper–Pearson intervals simultaneous over all M cells (Bonferroni);
 *    ĉ = the largest c not violated at confidence `level`, its interval, the worst cell.
 * 3. Counterexample for c above the estimate: the property "this configuration does not violate
 *    the bound with c' = ĉ·(1 + 1e-3) at confidence `level`" is checked by fast-check starting from
 *    the worst configuration (`examples`), which fails it, and fast-check shrinks it to a simpler
 *    configuration that still fails (at most `shrinkEvaluations` evaluations, then every further
 *    candidate is accepted, which ends shrinking). Replay: `fc.check(property, { seed, path,
 *    examples: [[worst]] })`, or rerun the same command with the same --seed/--budget.
 *    Because the shrunk configuration was selected among several, its violation is confirmed on a
 *    fresh stream of trials (base seed XOR CONFIRM_SALT) at confidence `level`; `confirmed` says
 *    whether it held up.
 * 4. Vacuity: at c = ĉ, the bound at each configuration's median measure; where it is ≥ 1 for
 *    every configuration tried, the document says so explicitly.
 */
import fc from 'fast-check';
import { estimateTailConstant, tailCells, type TailCell, type TailConstantEstimate } from '../stats/tail.ts';
import { trialSeed, type TrialConfig, type TrialResult } from './trial.ts';
import { withPool, type TrialPool } from './pool.ts';
import { median } from '../stats/trend.ts';

/** One functional form of the exponent. */
export interface TailForm<C> {
  /** e.g. 'final: (l d + l² β) η² / (16 ζ₀⁴ (β+2)⁴)'. */
  name: string;
  /** X(config, e) and ln A(config, e); null where the form does not apply (e.g. η ≤ 4). */
  cell(c: C, e: number): { x: number; logA: number } | null;
}

/** What a theorem supplies to the search. */
export interface TightenSpec<C> {
  theorem: string;
  /** Shrinkable arbitrary (records of integers / constantFrom, no map): configurations to search. */
  arbitrary: fc.Arbitrary<C>;
  /** The trial configuration of a searched configuration. */
  trial(c: C): TrialConfig;
  /** The measured quantity whose tail the bound controls (e.g. raw η). */
  measure(r: TrialResult): number;
  measureName: string;
  /** Forms to estimate; the first is the main one (counterexample, vacuity). */
  forms: TailForm<C>[];
  trialsPerConfig: number;
  level?: number;
  shrinkEvaluations?: number;
  /** One line about what the estimate does not cover (e.g. the c₁ term dropped). */
  note?: string;
}

/** Salt of the confirmation stream of a counterexample. */
export const CONFIRM_SALT = 0x2c1b3c6d;

/** The measure values of a configuration's trials (seeds from `base`). */
export async function measureConfig<C>(spec: TightenSpec<C>, pool: TrialPool, c: C, base: number, trials = spec.trialsPerConfig): Promise<number[]> {
  const tc = spec.trial(c);
  const seeds = Array.from({ length: trials }, (_, i) => trialSeed(base, tc, i));
  const [res] = await pool.run([{ config: tc, seeds }]);
  return res!.map((r) => spec.measure(r));
}

/** Bound value A exp(−c X(e)) of a form at (config, e), or null when the form does not apply. */
export function boundAt<C>(form: TailForm<C>, c: C, e: number, constant: number): number | null {
  const f = form.cell(c, e);
  if (!f || !(f.x > 0)) return null;
  return Math.exp(f.logA - constant * f.x);
}

/** Per-form estimate in the document. */
export interface FormEstimate {
  form: string;
  cHat: number | null;
  ci: [number | null, number | null];
  cPoint: number | null;
  cells: number;
  worst: { configuration: unknown; cell: TailConstantEstimate['worst'] } | null;
}

/**
 * Run the search with an existing pool (or open one). Returns the `gradconf tighten --json` document:
 * `{ theorem, form, cHat, ci, worst, counterexample, seed, path, trials, ... }`.
 */
export async function tightenSearch<C>(spec: TightenSpec<C>, opts: { budget: number; seed: number; progress?: (done: number, total: number) => void; pool?: TrialPool }): Promise<Record<string, unknown>> {
  const run = async (pool: TrialPool) => {
    const level = spec.level ?? 0.95;
    const configs = fc.sample(spec.arbitrary, { seed: opts.seed, numRuns: opts.budget });
    const tcs = configs.map((c) => spec.trial(c));
    const T = spec.trialsPerConfig;
    const total = configs.length * T;
    const results = await pool.run(tcs.map((tc) => ({ config: tc, seeds: Array.from({ length: T }, (_, i) => trialSeed(opts.seed, tc, i)) })), (d) => opts.progress?.(d, total));
    const values = results.map((rs) => rs.map((r) => spec.measure(r)));
    const perForm = spec.forms.map((form): { est: TailConstantEstimate; cells: TailCell[] } => {
      const cells = values.flatMap((v, i) => tailCells(v, (e) => form.cell(configs[i]!, e), i));
      return { est: estimateTailConstant(cells, level), cells };
    });
    const forms: FormEstimate[] = perForm.map(({ est }, k) => ({
      form: spec.forms[k]!.name, cHat: est.cHat, ci: est.ci, cPoint: est.cPoint, cells: est.cells,
      worst: est.worst ? { configuration: configs[est.worst.config], cell: est.worst } : null,
    }));
    const main = perForm[0]!.est;
    const mainForm = spec.forms[0]!;
    let counterexample: Record<string, unknown> | null = null;
    let path: string | null = null;
    let shrinkTrials = 0;
    if (main.cHat !== null && main.worst) {
      const cPrime = main.cHat * (1 + 1e-3);
      const worstConfig = configs[main.worst.config]!;
      let evals = 0;
      const maxEvals = spec.shrinkEvaluations ?? 12;
      const violation = async (c: C, base: number) => {
        const v = await measureConfig(spec, pool, c, base);
        shrinkTrials += v.length;
        const est = estimateTailConstant(tailCells(v, (e) => mainForm.cell(c, e), 0), level);
        return { est, violated: est.cHat !== null && est.cHat < cPrime, values: v };
      };
      const prop = fc.asyncProperty(spec.arbitrary, async (c) => {
        if (++evals > maxEvals) return true; // shrink budget spent: accept, ending the search
        return !(await violation(c, opts.seed)).violated;
      });
      const out = await fc.check(prop, { seed: opts.seed, numRuns: 1, examples: [[worstConfig]] });
      if (out.failed && out.counterexample) {
        const shrunk = out.counterexample[0] as C;
        path = out.counterexamplePath ?? null;
        const orig = await violation(shrunk, opts.seed);
        const fresh = await violation(shrunk, opts.seed ^ CONFIRM_SALT);
        const w = orig.est.worst!;
        counterexample = {
          c: cPrime,
          configuration: shrunk,
          trialConfig: spec.trial(shrunk),
          threshold: w.e,
          exceedances: w.k,
          trials: w.n,
          pLower: w.pLower,
          bound: boundAt(mainForm, shrunk, w.e, cPrime),
          statement: `P(${spec.measureName} > ${w.e.toPrecision(6)}) ≥ ${w.pLower.toPrecision(4)} (Clopper–Pearson, ${level * 100}% over this configuration's cells) > ${mainForm.name} bound ${boundAt(mainForm, shrunk, w.e, cPrime)?.toPrecision(4)} at c = ${cPrime.toPrecision(6)}`,
          confirmed: fresh.violated,
          confirmation: { seed: opts.seed ^ CONFIRM_SALT, cHat: fresh.est.cHat, worst: fresh.est.worst },
          replay: `trial seeds trialSeed(${opts.seed}, trialConfig, i) for i < ${T} (src/pool/trial.ts); or fc.check(property, { seed: ${opts.seed}, path: "${path}", examples: [[worst configuration]] })`,
        };
      }
    }
    // Vacuity at c = ĉ: the bound at each configuration's median measure.
    const vacuity = (() => {
      if (main.cHat === null) {
        return { everywhere: true, statement: `no exceedance constrains c for the form ${mainForm.name}: every c is consistent with the ${configs.length} configurations tried, so the data cannot make the bound non-vacuous or refute it` };
      }
      const at = values.map((v, i) => {
        const med = median(v);
        const b = med > 0 ? boundAt(mainForm, configs[i]!, med, main.cHat!) : null;
        return { configuration: i, median: med, bound: b };
      });
      const vac = at.filter((a) => a.bound === null || a.bound >= 1).length;
      return {
        everywhere: vac === at.length,
        vacuousAtMedian: vac,
        configurations: at.length,
        statement: vac === at.length
          ? `VACUOUS: with c = ĉ the bound ${mainForm.name} is ≥ 1 at the median ${spec.measureName} of every one of the ${at.length} configurations tried (it constrains only the far tail)`
          : `with c = ĉ the bound is < 1 at the median ${spec.measureName} for ${at.length - vac} of ${at.length} configurations`,
        perConfiguration: at,
      };
    })();
    return {
      theorem: spec.theorem,
      form: mainForm.name,
      measure: spec.measureName,
      cHat: main.cHat,
      ci: main.ci,
      level,
      cPoint: main.cPoint,
      worst: main.worst ? { configuration: configs[main.worst.config], trialConfig: tcs[main.worst.config], cell: main.worst } : null,
      counterexample,
      seed: opts.seed,
      path,
      trials: total + shrinkTrials,
      configurations: configs.length,
      trialsPerConfiguration: T,
      vacuous: vacuity,
      forms,
      meaning: `ĉ = the largest c for which "P(${spec.measureName} > e) ≤ A exp(−c X)" is not violated at ${level * 100}% confidence (Clopper–Pearson, Bonferroni over ${main.cells} cells) on the configurations searched; ci = [lower confidence bound, ĉ] for the best constant over these configurations (a wider search can only lower it)`,
      ...(spec.note ? { note: spec.note } : {}),
    };
  };
  return opts.pool ? run(opts.pool) : withPool({}, run);
}

const fmt = (v: unknown): string => (typeof v === 'number' ? (Number.isFinite(v) ? v.toPrecision(4) : String(v)) : v === null ? '∞ (unconstrained)' : String(v));

/** Human-readable rendering of a {@link tightenSearch} document. */
export function formatTighten(doc: Record<string, unknown>): string {
  const ci = doc.ci as [number | null, number | null];
  const lines = [
    `gradconf tighten ${String(doc.theorem)} — measure: ${String(doc.measure)}`,
    `form: ${String(doc.form)}`,
    `ĉ = ${fmt(doc.cHat)}  (${Number(doc.level) * 100}% interval [${fmt(ci[0])}, ${fmt(ci[1])}], plug-in ${fmt(doc.cPoint)})`,
    `${String(doc.configurations)} configurations × ${String(doc.trialsPerConfiguration)} trials (${String(doc.trials)} trials in all), seed ${String(doc.seed)}`,
  ];
  const w = doc.worst as { configuration: unknown; cell: { e: number; k: number; n: number } } | null;
  if (w) lines.push(`worst: ${JSON.stringify(w.configuration)} at threshold ${fmt(w.cell.e)} (${w.cell.k}/${w.cell.n} exceed)`);
  const cx = doc.counterexample as { statement: string; configuration: unknown; confirmed: boolean } | null;
  if (cx) lines.push(`counterexample (shrunk): ${JSON.stringify(cx.configuration)}`, `  ${cx.statement}`, `  confirmed on fresh trials: ${cx.confirmed ? 'yes' : 'no'}; replay path ${String(doc.path)}`);
  else lines.push('counterexample: none (no finite estimate to exceed)');
  lines.push(String((doc.vacuous as { statement: string }).statement));
  for (const f of doc.forms as FormEstimate[]) {
    lines.push(f.cells === 0
      ? `  form ${f.form}: no threshold in the form's domain was reached (no cells): c is unconstrained by these configurations`
      : `  form ${f.form}: ĉ = ${fmt(f.cHat)} [${fmt(f.ci[0])}, ${fmt(f.ci[1])}] (${f.cells} cells)`);
  }
  if (doc.note) lines.push(`note: ${String(doc.note)}`);
  return lines.join('\n');
}
