"""cummax/cummin, logcumsumexp, aminmax, kthvalue, nanmedian, quantile, bincount, histc, and the
shape and search functions (diff, rot90, kron, meshgrid, ..., searchsorted, bucketize, isin)
against torch: values, dtypes, shapes, gradients and error types."""

import warnings

import numpy as np
import pytest
import torch

import ember
from harness import check, check_error, check_gradcheck

F = (np.float32, np.float64)
NAN = float("nan")


def tol(dt):
    return {"rtol": 1e-4, "atol": 1e-5} if dt == np.float32 else {}


def both(name, *args, **kw):
    """(ember fn, torch fn) calling `name` on the inputs followed by args and kw."""
    return (lambda *x: getattr(ember, name)(*x, *args, **kw),
            lambda *x: getattr(torch, name)(*x, *args, **kw))


def values_only(out):
    """The differentiable outputs of a (values, indices) result, for gradcheck."""
    return out[0] if isinstance(out, tuple) else out


# ----------------------------------------------------------------------------- cummax / cummin
@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dt", F + (np.int64, np.int32, np.bool_))
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cum_extreme(name, dt, dim, rng):
    x = rng.integers(-2, 3, (4, 6)).astype(dt)   # many ties: torch takes the latest index
    check(*both(name, dim), x, rng=rng)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cum_extreme_nan_edge(name, rng):
    x = np.array([1.0, 3.0, 3.0, NAN, 5.0, NAN, 1.0], np.float32)
    check(*both(name, 0), x, rng=rng)
    check(*both(name, 0), np.array(2.0), rng=rng)        # 0-d
    check(*both(name, 1), np.zeros((2, 0)), rng=rng)                    # empty
    check_gradcheck(lambda t: ember.__dict__[name](t, 1).values, rng.standard_normal((3, 5)),
                    gradgrad=True)
    assert repr(ember.cummax(ember.tensor([1, 2]), 0)).startswith(
        "ember.return_types.cummax(\nvalues=")
    check_error(*both(name, 2), np.zeros((2, 3)))


# ----------------------------------------------------------------------------- logcumsumexp
@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp(dt, dim, rng):
    x = (rng.standard_normal((3, 5)) * 3).astype(dt)
    check(*both("logcumsumexp", dim), x, rng=rng, **tol(dt))


def test_logcumsumexp_stable_and_edges(rng):
    x = np.array([-1000.0, 1000.0, 999.0, -5.0, -np.inf])
    e = ember.logcumsumexp(ember.tensor(x), 0).numpy()
    np.testing.assert_allclose(e, torch.logcumsumexp(torch.tensor(x), 0).numpy())
    check(*both("logcumsumexp", 0), np.array([-1000.0, 1000.0, 999.0, -5.0]), rng=rng)
    check(*both("logcumsumexp", 0), np.array(2.0, np.float32), rng=rng)
    check(*both("logcumsumexp", 0), np.zeros((0, 2)), rng=rng)
    check_gradcheck(lambda t: ember.logcumsumexp(t, 1), rng.standard_normal((2, 4)),
                    gradgrad=True)
    check_error(*both("logcumsumexp", 0), np.array([1, 2]))
    check_error(*both("logcumsumexp", 1), np.zeros(3))


# ----------------------------------------------------------------------------- aminmax
@pytest.mark.parametrize("dt", F + (np.int64, np.bool_))
@pytest.mark.parametrize("kw", [{}, {"keepdim": True}, {"dim": 1}, {"dim": -1, "keepdim": True},
                                {"dim": 0}])
def test_aminmax(dt, kw, rng):
    x = rng.integers(-2, 3, (3, 4)).astype(dt)   # ties: the gradient is split evenly
    check(*both("aminmax", **kw), x, rng=rng)


def test_aminmax_edges(rng):
    r = ember.aminmax(ember.tensor([[1.0, 2.0]]), dim=1)
    assert type(r) is ember.return_types.aminmax and r._fields == ("min", "max")
    assert r.min.tolist() == [1.0] and r.max.tolist() == [2.0]
    check(*both("aminmax", dim=0), np.array(3.0), rng=rng)
    check(*both("aminmax", dim=1), np.zeros((0, 3)), rng=rng)
    check_gradcheck(lambda t: ember.aminmax(t, dim=1), rng.standard_normal((3, 4)),
                    gradgrad=True)
    check_error(*both("aminmax"), np.zeros(0))
    check_error(*both("aminmax", dim=1), np.zeros((2, 0)))


