"""DataLoader against torch's: batches, lengths, argument errors, shuffling, worker processes."""

import contextlib
import os
import random
import signal
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tdata
from test_collate import same

import ember
from ember.utils import data


@contextlib.contextmanager
def deadline(seconds):
    """Fail (instead of hanging the suite) when the block takes longer than `seconds`."""
    def boom(*_):
        raise TimeoutError(f"DataLoader test hung for more than {seconds} s")
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


class Records:
    """A map dataset of dicts mixing numpy arrays, Python numbers and strings."""

    def __init__(self, n, lib):
        self.n, self.lib = n, lib

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        t = torch.tensor if self.lib == "torch" else ember.tensor
        return {"x": np.arange(3, dtype=np.float32) * i, "y": i, "w": i / 4, "name": f"r{i}",
                "pair": (t([i, -i]), i % 2 == 0)}


class Count(data.IterableDataset):
    def __init__(self, n, shard=False):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = data.get_worker_info()
        if self.shard and info is not None:
            return iter(range(info.id, self.n, info.num_workers))
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TCount(tdata.IterableDataset):
    def __init__(self, n, shard=False):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = tdata.get_worker_info()
        if self.shard and info is not None:
            return iter(range(info.id, self.n, info.num_workers))
        return iter(range(self.n))

    def __len__(self):
        return self.n


def tensor_pair(n=10):
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n, dtype=np.int64) % 3
    return ((ember.tensor(x), ember.tensor(y)), (torch.from_numpy(x), torch.from_numpy(y)))


@pytest.mark.parametrize("kind", ["tensors", "records", "list"])
@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (4, False), (4, True), (10, True),
                                                   (16, False), (None, False)])
def test_batches_match_torch(kind, batch_size, drop_last):
    if kind == "tensors":
        (ex, ey), (tx, ty) = tensor_pair()
        e_ds, t_ds = data.TensorDataset(ex, ey), tdata.TensorDataset(tx, ty)
    elif kind == "records":
        e_ds, t_ds = Records(10, "ember"), Records(10, "torch")
    else:
        e_ds = t_ds = [(i, float(i), np.full(2, i, np.int32)) for i in range(10)]
    e = data.DataLoader(e_ds, batch_size=batch_size, drop_last=drop_last)
    t = tdata.DataLoader(t_ds, batch_size=batch_size, drop_last=drop_last)
    e_batches, t_batches = list(e), list(t)
    assert len(e) == len(t) == len(t_batches) == len(e_batches)
    for eb, tb in zip(e_batches, t_batches):
        same(eb, tb)


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (None, False)])
def test_iterable_dataset_matches_torch(batch_size, drop_last):
    e = data.DataLoader(Count(7), batch_size=batch_size, drop_last=drop_last)
    t = tdata.DataLoader(TCount(7), batch_size=batch_size, drop_last=drop_last)
    assert len(e) == len(t)
    same(list(e), list(t))


def test_iterable_dataset_with_workers_matches_torch():
    """Each worker iterates its own copy (duplicates) unless it shards with get_worker_info."""
    with deadline(60):
        for shard in (False, True):
            e = data.DataLoader(Count(5, shard), batch_size=2, num_workers=2)
            t = tdata.DataLoader(TCount(5, shard), batch_size=2, num_workers=2)
            same(list(e), list(t))


def test_batch_sampler_and_custom_sampler():
    (ex, _), (tx, _) = tensor_pair(7)
    bs = [[0, 4], [6], [1, 2, 3]]
    same(list(data.DataLoader(data.TensorDataset(ex), batch_sampler=bs)),
         list(tdata.DataLoader(tdata.TensorDataset(tx), batch_sampler=bs)))
    e = data.DataLoader(data.TensorDataset(ex), batch_size=2, sampler=[6, 5, 4])
    assert len(e) == 2
    same(list(e), list(tdata.DataLoader(tdata.TensorDataset(tx), batch_size=2,
                                        sampler=[6, 5, 4])))


