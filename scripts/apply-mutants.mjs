// Hand check for mutants the runner cannot evaluate (static ones): node scripts/apply-mutants.mjs reports/mutation-<scope>.json <regex on "file:line:col Mutator"> <test files...>
// Apply surviving mutants from a Stryker JSON report one at a time (by location + replacement),
// run the given test files, restore. Usage: node apply.mjs report.json filter-regex test1 [test2...]
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const [report, filter, ...tests] = process.argv.slice(2);
const r = JSON.parse(readFileSync(report, 'utf8'));
const re = new RegExp(filter);
for (const [file, x] of Object.entries(r.files)) {
  for (const m of x.mutants) {
    if (m.status !== 'Survived') continue;
    const tag = `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.static ? ' (static)' : ''}`;
    if (!re.test(tag)) continue;
    const orig = readFileSync(file, 'utf8');
    const lines = orig.split('\n');
    const off = (p) => lines.slice(0, p.line - 1).reduce((s, l) => s + l.length + 1, 0) + p.column - 1;
    const a = off(m.location.start), b = off(m.location.end);
    const mutated = orig.slice(0, a) + m.replacement + orig.slice(b);
    writeFileSync(file, mutated);
    const res = spawnSync('npx', ['vitest', 'run', '--bail=1', ...tests], { encoding: 'utf8' });
    writeFileSync(file, orig);
    console.log(`${res.status === 0 ? 'SURVIVED' : 'killed  '} ${tag}  [${orig.slice(a, b).replace(/\s+/g, ' ').slice(0, 50)} -> ${m.replacement.replace(/\s+/g, ' ').slice(0, 40)}]`);
  }
}
