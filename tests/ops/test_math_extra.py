"""torch's pointwise extras against torch: addcmul/addcdiv, logaddexp(2), hypot, xlogy,
copysign, fmax/fmin, heaviside, float_power, the special functions (erfc, erfinv, lgamma,
digamma, logit, sinc, deg2rad, rad2deg, signbit), the constants and finfo/iinfo."""

import math

import numpy as np
import pytest
import torch

import ember
from harness import check, check_error, check_gradcheck


def _off_poles(x):
    """Move values near 0 and the negative integers (lgamma/digamma poles) away from them."""
    near = (x < 0.2) & (np.abs(x - np.round(x)) < 0.15)
    return np.where(near, x + 0.4, x)


def sample(rng, shape, domain, dtype=np.float64):
    x = rng.standard_normal(shape) * 2
    if domain == "unit":     # erfinv: (-1, 1)
        x = np.tanh(x) * 0.95
    elif domain == "prob":   # logit: (0, 1)
        x = 0.02 + 0.96 / (1 + np.exp(-x))
    elif domain == "gamma":
        x = _off_poles(x * 2)
    elif domain == "pos":
        x = np.abs(x) + 0.3
    elif domain == "nonzero":
        x = np.where(np.abs(x) < 0.3, 0.7, x)
    return np.asarray(x, dtype)


# ---------------------------------------------------------------------------- unary
UNARY = {
    "erfc": (ember.erfc, torch.erfc, "any"), "erfinv": (ember.erfinv, torch.erfinv, "unit"),
    "lgamma": (ember.lgamma, torch.lgamma, "gamma"),
    "digamma": (ember.digamma, torch.digamma, "gamma"),
    "logit": (ember.logit, torch.logit, "prob"),
    "logit_eps": (lambda x: ember.logit(x, eps=0.1), lambda x: torch.logit(x, eps=0.1), "prob"),
    "sinc": (ember.sinc, torch.sinc, "nonzero"),
    "deg2rad": (ember.deg2rad, torch.deg2rad, "any"),
    "rad2deg": (ember.rad2deg, torch.rad2deg, "any"),
    "i0": (ember.i0, torch.i0, "any"),
}
NO_GRADGRAD = {"digamma", "logit_eps"}   # polygamma(2) is not implemented; logit_eps: kinks
SHAPES_1 = [(3, 4), (), (0, 3), (2, 3, 2)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES_1)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_float(name, shape, dtype, rng):
    ef, tf, dom = UNARY[name]
    x = sample(rng, shape, dom, dtype)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    check(ef, tf, x, rng=rng, **tol)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_gradcheck(name, rng):
    ef, _, dom = UNARY[name]
    x = sample(rng, (2, 3), dom)
    if name == "logit_eps":   # away from the clamp's kinks at 0.1 and 0.9
        x = np.where(np.abs(x - 0.1) < 0.02, 0.15, np.where(np.abs(x - 0.9) < 0.02, 0.85, x))
    check_gradcheck(ef, x, gradgrad=name not in NO_GRADGRAD)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.int8, np.bool_])
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_int_and_bool(name, dtype, rng):
    ef, tf, _ = UNARY[name]
    x = rng.integers(0 if dtype in (np.uint8, np.bool_) else -4, 5, (3, 4)).astype(dtype)
    out = check(ef, tf, x, grad=False)[0]
    assert out.dtype == ember.float32


def test_unary_methods_and_inplace(rng):
    x = sample(rng, (3, 4), "prob")
    for name in ["erfc", "erfinv", "lgamma", "digamma", "logit", "sinc", "deg2rad", "rad2deg",
                 "i0"]:
        check(lambda t, n=name: getattr(t, n)(), lambda t, n=name: getattr(t, n)(), x)
        e, t = ember.tensor(x), torch.tensor(x)
        r = getattr(e, name + "_")()
        getattr(t, name + "_")()
        assert r is e
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)
    check(lambda t: t.logit(0.2), lambda t: t.logit(0.2), x)
    # an integer tensor cannot hold the float result
    check_error(lambda t: t.erfc_(), lambda t: t.erfc_(), np.arange(3))


