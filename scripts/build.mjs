#!/usr/bin/env node
// `npm run build` (and `prepack`): compile to dist/ with tsconfig.build.json, then
// 1. rewrite relative `.ts` specifiers left in the declaration files to `.js` (tsc keeps them as
//    written, microsoft/TypeScript#61037; tsc itself resolves either, other tools expect `.js`);
// 2. copy the data files the code reads next to itself (import.meta.url).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const ASSETS = ['theorems/section-7.small-mnist.jsonl'];

rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
let rewritten = 0;
for (const f of walk(dist).filter((p) => p.endsWith('.d.ts'))) {
  const s = readFileSync(f, 'utf8');
  const t = s.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
  if (t !== s) { writeFileSync(f, t); rewritten++; }
}
for (const a of ASSETS) {
  mkdirSync(dirname(join(dist, a)), { recursive: true });
  copyFileSync(join(root, a), join(dist, a));
}
process.stdout.write(`dist/ built (${rewritten} declaration files with .ts specifiers rewritten, ${ASSETS.length} assets copied)\n`);
