"""torch.linalg's solvers and factorizations beyond the core (lstsq, solve_triangular, LU,
matrix_exp, cond, tensorinv/tensorsolve, vander, the *_ex forms) and the legacy top-level forms
(svd, qr, cholesky_solve, cholesky_inverse, triangular_solve, lu, lu_solve), against torch."""

import math
import warnings

import numpy as np
import pytest
import torch

import ember
from harness import check, check_error, check_gradcheck

TOL = {"rtol": 1e-4, "atol": 1e-5}
DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def _quiet():
    """torch's (and ember's) deprecation notes of the legacy forms."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _arr(rng, shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def _wellcond(rng, shape, dtype=np.float64):
    n = shape[-1]
    return (rng.standard_normal(shape) + 3 * n ** 0.5 * np.eye(n)).astype(dtype)


def _spd(rng, shape, dtype=np.float64):
    x = rng.standard_normal(shape)
    return (x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _chol(rng, shape, dtype=np.float64, upper=False):
    L = np.linalg.cholesky(_spd(rng, shape))
    return (np.swapaxes(L, -1, -2) if upper else L).astype(dtype)


# ----------------------------------------------------------------------------- solve_triangular
@pytest.mark.parametrize("sa,sb", [((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 3)),
                                   ((2, 1, 3, 3), (4, 3, 2)), ((3, 3), (2, 3, 1))])
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_solve_triangular(sa, sb, upper, dtype, rng):
    a, b = _wellcond(rng, sa, dtype), _arr(rng, sb, dtype)
    for unit in (False, True):
        def f(lib, unit=unit):
            return lambda x, y: lib.linalg.solve_triangular(x, y, upper=upper,
                                                            unitriangular=unit)
        check(f(ember), f(torch), a, b, rng=rng, **TOL)
        if dtype == np.float64:
            check_gradcheck(f(ember), a, b, gradgrad=len(sa) == 2)
    br = np.swapaxes(b, -1, -2).copy()

    def g(lib):
        return lambda x, y: lib.linalg.solve_triangular(x, y, upper=upper, left=False)
    check(g(ember), g(torch), a, br, rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(g(ember), a, br)


def test_solve_triangular_noncontiguous_singular_empty(rng):
    f = lambda lib: lambda x, y: lib.linalg.solve_triangular(x, y, upper=True)  # noqa: E731
    # transposed (non-contiguous) views of both operands
    check(lambda x, y: f(ember)(x.mT, y.mT), lambda x, y: f(torch)(x.mT, y.mT),
          _wellcond(rng, (4, 4)), _arr(rng, (2, 4)), rng=rng)
    # a zero on the diagonal gives inf/nan as torch's trsm, no error
    z = np.array([[0.0, 1.0], [0.0, 0.0]])
    check(lambda x, y: ember.linalg.solve_triangular(x, y, upper=True),
          lambda x, y: torch.linalg.solve_triangular(x, y, upper=True), z, np.ones((2, 2)),
          grad=False)
    for up in (True, False):
        check(lambda x, y, up=up: ember.linalg.solve_triangular(x, y, upper=up),
              lambda x, y, up=up: torch.linalg.solve_triangular(x, y, upper=up),
              np.zeros((0, 0)), np.zeros((0, 3)), grad=False)


def test_solve_triangular_errors(rng):
    f = lambda lib: lambda x, y: lib.linalg.solve_triangular(x, y, upper=True)  # noqa: E731
    check_error(f(ember), f(torch), _arr(rng, (3, 3)), _arr(rng, (3,)),
                match=["B must have at least 2 dimensions"])
    check_error(f(ember), f(torch), _arr(rng, (3, 3)), _arr(rng, (2, 2)),
                match=["AX = B", "3x3 and 2x2"])
    check_error(f(ember), f(torch), _arr(rng, (3, 2)), _arr(rng, (3, 2)),
                match=["square", "3 by 2"])
    for da, db in ((np.float32, np.float64), (np.float64, np.float32)):   # A's dtype wins
        check(f(ember), f(torch), _wellcond(rng, (3, 3), da), _arr(rng, (3, 2), db), rng=rng,
              **TOL)
    check_error(f(ember), f(torch), np.eye(3, dtype=np.int64), np.ones((3, 2), np.int64),
                match=["Long"])
    check_error(f(ember), f(torch), _arr(rng, (2, 3, 3)), _arr(rng, (3, 3, 2)),
                match=["must match"])
    g = lambda lib: lambda x, y: lib.linalg.solve_triangular(  # noqa: E731
        x, y, upper=True, left=False)
    check_error(g(ember), g(torch), _arr(rng, (3, 3)), _arr(rng, (3, 2)),
                match=["XA = B", "3x3 and 3x2"])


# ----------------------------------------------------------------------------- LU
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (3, 5), (5, 3), (2, 1, 4, 6), (2, 6, 4),
                                   (1, 1)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lu_factor_and_lu(shape, dtype, rng):
    a = _arr(rng, shape, dtype)
    e = check(ember.linalg.lu_factor, torch.linalg.lu_factor, a, rng=rng, **TOL)
    assert e[1].dtype == ember.int32
    check(ember.linalg.lu_factor_ex, torch.linalg.lu_factor_ex, a, rng=rng, **TOL)
    check(ember.linalg.lu, torch.linalg.lu, a, rng=rng, **TOL)
    check(ember.lu, torch.lu, a, rng=rng, **TOL)
    check(ember.Tensor.lu, torch.Tensor.lu, a, rng=rng, **TOL)
    check(lambda x: ember.lu(x, get_infos=True), lambda x: torch.lu(x, get_infos=True), a,
          rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(lambda x: ember.linalg.lu_factor(x).LU, a, gradgrad=len(shape) == 2)
        check_gradcheck(lambda x: ember.linalg.lu(x)[1:], a)
    r = ember.linalg.lu(ember.tensor(a))
    assert type(r).__name__ == "linalg_lu"
    np.testing.assert_allclose((r.P @ r.L @ r.U).numpy(), a, **TOL)


@pytest.mark.parametrize("kw", [{}, {"unpack_data": False}, {"unpack_pivots": False}])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5), (5, 3)])
def test_lu_unpack(kw, shape, rng):
    a = _arr(rng, shape)
    lu, piv = torch.linalg.lu_factor(torch.from_numpy(a))
    f = lambda lib: lambda x: lib.lu_unpack(x, to(lib, piv), **kw)  # noqa: E731
    check(f(ember), f(torch), lu.numpy(), rng=rng, grad=not kw)   # torch's backward fails
    if not kw:
        check_gradcheck(lambda x: f(ember)(x)[1:], lu.numpy())


def to(lib, t):
    return ember.tensor(t.numpy()) if lib is ember else t


def test_lu_singular_and_errors(rng):
    s = np.array([[1.0, 2, 3], [2, 4, 6], [1, 1, 1]])
    check(ember.linalg.lu_factor_ex, torch.linalg.lu_factor_ex, s, grad=False)
    check(ember.linalg.lu, torch.linalg.lu, s, grad=False)
    check_error(ember.linalg.lu_factor, torch.linalg.lu_factor, s,
                match=["lu_factor", "U[3,3] is zero"])
    check_error(ember.linalg.lu_factor, torch.linalg.lu_factor, np.stack([np.eye(3), s]),
                match=["(Batch element 1)"])
    check_error(lambda x: ember.linalg.lu_factor_ex(x, check_errors=True),
                lambda x: torch.linalg.lu_factor_ex(x, check_errors=True), s,
                match=["lu_factor_ex", "U[3,3] is zero"])
    check_error(ember.linalg.lu_factor, torch.linalg.lu_factor, _arr(rng, (3,)),
                match=["2 or more dimensions", "[3]"])
    check_error(ember.linalg.lu_factor, torch.linalg.lu_factor, np.eye(3, dtype=np.int64),
                match=["Long"])
    check_error(lambda x: ember.linalg.lu(x, pivot=False),
                lambda x: torch.linalg.lu(x, pivot=False), np.eye(3),
                match=["without pivoting"])
    check_error(lambda x: ember.lu_unpack(x, ember.tensor([1, 2, 3])),
                lambda x: torch.lu_unpack(x, torch.tensor([1, 2, 3])), np.eye(3),
                match=["int32"])
    check(ember.linalg.lu_factor, torch.linalg.lu_factor, np.zeros((0, 3)), grad=False)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("sa,sb", [((3, 3), (3, 2)), ((2, 1, 4, 4), (3, 4, 4))])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lu_solve(left, adjoint, sa, sb, dtype, rng):
    a, b = _wellcond(rng, sa, dtype), _arr(rng, sb, dtype)
    if not left:
        b = np.swapaxes(b, -1, -2).copy()

    def f(lib):
        def g(x, y):
            LU, piv = lib.linalg.lu_factor(x)
            return lib.linalg.lu_solve(LU, piv, y, left=left, adjoint=adjoint)
        return g
    check(f(ember), f(torch), a, b, rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(f(ember), a, b)
    if left and not adjoint:
        def legacy(lib, method):
            def g(x, y):
                LU, piv = lib.linalg.lu_factor(x)
                return y.lu_solve(LU, piv) if method else lib.lu_solve(y, LU, piv)
            return g
        for method in (False, True):
            check(legacy(ember, method), legacy(torch, method), a, b, rng=rng, **TOL)


def test_lu_solve_errors(rng):
    a = _wellcond(rng, (3, 3))
    lu, piv = torch.linalg.lu_factor(torch.from_numpy(a))

    def f(lib, p=piv, **kw):
        return lambda x, y: lib.linalg.lu_solve(x, to(lib, p), y, **kw)
    check_error(f(ember), f(torch), lu.numpy(), _arr(rng, (3,)),
                match=["B must have at least 2 dimensions"])
    check_error(f(ember, piv.long()), f(torch, piv.long()), lu.numpy(), _arr(rng, (3, 2)),
                match=["int32"])
    check_error(f(ember), f(torch), lu.numpy(), _arr(rng, (2, 2)), match=["AX = B"])
    check_error(f(ember, left=False), f(torch, left=False), lu.numpy(), _arr(rng, (3, 2)),
                match=["XA = B"])


# ----------------------------------------------------------------------------- matrix_exp
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 4, 4), (2, 1, 3, 3), (0, 0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_matrix_exp(shape, dtype, rng):
    a = _arr(rng, shape, dtype)
    for ef, tf in [(ember.linalg.matrix_exp, torch.linalg.matrix_exp),
                   (ember.matrix_exp, torch.matrix_exp),
                   (ember.Tensor.matrix_exp, torch.Tensor.matrix_exp)]:
        check(ef, tf, a, rng=rng, **TOL)
    big = 6 * a   # needs scaling and squaring
    check(ember.linalg.matrix_exp, torch.linalg.matrix_exp, big, rng=rng, rtol=1e-4,
          atol=1e-4 * max(1.0, float(np.abs(np.exp(np.abs(big).sum())).clip(max=1e6))))
    if dtype == np.float64 and a.size:
        check_gradcheck(ember.linalg.matrix_exp, a, gradgrad=len(shape) == 2)


def test_matrix_exp_special_and_errors(rng):
    d = np.diag([1.0, -2.0, 0.5])
    np.testing.assert_allclose(ember.linalg.matrix_exp(ember.tensor(d)).numpy(),
                               np.diag(np.exp([1.0, -2.0, 0.5])), rtol=1e-12)
    check(ember.linalg.matrix_exp, torch.linalg.matrix_exp, np.zeros((2, 2)), rng=rng)
    check_error(ember.linalg.matrix_exp, torch.linalg.matrix_exp, _arr(rng, (2, 3)),
                match=["matrix_exp", "2 by 3"])
    check_error(ember.linalg.matrix_exp, torch.linalg.matrix_exp, np.eye(2, dtype=np.int64),
                match=["Long"])


# ----------------------------------------------------------------------------- lstsq
@pytest.mark.parametrize("sa,sb", [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((4, 4), (4, 1)),
                                   ((2, 5, 3), (2, 5)), ((2, 5, 3), (2, 5, 2)), ((5, 3), (5,)),
                                   ((2, 4, 3), (1, 4, 2))])
@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lstsq(sa, sb, driver, dtype, rng):
    a, b = _arr(rng, sa, dtype), _arr(rng, sb, dtype)
    f = lambda lib: lambda x, y: lib.linalg.lstsq(x, y, driver=driver)  # noqa: E731
    e = check(f(ember), f(torch), a, b, rng=rng, rtol=1e-3, atol=1e-4)
    assert type(ember.linalg.lstsq(ember.tensor(a), ember.tensor(b))).__name__ == \
        "linalg_lstsq"
    assert e[2].dtype == ember.int64
    if dtype == np.float64:
        check_gradcheck(lambda x, y: f(ember)(x, y)[:2], a, b)


def test_lstsq_rank_deficient_and_rcond(rng):
    low = _arr(rng, (5, 2)) @ _arr(rng, (2, 3))
    b = _arr(rng, (5, 2))
    for d in ("gelsd", "gelss", "gelsy"):
        f = lambda lib, d=d: lambda x, y: lib.linalg.lstsq(x, y, driver=d)  # noqa: E731
        check(f(ember), f(torch), low, b, rng=rng, **TOL)
    a = np.diag([1.0, 1e-3, 1e-8])
    for rcond in (None, 1e-2, 1e-5):
        f = lambda lib, r=rcond: lambda x, y: lib.linalg.lstsq(  # noqa: E731
            x, y, r, driver="gelsd")
        check(f(ember), f(torch), a, np.ones((3, 1)), grad=False, rtol=1e-6)


def test_lstsq_errors(rng):
    check_error(ember.linalg.lstsq, torch.linalg.lstsq, _arr(rng, (3,)), _arr(rng, (3,)),
                match=["at least 2 dimensions"])
    check_error(ember.linalg.lstsq, torch.linalg.lstsq, _arr(rng, (4, 3)), _arr(rng, (5, 2)),
                match=["size(-2)"])
    check_error(lambda x, y: ember.linalg.lstsq(x, y, driver="foo"),
                lambda x, y: torch.linalg.lstsq(x, y, driver="foo"), _arr(rng, (4, 3)),
                _arr(rng, (4, 2)), match=["driver", "gelsy"])
    check_error(ember.linalg.lstsq, torch.linalg.lstsq, _arr(rng, (4, 3), np.float32),
                _arr(rng, (4, 2)), match=["same dtype", "Float", "Double"])
    check_error(ember.linalg.lstsq, torch.linalg.lstsq, np.ones((4, 3), np.int64),
                np.ones((4, 2), np.int64), match=["float and double"])
    check_error(ember.linalg.lstsq, torch.linalg.lstsq, _arr(rng, (2, 4, 3)),
                _arr(rng, (3, 4, 2)), match=["must match"])


# ----------------------------------------------------------------------------- cond
@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cond(p, dtype, rng):
    a = _wellcond(rng, (2, 3, 3), dtype)
    f = lambda lib: lambda x: lib.linalg.cond(x, p)  # noqa: E731
    svd_based = p in (None, 2, -2, "nuc")   # torch's backward through inv_ex fails for the others
    check(f(ember), f(torch), a, rng=rng, grad=svd_based, **TOL)
    if dtype == np.float64:
        check_gradcheck(f(ember), a)
    if p in (None, 2, -2):
        check(f(ember), f(torch), _arr(rng, (4, 2), dtype), rng=rng, **TOL)
    if not svd_based:   # a singular matrix has condition number inf
        sing = np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.eye(2)]).astype(dtype)
        check(f(ember), f(torch), sing, grad=False, rtol=1e-3)


def test_cond_errors(rng):
    check_error(lambda x: ember.linalg.cond(x, "fro"), lambda x: torch.linalg.cond(x, "fro"),
                _arr(rng, (2, 3)), match=["square", "2 by 3"])
    check_error(lambda x: ember.linalg.cond(x, 3), lambda x: torch.linalg.cond(x, 3),
                _arr(rng, (2, 2)), match=["invalid norm type"])
    check_error(ember.linalg.cond, torch.linalg.cond, np.eye(2, dtype=np.int64),
                match=["Long"])


# ----------------------------------------------------------------------------- tensorinv/solve
@pytest.mark.parametrize("shape,ind", [((4, 2, 2), 1), ((2, 3, 6), 2), ((6, 2, 3), 1)])
def test_tensorinv(shape, ind, rng):
    a = _wellcond(rng, (math.prod(shape[:ind]),) * 2).reshape(shape)
    f = lambda lib: lambda x: lib.linalg.tensorinv(x, ind=ind)  # noqa: E731
    check(f(ember), f(torch), a, rng=rng, **TOL)
    check(f(ember), f(torch), a.astype(np.float32), rng=rng, **TOL)
    check_gradcheck(f(ember), a)


def test_tensorinv_errors(rng):
    for ind, shape in ((0, (4, 2, 2)), (1, (4, 2, 3))):
        check_error(lambda x, i=ind: ember.linalg.tensorinv(x, ind=i),
                    lambda x, i=ind: torch.linalg.tensorinv(x, ind=i), _arr(rng, shape),
                    match=["ind" if ind == 0 else "prod"])


@pytest.mark.parametrize("sa,sb,dims", [((2, 3, 6), (2, 3), None), ((6, 2, 3), (6,), None),
                                        ((2, 6, 3), (6,), (0, 2)), ((3, 2, 3, 2), (3, 2), None)])
def test_tensorsolve(sa, sb, dims, rng):
    n = math.prod(sb)
    a = _wellcond(rng, (n, n))
    if dims is None:
        a = a.reshape(sa)
    else:   # the dims that move to the end hold the solution's axes
        a = np.moveaxis(a.reshape(6, 2, 3), [1, 2], [0, 2])
    b = _arr(rng, sb)
    f = lambda lib: lambda x, y: lib.linalg.tensorsolve(x, y, dims)  # noqa: E731
    check(f(ember), f(torch), a, b, rng=rng, **TOL)
    check_gradcheck(f(ember), a, b)
    check_error(f(ember), f(torch), _arr(rng, (2, 3, 5)), _arr(rng, (2, 3)), match=["prod"])


# ----------------------------------------------------------------------------- vander
@pytest.mark.parametrize("shape,N", [((3,), None), ((4,), 2), ((2, 3), 5), ((0,), 3)])
def test_vander(shape, N, rng):
    x = _arr(rng, shape)
    x.flat[:1] = 0.0   # a zero power of zero: finite gradient
    f = lambda lib: lambda t: lib.linalg.vander(t, N=N)  # noqa: E731
    check(f(ember), f(torch), x, rng=rng)
    check(f(ember), f(torch), x.astype(np.float32), rng=rng)
    check(f(ember), f(torch), rng.integers(-3, 4, shape), rng=rng)
    if x.size:
        check_gradcheck(f(ember), x)


def test_vander_errors(rng):
    for x, N in ((_arr(rng, (2,)), 1), (np.array(2.0), None)):
        check_error(lambda t, n=N: ember.linalg.vander(t, N=n),
                    lambda t, n=N: torch.linalg.vander(t, N=n), x, match=["N must be"])
    check_error(ember.linalg.vander, torch.linalg.vander, np.array([True]), match=["Bool"])


# ----------------------------------------------------------------------------- *_ex
@pytest.mark.parametrize("dtype", DTYPES)
def test_inv_solve_cholesky_ex(dtype, rng):
    a, b, s = _wellcond(rng, (2, 3, 3), dtype), _arr(rng, (2, 3, 2), dtype), \
        _spd(rng, (2, 3, 3), dtype)
    for ce in (False, True):
        check(lambda x, c=ce: ember.linalg.inv_ex(x, check_errors=c),
              lambda x, c=ce: torch.linalg.inv_ex(x, check_errors=c), a, rng=rng, **TOL)
        for left in (True, False):
            bb = b if left else np.swapaxes(b, -1, -2).copy()
            check(lambda x, y, c=ce, lf=left: ember.linalg.solve_ex(x, y, left=lf, check_errors=c),
                  lambda x, y, c=ce, lf=left: torch.linalg.solve_ex(x, y, left=lf, check_errors=c),
                  a, bb, rng=rng, **TOL)
        for up in (False, True):
            check(lambda x, c=ce, u=up: ember.linalg.cholesky_ex(x, upper=u, check_errors=c),
                  lambda x, c=ce, u=up: torch.linalg.cholesky_ex(x, upper=u, check_errors=c),
                  s, rng=rng, **TOL)
    check(ember.linalg.solve_ex, torch.linalg.solve_ex, a, b[..., 0].copy(), rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(lambda x: ember.linalg.inv_ex(x).inverse, a)
        check_gradcheck(lambda x, y: ember.linalg.solve_ex(x, y).result, a, b)
        check_gradcheck(lambda x: ember.linalg.cholesky_ex((x + x.mT) / 2).L, s)


def test_ex_failures(rng):
    sing = np.stack([np.eye(3), [[1.0, 2, 3], [2, 4, 6], [1, 1, 1]]])
    e, t = ember.linalg.inv_ex(ember.tensor(sing)), torch.linalg.inv_ex(torch.from_numpy(sing))
    np.testing.assert_array_equal(e.info.numpy(), t.info.numpy())
    assert e.info.dtype == ember.int32 and not np.all(np.isfinite(e.inverse.numpy()[1]))
    np.testing.assert_allclose(e.inverse.numpy()[0], np.eye(3))
    e = ember.linalg.solve_ex(ember.tensor(sing), ember.ones(2, 3, 1, dtype=ember.float64))
    t = torch.linalg.solve_ex(torch.from_numpy(sing), torch.ones(2, 3, 1, dtype=torch.float64))
    np.testing.assert_array_equal(e.info.numpy(), t.info.numpy())
    notpd = np.array([[[4.0, 2, 0], [2, 1, 0], [0, 0, 1]], [[4.0, 2, 0], [2, -1, 0], [0, 0, 1]],
                      [[2.0, 0, 0], [0, 2, 0], [0, 0, 2]]])
    check(ember.linalg.cholesky_ex, torch.linalg.cholesky_ex, notpd, grad=False)
    for ef, tf, args, msg in [
            (ember.linalg.inv_ex, torch.linalg.inv_ex, (sing,), "diagonal element 3 is zero"),
            (ember.linalg.cholesky_ex, torch.linalg.cholesky_ex, (notpd,), "order 2"),
            (ember.linalg.solve_ex, torch.linalg.solve_ex, (sing, np.ones((2, 3, 1))),
             "solver failed")]:
        with pytest.raises(torch.linalg.LinAlgError) as t_exc:
            tf(*[torch.from_numpy(x) for x in args], check_errors=True)
        with pytest.raises(ember.linalg.LinAlgError) as e_exc:
            ef(*[ember.tensor(x) for x in args], check_errors=True)
        e_msg, t_msg = str(e_exc.value), str(t_exc.value)
        assert msg in e_msg and "_ex" in e_msg and e_msg[e_msg.index("(Batch"):][:18] == \
            t_msg[t_msg.index("(Batch"):][:18]
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    check(ember.lu, torch.lu, sing, grad=False)   # the legacy form never raises


# ----------------------------------------------------------------------------- legacy svd, qr
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
@pytest.mark.parametrize("some", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_legacy_svd(shape, some, dtype, rng):
    a = _arr(rng, shape, dtype)
    for ef, tf in [(ember.svd, torch.svd), (ember.Tensor.svd, torch.Tensor.svd)]:
        e, t = ef(ember.tensor(a), some), tf(torch.from_numpy(a), some)
        assert type(e).__name__ == "svd" and e._fields == ("U", "S", "V")
        for x, y in zip(e, t):
            assert tuple(x.shape) == tuple(y.shape) and str(x.dtype)[6:] == str(y.dtype)[6:]
        k = e.S.shape[-1]
        tol = {"rtol": 1e-4, "atol": 1e-4}
        np.testing.assert_allclose(e.S.numpy(), t.S.numpy(), **tol)
        rec = (e.U[..., :k] * e.S.unsqueeze(-2)) @ e.V[..., :k].mT
        np.testing.assert_allclose(rec.numpy(), a, **tol)
    check(lambda x: ember.svd(x, some, compute_uv=False),
          lambda x: torch.svd(x, some, compute_uv=False), a, rng=rng, **TOL)
    if dtype == np.float64 and some:
        def f(x, lib):   # sign-invariant: U Vᵀ and S
            U, S, V = lib.svd(x)
            return U @ V.mT, S
        check(lambda x: f(x, ember), lambda x: f(x, torch), a, rng=rng)
        check_gradcheck(lambda x: f(x, ember), a)


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
@pytest.mark.parametrize("some", [True, False])
def test_legacy_qr(shape, some, rng):
    a = _arr(rng, shape)
    for ef, tf in [(ember.qr, torch.qr), (ember.Tensor.qr, torch.Tensor.qr)]:
        e, t = ef(ember.tensor(a), some), tf(torch.from_numpy(a), some)
        assert type(e).__name__ == "qr"
        for x, y in zip(e, t):
            assert tuple(x.shape) == tuple(y.shape)
        np.testing.assert_allclose(np.abs(e.R.numpy()), np.abs(t.R.numpy()), **TOL)
        np.testing.assert_allclose((e.Q @ e.R).numpy(), a, **TOL)
    if some:
        def f(x, lib):
            Q, R = lib.qr(x)
            d = R.diagonal(0, -2, -1)
            return Q[..., :d.shape[-1]] * d.unsqueeze(-2), R * R
        check(lambda x: f(x, ember), lambda x: f(x, torch), a, rng=rng)


def test_legacy_deprecation_warnings():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        from ember.ops import linalg as la
        la._warned.discard("qr")
        ember.qr(ember.eye(2))
    assert any("torch.qr is deprecated" in str(x.message) for x in w)


# ----------------------------------------------------------------------------- cholesky legacy
@pytest.mark.parametrize("sl,sb", [((3, 3), (3, 2)), ((2, 4, 4), (2, 4, 1)),
                                   ((2, 1, 3, 3), (4, 3, 2))])
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cholesky_solve_inverse(sl, sb, upper, dtype, rng):
    L, b = _chol(rng, sl, dtype, upper), _arr(rng, sb, dtype)
    for ef, tf in [(ember.cholesky_solve, torch.cholesky_solve),
                   (ember.Tensor.cholesky_solve, torch.Tensor.cholesky_solve)]:
        check(lambda y, x, f=ef: f(y, x, upper), lambda y, x, f=tf: f(y, x, upper), b, L,
              rng=rng, **TOL)
    for ef, tf in [(ember.cholesky_inverse, torch.cholesky_inverse),
                   (ember.Tensor.cholesky_inverse, torch.Tensor.cholesky_inverse)]:
        check(lambda x, f=ef: f(x, upper), lambda x, f=tf: f(x, upper), L, rng=rng, **TOL)
    if dtype == np.float64:
        # torch's gradient for L is not restricted to its triangle: check through one
        tri = (lambda x: x.triu()) if upper else (lambda x: x.tril())
        check_gradcheck(lambda y, x: ember.cholesky_solve(y, tri(x), upper), b, L,
                        gradgrad=len(sl) == 2)
        check_gradcheck(lambda x: ember.cholesky_inverse(tri(x), upper), L,
                        gradgrad=len(sl) == 2)


def test_cholesky_solve_inverse_errors(rng):
    L = _chol(rng, (3, 3))
    check_error(ember.cholesky_solve, torch.cholesky_solve, _arr(rng, (3,)), L,
                match=["at least 2 dimensions"])
    check_error(ember.cholesky_solve, torch.cholesky_solve, _arr(rng, (3, 2), np.float32), L,
                match=["same dtype", "Float", "Double"])
    check_error(ember.cholesky_inverse, torch.cholesky_inverse, _arr(rng, (3,)),
                match=["at least 2 dimensions"])


# ----------------------------------------------------------------------------- triangular_solve
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("unit", [False, True])
@pytest.mark.parametrize("sa,sb", [((3, 3), (3, 2)), ((2, 1, 3, 3), (4, 3, 2))])
def test_triangular_solve(upper, transpose, unit, sa, sb, rng):
    a, b = _wellcond(rng, sa), _arr(rng, sb)
    for ef, tf in [(ember.triangular_solve, torch.triangular_solve),
                   (ember.Tensor.triangular_solve, torch.Tensor.triangular_solve)]:
        e = check(lambda y, x, f=ef: f(y, x, upper, transpose, unit),
                  lambda y, x, f=tf: f(y, x, upper, transpose, unit), b, a, rng=rng, **TOL)
    assert type(ember.triangular_solve(ember.tensor(b), ember.tensor(a))).__name__ == \
        "triangular_solve" and len(e) == 2
    check(lambda y, x: ember.triangular_solve(y, x, upper, transpose, unit),
          lambda y, x: torch.triangular_solve(y, x, upper, transpose, unit),
          b.astype(np.float32), a.astype(np.float32), rng=rng, **TOL)
    check_gradcheck(lambda y, x: ember.triangular_solve(y, x, upper, transpose, unit), b, a)


def test_triangular_solve_errors(rng):
    check_error(ember.triangular_solve, torch.triangular_solve, _arr(rng, (3,)), np.eye(3),
                match=["Expected b to have at least 2 dimensions"])


# ----------------------------------------------------------------------------- empty, out=
@pytest.mark.parametrize("name,fn,inputs", [
    ("cond", lambda lib: lib.linalg.cond, [(0, 0)]),
    ("cond_fro", lambda lib: lambda x: lib.linalg.cond(x, "fro"), [(2, 0, 0)]),
    ("inv_ex", lambda lib: lib.linalg.inv_ex, [(0, 0)]),
    ("cholesky_ex", lambda lib: lib.linalg.cholesky_ex, [(2, 0, 0)]),
    ("solve_ex", lambda lib: lib.linalg.solve_ex, [(0, 0), (0, 2)]),
    ("lstsq_rows", lambda lib: lib.linalg.lstsq, [(0, 3), (0, 2)]),
    ("lstsq_cols", lambda lib: lib.linalg.lstsq, [(3, 0), (3, 2)]),
    ("svd", lambda lib: lib.svd, [(0, 3)]),
    ("qr", lambda lib: lib.qr, [(0, 3)]),
    ("lu", lambda lib: lib.linalg.lu, [(3, 0)]),
    ("cholesky_inverse", lambda lib: lib.cholesky_inverse, [(0, 0)]),
    ("cholesky_solve", lambda lib: lib.cholesky_solve, [(0, 2), (0, 0)]),
    ("triangular_solve", lambda lib: lib.triangular_solve, [(0, 2), (0, 0)]),
])
def test_empty(name, fn, inputs):
    check(fn(ember), fn(torch), *[np.zeros(s) for s in inputs], grad=False)


def test_out(rng):
    a, b = _wellcond(rng, (3, 3)), _arr(rng, (3, 2))
    o = ember.empty(0, dtype=ember.float64)
    r = ember.linalg.solve_triangular(ember.tensor(a), ember.tensor(b), upper=True, out=o)
    assert r is o
    np.testing.assert_allclose(o.numpy(), torch.linalg.solve_triangular(
        torch.from_numpy(a), torch.from_numpy(b), upper=True).numpy(), rtol=1e-10)
    outs = (ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int32))
    ember.linalg.lu_factor(ember.tensor(a), out=outs)
    t = torch.linalg.lu_factor(torch.from_numpy(a))
    np.testing.assert_allclose(outs[0].numpy(), t.LU.numpy(), rtol=1e-10)
    np.testing.assert_array_equal(outs[1].numpy(), t.pivots.numpy())
