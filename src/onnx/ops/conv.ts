/**
 * Conv (2-D, NCHW as ONNX has it; pads, strides, dilations, groups, auto_pad) and the pools
 * (MaxPool, AveragePool incl. ceil_mode and count_include_pad, GlobalAveragePool).
 *
 * Inside, a conv runs on tfjs's NHWC conv2d: X is transposed to NHWC and padded explicitly
 * (tf.pad), each group is a 'valid' conv2d on its channel slice (tfjs has no grouped conv, and
 * its depthwise gradients are missing on wasm), a dilated kernel is spread out with zeros
 * (tfjs's conv2d gradient refuses dilations > 1), and the output goes back to NCHW.
 *
 * The kernel gradient: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter. Where the backend
 * lacks it, conv2dValid supplies it as Σ over kernel offsets (a, b) of the strided input slice
 * at (a, b), transposed, times dy — the definition of the filter gradient, one matMul per offset
 * (compared with the cpu backend's own kernel in conv.test.ts). The input gradient is tfjs's
 * conv2dTranspose (Conv2DBackpropInput, present on wasm).
 */
import * as tf from '@tensorflow/tfjs';
import { hasConvFilterGrad } from '../../backend/index.ts';
import { locOf, shapeOf } from './elementwise.ts';
import type { OpContext, OpDef, Value } from './op.ts';
import { MAX_ELEMENTS } from './shape-ops.ts';

/** 'valid' conv2d, NHWC × HWIO, with a kernel gradient on every backend. */
export function conv2dValid(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], weightGrad = true): tf.Tensor4D {
  return hasConvFilterGrad() ? tf.conv2d(x, w, strides, 'valid') : conv2dOwnGrad(x, w, strides, weightGrad);
}

/** 'valid' conv2d whose gradients are written here (the input's by conv2dTranspose, the kernel's as Σ offsets). */
export function conv2dOwnGrad(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], weightGrad = true): tf.Tensor4D {
  if (!weightGrad) {
    // No gradient for the kernel; it is saved (the forward scope disposes what is not).
    const xShape = x.shape;
    const g = tf.customGrad(((xx: tf.Tensor, ww: tf.Tensor, save: tf.GradSaveFunc) => {
      save([ww]);
      return {
        value: tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, strides, 'valid'),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.conv2dTranspose(dy as tf.Tensor4D, saved[0] as tf.Tensor4D, xShape, strides, 'valid'), tf.zerosLike(saved[0]!)],
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return g(x, w) as tf.Tensor4D;
  }
  const f = tf.customGrad(((xx: tf.Tensor, ww: tf.Tensor, save: tf.GradSaveFunc) => {
    save([xx, ww]);
    return {
      value: tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, strides, 'valid'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x4, w4] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        const [n, , , c] = x4.shape;
        const [kh, kw, , m] = w4.shape;
        const [, oh, ow] = d.shape;
        const [sh, sw] = strides;
        const dx = tf.conv2dTranspose(d, w4, x4.shape, strides, 'valid');
        const d2 = d.reshape([-1, m]);
        const parts: tf.Tensor[] = [];
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            const xs = tf.stridedSlice(x4, [0, a, b, 0], [n, a + (oh - 1) * sh + 1, b + (ow - 1) * sw + 1, c], [1, sh, sw, 1]);
            parts.push(tf.matMul(xs.reshape([-1, c]), d2, true, false));
          }
        }
        return [dx, tf.stack(parts).reshape([kh, kw, c, m])];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor4D;
}

/** Spread a HWIO kernel for dilation d: [(kh−1)·d + 1, (kw−1)·d + 1, I, O], zeros in between. */
function dilateKernel(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return w;
  const [kh, kw, i, o] = w.shape;
  const spread = tf.pad(w.reshape([kh, 1, kw, 1, i, o]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]).reshape([kh * dh, kw * dw, i, o]);
  return tf.slice(spread, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, i, o]) as tf.Tensor4D;
}

interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right] (ONNX: begins then ends). */
  pads: [number, number, number, number];
  /** Extra bottom/right padding that ceil_mode adds (not counted by AveragePool). */
  extra: [number, number];
  out: [number, number];
}