# ---------------------------------------------------------------------------- special values
def _wide(dtype):
    x = np.concatenate([np.linspace(-30, 30, 6001), np.logspace(-30, 30, 61),
                        -np.logspace(-30, 30, 61) - 0.5,
                        [0.0, -0.0, -1.0, -2.0, -2.5, 0.5, 1.0, 2.0, 3.0, 1e-300, 171.6, 1e5 + 0.5,
                         -1e5 + 0.5, 1e300, -1e20, np.inf, -np.inf, np.nan]])
    with np.errstate(over="ignore"):
        return x.astype(dtype)


def _assert_matches(e, t, rtol, atol):
    """Same NaNs and infinities (with signs), finite values close."""
    e, t = e.numpy(), t.numpy()
    assert e.dtype == t.dtype
    np.testing.assert_array_equal(np.isnan(e), np.isnan(t))
    np.testing.assert_array_equal(np.isposinf(e), np.isposinf(t))
    np.testing.assert_array_equal(np.isneginf(e), np.isneginf(t))
    f = np.isfinite(t)
    np.testing.assert_allclose(e[f], t[f], rtol=rtol, atol=atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfc", "sinc", "deg2rad", "rad2deg", "i0"])
def test_wide_range(name, dtype):
    x = _wide(dtype)
    e, t = getattr(ember, name)(ember.tensor(x)), getattr(torch, name)(torch.from_numpy(x))
    if dtype == np.float32:
        _assert_matches(e, t, 2e-5, 1e-6)
    else:   # lgamma/digamma lose relative accuracy only at their roots
        _assert_matches(e, t, 1e-12, 1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfinv_range(dtype):
    y = np.concatenate([np.linspace(-1, 1, 4001), 1 - np.logspace(-16, -1, 61),
                        -1 + np.logspace(-16, -1, 61), np.logspace(-300, -1, 61),
                        [1.0, -1.0, 0.0, -0.0, 1.5, -2.0, np.inf, np.nan]]).astype(dtype)
    e, t = ember.erfinv(ember.tensor(y)), torch.erfinv(torch.from_numpy(y))
    _assert_matches(e, t, 2e-6 if dtype == np.float32 else 1e-13, 0)
    zero = y == 0   # erfinv(-0.0) is -0.0
    assert np.array_equal(np.signbit(e.numpy()[zero]), np.signbit(t.numpy()[zero]))


def test_poles_and_signs():
    x = np.array([0.0, -0.0, -1.0, -3.0, np.inf, -np.inf, np.nan])
    for name in ["lgamma", "digamma"]:
        e, t = getattr(ember, name)(ember.tensor(x)), getattr(torch, name)(torch.tensor(x))
        _assert_matches(e, t, 0, 0)
    check(ember.logit, torch.logit, np.array([0.0, 1.0, 0.5, 2.0, -1.0]), grad=False)
    check(ember.sinc, torch.sinc, np.array([0.0, 1e-20, 1.0, np.inf, np.nan]), grad=False)


def test_special_grads_at_edges():
    # logit's gradient: NaN outside [0, 1], inf at the ends; with eps, 0 outside the clamp
    p = np.array([-0.5, 0.0, 0.05, 0.5, 1.0, 1.5])
    check(ember.logit, torch.logit, p)
    check(lambda t: ember.logit(t, 0.1), lambda t: torch.logit(t, 0.1), p)
    check(ember.sinc, torch.sinc, np.array([0.0, 0.5, -2.0]))
    check(ember.erfinv, torch.erfinv, np.array([-0.999, 0.0, 0.5]), rtol=1e-9)
    check(ember.lgamma, torch.lgamma, np.array([-2.5, 0.1, 1.0, 7.0]), rtol=1e-9)
    # torch's trigamma (digamma's gradient) is itself accurate to ~1e-8 only
    check(ember.digamma, torch.digamma, np.array([-2.5, 0.1, 1.0, 7.0, 60.0]), rtol=1e-7)


def test_i0_gradients():
    # i0' = i1 (torch.special.i1), checked over a wide range; i1' = i0 - i1/x
    x = np.concatenate([np.linspace(-50, 50, 2001), [0.0, 1e-300, 700.0]])
    check(ember.i0, torch.i0, x, rtol=1e-12, atol=0)
    check(ember.i0, torch.i0, x[::50].astype(np.float32), rtol=2e-6, atol=0)
    check_gradcheck(ember.i0, np.array([-3.0, 0.0, 0.4, 25.0]), gradgrad=True)


def test_digamma_second_derivative_is_polygamma_2():
    # torch differentiates trigamma (digamma's derivative): d/dx polygamma(1, x) = polygamma(2, x)
    x = ember.tensor([1.5, 2.5], dtype=ember.float64, requires_grad=True)
    (g,) = ember.autograd.grad(ember.digamma(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(),
                               torch.polygamma(1, torch.tensor([1.5, 2.5])).numpy(), rtol=1e-7)
    (g2,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g2.numpy(), torch.polygamma(2, torch.tensor(
        [1.5, 2.5], dtype=torch.float64)).numpy(), rtol=1e-7)


# ---------------------------------------------------------------------------- signbit
def test_signbit():
    x = np.array([-0.0, 0.0, np.nan, -np.nan, -1.5, np.inf, -np.inf], np.float32)
    check(ember.signbit, torch.signbit, x, grad=False)
    for dtype in (np.int64, np.int8, np.uint8, np.bool_):
        check(ember.signbit, torch.signbit, np.array([-2, 0, 3]).astype(dtype), grad=False)
    t = ember.tensor([1.0, -2.0], requires_grad=True)
    s = t.signbit()
    assert s.dtype == ember.bool and not s.requires_grad
    assert s.tolist() == [False, True]
    assert not hasattr(t, "signbit_") and not hasattr(torch.Tensor, "signbit_")


# ---------------------------------------------------------------------------- binary
BINARY = {
    "logaddexp": (ember.logaddexp, torch.logaddexp, "any"),
    "logaddexp2": (ember.logaddexp2, torch.logaddexp2, "any"),
    "hypot": (ember.hypot, torch.hypot, "nonzero"),
    "xlogy": (ember.xlogy, torch.xlogy, "pos"),
    "copysign": (ember.copysign, torch.copysign, "nonzero"),
    "fmax": (ember.fmax, torch.fmax, "any"), "fmin": (ember.fmin, torch.fmin, "any"),
    "float_power": (ember.float_power, torch.float_power, "pos"),
    "heaviside": (ember.heaviside, torch.heaviside, "any"),
}
NOT_DIFF = {"heaviside"}
BINARY_NO_GRADGRAD = {"fmax", "fmin", "copysign"}
SHAPES_2 = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), (3,)), ((0, 2), (2,))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shapes", SHAPES_2)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_float(name, shapes, dtype, rng):
    ef, tf, dom = BINARY[name]
    a, b = sample(rng, shapes[0], dom, dtype), sample(rng, shapes[1], dom, dtype)
    if name in ("fmax", "fmin"):   # torch gives a tie's gradient to one side only
        b = np.where(np.abs(a - b) < 1e-3, b + 0.5, b).astype(dtype)
    check(ef, tf, a, b, rng=rng, rtol=1e-5, atol=1e-6, grad=name not in NOT_DIFF)


@pytest.mark.parametrize("name", [n for n in BINARY if n not in NOT_DIFF])
def test_binary_gradcheck(name, rng):
    ef, _, dom = BINARY[name]
    a, b = sample(rng, (2, 3), dom), sample(rng, (3,), dom)
    if name in ("fmax", "fmin"):
        b = np.where(np.abs(a - b).min(axis=0) < 0.2, b + 0.5, b)
    check_gradcheck(ef, a, b, gradgrad=name not in BINARY_NO_GRADGRAD)


@pytest.mark.parametrize("dtypes", [(np.int64, np.int64), (np.int32, np.int64),
                                    (np.int32, np.float32), (np.bool_, np.int64),
                                    (np.float32, np.float64), (np.bool_, np.bool_),
                                    (np.int64, np.float64), (np.uint8, np.int8)])
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_promotion(name, dtypes, rng):
    ef, tf, _ = BINARY[name]
    a = rng.integers(0, 6, (3, 4)).astype(dtypes[0])
    b = rng.integers(0, 6, (4,)).astype(dtypes[1])
    try:
        tf(torch.from_numpy(a.copy()), torch.from_numpy(b.copy()))
    except (RuntimeError, NotImplementedError, TypeError):
        check_error(ef, tf, a, b)
        return
    check(ef, tf, a, b, grad=False)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_broadcast_error(name):
    check_error(BINARY[name][0], BINARY[name][1], np.ones((3,), np.float32),
                np.ones((2,), np.float32), match=[name])


def test_nan_and_extremes():
    a = np.array([np.nan, 1.0, np.nan, -np.inf, np.inf, 1000.0, -1000.0, 0.0, -0.0])
    b = np.array([2.0, np.nan, np.nan, -np.inf, np.inf, 1000.0, -1000.0, -0.0, 0.0])
    for name in ["logaddexp", "logaddexp2", "hypot", "fmax", "fmin", "copysign", "heaviside"]:
        check(BINARY[name][0], BINARY[name][1], a, b, grad=False)
    ok = np.isfinite(a) & np.isfinite(b)
    for name in ["logaddexp", "logaddexp2"]:   # stable for large inputs, gradients 1/2
        check(BINARY[name][0], BINARY[name][1], a[ok], b[ok])
    # fmax/fmin: a NaN loses to a number; the number gets the gradient
    check(ember.fmax, torch.fmax, a[:2], b[:2])
    check(ember.fmin, torch.fmin, a[:2], b[:2])
    # xlogy: 0 where x == 0 (y = 0 and y = inf included), NaN wherever y is NaN
    x = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, -1.0])
    y = np.array([0.0, np.inf, np.nan, 3.0, 0.0, np.nan, 2.0])
    check(ember.xlogy, torch.xlogy, x, y, grad=False)
    check(ember.xlogy, torch.xlogy, x[[0, 1, 3, 4, 6]], y[[0, 1, 3, 4, 6]])
    check(lambda t: ember.xlogy(t, 0.0), lambda t: torch.xlogy(t, 0.0), x)
    # copysign: the sign of -0.0, and a zero gradient at input 0
    check(ember.copysign, torch.copysign, np.array([0.0, 1.0, -2.0]), np.array([-0.0, -1.0, 0.0]))


