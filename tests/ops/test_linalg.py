import math

import numpy as np
import pytest
import torch

import ember
from harness import check, check_error, check_gradcheck

MATMUL_SHAPES = [
    ((3,), (3,)),              # dot -> 0-d
    ((2, 3), (3,)),            # matrix-vector
    ((3,), (3, 4)),            # vector-matrix
    ((2, 3), (3, 4)),          # mm
    ((5, 2, 3), (5, 3, 4)),    # bmm
    ((5, 2, 3), (3, 4)),       # batched @ shared matrix
    ((2, 3), (5, 3, 4)),       # matrix @ batched
    ((2, 1, 2, 3), (5, 3, 4)), # broadcast batch dims
    ((3,), (5, 3, 4)),         # 1-D @ batched
    ((5, 2, 3), (3,)),         # batched @ 1-D
    ((0, 3), (3, 4)),          # size-0
    ((2, 0), (0, 4)),          # empty contraction
]


def _arr(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul(sa, sb, rng):
    a, b = _arr(rng, sa), _arr(rng, sb)
    check(ember.matmul, torch.matmul, a, b, rng=rng, rtol=1e-4, atol=1e-5)
    check(lambda x, y: x @ y, lambda x, y: x @ y, a, b, rng=rng, rtol=1e-4, atol=1e-5)
    if 0 not in sa + sb and len(sa) + len(sb) <= 5:
        check_gradcheck(ember.matmul, a, b, gradgrad=True)


def test_matmul_noncontiguous(rng):
    a = np.asfortranarray(_arr(rng, (4, 3)))
    b = _arr(rng, (5, 3)).T
    check(ember.matmul, torch.matmul, a, b, rng=rng, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64])
def test_matmul_dtypes(dtype, rng):
    a = rng.integers(-5, 5, (2, 3)).astype(dtype)
    b = rng.integers(-5, 5, (3, 4)).astype(dtype)
    check(ember.matmul, torch.matmul, a, b, rng=rng)
    check(ember.matmul, torch.matmul, a[0], b[:, 0], rng=rng)


def test_rmatmul_ndarray(rng):
    a, b = _arr(rng, (2, 3)), _arr(rng, (3, 4))
    out = a @ ember.tensor(b)
    assert isinstance(out, ember.Tensor)
    np.testing.assert_allclose(out.numpy(), a @ b, rtol=1e-5)


@pytest.mark.parametrize("sa,sb,match", [
    ((2, 3), (4, 5), ["2x3", "4x5"]),
    ((2, 3), (4,), ["[2, 3]", "[4]"]),
    ((3,), (4, 5), ["[3]", "[4, 5]"]),
    ((3,), (4,), ["[3]", "[4]"]),
    ((2, 2, 3), (3, 3, 5), ["[2, 2, 3]", "[3, 3, 5]"]),
    ((), (3,), ["0D"]),
])
def test_matmul_errors(sa, sb, match, rng):
    check_error(ember.matmul, torch.matmul, _arr(rng, sa), _arr(rng, sb), match=match)


def test_matmul_dtype_errors(rng):
    a, b = _arr(rng, (2, 3)), _arr(rng, (3,), np.float64)
    check_error(ember.matmul, torch.matmul, a, b, match=["float32", "float64"])
    x = np.ones((2, 2), bool)
    check_error(ember.matmul, torch.matmul, x, x, match=["Bool"])


@pytest.mark.parametrize("name,shapes", [
    ("mm", [(2, 3), (3, 4)]), ("bmm", [(5, 2, 3), (5, 3, 4)]), ("mv", [(2, 3), (3,)]),
    ("dot", [(3,), (3,)]), ("vdot", [(3,), (3,)]), ("outer", [(3,), (4,)]),
    ("ger", [(3,), (4,)]), ("inner", [(2, 3), (4, 3)]),
])
def test_products(name, shapes, rng):
    args = [_arr(rng, s) for s in shapes]
    check(getattr(ember, name), getattr(torch, name), *args, rng=rng, rtol=1e-4, atol=1e-5)
    check(lambda x, *r: getattr(x, name)(*r), lambda x, *r: getattr(x, name)(*r), *args,
          rng=rng, rtol=1e-4, atol=1e-5)
    check_gradcheck(getattr(ember, name), *args, gradgrad=name not in ("inner",))


