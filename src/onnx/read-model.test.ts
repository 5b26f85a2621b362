/**
 * Reading ONNX files: every storage form of a tensor gives the same model, and every malformed
 * file gives a one-line BadInputError (never a crash, a stack trace or NaN).
 *
 * The storage forms are made by rewriting PyTorch's exports (which use raw_data only) with the
 * same schema package: typed fields (float_data, double_data, int64_data), float64 and float16
 * raw data, and external data files. Outputs must then be bitwise equal to the original's on
 * the same backend (the float32 values are the same; float16 is checked against its decoding).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema, TensorProto_DataLocation, type TensorProto } from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { BadInputError } from '../errors.ts';
import { OnnxProgram } from './program.ts';
import { parseOnnx, readOnnx } from './read-model.ts';
import { forwardOutputs } from './reference.ts';
import { decodeTensor } from './tensor-proto.ts';
import { buildOnnx, DT, rewriteOnnx, tensorProto, valueInfo } from './testing/build-onnx.ts';
import { FIXTURE_ROOT, loadFixture } from './testing/fixtures.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradconf-onnx-read-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('cpu');
});

const bytesOf = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURE_ROOT, name, 'model.onnx')));

/** Forward outputs of a model given as bytes (written to a file in `dir`), on a fixture's inputs. */
function outputsOf(bytes: Uint8Array, fixture: string, dir = tmp): Float32Array {
  const file = path.join(dir, `${fixture}-${Math.random().toString(36).slice(2)}.onnx`);
  fs.writeFileSync(file, bytes);
  const f = loadFixture(path.join(FIXTURE_ROOT, fixture));
  const p = OnnxProgram.load(file);
  try {
    const out = forwardOutputs(p, f.x);
    const v = out.dataSync() as Float32Array;
    out.dispose();
    return v;
  } finally {
    p.dispose();
    f.dispose();
  }
}

/** The message of the BadInputError `fn` throws (fails the test for any other outcome). */
function badInput(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a BadInputError');
}

const kv = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });

function f32(t: TensorProto): Float32Array {
  return new Float32Array(t.rawData.slice().buffer);
}