# ----------------------------------------------------------------------------- kthvalue
@pytest.mark.parametrize("dt", F + (np.int64, np.int32))
@pytest.mark.parametrize("args,kw", [((1,), {}), ((3,), {"dim": 0}), ((4,), {"keepdim": True}),
                                     ((2,), {"dim": 1, "keepdim": True})])
def test_kthvalue(dt, args, kw, rng):
    x = rng.permutation(20).reshape(4, 5).astype(dt)   # distinct: the index is determined
    check(*both("kthvalue", *args, **kw), x, rng=rng)


def test_kthvalue_edges(rng):
    check(*both("kthvalue", 4), np.array([3.0, NAN, 1.0, 2.0]), rng=rng)   # NaN is largest
    check(*both("kthvalue", 1), np.array(3.0), rng=rng)
    check_gradcheck(lambda t: ember.kthvalue(t, 2, 0).values, rng.standard_normal((3, 4)),
                    gradgrad=True)
    check_error(*both("kthvalue", 5), np.zeros(4))
    check_error(*both("kthvalue", 0), np.zeros(4))
    check_error(*both("kthvalue", 1, 1), np.zeros((2, 0)))
    check_error(*both("kthvalue", 1), np.array([True]))


# ----------------------------------------------------------------------------- nanmedian
@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"dim": 1, "keepdim": True}, {"dim": -1}])
def test_nanmedian(dt, kw, rng):
    x = rng.standard_normal((4, 5)).astype(dt)
    x[rng.random(x.shape) < 0.3] = np.nan
    x[np.isnan(x).all(1), 0] = 1.0   # no slice of NaN only here
    x[0, np.isnan(x).all(0)] = 2.0
    check(*both("nanmedian", **kw), x, rng=rng)
    check(*both("nanmedian", **kw), x[2:], rng=rng)
    x[1] = np.nan   # a row of NaN only: NaN (torch's index there is an artefact of its select)
    check(lambda t: values_only(ember.nanmedian(t, **kw)),
          lambda t: values_only(torch.nanmedian(t, **kw)), x, grad=False)


def test_nanmedian_edges(rng):
    check(*both("nanmedian"), np.array([4, 1, 3, 2]), rng=rng)
    check(*both("nanmedian", 0), np.array([[4, 1], [3, 2]]), rng=rng)
    check(*both("nanmedian"), np.array([NAN, NAN]), rng=rng)
    check(*both("nanmedian"), np.zeros(0, np.float32), grad=False)
    check(*both("nanmedian", 0), np.array(3.0), rng=rng)
    check(*both("nanmedian", 1), np.zeros((0, 2)), rng=rng)
    x = rng.standard_normal((3, 4))
    x[0, 1] = np.nan
    check_gradcheck(lambda t: ember.nanmedian(t, 1).values, x, gradgrad=True)
    check_gradcheck(lambda t: ember.nanmedian(t), x, gradgrad=True)
    check_error(*both("nanmedian"), np.array([True]))
    check_error(*both("nanmedian", 1), np.zeros((2, 0)))


# ----------------------------------------------------------------------------- quantile
QKW = [{"dim": None}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": None, "keepdim": True},
       {"dim": -1, "interpolation": "lower"}, {"dim": 1, "interpolation": "higher"},
       {"dim": 1, "interpolation": "midpoint"}, {"dim": 0, "interpolation": "nearest"}]


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("dt", F)
@pytest.mark.parametrize("kw", QKW)
@pytest.mark.parametrize("q", [0.3, 0.5, 1.0, "tensor"])
def test_quantile(name, dt, kw, q, rng):
    x = rng.standard_normal((4, 5)).astype(dt)
    if name == "nanquantile":
        x[rng.random(x.shape) < 0.3] = np.nan
        x[2] = np.nan
    if q == "tensor":
        check(lambda t, qq: getattr(ember, name)(t, qq, **kw),
              lambda t, qq: getattr(torch, name)(t, qq, **kw),
              x, np.array([0.0, 0.25, 0.6, 1.0], dt), rng=rng, **tol(dt))
    else:
        check(*both(name, q, **kw), x, rng=rng, **tol(dt))


