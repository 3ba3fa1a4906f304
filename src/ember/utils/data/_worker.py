"""What runs inside a DataLoader worker process, and the fetchers both sides share."""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from typing import Any

from ... import _backend
from .collate import default_collate
from .dataset import IterableDataset, Subset, TensorDataset

__all__ = ["get_worker_info", "WorkerInfo"]

_worker_info: WorkerInfo | None = None
POLL_S = 0.1          # how often a waiting side checks that the other side is alive


class WorkerInfo:
    """Facts about the current worker process: id, num_workers, seed, dataset (torch
    WorkerInfo); read-only."""

    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __init__(self, **kwargs: Any) -> None:
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_keys", tuple(kwargs))

    def __setattr__(self, key: str, val: Any) -> None:
        raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects "
                           f"(tried to set {key!r})")

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={getattr(self, k)}" for k in self._keys)
        return f"{type(self).__name__}({body})"


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process, its WorkerInfo; in the main process, None (torch
    get_worker_info). Use it in an IterableDataset's `__iter__` to shard the data."""
    return _worker_info


class ExceptionWrapper:
    """An exception with its traceback text, to re-raise in the main process."""

    def __init__(self, where: str) -> None:
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self) -> None:
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:   # KeyError repr()s its message: keep the newlines
            msg = _KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _KeyErrorMessage(str):
    def __repr__(self) -> str:
        return str(self)


class _IterableEnd:
    """A worker's reply once its copy of an IterableDataset is exhausted."""


def _fast_tensors(dataset: Any) -> tuple | None:
    """(tensors, index map) when batches of `dataset` can be gathered with one index op per
    tensor: a plain TensorDataset, or a plain Subset of one."""
    if isinstance(dataset, Subset) and type(dataset).__getitem__ is Subset.__getitem__ \
            and type(dataset).__getitems__ is Subset.__getitems__:
        inner = _fast_tensors(dataset.dataset)
        if inner is not None and inner[1] is None:
            return inner[0], dataset.indices
        return None
    if isinstance(dataset, TensorDataset) \
            and type(dataset).__getitem__ is TensorDataset.__getitem__:
        return dataset.tensors, None
    return None


class MapFetcher:
    """Fetches samples (or a batch of them) from a map-style dataset."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Any,
                 drop_last: bool) -> None:
        self.dataset, self.auto, self.collate_fn = dataset, auto_collation, collate_fn
        self.fast = _fast_tensors(dataset) if auto_collation and collate_fn is default_collate \
            else None

    def fetch(self, index: Any) -> Any:
        if not self.auto:
            return self.collate_fn(self.dataset[index])
        if self.fast is not None:   # one gather per tensor, as default_collate would stack
            tensors, mapping = self.fast
            if mapping is not None:
                index = [mapping[i] for i in index]
            return [t[index] for t in tensors]
        getitems = getattr(self.dataset, "__getitems__", None)
        data = getitems(index) if getitems else [self.dataset[i] for i in index]
        return self.collate_fn(data)


class IterFetcher:
    """Fetches the next sample (or batch of len(index) samples) from an iterable dataset."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Any,
                 drop_last: bool) -> None:
        self.it = iter(dataset)
        self.auto, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto:
            try:
                return self.collate_fn(next(self.it))
            except StopIteration:
                self.ended = True
                raise
        data = []
        for _ in index:
            try:
                data.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def make_fetcher(dataset: Any, auto_collation: bool, collate_fn: Any, drop_last: bool) -> Any:
    cls = IterFetcher if isinstance(dataset, IterableDataset) else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def generate_state(base_seed: int, worker_id: int) -> list[int]:
    """NumPy's global seed for a worker: torch's hash of (base_seed, worker_id) (a 4-word
    SeedSequence-style mix), so `random` and NumPy never share a stream."""
    mask = 0xFFFFFFFF
    hash_a = 0x43B0D7E5

    def hash_(value: int) -> int:
        nonlocal hash_a
        value = (value ^ hash_a) & mask
        hash_a = (hash_a * 0x931E8875) & mask
        value = (value * hash_a) & mask
        return (value ^ (value >> 16)) & mask

    def mix(x: int, y: int) -> int:
        r = (((0xCA01F9DD * x) & mask) - ((0x4973F715 * y) & mask)) & mask
        return (r ^ (r >> 16)) & mask

    pool = [hash_(e) for e in (worker_id, base_seed & mask, base_seed >> 32, 0)]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_b, state = 0x8B51F9DD, []
    for v in pool:
        v = (v ^ hash_b) & mask
        hash_b = (hash_b * 0x58F38DED) & mask
        v = (v * hash_b) & mask
        state.append((v ^ (v >> 16)) & mask)
    return state


def _dumps(epoch: int, idx: int, data: Any, worker_id: int) -> bytes:
    """Pickle the reply here, not in the queue's feeder thread, so that an unpicklable batch
    becomes an error in the main process instead of a lost message (and a hang)."""
    try:
        return pickle.dumps((epoch, idx, data), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        err = ExceptionWrapper(f"in DataLoader worker process {worker_id} while sending a batch "
                               f"to the main process")
        err.exc_type = RuntimeError
        return pickle.dumps((epoch, idx, err))


def worker_loop(dataset: Any, index_queue: Any, data_queue: Any, auto_collation: bool,
                collate_fn: Any, drop_last: bool, base_seed: int, init_fn: Any,
                worker_id: int, num_workers: int, parent_pid: int) -> None:
    """Serve (epoch, task id, index) requests until a None arrives or the parent dies."""
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        _backend.default_generator.manual_seed(seed)
        try:
            import numpy as np
            np.random.seed(generate_state(base_seed, worker_id))
        except ImportError:
            pass
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
        except Exception:
            init_error = ExceptionWrapper(where)
        epoch, fetcher = None, None
        while True:
            try:
                task = index_queue.get(timeout=POLL_S * 50)
            except queue.Empty:
                if os.getppid() != parent_pid:
                    break
                continue
            if task is None:
                break
            ep, idx, index = task
            if init_error is not None:
                data = init_error
            else:
                try:
                    if ep != epoch:   # a new epoch: a fresh iterator over an iterable dataset
                        fetcher = make_fetcher(dataset, auto_collation, collate_fn, drop_last)
                        epoch = ep
                    data = fetcher.fetch(index)
                except StopIteration:
                    data = _IterableEnd if isinstance(fetcher, IterFetcher) else \
                        ExceptionWrapper(where)
                except Exception:
                    data = ExceptionWrapper(where)
            data_queue.put(_dumps(ep, idx, data, worker_id))
            del data
    except KeyboardInterrupt:
        pass
    data_queue.cancel_join_thread()
