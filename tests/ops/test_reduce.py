"""Reductions, scans and sorting ops against torch: values, dtypes, shapes, gradients, errors."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from harness import check, check_error, check_gradcheck

F = (np.float32, np.float64)
I = (np.int64, np.int32)  # noqa: E741
B = (np.bool_,)
INF = float("inf")

DIMS = [{}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"dim": (0, 2)},
        {"dim": [0, -1], "keepdim": True}, {"dim": None}]
ONE_DIM = [{"dim": 1}, {"dim": -1, "keepdim": True}, {"dim": 0}]
WHOLE_OR_DIM = [{}, {"dim": 1}, {"dim": -1, "keepdim": True}]

# name: (kwargs variants, dtypes, data kind); data "distinct" avoids ties for index-returning ops
OPS = {
    "sum": (DIMS + [{"dim": 1, "dtype": "float64"}], F + I + B, "any"),
    "mean": (DIMS + [{"dim": 0, "dtype": "float64"}], F, "any"),
    "prod": ([{}, {"dim": 1}, {"dim": -1, "keepdim": True}], F + I + B, "any"),
    "nansum": (DIMS[:3], F + I, "any"),
    "nanmean": (DIMS[:3], F, "any"),
    "amax": (DIMS, F + I + B, "distinct"),
    "amin": (DIMS, F + I + B, "distinct"),
    "max": (WHOLE_OR_DIM, F + I, "distinct"),
    "min": (WHOLE_OR_DIM, F + I, "distinct"),
    "argmax": (WHOLE_OR_DIM + [{"keepdim": True}], F + I, "distinct"),
    "argmin": (WHOLE_OR_DIM + [{"dim": 0}], F + I, "distinct"),
    "var": (DIMS[:4] + [{"correction": 0}, {"dim": 1, "unbiased": False},
                        {"dim": (0, 1), "correction": 2, "keepdim": True}], F, "any"),
    "std": (DIMS[:4] + [{"correction": 0}, {"dim": 1, "unbiased": False}], F, "any"),
    "var_mean": ([{}, {"dim": 1, "keepdim": True}, {"dim": (0, 2), "correction": 0}], F, "any"),
    "std_mean": ([{}, {"dim": -1}], F, "any"),
    "logsumexp": ([{"dim": 1}, {"dim": (0, 2), "keepdim": True}, {"dim": -1}], F + I, "any"),
    "norm": ([{}, {"p": 1, "dim": 1}, {"p": INF}, {"p": -INF, "dim": 0}, {"p": 0},
              {"p": 3, "dim": (0, 1), "keepdim": True}, {"p": "fro", "dim": (1, 2)},
              {"p": 0.5, "dim": 2}], F, "distinct"),
    "all": ([{}, {"dim": 1}, {"dim": (0, 2), "keepdim": True}], F + I + B, "any"),
    "any": ([{}, {"dim": 1}, {"dim": (0, 2), "keepdim": True}], F + I + B, "any"),
    "count_nonzero": ([{}, {"dim": 1}, {"dim": (0, 2)}], F + I + B, "any"),
    "cumsum": (ONE_DIM[::2] + [{"dim": 2, "dtype": "float64"}], F + I + B, "any"),
    "cumprod": (ONE_DIM[::2], F + I + B, "any"),
    "median": (WHOLE_OR_DIM, F + I, "distinct"),
    "mode": ([{}, {"dim": 0}, {"dim": 1, "keepdim": True}], I, "ties"),
    "sort": ([{}, {"dim": 0}, {"dim": 1, "descending": True}], F + I, "distinct"),
    "argsort": ([{}, {"dim": 0, "descending": True}], F + I, "distinct"),
    "topk": ([{"k": 2}, {"k": 3, "dim": 0, "largest": False}, {"k": 0, "dim": 1}], F + I,
             "distinct"),
}
CASES = [(name, kw, dt) for name, (kws, dts, _) in OPS.items() for kw in kws for dt in dts]


def make(rng, shape, dtype, kind):
    n = int(np.prod(shape))
    if dtype == np.bool_:
        return rng.random(shape) > 0.3
    if kind == "distinct":
        if np.dtype(dtype).kind == "i":
            return (rng.permutation(n) - n // 2).reshape(shape).astype(dtype)
        return rng.standard_normal(shape).astype(dtype)
    if kind == "ties" or np.dtype(dtype).kind == "i":
        return rng.integers(-2, 3, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def fns(name, kw):
    """(ember fn, torch fn) of one input; a dtype= given by name maps to each framework's."""
    ek, tk = dict(kw), dict(kw)
    if "dtype" in kw:
        ek["dtype"], tk["dtype"] = getattr(ember, kw["dtype"]), getattr(torch, kw["dtype"])
    return (lambda x: getattr(ember, name)(x, **ek)), (lambda x: getattr(torch, name)(x, **tk))


