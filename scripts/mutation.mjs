// `npm run mutation [scope ...]`: Stryker per scope (stryker.config.mjs), then a summary of the
// mutation score per scope in reports/mutation-summary.md. Not part of `npm test`.
// `npm run mutation -- --summary` only rewrites the summary from the existing reports.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
const ALL = ['stats', 'bounds', 'sgd', 'init', 'loss', 'rules', 'runner', 'theorems'];
const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary');
const named = args.filter((a) => a !== '--summary');
const scopes = summaryOnly ? [] : named.length ? named : ALL;
mkdirSync('reports', { recursive: true });
for (const s of scopes) {
  process.stderr.write(`mutation: scope ${s}\n`);
  try { execFileSync('npx', ['stryker', 'run'], { stdio: 'inherit', env: { ...process.env, SCOPE: s } }); } catch { process.stderr.write(`mutation: stryker failed on ${s}\n`); }
}
const rows = [];
for (const s of ALL) {
  // A scope's report, or else the reports of its files measured one by one (STRYKER_FILE=…).
  const whole = `reports/mutation-${s}.json`;
  const parts = readdirSync('reports').filter((f) => f.startsWith(`mutation-${s}--`) && f.endsWith('.json')).map((f) => `reports/${f}`);
  const reports = existsSync(whole) ? [whole] : parts;
  if (reports.length === 0) continue;
  const files = {};
  for (const f of reports) Object.assign(files, JSON.parse(readFileSync(f, 'utf8')).files);
  const c = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, other: 0 };
  for (const file of Object.values(files)) for (const m of file.mutants) {
    if (m.status === 'Killed') c.killed++; else if (m.status === 'Survived') c.survived++; else if (m.status === 'Timeout') c.timeout++; else if (m.status === 'NoCoverage') c.noCoverage++; else c.other++;
  }
  const valid = c.killed + c.survived + c.timeout + c.noCoverage;
  const label = reports === parts ? `${s} (${parts.length} files measured one by one)` : s;
  rows.push(`| ${label} | ${valid} | ${c.killed + c.timeout} | ${c.survived} | ${c.noCoverage} | ${valid ? (100 * (c.killed + c.timeout) / valid).toFixed(1) : '—'}% |`);
}
writeFileSync('reports/mutation-summary.md', `| scope | mutants | killed (incl. timeout) | survived | no coverage | score |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`);
process.stdout.write(readFileSync('reports/mutation-summary.md', 'utf8'));
