#!/usr/bin/python3
"""Generate the PyTorch parity fixtures under test/fixtures/torch/.

An independent check of the probe (src/probe/gram.ts): a few tiny models written in the public
formats (DESIGN.md, "Public contracts"), with the per-example gradient Gram computed by a
different implementation -- PyTorch, in float64, by an explicit per-example loop. The TypeScript
test src/probe/torch-parity.test.ts reads these files; it never runs Python.

How to rerun (offline, once; the outputs are committed):

    apt-get install -y python3-torch python3-numpy     # Debian's torch (CPU); no pip needed
    /usr/bin/python3 scripts/torch-fixtures.py          # from the repository root

Everything is seeded (one seed per model), so a rerun with the same torch/numpy gives the same
float32 inputs and weights; the float64 reference values may differ in the last bits across
torch versions. Generated with torch 1.13 / numpy 1.24 (Debian bookworm).

For each model, test/fixtures/torch/<name>/ gets:

    spec.json           the model in our spec format (models/spec.ts)
    weights.safetensors float32, our names and layouts: dense kernel [in, out] (= torch
                        Linear.weight transposed), conv kernel [kh, kw, cin, cout] (= torch
                        Conv2d.weight [cout, cin, kh, kw] permuted (2, 3, 1, 0)), batchnorm
                        gamma/beta/mean/variance [c]
    x.npy               float32 inputs [B, d] or NHWC [B, h, w, c]
    y.npy               targets: one-hot float32 or int64 labels (softmax-xent), float32 +-1
                        (logistic), float32 reals (mse)
    gram.npy            float64 [B, B]: G_ij = <grad f_i, grad f_j>, f_i the loss of example i
                        ALONE (batch norm in eval mode with the stored statistics), gradients
                        w.r.t. every trainable parameter (kernels, biases, gamma, beta)
    losses.npy          float64 [B]: f_i
    minibatch.json      (models with batch norm only) explicit minibatches (index lists into
                        x.npy) and, with batch norm in TRAIN mode on each minibatch's own
                        statistics (biased variance, over the minibatch and spatial axes), the
                        K x K Gram and cosines of the minibatch-MEAN loss gradients, plus the
                        per-example losses in that mode (examples concatenated group by group)

The torch model is built in torch's own layout (NCHW, Linear/Conv2d weight layouts), from the SAME
float32 values as the safetensors file, upcast to float64; TensorFlow's "same" padding (asymmetric
for stride > 1: the extra row/column goes bottom/right) is applied with an explicit F.pad.
The safetensors and .npy files are written here by hand (np.save for .npy; safetensors = u64 LE
header length + JSON header + raw little-endian bytes).
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'torch')


# ---------------------------------------------------------------- file writers

def write_safetensors(path, tensors):
    """tensors: dict name -> float32 numpy array (our layout). Writes the safetensors format."""
    header = {'__metadata__': {'generator': 'scripts/torch-fixtures.py'}}
    blobs = []
    off = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype='<f4')
        b = a.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)  # the format allows trailing spaces; keeps data 8-aligned
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def save_npy(path, arr):
    np.save(path, arr, allow_pickle=False)


# ---------------------------------------------------------------- the torch model (NCHW)

def tf_same_pad(x, k, s):
    """TensorFlow 'same' padding of an NCHW tensor: total = max((out-1)*s + k - in, 0), the
    smaller half before (top/left), the extra after (bottom/right)."""
    h, w = x.shape[2], x.shape[3]
    pads = []
    for n in (w, h):  # F.pad takes the last axis first
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


def activate(x, a):
    return {'tanh': torch.tanh, 'relu': torch.relu, 'sigmoid': torch.sigmoid, 'linear': lambda t: t}[a](x)


def forward(layers, params, x, prefix, bn_train):
    """x: NCHW (images) or [B, d]. params: name -> float64 tensor in TORCH layout."""
    h = x
    for i, l in enumerate(layers):
        name = f'{prefix}.{i}'
        t = l['type']
        if t == 'dense':
            h = F.linear(h, params[f'{name}.kernel'], params.get(f'{name}.bias'))
            h = activate(h, l['activation'])
        elif t == 'conv2d':
            k, s = l['kernel'], l['stride']
            inp = tf_same_pad(h, k, s) if l['padding'] == 'same' else h
            h = F.conv2d(inp, params[f'{name}.kernel'], params.get(f'{name}.bias'), stride=s)
            h = activate(h, l['activation'])
        elif t == 'batchnorm':
            eps = l.get('epsilon', 0.001)
            shape = [1, -1] + [1] * (h.dim() - 2)  # channel axis is 1 in torch
            if bn_train:
                axes = [0] + list(range(2, h.dim()))
                mean = h.mean(dim=axes, keepdim=True)
                var = ((h - mean) ** 2).mean(dim=axes, keepdim=True)  # biased
            else:
                mean = params[f'{name}.mean'].reshape(shape)
                var = params[f'{name}.variance'].reshape(shape)
            h = params[f'{name}.gamma'].reshape(shape) * (h - mean) / torch.sqrt(var + eps) \
                + params[f'{name}.beta'].reshape(shape)
        elif t == 'flatten':
            if h.dim() == 4:
                h = h.permute(0, 2, 3, 1)  # flatten in NHWC order, as our spec does
            h = h.reshape(h.shape[0], -1)
        elif t == 'activation':
            h = activate(h, l['activation'])
        elif t == 'avgpool':
            h = F.avg_pool2d(h, l['size'], l['size'])  # stride = size, no padding, floor
        elif t == 'residual':
            h = h + forward(l['layers'], params, h, f'{name}.layers', bn_train)
        else:
            raise ValueError(t)
    return h


def example_losses(loss, out, y):
    if loss == 'mse':
        return 0.5 * ((out - y) ** 2).sum(dim=1)
    if loss == 'logistic':
        return F.softplus(-y * out).reshape(-1)
    if loss == 'softmax-xent':
        return -(y * F.log_softmax(out, dim=1)).sum(dim=1)
    raise ValueError(loss)


# ---------------------------------------------------------------- parameters

def make_params(spec, rng):
    """Torch-layout float32 numpy parameters, and our-layout copies for safetensors.
    Returns (torch_params: name -> np.float32 array, ours: name -> np.float32, trainable names)."""
    tp, ours, trainable = {}, {}, []

    def walk(layers, shape, prefix):
        for i, l in enumerate(layers):
            name = f'{prefix}.{i}'
            t = l['type']
            if t == 'dense':
                fin = shape[0]
                w = (rng.standard_normal((l['units'], fin)) * (1.2 / np.sqrt(fin))).astype(np.float32)  # torch [out, in]
                tp[f'{name}.kernel'] = w
                ours[f'{name}.kernel'] = np.ascontiguousarray(w.T)
                trainable.append(f'{name}.kernel')
                if l.get('bias', True):
                    b = (rng.standard_normal(l['units']) * 0.2).astype(np.float32)
                    tp[f'{name}.bias'] = b
                    ours[f'{name}.bias'] = b
                    trainable.append(f'{name}.bias')
                shape = [l['units']]
            elif t == 'conv2d':
                k, cin, cout = l['kernel'], shape[2], l['filters']
                w = (rng.standard_normal((cout, cin, k, k)) * (1.2 / np.sqrt(k * k * cin))).astype(np.float32)
                tp[f'{name}.kernel'] = w
                ours[f'{name}.kernel'] = np.ascontiguousarray(w.transpose(2, 3, 1, 0))  # [kh, kw, cin, cout]
                trainable.append(f'{name}.kernel')
                if l.get('bias', True):
                    b = (rng.standard_normal(cout) * 0.2).astype(np.float32)
                    tp[f'{name}.bias'] = b
                    ours[f'{name}.bias'] = b
                    trainable.append(f'{name}.bias')
                s = l['stride']
                if l['padding'] == 'same':
                    shape = [-(-shape[0] // s), -(-shape[1] // s), cout]
                else:
                    shape = [(shape[0] - k) // s + 1, (shape[1] - k) // s + 1, cout]
            elif t == 'batchnorm':
                c = shape[-1]
                vals = {
                    'gamma': 1 + 0.3 * rng.standard_normal(c),
                    'beta': 0.2 * rng.standard_normal(c),
                    'mean': 0.4 * rng.standard_normal(c),
                    'variance': rng.uniform(0.5, 1.5, c),
                }
                for role, v in vals.items():
                    v = v.astype(np.float32)
                    tp[f'{name}.{role}'] = v
                    ours[f'{name}.{role}'] = v
                trainable.extend([f'{name}.gamma', f'{name}.beta'])
            elif t == 'flatten':
                shape = [int(np.prod(shape))]
            elif t == 'avgpool':
                shape = [shape[0] // l['size'], shape[1] // l['size'], shape[2]]
            elif t == 'residual':
                walk(l['layers'], shape, f'{name}.layers')
    walk(spec['layers'], spec['input'], 'layers')
    return tp, ours, trainable


# ---------------------------------------------------------------- references

def to_torch_input(x):
    t = torch.from_numpy(x.astype(np.float64))
    return t.permute(0, 3, 1, 2).contiguous() if t.dim() == 4 else t  # NHWC -> NCHW


def loss_targets(spec, y, k):
    """Float64 [B, K] targets as the loss takes them (integer labels -> one-hot)."""
    if spec['loss'] == 'softmax-xent' and y.ndim == 1:
        t = torch.zeros(len(y), k)
        t[torch.arange(len(y)), torch.from_numpy(y.astype(np.int64))] = 1
        return t
    return torch.from_numpy(y.astype(np.float64)).reshape(len(y), k)


def flat_grad(loss, params, trainable):
    gs = torch.autograd.grad(loss, [params[n] for n in trainable])
    return torch.cat([g.reshape(-1) for g in gs])


def per_example_gram(spec, params, trainable, x, yt):
    """Explicit loop: gradient of each example's loss alone (batch norm in eval mode)."""
    grads, losses = [], []
    for i in range(x.shape[0]):
        out = forward(spec['layers'], params, x[i:i + 1], 'layers', bn_train=False)
        li = example_losses(spec['loss'], out, yt[i:i + 1])[0]
        losses.append(li.item())
        grads.append(flat_grad(li, params, trainable))
    g = torch.stack(grads)
    return (g @ g.T).numpy(), np.array(losses, dtype=np.float64)