def tol(dt):
    return {"rtol": 1e-4, "atol": 1e-5} if dt == np.float32 else {}


@pytest.mark.parametrize("name,kw,dt", CASES, ids=[f"{n}-{k}-{np.dtype(d).name}"
                                                    for n, k, d in CASES])
def test_vs_torch(name, kw, dt, rng):
    x = make(rng, (3, 4, 5), dt, OPS[name][2])
    check(*fns(name, kw), x, rng=rng, **tol(dt))


# 0-d, size-0 and non-contiguous inputs
EDGE = [
    ("sum", {}, ()), ("sum", {"dim": 0}, ()), ("mean", {"dim": -1, "keepdim": True}, ()),
    ("prod", {"dim": 0}, ()), ("amax", {"dim": 0}, ()), ("max", {}, ()), ("max", {"dim": 0}, ()),
    ("min", {"dim": -1, "keepdim": True}, ()), ("argmax", {"dim": 0}, ()), ("argmin", {}, ()),
    ("logsumexp", {"dim": 0}, ()), ("cumsum", {"dim": 0}, ()), ("cumprod", {"dim": -1}, ()),
    ("sort", {}, ()), ("topk", {"k": 1}, ()), ("median", {}, ()), ("median", {"dim": 0}, ()),
    ("mode", {}, ()), ("var", {"correction": 0}, ()), ("all", {"dim": 0}, ()), ("norm", {}, ()),
    ("sum", {}, (0, 3)), ("sum", {"dim": 0}, (0, 3)), ("mean", {"dim": 1}, (0, 3)),
    ("prod", {"dim": 0}, (0, 3)), ("amax", {"dim": 1}, (0, 3)), ("max", {"dim": 1}, (0, 3)),
    ("argmin", {"dim": 1}, (0, 3)), ("logsumexp", {"dim": 0}, (0, 3)),
    ("cumsum", {"dim": 0}, (0, 3)), ("sort", {"dim": 0}, (0, 3)), ("all", {}, (0, 3)),
    ("any", {"dim": 0}, (0, 3)), ("count_nonzero", {}, (0, 3)), ("norm", {"dim": 1}, (0, 3)),
    ("median", {"dim": 1}, (0, 3)), ("topk", {"k": 0, "dim": 0}, (0, 3)),
]


