/**
 * models/init.ts walks the layer registry (each layer module declares how its parameters are
 * initialized) since the layer-modules refactor; the weights it produces for the specs that
 * existed before must not change by a single bit. The hashes below were computed with the code
 * BEFORE the refactor (commit 8e13d56) — SHA-256 over the sorted names, shapes and float32
 * bytes, first 16 hex digits — for every initializer (with kappa / scale / gain set) and seeds
 * 0, 7 and 2^33 + 5, on the presets (the mlp preset at seed 0; orthogonal and small-weights only
 * on the smaller specs: 1–2 s per draw on the big presets), WRN stacks without skip, the paper's
 * MLP and a mixed conv/batchnorm/residual spec. A mutation that changes which parameters count as
 * kernels, their order, or a fan, changes a hash.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { initWeights, type InitOptions } from './init.ts';
import { PRESETS } from './presets.ts';
import { validateSpec, type ModelSpec } from './spec.ts';
import { wrn } from './wrn.ts';
import { mlp } from './mlp.ts';

const GOLDEN: Record<string, string> = {
  'mlp/gaussian/0': '98c79f73b5e653c5',
  'mlp/he/0': '1174553685615167',
  'mlp/glorot/0': '6ca0fc8a0276b79b',
  'cnn/gaussian/0': '8c425071a8d102ef',
  'cnn/gaussian/7': '2a2936b6b2f8b783',
  'cnn/gaussian/8589934597': 'cc551ffc951eb268',
  'cnn/he/0': 'ac2b558797b73254',
  'cnn/he/7': 'cc885b3c40b7d42f',
  'cnn/he/8589934597': 'beb904fdf017d2b8',
  'cnn/glorot/0': 'a9839a62179cccfc',
  'cnn/glorot/7': 'dd6e0a7927f5ceea',
  'cnn/glorot/8589934597': 'e661e989a26ac063',
  'resnet/gaussian/0': 'a03b84f1edf941a7',
  'resnet/gaussian/7': '31cf87e7a82b8edc',
  'resnet/gaussian/8589934597': '05192375b8f6dcc6',
  'resnet/he/0': '992f8e4d97db25a1',
  'resnet/he/7': '4d9be1cc57fdb8c9',
  'resnet/he/8589934597': '5a11ae4941179e93',
  'resnet/glorot/0': 'da6b339c4443a5e5',
  'resnet/glorot/7': '47f5cd12a1eda308',
  'resnet/glorot/8589934597': 'e953fdbc6d0ffcdf',
  'resnet/orthogonal/0': '09604972da745976',
  'resnet/orthogonal/7': '309965702a9809e7',
  'resnet/orthogonal/8589934597': 'e53e774d1d2ed38d',
  'wrnPlainBn/gaussian/0': '716ea1e3a09bf91b',
  'wrnPlainBn/gaussian/7': '68bf91bf53ca1722',
  'wrnPlainBn/gaussian/8589934597': '68752e5f5e34d690',
  'wrnPlainBn/he/0': 'c12d9d33b261a9f5',
  'wrnPlainBn/he/7': 'da9d1b6f8e3f1b53',
  'wrnPlainBn/he/8589934597': '56230d061688e90e',
  'wrnPlainBn/glorot/0': '9ffe18746736f02a',
  'wrnPlainBn/glorot/7': 'f1c55589007734ae',
  'wrnPlainBn/glorot/8589934597': '578377953d68aaa4',
  'wrnPlainBn/orthogonal/0': '5ca700dfca1598b6',
  'wrnPlainBn/orthogonal/7': 'b49a14459138e072',
  'wrnPlainBn/orthogonal/8589934597': '9109e1c6a98f7fae',
  'wrnPlain/gaussian/0': 'dd8bdcbc8a1a6b30',
  'wrnPlain/gaussian/7': 'cbbf399ae86030d1',
  'wrnPlain/gaussian/8589934597': 'e1a81db96c0f18ea',
  'wrnPlain/he/0': '895cab5aa6544c6d',
  'wrnPlain/he/7': '989b8195e9ec538d',
  'wrnPlain/he/8589934597': '1bd316bda59ec57b',
  'wrnPlain/glorot/0': 'f2d5e8f624bdc8ba',
  'wrnPlain/glorot/7': 'a0f6282214b2695f',
  'wrnPlain/glorot/8589934597': '40e01a6a5cad76da',
  'wrnPlain/orthogonal/0': '76871ea2cab6fec5',
  'wrnPlain/orthogonal/7': '56ff85be289bbcc5',
  'wrnPlain/orthogonal/8589934597': 'cee01d82bc31ef12',
  'paperMlp/gaussian/0': '78f4b56836608b3b',
  'paperMlp/gaussian/7': '6d1611cdd7e1f6d5',
  'paperMlp/gaussian/8589934597': '9f0279b85086e32b',
  'paperMlp/he/0': '1c6a800a6f6003fe',
  'paperMlp/he/7': '56c4eea9991b86c7',
  'paperMlp/he/8589934597': 'f7453039c99909ce',
  'paperMlp/glorot/0': 'd5f9fc05e4079852',
  'paperMlp/glorot/7': 'a736b185655dbfbb',
  'paperMlp/glorot/8589934597': '17d729578790fe66',
  'paperMlp/orthogonal/0': 'a3a6b8efe7071d87',
  'paperMlp/orthogonal/7': 'c4abe3fc8875e8ee',
  'paperMlp/orthogonal/8589934597': '3587be8c4678f7d9',
  'paperMlp/small-weights/0': '7a75173bbfe12d4f',
  'paperMlp/small-weights/7': '78c37bdf873e5825',
  'paperMlp/small-weights/8589934597': 'a59d069b1239ce2a',
  'mixed/gaussian/0': '2eb2442780a83bac',
  'mixed/gaussian/7': '8dee154a1f1fbc3d',
  'mixed/gaussian/8589934597': '59faf27a9d912bfa',
  'mixed/he/0': 'e37cb94f83d1dc4e',
  'mixed/he/7': '23ece4acc4ba8e4b',
  'mixed/he/8589934597': '866bba4ca50a5ecf',
  'mixed/glorot/0': '4f976f77c31884b9',
  'mixed/glorot/7': '7cad734b0b9e3f9d',
  'mixed/glorot/8589934597': '9309ef637f260562',
  'mixed/orthogonal/0': 'ef667dc877ce024d',
  'mixed/orthogonal/7': 'd4e996eb3b18028b',
  'mixed/orthogonal/8589934597': '1c5cbffaff4eeaaa',
};

const SPECS: Record<string, ModelSpec> = {
  mlp: PRESETS.mlp, cnn: PRESETS.cnn, resnet: PRESETS.resnet,
  wrnPlainBn: wrn({ input: [8, 8, 3], blocksPerGroup: 1, widthFactor: 1, classes: 10, batchnorm: true, skip: false }),
  wrnPlain: wrn({ input: [8, 8, 3], blocksPerGroup: 2, widthFactor: 2, classes: 3, batchnorm: false, skip: false }),
  paperMlp: mlp({ input: 7, width: 9, depth: 3 }),
  mixed: validateSpec({ input: [6, 5, 2], layers: [
    { type: 'batchnorm' }, { type: 'conv2d', filters: 3, kernel: 2, stride: 2, padding: 'valid', activation: 'tanh' },
    { type: 'residual', layers: [{ type: 'conv2d', filters: 3, kernel: 3, bias: false }, { type: 'batchnorm', epsilon: 0.01 }] },
    { type: 'avgpool', size: 1 }, { type: 'flatten' }, { type: 'dense', units: 4, activation: 'relu', bias: false }, { type: 'dense', units: 2 }], loss: 'softmax-xent' }),
};

function hash(spec: ModelSpec, opts: InitOptions): string {
  const w = initWeights(spec, opts);
  const h = createHash('sha256');
  for (const k of [...w.keys()].sort()) {
    const a = w.get(k)!;
    h.update(k);
    h.update(JSON.stringify(a.shape));
    h.update(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

describe('initWeights is bit-identical to the pre-registry code', () => {
  it(`${Object.keys(GOLDEN).length} (spec, init, seed) cases`, () => {
    for (const [key, expected] of Object.entries(GOLDEN)) {
      const [name, init, seedText] = key.split('/') as [string, InitOptions['init'], string];
      const seed = Number(seedText);
      const opts: InitOptions = init === 'gaussian' ? { init, seed, kappa: 3 } : init === 'small-weights' ? { init, seed, scale: 0.7 } : init === 'orthogonal' ? { init, seed } : { init, seed, gain: 1.5 };
      expect(hash(SPECS[name]!, opts), key).toBe(expected);
    }
  });
});
