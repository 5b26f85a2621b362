/**
 * The real reports, end to end in headless Chromium: `gradconf verify --report` (every registered
 * result has its section and at least one figure with axes and marks, all math is MathML, no JSON
 * on screen, no console errors, a screenshot in out/) and `gradconf report --sweep` on a sweep
 * directory written here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.ts';
import { checkPage, viewPage } from './browser.ts';
import { THEOREMS } from '../../theorems/index.ts';

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gradconf-report-')); mkdirSync('out', { recursive: true }); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = async (args: string[]) => (await runCli(args)).code;

describe('end-to-end reports in Chromium', () => {
  it('gradconf verify --report: a section and a figure per result, MathML, no JSON on screen, no console errors', async () => {
    const file = join(dir, 'verify.html');
    expect(await quiet(['verify', '--report', file, '--seed', '1'])).toBe(0);
    const v = await viewPage(file, 1200, { [join('out', 'report-verify.png')]: 'viewport' });
    expect(v.errors).toEqual([]);
    expect(v.visibleText).not.toMatch(/[{[]\s*"[^"\n]{1,60}"\s*:/);
    expect(v.mathBlocks.filter((m) => !m.mathml)).toEqual([]);
    for (const t of THEOREMS) expect(v.figures.filter((f) => f.section === t.id).length, t.id).toBeGreaterThan(0);
    for (const f of v.figures) {
      expect(f.axes, String(f.id)).toBeGreaterThanOrEqual(2);
      expect(f.marks, String(f.id)).toBeGreaterThan(0);
    }
  });

  it('gradconf report --sweep: trend tests and the sweep plots', async () => {
    const sweep = join(dir, 'sweep');
    mkdirSync(sweep);
    const run = (level: number, seed: number) => ({
      type: 'run', key: `width=${level}/seed=${seed}`, sweep: 'width', level, variant: 'plain', seed, lr: 0.1, diverged: false, backend: 'wasm',
      epochs: [1, 2].map((e) => ({ epoch: e, trainLoss: 1 / (e * level), testAccuracy: 0.9, cosine: { min: -1 / level }, cosines: [-1 / level, 0, 0.1, 0.05] })),
      final: { trainLoss: 1 / (2 * level), testAccuracy: 0.9, minCosine: -1 / level - seed / 1000 },
    });
    writeFileSync(join(sweep, 'runs.jsonl'), `${[8, 16, 32].flatMap((l) => [1, 2, 3].map((s) => JSON.stringify(run(l, s)))).join('\n')}\n`);
    writeFileSync(join(sweep, 'sweep.json'), JSON.stringify({ kind: 'width' }));
    const out = join(dir, 'sweep.html');
    expect(await quiet(['report', '--sweep', sweep, '--out', out])).toBe(0);
    const page = await checkPage(out, ['section[data-result-id]', 'figure svg', '#section-7-tests td.holds'], join('out', 'report-sweep.png'));
    expect(page.errors).toEqual([]);
    expect(page.counts['section[data-result-id]']).toBe(2);
    expect(page.counts['figure svg']).toBe(3);
    // Built so that both width claims hold: loss and |min cosine| fall with width in every seed.
    expect(page.counts['#section-7-tests td.holds']).toBe(2);
  });

  it('a directory without runs.jsonl is a one-line error (exit 2)', async () => {
    expect(await quiet(['report', '--sweep', dir])).toBe(2);
  });
});
