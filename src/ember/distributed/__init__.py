"""`ember.distributed`: collectives across processes over MPI (torch.distributed, backend "mpi").

Launch with `mpiexec -n N python train.py` (or `python -m ember.distributed.run -n N train.py`);
rank and world size come from the MPI launcher. A plain `python train.py` is a world of size 1.
Every collective works in place on the tensor's NumPy buffer through mpi4py's buffer API (no
pickling of tensors); a non-contiguous tensor goes through one contiguous copy.

Shape/dtype agreement across ranks is checked with one extra 2-int all-reduce per collective
(a mismatch raises a RuntimeError on every rank that names each rank's shape and dtype, instead
of a hang or garbage). The check roughly doubles the latency of a tiny all_reduce, so it is on
for tensors of 1 MiB and more (where it costs < 10%) and for every size when
EMBER_DISTRIBUTED_DEBUG (or TORCH_DISTRIBUTED_DEBUG) is INFO or DETAIL; =OFF turns it off.
Unchecked, MPICH aborts the job with "Message truncated" on a mismatch (no hang).
"""

from __future__ import annotations

import enum
import os
import zlib
from typing import Any

import numpy as np

from .._tensor import Tensor

__all__ = ["ReduceOp", "Work", "GroupMember", "init_process_group", "is_initialized",
           "is_available", "is_mpi_available", "get_backend", "get_rank", "get_world_size",
           "barrier", "broadcast", "all_reduce", "reduce", "all_gather",
           "all_gather_into_tensor", "gather", "scatter", "reduce_scatter",
           "reduce_scatter_tensor", "destroy_process_group"]

_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")
_INSTALL = ("ember.distributed needs MPI: install it with `pip install ember[mpi]` (mpi4py and the "
            "MPICH runtime wheel), or `pip install mpi4py` next to a system MPI (e.g. Debian's "
            "`apt install libopenmpi-dev`)")
_CHECK_BYTES = 1 << 20


