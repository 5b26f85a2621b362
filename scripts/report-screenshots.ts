/**
 * Screenshots of a report for the README, at 1200 px in headless Chromium (Debian's, through
 * playwright-core, as the report tests):
 *   gradconf verify --report out/report.html
 *   npx tsx scripts/report-screenshots.ts out/report.html docs
 * writes docs/report-first-screen.png (the first screen: the table of claims) and
 * docs/report-finding.png (the first claim block marked as a finding, else the first failed or
 * rejected claim, else the first claim). Fails with a one-line error when the page logs an error.
 */
import { resolve, join } from 'node:path';
import { viewPage } from '../src/report/browser.ts';

async function main(): Promise<number> {
  const [file, outDir = 'docs'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npx tsx scripts/report-screenshots.ts REPORT.html [OUT_DIR]\n');
    return 2;
  }
  const probe = await viewPage(resolve(file), 1200);
  if (probe.errors.length) {
    process.stderr.write(`the page logs errors: ${probe.errors[0]}\n`);
    return 1;
  }
  const html = await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8'));
  const sel = ['.claim.claim-finding', '.claim.claim-fails', '.claim'].find((s) => html.includes(`class="${s.slice(1).replace(/\./g, ' ')}`)) ?? '.claim';
  await viewPage(resolve(file), 1200, { [join(outDir, 'report-first-screen.png')]: 'viewport', [join(outDir, 'report-finding.png')]: sel });
  process.stdout.write(`wrote ${join(outDir, 'report-first-screen.png')} and ${join(outDir, 'report-finding.png')} (${sel})\n`);
  return 0;
}

main().then((c) => process.exit(c), (e: unknown) => { process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`); process.exit(2); });
