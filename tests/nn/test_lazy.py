"""Lazy conv / norm modules against torch: concrete class after the first forward, shapes,
outputs and gradients with torch's initialised weights loaded, repr, state_dict."""

import numpy as np
import pytest
import torch

import ember

CONV = [
    ("LazyConv1d", "Conv1d", (4, 3), {}, (2, 3, 7)),
    ("LazyConv2d", "Conv2d", (4, 3), {"stride": 2, "padding": 1}, (2, 3, 6, 5)),
    ("LazyConv3d", "Conv3d", (2, 2), {"bias": False}, (1, 2, 4, 3, 4)),
    ("LazyConv2d", "Conv2d", (4, 3), {"groups": 2}, (4, 6, 5)),          # unbatched
    ("LazyConvTranspose1d", "ConvTranspose1d", (4, 3), {"groups": 2}, (2, 6, 5)),
    ("LazyConvTranspose2d", "ConvTranspose2d", (3, 2), {"stride": 2, "output_padding": 1},
     (2, 3, 4, 4)),
    ("LazyConvTranspose3d", "ConvTranspose3d", (2, 2), {"bias": False}, (1, 3, 2, 3, 2)),
]
NORM = [
    ("LazyBatchNorm1d", "BatchNorm1d", {}, (4, 3)),
    ("LazyBatchNorm1d", "BatchNorm1d", {"affine": False}, (4, 3, 5)),
    ("LazyBatchNorm2d", "BatchNorm2d", {"momentum": None}, (2, 3, 4, 4)),
    ("LazyBatchNorm3d", "BatchNorm3d", {"bias": False}, (2, 3, 2, 3, 2)),
    ("LazyInstanceNorm1d", "InstanceNorm1d", {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", "InstanceNorm2d", {"affine": True}, (2, 3, 4, 5)),
    ("LazyInstanceNorm3d", "InstanceNorm3d", {"track_running_stats": True, "affine": True},
     (2, 3, 2, 3, 2)),
]


def _run(lazy, concrete, args, kwargs, shape, rng):
    x = rng.standard_normal(shape)
    tm = getattr(torch.nn, lazy)(*args, **kwargs).double()
    em = getattr(ember.nn, lazy)(*args, **kwargs).double()
    assert repr(em) == repr(tm)
    assert em.has_uninitialized_params() and tm.has_uninitialized_params()
    assert list(em.state_dict()) == list(tm.state_dict())
    xt = torch.tensor(x, requires_grad=True)
    xe = ember.tensor(x, requires_grad=True)
    yt = tm(xt)
    em(ember.tensor(x))            # materialise, then load torch's initial values
    assert type(em) is getattr(ember.nn, concrete) and type(tm) is getattr(torch.nn, concrete)
    assert repr(em) == repr(tm)
    assert not hasattr(em, "has_uninitialized_params")   # a plain concrete module, as torch
    for (ke, ve), (kt, vt) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert ke == kt and tuple(ve.shape) == tuple(vt.shape)
    tm2 = getattr(torch.nn, lazy)(*args, **kwargs).double()
    tm2(torch.tensor(x))
    sd = {k: ember.tensor(v.numpy()) for k, v in tm2.state_dict().items()}
    em.load_state_dict(sd)
    tm.load_state_dict(tm2.state_dict())
    yt = tm(xt)
    ye = em(xe)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(yt.shape)
    yt.backward(torch.tensor(g))
    ye.backward(ember.tensor(g))
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (n, pe), (_, pt) in zip(em.named_parameters(), tm.named_parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=n)


@pytest.mark.parametrize("lazy,concrete,args,kwargs,shape", CONV)
def test_lazy_conv(rng, lazy, concrete, args, kwargs, shape):
    _run(lazy, concrete, args, kwargs, shape, rng)


@pytest.mark.parametrize("lazy,concrete,kwargs,shape", NORM)
def test_lazy_norm(rng, lazy, concrete, kwargs, shape):
    _run(lazy, concrete, (), kwargs, shape, rng)


def test_init_consumes_no_rng_and_init_distribution():
    ember.manual_seed(0)
    a = ember.rand(3)
    ember.manual_seed(0)
    m = ember.nn.LazyConv2d(8, 3)
    assert ember.equal(ember.rand(3), a)
    m(ember.randn(1, 5, 6, 6))
    bound = 1 / np.sqrt(5 * 9)
    assert m.weight.shape == (8, 5, 3, 3) and m.bias.shape == (8,)
    assert np.abs(m.weight.detach().numpy()).max() <= bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    assert m.weight.requires_grad and m.weight.std().item() > bound / 4


def test_dtype_follows_placeholder_and_training_stats(rng):
    m = ember.nn.LazyBatchNorm1d(dtype=ember.float64)
    x = rng.standard_normal((6, 4))
    m(ember.tensor(x))
    assert m.weight.dtype == ember.float64 and m.running_mean.dtype == ember.float64
    np.testing.assert_allclose(m.running_mean.numpy(), 0.1 * x.mean(0))
    assert m.num_batches_tracked.item() == 1


def test_float32_default_dtype(rng):
    m = ember.nn.LazyConvTranspose2d(2, 3)
    y = m(ember.tensor(rng.standard_normal((1, 4, 3, 3)).astype(np.float32)))
    assert m.weight.dtype == ember.float32 and y.dtype == ember.float32
    assert tuple(y.shape) == (1, 2, 5, 5) and m.in_channels == 4


def test_load_state_dict_into_uninitialized():
    src = ember.nn.Conv1d(3, 2, 2)
    m = ember.nn.LazyConv1d(2, 2)
    m.load_state_dict(src.state_dict())
    assert type(m) is ember.nn.LazyConv1d and not m.has_uninitialized_params()
    np.testing.assert_array_equal(m.weight.detach().numpy(), src.weight.detach().numpy())
    x = ember.randn(1, 3, 5)
    np.testing.assert_allclose(m(x).detach().numpy(), src(x).detach().numpy())
    assert type(m) is ember.nn.Conv1d


def test_errors():
    for mod in (torch, ember):
        m = mod.nn.LazyConv2d(4, 3)
        with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\)"):
            m(mod.zeros(2, 3))
        m = mod.nn.LazyConv2d(4, 3, groups=2)
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            m(mod.zeros(1, 3, 5, 5))
