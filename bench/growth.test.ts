/** bench/growth.ts: the width variants, the quadratic fit on exact data, one tiny measured point, the figure. */
import { describe, expect, it } from 'vitest';
import { fitQuadratic, growthFigure, growthTables, measurePoint, widthSpec, type GrowthPoint } from './growth.ts';
import { paramSpecs } from '../models/spec.ts';
import { initBackend } from '../src/backend/index.ts';

const size = (s: ReturnType<typeof widthSpec>) => paramSpecs(s).reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);

describe('cost growth helpers', () => {
  it('width variants: the presets at their own width, and the parameter count of other widths', () => {
    // mlp w = 512: 1,195,018 parameters (models/presets.ts); w = 128: 784·128+128 + 3·(128²+128) + 128·10+10 = 151,306.
    expect(size(widthSpec('mlp', 512))).toBe(1_195_018);
    expect(size(widthSpec('mlp', 128))).toBe(151_306);
    // cnn w = 8: conv 3·3·1·8+8 = 80, conv 3·3·8·16+16 = 1168, dense 14·14·16·128+128 = 401,536, dense 1290.
    expect(size(widthSpec('cnn', 8))).toBe(80 + 1168 + 401_536 + 1290);
  });

  it('fitQuadratic recovers t = 5 + 2n + 0.01n² exactly', () => {
    const f = fitQuadratic([16, 64, 256, 1024].map((n) => ({ n, t: 5 + 2 * n + 0.01 * n * n })));
    expect(f.t0).toBeCloseTo(5, 6);
    expect(f.a).toBeCloseTo(2, 8);
    expect(f.c).toBeCloseTo(0.01, 10);
    // At n = 1024: 10485.76 / (5 + 2048 + 10485.76).
    expect(f.quadraticShareAtMax).toBeCloseTo(10485.76 / 12538.76, 10);
    expect(() => fitQuadratic([{ n: 2, t: 1 }, { n: 2, t: 1 }, { n: 2, t: 1 }])).toThrow(/singular/);
  });

  it('one tiny point measures both tasks and their peak memory', async () => {
    await initBackend('wasm');
    const m = await measurePoint(widthSpec('mlp', 8), 4, 1);
    expect(m.probeMs).toBeGreaterThan(0);
    expect(m.plainMs).toBeGreaterThan(0);
    // At least the input [4, 784] floats are live.
    expect(m.probePeakBytes).toBeGreaterThan(4 * 784 * 4);
    expect(m.plainPeakBytes).toBeGreaterThan(4 * 784 * 4);
  });

  it('tables and figure carry every point', () => {
    const p = (sweep: 'batch' | 'width', batch: number): GrowthPoint => ({ sweep, config: 'mlp', batch, width: 512, probeMs: batch, plainMs: 2 * batch, probeOverPlain: 0.5, probePeakBytes: 2 ** 20, plainPeakBytes: 2 ** 21, probeMacs: 3e6, probeGramQuadraticMacs: 1e6, plainMacs: 4e6, reps: 1 });
    const pts = [p('batch', 16), p('batch', 32), p('batch', 64), p('width', 128)];
    const t = growthTables(pts);
    expect(t.split('\n').filter((l) => l.startsWith('| mlp |'))).toHaveLength(4);
    expect(t).toMatch(/\| mlp \| 32 \| 32\.0 \| 64\.0 \| 0\.50 \|/);
    const spec = JSON.stringify(growthFigure(pts, 't'));
    // Batch points feed two panels (time, memory), width points one: 3·2 + 1 probe rows.
    expect((spec.match(/"task":"probe"/g) ?? []).length).toBe(7);
  });
});