def test_quantile_edges(rng):
    x = np.array([[1.0, NAN, 3.0], [4.0, 2.0, 0.5]])
    check(*both("quantile", 0.4, 1), x, rng=rng)       # a slice with NaN gives NaN
    check(*both("quantile", 0.4), np.array(3.0), rng=rng)
    check(*both("quantile", 0.4, dim=0, keepdim=True), np.array(3.0), rng=rng)
    check_gradcheck(lambda t: ember.quantile(t, 0.3, dim=1), rng.standard_normal((3, 5)),
                    gradgrad=True)
    check_gradcheck(lambda t: ember.nanquantile(t, ember.tensor([0.2, 0.9], dtype=ember.float64),
                                                dim=0, interpolation="midpoint"),
                    rng.standard_normal((4, 3)))
    f32 = np.ones(3, np.float32)
    check_error(*both("quantile", 0.5), np.array([1, 2]))
    check_error(*both("quantile", 1.5), f32)
    check_error(*both("quantile", 0.5, interpolation="foo"), f32)
    check_error(*both("quantile", 0.5), np.zeros(0, np.float32))
    check_error(lambda t, q: ember.quantile(t, q), lambda t, q: torch.quantile(t, q), f32,
                np.array([0.5]))                              # q of another dtype
    check_error(lambda t, q: ember.quantile(t, q), lambda t, q: torch.quantile(t, q), f32,
                np.array([[0.5]], np.float32))                # 2-D q
    check_error(lambda t, q: ember.quantile(t, q), lambda t, q: torch.quantile(t, q), f32,
                np.array([0.5, 1.5], np.float32))


# ----------------------------------------------------------------------------- bincount / histc
def test_bincount(rng):
    x = rng.integers(0, 6, 20)
    check(*both("bincount"), x, rng=rng)
    check(*both("bincount", minlength=10), x.astype(np.int32), rng=rng)
    check(*both("bincount"), x.astype(np.uint8), rng=rng)
    check(*both("bincount"), np.zeros(0, np.int64), rng=rng)
    for w in (rng.standard_normal(20).astype(np.float32), rng.standard_normal(20),
              rng.integers(0, 4, 20), rng.random(20) > 0.5):
        check(lambda a, b: ember.bincount(a, b), lambda a, b: torch.bincount(a, b), x, w,
              grad=False)
    check_error(*both("bincount"), np.array([-1, 2]))
    check_error(*both("bincount"), np.array([[1, 2]]))
    check_error(*both("bincount"), np.array([1.0]))
    check_error(*both("bincount"), np.array([True]))
    check_error(*both("bincount", minlength=-1), np.array([1]))
    check_error(lambda a, b: ember.bincount(a, b), lambda a, b: torch.bincount(a, b),
                np.array([1, 1]), np.array([1.0]))


@pytest.mark.parametrize("dt", F)
def test_histc(dt, rng):
    x = rng.standard_normal((4, 5)).astype(dt)
    check(*both("histc"), x, grad=False)
    check(*both("histc", bins=7), x, grad=False)
    check(*both("histc", bins=10, min=-1, max=1), x, grad=False)
    check(*both("histc", bins=10, min=0, max=1), np.array([0.1, 0.2, 0.3, 0.7, 1.0], dt),
          grad=False)                                         # edges land in the right bins
    check(*both("histc", bins=4), np.array([1.0, 1.0], dt), grad=False)   # one value
    check(*both("histc", bins=4), np.zeros(0, dt), grad=False)
    check(lambda t: t.histc(3, 1, 4), lambda t: t.histc(3, 1, 4),
          np.array([[1.0, 2], [3, 4]], dt), grad=False)
    check_error(*both("histc", bins=4), np.array([1, 2]))
    check_error(*both("histc", bins=0), np.ones(2, dt))
    check_error(*both("histc", bins=4, min=3, max=1), np.ones(2, dt))
    check_error(*both("histc", bins=4), np.array([1.0, NAN], dt))
    check_error(*both("histc", bins=4), np.array([1.0, np.inf], dt))