BAD_ARGS = [dict(shuffle=True, sampler=[0, 1]), dict(batch_sampler=[[0]], batch_size=2),
            dict(batch_sampler=[[0]], shuffle=True), dict(batch_size=None, drop_last=True),
            dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
            dict(persistent_workers=True), dict(multiprocessing_context="fork"),
            dict(num_workers=1, multiprocessing_context="nope"),
            dict(num_workers=1, multiprocessing_context=3), dict(batch_size=0)]


@pytest.mark.parametrize("kwargs", BAD_ARGS)
def test_argument_errors_match_torch(kwargs):
    with pytest.raises(Exception) as t_err:
        tdata.DataLoader(list(range(4)), **kwargs)
    with pytest.raises(type(t_err.value)):
        data.DataLoader(list(range(4)), **kwargs)


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]),
                                    dict(batch_sampler=[[0]])])
def test_iterable_dataset_argument_errors(kwargs):
    with pytest.raises(ValueError, match="IterableDataset"):
        data.DataLoader(Count(3), **kwargs)


def test_attributes_frozen_after_init():
    loader = data.DataLoader(list(range(4)))
    with pytest.raises(ValueError, match="batch_size attribute should not be set"):
        loader.batch_size = 2


def test_shuffle_is_a_reproducible_permutation():
    ds = data.TensorDataset(ember.arange(20))
    ember.manual_seed(5)
    a = [b[0].tolist() for b in data.DataLoader(ds, batch_size=6, shuffle=True)]
    ember.manual_seed(5)
    loader = data.DataLoader(ds, batch_size=6, shuffle=True)
    b = [b[0].tolist() for b in loader]
    c = [b[0].tolist() for b in loader]                 # the next epoch: a new order
    assert a == b and a != c
    assert sorted(sum(a, [])) == list(range(20)) and sorted(sum(c, [])) == list(range(20))
    assert [len(x) for x in a] == [6, 6, 6, 2]
    g = [ember.Generator().manual_seed(1) for _ in range(2)]
    assert [x[0].tolist() for x in data.DataLoader(ds, shuffle=True, generator=g[0])] == \
        [x[0].tolist() for x in data.DataLoader(ds, shuffle=True, generator=g[1])]


def test_tensor_dataset_fast_path_one_index_op_per_tensor(monkeypatch):
    (ex, ey), _ = tensor_pair(10)
    expected = list(data.DataLoader(data.TensorDataset(ex, ey), batch_size=4, shuffle=False))
    calls = []
    orig = ember.Tensor.__getitem__

    def counting(self, key):
        calls.append(key)
        return orig(self, key)

    monkeypatch.setattr(ember.Tensor, "__getitem__", counting)
    for ds in (data.TensorDataset(ex, ey), data.Subset(data.TensorDataset(ex, ey), range(10))):
        calls.clear()
        batches = list(data.DataLoader(ds, batch_size=4))
        assert len(calls) == 3 * 2, calls            # 3 batches x 2 tensors, not one per sample
        same_batches = [[a.tolist() for a in b] for b in batches]
        assert same_batches == [[a.tolist() for a in b] for b in expected]
    calls.clear()
    list(data.DataLoader(data.TensorDataset(ex, ey), batch_size=4, collate_fn=lambda b: b))
    assert len(calls) == 10 * 2                       # a custom collate sees samples


class Slow:
    def __init__(self, n, delay=0.0):
        self.n, self.delay = n, delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay)
        info = data.get_worker_info()
        return {"i": i, "x": np.full(2, i, np.float32), "wid": -1 if info is None else info.id,
                "pid": os.getpid()}


def test_workers_give_the_same_batches_in_the_same_order():
    with deadline(60):
        ds = Slow(23)
        ember.manual_seed(11)
        ref = list(data.DataLoader(ds, batch_size=3, shuffle=True))
        ember.manual_seed(11)
        got = list(data.DataLoader(ds, batch_size=3, shuffle=True, num_workers=2,
                                   prefetch_factor=3))
    assert len(got) == len(ref) == 8
    for r, g in zip(ref, got):
        assert g["i"].tolist() == r["i"].tolist()
        same(g["x"], torch.from_numpy(r["x"].numpy()))
    assert {w for g in got for w in g["wid"].tolist()} == {0, 1}
    assert os.getpid() not in {p for g in got for p in g["pid"].tolist()}
    assert data.get_worker_info() is None


