/**
 * The sweep plumbing end to end, through the command line as a user runs it: a tiny width sweep
 * on MNIST is started in a child process (2 worker threads), killed with SIGKILL after a few runs
 * have finished, and resumed with --resume. Checks: the JSON-lines file parses after the kill and
 * holds only whole, distinct records; the resume runs exactly the missing tasks and leaves the
 * earlier lines byte-identical; in the end every run and every learning-rate tuning is there
 * exactly once; the metrics are sane (schedule, losses, accuracies, cosine counts and ranges,
 * final values = last epoch); and a run recomputed in this thread equals the worker's record
 * (same seed → same result on the same backend).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRecords } from './results.ts';
import { sweepConfig, sweepPlan, type SweepConfig } from './plan.ts';
import { executeRun, type RunRecord, type TuneRecord } from './run.ts';
import { learningRateAt } from './train.ts';
import { initBackend } from '../backend/index.ts';

const BIN = fileURLToPath(new URL('../../bin/gradconf.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TINY = ['width', '--values', '8,16,32', '--fixed', '1', '--seeds', '3', '--epochs', '3', '--train-examples', '2048',
  '--test-examples', '256', '--pairs', '8', '--probe-batch', '64', '--lr-grid', '0.03,0.1', '--tune-epochs', '1', '--workers', '2'];
const cfg: SweepConfig = sweepConfig('width', 'mnist', 'small', {
  values: [8, 16, 32], fixed: 1, seeds: 3, epochs: 3, trainExamples: 2048, testExamples: 256, pairs: 8, probeBatch: 64, lrGrid: [0.03, 0.1], tuneEpochs: 1,
});

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gradconf-sweep-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Rec = TuneRecord | RunRecord;
const file = () => join(dir, 'runs.jsonl');
const runLines = () => (existsSync(file()) ? readFileSync(file(), 'utf8').split('\n').filter((l) => l.includes('"type":"run"')).length : 0);

describe('gradconf sweep: kill and --resume (tiny width sweep on MNIST)', () => {
  let beforeKill = '';
  let afterKill: Rec[] = [];

  it('a SIGKILL mid-sweep leaves only whole, distinct records of this sweep', async () => {
    const child = spawn(process.execPath, [BIN, 'sweep', ...TINY, '--out', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // Poll the results file; kill as soon as two training runs are recorded.
    const deadline = Date.now() + 40_000;
    let exitedEarly = false;
    void exited.then(() => { exitedEarly = true; });
    while (runLines() < 2 && Date.now() < deadline && !exitedEarly) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    expect(exitedEarly && child.signalCode !== 'SIGKILL', `the sweep ended before it could be killed: ${stderr}`).toBe(false);
    expect(child.signalCode).toBe('SIGKILL');
    afterKill = readRecords<Rec>(file());
    beforeKill = readFileSync(file(), 'utf8');
    const plan = sweepPlan(cfg);
    const runs = afterKill.filter((r) => r.type === 'run');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length, 'killed before the last run').toBeLessThan(plan.length);
    const keys = new Set(plan.map((p) => p.key));
    for (const r of runs) expect(keys.has(r.key)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8'))).toEqual(cfg);
  });

  it('--resume runs exactly the missing tasks; every run and tuning ends up recorded once', () => {
    const r = spawnSync(process.execPath, [BIN, 'sweep', ...TINY, '--out', dir, '--resume', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { ran: number; skipped: number; runs: number; complete: boolean };
    const plan = sweepPlan(cfg);
    const total = plan.length + cfg.values.length; // runs + one tuning per width
    expect(doc.skipped).toBe(afterKill.length);
    expect(doc.ran).toBe(total - afterKill.length);
    expect(doc.complete).toBe(true);
    const text = readFileSync(file(), 'utf8');
    expect(text.startsWith(beforeKill)).toBe(true);
    const recs = readRecords<Rec>(file()); // throws on a duplicate key
    expect(recs.filter((x) => x.type === 'run').map((x) => x.key).sort()).toEqual(plan.map((p) => p.key).sort());
    expect(recs.filter((x) => x.type === 'tune').map((x) => x.key).sort()).toEqual(cfg.values.map((v) => `tune/width=${v}`).sort());
  });

  it('the records are sane: schedule, losses, accuracies, cosines, final = last epoch, lr = tuned rate', () => {
    const recs = readRecords<Rec>(file());
    const tunes = new Map(recs.filter((x): x is TuneRecord => x.type === 'tune').map((t) => [t.configKey, t]));
    for (const t of tunes.values()) {
      expect(t.grid).toEqual([0.03, 0.1]);
      const best = t.losses.map((l) => l ?? Infinity);
      expect(t.chosen).toBe(t.grid[best.indexOf(Math.min(...best))]);
    }
    for (const r of recs.filter((x): x is RunRecord => x.type === 'run')) {
      expect(r.backend).toBe('wasm');
      expect(r.lr).toBe(tunes.get(r.configKey)!.chosen);
      expect(r.diverged).toBe(false);
      expect(r.model).toMatchObject({ family: 'mlp', width: r.level, depth: 1 });
      expect(r.epochs.map((e) => e.lr)).toEqual([0, 1, 2].map((e) => learningRateAt(e, r.lr, cfg.lrDecayEpochs, 0.1)));
      for (const e of r.epochs) {
        expect(Number.isFinite(e.trainLoss) && e.trainLoss > 0).toBe(true);
        expect(e.testAccuracy!).toBeGreaterThanOrEqual(0);
        expect(e.testAccuracy!).toBeLessThanOrEqual(1);
        expect(e.cosines.length + e.zeroPairs).toBe(8);
        for (const c of e.cosines) expect(c >= -1 && c <= 1).toBe(true);
        expect(e.cosine!.min).toBe(Math.min(...e.cosines));
      }
      const last = r.epochs[r.epochs.length - 1]!;
      expect(r.final.trainLoss).toBe(last.trainLoss);
      expect(r.final.minCosine).toBe(Math.min(...last.cosines));
      // Three epochs of SGD on 2048 images beat chance (ln 10 ≈ 2.30) clearly even at width 8.
      expect(last.trainLoss).toBeLessThan(2.0);
    }
  });

  it('a run recomputed in this thread equals the record the worker wrote (same seed → same result)', async () => {
    await initBackend('wasm');
    const recs = readRecords<Rec>(file());
    const rec = recs.find((x): x is RunRecord => x.type === 'run' && x.key === 'width=16/seed=1')!;
    const plan = sweepPlan(cfg).find((p) => p.key === rec.key)!;
    const again = await executeRun({ type: 'run', key: rec.key, plan, config: cfg, lr: rec.lr, lrSource: rec.lrSource });
    const strip = (r: RunRecord) => ({ ...r, ms: 0, epochs: r.epochs.map((e) => ({ ...e, ms: null })) });
    expect(strip(JSON.parse(JSON.stringify(again)) as RunRecord)).toEqual(strip(rec));
  });
});
