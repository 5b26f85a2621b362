/**
 * The GPU route carries gradconf to a bare machine as one esbuild bundle (scripts/gpu-bundle.sh,
 * used by scripts/gpu-prepare.sh), with no package.json or source tree beside it. This builds the
 * CLI that way into an empty folder and runs it there: a module-relative read at start-up (as the
 * version lookup once was) breaks the bundle's sweep part and must turn this red.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '../..');

describe('the esbuild bundle of the CLI (GPU route)', () => {
  it('runs from an empty folder: --version and a command\'s --help', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradconf-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(entry, `import { main } from ${JSON.stringify(join(root, 'src/cli/main.ts'))};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
      const b = spawnSync('bash', [join(root, 'scripts/gpu-bundle.sh'), entry, join(dir, 'cli.mjs')], { encoding: 'utf8' });
      expect(b.status, b.stderr).toBe(0);
      rmSync(entry);
      const v = spawnSync(process.execPath, ['cli.mjs', '--version'], { cwd: dir, encoding: 'utf8' });
      expect(v.status, v.stderr).toBe(0);
      expect(v.stdout.trim()).toBe('unknown (bundled)');
      const h = spawnSync(process.execPath, ['cli.mjs', 'sweep', '--help'], { cwd: dir, encoding: 'utf8' });
      expect(h.status, h.stderr).toBe(0);
      expect(h.stdout).toContain('--scale');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