def test_persistent_workers_across_epochs_and_early_break():
    with deadline(60):
        loader = data.DataLoader(Slow(8), batch_size=2, num_workers=2, persistent_workers=True)
        first = [b["i"].tolist() for b in loader]
        pids = {p for b in loader for p in b["pid"].tolist()}
        for _ in loader:      # break early: the next epoch still starts from the beginning
            break
        again = [b["i"].tolist() for b in loader]
        pids2 = {p for b in loader for p in b["pid"].tolist()}
        workers = loader._iterator._workers
    assert first == again == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert pids == pids2 and len(pids) == 2     # the same two processes every epoch
    assert all(w.is_alive() for w in workers)
    del loader
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_early_break_shuts_workers_down():
    with deadline(60):
        it = iter(data.DataLoader(Slow(40), batch_size=2, num_workers=2))
        next(it)
        workers = it._workers
        del it
        for w in workers:
            w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


class Faulty:
    def __init__(self, how):
        self.how = how

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5 and self.how == "raise":
            raise_from_dataset(i)
        if i == 6 and self.how == "exit":
            os._exit(3)
        return i


def raise_from_dataset(i):
    raise ValueError(f"bad sample {i}")


def test_worker_exception_is_reraised_with_traceback():
    with deadline(60):
        loader = data.DataLoader(Faulty("raise"), batch_size=2, num_workers=2)
        with pytest.raises(ValueError) as err:
            list(loader)
    msg = str(err.value)
    assert "Caught ValueError in DataLoader worker process" in msg
    assert "raise_from_dataset" in msg and "bad sample 5" in msg and "Traceback" in msg


def test_worker_killed_gives_exited_unexpectedly():
    with deadline(60):
        loader = data.DataLoader(Faulty("exit"), batch_size=1, sampler=[0, 6, 1], num_workers=2)
        with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited "
                                               r"unexpectedly"):
            list(loader)


def test_timeout():
    with deadline(60):
        loader = data.DataLoader(Slow(4, delay=3.0), batch_size=2, num_workers=1, timeout=0.3)
        start = time.monotonic()
        with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
            next(iter(loader))
    assert time.monotonic() - start < 2.5


def test_unpicklable_batch_is_an_error_not_a_hang():
    with deadline(60):
        loader = data.DataLoader(list(range(4)), batch_size=2, num_workers=1,
                                 collate_fn=lambda b: (lambda: b))
        with pytest.raises(RuntimeError, match="sending a batch"):
            list(loader)


class Seeds:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = data.get_worker_info()
        return (info.id, info.num_workers, info.seed, os.environ.get("EMBER_TEST_WID"),
                random.random(), float(np.random.rand()), ember.rand(1).item())


def init_fn(worker_id):
    os.environ["EMBER_TEST_WID"] = str(worker_id)


def test_worker_init_fn_info_and_seeds():
    with deadline(60):
        got = list(data.DataLoader(Seeds(), batch_size=None, num_workers=2,
                                   worker_init_fn=init_fn))
    by_worker = {}
    for wid, n, seed, env, *draws in got:
        assert n == 2 and env == str(wid)
        by_worker.setdefault(wid, (seed, draws))
    assert sorted(by_worker) == [0, 1]
    (s0, d0), (s1, d1) = by_worker[0], by_worker[1]
    assert s1 == s0 + 1                            # base_seed + worker_id
    assert all(a != b for a, b in zip(d0, d1))     # random, NumPy and ember streams differ
    assert "EMBER_TEST_WID" not in os.environ


def test_worker_init_fn_error():
    def bad_init(worker_id):
        raise KeyError("init failed")

    with deadline(60):
        loader = data.DataLoader(list(range(4)), num_workers=1, worker_init_fn=bad_init,
                                 multiprocessing_context="fork")
        with pytest.raises(KeyError, match="init failed"):
            list(loader)


def test_pin_memory_is_accepted():
    loader = data.DataLoader(list(range(3)), batch_size=2, pin_memory=True)
    with warnings_ok():
        assert [b.tolist() for b in loader] == [[0, 1], [2]]


@contextlib.contextmanager
def warnings_ok():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
