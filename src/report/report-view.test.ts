/**
 * The report as a person sees it, in headless Chromium at 1200 px: hand-built results of every
 * shape (report-fixtures.test-helper.ts) plus a real run of Theorem 6.1 at the test budget. Checks
 * what a reviewer would: no raw JSON on screen, every piece of math is MathML, every figure has
 * axes, axis titles and data marks and fits the page, integer levels tick at integers, a log axis
 * spans decades, no console errors or network requests, figures are not cut in print and the data
 * blocks are not printed. Screenshots (first screen, a finding, a failure; the whole page with
 * GRADCONF_REPORT_FULL_PAGE=1) go to
 * out/report-view/ (not committed by the test).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport, type ResultStatement } from './html.ts';
import { viewPage, type PageView } from './browser.ts';
import { FIXTURE_RESULTS, FIXTURE_STATEMENTS } from './report-fixtures.test-helper.ts';
import type { TheoremResult } from '../claims/claim.ts';
import { initBackend } from '../backend/index.ts';
import { statement as statement61, theorem as theorem61 } from '../../theorems/theorem-6-1.ts';
import { sweepReportHtml } from '../cli/report.ts';

const OUT = join(process.cwd(), 'out', 'report-view');
let view: PageView;
let results: TheoremResult[];

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  await initBackend('wasm');
  const real = await theorem61.run({ seed: 61, budget: 'test' });
  results = [...FIXTURE_RESULTS, real];
  const statements: Record<string, ResultStatement> = { ...FIXTURE_STATEMENTS, [statement61.id]: statement61 };
  const html = await renderReport({ title: 'gradconf verify — report test', generatedAt: '2026-12-02', backend: 'wasm', budget: 'test', results, statements, figures: {} });
  const file = join(OUT, 'report.html');
  writeFileSync(file, html);
  view = await viewPage(file, 1200, {
    [join(OUT, 'first-screen.png')]: 'viewport',
    [join(OUT, 'finding.png')]: '#confusion-fixture--eta-falls-with-width',
    [join(OUT, 'failure.png')]: '#sgd-fixture',
    // the whole page is slow to shoot: only on request
    ...(process.env.GRADCONF_REPORT_FULL_PAGE ? { [join(OUT, 'page.png')]: 'page' } : {}),
  });
}, 120_000);

describe('the verify report in Chromium at 1200 px', () => {
  it('loads with no console error or warning and no network request', () => {
    expect(view.errors).toEqual([]);
  });

  it('shows no raw JSON (the data blocks are collapsed)', () => {
    // a JSON object or array of records on screen: {"key": or [{"key":
    expect(view.visibleText).not.toMatch(/[{[]\s*"[^"\n]{1,60}"\s*:/);
    expect(view.visibleText).toContain('data'); // the collapsed summaries are there
  });

  it('answers the question on the first screen: one row per claim with its status', () => {
    // the first section's heading (title + its badge) ends the first-screen table
    const end = view.visibleText.indexOf('Synthetic A — sphere lemma shape: an exact claim that holds, two figures holds');
    expect(end).toBeGreaterThan(0);
    const first = view.visibleText.slice(0, end);
    expect(first).toContain('1 exact claim FAILS');
    for (const w of ['FAILS', 'finding', 'holds', 'not rejected']) expect(first).toContain(w);
    // every claim's one-line reason is on it, e.g. the replay of the failure and the reversed regime
    expect(first).toContain('counterexample after 37 instances; replay: gradconf verify --only sgd-fixture --seed 7');
    expect(first).toContain('reversed in 1/2 regimes');
  });

  it('every math block is MathML, and statements are set as math', () => {
    expect(view.mathBlocks.length).toBeGreaterThan(40);
    expect(view.mathBlocks.filter((m) => !m.mathml)).toEqual([]);
    // the Thm 3.1 statement's ρ^T and the Thm 6.1 bound's G_β come out as typeset math
    expect(view.mathBlocks.some((m) => m.text.includes('ρT'))).toBe(true);
    expect(view.mathBlocks.some((m) => m.text.includes('Gβ'))).toBe(true);
  });

  it('every result has a figure; every figure has two axes with titles, data marks, and fits', () => {
    for (const r of results) expect(view.figures.filter((f) => f.section === r.id).length, r.id).toBeGreaterThan(0);
    for (const f of view.figures) {
      expect(f.axes, String(f.id)).toBeGreaterThanOrEqual(2);
      expect(f.axisTitles.length, String(f.id)).toBeGreaterThanOrEqual(1);
      expect(f.marks, String(f.id)).toBeGreaterThan(0);
      expect(f.overflows, String(f.id)).toBe(false);
    }
    expect(view.scrollWidth).toBeLessThanOrEqual(1200);
  });

  it('levels tick at integers; a log axis spans decades', () => {
    const depth = view.figures.find((f) => f.id === 'eta-grows-with-depth')!;
    expect(depth.axisTitles).toContain('depth β');
    expect(depth.axisLabels).toContainEqual(['1', '2', '3', '4', '6']);
    const width = view.figures.find((f) => f.id === 'eta-falls-with-width')!;
    expect(width.axisLabels).toContainEqual(['8', '16', '32', '64', '128']);
    const yLabels = width.axisLabels.find((l) => l.includes('1'))!;
    expect(yLabels).toContain('0.01'); // medians 0.011 … 2.1 on a log axis
    const real = view.figures.find((f) => f.id === 'raw-eta-grows-with-depth')!;
    expect(real.axisLabels).toContainEqual(['0', '1', '2', '4', '8']);
  });

  it('prints on A4 without cutting figures, and without the data blocks', () => {
    expect(view.print.figureBreakInside.length).toBe(view.figures.length);
    expect(new Set(view.print.figureBreakInside)).toEqual(new Set(['avoid']));
    expect(view.print.dataHidden).toBe(true);
  });
});

describe('the sweep report (gradconf report --sweep) in Chromium at 1200 px', () => {
  it('first screen: the trend tests with verdicts and reasons; figures with integer level ticks; no JSON on screen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradconf-sweep-view-'));
    try {
      // width sweep 8, 16, 32 × 3 seeds, built so that loss and |min cosine| fall with width in every seed
      const run = (level: number, seed: number) => ({
        type: 'run', key: `width=${level}/seed=${seed}`, sweep: 'width', level, variant: 'plain', seed, lr: 0.1, diverged: false, backend: 'wasm',
        epochs: [1, 2, 3].map((e) => ({ epoch: e, trainLoss: 1 / (e * level), testAccuracy: 0.9, cosine: { min: -1 / level }, cosines: [-1 / level, 0, 0.1, 0.05] })),
        final: { trainLoss: 1 / (3 * level), testAccuracy: 0.9, minCosine: -1 / level - seed / 1000 },
      });
      writeFileSync(join(dir, 'runs.jsonl'), `${[8, 16, 32].flatMap((l) => [1, 2, 3].map((s) => JSON.stringify(run(l, s)))).join('\n')}\n`);
      writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ kind: 'width', levels: [8, 16, 32], seeds: 3, epochs: 3 }));
      const out = join(OUT, 'sweep.html');
      writeFileSync(out, await sweepReportHtml([dir]));
      const v = await viewPage(out, 1200, { [join(OUT, 'sweep-first-screen.png')]: 'viewport' });
      expect(v.errors).toEqual([]);
      expect(v.visibleText).not.toMatch(/[{[]\s*"[^"\n]{1,60}"\s*:/);
      expect(v.visibleText).toContain('2 trend tests of the paper\'s Section 7 claims over 9 finished runs: 2 hold, 0 findings');
      // (innerText puts each MathML token on its own line, and single letters as math italic
      // code points — 𝜏, 𝑝: compare with whitespace collapsed and any letter there)
      const text = v.visibleText.replace(/\s+/g, ' ');
      expect(text).toMatch(/wider → lower final training loss trend holds 9 runs, final training loss: \S+ = 1\.00 , one-sided \S+ = 7\.5 × 10 − 4 , Holm \S+ = 0\.0012 ≤ \S+ = 0\.05 wider/u);
      expect(v.mathBlocks.filter((m) => !m.mathml)).toEqual([]);
      expect(v.figures.length).toBe(3);
      for (const f of v.figures) {
        expect(f.axes).toBeGreaterThanOrEqual(2);
        expect(f.marks).toBeGreaterThan(0);
        expect(f.overflows).toBe(false);
      }
      expect(v.figures[0]!.axisLabels).toContainEqual(['1', '2', '3']); // epochs
      expect(v.figures[1]!.axisLabels).toContainEqual(['8', '16', '32']); // widths
      expect(v.print.dataHidden).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
