/**
 * `{"type": "conv2d", "filters": n, "kernel": k, "stride": 1, "padding": "same", "activation":
 * "linear", "bias": true, "groups": 1}`: a k×k convolution of an [h, w, c] input with
 * TensorFlow's padding ("same" is asymmetric for stride > 1), then bias and activation.
 * `groups` splits input and output channels into that many groups (groups = c is depthwise);
 * the kernel is [k, k, c/groups, filters] as Keras, output channels in group order as PyTorch.
 * Parameters `kernel` (conv2d primitive) and `bias` [filters] (shift).
 */
import type * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { ACTIVATIONS, activate, type Activation } from './activation.ts';
import { bool, fail, oneOf, posInt, shapeText } from './fields.ts';
import { conv2d, shift } from '../primitives.ts';
import { convPadding, tfGeometry } from '../ops/conv2d.ts';

export interface Conv2dLayer {
  type: 'conv2d'; filters: number; kernel: number; stride: number; padding: 'same' | 'valid';
  activation: Activation; bias: boolean; groups: number;
}

export const conv2dKind: LayerKind<Conv2dLayer> = {
  type: 'conv2d',
  fields: ['filters', 'kernel', 'stride', 'padding', 'activation', 'bias', 'groups'],
  parse: (o, path) => ({
    type: 'conv2d',
    filters: posInt(o.filters, `${path}.filters`),
    kernel: posInt(o.kernel, `${path}.kernel`),
    stride: posInt(o.stride, `${path}.stride`, 1),
    padding: oneOf(o.padding, ['same', 'valid'] as const, `${path}.padding`, 'same'),
    activation: oneOf(o.activation, ACTIVATIONS, `${path}.activation`, 'linear'),
    bias: bool(o.bias, `${path}.bias`, true),
    groups: posInt(o.groups, `${path}.groups`, 1),
  }),
  outputShape(l, s, at) {
    if (s.length !== 3) fail(at.path, `(conv2d) needs an [h, w, c] input but gets shape ${shapeText(s)}`);
    const [h, w, c] = s as [number, number, number];
    if (c % l.groups !== 0) fail(`${at.path}.groups`, `(${l.groups}) must divide the input channels (${c})`);
    if (l.filters % l.groups !== 0) fail(`${at.path}.groups`, `(${l.groups}) must divide filters (${l.filters})`);
    const ho = convPadding(h, l.kernel, l.stride, l.padding).out;
    const wo = convPadding(w, l.kernel, l.stride, l.padding).out;
    if (ho < 1 || wo < 1) fail(`${at.path}.kernel`, `(${l.kernel}) is larger than the ${h}x${w} input with "valid" padding`);
    return [ho, wo, l.filters];
  },
  params(l, s) {
    const cin = s[2]! / l.groups;
    const k = l.kernel;
    const fanIn = k * k * cin;
    const fanOut = k * k * (l.filters / l.groups);
    return [
      { name: 'kernel', role: 'kernel', shape: [k, k, cin, l.filters], init: 'kernel', fanIn, fanOut, trainable: true, primitive: 'conv2d' },
      ...(l.bias ? [{ name: 'bias', role: 'bias' as const, shape: [l.filters], init: 'zeros' as const, fanIn, fanOut, trainable: true, primitive: 'shift' as const }] : []),
    ];
  },
  forward(l, x, ctx) {
    const x4 = x as tf.Tensor4D;
    const g = tfGeometry(x4.shape[1], x4.shape[2], l.kernel, l.stride, l.padding);
    let z: tf.Tensor = conv2d(x4, ctx.param(ctx.p('kernel')) as tf.Tensor4D, ctx.p('kernel'), g, l.groups, ctx.prim);
    if (l.bias) z = shift(z, ctx.param(ctx.p('bias')), ctx.p('bias'), ctx.prim);
    return activate(z, l.activation);
  },
  probeFloats: (l, s, out) => out[0]! * out[1]! * l.kernel * l.kernel * s[2]!,
};