def minibatch_reference(spec, params, trainable, x, yt, groups):
    """Minibatch-MEAN loss gradients, batch norm in train mode on each minibatch's statistics."""
    grads, losses = [], []
    for idx in groups:
        ix = torch.tensor(idx)
        out = forward(spec['layers'], params, x[ix], 'layers', bn_train=True)
        l = example_losses(spec['loss'], out, yt[ix])
        losses += l.tolist()
        grads.append(flat_grad(l.mean(), params, trainable))
    g = torch.stack(grads)
    gram = g @ g.T
    n = torch.sqrt(torch.diag(gram))
    cos = gram / (n[:, None] * n[None, :])
    return gram.numpy(), cos.numpy(), losses


# ---------------------------------------------------------------- the models

def D(units, act, bias=True):
    return {'type': 'dense', 'units': units, 'activation': act, 'bias': bias}


def C(filters, k, s, act, padding='same'):
    return {'type': 'conv2d', 'filters': filters, 'kernel': k, 'stride': s, 'padding': padding,
            'activation': act, 'bias': True}


MODELS = [
    # (a) MLP, tanh/relu, softmax cross-entropy with one-hot targets.
    dict(name='mlp-softmax', seed=101, batch=8, targets='onehot',
         spec={'input': [6], 'layers': [D(10, 'tanh'), D(8, 'relu'), D(3, 'linear')], 'loss': 'softmax-xent'}),
    # (b) the paper's g_W: dense tanh at every layer (the output too), no bias, scalar output, square loss.
    dict(name='gw-mse', seed=202, batch=7, targets='real',
         spec={'input': [5], 'layers': [D(7, 'tanh', False), D(7, 'tanh', False), D(1, 'tanh', False)], 'loss': 'mse'}),
    # (c) logistic loss, scalar output, targets +-1 of shape [B].
    dict(name='logistic', seed=303, batch=8, targets='pm1',
         spec={'input': [4], 'layers': [D(6, 'sigmoid'), D(5, 'tanh'), D(1, 'linear')], 'loss': 'logistic'}),
    # (d) CNN on a 6x7 input: the 3x3 stride-2 "same" conv pads rows (0 top, 1 bottom: asymmetric,
    # h even) and columns (1, 1); avgpool 2 (valid) drops the odd last row of the 3x4 map.
    # Integer class labels (int64 .npy).
    dict(name='cnn-stride2', seed=404, batch=6, targets='labels',
         spec={'input': [6, 7, 2], 'layers': [C(4, 3, 1, 'relu'), C(5, 3, 2, 'tanh'), {'type': 'avgpool', 'size': 2},
                                               {'type': 'flatten'}, D(3, 'linear')], 'loss': 'softmax-xent'}),
    # (e) residual net with batch norm (non-trivial stored mean/variance), square loss, 2 outputs.
    dict(name='resnet-bn', seed=505, batch=8, targets='real', minibatch=True,
         spec={'input': [5, 4, 3], 'layers': [
             C(4, 3, 1, 'linear'), {'type': 'batchnorm', 'epsilon': 0.001}, {'type': 'activation', 'activation': 'relu'},
             {'type': 'residual', 'layers': [C(4, 3, 1, 'tanh'), {'type': 'batchnorm', 'epsilon': 0.01}]},
             {'type': 'flatten'}, D(2, 'linear')], 'loss': 'mse'}),
]

