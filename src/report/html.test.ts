/**
 * The report's pieces, without a browser: math from the checked mathjs source, prose with inline
 * math, numbers and p-values, claim statuses and reasons, figure axes and page-wide colours, and
 * a self-contained page. Expected values are written by hand from the inputs (hand-built fixtures,
 * report-fixtures.test-helper.ts), not computed by the code under test.
 */
import { describe, expect, it } from 'vitest';
import { boundHtml, mathjsTex, proseHtml, texName } from './math.ts';
import { claimReason, claimStatus, numHtml, pHtml, readable } from './claims-html.ts';
import { applyPalette, axisEncoding, figureDataSpec, levelName, Palette } from './figure-spec.ts';
import { renderReport } from './html.ts';
import { FIXTURE_RESULTS, FIXTURE_STATEMENTS } from './report-fixtures.test-helper.ts';

const byId = (id: string) => FIXTURE_RESULTS.find((r) => r.id === id)!;
const claim = (rid: string, cid: string) => byId(rid).claims.find((c) => c.id === cid)!;
const mathCount = (h: string) => (h.match(/<math/g) ?? []).length;

describe('math', () => {
  it('variable names become math: greek, subscripts, trailing digits, words upright', () => {
    expect(texName('eta')).toBe('\\eta');
    expect(texName('G_beta')).toBe('{G}_{\\beta}');
    expect(texName('zeta0')).toBe('\\zeta_{0}');
    expect(texName('etaProbe')).toBe('\\eta_{\\mathrm{probe}}');
    expect(texName('tol')).toBe('{\\mathrm{tol}}');
  });

  it('the bound the check evaluates is typeset from its mathjs source', () => {
    const t = mathjsTex('max(abs(G_beta - (beta + 1) * G_0)) <= tol * (beta + 1) * max(abs(G_0))')!;
    expect(t).toContain('{G}_{\\beta}');
    expect(t).toContain('\\leq');
    const h = boundHtml('2 * betainc((1 - e) / 2, (d - 1) / 2, (d - 1) / 2) <= 2 * exp(-d * e^2 / 2)');
    expect(h).toMatch(/^<div class="bound"><div class="bound-part"><div class="math"><math display="block"/);
    expect(h).not.toContain('math-fallback');
  });

  it('words are not math: "d instead of …" stays prose, the expression after it is typeset', () => {
    expect(mathjsTex('d instead of l d + l^2 beta')).toBeNull();
    const h = boundHtml(FIXTURE_STATEMENTS['confusion-fixture']!.bound!);
    expect(h).toContain('<span class="bound-label">ICLR:</span> d instead of <span class="math"><math>');
    expect(mathCount(h)).toBe(2);
  });

  it('a bound written in words is one prose block', () => {
    const h = boundHtml('one-sided exact Wilcoxon–Mann–Whitney, 3 vs 3 runs, p ≤ 0.05 (final loss lower; min cosine higher)');
    expect(h).toMatch(/^<div class="bound bound-prose">one-sided exact Wilcoxon–Mann–Whitney, 3 vs 3 runs, <span class="math"><math>/);
    expect(mathCount(h)).toBe(1);
  });

  it('prose: math runs are typeset, words stay text, explicit $…$ wins', () => {
    const h = proseHtml('x_i uniform on S^{d−1}');
    expect(mathCount(h)).toBe(2);
    expect(h).toContain('</span> uniform on <span class="math">');
    expect(proseHtml('plain words only, (A1) and 3 runs')).toBe('plain words only, (A1) and 3 runs');
    expect(mathCount(proseHtml('cost $a+b$ here'))).toBe(1);
  });
});

