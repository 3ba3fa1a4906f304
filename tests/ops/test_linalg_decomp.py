"""torch.linalg's core (inv, det, solve, decompositions, pinv, ...) and the top-level aliases,
against real torch."""

import math
import warnings
from functools import partial

import numpy as np
import pytest
import torch

import ember
from harness import check, check_error, check_gradcheck

TOL = {"rtol": 1e-4, "atol": 1e-5}


def _arr(rng, shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def _wellcond(rng, shape, dtype=np.float64):
    """Random square matrices with a dominant diagonal (safely invertible)."""
    n = shape[-1]
    return (rng.standard_normal(shape) + 3 * n ** 0.5 * np.eye(n)).astype(dtype)


def _bounded_sv(rng, shape, dtype=np.float64):
    """Random matrices whose singular values lie in [0.5, 2]: pinv's float32 gradient of a
    nearly rank-deficient draw is rounding noise amplified by 1/sigma_min**2."""
    u, _, vh = np.linalg.svd(rng.standard_normal(shape), full_matrices=False)
    s = rng.uniform(0.5, 2.0, shape[:-2] + (min(shape[-2:]),))
    return ((u * s[..., None, :]) @ vh).astype(dtype)


def _spd(rng, shape, dtype=np.float64):
    """Symmetric positive-definite matrices with distinct eigenvalues."""
    x = rng.standard_normal(shape)
    return (x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _sym(A):
    return (A + A.mT) / 2


SHAPES = [(3, 3), (2, 4, 4), (2, 1, 3, 3), (1, 1)]
DTYPES = [np.float32, np.float64]


# ----------------------------------------------------------------------------- inv, det, slogdet
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_inv_det_slogdet(shape, dtype, rng):
    a = _wellcond(rng, shape, dtype)
    for ef, tf in [(ember.linalg.inv, torch.linalg.inv), (ember.inverse, torch.inverse),
                   (ember.Tensor.inverse, torch.Tensor.inverse),
                   (ember.linalg.det, torch.linalg.det), (ember.det, torch.det),
                   (ember.Tensor.det, torch.Tensor.det),
                   (ember.linalg.slogdet, torch.linalg.slogdet), (ember.slogdet, torch.slogdet),
                   (ember.Tensor.slogdet, torch.Tensor.slogdet)]:
        check(ef, tf, a, rng=rng, **TOL)
    spd = _spd(rng, shape, dtype)
    check(ember.logdet, torch.logdet, spd, rng=rng, **TOL)
    check(ember.Tensor.logdet, torch.Tensor.logdet, spd, rng=rng, **TOL)


def test_inv_det_gradcheck(rng):
    a = _wellcond(rng, (2, 3, 3))
    for f in (ember.linalg.inv, ember.linalg.det, lambda x: ember.linalg.slogdet(x).logabsdet,
              ember.logdet):
        check_gradcheck(f, _spd(rng, (2, 3, 3)) if f is ember.logdet else a, gradgrad=True)


def test_slogdet_named_and_logdet_negative(rng):
    a = -np.eye(3)
    s = ember.linalg.slogdet(ember.tensor(a))
    assert s.sign.item() == -1 and abs(s.logabsdet.item()) < 1e-12
    assert type(s).__name__ == "linalg_slogdet"
    assert type(ember.slogdet(ember.tensor(a))).__name__ == "slogdet"
    check(ember.logdet, torch.logdet, a, grad=False)
    check(ember.logdet, torch.logdet, np.zeros((2, 2)), grad=False)
    check(ember.linalg.slogdet, torch.linalg.slogdet, np.zeros((2, 2)), grad=False)


def test_det_singular_grad(rng):
    # exactly singular: the gradient is the cofactor matrix (torch 2.13 returns zeros here
    # for rank n-1, see pytorch#79487; ember gives the true adjugate)
    a = ember.tensor([[[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]], requires_grad=True)
    ember.linalg.det(a).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [[[4, -2], [-2, 1]], [[0, 0], [0, 0]]],
                               atol=1e-6)
    near = _arr(rng, (3, 2)) @ _arr(rng, (2, 3)) + 1e-9 * _arr(rng, (3, 3))
    check(ember.linalg.det, torch.linalg.det, near, rng=rng)


def test_empty_matrices():
    check(ember.linalg.det, torch.linalg.det, np.zeros((0, 0)), grad=False)
    check(ember.linalg.inv, torch.linalg.inv, np.zeros((2, 0, 0)), grad=False)


def test_singular_raises_linalg_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    sing = ember.tensor([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(torch.linalg.LinAlgError):
        torch.linalg.inv(torch.from_numpy(sing.numpy()))
    with pytest.raises(ember.linalg.LinAlgError, match="linalg.inv"):
        ember.linalg.inv(sing)
    with pytest.raises(ember.linalg.LinAlgError, match=r"linalg.inv: \(Batch element 1\)"):
        ember.linalg.inv(ember.stack([ember.eye(2), sing]))
    with pytest.raises(ember.linalg.LinAlgError, match="linalg.solve"):
        ember.linalg.solve(sing, ember.ones(2))
    with pytest.raises(ember.linalg.LinAlgError, match="order 2 is not positive-definite"):
        ember.linalg.cholesky(ember.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(torch.linalg.LinAlgError, match="order 2 is not positive-definite"):
        torch.linalg.cholesky(torch.tensor([[1.0, 2.0], [2.0, 1.0]]))


NAMES = ["inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh", "matrix_power"]


@pytest.mark.parametrize("name", NAMES)
def test_square_errors(name, rng):
    args = (2,) if name == "matrix_power" else ()
    ef = lambda x: getattr(ember.linalg, name)(x, *args)   # noqa: E731
    tf = lambda x: getattr(torch.linalg, name)(x, *args)   # noqa: E731
    check_error(ef, tf, _arr(rng, (2, 3)),
                match=[f"linalg.{name}", "2 by 3 matrices", "batches of square matrices"])
    check_error(ef, tf, _arr(rng, (3,)), match=[f"linalg.{name}", "[3]"])


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "eigh", "svd", "qr",
                                  "svdvals", "eigvalsh", "pinv", "matrix_rank"])
def test_int_input_errors(name):
    a = np.eye(3, dtype=np.int64)
    check_error(getattr(ember.linalg, name), getattr(torch.linalg, name), a, match=["linalg."])


def test_top_level_errors(rng):
    check_error(ember.logdet, torch.logdet, _arr(rng, (2, 3)), match=["logdet", "2 by 3"])
    check_error(ember.inverse, torch.inverse, np.eye(2, dtype=np.int64), match=["Long"])
    check_error(ember.linalg.inv, torch.linalg.inv, np.eye(2, dtype=np.float16),
                match=["Half"])
    check_error(ember.trace, torch.trace, _arr(rng, (2, 2, 2)), match=["trace", "dim 3"])
    check_error(ember.trace, torch.trace, np.eye(2, dtype=bool), match=["Bool"])


# ----------------------------------------------------------------------------- solve
@pytest.mark.parametrize("sa,sb", [
    ((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)), ((2, 3, 3), (3,)),
    ((2, 3, 3), (3, 4)), ((3, 3), (2, 3, 1)), ((2, 1, 3, 3), (4, 3, 2)),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_solve(sa, sb, dtype, rng):
    a, b = _wellcond(rng, sa, dtype), _arr(rng, sb, dtype)
    check(ember.linalg.solve, torch.linalg.solve, a, b, rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(ember.linalg.solve, a, b, gradgrad=len(sa) == 2)


def test_solve_left_false(rng):
    a, b = _wellcond(rng, (2, 3, 3)), _arr(rng, (4, 3))
    f = lambda x, y: ember.linalg.solve(x, y, left=False)   # noqa: E731
    check(f, lambda x, y: torch.linalg.solve(x, y, left=False), a, b, rng=rng)
    check_gradcheck(f, a, b)


def test_solve_errors(rng):
    check_error(ember.linalg.solve, torch.linalg.solve, np.eye(2), _arr(rng, (3,)),
                match=["linalg.solve", "AX = B", "2x2 and 3x1"])
    check_error(lambda x, y: ember.linalg.solve(x, y, left=False),
                lambda x, y: torch.linalg.solve(x, y, left=False), np.eye(2),
                _arr(rng, (2, 3)), match=["XA = B", "2x2 and 2x3"])
    check_error(ember.linalg.solve, torch.linalg.solve, np.eye(2, dtype=np.float32),
                _arr(rng, (2, 2)), match=["same dtype", "float32", "float64"])
    check_error(ember.linalg.solve, torch.linalg.solve, np.eye(2, dtype=np.int64),
                np.ones(2, np.int64), match=["Long"])


# ----------------------------------------------------------------------------- cholesky
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cholesky(shape, upper, dtype, rng):
    a = _spd(rng, shape, dtype)
    check(lambda x: ember.linalg.cholesky(x, upper=upper),
          lambda x: torch.linalg.cholesky(x, upper=upper), a, rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(lambda x: ember.linalg.cholesky(_sym(x), upper=upper), a,
                        gradgrad=len(shape) == 2)


# ----------------------------------------------------------------------------- qr
@pytest.mark.parametrize("shape,mode", [
    ((4, 3), "reduced"), ((3, 3), "reduced"), ((2, 5, 3), "reduced"), ((3, 5), "reduced"),
    ((4, 3), "complete"), ((3, 5), "complete"), ((2, 3, 3), "complete"), ((4, 3), "r"),
    ((2, 3, 5), "r"),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_qr(shape, mode, dtype, rng):
    a = _arr(rng, shape, dtype)
    e, t = ember.linalg.qr(ember.tensor(a), mode), torch.linalg.qr(torch.from_numpy(a), mode)
    assert type(e).__name__ == "linalg_qr"
    for x, y in zip(e, t):
        assert tuple(x.shape) == tuple(y.shape) and str(x.dtype)[6:] == str(y.dtype)[6:]
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else TOL
    np.testing.assert_allclose(np.abs(e.R.numpy()), np.abs(t.R.numpy()), **tol)
    if mode != "r":   # Q R = A, Q orthonormal, and the same factors as torch up to signs
        np.testing.assert_allclose((e.Q @ e.R).numpy(), a, **tol)
        np.testing.assert_allclose(np.abs(e.Q.numpy()), np.abs(t.Q.numpy()), **tol)
        can_grad = mode == "reduced" or shape[-2] <= shape[-1]
        if dtype == np.float64 and can_grad:
            # gauge-invariant under column sign flips: Q diag(R) and R's magnitudes
            def f(x, lib):
                Q, R = lib.linalg.qr(x, mode)
                d = R.diagonal(0, -2, -1)
                return Q[..., :d.shape[-1]] * d.unsqueeze(-2), R * R
            check(lambda x: f(x, ember), lambda x: f(x, torch), a, rng=rng)
            check_gradcheck(lambda x: f(x, ember), a, gradgrad=len(shape) == 2)


def test_qr_errors(rng):
    check_error(lambda x: ember.linalg.qr(x, "x"), lambda x: torch.linalg.qr(x, "x"),
                _arr(rng, (2, 2)), match=["'x'"])
    x = ember.tensor(_arr(rng, (3, 2)), requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        ember.linalg.qr(x, "r").R.sum().backward()
    with pytest.raises(RuntimeError, match="complete"):
        ember.linalg.qr(x, "complete").Q.sum().backward()


# ----------------------------------------------------------------------------- svd
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (3, 3), (2, 4, 3), (2, 1, 3, 4)])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_svd(shape, full, dtype, rng):
    a = _arr(rng, shape, dtype)
    e = ember.linalg.svd(ember.tensor(a), full_matrices=full)
    t = torch.linalg.svd(torch.from_numpy(a), full_matrices=full)
    assert type(e).__name__ == "linalg_svd"
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else TOL
    for x, y in zip(e, t):
        assert tuple(x.shape) == tuple(y.shape)
    np.testing.assert_allclose(e.S.numpy(), t.S.numpy(), **tol)
    k = e.S.shape[-1]
    rec = (e.U[..., :k] * e.S.unsqueeze(-2)) @ e.Vh[..., :k, :]
    np.testing.assert_allclose(rec.numpy(), a, **tol)
    np.testing.assert_allclose(np.abs(e.U[..., :k].numpy()), np.abs(t.U[..., :k].numpy()),
                               **tol)
    check(ember.linalg.svdvals, torch.linalg.svdvals, a, rng=rng, **TOL)
    if dtype == np.float64:
        # U Vh and |U|, |Vh| do not depend on the singular vectors' signs
        def f(x, lib):
            U, S, Vh = lib.linalg.svd(x, full_matrices=full)
            return U[..., :k] @ Vh[..., :k, :], S, U.abs()[..., :k], Vh.abs()[..., :k, :]
        check(lambda x: f(x, ember), lambda x: f(x, torch), a, rng=rng)
        check_gradcheck(lambda x: f(x, ember), a, gradgrad=len(shape) == 2)
        check_gradcheck(ember.linalg.svdvals, a)


# ----------------------------------------------------------------------------- eigh
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("uplo", ["L", "U"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh(shape, uplo, dtype, rng):
    a = _arr(rng, shape, dtype)   # not symmetric: only the UPLO triangle is read
    e = ember.linalg.eigh(ember.tensor(a), uplo)
    t = torch.linalg.eigh(torch.from_numpy(a), uplo)
    assert type(e).__name__ == "linalg_eigh"
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else TOL
    np.testing.assert_allclose(e.eigenvalues.numpy(), t.eigenvalues.numpy(), **tol)
    np.testing.assert_allclose(np.abs(e.eigenvectors.numpy()), np.abs(t.eigenvectors.numpy()),
                               **tol)
    check(lambda x: ember.linalg.eigvalsh(x, uplo), lambda x: torch.linalg.eigvalsh(x, uplo), a,
          rng=rng, **TOL)
    if dtype == np.float64:
        s = _spd(rng, shape)

        def f(x, lib):   # V diag(w) Vᵀ with fixed weights and |V|: sign-invariant
            L, V = lib.linalg.eigh(x, uplo)
            w = lib.arange(1.0, shape[-1] + 1, dtype=x.dtype)
            return (V * w) @ V.mT, L, V.abs()
        check(lambda x: f(x, ember), lambda x: f(x, torch), s, rng=rng)
        check_gradcheck(lambda x: f(_sym(x), ember), s, gradgrad=len(shape) == 2)
        check_gradcheck(lambda x: ember.linalg.eigvalsh(_sym(x), uplo), s)


def test_eigh_uplo_error(rng):
    check_error(lambda x: ember.linalg.eigh(x, "X"), lambda x: torch.linalg.eigh(x, "X"),
                _arr(rng, (2, 2)), match=["UPLO", "X"])


# ----------------------------------------------------------------------------- pinv, rank
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3), (2, 1, 4, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_pinv(shape, dtype, rng):
    a = _bounded_sv(rng, shape, dtype)
    check(ember.linalg.pinv, torch.linalg.pinv, a, rng=rng, **TOL)
    check(ember.pinverse, torch.pinverse, a, rng=rng, **TOL)
    check(ember.Tensor.pinverse, torch.Tensor.pinverse, a, rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(ember.linalg.pinv, a, gradgrad=len(shape) == 2)


def test_pinv_tolerances_and_hermitian(rng):
    low = _arr(rng, (4, 2)) @ _arr(rng, (2, 4))   # rank 2
    for kw in [{}, {"atol": 0.5}, {"rtol": 0.3}, {"atol": 0.1, "rtol": 0.2}]:
        check(partial(ember.linalg.pinv, **kw), partial(torch.linalg.pinv, **kw), low, rng=rng,
              **TOL)
        check(partial(ember.linalg.matrix_rank, **kw), partial(torch.linalg.matrix_rank, **kw),
              low, grad=False)
    s = low @ low.T
    for h in (False, True):
        check(partial(ember.linalg.pinv, hermitian=h), partial(torch.linalg.pinv, hermitian=h),
              s, rng=rng, rtol=1e-4, atol=1e-4)
        check(partial(ember.linalg.matrix_rank, hermitian=h),
              partial(torch.linalg.matrix_rank, hermitian=h), s, grad=False)
    check_gradcheck(lambda x: ember.linalg.pinv(_sym(x), hermitian=True), _spd(rng, (3, 3)))


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 5), (2, 3, 4), (0, 3)])
def test_matrix_rank(shape, rng):
    a = _arr(rng, shape, np.float32)
    check(ember.linalg.matrix_rank, torch.linalg.matrix_rank, a, grad=False)
    check(ember.linalg.matrix_rank, torch.linalg.matrix_rank, np.zeros(shape), grad=False)


def test_pinv_int_error():
    check_error(ember.pinverse, torch.pinverse, np.ones((2, 3), np.int64),
                match=["linalg.pinv", "Long[2, 3]"])


# ----------------------------------------------------------------------------- matrix_power
@pytest.mark.parametrize("n", [0, 1, 2, 3, 6, -1, -3])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_matrix_power(n, shape, rng):
    a = _wellcond(rng, shape) / 3
    for ef, tf in [(ember.linalg.matrix_power, torch.linalg.matrix_power),
                   (ember.matrix_power, torch.matrix_power),
                   (ember.Tensor.matrix_power, torch.Tensor.matrix_power)]:
        check(partial(ef, n=n), partial(tf, n=n), a, rng=rng, **TOL)
    check(lambda x: ember.linalg.matrix_power(x, n), lambda x: torch.linalg.matrix_power(x, n),
          a.astype(np.float32), rng=rng, **TOL)
    check_gradcheck(lambda x: ember.matrix_power(x, n), a)


def test_matrix_power_ints_and_errors(rng):
    a = rng.integers(-3, 3, (3, 3))
    check(lambda x: ember.matrix_power(x, 3), lambda x: torch.matrix_power(x, 3), a)
    check_error(lambda x: ember.matrix_power(x, -1), lambda x: torch.matrix_power(x, -1), a,
                match=["linalg.inv", "Long"])
    check_error(lambda x: ember.matrix_power(x, 2.0), lambda x: torch.matrix_power(x, 2.0),
                np.eye(2), match=["int", "float"])


# ----------------------------------------------------------------------------- multi_dot
@pytest.mark.parametrize("shapes", [
    [(2, 3), (3, 4)], [(3,), (3, 4), (4, 2)], [(2, 3), (3, 4), (4,)], [(3,), (3,)],
    [(3,), (3, 4), (4, 5), (5,)], [(5, 2), (2, 6), (6, 3), (3, 4)],
])
def test_multi_dot(shapes, rng):
    arrs = [_arr(rng, s) for s in shapes]
    check(lambda *x: ember.linalg.multi_dot(x), lambda *x: torch.linalg.multi_dot(x), *arrs,
          rng=rng)
    check_gradcheck(lambda *x: ember.linalg.multi_dot(list(x)), *arrs)


def test_multi_dot_ints_and_errors(rng):
    a, b = rng.integers(-3, 3, (2, 3)), rng.integers(-3, 3, (3, 2))
    check(lambda *x: ember.linalg.multi_dot(x), lambda *x: torch.linalg.multi_dot(x), a, b)
    md_e = lambda *x: ember.linalg.multi_dot(x)   # noqa: E731
    md_t = lambda *x: torch.linalg.multi_dot(x)   # noqa: E731
    check_error(md_e, md_t, _arr(rng, (2, 3)), match=["at least 2"])
    check_error(md_e, md_t, _arr(rng, (2, 3, 3)), _arr(rng, (3,)), match=["first", "3D"])
    check_error(md_e, md_t, _arr(rng, (3,)), _arr(rng, (3, 2, 2)), _arr(rng, (3,)),
                match=["tensor 1 must be 2D"])
    check_error(md_e, md_t, _arr(rng, (3,)), _arr(rng, (3, 2)), _arr(rng, (3,)),
                match=["tensors 1 and 2", "[3, 2] and [3]"])
    check_error(md_e, md_t, _arr(rng, (2, 3), np.float32), _arr(rng, (3, 2)),
                match=["same dtype"])


# ----------------------------------------------------------------------------- cross
@pytest.mark.parametrize("sa,sb,dim", [
    ((3,), (3,), -1), ((4, 3), (4, 3), -1), ((4, 3), (1, 3), -1), ((3, 5), (3, 5), 0),
    ((2, 3, 4), (1, 3, 1), 1),
])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cross(sa, sb, dim, dtype, rng):
    a, b = _arr(rng, sa, dtype), _arr(rng, sb, dtype)
    check(lambda x, y: ember.linalg.cross(x, y, dim=dim),
          lambda x, y: torch.linalg.cross(x, y, dim=dim), a, b, rng=rng, **TOL)
    check(lambda x, y: ember.cross(x, y, dim), lambda x, y: torch.cross(x, y, dim), a, b,
          rng=rng, **TOL)
    check(lambda x, y: x.cross(y, dim), lambda x, y: x.cross(y, dim), a, b, rng=rng, **TOL)
    if dtype == np.float64:
        check_gradcheck(lambda x, y: ember.linalg.cross(x, y, dim=dim), a, b, gradgrad=True)


def test_cross_default_dim_and_errors(rng):
    a, b = _arr(rng, (2, 3, 3)), _arr(rng, (2, 3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(ember.cross, torch.cross, a, b, rng=rng)   # dim=None: dim 1, the first of size 3
        check_error(ember.cross, torch.cross, _arr(rng, (2, 2)), _arr(rng, (2, 2)),
                    match=["no dimension of size 3"])
    ai = rng.integers(-5, 5, (4, 3))
    check(ember.linalg.cross, torch.linalg.cross, ai, ai[::-1].copy())
    check_error(ember.linalg.cross, torch.linalg.cross, _arr(rng, (2, 2)), _arr(rng, (2, 2)),
                match=["linalg.cross", "must have length 3", "Got 2 and 2"])
    check_error(ember.linalg.cross, torch.linalg.cross, _arr(rng, (2, 3)), _arr(rng, (3,)),
                match=["same number of dimensions"])
    check_error(ember.linalg.cross, torch.linalg.cross, _arr(rng, (2, 3)),
                _arr(rng, (2, 3), np.float32), match=["float64", "float32"])


# ----------------------------------------------------------------------------- diagonal, trace
def test_linalg_diagonal(rng):
    a = _arr(rng, (2, 3, 4))
    check(ember.linalg.diagonal, torch.linalg.diagonal, a, rng=rng)
    check(lambda x: ember.linalg.diagonal(x, offset=1, dim1=0, dim2=2),
          lambda x: torch.linalg.diagonal(x, offset=1, dim1=0, dim2=2), a, rng=rng)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (0, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_trace(shape, dtype, rng):
    a = (rng.standard_normal(shape) * 5).astype(dtype)
    check(ember.trace, torch.trace, a, rng=rng)
    check(ember.Tensor.trace, torch.Tensor.trace, a, rng=rng)
    if dtype == np.float64 and 0 not in shape:
        check_gradcheck(ember.trace, a)


# ----------------------------------------------------------------------------- cdist
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, math.inf, 0.0])
@pytest.mark.parametrize("s1,s2", [((4, 3), (5, 3)), ((2, 4, 3), (2, 5, 3)),
                                   ((3, 1, 4, 2), (2, 5, 2)), ((0, 3), (2, 3))])
def test_cdist(p, s1, s2, rng):
    x1, x2 = _arr(rng, s1, np.float32), _arr(rng, s2, np.float32)
    check(lambda a, b: ember.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), x1, x2,
          rng=rng, **TOL)
    if 0 not in s1 and p != 0.0:
        # coordinate differences kept in [1, 3]: for p < 1 the gradient |d|^(p-1) is too
        # curved near d = 0 for finite differences
        g1, g2 = rng.uniform(-1, 0, s1), rng.uniform(1, 2, s2)
        check_gradcheck(lambda a, b: ember.cdist(a, b, p), g1, g2)


def test_cdist_zero_distance_grad(rng):
    x = _arr(rng, (3, 2))
    check(ember.cdist, torch.cdist, x, x.copy(), rng=rng)


def test_cdist_errors(rng):
    check_error(ember.cdist, torch.cdist, _arr(rng, (2, 2)), _arr(rng, (2, 3)),
                match=["X1: 2 X2: 3"])
    check_error(lambda a, b: ember.cdist(a, b, -1.0), lambda a, b: torch.cdist(a, b, -1.0),
                _arr(rng, (2, 2)), _arr(rng, (2, 2)), match=["non-negative"])
    check_error(ember.cdist, torch.cdist, _arr(rng, (2,)), _arr(rng, (2, 2)), match=["1D"])
    check_error(ember.cdist, torch.cdist, np.ones((2, 2), np.int64), np.ones((2, 2), np.int64),
                match=["Long"])