@pytest.mark.parametrize("name,kw,shape", EDGE, ids=[f"{n}-{k}-{s}" for n, k, s in EDGE])
def test_edge_shapes(name, kw, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    check(*fns(name, kw), np.asarray(x), rng=rng, **tol(np.float32))


@pytest.mark.parametrize("name,kw", [("sum", {"dim": 0}), ("mean", {"dim": (0, 1)}),
                                     ("amax", {"dim": 1}), ("max", {"dim": 0}),
                                     ("var", {"dim": 1}), ("cumsum", {"dim": 1}),
                                     ("cumprod", {"dim": 0}), ("sort", {"dim": 0}),
                                     ("logsumexp", {"dim": 1}), ("prod", {"dim": 1})])
def test_non_contiguous(name, kw, rng):
    x = rng.standard_normal((5, 4)).astype(np.float64).T     # a transposed view
    check(*fns(name, kw), x, rng=rng)
    check(*fns(name, kw), np.asfortranarray(x), rng=rng)


def test_methods_match_functions(rng):
    x = ember.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    t = torch.from_numpy(x.numpy().copy())
    for name, args in [("sum", (1,)), ("mean", ()), ("prod", (0,)), ("amax", (1,)),
                       ("argmax", (1,)), ("var", (0,)), ("std", ()), ("logsumexp", (1,)),
                       ("norm", ()), ("all", ()), ("any", (1,)), ("cumsum", (1,)),
                       ("cumprod", (0,)), ("median", ()), ("argsort", ()), ("nansum", ()),
                       ("count_nonzero", ()), ("nanmean", (1,))]:
        np.testing.assert_allclose(getattr(x, name)(*args).numpy(),
                                   getattr(t, name)(*args).numpy(), rtol=1e-5, err_msg=name)
    for name in ("max", "min", "sort", "median", "mode"):
        v, i = getattr(x, name)(0)
        tv, ti = getattr(t, name)(0)
        np.testing.assert_allclose(v.numpy(), tv.numpy(), err_msg=name)
        np.testing.assert_array_equal(i.numpy(), ti.numpy(), err_msg=name)
    v, i = x.topk(2, dim=0)
    np.testing.assert_array_equal(i.numpy(), t.topk(2, dim=0).indices.numpy())


def test_unique():
    data = np.array([[3, 1, 2], [1, 3, 3], [3, 1, 2]])
    for kw in [{}, {"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True, "dim": 0},
               {"return_counts": True, "dim": 1}]:
        check(lambda x, kw=kw: ember.unique(x, **kw), lambda x, kw=kw: torch.unique(x, **kw),
              data, grad=False)
    e = ember.tensor(data).unique(return_counts=True)
    assert [c.tolist() for c in e] == [[1, 2, 3], [3, 2, 4]]


# ----------------------------------------------------------------------------- named tuples
def test_return_types():
    x = ember.tensor([[1.0, 5.0], [7.0, 2.0]])
    r = x.max(1)
    assert isinstance(r, tuple) and isinstance(r, ember.return_types.max)
    values, indices = r
    assert values is r.values and indices is r.indices and r[0] is values
    assert indices.tolist() == [1, 0] and indices.dtype == ember.int64
    assert repr(r).startswith("ember.return_types.max(\nvalues=tensor([5., 7.])")
    assert repr(r).endswith("indices=tensor([1, 0]))")
    for name, res in [("min", x.min(0)), ("sort", x.sort()), ("topk", x.topk(1)),
                      ("median", x.median(0)), ("mode", x.mode())]:
        assert type(res) is getattr(ember.return_types, name)
        assert type(res).__name__ == name and res._fields == ("values", "indices")


# ----------------------------------------------------------------------------- gradients
GRAD_OPS = [
    ("sum", {"dim": (0, 1)}), ("sum", {}), ("mean", {"dim": 1, "keepdim": True}),
    ("prod", {"dim": 1}), ("prod", {}), ("amax", {"dim": 0}), ("amin", {}),
    ("max", {}), ("max", {"dim": 1}), ("min", {"dim": 0, "keepdim": True}),
    ("var", {"dim": 1}), ("std", {}), ("std", {"dim": 0, "correction": 0}),
    ("logsumexp", {"dim": 1}), ("norm", {}), ("norm", {"p": 1, "dim": 1}),
    ("norm", {"p": INF}), ("norm", {"p": 3, "dim": 0}), ("cumsum", {"dim": 1}),
    ("cumprod", {"dim": 1}), ("median", {}), ("median", {"dim": 1}), ("sort", {"dim": 0}),
    ("topk", {"k": 2}), ("nansum", {"dim": 1}), ("nanmean", {}), ("mode", {"dim": 1}),
    ("var_mean", {"dim": 1}), ("std_mean", {"dim": 0}),
]


def _first_float(out):
    """gradcheck wants the differentiable outputs only."""
    if isinstance(out, tuple):
        return tuple(o for o in out if o.is_floating_point())
    return out


@pytest.mark.parametrize("name,kw", GRAD_OPS, ids=[f"{n}-{k}" for n, k in GRAD_OPS])
def test_gradcheck(name, kw, rng):
    x = rng.standard_normal((3, 4)) + 0.1   # continuous: no ties, no zeros
    fn = fns(name, kw)[0]
    check_gradcheck(lambda t: _first_float(fn(t)), x, gradgrad=True)


@pytest.mark.parametrize("name", ["prod", "cumprod"])
def test_zeros_in_product(name, rng):
    x = rng.standard_normal((4, 5))
    x[0, 2] = 0                 # one zero
    x[1, 1] = x[1, 3] = 0       # two zeros
    x[2, :] = 0                 # all zeros
    one = rng.standard_normal((4, 5))
    one[0, 2] = 0               # at most one zero per slice: second derivatives exact too
    for kw in ({"dim": 1}, {"dim": 0}):
        check(*fns(name, kw), x, rng=rng)
        check_gradcheck(fns(name, kw)[0], x)
        check_gradcheck(fns(name, kw)[0], one, gradgrad=True)
    if name == "prod":
        check(*fns(name, {}), np.array([2.0, 0.0, 3.0]), rng=rng)


@pytest.mark.parametrize("name,kw", [("max", {}), ("min", {}), ("amax", {"dim": 1}),
                                     ("amin", {}), ("amax", {"dim": (0, 1)}),
                                     ("max", {"dim": 1}), ("norm", {"p": INF, "dim": 1}),
                                     ("median", {})])
def test_tie_gradients(name, kw, rng):
    x = np.array([[1.0, 3.0, 3.0, 2.0], [2.0, 2.0, -5.0, 2.0]])   # ties at max and median
    if name.endswith("min"):
        x = -x
    check(*fns(name, kw), x, rng=rng)


def test_numpy_protocol(rng):
    x = rng.standard_normal((3, 4))
    e, t = ember.tensor(x), torch.from_numpy(x)
    pairs = [(np.sum(e, axis=1, keepdims=True), t.sum(1, keepdim=True)),
             (np.sum(e, axis=(0, 1)), t.sum()), (np.sum(e, axis=()), t),
             (np.mean(e, axis=0), t.mean(0)), (np.cumsum(e, axis=1), t.cumsum(1)),
             (np.max(e, axis=1), t.amax(1)), (np.amax(e), t.amax()),
             (np.min(e, axis=0, keepdims=True), t.amin(0, keepdim=True)),
             (np.prod(e, axis=1), t.prod(1)), (np.var(e, axis=1, ddof=1), t.var(1))]
    for a, b in pairs:
        assert isinstance(a, ember.Tensor)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_engine_sum_method_under_create_graph():
    # the engine reduces broadcast gradients with g.sum(dim=axes, keepdim=True) on Tensors
    x = ember.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = ember.tensor([[1.0], [2.0]], requires_grad=True)
    (gx,) = ember.autograd.grad((x * y * x).sum(), x, create_graph=True)
    (ggx,) = ember.autograd.grad(gx.sum(), x)
    assert gx.tolist() == [[6.0, 12.0, 18.0]] and ggx.tolist() == [[6.0, 6.0, 6.0]]


# ----------------------------------------------------------------------------- errors
ERRORS = [
    ("sum", {"dim": 3}, ["sum", "[-3, 2]", "3"]), ("mean", {"dim": -4}, ["mean", "[-3, 2]"]),
    ("amax", {"dim": (0, 5)}, ["amax"]), ("max", {"dim": 3}, ["max", "[-3, 2]"]),
    ("argmax", {"dim": 3}, ["argmax"]), ("var", {"dim": 3}, ["var"]),
    ("logsumexp", {"dim": 3}, ["logsumexp"]), ("cumsum", {"dim": 3}, ["cumsum"]),
    ("sort", {"dim": 3}, ["sort"]), ("topk", {"k": 1, "dim": 3}, ["topk"]),
    ("median", {"dim": 3}, ["median"]), ("mode", {"dim": -5}, ["mode"]),
    ("all", {"dim": 3}, ["all"]), ("count_nonzero", {"dim": 3}, ["count_nonzero"]),
    ("prod", {"dim": 4}, ["prod"]),
    ("sum", {"dim": (0, 0)}, ["sum", "multiple times"]),
    ("topk", {"k": 6}, ["topk", "k=6", "size 5"]),
]


@pytest.mark.parametrize("name,kw,match", ERRORS, ids=[f"{n}-{k}" for n, k, _ in ERRORS])
def test_errors(name, kw, match, rng):
    check_error(*fns(name, kw), rng.standard_normal((3, 4, 5)).astype(np.float32), match=match)


EMPTY_ERRORS = [("max", {}, ["max", "dim"]), ("max", {"dim": 0}, ["max", "dim 0", "non-zero"]),
                ("min", {}, ["min"]), ("amax", {}, ["amax"]), ("amin", {"dim": 0}, ["amin"]),
                ("argmax", {}, ["argmax"]), ("argmin", {"dim": 0}, ["argmin"]),
                ("median", {"dim": 0}, ["median"]), ("mode", {"dim": 0}, ["mode"]),
                ("topk", {"k": 1, "dim": 0}, ["topk"])]


@pytest.mark.parametrize("name,kw,match", EMPTY_ERRORS, ids=[f"{n}-{k}" for n, k, _ in
                                                              EMPTY_ERRORS])
def test_empty_errors(name, kw, match):
    check_error(*fns(name, kw), np.zeros((0, 3), np.float32), match=match)


@pytest.mark.parametrize("name,kw,dt,match", [
    ("mean", {}, np.int64, ["mean", "Long", ".float()"]),
    ("mean", {"dim": 0}, np.bool_, ["mean", "Bool"]),
    ("var", {}, np.int64, ["var", "floating point"]),
    ("std", {"dim": 0}, np.int32, ["std"]),
    ("nanmean", {}, np.int64, ["nanmean"]),
    ("norm", {}, np.int64, ["norm", "Long"]),
    ("topk", {"k": 1}, np.bool_, ["topk", "bool"]),
    ("median", {}, np.bool_, ["median", "Bool"]),
    ("argmax", {}, np.bool_, ["argmax", "bool"]),
    ("prod", {"dim": (0, 1)}, np.float32, ["prod", "int"]),
])
def test_dtype_errors(name, kw, dt, match):
    check_error(*fns(name, kw), np.ones((2, 3), dt), match=match)


# ----------------------------------------------------------------------------- properties
@st.composite
def shape_and_dims(draw, min_size=0):
    shape = tuple(draw(st.lists(st.integers(min_size, 4), min_size=0, max_size=4)))
    nd = len(shape)
    sub = draw(st.lists(st.integers(-nd, nd - 1), unique_by=lambda d: d % nd, max_size=nd)) \
        if nd else []
    dim = draw(st.sampled_from([None, tuple(sub)] + ([sub[0]] if sub else [])))
    return shape, dim, draw(st.booleans())


@settings(max_examples=40, deadline=None)
@given(shape_and_dims(), st.sampled_from(["sum", "mean", "amax", "amin", "nansum"]),
       st.integers(0, 2**31 - 1))
def test_reduction_property(sd, name, seed):
    shape, dim, keepdim = sd
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    kw = {"dim": dim, "keepdim": keepdim}
    try:   # amax/amin over an empty dim raise
        fns(name, kw)[1](torch.from_numpy(x))
    except (RuntimeError, IndexError):
        check_error(*fns(name, kw), x)
        return
    check(*fns(name, kw), x, rng=rng)


@settings(max_examples=30, deadline=None)
@given(shape_and_dims(min_size=1), st.integers(0, 2**31 - 1))
def test_prod_cumsum_property(sd, seed):
    shape, dim, keepdim = sd
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    d = dim if isinstance(dim, int) else None
    check(*fns("prod", {"dim": d, "keepdim": keepdim} if d is not None else {}), x, rng=rng)
    if shape:
        check(*fns("cumsum", {"dim": d or 0}), x, rng=rng)


@pytest.mark.parametrize("name,kw", [("max", {}), ("max", {"dim": 1}), ("amax", {"dim": 1}),
                                     ("argmax", {"dim": 1}), ("sort", {"dim": 1}),
                                     ("sort", {"descending": True}), ("median", {}),
                                     ("median", {"dim": 1}), ("sum", {"dim": 0}),
                                     ("nansum", {"dim": 1}), ("nanmean", {}),
                                     ("logsumexp", {"dim": 1})])
def test_nan_and_inf(name, kw, rng):
    x = np.array([[1.0, np.nan, 2.0, -1.0], [np.inf, 0.5, -np.inf, 3.0],
                  [-np.inf, -np.inf, 1.0, 0.0]])
    check(*fns(name, kw), x, grad=False)


# torch names the all-elements overload ...Backward0 and the dim overload ...Backward1;
# var_mean / std_mean / aminmax are one node for both outputs
GRAD_FN_NAMES = [
    (lambda m, x: x.sum(), "SumBackward0"), (lambda m, x: m.sum(x, dtype=m.float64),
                                             "SumBackward0"),
    (lambda m, x: x.sum(0), "SumBackward1"), (lambda m, x: x.sum(()), "SumBackward1"),
    (lambda m, x: x.sum([-1], keepdim=True), "SumBackward1"),
    (lambda m, x: x.mean(), "MeanBackward0"), (lambda m, x: x.mean(dtype=m.float64),
                                               "MeanBackward0"),
    (lambda m, x: x.mean(-1), "MeanBackward1"), (lambda m, x: x.mean([]), "MeanBackward1"),
    (lambda m, x: x.prod(), "ProdBackward0"), (lambda m, x: x.prod(-1), "ProdBackward1"),
    (lambda m, x: x.prod(dtype=m.float64), "ProdBackward0"),
    (lambda m, x: x.amax(), "AmaxBackward0"), (lambda m, x: x.amin(0), "AminBackward0"),
    (lambda m, x: x.max(), "MaxBackward1"), (lambda m, x: x.max(0)[0], "MaxBackward0"),
    (lambda m, x: x.std(), "StdBackward0"), (lambda m, x: x.var(0), "VarBackward0"),
    (lambda m, x: m.var_mean(x)[0], "VarMeanBackward0"),
    (lambda m, x: m.var_mean(x, 0)[1], "VarMeanBackward0"),
    (lambda m, x: m.std_mean(x)[0], "StdMeanBackward0"),
    (lambda m, x: m.std_mean(x, -1)[1], "StdMeanBackward0"),
    (lambda m, x: m.aminmax(x)[0], "AminmaxBackward0"),
    (lambda m, x: m.aminmax(x, dim=0)[1], "AminmaxBackward0"),
    (lambda m, x: x.nansum(), "NansumBackward0"), (lambda m, x: x.median(), "MedianBackward0"),
]


@pytest.mark.filterwarnings("ignore:var\\(\\)|std\\(\\)|std_mean|var_mean")   # 0-d: 0 dof
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("fn,name", GRAD_FN_NAMES)
@pytest.mark.parametrize("shape", [(2, 3), ()])
def test_reduction_grad_fn_names(fn, name, shape, rng):
    x = rng.standard_normal(shape)
    names = []
    for m in (ember, torch):
        y = fn(m, m.tensor(x, requires_grad=True))
        names.append(y.grad_fn.name())
    assert names == [name, name]
    e = check(lambda t: fn(ember, t), lambda t: fn(torch, t), x)
    assert e[0].grad_fn.name() == name