def test_python_scalars(rng):
    x = sample(rng, (3, 4), "pos", np.float32)
    check(lambda t: ember.xlogy(2, t), lambda t: torch.xlogy(2, t), x)
    check(lambda t: ember.xlogy(t, 3.5), lambda t: torch.xlogy(t, 3.5), x)
    check(lambda t: ember.xlogy(0, t), lambda t: torch.xlogy(0, t), x)
    check(lambda t: ember.xlogy(t.long(), 2), lambda t: torch.xlogy(t.long(), 2), x)
    check(lambda t: ember.copysign(t, -1), lambda t: torch.copysign(t, -1), x)
    check(lambda t: ember.copysign(t.long(), -0.0), lambda t: torch.copysign(t.long(), -0.0), x)
    check(lambda t: ember.float_power(t, 2), lambda t: torch.float_power(t, 2), x)
    check(lambda t: ember.float_power(1.5, t), lambda t: torch.float_power(1.5, t), x)
    check(lambda t: ember.float_power(t.long(), 3), lambda t: torch.float_power(t.long(), 3), x)
    assert ember.xlogy(2, ember.tensor([3.0])).grad_fn is None
    y = ember.tensor([1.0], requires_grad=True)
    assert ember.xlogy(2, y).grad_fn.name() == "XlogyBackward1"
    assert ember.xlogy(y, 2).grad_fn.name() == "XlogyBackward2"
    assert ember.xlogy(y, y).grad_fn.name() == "XlogyBackward0"
    assert ember.copysign(y, -1).grad_fn.name() == "CopysignBackward1"
    assert ember.logaddexp(y, y).grad_fn.name() == "LogaddexpBackward0"


