"""Run under `mpiexec -n 2`: SyncBatchNorm on per-rank slices of different sizes of one batch
matches a single-process BatchNorm over the whole batch (outputs, input grads, summed
weight/bias grads, running stats over 3 steps, eval). Prints 'OK <count>'."""

import os
import sys

import numpy as np

import ember
import ember.distributed as dist
from ember import nn

dist.init_process_group()
r, n = dist.get_rank(), dist.get_world_size()
assert n == 2
count = 0


def close(a, b, what, tol):
    global count
    assert a.shape == b.shape, (what, a.shape, b.shape)
    assert np.allclose(a, b, rtol=tol, atol=tol), (
        what, r, np.abs(a - b).max(), f"EMBER_TEST_SEED={SEED}")
    count += 1


REF = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d}
CASES = [   # full shape, rank 0's share of the batch, kwargs
    ((7, 3), 3, {}),
    ((9, 4, 5), 2, {"momentum": None}),
    ((5, 2, 3, 3), 4, {"affine": False}),
    ((4, 3, 2, 2, 2), 1, {"bias": False, "momentum": 0.3}),
    ((6, 3, 4), 6, {}),                              # rank 1 holds an empty slice
    ((6, 2), 2, {"track_running_stats": False}),
]
SEED = int(os.environ.get("EMBER_TEST_SEED", 0))
rng = np.random.default_rng(SEED)   # the same data on every rank
for dtype, tol in ((np.float64, 1e-10), (np.float32, 2e-5)):
    edt = ember.float64 if dtype == np.float64 else ember.float32
    for shape, k, kw in CASES:
        c = shape[1]
        sync = nn.SyncBatchNorm(c, **kw).to(edt)
        ref = REF[len(shape)](c, **kw).to(edt)
        if sync.weight is not None:
            w = rng.standard_normal(c).astype(dtype) + 2
            sync.weight.data.copy_(ember.tensor(w))
            ref.weight.data.copy_(ember.tensor(w))
        if sync.bias is not None:
            b = rng.standard_normal(c).astype(dtype)
            sync.bias.data.copy_(ember.tensor(b))
            ref.bias.data.copy_(ember.tensor(b))
        part = slice(0, k) if r == 0 else slice(k, shape[0])
        for step in range(3):
            x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
            ct = rng.standard_normal(shape).astype(dtype)
            xs = ember.tensor(x[part], requires_grad=True)
            xr = ember.tensor(x, requires_grad=True)
            sync.zero_grad()
            ref.zero_grad()
            ys, yr = sync(xs), ref(xr)
            assert repr(ys.grad_fn).startswith("<SyncBatchNormBackward "), ys.grad_fn
            ys.backward(ember.tensor(ct[part]))
            yr.backward(ember.tensor(ct))
            what = f"{shape} {kw} {dtype.__name__} step {step}"
            close(ys.detach().numpy(), yr.detach().numpy()[part], f"output {what}", tol)
            close(xs.grad.numpy(), xr.grad.numpy()[part], f"input grad {what}", tol)
            for name, p in sync.named_parameters():   # per-rank grads, summed as DDP does
                g = p.grad.clone()
                dist.all_reduce(g)
                close(g.numpy(), getattr(ref, name).grad.numpy(), f"{name} grad {what}", tol)
        for name, bs in sync.named_buffers():
            close(bs.numpy(), getattr(ref, name).numpy(), f"buffer {name} {what}", tol)
        sync.eval()
        ref.eval()
        if sync.track_running_stats:   # eval uses the running stats, no communication
            x = rng.standard_normal(shape).astype(dtype)
            close(sync(ember.tensor(x[part])).detach().numpy(),
                  ref(ember.tensor(x)).detach().numpy()[part],
                  f"eval {what}", tol)

# one value per channel over all ranks: every rank raises (no hang)
bn = nn.SyncBatchNorm(3)
try:
    bn(ember.randn(1 if r == 0 else 0, 3))
    raise AssertionError("no error for one value per channel")
except ValueError as e:
    assert "Expected more than 1 value per channel" in str(e), e
    count += 1

# double backward through the collectives is refused
x = ember.randn(3, 2, requires_grad=True)
y = nn.SyncBatchNorm(2)(x)
try:
    ember.autograd.grad(y.sum(), x, create_graph=True)
    raise AssertionError("no error for create_graph=True")
except RuntimeError as e:
    assert "double backward" in str(e), e
    count += 1

sys.stdout.write(f"OK {count}\n")   # one write: ranks share the pipe
sys.stdout.flush()
