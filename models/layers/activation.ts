/**
 * `{"type": "activation", "activation": a}`: a pointwise nonlinearity, and the activations every
 * layer accepts: tanh, relu, sigmoid, linear, and gelu — the exact erf form
 * x·Φ(x) = ½x(1 + erf(x/√2)), PyTorch's default `nn.GELU()` (not the tanh approximation).
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerKind } from './kind.ts';
import { oneOf } from './fields.ts';

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Pointwise activation. */
export function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'tanh': return tf.tanh(x);
    case 'relu': return tf.relu(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'linear': return x;
    case 'gelu': return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  }
}

export interface ActivationLayer { type: 'activation'; activation: Activation }

export const activationKind: LayerKind<ActivationLayer> = {
  type: 'activation',
  fields: ['activation'],
  parse: (o, path) => ({ type: 'activation', activation: oneOf(o.activation, ACTIVATIONS, `${path}.activation`) }),
  outputShape: (_l, s) => s,
  params: () => [],
  forward: (l, x) => activate(x, l.activation),
};
