/**
 * The sweep progress bar: ETA from this session's rate only (work done before a resume does not
 * count in the rate), throttled redraws, and the duration format.
 */
import { describe, expect, it } from 'vitest';
import { ProgressBar, formatDuration } from './progress.ts';

describe('ProgressBar', () => {
  it('ETA = elapsed / units done this session × units left; resumed units excluded from the rate', () => {
    let t = 0;
    const out: string[] = [];
    const bar = new ProgressBar(100, 10, { label: 'sweep width', alreadyDone: 40, enabled: true, now: () => t, write: (s) => out.push(s), throttleMs: 0 });
    expect(Number.isNaN(bar.eta())).toBe(true);
    t = 30_000; // 30 s for 10 units → 3 s per unit; 50 units left → 150 s
    bar.advance(10, 1);
    expect(bar.eta()).toBeCloseTo(150, 9);
    expect(out[out.length - 1]).toContain('[##########----------] 50% 50/100 epochs · 1/10 tasks · ETA 2m30s');
    bar.finish();
    expect(out[out.length - 1]!.endsWith('\n')).toBe(true);
  });

  it('throttles redraws and writes nothing when disabled', () => {
    let t = 0;
    const out: string[] = [];
    const bar = new ProgressBar(10, 1, { label: 'x', enabled: true, now: () => t, write: (s) => out.push(s), throttleMs: 250 });
    bar.advance(1);
    t = 100;
    bar.advance(1);
    expect(out).toHaveLength(1);
    t = 400;
    bar.advance(1);
    expect(out).toHaveLength(2);
    const off: string[] = [];
    const quiet = new ProgressBar(10, 1, { label: 'x', enabled: false, write: (s) => off.push(s) });
    quiet.advance(5);
    quiet.finish();
    expect(off).toEqual([]);
  });

  it('formatDuration', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(200)).toBe('3m20s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(NaN)).toBe('?');
  });
});