/** Kernel, strides, pads of a conv or pool node over an NCHW input of spatial size [h, w]. */
function windowOf(ctx: OpContext, hw: [number, number], kernel: number[], ceil = false): Window {
  const pair = (name: string, dflt: number): [number, number] => {
    const v = ctx.attrInts(name) ?? [dflt, dflt];
    if (v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < 1)) ctx.fail(`${name} [${v.join(', ')}] must be two positive integers (2-D only)`);
    return [v[0]!, v[1]!];
  };
  if (kernel.length !== 2 || kernel.some((k) => !Number.isInteger(k) || k < 1)) ctx.fail(`kernel_shape [${kernel.join(', ')}] must be two positive integers (2-D only)`);
  const k: [number, number] = [kernel[0]!, kernel[1]!];
  const strides = pair('strides', 1);
  const dilations = pair('dilations', 1);
  const span = [0, 1].map((i) => (k[i]! - 1) * dilations[i]! + 1);
  const autoPad = ctx.attrString('auto_pad', 'NOTSET');
  let pads: [number, number, number, number];
  if (autoPad === 'NOTSET') {
    const p = ctx.attrInts('pads') ?? [0, 0, 0, 0];
    if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0)) ctx.fail(`pads [${p.join(', ')}] must be four non-negative integers`);
    pads = [p[0]!, p[1]!, p[2]!, p[3]!];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const tot = [0, 1].map((i) => Math.max((Math.ceil(hw[i]! / strides[i]!) - 1) * strides[i]! + span[i]! - hw[i]!, 0));
    const small = tot.map((t) => Math.floor(t / 2));
    const big = tot.map((t, i) => t - small[i]!);
    pads = autoPad === 'SAME_UPPER' ? [small[0]!, small[1]!, big[0]!, big[1]!] : [big[0]!, big[1]!, small[0]!, small[1]!];
  } else {
    return ctx.fail(`auto_pad "${autoPad}" is not supported`);
  }
  const out: [number, number] = [0, 0];
  const extra: [number, number] = [0, 0];
  for (const i of [0, 1]) {
    const padded = hw[i]! + pads[i]! + pads[i + 2]!;
    if (padded < span[i]!) ctx.fail(`the ${span[i]}-wide window is larger than the padded input (${padded})`);
    let o = Math.floor((padded - span[i]!) / strides[i]!) + 1;
    if (ceil) {
      o = Math.ceil((padded - span[i]!) / strides[i]!) + 1;
      // As PyTorch and ONNX Runtime: the last window must start inside the input or its left padding.
      if ((o - 1) * strides[i]! >= hw[i]! + pads[i]!) o--;
      extra[i] = Math.max((o - 1) * strides[i]! + span[i]! - padded, 0);
    }
    out[i] = o;
  }
  return { kernel: k, strides, dilations, pads, extra, out };
}

function toNhwc(t: tf.Tensor): tf.Tensor4D {
  return tf.transpose(t, [0, 2, 3, 1]) as tf.Tensor4D;
}

function toNchw(t: tf.Tensor): tf.Tensor4D {
  return tf.transpose(t, [0, 3, 1, 2]) as tf.Tensor4D;
}

/** The NCHW input as NHWC, padded (pads plus ceil_mode's extra) with `value`. */
function paddedNhwc(x: tf.Tensor, win: Window, value = 0): tf.Tensor4D {
  const [t, l, b, r] = win.pads;
  const xn = toNhwc(x);
  if (t + l + b + r + win.extra[0] + win.extra[1] === 0) return xn;
  return tf.pad(xn, [[0, 0], [t, b + win.extra[0]], [l, r + win.extra[1]], [0, 0]], value);
}

function spatialInput(ctx: OpContext, x: Value): [number, number, number, number] {
  const s = shapeOf(x);
  if (s.length !== 4) ctx.fail(`input has rank ${s.length}; only 2-D convolutions and pools (rank-4 NCHW inputs) are supported`);
  const loc = locOf(x);
  if (loc && !(loc.axis === 0 && loc.inner === 1)) ctx.mixes('the examples must be on axis 0 of a conv or pool input');
  return [s[0]!, s[1]!, s[2]!, s[3]!];
}

