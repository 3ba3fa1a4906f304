"""Samplers against torch's: lengths, deterministic indices, distributions, errors."""

import numpy as np
import pytest
import torch.utils.data as tdata

import ember
from ember.utils import data


@pytest.mark.parametrize("n, bs, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True),
                                              (1, 4, False), (1, 4, True), (0, 2, False)])
def test_sequential_and_batch_sampler_match_torch(n, bs, drop_last):
    src = list(range(n))
    assert list(data.SequentialSampler(src)) == list(tdata.SequentialSampler(src))
    assert len(data.SequentialSampler(src)) == n
    e = data.BatchSampler(data.SequentialSampler(src), bs, drop_last)
    t = tdata.BatchSampler(tdata.SequentialSampler(src), bs, drop_last)
    assert list(e) == list(t)
    assert len(e) == len(t)


@pytest.mark.parametrize("kwargs", [dict(batch_size=0, drop_last=False),
                                    dict(batch_size=True, drop_last=False),
                                    dict(batch_size=2, drop_last=1)])
def test_batch_sampler_errors(kwargs):
    with pytest.raises(ValueError):
        tdata.BatchSampler(range(3), **kwargs)
    with pytest.raises(ValueError, match="should be a"):
        data.BatchSampler(range(3), **kwargs)


def test_random_sampler_permutation_and_reproducible():
    src = range(50)
    ember.manual_seed(3)
    a = list(data.RandomSampler(src))
    ember.manual_seed(3)
    b = list(data.RandomSampler(src))
    assert sorted(a) == list(src) and a == b and a != list(src)
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    assert list(data.RandomSampler(src, generator=g1)) == list(data.RandomSampler(src,
                                                                                 generator=g2))


@pytest.mark.parametrize("replacement, num_samples", [(False, 23), (False, 7), (True, 70),
                                                      (True, None)])
def test_random_sampler_lengths_match_torch(replacement, num_samples):
    src = range(10)
    e = list(data.RandomSampler(src, replacement, num_samples))
    t = list(tdata.RandomSampler(src, replacement, num_samples))
    assert len(e) == len(t) == len(data.RandomSampler(src, replacement, num_samples))
    assert all(0 <= i < 10 for i in e)
    if not replacement:   # every full pass is a permutation; the tail has no repeats
        for k in range(0, len(e) - len(e) % 10, 10):
            assert sorted(e[k:k + 10]) == list(range(10))
        assert len(set(e[len(e) - len(e) % 10:])) == len(e) % 10


def test_random_sampler_with_replacement_is_uniform():
    ember.manual_seed(0)
    counts = np.bincount(list(data.RandomSampler(range(4), True, 8000)), minlength=4)
    assert np.all(np.abs(counts / 8000 - 0.25) < 0.03), counts


@pytest.mark.parametrize("kwargs, exc", [(dict(replacement=1), TypeError),
                                         (dict(num_samples=0), ValueError),
                                         (dict(num_samples=2.0), ValueError)])
def test_random_sampler_errors(kwargs, exc):
    with pytest.raises(exc):
        tdata.RandomSampler(range(3), **kwargs)
    with pytest.raises(exc, match="should be a"):
        data.RandomSampler(range(3), **kwargs)


def test_subset_random_sampler():
    idx = [5, 9, 2, 7]
    out = list(data.SubsetRandomSampler(idx))
    assert sorted(out) == sorted(idx) and len(data.SubsetRandomSampler(idx)) == 4
    g1, g2 = ember.Generator().manual_seed(1), ember.Generator().manual_seed(1)
    assert list(data.SubsetRandomSampler(idx, g1)) == list(data.SubsetRandomSampler(idx, g2))


def test_weighted_random_sampler_distribution():
    w = [1.0, 0.0, 3.0, 4.0]
    ember.manual_seed(0)
    s = data.WeightedRandomSampler(w, 16000)
    out = list(s)
    assert len(out) == len(s) == 16000
    freq = np.bincount(out, minlength=4) / 16000
    np.testing.assert_allclose(freq, np.array(w) / 8, atol=0.02)
    no_rep = list(data.WeightedRandomSampler(w, 3, replacement=False))
    assert sorted(no_rep) == [0, 2, 3]   # the zero-weight index is never drawn
    assert s.weights.dtype == ember.float64 and s.weights.shape == (4,)


@pytest.mark.parametrize("args", [([1.0, 2.0], 0), ([1.0, 2.0], True), ([[1.0, 2.0]], 2)])
def test_weighted_random_sampler_errors(args):
    with pytest.raises(ValueError):
        tdata.WeightedRandomSampler(*args)
    with pytest.raises(ValueError, match="should be a"):
        data.WeightedRandomSampler(*args)
    with pytest.raises(ValueError):
        data.WeightedRandomSampler([1.0], 2, replacement=1)
