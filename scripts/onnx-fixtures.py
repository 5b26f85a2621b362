#!/usr/bin/python3
"""Generate the ONNX parity fixtures under test/fixtures/onnx/ (issue 17, part 4).

Each model of issue 17's part 2 is exported with `torch.onnx.export` (Debian's python3-torch 1.13;
no `onnx` Python package needed) and written next to its inputs, targets, the PyTorch outputs and
a float64 per-example gradient Gram computed in PyTorch by an explicit per-example loop over
model.parameters(). The TypeScript tests (src/onnx/*.test.ts) read these files; npm test never
runs Python, except for resnet18 (44 MB of weights, too big to commit), which the test generates
with `--only resnet18 --out DIR` when /usr/bin/python3 has torch and skips with a printed reason
otherwise.

How to rerun (offline; the outputs are committed):

    apt-get install -y python3-torch python3-torchvision python3-numpy
    /usr/bin/python3 scripts/onnx-fixtures.py                    # all committed fixtures
    /usr/bin/python3 scripts/onnx-fixtures.py --only resnet18 --out /tmp/x

Per fixture, <out>/<name>/ gets:

    model.onnx   the export (opset in meta.json; initializers as raw_data, as torch writes them)
    x.npy        float32 inputs, NCHW for images (as PyTorch takes them), or int64 token ids
    y.npy        targets: int64 class labels (softmax-xent), float32 +-1 [B] (logistic),
                 float32 reals [B, K] (mse, K = the flattened output size per example)
    logits.npy   float64 [B, ...]: the model's output on x, float64 forward of the same float32
                 weights (model.double(), eval mode)
    losses.npy   float64 [B]: f_i, the loss of example i alone (sum reduction, DESIGN.md)
    gram.npy     float64 [B, B]: G_ij = <grad f_i, grad f_j>, gradients w.r.t. every tensor of
                 model.parameters() (batch norm in eval mode: running statistics are buffers)
    minibatch_gram.npy  (batchnorm only) float64 [K, K], K = B/m: the Gram of the gradients of
                 the summed losses of the contiguous groups of m = meta.minibatch_group examples,
                 each group run alone in training mode (batch norm on its own statistics)
    meta.json    loss, opset, batch size, export options, parameter names/shapes and count

Losses per example, on the output flattened to [B, K]: mse = 1/2 sum_k (out_k - y_k)^2; logistic =
log(1 + exp(-y out)) (K = 1, y in {-1, +1}); softmax-xent = -log softmax(out)_{y}.

Export options, and why:
- dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}} everywhere except `conv-fixed`: the batch
  axis is then symbolic and reshapes go through Shape/Gather/Unsqueeze/Concat chains (what issue
  17 calls shape computations); `conv-fixed` keeps torch's default fixed batch.
- training=TrainingMode.PRESERVE for models with batch norm: torch's default (EVAL) folds each
  BatchNorm into the preceding Conv's weight and bias, so the ONNX initializers would be a
  different parametrization (W*gamma/sigma) than model.parameters() and the Grams would differ.
  PRESERVE on a model in eval() keeps BatchNormalization nodes with inference semantics.
- Every float parameter is drawn at random (seeded) so that no two initializers are equal:
  torch's exporter deduplicates initializers with EQUAL VALUES (e.g. zero biases, unit LayerNorm
  weights) into one initializer plus Identity nodes. `transformer-13` and `resnet18` keep
  PyTorch's default init on purpose, to pin how gradconf undoes that (src/onnx/parameters.ts).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx')


# ---------------------------------------------------------------- models

class MHA(nn.Module):
    """nn.MultiheadAttention (self-attention, batch_first) with a linear head on the flattened output."""

    def __init__(s, e=8, heads=2, t=3, k=3):
        super().__init__()
        s.att = nn.MultiheadAttention(e, heads, batch_first=True)
        s.head = nn.Linear(t * e, k)

    def forward(s, x):
        h = s.att(x, x, x, need_weights=False)[0]
        return s.head(h.flatten(1))


class Encoder(nn.Module):
    """nn.TransformerEncoderLayer, mean over tokens, linear head."""

    def __init__(s, e=8, heads=2, ff=16, k=3, activation='relu'):
        super().__init__()
        s.enc = nn.TransformerEncoderLayer(e, heads, ff, dropout=0.0, batch_first=True, activation=activation)
        s.head = nn.Linear(e, k)

    def forward(s, x):
        return s.head(s.enc(x).mean(dim=1))


class Embed(nn.Module):
    """nn.Embedding on int64 token ids, flattened, linear head."""

    def __init__(s, vocab=11, e=4, t=5, k=3):
        super().__init__()
        s.emb = nn.Embedding(vocab, e)
        s.head = nn.Linear(t * e, k)

    def forward(s, ids):
        return s.head(torch.tanh(s.emb(ids)).flatten(1))


class Shapes(nn.Module):
    """The shape ops and the less common ways a parameter enters a primitive.

    MatMul with the weight on the LEFT (W @ x), a bias Add after a 3-D MatMul (nn.Linear on a
    rank-3 input), Gemm with alpha/beta != 1 and transB = 0 (torch.addmm), an elementwise scale
    and shift outside any norm (h * gamma + beta), Transpose/Slice/Concat/Unsqueeze/Squeeze and a
    reshape through Shape/Gather/Concat, ReduceMean, Sub/Div with constants.
    """

    def __init__(s):
        super().__init__()
        s.left = nn.Parameter(torch.randn(5, 4) * 0.5)       # [5, 4] @ x[B, 4, 6] -> [B, 5, 6]
        s.l1 = nn.Linear(6, 8)                                # on [B, 5, 6]
        s.gamma = nn.Parameter(1 + 0.3 * torch.randn(8))
        s.beta = nn.Parameter(0.2 * torch.randn(8))
        s.w2 = nn.Parameter(torch.randn(8, 3) * 0.4)          # addmm: [in, out], Gemm transB = 0
        s.b2 = nn.Parameter(0.2 * torch.randn(3))

    def forward(s, x):
        h = torch.matmul(s.left, x)                           # [B, 5, 6]
        h = s.l1(h)                                           # [B, 5, 8]
        h = torch.tanh(h) * s.gamma + s.beta                  # scale, shift on the last axis
        h = h.transpose(1, 2)                                 # [B, 8, 5]
        h = torch.cat([h[:, :, 1:4], h[:, :, :1]], dim=2)     # [B, 8, 4]
        h = h.unsqueeze(1).squeeze(1)
        h = h.reshape(h.size(0), 8, 2, -1).mean(dim=3).reshape(h.size(0), -1)  # [B, 16]
        h = h[:, ::2]                                         # strided Slice -> [B, 8]
        h = h - 1.0 / (1.0 + h * h)
        return torch.addmm(s.b2, h, s.w2, beta=0.5, alpha=2.0)


def conv_net():
    """Conv2d with pads, strides, groups, dilation, a non-square kernel; pools of every kind."""
    return nn.Sequential(
        nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2),    # [B, 6, 5, 5] from 9x9
        nn.ReLU(),
        nn.Conv2d(6, 6, (3, 2), stride=(1, 2), padding=(1, 0), groups=3),  # [B, 6, 5, 2]
        nn.Sigmoid(),
        nn.MaxPool2d(2, stride=1, ceil_mode=True),            # [B, 6, 5, 2]
        nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),  # [B, 6, 3, 1]
        nn.Conv2d(6, 5, 2, dilation=2, padding=1),             # dilated: [B, 5, 3, 1]
        nn.Tanh(),
        nn.AdaptiveAvgPool2d(1),                              # GlobalAveragePool
        nn.Flatten(),
        nn.Linear(5, 3))


def bn_net():
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.AvgPool2d(2),                                      # Pad + AveragePool (count_include_pad)
        nn.Flatten(), nn.Linear(4 * 3 * 3, 6), nn.BatchNorm1d(6), nn.Tanh(), nn.Linear(6, 1))


def gn_net():
    return nn.Sequential(
        nn.Conv2d(2, 4, 3), nn.GroupNorm(2, 4), nn.SiLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(4 * 2 * 2, 3))


def ln_net():
    return nn.Sequential(nn.Linear(5, 6), nn.LayerNorm(6), nn.GELU(), nn.Linear(6, 4))


def resnet18():
    import torchvision
    return torchvision.models.resnet18(num_classes=5)


# name, builder, input kind + shape (without batch), batch, loss, opset, options
FIXTURES = [
    dict(name='linear', build=lambda: nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3)),
         x=('float', [5]), batch=6, loss='softmax-xent', opset=17),
    dict(name='conv', build=conv_net, x=('float', [4, 9, 9]), batch=5, loss='mse', opset=17),
    dict(name='conv-fixed', build=conv_net, x=('float', [4, 9, 9]), batch=4, loss='softmax-xent', opset=13, fixed_batch=True),
    dict(name='batchnorm', build=bn_net, x=('float', [3, 6, 6]), batch=6, loss='logistic', opset=17, preserve=True, bn_stats=True,
         minibatch_group=2),
    dict(name='groupnorm', build=gn_net, x=('float', [2, 6, 6]), batch=5, loss='softmax-xent', opset=17),
    dict(name='layernorm-17', build=ln_net, x=('float', [5]), batch=6, loss='mse', opset=17),
    dict(name='layernorm-13', build=ln_net, x=('float', [5]), batch=6, loss='mse', opset=13),
    dict(name='embedding', build=Embed, x=('ids', [5], 11), batch=6, loss='softmax-xent', opset=17),
    dict(name='shapes', build=Shapes, x=('float', [4, 6]), batch=5, loss='mse', opset=17),
    dict(name='mha', build=MHA, x=('float', [3, 8]), batch=4, loss='softmax-xent', opset=17),
    dict(name='transformer-17', build=lambda: Encoder(activation='gelu'), x=('float', [4, 8]), batch=4, loss='softmax-xent', opset=17),
    # PyTorch's default init on purpose: zero biases and unit LayerNorm weights get deduplicated.
    dict(name='transformer-13', build=Encoder, x=('float', [4, 8]), batch=4, loss='mse', opset=13, default_init=True),
]
GENERATED = [
    dict(name='resnet18', build=resnet18, x=('float', [3, 32, 32]), batch=4, loss='softmax-xent', opset=17, preserve=True,
         default_init=True),
]


# ---------------------------------------------------------------- references

def flat(out):
    return out.reshape(out.shape[0], -1)


def example_losses(loss, out, y):
    out = flat(out)
    if loss == 'mse':
        return 0.5 * ((out - y) ** 2).sum(dim=1)
    if loss == 'logistic':
        return F.softplus(-y.reshape(-1) * out.reshape(-1))
    if loss == 'softmax-xent':
        return -F.log_softmax(out, dim=1).gather(1, y.reshape(-1, 1)).reshape(-1)
    raise ValueError(loss)


def per_example_gram(model, x, y, loss):
    params = [p for p in model.parameters() if p.requires_grad]
    grads, losses = [], []
    for i in range(x.shape[0]):
        li = example_losses(loss, model(x[i:i + 1]), y[i:i + 1])[0]
        losses.append(li.item())
        gs = torch.autograd.grad(li, params)
        grads.append(torch.cat([g.reshape(-1) for g in gs]))
    g = torch.stack(grads)
    return (g @ g.T).numpy(), np.array(losses)


def minibatch_gram(model, x, y, loss, m):
    """K x K Gram (K = B/m) of the gradients of the contiguous groups' SUMMED losses, each group run
    alone in TRAINING mode (batch norm on the group's own statistics: the paper's minibatch
    protocol), on a copy so the running statistics of `model` stay untouched."""
    import copy
    grads = []
    for a in range(0, x.shape[0], m):
        mm = copy.deepcopy(model).train()
        params = [p for p in mm.parameters() if p.requires_grad]
        la = example_losses(loss, mm(x[a:a + m]), y[a:a + m]).sum()
        grads.append(torch.cat([g.reshape(-1) for g in torch.autograd.grad(la, params)]))
    g = torch.stack(grads)
    return (g @ g.T).numpy()


# ---------------------------------------------------------------- one fixture

def randomize(model, gen):
    """Draw every float parameter (and batch-norm running statistics) at random, so that no two
    initializers are equal; weights keep their default scale."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                continue  # keep the default (kaiming-uniform) weights
            if name.endswith('weight'):  # norm scales
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=gen))


