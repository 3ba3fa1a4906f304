"""Comparison, logical and bitwise ops against torch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from harness import check, check_error

COMPARE = {
    "eq": (ember.eq, torch.eq), "ne": (ember.ne, torch.ne), "lt": (ember.lt, torch.lt),
    "le": (ember.le, torch.le), "gt": (ember.gt, torch.gt), "ge": (ember.ge, torch.ge),
    "greater": (ember.greater, torch.greater), "less_equal": (ember.less_equal, torch.less_equal),
    "not_equal": (ember.not_equal, torch.not_equal),
    "==": (lambda a, b: a == b, lambda a, b: a == b), "!=": (lambda a, b: a != b,) * 2,
    "<": (lambda a, b: a < b,) * 2, "<=": (lambda a, b: a <= b,) * 2,
    ">": (lambda a, b: a > b,) * 2, ">=": (lambda a, b: a >= b,) * 2,
}
LOGICAL = {
    "logical_and": (ember.logical_and, torch.logical_and),
    "logical_or": (ember.logical_or, torch.logical_or),
    "logical_xor": (ember.logical_xor, torch.logical_xor),
}
BITWISE = {
    "bitwise_and": (ember.bitwise_and, torch.bitwise_and),
    "bitwise_or": (ember.bitwise_or, torch.bitwise_or),
    "bitwise_xor": (ember.bitwise_xor, torch.bitwise_xor),
    "&": (lambda a, b: a & b,) * 2, "|": (lambda a, b: a | b,) * 2,
    "^": (lambda a, b: a ^ b,) * 2, "<<": (lambda a, b: a << b,) * 2,
    ">>": (lambda a, b: a >> b,) * 2,
    "left_shift": (ember.bitwise_left_shift, torch.bitwise_left_shift),
    "right_shift": (ember.bitwise_right_shift, torch.bitwise_right_shift),
}
ALL = {**COMPARE, **LOGICAL, **BITWISE}
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), (3,)), ((0, 2), (2,))]
DTYPES = [(np.float32, np.float32), (np.int64, np.int64), (np.int32, np.float64),
          (np.bool_, np.bool_), (np.bool_, np.int32), (np.float64, np.float32)]


def values(rng, shape, dtype):
    if dtype is np.bool_:
        return np.asarray(rng.random(shape) > 0.5)
    return np.asarray(rng.integers(-3, 4, shape)).astype(dtype)   # integers: ties happen


@pytest.mark.parametrize("dtypes", DTYPES)
@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("name", list(ALL))
def test_binary(name, shapes, dtypes, rng):
    ef, tf = ALL[name]
    a, b = values(rng, shapes[0], dtypes[0]), values(rng, shapes[1], dtypes[1])
    if "<<" in name or ">>" in name or "shift" in name:
        b = np.asarray(np.abs(b)).astype(b.dtype)
    try:
        tf(torch.from_numpy(a.copy()), torch.from_numpy(b.copy()))
    except (RuntimeError, NotImplementedError, TypeError):
        check_error(ef, tf, a, b)
        return
    check(ef, tf, a, b, grad=False)
    if dtypes[0] is np.float32 and shapes[0] == (3, 4):
        check(ef, tf, np.asfortranarray(a), b, grad=False)   # non-contiguous


@pytest.mark.parametrize("scalar", [2, 2.5, True, -1])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.bool_])
@pytest.mark.parametrize("name", list(COMPARE) + ["&", "|", "^", "<<", ">>", "bitwise_and"])
def test_scalars(name, dtype, scalar, rng):
    ef, tf = ALL[name]
    a = values(rng, (2, 3), dtype)
    if name in ("<<", ">>") and scalar == -1:
        return
    try:
        tf(torch.from_numpy(a.copy()), scalar)
    except (RuntimeError, NotImplementedError, TypeError):
        check_error(lambda t: ef(t, scalar), lambda t: tf(t, scalar), a)
        return
    check(lambda t: ef(t, scalar), lambda t: tf(t, scalar), a, grad=False)


@pytest.mark.parametrize("name", ["eq", "lt", "logical_and", "bitwise_and", "&"])
def test_broadcast_error(name, rng):
    ef, tf = ALL[name]
    a, b = np.ones((2, 3), np.int64), np.ones((4, 3), np.int64)
    check_error(ef, tf, a, b, match=["[2, 3]", "[4, 3]"])


def test_unary_logic(rng):
    for dt in (np.float32, np.int64, np.bool_):
        a = values(rng, (3, 4), dt)
        check(ember.logical_not, torch.logical_not, a, grad=False)
        for fn in (lambda t: ~t, lambda t: t.bitwise_not()):
            try:
                fn(torch.from_numpy(a.copy()))
            except (TypeError, NotImplementedError):
                check_error(fn, fn, a, match=["float32"])
                continue
            check(fn, fn, a, grad=False)


def test_shift_edge_cases():
    i = np.array([5, -7, 3, -1], np.int64)
    for s in (0, 1, 63, 64, 70, -1):
        check(lambda t, s=s: ember.bitwise_left_shift(t, s),
              lambda t, s=s: torch.bitwise_left_shift(t, s), i, grad=False)
        check(lambda t, s=s: ember.bitwise_right_shift(t, s),
              lambda t, s=s: torch.bitwise_right_shift(t, s), i, grad=False)


def test_isclose_allclose_equal(rng):
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 2.0], np.float32)
    b = np.array([1.0 + 1e-6, np.nan, np.inf, np.inf, 0.0, 2.1], np.float32)
    for equal_nan in (False, True):
        check(lambda x, y, n=equal_nan: ember.isclose(x, y, equal_nan=n),
              lambda x, y, n=equal_nan: torch.isclose(x, y, equal_nan=n), a, b, grad=False)
    check(lambda x, y: ember.isclose(x, y, rtol=0.1, atol=0.0),
          lambda x, y: torch.isclose(x, y, rtol=0.1, atol=0.0), a, b, grad=False)
    check(ember.isclose, torch.isclose, np.arange(4), np.arange(4)[::-1].copy(), grad=False)
    x = rng.standard_normal((3, 4))
    for y in (x, x + 1e-9, x + 1e-3):
        r = ember.allclose(ember.tensor(x), ember.tensor(y))
        assert type(r) is bool and r == torch.allclose(torch.tensor(x), torch.tensor(y))
    assert ember.tensor(np.tile(x[0], (3, 1))).allclose(ember.tensor(x[0]))   # broadcasts
    check_error(ember.allclose, torch.allclose, x, x[:, :2], match=["[3, 4]", "[3, 2]"])
    check_error(ember.isclose, torch.isclose, np.arange(3), np.arange(3.0), match=["int64"])
    for p, q in [(x, x), (x, x[:2]), (x, x + 1), (np.arange(3), np.arange(3.0)),
                 (np.array([np.nan]), np.array([np.nan])), (x, x.reshape(4, 3))]:
        r = ember.equal(ember.tensor(p), ember.tensor(q))
        assert type(r) is bool and r == torch.equal(torch.tensor(p), torch.tensor(q))


def test_hash_and_eq_fallback():
    t = ember.tensor([1.0, 2.0])
    d = {t: 1}
    assert d[t] == 1 and hash(t) == object.__hash__(t)
    assert (t == None) is False   # noqa: E711
    assert (t != "a") is True
    with pytest.raises(TypeError):
        ember.eq(t, "a")
    assert not (t == t).requires_grad
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert (x > 1).grad_fn is None and (x > 1).dtype == ember.bool


INPLACE = [("eq_", 2), ("lt_", 1), ("ge_", 0), ("logical_and_", "other"), ("logical_or_", "other"),
           ("bitwise_and_", 6), ("bitwise_or_", 1), ("bitwise_xor_", "other"), ("__iand__", 3),
           ("__ior__", "other"), ("__ixor__", 5), ("__ilshift__", 2), ("__irshift__", 1)]


@pytest.mark.parametrize("name,arg", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace(name, arg, rng):
    a = rng.integers(-4, 5, (3, 4))
    o = rng.integers(0, 3, (4,))
    e, t = ember.tensor(a), torch.from_numpy(a.copy())
    v = e._version
    r = getattr(e, name)(ember.tensor(o) if arg == "other" else arg)
    getattr(t, name)(torch.from_numpy(o.copy()) if arg == "other" else arg)
    assert r is e and e._version == v + 1 and e.dtype == ember.int64
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_inplace_errors():
    f = ember.tensor([1.5, 2.0])
    with pytest.raises(NotImplementedError):
        f.bitwise_and_(ember.tensor([True, False]))
    with pytest.raises(RuntimeError, match="leaf"):
        ember.tensor([1.0], requires_grad=True).eq_(1)


def test_numpy_dispatch():
    t = ember.tensor([1.0, 3.0])
    for f in (np.greater, np.less, np.equal, np.not_equal, np.logical_and, np.logical_or):
        r = f(t, t)
        assert isinstance(r, ember.Tensor) and r.dtype == ember.bool


@st.composite
def broadcast_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                    max_side=4))
    return shapes.input_shapes


@settings(max_examples=40, deadline=None)
@given(broadcast_pair(), st.sampled_from(["eq", "lt", "ge", "logical_xor", "bitwise_or", ">>"]))
def test_broadcasting_property(shapes, name):
    rng = np.random.default_rng(0)
    ef, tf = ALL[name]
    a = values(rng, shapes[0], np.int64)
    b = np.asarray(np.abs(values(rng, shapes[1], np.int64)))
    check(ef, tf, a, b, grad=False)
