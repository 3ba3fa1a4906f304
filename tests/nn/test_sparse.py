import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
import ember.nn.functional as F
from harness import check_error, check_gradcheck


def _load(e_mod, t_mod):
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                           t_mod.state_dict().items()})


def _compare(e_mod, t_mod, args, rng, kwargs=None):
    """Outputs and the weight grad of ember vs torch for a random cotangent."""
    kwargs = kwargs or {}
    e_out = e_mod(*[ember.tensor(a) for a in args],
                  **{k: ember.tensor(v) for k, v in kwargs.items()})
    t_out = t_mod(*[torch.tensor(a) for a in args],
                  **{k: torch.tensor(v) for k, v in kwargs.items()})
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), 1e-5, 1e-6)
    cot = rng.standard_normal(tuple(t_out.shape)).astype(np.float32)
    e_out.backward(ember.tensor(cot))
    t_out.backward(torch.tensor(cot))
    np.testing.assert_allclose(e_mod.weight.grad.numpy(), t_mod.weight.grad.numpy(), 1e-5, 1e-5)


@pytest.mark.parametrize("kw", [{}, {"padding_idx": 1}, {"padding_idx": -2},
                                {"scale_grad_by_freq": True},
                                {"padding_idx": 0, "scale_grad_by_freq": True},
                                {"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0}])
@pytest.mark.parametrize("idx_dtype", [np.int64, np.int32])
def test_embedding_module(kw, idx_dtype, rng):
    t, e = torch.nn.Embedding(10, 4, **kw), nn.Embedding(10, 4, **kw)
    assert repr(e) == repr(t)
    _load(e, t)
    idx = rng.integers(0, 10, (3, 5)).astype(idx_dtype)
    idx[0, :3] = 1
    _compare(e, t, [idx], rng)
    # max_norm renormalised the looked-up rows in place, as torch
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), 1e-5, 1e-6)


def test_embedding_init_and_from_pretrained():
    e = nn.Embedding(1000, 64, padding_idx=3)
    w = e.weight.detach().numpy()
    assert np.all(w[3] == 0)
    assert abs(w.std() - 1) < 0.02 and abs(w.mean()) < 0.02   # N(0, 1)
    pre = ember.randn(5, 3)
    f = nn.Embedding.from_pretrained(pre, padding_idx=0)
    assert not f.weight.requires_grad and f.padding_idx == 0
    np.testing.assert_array_equal(f(ember.tensor([2])).numpy(), pre.numpy()[[2]])
    assert nn.Embedding.from_pretrained(pre, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError):
        nn.Embedding.from_pretrained(ember.randn(5))
    assert list(e.state_dict()) == list(torch.nn.Embedding(3, 2).state_dict())


def test_embedding_functional_gradcheck(rng):
    idx = ember.tensor([[0, 2, 2], [4, 0, 1]])
    w = rng.standard_normal((5, 3))
    check_gradcheck(lambda w: F.embedding(idx, w), w, gradgrad=True)
    # padding_idx / scale_grad_by_freq are not true gradients (checked against torch above)
    for mode in ("sum", "mean", "max"):
        check_gradcheck(lambda w, m=mode: F.embedding_bag(idx, w, mode=m), w)


def test_embedding_errors():
    w = np.zeros((5, 3), np.float32)
    check_error(F.embedding, torch.nn.functional.embedding, np.array([1.0]), w,
                match=["indices", "Long, Int", "float"])
    check_error(F.embedding, torch.nn.functional.embedding, np.array([5]), w,
                match=["index out of range", "5", "num_embeddings=5"])
    check_error(F.embedding, torch.nn.functional.embedding, np.array([-1]), w,
                match=["index out of range", "-1"])
    with pytest.raises(AssertionError):
        nn.Embedding(5, 3, padding_idx=7)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_2d(mode, padding_idx, rng):
    t = torch.nn.EmbeddingBag(10, 4, mode=mode, padding_idx=padding_idx)
    e = nn.EmbeddingBag(10, 4, mode=mode, padding_idx=padding_idx)
    assert repr(e) == repr(t)
    _load(e, t)
    idx = rng.integers(0, 10, (3, 4))
    idx[0, 0] = 2
    _compare(e, t, [idx], rng)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("last", [False, True])
def test_embedding_bag_offsets(mode, last, rng):
    t = torch.nn.EmbeddingBag(10, 4, mode=mode, include_last_offset=last)
    e = nn.EmbeddingBag(10, 4, mode=mode, include_last_offset=last)
    _load(e, t)
    idx = rng.integers(0, 10, 9)
    offsets = np.array([0, 2, 2, 6] + ([9] if last else []))   # with an empty bag
    _compare(e, t, [idx, offsets], rng)


def test_embedding_bag_per_sample_weights(rng):
    t = torch.nn.EmbeddingBag(10, 4, mode="sum")
    e = nn.EmbeddingBag(10, 4, mode="sum")
    _load(e, t)
    idx = rng.integers(0, 10, 7)
    _compare(e, t, [idx, np.array([0, 3])], rng,
             {"per_sample_weights": rng.standard_normal(7).astype(np.float32)})
    with pytest.raises(NotImplementedError):
        nn.EmbeddingBag(10, 4)(ember.tensor([1, 2]), ember.tensor([0]),
                               per_sample_weights=ember.ones(2))
    with pytest.raises(ValueError):
        nn.EmbeddingBag(10, 4)(ember.tensor([1, 2]))
    b = nn.EmbeddingBag.from_pretrained(ember.randn(4, 2), mode="sum")
    assert not b.weight.requires_grad and b.mode == "sum"


@pytest.mark.parametrize("shape,n", [((5,), -1), ((2, 3), 7), ((), 4), ((0,), 3)])
def test_one_hot(shape, n, rng):
    x = rng.integers(0, 4, shape).astype(np.int64)
    e = F.one_hot(ember.tensor(x), n)
    t = torch.nn.functional.one_hot(torch.tensor(x), n)
    assert e.dtype == ember.int64 and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("x,n,match", [
    (np.array([1.0]), -1, "LongTensor"), (np.array([1], np.int32), -1, "LongTensor"),
    (np.array([-1]), -1, "non-negative"), (np.array([3]), 2, "smaller than num_classes"),
    (np.zeros(0, np.int64), -1, "empty tensor")])
def test_one_hot_errors(x, n, match):
    check_error(lambda a: F.one_hot(a, n), lambda a: torch.nn.functional.one_hot(a, n), x,
                match=[match])


@pytest.mark.parametrize("wshape", [(5,), (5, 2, 2), ()])
def test_embedding_weight_must_be_2d(wshape, rng):
    w = rng.standard_normal(wshape).astype(np.float32)
    check_error(lambda w: F.embedding(ember.tensor([0, 1]), w),
                lambda w: torch.nn.functional.embedding(torch.tensor([0, 1]), w), w,
                match=["'weight' must be 2-D", str(wshape)])
    if wshape:   # with padding_idx too (torch reads weight.size(0) first)
        check_error(lambda w: F.embedding(ember.tensor([0, 1]), w, padding_idx=0),
                    lambda w: torch.nn.functional.embedding(torch.tensor([0, 1]), w,
                                                            padding_idx=0),
                    w, match=["'weight' must be 2-D"])
