"""Data-parallel training of an MLP classifier (3000 x 256 inputs, global batch 64) with
DistributedDataParallel and DistributedSampler.

    mpiexec -n 2 python examples/ddp_mlp.py       (or: python -m ember.distributed.run -n 2 ...)
"""

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()

ember.manual_seed(0)                      # the same data on every rank; each reads its shard
X = ember.randn(3000, 256)
Y = (X[:, :10].sum(1) > 0).long() + 2 * (X[:, 10:20].sum(1) > 0).long()   # 4 classes
data = TensorDataset(X, Y)
sampler = DistributedSampler(data, shuffle=True, seed=0)
loader = DataLoader(data, batch_size=64 // world, sampler=sampler)

model = DDP(nn.Sequential(nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 4)))
opt = ember.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(2):
    sampler.set_epoch(epoch)
    total = ember.zeros(())
    for x, y in loader:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        total += loss.detach()
    dist.all_reduce(total, dist.ReduceOp.AVG)      # the mean over all ranks' batches
    if rank == 0:
        print(f"epoch {epoch}: loss {total.item() / len(loader):.4f}", flush=True)
dist.destroy_process_group()
