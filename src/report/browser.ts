/**
 * Open an HTML file in headless Debian Chromium through playwright-core (no browser download):
 * collect console errors and page errors, count elements, and take a screenshot.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.GRADCONF_CHROMIUM ?? '/usr/bin/chromium';

export interface PageCheck { errors: string[]; counts: Record<string, number>; title: string }

/** Load `file` and count the elements matching each selector; writes a full-page PNG to `screenshot`. */
export async function checkPage(file: string, selectors: string[], screenshot?: string): Promise<PageCheck> {
  if (!existsSync(CHROMIUM)) throw new Error(`headless browser not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does, or set GRADCONF_CHROMIUM`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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
