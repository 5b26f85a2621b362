#!/usr/bin/python3
"""Export a torch.nn.Sequential to gradconf's JSON spec + safetensors weights (README, "Models from PyTorch").

Supports Linear, Conv2d (square kernel, equal strides, padding 0 = "valid" or k//2 with stride 1
= "same"), BatchNorm2d/BatchNorm1d, Flatten, ReLU/Tanh/Sigmoid, AvgPool2d (stride = kernel),
Dropout (skipped). Layouts are transposed to tfjs's: Linear.weight [out, in] -> kernel [in, out],
Conv2d.weight [cout, cin, kh, kw] -> kernel [kh, kw, cin, cout]. gradconf's inputs are NHWC: a
Linear after Flatten sees the channels-last flattening, so its input columns are permuted here.

Usage: export(model, input_shape_nhwc_or_d, loss, 'spec.json', 'weights.safetensors')
"""
import json
import struct

import numpy as np
import torch
import torch.nn as nn

ACT = {nn.ReLU: 'relu', nn.Tanh: 'tanh', nn.Sigmoid: 'sigmoid'}


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        b = np.ascontiguousarray(arr, dtype='<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def export(model, input_shape, loss, spec_path, weights_path):
    layers, w, shape = [], {}, list(input_shape)   # shape tracks NHWC (or [d])
    perm = None   # input-column permutation for a Linear right after a Flatten of an image
    for m in model:
        i = len(layers)
        t = lambda x: x.detach().double().numpy()
        if isinstance(m, nn.Linear):
            k = t(m.weight)[:, perm].T if perm is not None else t(m.weight).T   # [in, out]
            perm = None
            layers.append({'type': 'dense', 'units': m.out_features, 'activation': 'linear', 'bias': m.bias is not None})
            w[f'layers.{i}.kernel'] = k
            if m.bias is not None: w[f'layers.{i}.bias'] = t(m.bias)
            shape = [m.out_features]
        elif isinstance(m, nn.Conv2d):
            k, s = m.kernel_size[0], m.stride[0]
            pad = 'valid' if m.padding in (0, (0, 0)) else 'same'
            layers.append({'type': 'conv2d', 'filters': m.out_channels, 'kernel': k, 'stride': s, 'padding': pad, 'activation': 'linear', 'bias': m.bias is not None})
            w[f'layers.{i}.kernel'] = t(m.weight).transpose(2, 3, 1, 0)   # [kh, kw, cin, cout]
            if m.bias is not None: w[f'layers.{i}.bias'] = t(m.bias)
            h, wd, _ = shape
            shape = [-(-h // s), -(-wd // s), m.out_channels] if pad == 'same' else [(h - k) // s + 1, (wd - k) // s + 1, m.out_channels]
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            layers.append({'type': 'batchnorm', 'epsilon': m.eps})
            for role, v in (('gamma', m.weight), ('beta', m.bias), ('mean', m.running_mean), ('variance', m.running_var)):
                w[f'layers.{i}.{role}'] = t(v)
        elif isinstance(m, nn.Flatten):
            layers.append({'type': 'flatten'})
            if len(shape) == 3:
                # torch flattens (c, h, w); gradconf flattens (h, w, c): the next Linear's input
                # columns are taken in gradconf's order (the torch model itself is not modified).
                h, wd, c = shape
                perm = np.arange(c * h * wd).reshape(c, h, wd).transpose(1, 2, 0).reshape(-1)
            shape = [int(np.prod(shape))]
        elif type(m) in ACT:
            layers.append({'type': 'activation', 'activation': ACT[type(m)]})
        elif isinstance(m, nn.AvgPool2d):
            layers.append({'type': 'avgpool', 'size': m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]})
            h, wd, c = shape
            shape = [h // layers[-1]['size'], wd // layers[-1]['size'], c]
        elif isinstance(m, nn.Dropout):
            continue
        else:
            raise ValueError(f'unsupported layer {m}')
    json.dump({'input': list(input_shape), 'layers': layers, 'loss': loss}, open(spec_path, 'w'), indent=1)
    write_safetensors(weights_path, w)


if __name__ == '__main__':
    import sys
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.AvgPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 14 * 14, 10)).eval()
    export(model, [28, 28, 1], 'softmax-xent', sys.argv[1], sys.argv[2])
