import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn import init


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 3),
                                  ("selu",), ("conv_transpose3d",)])
def test_calculate_gain(args):
    assert init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))


@pytest.mark.parametrize("args,match", [(("foo",), "Unsupported nonlinearity foo"),
                                        (("leaky_relu", "a"), "not a valid number"),
                                        (("leaky_relu", True), "not a valid number")])
def test_calculate_gain_errors(args, match):
    with pytest.raises(ValueError, match=match):
        init.calculate_gain(*args)
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain(*args)


@pytest.mark.parametrize("shape", [(3, 4), (5, 3, 2, 2), (2, 6, 3)])
def test_fans(shape):
    assert init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def _stats(name, kwargs, shape=(400, 500)):
    e = ember.empty(*shape)
    out = getattr(init, name)(e, **kwargs)
    assert out is e
    t = torch.empty(*shape)
    getattr(torch.nn.init, name)(t, **kwargs)
    return e.numpy(), t.numpy()


@pytest.mark.parametrize("name,kwargs", [
    ("uniform_", {"a": -2.0, "b": 3.0}), ("normal_", {"mean": 1.0, "std": 0.5}),
    ("trunc_normal_", {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 1.5}),
    ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}), ("kaiming_uniform_", {"mode": "fan_out",
                                                                    "nonlinearity": "relu"}),
    ("kaiming_normal_", {}), ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
    ("orthogonal_", {"gain": 1.5}), ("sparse_", {"sparsity": 0.3, "std": 0.1})])
def test_random_init_distributions(name, kwargs):
    e, t = _stats(name, kwargs, (200, 300) if name == "orthogonal_" else (400, 500))
    assert e.dtype == np.float32
    tol = 0.02 * t.std() + 1e-4
    assert abs(e.mean() - t.mean()) < tol + 0.01 * abs(t.mean())
    assert abs(e.std() - t.std()) < tol
    for q in (0.05, 0.5, 0.95):   # same shape of distribution
        assert abs(np.quantile(e, q) - np.quantile(t, q)) < 0.04 * t.std() + 1e-4
    if "uniform" in name or "trunc" in name:   # same support
        assert e.min() >= t.min() - 0.01 * t.std() and e.max() <= t.max() + 0.01 * t.std()
    assert abs((e == 0).mean() - (t == 0).mean()) < 0.01


def test_kaiming_uniform_bound():
    e = init.kaiming_uniform_(ember.empty(300, 200), a=0, nonlinearity="relu").numpy()
    bound = math.sqrt(2) * math.sqrt(3 / 200)
    assert e.max() <= bound and e.max() > 0.98 * bound and e.min() >= -bound


@pytest.mark.parametrize("shape", [(6, 6), (4, 9), (9, 4), (3, 2, 2, 2)])
def test_orthogonal(shape):
    w = init.orthogonal_(ember.empty(*shape)).numpy().reshape(shape[0], -1).astype(np.float64)
    m = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(m, np.eye(m.shape[0]), atol=1e-5)


def test_generator_reproducible():
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    for name in ("uniform_", "normal_", "xavier_uniform_", "kaiming_normal_", "orthogonal_",
                 "trunc_normal_"):
        a = getattr(init, name)(ember.empty(5, 4), generator=g1).numpy()
        b = getattr(init, name)(ember.empty(5, 4), generator=g2).numpy()
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,args,shape", [
    ("eye_", (), (3, 5)), ("eye_", (), (4, 2)), ("dirac_", (), (4, 3, 3)),
    ("dirac_", (), (2, 4, 3, 3)), ("dirac_", (2,), (6, 3, 3, 2)), ("dirac_", (3,), (6, 4, 3, 3, 3)),
    ("constant_", (0.25,), (3, 4)), ("ones_", (), (2, 3)), ("zeros_", (), (2, 3))])
def test_deterministic_exact(name, args, shape):
    e, t = ember.randn(*shape), torch.randn(*shape)
    assert getattr(init, name)(e, *args) is e
    getattr(torch.nn.init, name)(t, *args)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_in_place_no_grad_and_version():
    p = ember.nn.Parameter(ember.randn(3, 4))
    v = p._version if hasattr(p, "_version") else None
    init.xavier_uniform_(p)   # a leaf requiring grad: fine, no graph recorded
    assert p.grad_fn is None and p.requires_grad
    if v is not None:
        assert p._version > v
    d = ember.empty(3, 4, dtype=ember.float64)
    assert init.normal_(d).dtype == ember.float64


@pytest.mark.parametrize("name,args,shape,match", [
    ("xavier_uniform_", (), (3,), "fewer than 2 dimensions"),
    ("kaiming_normal_", (), (3,), "fewer than 2 dimensions"),
    ("kaiming_uniform_", (0, "x"), (3, 3), "Mode x not supported"),
    ("eye_", (), (3,), "Only tensors with 2 dimensions"),
    ("dirac_", (), (3, 3), "3, 4, or 5 dimensions"),
    ("dirac_", (2,), (3, 3, 3), "divisible by groups"),
    ("orthogonal_", (), (3,), "2 or more dimensions"),
    ("sparse_", (0.1,), (3, 3, 3), "Only tensors with 2 dimensions")])
def test_init_errors(name, args, shape, match):
    with pytest.raises(ValueError, match=match):
        getattr(init, name)(ember.empty(*shape), *args)
    with pytest.raises(ValueError):
        getattr(torch.nn.init, name)(torch.empty(*shape), *args)


def test_zero_element_kaiming_warns_and_deprecated_aliases():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(ember.empty(0, 3))
    with pytest.warns(FutureWarning, match="deprecated"):
        init.uniform(ember.empty(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init.uniform_(ember.empty(2, 2))


def test_sparse_columns():
    w = init.sparse_(ember.empty(10, 50), 0.35).numpy()
    assert np.all((w == 0).sum(0) == math.ceil(0.35 * 10))
