"""Run under `mpiexec -n 2`: every collective against NumPy references; prints 'OK <count>'."""

import sys

import numpy as np

import ember
import ember.distributed as dist
from ember.distributed import ReduceOp

dist.init_process_group("mpi")
r, n = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "mpi" and n == 2
DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]
count = 0


def data(rank, dt, shape=(3, 4), salt=0):
    """What `rank` holds: deterministic, distinct per rank, valid for every dtype."""
    a = (np.arange(np.prod(shape)).reshape(shape) * (rank + 2) + salt) % 5 + rank
    return (a % 2 == 1) if dt == "bool" else a.astype(dt)


def ref(op, dt, shape=(3, 4), salt=0):
    xs = np.stack([data(k, dt, shape, salt) for k in range(n)])
    if dt == "bool":
        return {"SUM": xs.any(0), "MAX": xs.any(0), "BOR": xs.any(0), "PRODUCT": xs.all(0),
                "MIN": xs.all(0), "BAND": xs.all(0), "BXOR": np.logical_xor.reduce(xs, 0)}[op]
    f = {"SUM": np.sum, "PRODUCT": np.prod, "MIN": np.min, "MAX": np.max, "AVG": np.mean,
         "BAND": np.bitwise_and.reduce, "BOR": np.bitwise_or.reduce,
         "BXOR": np.bitwise_xor.reduce}[op]
    return f(xs, axis=0).astype(xs.dtype)


def same(t, want, what):
    global count
    got = t.numpy()
    assert got.dtype == want.dtype and got.shape == want.shape, (what, got.dtype, want.dtype)
    tol = 1e-3 if got.dtype == np.float16 else 1e-6
    assert np.allclose(got.astype(float), want.astype(float), rtol=tol), (what, got, want)
    count += 1


for dt in DTYPES:
    edt = getattr(ember, "bool" if dt == "bool" else dt)
    ops = ["SUM", "PRODUCT", "MIN", "MAX"] + (["AVG"] if dt.startswith("float") else
                                              ["BAND", "BOR", "BXOR"])
    for op in ops:
        t = ember.tensor(data(r, dt))
        dist.all_reduce(t, getattr(ReduceOp, op))
        same(t, ref(op, dt), f"all_reduce {op} {dt}")
        t = ember.tensor(data(r, dt))
        dist.reduce(t, 1, getattr(ReduceOp, op))
        same(t, ref(op, dt) if r == 1 else data(r, dt), f"reduce {op} {dt}")
    for op in ("SUM", "MAX"):
        w = dist.all_reduce(t2 := ember.tensor(data(r, dt)), getattr(ReduceOp, op), async_op=True)
        w.wait()
        same(t2, ref(op, dt), f"async all_reduce {op} {dt}")
    t = ember.tensor(data(r, dt))
    dist.broadcast(t, src=1)
    same(t, data(1, dt), f"broadcast {dt}")
    t = ember.tensor(data(r, dt))
    dist.broadcast(t, 0, async_op=True).wait()
    same(t, data(0, dt), f"async broadcast {dt}")
    outs = [ember.zeros(3, 4, dtype=edt) for _ in range(n)]
    dist.all_gather(outs, ember.tensor(data(r, dt)))
    for k in range(n):
        same(outs[k], data(k, dt), f"all_gather {dt}")
    o = ember.zeros(n * 3, 4, dtype=edt)
    dist.all_gather_into_tensor(o, ember.tensor(data(r, dt)))
    same(o, np.concatenate([data(k, dt) for k in range(n)]), f"all_gather_into_tensor {dt}")
    gl = [ember.zeros(3, 4, dtype=edt) for _ in range(n)] if r == 0 else None
    dist.gather(ember.tensor(data(r, dt)), gl, dst=0)
    if r == 0:
        for k in range(n):
            same(gl[k], data(k, dt), f"gather {dt}")
    t = ember.zeros(3, 4, dtype=edt)
    dist.scatter(t, [ember.tensor(data(k, dt, salt=7)) for k in range(n)] if r == 1 else None,
                 src=1)
    same(t, data(r, dt, salt=7), f"scatter {dt}")
    for op in ("SUM", "MAX"):
        o = ember.zeros(3, 4, dtype=edt)
        dist.reduce_scatter(o, [ember.tensor(data(r, dt, salt=k)) for k in range(n)],
                            getattr(ReduceOp, op))
        same(o, ref(op, dt, salt=r), f"reduce_scatter {op} {dt}")
    o = ember.zeros(3, 4, dtype=edt)
    full = np.concatenate([data(r, dt, salt=k) for k in range(n)])
    dist.reduce_scatter_tensor(o, ember.tensor(full))
    same(o, ref("SUM", dt, salt=r), f"reduce_scatter_tensor {dt}")

# non-contiguous tensor, 0-d tensor, size-0 tensor, tensor requiring grad
base = ember.tensor(data(r, "float32", (4, 3)))
t = base.t()
dist.all_reduce(t)
same(t, ref("SUM", "float32", (4, 3)).T, "all_reduce non-contiguous")
same(base, ref("SUM", "float32", (4, 3)), "all_reduce non-contiguous writes through")
t = ember.tensor(float(r + 1))
dist.all_reduce(t, ReduceOp.PRODUCT)
same(t, np.array(2.0, np.float32), "all_reduce 0-d")
t = ember.zeros(0, 3)
dist.all_reduce(t)
same(t, np.zeros((0, 3), np.float32), "all_reduce empty")
w = ember.ones(3, requires_grad=True)
dist.all_reduce(w.detach())
same(w.detach(), np.full(3, 2.0, np.float32), "all_reduce through detach")
dist.barrier()
dist.barrier(async_op=True).wait()
dist.destroy_process_group()
assert not dist.is_initialized()
sys.stdout.write(f"OK {count}\n")  # one write: ranks share the pipe
sys.stdout.flush()
