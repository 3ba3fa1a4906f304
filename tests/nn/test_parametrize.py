"""nn.utils.parametrize and nn.utils.parametrizations against torch: register/remove
parametrizations, right_inverse, cached, weight_norm and spectral_norm (outputs, every parameter
gradient, state_dict keys, power-iteration buffers over training steps), repr and errors."""

import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from ember.nn.utils import parametrizations as EPs
from ember.nn.utils import parametrize as EP
from harness import assert_close_tensor, check_gradcheck, run_both, same_state
from harness import module_pair as make
from harness import state_to_ember as to_e

TP = torch.nn.utils.parametrize
TPs = torch.nn.utils.parametrizations


# ------------------------------------------------------------------ weight_norm


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_linear(rng, dtype, dim):
    tm, em = make("Linear", 5, 4, dtype=dtype)
    TPs.weight_norm(tm, dim=dim)
    EPs.weight_norm(em, dim=dim)
    assert list(tm.state_dict()) == list(em.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    em.load_state_dict(to_e(tm.state_dict()))
    same_state(tm, em)
    assert_close_tensor(em.weight, tm.weight)
    x = rng.standard_normal((3, 5)).astype(str(dtype)[6:])
    run_both(tm, em, x, rng)
    assert repr(em) == repr(tm)
    assert type(em).__name__ == "ParametrizedLinear"
    assert EP.type_before_parametrizations(em) is ember.nn.Linear


def test_weight_norm_conv2d(rng):
    tm, em = make("Conv2d", 3, 4, 3, padding=1)
    TPs.weight_norm(tm)
    EPs.weight_norm(em)
    em.load_state_dict(to_e(tm.state_dict()))
    assert tuple(em.parametrizations.weight.original0.shape) == (4, 1, 1, 1)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    run_both(tm, em, x, rng, atol=1e-5)


def test_weight_norm_loads_old_style_state_dict(rng):
    told = torch.nn.Linear(4, 3)
    with pytest.warns(FutureWarning):
        torch.nn.utils.weight_norm(told)
    tm, em = make("Linear", 4, 3)
    TPs.weight_norm(tm)
    EPs.weight_norm(em)
    tm.load_state_dict(told.state_dict())
    em.load_state_dict(to_e(told.state_dict()))
    same_state(tm, em)
    run_both(tm, em, rng.standard_normal((2, 4)).astype(np.float32), rng)


def test_weight_norm_remove_leaves_same_parameter(rng):
    tm, em = make("Linear", 4, 3)
    TPs.weight_norm(tm)
    EPs.weight_norm(em)
    with torch.no_grad():
        tm.parametrizations.weight.original0.mul_(2.0)
    em.load_state_dict(to_e(tm.state_dict()))
    TP.remove_parametrizations(tm, "weight")
    EP.remove_parametrizations(em, "weight")
    assert type(em) is ember.nn.Linear
    assert isinstance(em.weight, ember.nn.Parameter)
    assert not hasattr(em, "parametrizations")
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    same_state(tm, em)
    assert repr(em) == repr(tm)
    run_both(tm, em, rng.standard_normal((2, 4)).astype(np.float32), rng)


def test_weight_norm_cannot_leave_unparametrized():
    tm, em = make("Linear", 4, 3)
    TPs.weight_norm(tm)
    EPs.weight_norm(em)
    with pytest.raises(ValueError) as te:
        TP.remove_parametrizations(tm, "weight", leave_parametrized=False)
    with pytest.raises(ValueError, match="Cannot leave unparametrized") as ee:
        EP.remove_parametrizations(em, "weight", leave_parametrized=False)
    assert str(ee.value) == str(te.value)


# ------------------------------------------------------------------ spectral_norm


@pytest.mark.parametrize("layer,args,xshape", [
    ("Linear", (6, 4), (3, 6)),
    ("Conv2d", (3, 5, 3), (2, 3, 7, 7)),
    ("ConvTranspose2d", (3, 5, 3), (2, 3, 4, 4)),
    ("Conv1d", (2, 3, 2), (2, 2, 5)),
])
@pytest.mark.parametrize("n_power_iterations", [1, 3])
def test_spectral_norm_training_steps(rng, layer, args, xshape, n_power_iterations):
    tm, em = make(layer, *args, dtype=torch.float64)
    TPs.spectral_norm(tm, n_power_iterations=n_power_iterations)
    EPs.spectral_norm(em, n_power_iterations=n_power_iterations)
    assert list(tm.state_dict()) == list(em.state_dict())
    assert list(em.state_dict())[-2:] == ["parametrizations.weight.0._u",
                                          "parametrizations.weight.0._v"]
    em.load_state_dict(to_e(tm.state_dict()))   # same initial _u/_v as torch
    for _ in range(3):
        x = rng.standard_normal(xshape)
        run_both(tm, em, x, rng)
        same_state(tm, em, rtol=1e-7, atol=1e-9)   # _u/_v updated by the forward as torch
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.1 * p.grad
        with ember.no_grad():
            for p in em.parameters():
                p -= 0.1 * p.grad
        same_state(tm, em, rtol=1e-7, atol=1e-9)
    tm.eval()
    em.eval()
    u = em.parametrizations.weight[0]._u.numpy().copy()
    run_both(tm, em, rng.standard_normal(xshape), rng)
    np.testing.assert_array_equal(em.parametrizations.weight[0]._u.numpy(), u)
    same_state(tm, em, rtol=1e-7, atol=1e-9)


def test_spectral_norm_properties(rng):
    em = ember.nn.Linear(8, 6, dtype=ember.float64)
    EPs.spectral_norm(em)
    for _ in range(30):
        w = em.weight
    sigma = np.linalg.svd(w.detach().numpy(), compute_uv=False)[0]
    assert abs(sigma - 1.0) < 1e-6
    assert em.parametrizations.weight[0]._u.shape == (6,)
    assert em.parametrizations.weight[0]._v.shape == (8,)


def test_spectral_norm_one_dim_and_dims(rng):
    tm, em = make("Linear", 4, 3, dtype=torch.float64)
    TPs.spectral_norm(tm, "bias")
    EPs.spectral_norm(em, "bias")
    assert list(tm.state_dict()) == list(em.state_dict())
    assert_close_tensor(em.bias, tm.bias)
    run_both(tm, em, rng.standard_normal((2, 4)), rng)
    tm, em = make("Conv2d", 2, 3, 2, dtype=torch.float64)
    TPs.spectral_norm(tm, dim=-1)
    EPs.spectral_norm(em, dim=-1)
    em.load_state_dict(to_e(tm.state_dict()))
    assert em.parametrizations.weight[0].dim == 3
    run_both(tm, em, rng.standard_normal((1, 2, 4, 4)), rng)
    same_state(tm, em, rtol=1e-7, atol=1e-9)


def test_spectral_norm_remove(rng):
    tm, em = make("Linear", 5, 4, dtype=torch.float64)
    TPs.spectral_norm(tm)
    EPs.spectral_norm(em)
    em.load_state_dict(to_e(tm.state_dict()))
    TP.remove_parametrizations(tm, "weight")
    EP.remove_parametrizations(em, "weight")
    same_state(tm, em, rtol=1e-7, atol=1e-9)
    assert type(em) is ember.nn.Linear


@pytest.mark.parametrize("kwargs,exc", [({"n_power_iterations": 0}, ValueError),
                                        ({"dim": 2}, IndexError), ({"dim": -3}, IndexError),
                                        ({"name": "nope"}, ValueError)])
def test_spectral_norm_errors(kwargs, exc):
    with pytest.raises(exc) as te:
        TPs.spectral_norm(torch.nn.Linear(3, 2), **kwargs)
    with pytest.raises(exc) as ee:
        EPs.spectral_norm(ember.nn.Linear(3, 2), **kwargs)
    assert str(ee.value).split("'")[0] == str(te.value).split("'")[0]


# ------------------------------------------------------------------ custom parametrizations


class TSymmetric(torch.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)

    def right_inverse(self, a):
        return a.triu()


class ESymmetric(ember.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)

    def right_inverse(self, a):
        return a.triu()


class TScale(torch.nn.Module):
    def forward(self, x):
        return 2.0 * x


class EScale(ember.nn.Module):
    def forward(self, x):
        return 2.0 * x


def test_custom_parametrization_chain(rng):
    tm, em = make("Linear", 4, 4, dtype=torch.float64)
    TP.register_parametrization(tm, "weight", TSymmetric())
    EP.register_parametrization(em, "weight", ESymmetric())
    same_state(tm, em)     # right_inverse ran on the original at registration
    TP.register_parametrization(tm, "weight", TScale())
    EP.register_parametrization(em, "weight", EScale())
    assert repr(em) == repr(tm).replace("(0): T", "(0): E").replace("(1): T", "(1): E")
    assert list(tm.state_dict()) == list(em.state_dict())
    assert_close_tensor(em.weight, tm.weight)
    w = em.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    run_both(tm, em, rng.standard_normal((3, 4)), rng)
    assert EP.is_parametrized(em) and EP.is_parametrized(em, "weight")
    assert not EP.is_parametrized(em, "bias")
    assert not EP.is_parametrized(ember.nn.Linear(2, 2))


def test_parametrized_attribute_recomputed_on_every_access():
    em = ember.nn.Linear(3, 3, dtype=ember.float64)
    EP.register_parametrization(em, "weight", EScale())
    w1 = em.weight
    with ember.no_grad():
        em.parametrizations.weight.original.add_(1.0)
    w2 = em.weight
    assert w1 is not w2
    np.testing.assert_allclose(w2.detach().numpy(), w1.detach().numpy() + 2.0)
    assert "weight" not in em._parameters and "weight" not in em.__dict__
    with EP.cached():
        a = em.weight
        assert em.weight is a
    assert em.weight is not a


def test_setting_parametrized_calls_right_inverse(rng):
    tm, em = make("Linear", 3, 3, dtype=torch.float64)
    TP.register_parametrization(tm, "weight", TSymmetric())
    EP.register_parametrization(em, "weight", ESymmetric())
    a = rng.standard_normal((3, 3))
    orig = em.parametrizations.weight.original
    tm.weight = torch.from_numpy(a.copy())
    em.weight = ember.tensor(a.copy())
    assert em.parametrizations.weight.original is orig     # same Parameter, new data
    same_state(tm, em)
    assert_close_tensor(em.weight, tm.weight)


def test_buffer_parametrization_and_remove_without_leaving(rng):
    tm, em = make("BatchNorm1d", 3, dtype=torch.float64)
    TP.register_parametrization(tm, "running_var", TScale())
    EP.register_parametrization(em, "running_var", EScale())
    assert list(tm.state_dict()) == list(em.state_dict())
    assert [n for n, _ in tm.named_buffers()] == [n for n, _ in em.named_buffers()]
    assert_close_tensor(em.running_var, tm.running_var)
    TP.remove_parametrizations(tm, "running_var", leave_parametrized=False)
    EP.remove_parametrizations(em, "running_var", leave_parametrized=False)
    same_state(tm, em)
    assert "running_var" in em._buffers


def test_to_and_deepcopy_of_parametrized_module(rng):
    em = ember.nn.Linear(3, 2)
    EPs.weight_norm(em)
    p0 = em.parametrizations.weight.original1
    em.to(ember.float64)
    assert em.parametrizations.weight.original1 is p0
    assert em.weight.dtype == ember.float64
    em2 = copy.deepcopy(em)
    assert type(em2) is type(em)
    with ember.no_grad():
        em2.parametrizations.weight.original1.zero_()
    assert np.abs(em.weight.detach().numpy()).sum() > 0
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
        pickle.dumps(em)
    em3 = ember.nn.Linear(3, 2)
    EPs.weight_norm(em3)
    assert type(em3) is not type(em)    # one class per module, as torch


def test_transfer_parametrizations_and_params():
    src = ember.nn.Linear(3, 3, dtype=ember.float64)
    EP.register_parametrization(src, "weight", EScale())
    dst = ember.nn.Linear(3, 3, dtype=ember.float64)
    EP.transfer_parametrizations_and_params(src, dst)
    assert EP.is_parametrized(dst, "weight")
    np.testing.assert_array_equal(dst.weight.detach().numpy(), src.weight.detach().numpy())


class TBad(torch.nn.Module):
    def forward(self, x):
        return x[:1]


class EBad(ember.nn.Module):
    def forward(self, x):
        return x[:1]


class TDouble(torch.nn.Module):
    def forward(self, x):
        return x.double()


class EDouble(ember.nn.Module):
    def forward(self, x):
        return x.double()


@pytest.mark.parametrize("case", ["missing", "shape", "dtype", "remove", "no_inverse",
                                  "shape_second"])
def test_parametrize_errors(case):
    def run(lib, P, bad, double, scale):
        m = lib.nn.Linear(3, 3)
        if case == "missing":
            P.register_parametrization(m, "nope", scale())
        elif case == "shape":
            P.register_parametrization(m, "weight", bad())
        elif case == "dtype":
            P.register_parametrization(m, "weight", double())
        elif case == "remove":
            P.remove_parametrizations(m, "weight")
        elif case == "no_inverse":
            P.register_parametrization(m, "weight", scale())
            m.weight = lib.zeros(3, 3)
        else:
            P.register_parametrization(m, "weight", scale())
            P.register_parametrization(m, "weight", bad())

    with pytest.raises(Exception) as te:
        run(torch, TP, TBad, TDouble, TScale)
    with pytest.raises(type(te.value)) as ee:
        run(ember, EP, EBad, EDouble, EScale)
    expected = str(te.value).replace("TScale", "EScale").split("\n")[0].split("'")[0]
    assert str(ee.value).startswith(expected)


def test_unsafe_allows_shape_change(rng):
    tm, em = make("Linear", 3, 3, bias=False, dtype=torch.float64)
    TP.register_parametrization(tm, "weight", TBad(), unsafe=True)
    EP.register_parametrization(em, "weight", EBad(), unsafe=True)
    assert tuple(em.weight.shape) == (1, 3)
    run_both(tm, em, rng.standard_normal((2, 3)), rng)


# ------------------------------------------------------------------ orthogonal


@pytest.mark.parametrize("shape,omap,triv", [
    ((4, 4), None, True), ((4, 4), "cayley", True), ((4, 4), "householder", True),
    ((5, 3), None, True), ((3, 5), None, True), ((5, 3), "matrix_exp", True),
    ((3, 5), "cayley", True), ((5, 3), "householder", False), ((3, 5), "householder", False),
    ((4, 4), "householder", False)])
def test_orthogonal(rng, shape, omap, triv):
    tm, em = make("Linear", shape[1], shape[0], dtype=torch.float64)
    TPs.orthogonal(tm, orthogonal_map=omap, use_trivialization=triv)
    EPs.orthogonal(em, orthogonal_map=omap, use_trivialization=triv)
    assert list(tm.state_dict()) == list(em.state_dict())
    assert repr(em) == repr(tm)
    w = em.weight.detach().numpy()
    small = w if shape[0] >= shape[1] else w.T
    np.testing.assert_allclose(small.T @ small, np.eye(min(shape)), atol=1e-10)
    if shape[0] == shape[1] or not triv:     # no random completion: same as torch
        assert_close_tensor(em.weight, tm.weight)
    with torch.no_grad():
        orig = tm.parametrizations.weight.original
        orig.add_(torch.from_numpy(rng.standard_normal(tuple(orig.shape)) * 0.3))
    em.load_state_dict(to_e(tm.state_dict()))
    run_both(tm, em, rng.standard_normal((2, shape[1])), rng)


def test_orthogonal_assign_and_float32(rng):
    tm, em = make("Linear", 4, 4)
    TPs.orthogonal(tm)
    EPs.orthogonal(em)
    q = np.linalg.qr(rng.standard_normal((4, 4)))[0].astype(np.float32)
    tm.weight = torch.from_numpy(q.copy())
    em.weight = ember.tensor(q.copy())
    assert em.weight.dtype == ember.float32
    assert_close_tensor(em.weight, tm.weight, atol=1e-5)
    same_state(tm, em, atol=1e-5)


@pytest.mark.parametrize("kwargs,make_module", [
    ({"orthogonal_map": "nope"}, lambda lib: lib.nn.Linear(3, 3)),
    ({"name": "bias"}, lambda lib: lib.nn.Linear(3, 3)),
    ({"name": "nope"}, lambda lib: lib.nn.Linear(3, 3)),
])
def test_orthogonal_errors(kwargs, make_module):
    with pytest.raises(ValueError) as te:
        TPs.orthogonal(make_module(torch), **kwargs)
    with pytest.raises(ValueError) as ee:
        EPs.orthogonal(make_module(ember), **kwargs)
    assert str(ee.value).split("'")[0] == str(te.value).split("'")[0]
    for lib, P in ((torch, TPs), (ember, EPs)):
        m = P.orthogonal(lib.nn.Linear(3, 3), use_trivialization=False)
        with pytest.raises(NotImplementedError, match="It is not possible to assign"):
            m.weight = lib.eye(3)
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
            m.parametrizations.weight[0].right_inverse(lib.eye(2))


def test_parametrizations_gradcheck(rng):
    from ember.nn.utils.parametrizations import _householder_product, _OrthMaps, _Orthogonal
    from ember.nn.utils.weight_norm import _weight_norm
    a = rng.standard_normal((2, 5, 3))
    tau = rng.standard_normal((2, 3))
    check_gradcheck(_householder_product, a, tau, gradgrad=True)
    e, t = _householder_product(ember.tensor(a), ember.tensor(tau)), \
        torch.linalg.householder_product(torch.from_numpy(a), torch.from_numpy(tau))
    assert_close_tensor(e, t)
    v = rng.standard_normal((4, 3))
    check_gradcheck(lambda g, v: _weight_norm(v, g, 0), rng.standard_normal((4, 1)), v,
                    gradgrad=True)
    check_gradcheck(lambda g, v: _weight_norm(v, g, -1), rng.standard_normal(()), v)
    for omap in _OrthMaps:
        orth = _Orthogonal(ember.zeros(4, 3), omap, use_trivialization=False)
        check_gradcheck(orth, rng.standard_normal((4, 3)) * 0.5)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_parametrized_rnn_weight(cls, rng):
    """A parametrized recurrent weight is read through its property in the forward."""
    t_rnn = getattr(torch.nn, cls)(3, 4)
    e_rnn = getattr(ember.nn, cls)(3, 4)
    torch.nn.utils.parametrizations.weight_norm(t_rnn, "weight_hh_l0")
    ember.nn.utils.parametrizations.weight_norm(e_rnn, "weight_hh_l0")
    e_rnn.load_state_dict({k: ember.tensor(v.detach().numpy())
                           for k, v in t_rnn.state_dict().items()})
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    ye = e_rnn(ember.tensor(x))[0]
    yt = t_rnn(torch.tensor(x))[0]
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