class ReduceOp(enum.IntEnum):
    """Reductions for all_reduce / reduce / reduce_scatter (torch.distributed.ReduceOp)."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7


class _Group:
    """The default process group: an MPI communicator (a private duplicate of COMM_WORLD)."""

    def __init__(self, MPI: Any, comm: Any) -> None:
        self.MPI = MPI
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        level = (os.environ.get("EMBER_DISTRIBUTED_DEBUG")
                 or os.environ.get("TORCH_DISTRIBUTED_DEBUG") or "").upper()
        self.check_min = (0 if level in ("INFO", "DETAIL") else
                          None if level == "OFF" else _CHECK_BYTES)
        self.ops = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
                    ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
                    ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}
        # bool: logical ops on MPI's C_BOOL (sum/max = or, product/min = and, as NCCL does)
        self.bool_ops = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
                         ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND,
                         ReduceOp.BAND: MPI.LAND, ReduceOp.BXOR: MPI.LXOR}


class GroupMember:
    """`GroupMember.WORLD` is the default group once initialised (torch's GroupMember)."""

    WORLD: _Group | None = None
    NON_GROUP_MEMBER = -100


_group: _Group | None = None


def is_available() -> bool:
    """True when mpi4py can be imported (torch.distributed.is_available)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


is_mpi_available = is_available


def is_initialized() -> bool:
    """Whether init_process_group has been called (torch.distributed.is_initialized)."""
    return _group is not None


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: Any = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "", pg_options: Any = None,
                       device_id: Any = None) -> None:
    """Join the default group; rank and size come from the MPI launcher (torch, backend="mpi")."""
    global _group
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(f"init_process_group: ember supports only backend='mpi' (mpiexec "
                         f"launches the processes), got backend={backend!r}")
    if _group is not None:
        raise ValueError("trying to initialize the default process group twice!")
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(_INSTALL) from e
    comm = MPI.COMM_WORLD.Dup()
    g = _Group(MPI, comm)
    for name, want, got in (("world_size", world_size, g.size), ("rank", rank, g.rank)):
        if want not in (-1, None) and want != got:
            comm.Free()
            raise ValueError(f"init_process_group: {name}={want} was given but the MPI launcher "
                             f"started this process with {name} {got} (with backend='mpi' leave "
                             f"{name} out; mpiexec -n N sets it)")
    _group = GroupMember.WORLD = g


def destroy_process_group(group: Any = None) -> None:
    """Leave the default group (torch.distributed.destroy_process_group); MPI itself stays up."""
    global _group
    g = _get(group)
    g.comm.Free()
    _group = GroupMember.WORLD = None


def _get(group: Any) -> _Group:
    if _group is None:
        raise ValueError(_NOT_INIT)
    if group is not None and group is not _group:
        raise ValueError("ember.distributed supports only the default group (group=None)")
    return _group


def get_backend(group: Any = None) -> str:
    """The backend name, 'mpi' (torch.distributed.get_backend)."""
    _get(group)
    return "mpi"


def get_rank(group: Any = None) -> int:
    """This process's rank in the group (torch.distributed.get_rank)."""
    return _get(group).rank


def get_world_size(group: Any = None) -> int:
    """The number of processes in the group (torch.distributed.get_world_size)."""
    return _get(group).size


class Work:
    """A pending collective (torch's Work): `wait()` blocks until it is done."""

    def __init__(self, req: Any = None, finish: Any = None) -> None:
        self._req = req
        self._finish = finish

    def wait(self, timeout: Any = None) -> bool:
        if self._req is not None:
            self._req.Wait()
            self._req = None
        if self._finish is not None:
            f, self._finish = self._finish, None
            f()
        return True

    def is_completed(self) -> bool:
        if self._req is not None and self._req.Test():
            self._req = None
        return self._req is None

    def is_success(self) -> bool:
        return self.is_completed()


_DONE = Work()


def _tensor(t: Any, op: str, what: str = "tensor") -> np.ndarray:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: {what} must be an ember Tensor, got {type(t).__name__}")
    return t._data


def _contig(a: np.ndarray) -> tuple[np.ndarray, bool]:
    """A C-contiguous buffer for `a` and whether it is a copy that must be written back."""
    if a.flags.c_contiguous:
        return a, False
    return np.ascontiguousarray(a), True


def _mpi_buf(g: _Group, a: np.ndarray) -> Any:
    return [a, g.MPI.C_BOOL] if a.dtype == np.bool_ else a


def _mpi_op(g: _Group, op: Any, a: np.ndarray, name: str) -> Any:
    try:
        op = ReduceOp(op)
    except ValueError:
        raise ValueError(f"{name}: op must be a ReduceOp (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, "
                         f"BXOR), got {op!r}") from None
    kind = a.dtype.kind
    if op == ReduceOp.AVG and kind != "f":
        raise TypeError(f"{name}: ReduceOp.AVG needs a floating-point tensor, got {a.dtype} "
                        "(use ReduceOp.SUM and divide by get_world_size())")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind == "f":
        raise TypeError(f"{name}: ReduceOp.{op.name} needs an integer or bool tensor, "
                        f"got {a.dtype}")
    return g.bool_ops[op] if kind == "b" else g.ops[op]


def _check(g: _Group, name: str, a: np.ndarray, extra: Any = None) -> None:
    """Raise on every rank if the ranks disagree on shape/dtype (one 2-int all-reduce)."""
    if g.size == 1 or g.check_min is None or a.nbytes < g.check_min:
        return
    sig = zlib.crc32(repr((name, a.shape, a.dtype.str, extra)).encode())
    v = np.array([sig, -sig], np.int64)
    g.comm.Allreduce(g.MPI.IN_PLACE, v, op=g.MPI.MAX)
    if v[0] != -v[1]:
        shapes = g.comm.allgather((tuple(a.shape), str(a.dtype), extra))
        desc = "; ".join(f"rank {r}: shape {s} {d}" + (f" {e}" if e is not None else "")
                         for r, (s, d, e) in enumerate(shapes))
        raise RuntimeError(f"{name}: the ranks passed tensors of different shapes or dtypes "
                           f"({desc}); every rank must pass the same shape and dtype")


def _root(g: _Group, r: Any, name: str, what: str) -> int:
    r = 0 if r is None else r
    if not 0 <= r < g.size:
        raise ValueError(f"{name}: {what}={r} is not a rank of the group (world size {g.size})")
    return r


def _done(async_op: bool) -> Work | None:
    return _DONE if async_op else None


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None,
            timeout: Any = None) -> Work | None:
    """Block until every rank reaches the barrier (torch.distributed.barrier)."""
    g = _get(group)
    if async_op:
        return Work(g.comm.Ibarrier())
    g.comm.Barrier()
    return None