# Minibatches for minibatch.json: each configuration is a list of K equal-size index lists into
# x.npy (disjoint within a configuration, in a scrambled order so concatenation order matters).
MINIBATCHES = [
    [[5, 2], [0, 7], [3, 1], [6, 4]],
    [[7, 0, 4, 2], [1, 6, 3, 5]],
]


def output_units(spec):
    return spec['layers'][-1]['units']


def make(m):
    spec, b = m['spec'], m['batch']
    rng = np.random.default_rng(m['seed'])
    torch.manual_seed(m['seed'])
    k = output_units(spec)
    tp, ours, trainable = make_params(spec, rng)
    x = rng.standard_normal([b] + spec['input']).astype(np.float32)
    kind = m['targets']
    if kind == 'onehot':
        y = np.eye(k, dtype=np.float32)[rng.integers(0, k, b)]
    elif kind == 'labels':
        y = rng.integers(0, k, b).astype(np.int64)
    elif kind == 'pm1':
        y = np.where(rng.random(b) < 0.5, -1.0, 1.0).astype(np.float32)
    else:
        y = (rng.standard_normal((b, k)) * 0.7).astype(np.float32)

    params = {n: torch.from_numpy(v.astype(np.float64)).requires_grad_(n in trainable) for n, v in tp.items()}
    xt = to_torch_input(x)
    yt = loss_targets(spec, y, k)
    gram, losses = per_example_gram(spec, params, trainable, xt, yt)

    d = os.path.join(ROOT, m['name'])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'spec.json'), 'w') as f:
        json.dump(spec, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(d, 'weights.safetensors'), ours)
    save_npy(os.path.join(d, 'x.npy'), x)
    save_npy(os.path.join(d, 'y.npy'), y)
    save_npy(os.path.join(d, 'gram.npy'), gram)
    save_npy(os.path.join(d, 'losses.npy'), losses)
    nparams = sum(v.size for n, v in tp.items() if n in trainable)
    print(f'{m["name"]}: B={b}, {nparams} trainable params, diag(G) in [{np.diag(gram).min():.3g}, {np.diag(gram).max():.3g}]')

    if m.get('minibatch'):
        configs = []
        for groups in MINIBATCHES:
            g, cos, l = minibatch_reference(spec, params, trainable, xt, yt, groups)
            configs.append({'groups': groups, 'gram_mean': g.tolist(), 'cosines': cos.tolist(), 'losses': l})
            off = cos[~np.eye(len(groups), dtype=bool)]
            print(f'  minibatch {[len(q) for q in groups]}: cosines in [{off.min():.3f}, {off.max():.3f}]')
        doc = {
            'about': 'Minibatch-MEAN loss gradients with batch norm in TRAIN mode on each minibatch\'s own '
                     'statistics (biased variance over the minibatch and spatial axes), torch float64. '
                     'groups: index lists into x.npy; gram_mean: K x K Gram of the mean gradients; '
                     'cosines: K x K; losses: per-example losses in train mode, examples concatenated '
                     'group by group.',
            'configs': configs,
        }
        with open(os.path.join(d, 'minibatch.json'), 'w') as f:
            json.dump(doc, f, indent=1)
            f.write('\n')


def main():
    print(f'torch {torch.__version__}, numpy {np.__version__}', file=sys.stderr)
    for m in MODELS:
        make(m)


if __name__ == '__main__':
    main()
