#!/usr/bin/env node
// Entry point. In a checkout (src/ present) it runs the TypeScript CLI through tsx's loader, so
// `npx gradconf` works right after `npm ci` with no build step; the published package runs the
// compiled JavaScript in dist/ (built by `npm run build`, which `npm pack`/`publish` run first).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/src/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