def broadcast(tensor: Tensor, src: int | None = None, group: Any = None, async_op: bool = False,
              group_src: int | None = None) -> Work | None:
    """Copy `tensor` from rank `src` into every rank's `tensor`, in place (torch broadcast)."""
    g = _get(group)
    a = _tensor(tensor, "broadcast")
    src = _root(g, group_src if src is None else src, "broadcast", "src")
    _check(g, "broadcast", a, src)
    buf, copy = _contig(a)
    finish = (lambda: np.copyto(a, buf)) if copy else None
    if async_op:
        return Work(g.comm.Ibcast(_mpi_buf(g, buf), root=src), finish)
    g.comm.Bcast(_mpi_buf(g, buf), root=src)
    if finish:
        finish()
    return None


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Reduce `tensor` across ranks in place; every rank gets the result (torch all_reduce)."""
    g = _get(group)
    a = _tensor(tensor, "all_reduce")
    mop = _mpi_op(g, op, a, "all_reduce")
    _check(g, "all_reduce", a)
    buf, copy = _contig(a)
    avg = op == ReduceOp.AVG and g.size > 1

    def finish() -> None:
        if avg:
            np.divide(buf, g.size, out=buf)
        if copy:
            np.copyto(a, buf)
    if async_op:
        return Work(g.comm.Iallreduce(g.MPI.IN_PLACE, _mpi_buf(g, buf), op=mop), finish)
    g.comm.Allreduce(g.MPI.IN_PLACE, _mpi_buf(g, buf), op=mop)
    finish()
    return None


def reduce(tensor: Tensor, dst: int | None = None, op: ReduceOp = ReduceOp.SUM,
           group: Any = None, async_op: bool = False, group_dst: int | None = None) -> Work | None:
    """Reduce `tensor` across ranks into rank `dst`'s `tensor` (torch reduce)."""
    g = _get(group)
    a = _tensor(tensor, "reduce")
    dst = _root(g, group_dst if dst is None else dst, "reduce", "dst")
    mop = _mpi_op(g, op, a, "reduce")
    _check(g, "reduce", a, dst)
    buf, copy = _contig(a)
    if g.rank == dst:
        g.comm.Reduce(g.MPI.IN_PLACE, _mpi_buf(g, buf), op=mop, root=dst)
        if op == ReduceOp.AVG:
            np.divide(buf, g.size, out=buf)
        if copy:
            np.copyto(a, buf)
    else:
        g.comm.Reduce(_mpi_buf(g, buf), None, op=mop, root=dst)
    return _done(async_op)


def _list(lst: Any, a: np.ndarray, n: int, name: str, what: str) -> list:
    """Check a list of `n` tensors each shaped and typed like `a`; return their arrays."""
    if not isinstance(lst, (list, tuple)) or len(lst) != n:
        got = f"a list of {len(lst)}" if isinstance(lst, (list, tuple)) else type(lst).__name__
        raise ValueError(f"{name}: {what} must be a list of {n} tensors (one per rank), got {got}")
    out = []
    for i, t in enumerate(lst):
        b = _tensor(t, name, f"{what}[{i}]")
        if b.shape != a.shape or b.dtype != a.dtype:
            raise ValueError(f"{name}: {what}[{i}] has shape {tuple(b.shape)} {b.dtype}, expected "
                             f"shape {tuple(a.shape)} {a.dtype} (like the tensor argument)")
        out.append(b)
    return out