describe('tensor storage forms', () => {
  it('typed fields (float_data, double_data, int64_data) and float64 raw data give the same outputs as raw float32', () => {
    const orig = bytesOf('shapes');
    const typed = rewriteOnnx(orig, (m) => {
      m.graph!.initializer.forEach((t, i) => {
        const v = Array.from(f32(t));
        t.rawData = new Uint8Array(0);
        if (i % 3 === 0) t.floatData = v;
        else if (i % 3 === 1) {
          t.dataType = DT.DOUBLE;
          t.doubleData = v;
        } else {
          t.dataType = DT.DOUBLE;
          t.rawData = new Uint8Array(Float64Array.from(v).buffer);
        }
      });
      for (const n of m.graph!.node) {
        for (const a of n.attribute) {
          if (a.t && a.t.dataType === DT.INT64 && a.t.rawData.length > 0) {
            a.t.int64Data = Array.from(new BigInt64Array(a.t.rawData.slice().buffer));
            a.t.rawData = new Uint8Array(0);
          }
        }
      }
    });
    const g = parseOnnx(typed);
    expect([...g.initializers.values()].some((t) => t.data instanceof Float64Array)).toBe(true);
    expect(outputsOf(typed, 'shapes')).toEqual(outputsOf(orig, 'shapes'));
  });

  it('external data (offsets into one file, and one file per tensor) gives the same outputs; a missing file is a one-line error', () => {
    const orig = bytesOf('linear');
    const dir = fs.mkdtempSync(path.join(tmp, 'ext-'));
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const ext = rewriteOnnx(orig, (m) => {
      m.graph!.initializer.forEach((t, i) => {
        const raw = t.rawData;
        t.rawData = new Uint8Array(0);
        t.dataLocation = TensorProto_DataLocation.EXTERNAL;
        if (i === 0) {
          fs.writeFileSync(path.join(dir, 'first.bin'), raw);
          t.externalData = [kv('location', 'first.bin')];
        } else {
          const pad = 16 - (offset % 16);
          chunks.push(new Uint8Array(pad), raw);
          offset += pad;
          t.externalData = [kv('location', 'model.data'), kv('offset', String(offset)), kv('length', String(raw.length))];
          offset += raw.length;
        }
      });
    });
    fs.writeFileSync(path.join(dir, 'model.data'), Buffer.concat(chunks));
    expect(outputsOf(ext, 'linear', dir)).toEqual(outputsOf(orig, 'linear'));

    fs.writeFileSync(path.join(dir, 'model.onnx'), ext);
    fs.rmSync(path.join(dir, 'model.data'));
    const msg = badInput(() => readOnnx(path.join(dir, 'model.onnx')));
    expect(msg).toMatch(/^onnx: initializer "[^"]+" is stored in external file "model\.data", which is missing/);
    // In-memory bytes have no folder to look in.
    expect(badInput(() => parseOnnx(ext))).toContain('load the model from a file path');
  });

  it('external data outside the model folder or beyond the file end is refused', () => {
    const orig = bytesOf('linear');
    const dir = fs.mkdtempSync(path.join(tmp, 'ext2-'));
    fs.writeFileSync(path.join(dir, 'd.bin'), new Uint8Array(8));
    const withLoc = (entries: [string, string][]) => rewriteOnnx(orig, (m) => {
      const t = m.graph!.initializer[0]!;
      t.rawData = new Uint8Array(0);
      t.dataLocation = TensorProto_DataLocation.EXTERNAL;
      t.externalData = entries.map(([key, value]) => kv(key, value));
    });
    expect(badInput(() => parseOnnx(withLoc([['location', '../d.bin']]), 'x', dir))).toContain('must be a relative path inside');
    expect(badInput(() => parseOnnx(withLoc([['location', '/etc/passwd']]), 'x', dir))).toContain('must be a relative path inside');
    expect(badInput(() => parseOnnx(withLoc([['location', 'd.bin'], ['offset', '4'], ['length', '400']]), 'x', dir))).toContain('lies outside the file (8 bytes)');
    expect(badInput(() => parseOnnx(withLoc([['location', 'd.bin']]), 'x', dir))).toMatch(/8 bytes of float32 data for dims \[\d+, \d+\] \(expected \d+\)/);
  });

  it('float16 (raw and int32_data bit patterns), int8, bool decode to their values', () => {
    const half = [0x3c00, 0xc000, 0x3555, 0x0001]; // 1, −2, 0.333251953125, 2^-24
    const want = [1, -2, 0.333251953125, 2 ** -24];
    const raw = decodeTensor({ ...tensorProto('h', [4], []), dataType: DT.FLOAT16, rawData: new Uint8Array(Uint16Array.from(half).buffer) } as TensorProto, { what: 'h' });
    expect(Array.from(raw.data)).toEqual(want);
    const typed = decodeTensor({ ...tensorProto('h', [4], []), dataType: DT.FLOAT16, rawData: new Uint8Array(0), int32Data: half } as TensorProto, { what: 'h' });
    expect(Array.from(typed.data)).toEqual(want);
    const i8 = decodeTensor({ ...tensorProto('i', [3], []), dataType: DT.INT8, rawData: Uint8Array.of(255, 1, 128) } as TensorProto, { what: 'i' });
    expect(Array.from(i8.data)).toEqual([-1, 1, -128]);
    expect(i8.kind).toBe('int');
    const b = decodeTensor({ ...tensorProto('b', [2], []), dataType: DT.BOOL, rawData: Uint8Array.of(0, 7) } as TensorProto, { what: 'b' });
    expect([b.kind, ...b.data]).toEqual(['bool', 0, 1]);
  });
});