def test_reduce_methods(rng):
    x = ember.tensor(rng.standard_normal((3, 4)))
    t = torch.from_numpy(x.numpy().copy())
    for name, args in [("cummax", (1,)), ("cummin", (0,)), ("kthvalue", (2,)),
                       ("nanmedian", (1,))]:
        for e, tt in zip(getattr(x, name)(*args), getattr(t, name)(*args)):
            np.testing.assert_allclose(e.numpy(), tt.numpy(), err_msg=name)
    for name, args in [("logcumsumexp", (1,)), ("quantile", (0.3,)), ("nanquantile", (0.7, 0)),
                       ("nanmedian", ()), ("histc", (5,))]:
        np.testing.assert_allclose(getattr(x, name)(*args).numpy(),
                                   getattr(t, name)(*args).numpy(), err_msg=name)
    np.testing.assert_allclose(x.aminmax(dim=0).max.numpy(), t.aminmax(dim=0).max.numpy())
    assert ember.tensor([0, 2]).bincount().tolist() == [1, 0, 1]


# ----------------------------------------------------------------------------- diff
@pytest.mark.parametrize("dt", F + (np.int64, np.int32, np.bool_))
@pytest.mark.parametrize("kw", [{}, {"n": 2}, {"dim": 0}, {"n": 3, "dim": -1}, {"n": 9},
                                {"n": 0}])
def test_diff(dt, kw, rng):
    x = (rng.standard_normal((3, 5)) * 4).astype(dt)
    check(*both("diff", **kw), x, rng=rng, **tol(dt))


def test_diff_prepend_append(rng):
    x, p, a = rng.standard_normal((3, 4)), rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
    check(lambda x, p, a: ember.diff(x, 2, 1, p, a), lambda x, p, a: torch.diff(x, 2, 1, p, a),
          x, p, a, rng=rng)
    check(lambda x, p: ember.diff(x, prepend=p, dim=0),
          lambda x, p: torch.diff(x, prepend=p, dim=0), np.arange(6).reshape(2, 3),
          rng.standard_normal((1, 3)), rng=rng)   # int input, float prepend: promotes
    check(lambda x: x.diff(append=x), lambda x: x.diff(append=x), x, rng=rng)
    check_gradcheck(lambda t, p: ember.diff(t, 2, 0, prepend=p), x, rng.standard_normal((2, 4)),
                    gradgrad=True)
    check_error(*both("diff"), np.array(1.0))
    check_error(*both("diff", n=-1), np.ones(3))
    check_error(lambda x, p: ember.diff(x, prepend=p), lambda x, p: torch.diff(x, prepend=p),
                np.ones((2, 3)), np.ones(3))
    check_error(lambda x, p: ember.diff(x, dim=0, append=p),
                lambda x, p: torch.diff(x, dim=0, append=p), np.ones((2, 3)), np.ones((1, 2)))


# ----------------------------------------------------------------------------- rot90 / kron
@pytest.mark.parametrize("k", [0, 1, 2, 3, -1, 6])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (2, 0), (-1, 1)])
def test_rot90(k, dims, rng):
    x = rng.standard_normal((2, 3, 4))
    check(*both("rot90", k, dims), x, rng=rng)


def test_rot90_edges(rng):
    check(lambda t: t.rot90(), lambda t: t.rot90(), np.arange(6).reshape(2, 3), rng=rng)
    check_gradcheck(lambda t: ember.rot90(t, 1, [1, 0]), rng.standard_normal((2, 3)),
                    gradgrad=True)
    check_error(*both("rot90"), np.ones(3))
    check_error(*both("rot90", 1, [0]), np.ones((2, 2)))
    check_error(*both("rot90", 1, [0, 0]), np.ones((2, 2)))
    check_error(*both("rot90", 1, [0, -2]), np.ones((2, 2)))
    check_error(*both("rot90", 1, [0, 2]), np.ones((2, 2)))


