/**
 * The report renders every section, bound and figure, and loads in headless Chromium with no
 * console errors and no network requests (a screenshot goes to out/report-test.png).
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport, boundHtml } from './html.ts';
import { checkPage } from './browser.ts';
import type { TheoremResult } from '../../theorems/verdict.ts';

const results: TheoremResult[] = [
  { id: 'alpha', title: 'Alpha result', kind: 'exact', holds: true, instances: 10, details: { minSlack: 0.25 }, seed: 1, ms: 1200 },
  { id: 'beta', title: 'Beta result', kind: 'statistical', holds: false, instances: 3, details: { counterexample: [{ n: 2 }], path: '0:1' }, seed: 2, ms: 50 },
];
const line = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values: [{ x: 1, y: 2 }, { x: 2, y: 1 }] }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } } as const;

describe('HTML report', () => {
  it('renders the bound from its mathjs expression (HTML and LaTeX)', () => {
    const h = boundHtml('N^2 * exp(-c * d * eta^2)');
    expect(h).toContain('class="math"');
    expect(h).toContain('\\exp');
  });

  it('every section and figure is present; Chromium loads it with no console errors', async () => {
    const html = await renderReport({
      title: 'test report', generatedAt: '2026-11-27', backend: 'cpu', budget: 'quick', results,
      statements: { alpha: { wording: 'A statement.', bound: 'x^2 + 1', version: 'ICML 2020' } },
      figures: { alpha: [{ title: 'Fig A', caption: 'a line', spec: line }], beta: [{ title: 'Fig B', caption: 'b', spec: line }, { title: 'Fig C', caption: 'c', spec: line }] },
    });
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    mkdirSync('out', { recursive: true });
    const file = join(process.cwd(), 'out', 'report-test.html');
    writeFileSync(file, html);
    const page = await checkPage(file, ['section[data-result-id]', 'figure svg', '.bound', '.fails'], join('out', 'report-test.png'));
    expect(page.errors).toEqual([]);
    expect(page.counts).toEqual({ 'section[data-result-id]': 2, 'figure svg': 3, '.bound': 1, '.fails': 2 });
    expect(page.title).toBe('test report');
  });
});