@pytest.mark.parametrize("name,shapes", [
    ("addmm", [(4,), (2, 3), (3, 4)]), ("addmm", [(2, 4), (2, 3), (3, 4)]),
    ("addmv", [(2,), (2, 3), (3,)]), ("baddbmm", [(5, 2, 4), (5, 2, 3), (5, 3, 4)]),
    ("addbmm", [(2, 4), (5, 2, 3), (5, 3, 4)]), ("addr", [(3, 4), (3,), (4,)]),
])
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_add_products(name, shapes, beta, alpha, rng):
    args = [_arr(rng, s) for s in shapes]
    check(lambda *t: getattr(ember, name)(*t, beta=beta, alpha=alpha),
          lambda *t: getattr(torch, name)(*t, beta=beta, alpha=alpha), *args, rng=rng,
          rtol=1e-4, atol=1e-5)


def test_add_products_gradcheck(rng):
    args = [_arr(rng, s) for s in [(4,), (2, 3), (3, 4)]]
    check_gradcheck(lambda *t: ember.addmm(*t, beta=0.5, alpha=2.0), *args)


def test_outer_promotes():
    e = ember.outer(ember.tensor([1, 2]), ember.tensor([1.5, 2.0]))
    t = torch.outer(torch.tensor([1, 2]), torch.tensor([1.5, 2.0]))
    assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]


@pytest.mark.parametrize("fn,shapes,match", [
    (lambda a, b: a.mm(b), [(3,), (3, 3)], ["self", "[3]"]),
    (lambda a, b: a.mm(b), [(2, 3), (4, 3)], ["2x3", "4x3"]),
    (lambda a, b: a.bmm(b), [(2, 3), (4, 3)], ["batch1", "[2, 3]"]),
    (lambda a, b: a.bmm(b), [(2, 2, 3), (3, 3, 3)], ["[2, 3]", "[3, 3]"]),
    (lambda a, b: a.mv(b), [(2, 3), (4,)], ["2x3", "4"]),
    (lambda a, b: a.dot(b), [(3,), (4,)], ["[3]", "[4]"]),
    (lambda a, b: a.dot(b), [(3, 1), (3,)], ["2D", "1D"]),
    (lambda a, b: a.outer(b), [(3, 2), (3,)], ["2-D"]),
])
def test_product_errors(fn, shapes, match, rng):
    check_error(fn, fn, *[_arr(rng, s) for s in shapes], match=match)


def test_dot_dtype_error():
    check_error(lambda a, b: a.dot(b), lambda a, b: a.dot(b), np.ones(3, np.float32),
                np.ones(3, np.float64), match=["float32", "float64"])


@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("i,j->ij", [(3,), (4,)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 5)]), ("i...->...", [(3, 2, 4)]),
    ("ijk,ik->j", [(2, 3, 4), (2, 4)]), ("ij,ij->i", [(3, 4), (3, 4)]),
    ("iij->j", [(3, 3, 2)]), ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 2)]),
    ("bi,bj", [(1, 3), (4, 2)]),
])
def test_einsum(eq, shapes, rng):
    args = [_arr(rng, s, np.float64) for s in shapes]
    check(lambda *t: ember.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), *args, rng=rng)
    check(lambda *t: ember.einsum(eq, list(t)), lambda *t: torch.einsum(eq, list(t)), *args,
          rng=rng)
    check_gradcheck(lambda *t: ember.einsum(eq, *t), *args, gradgrad=True)


@pytest.mark.parametrize("eq,shapes,match", [
    ("ij,jk->ik", [(2, 3), (4, 5)], ["subscript j", "4", "3"]),
    ("ij,jk->ik", [(2, 3, 1), (3, 5)], ["[2, 3, 1]"]),
])
def test_einsum_errors(eq, shapes, match, rng):
    check_error(lambda *t: ember.einsum(eq, *t), lambda *t: torch.einsum(eq, *t),
                *[_arr(rng, s) for s in shapes], match=match)