def all_gather(tensor_list: list, tensor: Tensor, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Every rank gets every rank's `tensor` in `tensor_list[r]` (torch all_gather)."""
    g = _get(group)
    a = _tensor(tensor, "all_gather")
    outs = _list(tensor_list, a, g.size, "all_gather", "tensor_list")
    _check(g, "all_gather", a)
    recv = np.empty((g.size,) + a.shape, a.dtype)
    g.comm.Allgather(_mpi_buf(g, np.ascontiguousarray(a)), _mpi_buf(g, recv))
    for o, r in zip(outs, recv):
        np.copyto(o, r)
    return _done(async_op)


def all_gather_into_tensor(output_tensor: Tensor, input_tensor: Tensor, group: Any = None,
                           async_op: bool = False) -> Work | None:
    """Gather every rank's input into one output, concatenated on dim 0 or stacked (torch)."""
    g = _get(group)
    a = _tensor(input_tensor, "all_gather_into_tensor", "input_tensor")
    o = _tensor(output_tensor, "all_gather_into_tensor", "output_tensor")
    if o.dtype != a.dtype or o.size != a.size * g.size or (
            o.shape != (g.size,) + a.shape and (a.ndim == 0 or o.shape[1:] != a.shape[1:])):
        raise ValueError(f"all_gather_into_tensor: output_tensor has shape {tuple(o.shape)} "
                         f"{o.dtype}; with input {tuple(a.shape)} {a.dtype} on {g.size} ranks it "
                         f"must be {(g.size * a.shape[0],) + a.shape[1:] if a.ndim else ()} or "
                         f"{(g.size,) + a.shape} of dtype {a.dtype}")
    _check(g, "all_gather_into_tensor", a)
    buf, copy = _contig(o)
    g.comm.Allgather(_mpi_buf(g, np.ascontiguousarray(a)), _mpi_buf(g, buf))
    if copy:
        np.copyto(o, buf)
    return _done(async_op)


def gather(tensor: Tensor, gather_list: list | None = None, dst: int | None = None,
           group: Any = None, async_op: bool = False, group_dst: int | None = None) -> Work | None:
    """Rank `dst` gets every rank's `tensor` in `gather_list` (torch gather)."""
    g = _get(group)
    a = _tensor(tensor, "gather")
    dst = _root(g, group_dst if dst is None else dst, "gather", "dst")
    outs = _list(gather_list, a, g.size, "gather", "gather_list") if g.rank == dst else None
    _check(g, "gather", a, dst)
    recv = np.empty((g.size,) + a.shape, a.dtype) if outs is not None else None
    g.comm.Gather(_mpi_buf(g, np.ascontiguousarray(a)),
                  _mpi_buf(g, recv) if recv is not None else None, root=dst)
    if outs is not None:
        for o, r in zip(outs, recv):
            np.copyto(o, r)
    return _done(async_op)


def scatter(tensor: Tensor, scatter_list: list | None = None, src: int | None = None,
            group: Any = None, async_op: bool = False, group_src: int | None = None) -> Work | None:
    """Rank r's `tensor` gets `scatter_list[r]` from rank `src` (torch scatter)."""
    g = _get(group)
    a = _tensor(tensor, "scatter")
    src = _root(g, group_src if src is None else src, "scatter", "src")
    send = None
    if g.rank == src:
        send = np.stack(_list(scatter_list, a, g.size, "scatter", "scatter_list"))
    _check(g, "scatter", a, src)
    buf, copy = _contig(a)
    g.comm.Scatter(_mpi_buf(g, send) if send is not None else None, _mpi_buf(g, buf), root=src)
    if copy:
        np.copyto(a, buf)
    return _done(async_op)


def _reduce_scatter(g: _Group, name: str, o: np.ndarray, send: np.ndarray, op: Any) -> None:
    mop = _mpi_op(g, op, o, name)
    _check(g, name, o)
    buf, copy = _contig(o)
    g.comm.Reduce_scatter_block(_mpi_buf(g, send), _mpi_buf(g, buf), op=mop)
    if op == ReduceOp.AVG:
        np.divide(buf, g.size, out=buf)
    if copy:
        np.copyto(o, buf)


def reduce_scatter(output: Tensor, input_list: list, op: ReduceOp = ReduceOp.SUM,
                   group: Any = None, async_op: bool = False) -> Work | None:
    """Rank r's `output` gets the reduction over ranks of `input_list[r]` (torch)."""
    g = _get(group)
    o = _tensor(output, "reduce_scatter", "output")
    send = np.stack(_list(input_list, o, g.size, "reduce_scatter", "input_list"))
    _reduce_scatter(g, "reduce_scatter", o, send, op)
    return _done(async_op)


def reduce_scatter_tensor(output: Tensor, input: Tensor, op: ReduceOp = ReduceOp.SUM,
                          group: Any = None, async_op: bool = False) -> Work | None:
    """Reduce `input` (world_size * output's elements, on dim 0) and scatter it (torch)."""
    g = _get(group)
    o = _tensor(output, "reduce_scatter_tensor", "output")
    i = _tensor(input, "reduce_scatter_tensor", "input")
    if i.dtype != o.dtype or i.size != o.size * g.size:
        raise ValueError(f"reduce_scatter_tensor: input has shape {tuple(i.shape)} {i.dtype}; "
                         f"with output {tuple(o.shape)} {o.dtype} on {g.size} ranks it must hold "
                         f"{g.size} x {o.size} elements of dtype {o.dtype}")
    _reduce_scatter(g, "reduce_scatter_tensor", o, np.ascontiguousarray(i), op)
    return _done(async_op)