def test_argument_errors():
    f = np.ones(3, np.float32)
    for name in ["logaddexp", "logaddexp2", "hypot", "fmax", "fmin", "heaviside"]:
        check_error(lambda t, n=name: getattr(ember, n)(t, 2.0),
                    lambda t, n=name: getattr(torch, n)(t, 2.0), f, match=[name])
        check_error(lambda t, n=name: getattr(ember, n)(2.0, t),
                    lambda t, n=name: getattr(torch, n)(2.0, t), f, match=[name])
    check_error(lambda: ember.xlogy(2, 3), lambda: torch.xlogy(2, 3), match=["xlogy"])
    check_error(lambda: ember.float_power(2, 3), lambda: torch.float_power(2, 3))
    check_error(lambda t: ember.copysign(t, "a"), lambda t: torch.copysign(t, "a"), f)
    check_error(ember.heaviside, torch.heaviside, f, f.astype(np.float64),
                match=["heaviside", "float32", "float64"])


def test_heaviside_not_differentiable():
    x = ember.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = ember.heaviside(x, ember.tensor(0.5))
    assert y.requires_grad and y.tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(RuntimeError, match="heaviside"):
        y.sum().backward()


def test_binary_methods_and_inplace(rng):
    a, b = sample(rng, (3, 4), "pos"), sample(rng, (4,), "pos")
    for name in BINARY:
        check(lambda s, o, n=name: getattr(s, n)(o), lambda s, o, n=name: getattr(s, n)(o),
              a, b, grad=name not in NOT_DIFF)
        has = hasattr(torch.Tensor, name + "_")
        assert hasattr(ember.Tensor, name + "_") == has, name
        if has:
            e, t = ember.tensor(a), torch.tensor(a)
            assert getattr(e, name + "_")(ember.tensor(b)) is e
            getattr(t, name + "_")(torch.tensor(b))
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)
    # the in-place result must fit self's dtype
    i = np.arange(1, 4)
    check_error(lambda s: s.xlogy_(s), lambda s: s.xlogy_(s), i)
    check_error(lambda s: s.float_power_(2), lambda s: s.float_power_(2), i.astype(np.float32),
                match=["float_power_", "Float", "Double"])
    check_error(lambda s, o: s.hypot_(o), lambda s, o: s.hypot_(o), np.ones(3), np.ones((2, 3)))
    # in-place on a tensor in the graph records the op
    x = ember.tensor(a, requires_grad=True)
    y = x * 1
    y.hypot_(ember.tensor(b))
    assert y.grad_fn.name() == "HypotBackward0"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a / np.hypot(a, b), rtol=1e-12)