describe('numbers and verdicts', () => {
  it('numbers: integers as they are, 3 digits, ×10ⁿ when tiny', () => {
    expect(numHtml(400)).toBe('400');
    expect(numHtml(0.012345)).toBe('0.0123');
    expect(numHtml(-0.42)).toBe('−0.42');
    expect(numHtml(2e-6)).toBe('2.00×10<sup>−6</sup>');
    expect(pHtml(0.0702)).toBe('0.070');
    expect(numHtml(undefined)).toBe('–');
  });

  it('statuses: exact holds / FAILS, a rejected or reversed paper claim is a finding, no trend is no verdict', () => {
    const conf = byId('confusion-fixture');
    expect(claimStatus(byId('sgd-fixture'), claim('sgd-fixture', 'linear-rate'))).toEqual({ word: 'FAILS', cls: 'fails' });
    expect(claimStatus(conf, claim('confusion-fixture', 'eta-law'))).toEqual({ word: 'finding', cls: 'finding' });
    expect(claimStatus(conf, claim('confusion-fixture', 'eta-falls-with-width'))).toEqual({ word: 'finding', cls: 'finding' });
    expect(claimStatus(conf, claim('confusion-fixture', 'eta-grows-with-depth'))).toEqual({ word: 'holds', cls: 'holds' });
    // the same rejected claim, when the result does not list it as a finding (a derived claim)
    expect(claimStatus({ ...conf, findings: [] }, claim('confusion-fixture', 'eta-law'))).toEqual({ word: 'rejected', cls: 'finding' });
  });

  it('one-line reasons name the deciding numbers', () => {
    expect(claimReason(byId('lemma-fixture'), claim('lemma-fixture', 'cap-bound'))).toBe('held on all 500 instances, smallest slack 0.0123 (3 degenerate counted apart)');
    expect(claimReason(byId('sgd-fixture'), claim('sgd-fixture', 'linear-rate'))).toBe('counterexample after 37 instances; replay: gradconf verify --only sgd-fixture --seed 7');
    expect(claimReason(byId('confusion-fixture'), claim('confusion-fixture', 'eta-law'))).toBe('2 of 4 tests reject at family-wise α = 0.05: η/(β+1): depth 8 vs depth 0 (Holm p = 4.0×10^{−12}, effect 0.33)');
    expect(claimReason(byId('confusion-fixture'), claim('confusion-fixture', 'eta-falls-with-width'))).toBe('decreasing in 1/2 regimes (τ = −0.41); reversed in 1/2 regimes (τ = 0.18); 1 without confusion');
  });

  it('data as tables: records of constants with their intervals, no JSON', () => {
    const h = readable(byId('confusion-fixture').details.constants, 1);
    expect(h).toContain('<th>cHat</th><th>ci</th>');
    expect(h).toContain('<td>[0.0171, 0.0266]</td>');
    expect(h).not.toMatch(/[{[]"/);
  });
});

describe('figures', () => {
  it('integer axes tick at the data levels; log axes leave out non-positive points', () => {
    expect(axisEncoding('x', { title: 'depth β', integer: true }, [1, 2, 3, 4, 6, 2])).toMatchObject({ axis: { values: [1, 2, 3, 4, 6], format: '.0f', title: 'depth β' }, scale: { zero: false } });
    expect(axisEncoding('x', { title: 'width', integer: true, scale: 'log' }, [8, 16, 32])).toMatchObject({ scale: { type: 'log', base: 2 }, axis: { values: [8, 16, 32] } });
    const fd = byId('sgd-fixture').details.figures as Parameters<typeof figureDataSpec>[0][];
    const { spec, dropped } = figureDataSpec(fd[0]!, new Palette());
    expect(dropped).toBe(1); // the [9, 0] point
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(18);
  });

  it('one colour per name across the page', () => {
    const p = new Palette();
    const mk = (names: string[]) => ({ data: { values: names.map((n) => ({ g: n, x: 1 })) }, mark: 'point', encoding: { color: { field: 'g', type: 'nominal' } } });
    const a = applyPalette(mk(['b', 'a']) as never, p) as unknown as ReturnType<typeof mk> & { encoding: { color: { scale: { domain: string[]; range: string[] } } } };
    const b = applyPalette(mk(['c', 'a']) as never, p) as unknown as typeof a;
    expect(a.encoding.color.scale.domain).toEqual(['a', 'b']);
    const colourOf = (s: typeof a, n: string) => s.encoding.color.scale.range[s.encoding.color.scale.domain.indexOf(n)];
    expect(colourOf(b, 'a')).toBe(colourOf(a, 'a'));
    expect(colourOf(b, 'c')).not.toBe(colourOf(a, 'b'));
  });

  it('the level of a trend claim is read from its id, then its wording', () => {
    expect(levelName({ id: 'eta-falls-with-width', statement: 'raw η falls as the width l grows (depth 2)' })).toBe('width l');
    expect(levelName({ id: 'min-cosine-rises-with-d', statement: '… (width = d, depth 2)' })).toBe('input dimension d');
    expect(levelName({ id: 'x', statement: 'confusion grows with depth' })).toBe('depth β');
  });
});

describe('the page', () => {
  it('is self-contained: no script, no external resource; the JSON is in a collapsed data block', async () => {
    const html = await renderReport({ title: 't', generatedAt: 'now', backend: 'cpu', budget: 'quick', results: FIXTURE_RESULTS, statements: FIXTURE_STATEMENTS, figures: {} });
    expect(html).not.toMatch(/<script|<link|@import|@font-face|url\(|https?:\/\/(?!www\.w3\.org)/);
    expect((html.match(/<section /g) ?? []).length).toBe(3);
    expect((html.match(/<details class="data"><summary>data<\/summary><pre>/g) ?? []).length).toBe(3);
    expect(html).not.toMatch(/<details[^>]* open/);
    // one first-screen row per claim (6), before the first section
    const head = html.slice(0, html.indexOf('<section'));
    expect((head.match(/<tr class="row-/g) ?? []).length).toBe(6);
  });
});