export const CONV_OPS: Record<string, OpDef> = {
  Conv: {
    run(ctx, inputs) {
      const [x, w, bias] = inputs as [Value, Value, Value | undefined];
      const [n, c, h, wd] = spatialInput(ctx, x);
      const ws = shapeOf(w);
      const groups = ctx.attrInt('group', 1);
      if (ws.length !== 4) ctx.fail(`weight has rank ${ws.length}; only 2-D convolutions are supported`);
      const [m, cg] = [ws[0]!, ws[1]!];
      if (!(groups >= 1 && c % groups === 0 && m % groups === 0 && cg === c / groups)) ctx.fail(`weight [${ws.join(', ')}] does not fit ${c} input channels in ${groups} group(s)`);
      const kernel = ctx.attrInts('kernel_shape') ?? ws.slice(2);
      if (kernel[0] !== ws[2] || kernel[1] !== ws[3]) ctx.fail(`kernel_shape [${kernel.join(', ')}] differs from the weight's [${ws.slice(2).join(', ')}]`);
      const win = windowOf(ctx, [h, wd], kernel);
      if (n * m * win.out[0] * win.out[1] > MAX_ELEMENTS) ctx.fail('the output would be too large');
      const xt = ctx.tensor(x);
      const xp = paddedNhwc(xt, win);
      const wHwio = dilateKernel(tf.transpose(ctx.tensor(w), [2, 3, 1, 0]) as tf.Tensor4D, win.dilations);
      const mg = m / groups;
      const parts: tf.Tensor4D[] = [];
      for (let g = 0; g < groups; g++) {
        const xg = groups === 1 ? xp : tf.slice(xp, [0, 0, 0, g * cg], [-1, -1, -1, cg]);
        const wg = groups === 1 ? wHwio : tf.slice(wHwio, [0, 0, 0, g * mg], [-1, -1, -1, mg]);
        parts.push(conv2dValid(xg, wg, win.strides, ctx.weightGrads));
      }
      let y: tf.Tensor = toNchw(groups === 1 ? parts[0]! : tf.concat(parts, 3));
      if (bias) {
        if (shapeOf(bias).length !== 1 || shapeOf(bias)[0] !== m) ctx.fail(`bias shape [${shapeOf(bias).join(', ')}] is not [${m}]`);
        y = tf.add(y, ctx.tensor(bias).reshape([1, m, 1, 1]));
      }
      const loc = locOf(x);
      if (ctx.recording && loc) {
        if (ctx.param(1)) {
          ctx.record(1, {
            kind: 'conv2d', input: xt as tf.Tensor4D, inputLoc: loc, layout: 'NCHW', kernelLayout: 'OIHW', kernelShape: [ws[2]!, ws[3]!],
            strides: win.strides, pads: win.pads, dilations: win.dilations, groups, delta: (d) => d, deltaLoc: loc,
          });
        }
        if (bias && ctx.param(2)) ctx.record(2, { kind: 'shift', broadcastShape: [1, m, 1, 1], delta: (d) => d, deltaLoc: loc });
      }
      return [{ t: y, kind: 'float', loc }];
    },
    primitives: (_node, dynamic) => (dynamic(0) ? [{ slot: 1, kind: 'conv2d' as const }, { slot: 2, kind: 'shift' as const }].filter((p) => !dynamic(p.slot)) : []),
  },

  MaxPool: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const [, , h, w] = spatialInput(ctx, x);
      if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '') ctx.fail('the Indices output is not supported');
      if (ctx.attrInt('storage_order', 0) !== 0) ctx.fail('storage_order 1 is not supported');
      const kernel = ctx.attrInts('kernel_shape') ?? ctx.fail('kernel_shape is required');
      const win = windowOf(ctx, [h, w], kernel, ctx.attrInt('ceil_mode', 0) === 1);
      if (win.dilations[0] !== 1 || win.dilations[1] !== 1) ctx.fail('dilations > 1 are not supported');
      const y = tf.maxPool(paddedNhwc(ctx.tensor(x), win, -Infinity), win.kernel, win.strides, 'valid');
      return [{ t: toNchw(y), kind: 'float', loc: locOf(x) }];
    },
  },

  AveragePool: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const [, , h, w] = spatialInput(ctx, x);
      const kernel = ctx.attrInts('kernel_shape') ?? ctx.fail('kernel_shape is required');
      const win = windowOf(ctx, [h, w], kernel, ctx.attrInt('ceil_mode', 0) === 1);
      if (win.dilations[0] !== 1 || win.dilations[1] !== 1) ctx.fail('dilations > 1 are not supported');
      const xt = ctx.tensor(x);
      const [t, l, b, r] = win.pads;
      const padded = t + l + b + r + win.extra[0] + win.extra[1] > 0;
      let y: tf.Tensor = tf.avgPool(paddedNhwc(xt, win), win.kernel, win.strides, 'valid');
      if (padded) {
        // Divide by the number of counted cells per window instead of kh·kw: the input's cells,
        // plus the explicit pads when count_include_pad = 1 (never ceil_mode's extra cells).
        const include = ctx.attrInt('count_include_pad', 0) === 1;
        const ones = tf.ones([1, 1, h, w]);
        const mask = include
          ? tf.pad(tf.ones([1, h + t + b, w + l + r, 1]), [[0, 0], [0, win.extra[0]], [0, win.extra[1]], [0, 0]])
          : paddedNhwc(ones, win);
        const frac = tf.avgPool(mask as tf.Tensor4D, win.kernel, win.strides, 'valid');
        y = tf.div(y, frac);
      }
      return [{ t: toNchw(y), kind: 'float', loc: locOf(x) }];
    },
  },

  GlobalAveragePool: {
    run(ctx, inputs) {
      const x = inputs[0]!;
      const s = shapeOf(x);
      if (s.length < 3) ctx.fail(`input has rank ${s.length}; expected [N, C, spatial...]`);
      const loc = locOf(x);
      if (loc && loc.axis >= 2) ctx.mixes('averages over the examples\' axis');
      const axes = s.map((_, i) => i).slice(2);
      return [{ t: tf.mean(ctx.tensor(x), axes, true), kind: 'float', loc }];
    },
  },
};
