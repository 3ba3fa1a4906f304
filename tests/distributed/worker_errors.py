"""Run under `mpiexec -n 2` with EMBER_DISTRIBUTED_DEBUG=DETAIL: errors, and the sampler's
shards. Prints 'OK <count>'."""

import sys

import ember
import ember.distributed as dist
from ember.utils.data import DistributedSampler

count = 0


def raises(exc, fn, *words):
    global count
    try:
        fn()
    except exc as e:
        assert all(w in str(e) for w in words), (str(e), words)
        count += 1
        return
    raise AssertionError(f"{fn} did not raise {exc.__name__}")


raises(ValueError, lambda: dist.all_reduce(ember.ones(2)), "init_process_group")
raises(ValueError, lambda: dist.get_rank(), "init_process_group")
raises(ValueError, lambda: dist.init_process_group("nccl"), "mpi")
dist.init_process_group("mpi")
r = dist.get_rank()
raises(ValueError, lambda: dist.init_process_group("mpi"), "twice")
raises(RuntimeError, lambda: dist.all_reduce(ember.ones(3 + r)), "all_reduce",
       "rank 0: shape (3,)", "rank 1: shape (4,)")
raises(RuntimeError, lambda: dist.broadcast(ember.ones(2, dtype=[ember.float32,
                                                                  ember.int64][r])),
       "broadcast", "float32", "int64")
raises(TypeError, lambda: dist.all_reduce(ember.ones(2, dtype=ember.int64),
                                          dist.ReduceOp.AVG), "AVG", "int64")
raises(ValueError, lambda: dist.broadcast(ember.ones(2), src=5), "src=5")
raises(ValueError, lambda: dist.all_gather([ember.ones(2)], ember.ones(2)), "list of 2")
dist.barrier()                    # the group still works after the errors
t = ember.ones(2)
dist.all_reduce(t)
assert t.tolist() == [2.0, 2.0]

# DistributedSampler: shards of both ranks cover the dataset, equal length, no overlap
for size, drop_last in ((10, False), (11, False), (11, True)):
    for shuffle in (False, True):
        s = DistributedSampler(range(size), shuffle=shuffle, drop_last=drop_last, seed=3)
        s.set_epoch(2)
        mine = list(s)
        assert len(mine) == len(s)
        t = ember.tensor(mine)
        out = [ember.zeros_like(t) for _ in range(2)]
        dist.all_gather(out, t)
        a, b = out[0].tolist(), out[1].tolist()
        if drop_last:
            assert not set(a) & set(b) and len(a) + len(b) == size - 1
        else:
            assert set(a) | set(b) == set(range(size)) and len(a) + len(b) == size + size % 2
        count += 1
sys.stdout.write(f"OK {count}\n")  # one write: ranks share the pipe
sys.stdout.flush()
