/**
 * `npm run findings`: run `gradconf verify --quick --seed 1 --json`, commit its output as
 * docs/verify-quick-seed1.json, and regenerate the README's findings block from it
 * (src/report/findings-block.ts). `npm run findings -- --from FILE` regenerates from an existing run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { findingsBlock, replaceBlock } from '../src/report/findings-block.ts';

const from = process.argv.indexOf('--from');
let json: string;
if (from > 0) json = readFileSync(process.argv[from + 1]!, 'utf8');
else {
  json = execFileSync('node', ['bin/gradconf.js', 'verify', '--quick', '--seed', '1', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  mkdirSync('docs', { recursive: true });
  writeFileSync('docs/verify-quick-seed1.json', json);
}
const doc = JSON.parse(json);
writeFileSync('README.md', replaceBlock(readFileSync('README.md', 'utf8'), findingsBlock(doc)));
process.stderr.write('README findings block regenerated\n');
