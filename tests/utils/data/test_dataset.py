"""Datasets and random_split against torch's."""

import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
from ember.utils import data
from harness import assert_close_tensor


def test_tensor_dataset_matches_torch(rng):
    x, y = rng.standard_normal((6, 3)).astype(np.float32), rng.integers(0, 5, 6)
    e = data.TensorDataset(ember.tensor(x), ember.tensor(y))
    t = tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    assert len(e) == len(t) == 6
    for i in (0, 5, -1):
        for a, b in zip(e[i], t[i]):
            assert_close_tensor(a, b)
    assert isinstance(e[2], tuple) and len(e[2]) == 2


def test_tensor_dataset_size_mismatch_names_sizes():
    with pytest.raises(AssertionError):
        tdata.TensorDataset(torch.zeros(3, 2), torch.zeros(4))
    with pytest.raises(AssertionError, match=r"\(3, 2\).*\(4,\)"):
        data.TensorDataset(ember.zeros(3, 2), ember.zeros(4))


def test_concat_dataset_matches_torch():
    parts = [list(range(3)), list(range(10, 15)), [], list(range(20, 22))]
    e, t = data.ConcatDataset(parts), tdata.ConcatDataset(parts)
    assert e.cumulative_sizes == t.cumulative_sizes and len(e) == len(t) == 10
    assert [e[i] for i in range(-10, 10)] == [t[i] for i in range(-10, 10)]
    with pytest.raises(ValueError, match="absolute value of index"):
        e[-11]
    with pytest.raises(AssertionError):
        data.ConcatDataset([])
    added = data.TensorDataset(ember.zeros(2)) + data.TensorDataset(ember.ones(3))
    assert isinstance(added, data.ConcatDataset) and len(added) == 5


class Count(data.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def test_chain_and_iterable_datasets():
    c = data.ChainDataset([Count(2), Count(3)])
    assert list(c) == [0, 1, 0, 1, 2] and len(c) == 5
    assert list(Count(2) + Count(1)) == [0, 1, 0]
    with pytest.raises(AssertionError):
        list(data.ChainDataset([[1, 2]]))
    with pytest.raises(AssertionError):
        data.ConcatDataset([Count(2)])
    with pytest.raises(NotImplementedError):
        data.Dataset()[0]


def test_stack_dataset_matches_torch():
    a, b = list(range(4)), list("abcd")
    assert [data.StackDataset(a, b)[i] for i in range(4)] == \
        [tdata.StackDataset(a, b)[i] for i in range(4)]
    assert data.StackDataset(x=a, y=b)[2] == tdata.StackDataset(x=a, y=b)[2]
    assert len(data.StackDataset(a, b)) == 4
    for args, kwargs in [((a, b[:3]), {}), ((a,), {"y": b}), ((), {})]:
        with pytest.raises(ValueError):
            tdata.StackDataset(*args, **kwargs)
        with pytest.raises(ValueError):
            data.StackDataset(*args, **kwargs)


def test_subset():
    base = list(range(100, 110))
    s, t = data.Subset(base, [3, 1, 7]), tdata.Subset(base, [3, 1, 7])
    assert len(s) == 3 and [s[i] for i in range(3)] == [t[i] for i in range(3)]
    assert s.__getitems__([2, 0]) == t.__getitems__([2, 0])


@pytest.mark.parametrize("n, lengths", [(10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]),
                                        (7, [0.2, 0.2, 0.2, 0.2, 0.2]), (10, [3, 7]),
                                        (5, [1.0]), (3, [0.1, 0.9])])
def test_random_split_lengths_match_torch(n, lengths):
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = tdata.random_split(range(n), lengths)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        e = data.random_split(range(n), lengths, generator=ember.Generator().manual_seed(0))
    assert [len(s) for s in e] == [len(s) for s in t]
    assert len(we) == len(wt)
    assert sorted(i for s in e for i in s) == list(range(n))   # a partition


def test_random_split_reproducible_and_errors():
    a = data.random_split(range(20), [5, 15], generator=ember.Generator().manual_seed(4))
    b = data.random_split(range(20), [5, 15], generator=ember.Generator().manual_seed(4))
    assert list(a[0]) == list(b[0]) and list(a[0]) != list(range(5))
    for lengths in ([3, 3], [0.5, 0.6], [1.5, -0.5]):
        with pytest.raises(ValueError):
            tdata.random_split(range(10), lengths)
        with pytest.raises(ValueError):
            data.random_split(range(10), lengths)
