#!/usr/bin/python3
"""Generate the PyTorch parity fixtures under test/fixtures/torch/.

An independent check of the probe (src/probe/gram.ts): a few tiny models written in the public
formats (DESIGN.md, "Public contracts"; the spec vocabulary in the README), with the per-example
gradient Gram computed by a different implementation -- PyTorch, in float64, by an explicit
per-example loop. The TypeScript test src/probe/torch-parity.test.ts reads these files; it never
runs Python.

Two kinds of models. The first five (MODELS) run through a functional forward written here over
the spec (F.linear, F.conv2d, ...). The newer ones (MODULE_MODELS) are built from torch's own
modules, with their own parameter layouts, so the reference is the code PyTorch users run:
nn.Linear on the last axis, nn.Conv2d with groups (grouped and depthwise), nn.LayerNorm,
nn.GroupNorm, nn.MaxPool2d (overlapping windows), nn.GELU() (exact erf), nn.Embedding,
nn.MultiheadAttention(batch_first=True) causal and not, a ResNet block with a 1x1 projection
shortcut (with batch norm in eval mode, and in train mode for minibatch.json), and a
language model whose output layer shares the embedding's weight (lm_head.weight = emb.weight);
the Gram is over `model.parameters()`, so the tied table counts once with both uses.

How to rerun (offline, once; the outputs are committed):

    apt-get install -y python3-torch python3-numpy     # Debian's torch (CPU); no pip needed
    /usr/bin/python3 scripts/torch-fixtures.py          # from the repository root

Everything is seeded (one seed per model), so a rerun with the same torch/numpy gives the same
float32 inputs and weights; the float64 reference values may differ in the last bits across
torch versions. Generated with torch 1.13 / numpy 1.24 (Debian bookworm).

For each model, test/fixtures/torch/<name>/ gets:

    spec.json           the model in our spec format (models/spec.ts)
    weights.safetensors float32, our names and layouts: dense kernel [in, out] (= torch
                        Linear.weight transposed), conv kernel [kh, kw, cin/groups, cout] (= torch
                        Conv2d.weight [cout, cin/groups, kh, kw] permuted (2, 3, 1, 0)), batchnorm
                        gamma/beta/mean/variance [c], layernorm/groupnorm gamma/beta [c],
                        embedding table [V, D] (= nn.Embedding.weight), attention
                        query/key/value.kernel [d, d] (= rows 0:d, d:2d, 2d:3d of
                        in_proj_weight, transposed) and .bias, output.kernel (= out_proj.weight
                        transposed) and .bias
    x.npy               float32 inputs [B, d], [B, T, d] or NHWC [B, h, w, c]; token ids [B, T]
                        as float32 (integral values) or int64
    y.npy               targets: one-hot float32 or int64 labels (softmax-xent; [B, T] ids for a
                        per-position output), float32 +-1 (logistic), float32 reals (mse)
    gram.npy            float64 [B, B]: G_ij = <grad f_i, grad f_j>, f_i the loss of example i
                        ALONE (batch norm in eval mode with the stored statistics), gradients
                        w.r.t. every trainable parameter (kernels, biases, gamma, beta)
    losses.npy          float64 [B]: f_i (for a per-position output, the sum over positions)
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
import torch.nn as nn
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


# ---------------------------------------------------------------- torch-module models

ACT = {'tanh': nn.Tanh, 'relu': nn.ReLU, 'sigmoid': nn.Sigmoid, 'linear': nn.Identity, 'gelu': nn.GELU}


class TFSamePad(nn.Module):
    """TensorFlow 'same' padding of NCHW input for a k x k kernel with stride s (see tf_same_pad)."""

    def __init__(self, k, s):
        super().__init__()
        self.k, self.s = k, s

    def forward(self, x):
        return tf_same_pad(x, self.k, self.s)


class ChannelsLast(nn.Module):
    """Apply a module that acts on the last axis to an NCHW image (our NHWC semantics)."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2) if x.dim() == 4 else self.m(x)