@pytest.mark.parametrize("sa,sb", [((2,), (3,)), ((2, 3), (4, 1)), ((2,), (2, 3)),
                                   ((2, 1, 2), (3, 2)), ((), (3,)), ((), ()), ((0, 2), (2,))])
def test_kron(sa, sb, rng):
    a, b = np.asarray(rng.standard_normal(sa)), np.asarray(rng.standard_normal(sb))
    check(ember.kron, torch.kron, a, b, rng=rng)
    check(ember.kron, torch.kron, a.astype(np.float32), np.asarray(b * 3).astype(np.int64), rng=rng,
          **tol(np.float32))
    check(lambda x, y: x.kron(y), lambda x, y: x.kron(y), np.arange(4).reshape(2, 2),
          np.arange(3), rng=rng)


def test_kron_gradcheck(rng):
    check_gradcheck(ember.kron, rng.standard_normal((2, 3)), rng.standard_normal((2, 2)),
                    gradgrad=True)


# ----------------------------------------------------------------------------- meshgrid & co
@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("shapes", [[(2,), (3,)], [(2,), (), (4,)], [(3,)], [(2,), (3,), (4,)],
                                    [(0,), (2,)]])
def test_meshgrid(indexing, shapes, rng):
    xs = [np.asarray(rng.standard_normal(s)) for s in shapes]
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no warning when indexing is given
        check(lambda *t: ember.meshgrid(*t, indexing=indexing),
              lambda *t: torch.meshgrid(*t, indexing=indexing), *xs, rng=rng)
        check(lambda *t: ember.meshgrid(list(t), indexing=indexing),
              lambda *t: torch.meshgrid(list(t), indexing=indexing), *xs, rng=rng)