# ---------------------------------------------------------------------------- addcmul/addcdiv
TERNARY = {
    "addcmul": (lambda x, a, b: ember.addcmul(x, a, b, value=0.5),
                lambda x, a, b: torch.addcmul(x, a, b, value=0.5)),
    "addcdiv": (lambda x, a, b: ember.addcdiv(x, a, b, value=-2),
                lambda x, a, b: torch.addcdiv(x, a, b, value=-2)),
    "addcmul1": (ember.addcmul, torch.addcmul), "addcdiv1": (ember.addcdiv, torch.addcdiv),
}
SHAPES_3 = [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (2, 3), ()),
            ((2, 1, 3), (4, 1), (3,)), ((0, 2), (2,), (1, 2))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shapes", SHAPES_3)
@pytest.mark.parametrize("name", list(TERNARY))
def test_addc_float(name, shapes, dtype, rng):
    ef, tf = TERNARY[name]
    x, a, b = (sample(rng, s, "nonzero", dtype) for s in shapes)
    check(ef, tf, x, a, b, rng=rng, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(TERNARY))
def test_addc_gradcheck(name, rng):
    x, a, b = (sample(rng, s, "nonzero") for s in ((2, 3), (3,), (2, 1)))
    check_gradcheck(TERNARY[name][0], x, a, b, gradgrad=True)


@pytest.mark.parametrize("dtypes", [(np.int64,) * 3, (np.float32, np.int64, np.int32),
                                    (np.int64, np.float32, np.float64), (np.bool_,) * 3,
                                    (np.int32, np.float32, np.int64), (np.uint8, np.int8, np.int8),
                                    (np.float32, np.bool_, np.float32)])