describe('malformed files: one-line BadInputError', () => {
  const tiny = (over: Partial<Parameters<typeof buildOnnx>[0]> = {}) => buildOnnx({
    inputs: [valueInfo('x', ['batch', 3])],
    outputs: [valueInfo('y', ['batch', 3])],
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    ...over,
  });

  it('not a protobuf, empty, no graph, missing file', () => {
    expect(badInput(() => parseOnnx(new TextEncoder().encode('this is not an onnx model at all'), 'junk.onnx'))).toMatch(/^onnx: junk\.onnx: not a valid ONNX file/);
    expect(badInput(() => parseOnnx(new Uint8Array(0), 'empty.onnx'))).toMatch(/^onnx: empty\.onnx: not a valid ONNX file \(no graph/);
    expect(badInput(() => readOnnx(path.join(tmp, 'nope.onnx')))).toMatch(/^onnx: cannot read .*nope\.onnx: ENOENT$/);
  });

  it('opsets outside 13–17 are named', () => {
    expect(parseOnnx(tiny({ opset: 13 })).opset).toBe(13);
    expect(badInput(() => parseOnnx(tiny({ opset: 12 }), 'm.onnx'))).toBe('onnx: m.onnx: opset 12 of the default domain is not supported (supported: 13–17; export with torch.onnx.export(..., opset_version=17))');
    expect(badInput(() => parseOnnx(tiny({ opset: 18 }), 'm.onnx'))).toContain('opset 18 of the default domain is not supported');
  });

  it('an unsupported op: the node, the op, the opset and the supported list', () => {
    const m = tiny({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['h'] }, { op: 'Foo', name: '/layer1/Foo', inputs: ['h'], outputs: ['y'] }] });
    const msg = badInput(() => new OnnxProgram(parseOnnx(m)));
    expect(msg).toMatch(/^onnx: node "\/layer1\/Foo" uses op Foo \(opset 17\), not supported; supported: Add, AveragePool, BatchNormalization, .*Unsqueeze$/);
    const other = tiny({ nodes: [{ op: 'FusedGemm', domain: 'com.microsoft', name: 'g', inputs: ['x'], outputs: ['y'] }] });
    expect(badInput(() => new OnnxProgram(parseOnnx(other)))).toMatch(/^onnx: node "g" uses op com\.microsoft\.FusedGemm \(domain com\.microsoft\), not supported/);
  });

  it('undefined inputs, unproduced outputs, non-finite or mis-sized initializers', () => {
    expect(badInput(() => parseOnnx(tiny({ nodes: [{ op: 'Relu', name: 'r', inputs: ['z'], outputs: ['y'] }] })))).toBe('onnx: node "r" (Relu): input "z" is not defined by any graph input, initializer or earlier node');
    expect(badInput(() => parseOnnx(tiny({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['h'] }] }), 'm'))).toBe('onnx: m: graph output "y" is not produced by any node');
    const w = (data: number[], dims = [3]) => tiny({ nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }], initializers: [tensorProto('w', dims, data)] });
    expect(badInput(() => parseOnnx(w([1, NaN, 2])))).toBe('onnx: initializer "w" contains NaN at flat index 1');
    expect(badInput(() => parseOnnx(w([1, 2], [3])))).toBe('onnx: initializer "w": 8 bytes of float32 data for dims [3] (expected 12)');
  });

  // A valid model cut short or with bytes overwritten either still is a valid model (then it
  // runs and its outputs are finite) or is refused with a one-line BadInputError — never any
  // other exception, never NaN. 150 + 150 cases, seeds fixed.
  for (const fixture of ['linear', 'conv']) {
    it(`random truncation and corruption of ${fixture}/model.onnx (seed 17)`, () => {
      const orig = bytesOf(fixture);
      const f = loadFixture(path.join(FIXTURE_ROOT, fixture));
      const outcome = (bytes: Uint8Array): 'ok' | 'bad' => {
        let p: OnnxProgram | undefined;
        try {
          p = new OnnxProgram(parseOnnx(bytes, 'fuzz.onnx'));
          const out = forwardOutputs(p, f.x);
          const v = out.dataSync();
          out.dispose();
          expect(v.every((e) => Number.isFinite(e))).toBe(true);
          return 'ok';
        } catch (e) {
          if (!(e instanceof BadInputError)) throw e;
          expect(e.message).not.toContain('\n');
          return 'bad';
        } finally {
          p?.dispose();
        }
      };
      const seen = { ok: 0, bad: 0 };
      fc.assert(fc.property(fc.integer({ min: 0, max: orig.length - 1 }), (n) => {
        seen[outcome(orig.slice(0, n))]++;
      }), { seed: 17, numRuns: 150 });
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(orig.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const b = orig.slice();
        for (const [i, v] of edits) b[i] = v;
        seen[outcome(b)]++;
      }), { seed: 17, numRuns: 150 });
      // Both outcomes occur: the property is not vacuous.
      expect(seen.bad).toBeGreaterThan(0);
      expect(seen.ok).toBeGreaterThan(0);
      f.dispose();
      expect(tf.memory().numTensors).toBeLessThan(100);
    });
  }
});