@pytest.mark.parametrize("dims,shapes", [
    (2, [(2, 3, 4), (3, 4, 5)]), (1, [(2, 3), (3, 4)]), (0, [(2,), (3,)]),
    (([1, 0], [0, 1]), [(3, 4, 5), (4, 3, 2)]),
])
def test_tensordot(dims, shapes, rng):
    args = [_arr(rng, s, np.float64) for s in shapes]
    check(lambda a, b: ember.tensordot(a, b, dims), lambda a, b: torch.tensordot(a, b, dims),
          *args, rng=rng)
    check_gradcheck(lambda a, b: ember.tensordot(a, b, dims), *args)


@pytest.mark.parametrize("ord", [2, 1, math.inf, -math.inf, 0, 3, 0.5])
@pytest.mark.parametrize("shape,dim,keepdim", [
    ((5,), None, False), ((3, 4), 1, False), ((3, 4), (0, 1), True), ((2, 3, 4), -1, True),
    ((), None, False),
])
def test_vector_norm(ord, shape, dim, keepdim, rng):
    x = _arr(rng, shape, np.float64)
    check(lambda t: ember.linalg.vector_norm(t, ord, dim, keepdim),
          lambda t: torch.linalg.vector_norm(t, ord, dim, keepdim), x, rng=rng)
    if ord != 0 and (shape != () or ord > 0):
        check_gradcheck(lambda t: ember.linalg.vector_norm(t, ord, dim, keepdim), x,
                        gradgrad=ord in (1, 2))


@pytest.mark.parametrize("args", [
    {}, {"ord": 1}, {"dim": 1}, {"ord": "fro"}, {"ord": math.inf}, {"ord": -1},
    {"ord": 3, "dim": 0}, {"dim": (0, 1), "keepdim": True},
])
def test_linalg_norm(args, rng):
    x = _arr(rng, (3, 4))
    check(lambda t: ember.linalg.norm(t, **args), lambda t: torch.linalg.norm(t, **args), x,
          rng=rng)


@pytest.mark.parametrize("ord", ["fro", 1, -1, math.inf, -math.inf])
def test_matrix_norm(ord, rng):
    x = _arr(rng, (2, 3, 4))
    check(lambda t: ember.linalg.matrix_norm(t, ord), lambda t: torch.linalg.matrix_norm(t, ord),
          x, rng=rng)


@pytest.mark.parametrize("p,dim", [("fro", None), (2, 1), (1, None), (math.inf, 0)])
def test_tensor_norm(p, dim, rng):
    x = _arr(rng, (3, 4))
    check(lambda t: t.norm(p, dim), lambda t: t.norm(p, dim), x, rng=rng)
    check(lambda t: ember.norm(t, p, dim), lambda t: torch.norm(t, p, dim), x, rng=rng)


def test_norm_errors():
    x = np.ones(3, np.int64)
    check_error(ember.linalg.vector_norm, torch.linalg.vector_norm, x, match=["Long"])
    check_error(lambda t: ember.linalg.norm(t, 2), lambda t: torch.linalg.norm(t, 2),
                np.ones((2, 2, 2), np.float32), match=["[2, 2, 2]"])


def test_norm_zero_grad():
    x = ember.zeros(3, requires_grad=True)
    ember.linalg.vector_norm(x).backward()
    assert np.all(x.grad.numpy() == 0)


def test_matmul_speed():
    """forward + backward of 1024x1024 float32 is one BLAS call each, as fast as torch."""
    import time
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((1024, 1024)).astype(np.float32) for _ in range(2))

    def run(mod, x, y):
        x = mod.tensor(x, requires_grad=True)
        y = mod.tensor(y, requires_grad=True)
        best = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            (x @ y).backward(mod.ones(1024, 1024))
            best = min(best, time.perf_counter() - t0)
        return best

    te, tt = run(ember, a, b), run(torch, a, b)
    assert te < 2.0 * tt + 0.01, f"ember {te:.4f}s vs torch {tt:.4f}s"
