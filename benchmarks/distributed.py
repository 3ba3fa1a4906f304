"""All-reduce bandwidth (1-256 MB float32) and DDP overhead of an `mlp` step, over MPI.

    mpiexec -n 2 python benchmarks/distributed.py     (then again with -n 1 for the DDP baseline)
"""

import time

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group()
rank, world = dist.get_rank(), dist.get_world_size()


def timeit(fn, reps):
    fn()
    dist.barrier()
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    dist.barrier()
    return (time.perf_counter() - t) / reps


if world > 1:
    for mb in (1, 4, 16, 64, 256):
        t = ember.ones(mb * 2 ** 20 // 4)
        s = timeit(lambda t=t: dist.all_reduce(t), max(2, 64 // mb))
        # bus bandwidth as nccl-tests reports it: 2 (n-1)/n * bytes / time
        if rank == 0:
            print(f"all_reduce {mb:4d} MB: {s * 1e3:8.2f} ms  algbw {mb / 1024 / s:6.2f} GB/s  "
                  f"busbw {2 * (world - 1) / world * mb / 1024 / s:6.2f} GB/s", flush=True)

ember.manual_seed(0)
model = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                      nn.Linear(512, 10))
ddp = DDP(model)
opt = ember.optim.SGD(ddp.parameters(), lr=0.01)
x, y = ember.randn(64, 256), ember.randint(0, 10, (64,))   # per-process batch 64
loss_fn = nn.CrossEntropyLoss()


def step(m):
    opt.zero_grad()
    loss_fn(m(x), y).backward()
    opt.step()


s_ddp = timeit(lambda: step(ddp), 200)
s_local = timeit(lambda: step(model), 200)
nbytes = sum(p.numel() * 4 for p in model.parameters())
if rank == 0:
    print(f"mlp step (batch 64/process, {nbytes / 2 ** 20:.2f} MB of grads, "
          f"{len(ddp._buckets)} bucket(s)), {world} process(es): DDP {s_ddp * 1e3:.3f} ms, "
          f"no sync {s_local * 1e3:.3f} ms, communication share "
          f"{max(0.0, 1 - s_local / s_ddp) * 100:.1f}%", flush=True)
