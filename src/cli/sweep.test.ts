/**
 * `gradconf sweep` contract: bad input → exit 2 with ONE line naming the problem (no stack), the
 * --json document's fields, and the conv path (CNN-β-ℓ on CIFAR-10 binary files generated here,
 * in this thread) end to end. Runs the command in-process through the same root-program wiring as
 * src/cli/main.ts (src/train/testing/sweep-main.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli.ts';
import { Rng } from '../rng.ts';
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES } from '../data/cifar10.ts';
import { FASHION_MNIST_DIR } from '../data/mnist.ts';

const run = (args: string[]) => runCli(['sweep', ...args]);

let dir = '';
const p = (f: string) => join(dir, f);
const TINY = ['--values', '4,8', '--fixed', '1', '--seeds', '2', '--epochs', '1', '--train-examples', '256', '--test-examples', '64',
  '--pairs', '2', '--probe-batch', '32', '--lr', '0.1', '--workers', '0'];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradconf-sweep-cli-'));
  // CIFAR-10 binary files: 40 random records per training batch, 20 in the test batch.
  const cifar = p('cifar');
  mkdirSync(cifar);
  const rng = new Rng(5);
  const batch = (n: number) => {
    const b = Buffer.alloc(n * CIFAR10_RECORD_BYTES);
    for (let i = 0; i < b.length; i++) b[i] = i % CIFAR10_RECORD_BYTES === 0 ? rng.int(10) : rng.int(256);
    return b;
  };
  for (const f of CIFAR10_FILES.train) writeFileSync(join(cifar, f), batch(40));
  writeFileSync(join(cifar, CIFAR10_FILES.test[0]), batch(20));
  mkdirSync(p('empty'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradconf sweep: bad input → exit 2, one line', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown sweep', ['height'], /kind|height/],
    ['decreasing values', ['width', '--values', '16,8'], /--values must be strictly increasing/],
    ['malformed list', ['width', '--lr-grid', '0.1,abc'], /--lr-grid/],
    ['family of another sweep', ['bn-skip', '--family', 'mlp'], /--family mlp/],
    ['cnn depth not 6n+4', ['depth', '--family', 'cnn', '--values', '12'], /6 n \+ 4/],
    ['cifar10 without --data-dir', ['width', '--dataset', 'cifar10'], /--data-dir is required for cifar10/],
    ['--data-dir with mnist', ['width', '--data-dir', '/tmp'], /--data-dir does not apply to mnist/],
    ['fashion-mnist missing', ['width', '--dataset', 'fashion-mnist', '--data-dir', '/nonexistent/fm'], /fashion-mnist/],
    ['too few training examples', ['width', '--train-examples', '100'], /--train-examples \(100\)/],
    ['bad epochs', ['width', '--epochs', '0'], /--epochs/],
    ['subset larger than the split (raised in a worker thread)', ['width', '--train-examples', '70000', '--workers', '1'], /asked for 70000 examples, the split has 60000/],
  ];
  for (const [name, args, re] of cases) {
    it(name, async () => {
      const r = await run([...args, '--out', p(`bad-${name.replace(/\W+/g, '-')}`)]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }

  it('an existing sweep without --resume, and --resume with other settings, are refused', async () => {
    const out = p('existing');
    expect((await run(['width', ...TINY, '--out', out])).code).toBe(0);
    const again = await run(['width', ...TINY, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a sweep; pass --resume/);
    const other = await run(['width', ...TINY, '--epochs', '2', '--out', out, '--resume']);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/epochs.*differ/);
    const same = await run(['width', ...TINY, '--out', out, '--resume', '--json']);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out)).toMatchObject({ ran: 0, skipped: 4, complete: true });
  });
});

describe('gradconf sweep --json', () => {
  it('prints one document with config, results path, per-level medians and the trend tests', async () => {
    const r = await run(['depth', ...TINY.map((a) => (a === '4,8' ? '1,2' : a)), '--fixed', '8', '--out', p('json'), '--json']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ sweep: 'depth', dataset: 'mnist', scale: 'small', backend: 'wasm', runs: 4, complete: true, alpha: 0.05 });
    expect(doc.config).toMatchObject({ kind: 'depth', family: 'mlp', values: [1, 2], fixed: 8, lr: 0.1, seeds: [0, 1] });
    expect(doc.levels.map((l: { level: number }) => l.level)).toEqual([1, 2]);
    expect(doc.trends.map((t: { id: string }) => t.id)).toEqual(['depth-loss', 'depth-confusion']);
    for (const t of doc.trends) {
      expect(t.result.p).toBeGreaterThan(0);
      expect(t.result.p).toBeLessThanOrEqual(1);
      expect(t.pHolm).toBeGreaterThanOrEqual(t.result.p);
    }
  });

  it('trains the paper\'s CNN-β-ℓ on CIFAR-10 binary files (conv kernel gradients on wasm)', async () => {
    const r = await run(['width', '--dataset', 'cifar10', '--data-dir', p('cifar'), '--family', 'cnn', '--values', '1', '--fixed', '10', '--seeds', '1',
      '--epochs', '1', '--batch-size', '8', '--train-examples', '32', '--test-examples', '8', '--pairs', '2', '--probe-batch', '8', '--lr', '0.01',
      '--workers', '0', '--out', p('cifar-out'), '--json']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.levels).toHaveLength(1);
    expect(Number.isFinite(doc.levels[0].trainLoss)).toBe(true);
    expect(doc.levels[0].minCosine).toBeGreaterThanOrEqual(-1);
    expect(doc.levels[0].minCosine).toBeLessThanOrEqual(1);
    expect(doc.trends).toEqual([]);
    expect(doc.untested).toEqual(['width-loss: needs runs at two or more levels (has 1)', 'width-confusion: needs runs at two or more levels (has 1)']);
  });

  it('trains on Fashion-MNIST from the Debian package (.ci/run installs dataset-fashion-mnist)', async () => {
    expect(existsSync(FASHION_MNIST_DIR), `Fashion-MNIST is not installed at ${FASHION_MNIST_DIR}: apt-get install dataset-fashion-mnist`).toBe(true);
    const r = await run(['width', '--dataset', 'fashion-mnist', ...TINY, '--out', p('fashion'), '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).runs).toBe(4);
  });
});