def test_meshgrid_default_and_errors(rng):
    a, b = rng.standard_normal(2), rng.standard_normal(3)
    with pytest.warns(UserWarning, match="indexing argument"):
        e = ember.meshgrid(ember.tensor(a), ember.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.meshgrid(torch.tensor(a), torch.tensor(b))
    for x, y in zip(e, t):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    check_gradcheck(lambda x, y: ember.meshgrid(x, y, indexing="xy"), a, b, gradgrad=True)
    ij = both("meshgrid", indexing="ij")
    check_error(*ij, np.ones((2, 2)))
    check_error(*ij, np.ones(2), np.ones(2, np.float32))
    check_error(*both("meshgrid", indexing="foo"), np.ones(2))
    check_error(lambda: ember.meshgrid(indexing="ij"), lambda: torch.meshgrid(indexing="ij"))


@pytest.mark.parametrize("shapes", [[(2,), (3,)], [(2,), (1,), (3,)], [(4,)], [(0,), (2,)]])
def test_cartesian_prod(shapes, rng):
    xs = [rng.standard_normal(s) for s in shapes]
    check(ember.cartesian_prod, torch.cartesian_prod, *xs, rng=rng)
    check(ember.cartesian_prod, torch.cartesian_prod, *[np.arange(len(x)) for x in xs])


def test_cartesian_prod_errors(rng):
    check_gradcheck(ember.cartesian_prod, rng.standard_normal(2), rng.standard_normal(3),
                    gradgrad=True)
    check_error(ember.cartesian_prod, torch.cartesian_prod, np.array(1), np.ones(2, np.int64))
    check_error(ember.cartesian_prod, torch.cartesian_prod, np.ones(2), np.ones(2, np.int64))


@pytest.mark.parametrize("shapes", [[(2,), (), (2, 2)], [(3, 1)], [(2, 0), (1,)], [(0,)],
                                    [(2, 3), (3, 2), (1, 4)], []])
def test_block_diag(shapes, rng):
    xs = [np.asarray(rng.standard_normal(s)) for s in shapes]
    check(ember.block_diag, torch.block_diag, *xs, rng=rng)
    if xs:
        ints = [np.asarray(x * 3).astype(np.int64) for x in xs]
        check(ember.block_diag, torch.block_diag, *ints)
        check(ember.block_diag, torch.block_diag, *(ints[:-1] + [xs[-1].astype(np.float32)]),
              rng=rng, **tol(np.float32))


def test_block_diag_errors(rng):
    check_gradcheck(ember.block_diag, rng.standard_normal((2, 2)), rng.standard_normal(3),
                    gradgrad=True)
    check_error(ember.block_diag, torch.block_diag, np.ones((1, 1, 1)))


def test_column_row_stack(rng):
    a, b, c = rng.standard_normal(3), rng.standard_normal((3, 2)), rng.standard_normal(3)
    check(lambda *t: ember.column_stack(t), lambda *t: torch.column_stack(t), a, b, c, rng=rng)
    check(lambda *t: ember.column_stack(list(t)), lambda *t: torch.column_stack(list(t)),
          np.array(1.0), np.array(2.0), rng=rng)
    check(lambda *t: ember.row_stack(t), lambda *t: torch.row_stack(t), a, c, b.T, rng=rng)
    check(lambda *t: ember.column_stack(t), lambda *t: torch.column_stack(t),
          np.arange(2), np.ones(2, np.float32), rng=rng)
    check_gradcheck(lambda x, y: ember.column_stack([x, y]), a, b, gradgrad=True)
    check_gradcheck(lambda x, y: ember.row_stack([x, y]), a, c, gradgrad=True)
    check_error(lambda: ember.column_stack([]), lambda: torch.column_stack([]))


SPLITS = [("hsplit", (2, 6), 3), ("hsplit", (2, 6), [1, 4]), ("hsplit", (6,), 2),
          ("hsplit", (2, 6, 2), (1,)), ("vsplit", (4, 2), 2), ("vsplit", (4, 2, 3), [3]),
          ("dsplit", (2, 2, 6), 3), ("dsplit", (1, 2, 4), [1, 2, 9])]


@pytest.mark.parametrize("name,shape,sections", SPLITS)
def test_direction_splits(name, shape, sections, rng):
    x = rng.standard_normal(shape)
    check(*both(name, sections), x, rng=rng)
    check(lambda t: getattr(t, name)(sections), lambda t: getattr(t, name)(sections),
          x.astype(np.int64))
    check_gradcheck(lambda t: getattr(ember, name)(t, sections), x, gradgrad=True)


def test_direction_split_errors():
    check_error(*both("hsplit", 4), np.ones((2, 6)))
    check_error(*both("hsplit", 1), np.array(1.0))
    check_error(*both("vsplit", 2), np.ones(4))
    check_error(*both("vsplit", 0), np.ones((2, 2)))
    check_error(*both("dsplit", 2), np.ones((2, 2)))


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("args", [(3, 3), (3, 4, 1), (4, 3, -1), (3, 3, -5), (3, 3, 7), (0, 3),
                                  (5, 2, 2)])
def test_tri_indices(name, args):
    check(lambda: getattr(ember, name)(*args), lambda: getattr(torch, name)(*args))
    check(lambda: getattr(ember, name)(*args, dtype=ember.int32),
          lambda: getattr(torch, name)(*args, dtype=torch.int32))


def test_tri_indices_errors():
    for name in ("tril_indices", "triu_indices"):
        check_error(lambda n=name: getattr(ember, n)(-1, 3),
                    lambda n=name: getattr(torch, n)(-1, 3))
        check_error(lambda n=name: getattr(ember, n)(3, -1),
                    lambda n=name: getattr(torch, n)(3, -1))
        check_error(lambda n=name: getattr(ember, n)(3, 3, dtype=ember.float32),
                    lambda n=name: getattr(torch, n)(3, 3, dtype=torch.float32))


@pytest.mark.parametrize("kw", [{}, {"r": 3}, {"r": 1}, {"r": 0}, {"r": 5},
                                {"with_replacement": True}, {"r": 3, "with_replacement": True}])
def test_combinations(kw, rng):
    check(*both("combinations", **kw), rng.standard_normal(4), rng=rng)
    check(*both("combinations", **kw), np.arange(3), rng=rng)


def test_combinations_errors(rng):
    check_gradcheck(lambda t: ember.combinations(t, 2, True), rng.standard_normal(3),
                    gradgrad=True)
    check_error(*both("combinations"), np.ones((1, 2)))
    check_error(*both("combinations", r=-1), np.ones(2))


# ----------------------------------------------------------------------------- search
@pytest.mark.parametrize("kw", [{}, {"right": True}, {"side": "right"}, {"side": "left"},
                                {"out_int32": True}, {"right": True, "side": "right"}])
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.int64])
def test_searchsorted(kw, dt, rng):
    s = np.sort(rng.integers(-5, 6, 8)).astype(dt)           # with repeats
    v = rng.integers(-7, 8, (3, 4)).astype(dt)
    check(*both("searchsorted", **kw), s, v)
    check(*both("searchsorted", **kw), s, np.array(v[0, 0]))  # 0-d input
    s2 = np.sort(rng.integers(-5, 6, (3, 6)), axis=-1).astype(dt)   # batched boundaries
    check(*both("searchsorted", **kw), s2, v)
    check(lambda t: ember.searchsorted(t, 2, **kw), lambda t: torch.searchsorted(t, 2, **kw), s)


