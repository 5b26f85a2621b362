/**
 * Open an HTML file in headless Debian Chromium through playwright-core (no browser download):
 * collect console errors and page errors, count elements, and take a screenshot.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.GRADCONF_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, through playwright-core (a one-line error when it is missing). */
async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`headless browser not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does, or set GRADCONF_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageCheck { errors: string[]; counts: Record<string, number>; title: string }

/** Load `file` and count the elements matching each selector; writes a full-page PNG to `screenshot`. */
export async function checkPage(file: string, selectors: string[], screenshot?: string): Promise<PageCheck> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const counts: Record<string, number> = {};
    for (const s of selectors) counts[s] = await page.locator(s).count();
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, counts, title: await page.title() };
  } finally {
    await browser.close();
  }
}

/** What a person sees: checks computed in the page, and screenshots at a given width. */
export interface PageView {
  errors: string[];
  /** Visible text of the page (collapsed <details> content excluded, as a reader sees it). */
  visibleText: string;
  /** Per `.math` element: whether it holds a <math> element. */
  mathBlocks: { mathml: boolean; text: string }[];
  /** Per figure: axes, data marks (paths, symbols, rects in a vega mark group), legend entries, caption. */
  figures: { id: string | null; section: string | null; axes: number; marks: number; axisTitles: string[]; axisLabels: string[][]; caption: string; width: number; overflows: boolean }[];
  /** The page's width in CSS px after layout (horizontal overflow shows as > viewport). */
  scrollWidth: number;
  /** Under print media: each figure's computed break-inside, and whether the data blocks are hidden. */
  print: { figureBreakInside: string[]; dataHidden: boolean };
}

/**
 * Open `file` at `width` px and inspect it as a reader would; `shots` maps a PNG path to a CSS
 * selector (the first match is shot; 'viewport' shoots the first screen, 'page' the whole page).
 */
export async function viewPage(file: string, width: number, shots: Record<string, string> = {}): Promise<PageView> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const view = await page.evaluate(() => {
      const figures = [...document.querySelectorAll('figure')].map((f) => {
        const svg = f.querySelector('svg');
        const marks = svg ? [...svg.querySelectorAll('.role-mark')].reduce((n, g) => n + g.querySelectorAll('path, rect, circle, line').length, 0) : 0;
        const r = f.getBoundingClientRect();
        const s = svg?.getBoundingClientRect();
        return {
          id: f.getAttribute('data-figure-id'), section: f.closest('section')?.id ?? null, axes: svg ? svg.querySelectorAll('.role-axis').length : 0, marks,
          axisTitles: svg ? [...svg.querySelectorAll('.role-axis-title text')].map((t) => t.textContent ?? '') : [],
          axisLabels: svg ? [...svg.querySelectorAll('.role-axis')].map((a) => [...a.querySelectorAll('.role-axis-label text')].map((t) => t.textContent ?? '')).filter((l) => l.length > 0) : [],
          caption: f.querySelector('figcaption')?.textContent ?? '', width: s?.width ?? 0, overflows: s ? s.right > r.right + 1 || s.right > document.documentElement.clientWidth + 1 : true,
        };
      });
      const mathBlocks = [...document.querySelectorAll('.math')].map((m) => ({ mathml: m.querySelector('math') !== null, text: m.textContent ?? '' }));
      return { visibleText: document.body.innerText, mathBlocks, figures, scrollWidth: document.documentElement.scrollWidth };
    });
    for (const [png, sel] of Object.entries(shots)) {
      if (sel === 'viewport') await page.screenshot({ path: png });
      else if (sel === 'page') await page.screenshot({ path: png, fullPage: true });
      else await page.locator(sel).first().screenshot({ path: png });
    }
    await page.emulateMedia({ media: 'print' });
    const print = await page.evaluate(() => ({
      figureBreakInside: [...document.querySelectorAll('figure')].map((f) => getComputedStyle(f).breakInside),
      dataHidden: [...document.querySelectorAll('details.data')].every((d) => getComputedStyle(d).display === 'none'),
    }));
    return { errors, ...view, print };
  } finally {
    await browser.close();
  }
}