class ChannelsFirst(nn.Module):
    """Apply a channels-first module (GroupNorm) to a sequence [B, T, C]."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x.transpose(1, 2)).transpose(1, 2) if x.dim() == 3 else self.m(x)


class SelfAttention(nn.Module):
    def __init__(self, d, heads, causal):
        super().__init__()
        self.mha = nn.MultiheadAttention(d, heads, batch_first=True)
        self.causal = causal

    def forward(self, x):
        t = x.shape[1]
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1) if self.causal else None
        return self.mha(x, x, x, attn_mask=mask, need_weights=False)[0]


class Residual(nn.Module):
    def __init__(self, block, shortcut):
        super().__init__()
        self.block, self.shortcut = block, shortcut

    def forward(self, x):
        return (self.shortcut(x) if self.shortcut is not None else x) + self.block(x)


class Flatten(nn.Module):
    def forward(self, x):
        return (x.permute(0, 2, 3, 1) if x.dim() == 4 else x).reshape(x.shape[0], -1)  # NHWC order


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3)) if x.dim() == 4 else x.mean(dim=1)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def build_torch(layers, shape, prefix, rng, ours, tables):
    """nn.Modules for our spec layers (input shape `shape`, ours: NHWC/[T, d]); random float32
    parameters in OUR layout go to `ours`, the same values (float64) into the modules."""
    mods = []
    for i, l in enumerate(layers):
        name = f'{prefix}.{i}'
        t = l['type']
        if t == 'dense':
            fin = shape[-1]
            lin = nn.Linear(fin, l['units'], bias=l.get('bias', True))
            if 'tied' in l:
                lin.weight = tables[l['tied']]  # the SAME Parameter: PyTorch's weight tying
            else:
                w = f32(rng.standard_normal((fin, l['units'])) * (1.2 / np.sqrt(fin)))
                ours[f'{name}.kernel'] = w
                lin.weight.data = torch.from_numpy(w.T.astype(np.float64)).contiguous()
            if l.get('bias', True):
                b = f32(rng.standard_normal(l['units']) * 0.2)
                ours[f'{name}.bias'] = b
                lin.bias.data = torch.from_numpy(b.astype(np.float64))
            mods += [ChannelsLast(lin), ACT[l.get('activation', 'linear')]()]
            shape = shape[:-1] + [l['units']]
        elif t == 'conv2d':
            k, s, g, cin, cout = l['kernel'], l.get('stride', 1), l.get('groups', 1), shape[2], l['filters']
            conv = nn.Conv2d(cin, cout, k, stride=s, groups=g, bias=l.get('bias', True))
            w = f32(rng.standard_normal((k, k, cin // g, cout)) * (1.2 / np.sqrt(k * k * cin // g)))
            ours[f'{name}.kernel'] = w
            conv.weight.data = torch.from_numpy(w.transpose(3, 2, 0, 1).astype(np.float64)).contiguous()
            if l.get('bias', True):
                b = f32(rng.standard_normal(cout) * 0.2)
                ours[f'{name}.bias'] = b
                conv.bias.data = torch.from_numpy(b.astype(np.float64))
            same = l.get('padding', 'same') == 'same'
            mods += ([TFSamePad(k, s)] if same else []) + [conv, ACT[l.get('activation', 'linear')]()]
            shape = [-(-shape[0] // s), -(-shape[1] // s), cout] if same else [(shape[0] - k) // s + 1, (shape[1] - k) // s + 1, cout]
        elif t in ('batchnorm', 'layernorm', 'groupnorm'):
            c = shape[-1]
            gamma, beta = f32(1 + 0.3 * rng.standard_normal(c)), f32(0.2 * rng.standard_normal(c))
            ours[f'{name}.gamma'], ours[f'{name}.beta'] = gamma, beta
            if t == 'batchnorm':
                m = nn.BatchNorm2d(c, eps=l.get('epsilon', 0.001), momentum=0.0)  # momentum 0: stored stats never change
                mean, var = f32(0.4 * rng.standard_normal(c)), f32(rng.uniform(0.5, 1.5, c))
                ours[f'{name}.mean'], ours[f'{name}.variance'] = mean, var
                m.running_mean.data = torch.from_numpy(mean.astype(np.float64))
                m.running_var.data = torch.from_numpy(var.astype(np.float64))
                wrapped = m
            elif t == 'layernorm':
                m = nn.LayerNorm(c, eps=l.get('epsilon', 1e-5))
                wrapped = ChannelsLast(m)
            else:
                m = nn.GroupNorm(l['groups'], c, eps=l.get('epsilon', 1e-5))
                wrapped = ChannelsFirst(m)
            m.weight.data = torch.from_numpy(gamma.astype(np.float64))
            m.bias.data = torch.from_numpy(beta.astype(np.float64))
            mods.append(wrapped)
        elif t == 'activation':
            mods.append(ACT[l['activation']]())
        elif t == 'flatten':
            mods.append(Flatten())
            shape = [int(np.prod(shape))]
        elif t == 'maxpool':
            k, s = l['size'], l.get('stride', l['size'])
            mods.append(nn.MaxPool2d(k, s))
            shape = [(shape[0] - k) // s + 1, (shape[1] - k) // s + 1, shape[2]]
        elif t == 'avgpool':
            mods.append(nn.AvgPool2d(l['size']))
            shape = [shape[0] // l['size'], shape[1] // l['size'], shape[2]]
        elif t == 'globalavgpool':
            mods.append(GlobalAvgPool())
            shape = [shape[-1]]
        elif t == 'embedding':
            emb = nn.Embedding(l['vocab'], l['dim'])
            w = f32(rng.standard_normal((l['vocab'], l['dim'])))
            ours[f'{name}.table'] = w
            emb.weight.data = torch.from_numpy(w.astype(np.float64))
            tables[f'{name}.table'] = emb.weight
            mods.append(emb)
            shape = [shape[0], l['dim']]
        elif t == 'attention':
            d = shape[-1]
            att = SelfAttention(d, l['heads'], l.get('causal', False))
            proj = {}
            for p in ('query', 'key', 'value', 'output'):
                proj[p] = (f32(rng.standard_normal((d, d)) * (1.2 / np.sqrt(d))), f32(rng.standard_normal(d) * 0.2))
                ours[f'{name}.{p}.kernel'], ours[f'{name}.{p}.bias'] = proj[p]
            att.mha.in_proj_weight.data = torch.from_numpy(np.concatenate([proj[p][0].T for p in ('query', 'key', 'value')]).astype(np.float64))
            att.mha.in_proj_bias.data = torch.from_numpy(np.concatenate([proj[p][1] for p in ('query', 'key', 'value')]).astype(np.float64))
            att.mha.out_proj.weight.data = torch.from_numpy(proj['output'][0].T.astype(np.float64)).contiguous()
            att.mha.out_proj.bias.data = torch.from_numpy(proj['output'][1].astype(np.float64))
            mods.append(att)
        elif t == 'residual':
            block, out = build_torch(l['layers'], shape, f'{name}.layers', rng, ours, tables)
            sc = None
            if 'shortcut' in l:
                sc, _ = build_torch(l['shortcut'], shape, f'{name}.shortcut', rng, ours, tables)
            mods.append(Residual(block, sc))
            shape = out
        else:
            raise ValueError(t)
    return nn.Sequential(*mods), shape


def module_losses(loss, out, y):
    """Per-example losses; a per-position output [B, T, C] sums over positions."""
    if out.dim() == 3:
        b, t, c = out.shape
        if loss == 'softmax-xent':
            return F.cross_entropy(out.reshape(b * t, c), y.reshape(b * t), reduction='none').reshape(b, t).sum(dim=1)
        return 0.5 * ((out - y) ** 2).sum(dim=(1, 2))
    if loss == 'softmax-xent' and y.dim() == 1:
        return F.cross_entropy(out, y, reduction='none')
    return example_losses(loss, out, y)


MODULE_MODELS = [
    # (f) a float sequence [T, d]: dense on the last axis (rank 3) with GELU, GroupNorm over
    # [T, c/G], LayerNorm, mean over positions; one-hot targets.
    dict(name='seq-layernorm-gelu', seed=606, batch=7, targets='onehot',
         spec={'input': [4, 6], 'layers': [
             D(8, 'gelu'), {'type': 'groupnorm', 'groups': 2}, {'type': 'layernorm'}, D(6, 'tanh'),
             {'type': 'globalavgpool'}, D(3, 'linear')], 'loss': 'softmax-xent'}),
    # (g) grouped conv (2 groups), GroupNorm, depthwise conv (groups = channels, 2 per group,
    # stride 2 "same": asymmetric padding on the 6x6 map), overlapping MaxPool2d(2, 1); labels.
    dict(name='conv-groups-maxpool', seed=707, batch=6, targets='labels',
         spec={'input': [6, 6, 4], 'layers': [
             {**C(6, 3, 1, 'relu'), 'groups': 2}, {'type': 'groupnorm', 'groups': 3},
             {**C(12, 3, 2, 'tanh'), 'groups': 6}, {'type': 'maxpool', 'size': 2, 'stride': 1},
             {'type': 'flatten'}, D(3, 'linear')], 'loss': 'softmax-xent'}),
    # (h) token ids (float32 .npy) -> Embedding -> pre-LN MultiheadAttention, 2 heads, then 4 heads
    # causal -> mean over positions -> 3 outputs, square loss.
    dict(name='attention', seed=808, batch=6, targets='real', ids='float',
         spec={'input': [5], 'layers': [
             {'type': 'embedding', 'vocab': 9, 'dim': 8},
             {'type': 'residual', 'layers': [{'type': 'layernorm'}, {'type': 'attention', 'heads': 2}]},
             {'type': 'residual', 'layers': [{'type': 'layernorm'}, {'type': 'attention', 'heads': 4, 'causal': True}]},
             {'type': 'globalavgpool'}, D(3, 'linear')], 'loss': 'mse'}),
    # (i) a ResNet block with a 1x1 stride-2 projection shortcut (conv -> bn), batch norm in eval
    # mode (per-example) and train mode (minibatch.json); labels.
    dict(name='resnet-projection', seed=909, batch=8, targets='labels', minibatch=True,
         spec={'input': [6, 6, 3], 'layers': [
             {**C(4, 3, 1, 'linear'), 'bias': False}, {'type': 'batchnorm'}, {'type': 'activation', 'activation': 'relu'},
             {'type': 'residual',
              'layers': [{**C(6, 3, 2, 'linear'), 'bias': False}, {'type': 'batchnorm'}, {'type': 'activation', 'activation': 'relu'},
                         {**C(6, 3, 1, 'linear'), 'bias': False}, {'type': 'batchnorm', 'epsilon': 0.01}],
              'shortcut': [{**C(6, 1, 2, 'linear'), 'bias': False}, {'type': 'batchnorm'}]},
             {'type': 'activation', 'activation': 'relu'}, {'type': 'globalavgpool'}, D(3, 'linear')], 'loss': 'softmax-xent'}),
    # (j) a tied-embedding causal language model: ids (int64) -> Embedding(13, 8) -> pre-LN causal
    # attention and GELU MLP blocks -> LayerNorm -> Linear(8, 13) sharing the embedding's weight;
    # next-token targets [B, T] (int64), loss summed over positions.
    dict(name='tied-lm', seed=1010, batch=6, targets='sequence-labels', ids='int',
         spec={'input': [6], 'layers': [
             {'type': 'embedding', 'vocab': 13, 'dim': 8},
             {'type': 'residual', 'layers': [{'type': 'layernorm'}, {'type': 'attention', 'heads': 2, 'causal': True}]},
             {'type': 'residual', 'layers': [{'type': 'layernorm'}, D(16, 'gelu'), D(8, 'linear')]},
             {'type': 'layernorm'},
             {'type': 'dense', 'units': 13, 'tied': 'layers.0.table'}], 'loss': 'softmax-xent'}),
]


def make_module_model(m):
    spec, b = m['spec'], m['batch']
    rng = np.random.default_rng(m['seed'])
    torch.manual_seed(m['seed'])
    ours, tables = {}, {}
    model, out_shape = build_torch(spec['layers'], list(spec['input']), 'layers', rng, ours, tables)
    first = spec['layers'][0]
    if first['type'] == 'embedding':
        ids = rng.integers(0, first['vocab'], [b] + spec['input'])
        x = ids.astype(np.float32) if m.get('ids') == 'float' else ids.astype(np.int64)
        xt = torch.from_numpy(ids.astype(np.int64))
    else:
        x = rng.standard_normal([b] + spec['input']).astype(np.float32)
        xt = to_torch_input(x)
    k = out_shape[-1]
    kind = m['targets']
    if kind == 'onehot':
        y = np.eye(k, dtype=np.float32)[rng.integers(0, k, b)]
        yt = torch.from_numpy(y.astype(np.float64))
    elif kind == 'labels':
        y = rng.integers(0, k, b).astype(np.int64)
        yt = torch.from_numpy(y)
    elif kind == 'sequence-labels':
        y = rng.integers(0, k, [b, out_shape[0]]).astype(np.int64)
        yt = torch.from_numpy(y)
    else:
        y = (rng.standard_normal([b] + out_shape) * 0.7).astype(np.float32)
        yt = torch.from_numpy(y.astype(np.float64))
    params = list(model.parameters())  # deduplicated: a tied table appears once
    model.eval()
    grads, losses = [], []
    for i in range(b):
        li = module_losses(spec['loss'], model(xt[i:i + 1]), yt[i:i + 1])[0]
        losses.append(li.item())
        gs = torch.autograd.grad(li, params)
        grads.append(torch.cat([g.reshape(-1) for g in gs]))
    g = torch.stack(grads)
    gram = (g @ g.T).numpy()
    d = os.path.join(ROOT, m['name'])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'spec.json'), 'w') as f:
        json.dump(spec, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(d, 'weights.safetensors'), ours)
    save_npy(os.path.join(d, 'x.npy'), x)
    save_npy(os.path.join(d, 'y.npy'), y)
    save_npy(os.path.join(d, 'gram.npy'), gram)
    save_npy(os.path.join(d, 'losses.npy'), np.array(losses, dtype=np.float64))
    nparams = sum(p.numel() for p in params)
    print(f'{m["name"]}: B={b}, {nparams} trainable params, diag(G) in [{np.diag(gram).min():.3g}, {np.diag(gram).max():.3g}]')
    if m.get('minibatch'):
        model.train()
        configs = []
        for groups in MINIBATCHES:
            gs_, ls_ = [], []
            for idx in groups:
                ix = torch.tensor(idx)
                l = module_losses(spec['loss'], model(xt[ix]), yt[ix])
                ls_ += l.tolist()
                gr = torch.autograd.grad(l.mean(), params)
                gs_.append(torch.cat([q.reshape(-1) for q in gr]))
            G = torch.stack(gs_)
            gm = G @ G.T
            nrm = torch.sqrt(torch.diag(gm))
            cos = gm / (nrm[:, None] * nrm[None, :])
            configs.append({'groups': groups, 'gram_mean': gm.numpy().tolist(), 'cosines': cos.numpy().tolist(), 'losses': ls_})
            off = cos.numpy()[~np.eye(len(groups), dtype=bool)]
            print(f'  minibatch {[len(q) for q in groups]}: cosines in [{off.min():.3f}, {off.max():.3f}]')
        doc = {
            'about': 'Minibatch-MEAN loss gradients with batch norm in TRAIN mode on each minibatch\'s own '
                     'statistics (torch.nn.BatchNorm2d, biased variance over the minibatch and spatial axes), '
                     'torch float64. groups: index lists into x.npy; gram_mean: K x K Gram of the mean gradients; '
                     'cosines: K x K; losses: per-example losses in train mode, examples concatenated group by group.',
            'configs': configs,
        }
        with open(os.path.join(d, 'minibatch.json'), 'w') as f:
            json.dump(doc, f, indent=1)
            f.write('\n')


def main():
    print(f'torch {torch.__version__}, numpy {np.__version__}', file=sys.stderr)
    for m in MODELS:
        make(m)
    for m in MODULE_MODELS:
        make_module_model(m)


if __name__ == '__main__':
    main()