def test_searchsorted_sorter_and_mixed(rng):
    s = rng.permutation(10).astype(np.float64)
    order = np.argsort(s)
    v = rng.standard_normal(5) * 5
    check(lambda a, b, c: ember.searchsorted(a, b, sorter=c),
          lambda a, b, c: torch.searchsorted(a, b, sorter=c), s, v, order)
    s2 = rng.standard_normal((2, 5))
    check(lambda a, b, c: ember.searchsorted(a, b, sorter=c, right=True),
          lambda a, b, c: torch.searchsorted(a, b, sorter=c, right=True), s2, v[:4].reshape(2, 2),
          np.argsort(s2, axis=-1))
    check(*both("searchsorted"), np.arange(5), np.array([1.5, -2.0, 9.0]))   # int vs float
    check(*both("searchsorted"), np.zeros(0), np.array([1.5]))


def test_searchsorted_errors():
    s = np.arange(5)
    check_error(*both("searchsorted", side="left", right=True), s, np.array([1]))
    check_error(*both("searchsorted", side="foo"), s, np.array([1]))
    check_error(*both("searchsorted"), np.array(1), np.array([1]))
    check_error(*both("searchsorted"), np.ones((2, 2)), np.ones(2))
    check_error(*both("searchsorted"), np.ones((2, 2)), np.ones((3, 1)))
    so = both("searchsorted")
    sorter = (lambda a, b, c: so[0](a, b, sorter=c), lambda a, b, c: so[1](a, b, sorter=c))
    check_error(*sorter, s, np.array([1]), np.arange(4))
    check_error(*sorter, s, np.array([1]), np.array([0, 1, 2, 3, 7]))
    check_error(*sorter, s, np.array([1]), np.arange(5, dtype=np.int32))


@pytest.mark.parametrize("kw", [{}, {"right": True}, {"out_int32": True}])
def test_bucketize(kw, rng):
    b = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    x = rng.integers(0, 11, (2, 5)).astype(np.float64)
    check(*both("bucketize", **kw), x, b)
    check(*both("bucketize", **kw), np.array(3.0), b)
    check(lambda t: ember.bucketize(3, t, **kw), lambda t: torch.bucketize(3, t, **kw), b)
    check(*both("bucketize", right=True), x.astype(np.int64), b)
    check_error(*both("bucketize"), np.array([3.0]), np.ones((1, 2)))


@pytest.mark.parametrize("kw", [{}, {"invert": True}, {"assume_unique": True}])
def test_isin(kw, rng):
    e = rng.integers(0, 6, (3, 4))
    t = rng.integers(0, 6, 5)
    check(*both("isin", **kw), e, t)
    check(*both("isin", **kw), e.astype(np.float32), t.astype(np.float64))
    check(*both("isin", **kw), e, np.array([1.5, 2.0]))
    check(*both("isin", **kw), np.array([1.0, NAN]), np.array([NAN, 1.0]))
    check(lambda x: ember.isin(x, 2, **kw), lambda x: torch.isin(x, 2, **kw), e)
    check(lambda x: ember.isin(3, x, **kw), lambda x: torch.isin(3, x, **kw), t)
    check(*both("isin", **kw), np.zeros((0, 2)), t)


def test_isin_errors():
    check_error(lambda: ember.isin(2, 3), lambda: torch.isin(2, 3))
    check_error(*both("isin"), np.array([True, False]), np.array([1]))