@pytest.mark.parametrize("name", list(TERNARY))
def test_addc_promotion(name, dtypes, rng):
    ef, tf = TERNARY[name]
    x, a, b = (rng.integers(1, 6, (3, 4)).astype(d) for d in dtypes)
    try:
        tf(*(torch.from_numpy(v.copy()) for v in (x, a, b)))
    except (RuntimeError, NotImplementedError, TypeError):
        check_error(ef, tf, x, a, b, match=[name[:7]])
        return
    check(ef, tf, x, a, b, grad=False)


def test_addc_value_and_methods(rng):
    i = rng.integers(-5, 6, (3, 4))
    # a float value on integer tensors is truncated to the integer dtype, as torch
    check(lambda x: ember.addcmul(x, x, x, value=2.5), lambda x: torch.addcmul(x, x, x, value=2.5),
          i)
    x, a, b = (sample(rng, (3, 4), "nonzero") for _ in range(3))
    check(lambda x, a, b: ember.addcmul(x, a, b, value=ember.tensor(3.0)),
          lambda x, a, b: torch.addcmul(x, a, b, value=torch.tensor(3.0)), x, a, b)
    for name in ("addcmul", "addcdiv"):
        check(lambda x, a, b, n=name: getattr(x, n)(a, b, value=0.25),
              lambda x, a, b, n=name: getattr(x, n)(a, b, value=0.25), x, a, b)
        e, t = ember.tensor(x), torch.tensor(x)
        assert getattr(e, name + "_")(ember.tensor(a), ember.tensor(b), value=3) is e
        getattr(t, name + "_")(torch.tensor(a), torch.tensor(b), value=3)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)
        check_error(lambda x, n=name: getattr(ember, n)(x, x, 2.0),
                    lambda x, n=name: getattr(torch, n)(x, x, 2.0), x, match=["tensor2"])
        check_error(lambda x, a, n=name: getattr(ember, n)(x, a, a),
                    lambda x, a, n=name: getattr(torch, n)(x, a, a), x, np.ones((2, 3)),
                    match=[name])


# ---------------------------------------------------------------------------- constants, info
def test_constants():
    assert ember.pi == torch.pi == math.pi and ember.e == torch.e
    assert ember.inf == torch.inf and math.isnan(ember.nan)
    assert ember.newaxis is None and torch.newaxis is None
    assert ember.zeros(3)[ember.newaxis].shape == (1, 3)


def _same_info(e, t, attrs):
    for a in attrs:
        assert getattr(e, a) == getattr(t, a), a
        assert type(getattr(e, a)) is type(getattr(t, a)), a
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(name):
    _same_info(ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name)),
               ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"])
    assert ember.finfo(getattr(ember, name)) == ember.finfo(getattr(ember, name))


def test_finfo_default_and_python_types():
    _same_info(ember.finfo(), torch.finfo(), ["dtype", "eps"])
    prev = ember.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.finfo().dtype == "float64"
    finally:
        ember.set_default_dtype(prev)
    _same_info(ember.finfo(float), torch.finfo(float), ["dtype", "eps"])
    _same_info(ember.iinfo(int), torch.iinfo(int), ["dtype", "max"])
    assert ember.finfo(ember.float32) != ember.finfo(ember.float64)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    _same_info(ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name)),
               ["bits", "max", "min", "dtype"])


@pytest.mark.parametrize("arg", ["int32", "uint8", "bool", int, bool, "str", 1])
def test_finfo_errors(arg):
    e_arg = getattr(ember, arg) if arg in ("int32", "uint8", "bool") else arg
    t_arg = getattr(torch, arg) if arg in ("int32", "uint8", "bool") else arg
    check_error(lambda: ember.finfo(e_arg), lambda: torch.finfo(t_arg))


@pytest.mark.parametrize("arg", ["float32", "float16", "bool", float, "str", None])
def test_iinfo_errors(arg):
    e_arg = getattr(ember, arg) if arg in ("float32", "float16", "bool") else arg
    t_arg = getattr(torch, arg) if arg in ("float32", "float16", "bool") else arg
    check_error(lambda: ember.iinfo(e_arg), lambda: torch.iinfo(t_arg))