def make(fx, out_root, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model = fx['build']()
    if not fx.get('default_init'):
        randomize(model, gen)
    if fx.get('bn_stats'):
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.running_mean.copy_(0.4 * torch.randn(m.running_mean.shape, generator=gen))
                    m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen))
    model.eval()
    b = fx['batch']
    kind, shape = fx['x'][0], fx['x'][1]
    if kind == 'ids':
        x = torch.randint(0, fx['x'][2], [b] + shape, generator=gen)
    else:
        x = torch.randn([b] + shape, generator=gen)

    d = os.path.join(out_root, fx['name'])
    os.makedirs(d, exist_ok=True)
    opts = dict(opset_version=fx['opset'], input_names=['x'], output_names=['y'])
    if not fx.get('fixed_batch'):
        opts['dynamic_axes'] = {'x': {0: 'batch'}, 'y': {0: 'batch'}}
    if fx.get('preserve'):
        opts['training'] = torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, x, os.path.join(d, 'model.onnx'), **opts)

    md = model.double()
    xd = x if kind == 'ids' else x.double()
    with torch.no_grad():
        logits = md(xd)
    k = flat(logits).shape[1]
    loss = fx['loss']
    if loss == 'softmax-xent':
        y = torch.randint(0, k, [b], generator=gen)
        y_np = y.numpy().astype(np.int64)
    elif loss == 'logistic':
        assert k == 1
        y = torch.where(torch.rand(b, generator=gen) < 0.5, -1.0, 1.0).double()
        y_np = y.numpy().astype(np.float32)
    else:
        y = (0.7 * torch.randn(b, k, generator=gen)).float().double()
        y_np = y.numpy().astype(np.float32)
    gram, losses = per_example_gram(md, xd, y, loss)
    group = fx.get('minibatch_group')
    if group:
        np.save(os.path.join(d, 'minibatch_gram.npy'), minibatch_gram(md, xd, y, loss, group))

    np.save(os.path.join(d, 'x.npy'), x.numpy().astype(np.int64 if kind == 'ids' else np.float32))
    np.save(os.path.join(d, 'y.npy'), y_np)
    np.save(os.path.join(d, 'logits.npy'), logits.numpy())
    np.save(os.path.join(d, 'losses.npy'), losses)
    np.save(os.path.join(d, 'gram.npy'), gram)
    named = [(n, list(p.shape)) for n, p in model.named_parameters() if p.requires_grad]
    meta = {
        'generator': 'scripts/onnx-fixtures.py',
        'torch': torch.__version__,
        'loss': loss,
        'opset': fx['opset'],
        'batch': b,
        'input_shape': [b] + shape,
        'input_dtype': 'int64' if kind == 'ids' else 'float32',
        'dynamic_batch': not fx.get('fixed_batch', False),
        'training_mode': 'PRESERVE' if fx.get('preserve') else 'EVAL',
        'default_init': bool(fx.get('default_init')),
        'output_shape': list(logits.shape),
        'parameter_count': int(sum(int(np.prod(s)) for _, s in named)),
        'parameters': [{'name': n, 'shape': s} for n, s in named],
    }
    if group:
        meta['minibatch_group'] = group
    with open(os.path.join(d, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    size = os.path.getsize(os.path.join(d, 'model.onnx'))
    print(f'{fx["name"]}: opset {fx["opset"]}, B={b}, {meta["parameter_count"]} parameters, model.onnx {size} bytes, '
          f'diag(G) in [{np.diag(gram).min():.3g}, {np.diag(gram).max():.3g}]')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--only', help='comma-separated fixture names (default: all committed ones)')
    ap.add_argument('--out', default=ROOT, help='output folder (default: test/fixtures/onnx)')
    a = ap.parse_args()
    everything = FIXTURES + GENERATED
    names = a.only.split(',') if a.only else [f['name'] for f in FIXTURES]
    unknown = [n for n in names if n not in [f['name'] for f in everything]]
    if unknown:
        sys.exit(f'unknown fixture(s): {", ".join(unknown)}')
    print(f'torch {torch.__version__}, numpy {np.__version__}', file=sys.stderr)
    for i, fx in enumerate(everything):
        if fx['name'] in names:
            make(fx, a.out, 1700 + 17 * i)


if __name__ == '__main__':
    import warnings
    warnings.filterwarnings('ignore')
    main()
