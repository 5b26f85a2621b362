/**
 * The published package, as a user gets it: `npm pack` (which builds dist/ on `prepack`), the
 * tarball installed into a scratch project with `npm ci` (its dependencies from the local npm
 * cache, pinned by a lockfile made from ours, so no network is needed), then
 * - plain ESM imports `gradconf` and `gradconf/theorems` by name and computes the same probe
 *   report as the sources do in this process, runs one registered result (one that spawns worker
 *   processes, so the compiled worker path is exercised), and trains a tfjs-layers model with the
 *   monitor callback using its own `@tensorflow/tfjs` import; the README's API example runs as written;
 * - the installed `gradconf` binary runs (compiled CLI);
 * - a TypeScript program type-checks against the shipped declarations (strict, nodenext, no
 *   skipLibCheck for gradconf's files); its `@ts-expect-error` lines would be "unused directive"
 *   errors if the types were `any`, so they prove the declarations are real.
 * The first run takes 1–2 min (npm extracting ~480 MB of dependencies, mostly tfjs, from the
 * cache); later runs reuse the installed dependencies (see beforeAll) and take ~30 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from './backend/index.ts';
import { runProbe } from './probe/index.ts';
import { initWeights } from '../models/init.ts';
import { validateSpec } from '../models/spec.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let dir = '';
let app = '';

const SPEC = { input: [3], layers: [{ type: 'dense', units: 6, activation: 'tanh' }, { type: 'dense', units: 2 }], loss: 'softmax-xent' };
const X = Array.from({ length: 24 }, (_, i) => Math.sin(0.7 * i));
const Y = [0, 1, 1, 0, 1, 0, 0, 1];

const ESM = `
import * as tf from '@tensorflow/tfjs';
import { initBackend, validateSpec, initWeights, runProbe, ConfusionMonitor, specFromSequential } from 'gradconf';
import { THEOREMS, selectTheorems } from 'gradconf/theorems';
await initBackend('cpu');
const spec = validateSpec(${JSON.stringify(SPEC)});
const weights = initWeights(spec, { init: 'he', seed: 3 });
const report = runProbe({ spec, weights, inputs: { shape: [8, 3], data: ${JSON.stringify(X)} }, targets: { shape: [8], data: ${JSON.stringify(Y)} }, mode: 'example', seed: 0 });
const { selected } = selectTheorems(['theorem-6-1']);
const verdict = await selected[0].run({ seed: 1, budget: 'quick' });
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
const x = tf.tensor2d(${JSON.stringify(X)}, [8, 3]);
const y = tf.oneHot(tf.tensor1d(${JSON.stringify(Y)}, 'int32'), 2);
const monitor = new ConfusionMonitor({ every: 1, mode: 'example', inputs: x, targets: y });
await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, callbacks: monitor.callback(model) });
console.log(JSON.stringify({ eta: report.eta, mCoherence: report.statistics.mCoherence, bSimple: report.statistics.noiseScale.bSimple,
  ids: THEOREMS.map((t) => t.id), theorem: { id: verdict.id, holds: verdict.holds }, steps: monitor.records.map((r) => r.step),
  layersSpec: specFromSequential(model, { trainingLoss: model.loss }).spec.layers.length }));
`;

const TS = `
import { runProbe, mlp, initWeights, ConfusionMonitor, type ProbeReport, type MonitorRecord, type ModelSpec } from 'gradconf';
import { THEOREMS, type TheoremResult } from 'gradconf/theorems';
const spec: ModelSpec = mlp({ input: 4, width: 8, depth: 2, outputs: 3, variant: 'linear-output', loss: 'softmax-xent' });
const report: ProbeReport = runProbe({ spec, weights: initWeights(spec, { init: 'gaussian', seed: 1, kappa: 2 }),
  inputs: { shape: [2, 4], data: new Float32Array(8) }, targets: { shape: [2], data: [0, 2] }, mode: 'example', seed: 0 });
const b: number | null = report.statistics.noiseScale?.bSimple ?? null;
const within = report.statistics.stiffness?.byClass?.withinClass?.cosine;
const monitor = new ConfusionMonitor({ every: 10, inputs: { shape: [2, 4], data: [0, 0, 0, 0, 1, 1, 1, 1] }, targets: { shape: [2], data: [0, 1] } });
const last: MonitorRecord | undefined = monitor.records.at(-1);
const firstId: string | undefined = THEOREMS[0]?.id;
async function check(): Promise<boolean> { const r: TheoremResult = await THEOREMS[0]!.run({ seed: 1, budget: 'quick' }); return r.holds; }
// @ts-expect-error: mode is 'example' | 'minibatch'
runProbe({ spec, weights: new Map(), inputs: { shape: [1], data: [] }, targets: { shape: [1], data: [] }, mode: 'sideways', seed: 0 });
// @ts-expect-error: m-coherence is a number or null
const s: string = report.statistics.mCoherence;
// @ts-expect-error: the monitor needs its schedule
new ConfusionMonitor({ inputs: { shape: [1], data: [] }, targets: { shape: [1], data: [] } });
// A planted error: the one tsc must report (proof that it checked this program).
const planted: number = report.eta.toFixed(2);
export { b, within, last, firstId, check, s, planted };
`;

function npm(args: string[], cwd: string): string {
  return execFileSync(NPM, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' } });
}

/**
 * The scratch project lives in node_modules/.cache (wiped by `npm ci`), keyed by a hash of the
 * dependency tree: the first run installs everything (`npm ci`, ~1 min), later runs reinstall only
 * the new tarball (`npm install` with the updated lockfile). The first test checks that the
 * installed copy is the tarball just built, so a stale install cannot pass.
 */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-pack-'));
  npm(['pack', '--pack-destination', dir], ROOT);
  const tgzName = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const root = lock.packages['']!;
  const deps = Object.fromEntries(Object.entries(lock.packages).filter(([k, v]) => k !== '' && !v.dev));
  const key = createHash('sha256').update(JSON.stringify([root.dependencies, deps])).digest('hex').slice(0, 16);
  const home = join(ROOT, 'node_modules', '.cache', 'gradconf-pack-test', key);
  app = join(home, 'app');
  const fresh = !existsSync(join(app, 'node_modules', 'gradconf', 'package.json'));
  mkdirSync(app, { recursive: true });
  const tgz = join(home, tgzName);
  copyFileSync(join(dir, tgzName), tgz);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { gradconf: `file:../${tgzName}` } }));
  // A lockfile from ours: the same dependency tree (dev packages left out), gradconf from the tarball.
  const packages: Record<string, unknown> = { '': { name: 'app', dependencies: { gradconf: `file:../${tgzName}` } } };
  packages['node_modules/gradconf'] = {
    version: root.version, resolved: `file:../${tgzName}`, license: root.license, dependencies: root.dependencies, bin: root.bin, engines: root.engines,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`,
  };
  Object.assign(packages, deps);
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }));
  npm([fresh ? 'ci' : 'install', '--prefer-offline', '--ignore-scripts'], app);
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package, installed by name', () => {
  it('ships compiled JavaScript and declarations, not the TypeScript sources or tests; the installed copy is this build', () => {
    const pkg = join(app, 'node_modules', 'gradconf');
    for (const f of ['dist/src/index.js', 'dist/src/probe/statistics/probe-statistics.js', 'dist/src/monitor/confusion-monitor.js']) {
      expect(readFileSync(join(pkg, f), 'utf8'), f).toBe(readFileSync(join(ROOT, f), 'utf8'));
    }
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/theorems.js', 'dist/src/theorems.d.ts', 'dist/theorems/section-7.small-mnist.jsonl', 'bin/gradconf.js', 'package.json']) expect(existsSync(join(pkg, f)), f).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : [join(d, e.name)]));
    const all = files(join(pkg, 'dist'));
    expect(all.filter((f) => f.endsWith('.test.js') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    // Declarations point at .js files that exist.
    const index = readFileSync(join(pkg, 'dist/src/index.d.ts'), 'utf8');
    expect(index).not.toMatch(/from '\.{1,2}\/[^']*\.ts'/);
  });

  it('plain ESM: same probe report as the sources, a theorem check in worker processes, the monitor in model.fit', async () => {
    writeFileSync(join(app, 'main.mjs'), ESM);
    const out = execFileSync(process.execPath, ['main.mjs'], { cwd: app, encoding: 'utf8', env: { ...process.env, GRADCONF_WORKERS: '1' } });
    const got = JSON.parse(out.trim().split('\n').pop()!);
    await initBackend('cpu');
    const spec = validateSpec(SPEC);
    const want = runProbe({ spec, weights: initWeights(spec, { init: 'he', seed: 3 }), inputs: { shape: [8, 3], data: X }, targets: { shape: [8], data: Y }, mode: 'example', seed: 0 });
    expect(got.eta).toBe(want.eta);
    expect(got.mCoherence).toBe(want.statistics.mCoherence);
    expect(got.bSimple).toBe(want.statistics.noiseScale!.bSimple);
    expect(got.ids).toContain('definition-2-1');
    expect(got.theorem).toEqual({ id: 'theorem-6-1', holds: true });
    expect(got.steps).toEqual([0, 1, 2]);
    expect(got.layersSpec).toBe(2);
  });

  it('the README\'s API example runs as written', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The library: `import'));
    const example = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    expect(example).toContain("from 'gradconf'");
    writeFileSync(join(app, 'example.mjs'), example);
    const out = execFileSync(process.execPath, ['example.mjs'], { cwd: app, encoding: 'utf8' });
    expect(out).toMatch(/^eta \d+(\.\d+)? m-coherence \d+(\.\d+)? B_simple \d+(\.\d+)?$/m);
    expect(out).toMatch(/^step 4: eta \d+\.\d{4}, min cosine -?\d\.\d{3}$/m);
    expect(out.trim().split('\n').pop()).toBe('true');
    const lines = readFileSync(join(app, 'monitor.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number });
    expect(lines[0]!.type).toBe('monitor');
    // 2 epochs of 256/32 = 8 steps: step 0, then every 4th.
    expect(lines.slice(1).map((l) => l.step)).toEqual([0, 4, 8, 12, 16]);
  });

  it('the installed binary runs the compiled CLI', () => {
    const bin = join(app, 'node_modules', '.bin', 'gradconf');
    expect(execFileSync(bin, ['--version'], { cwd: app, encoding: 'utf8' }).trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const doc = JSON.parse(execFileSync(bin, ['probe', '--batch-size', '4', '--backend', 'cpu', '--json'], { cwd: app, encoding: 'utf8' }));
    expect(doc.n).toBe(4);
    expect(doc.statistics.stiffness.overall.pairs).toBe(6);
  });

  it('a TypeScript program type-checks against the declarations; its @ts-expect-error lines (misuse) are errors', () => {
    writeFileSync(join(app, 'check.ts'), TS);
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false,
        types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
      files: ['check.ts'],
    }));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const typecheck = (): string[] => {
      try {
        execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' });
        return [];
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e).split('\n').filter((l) => l.trim() !== '');
      }
    };
    // Checked without skipLibCheck, so that an error inside gradconf's own declarations shows.
    // tfjs's declarations do not pass strict checking themselves (tfjs users set skipLibCheck, as
    // this repository does), so only errors in gradconf's files and in the program count.
    const ours = (lines: string[]) => lines.filter((l) => l.startsWith('check.ts') || l.includes('node_modules/gradconf/'));
    const errors = typecheck();
    expect(errors.every((l) => /^\S+\(\d+,\d+\): error TS\d+: /.test(l) || /^\s/.test(l)), errors.slice(0, 3).join('\n')).toBe(true);
    expect(ours(errors)).toEqual([expect.stringMatching(/^check\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\./)]);
  });
});
