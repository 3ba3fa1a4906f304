"""Run under `mpiexec -n 2`: DDP (20 SGD steps) matches single-process training on the global
batch; bucket count; no_sync accumulation; state_dict prefix. Prints 'OK <count>'."""

import copy
import sys

import numpy as np

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group()
r, n = dist.get_rank(), dist.get_world_size()
count = 0


def close(a, b, what, tol=1e-5):
    global count
    assert np.allclose(a, b, rtol=tol, atol=tol), (what, np.abs(a - b).max())
    count += 1


ember.manual_seed(100 + r)       # different init per rank: DDP must broadcast rank 0's
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                      nn.Linear(32, 5))
ddp = DDP(model, bucket_cap_mb=0.005)    # ~5 KB buckets: several per step
assert ddp.module is model
ref = copy.deepcopy(model)                # identical to rank 0's model after the broadcast
every = [None] * n
w0 = model[0].weight.detach()
g0 = [ember.zeros_like(w0) for _ in range(n)]
dist.all_gather(g0, w0)
close(g0[0].numpy(), g0[1].numpy(), "parameters broadcast from rank 0")

rng = np.random.default_rng(0)           # same data on every rank
X = rng.standard_normal((20, 16, 20)).astype(np.float32)
Y = rng.integers(0, 5, (20, 16))
opt = ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
ref_opt = ember.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
half = 16 // n
calls = []
for step in range(20):
    x, y = ember.tensor(X[step]), ember.tensor(Y[step])
    before = ddp.allreduce_calls
    opt.zero_grad()
    loss_fn(ddp(x[r * half:(r + 1) * half]), y[r * half:(r + 1) * half]).backward()
    calls.append(ddp.allreduce_calls - before)
    opt.step()
    ref_opt.zero_grad()
    loss_fn(ref(x), y).backward()
    ref_opt.step()
for (name, p), q in zip(model.named_parameters(), ref.parameters()):
    close(p.detach().numpy(), q.detach().numpy(), f"20 steps: {name}")
nb = len(ddp._buckets)
assert 1 < nb < len(list(model.parameters())) and calls == [nb] * 20, (nb, calls)
count += 1
big = DDP(copy.deepcopy(model))           # default 25 MB cap (first bucket 1 MB): one bucket
assert len(big._buckets) == 1
count += 1

# no_sync: two local micro-batches, then a synced one == average of the sum over all of them
opt.zero_grad()
ref_opt.zero_grad()
xs = [ember.tensor(rng.standard_normal((8, 20)).astype(np.float32)) for _ in range(3 * n)]
ys = [ember.tensor(rng.integers(0, 5, 8)) for _ in range(3 * n)]
with ddp.no_sync():
    for k in range(2):
        loss_fn(ddp(xs[3 * r + k]), ys[3 * r + k]).backward()
before = ddp.allreduce_calls
assert before == ddp.allreduce_calls
loss_fn(ddp(xs[3 * r + 2]), ys[3 * r + 2]).backward()
assert ddp.allreduce_calls == before + nb
for i in range(3 * n):
    (loss_fn(ref(xs[i]), ys[i]) / n).backward()
for (name, p), q in zip(model.named_parameters(), ref.parameters()):
    close(p.grad.numpy(), q.grad.numpy(), f"no_sync accumulation: {name}")

# grads inside no_sync stay local (differ across ranks)
opt.zero_grad()
with ddp.no_sync():
    loss_fn(ddp(xs[r]), ys[r]).backward()
gs = [ember.zeros_like(model[0].weight) for _ in range(n)]
dist.all_gather(gs, model[0].weight.grad)
assert not np.allclose(gs[0].numpy(), gs[1].numpy())
count += 1

# state_dict: torch's `module.` prefix on the wrapper, none on .module
assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
count += 1
sys.stdout.write(f"OK {count}\n")  # one write: ranks share the pipe
sys.stdout.flush()
