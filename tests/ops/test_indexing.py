"""Indexing ops against torch: [] and []=, gather/scatter, index_*, masked_*, take, nonzero."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from harness import check, check_error, check_gradcheck

I = np.array  # noqa: E741  (index arrays, shared by both frameworks)


def F32(a):
    return np.asarray(a, np.float32)


def T(L, a, dtype=None):
    """A tensor of framework L (ember or torch) from a NumPy array."""
    t = L.tensor(np.asarray(a))
    return t if dtype is None else t.to(getattr(L, dtype))


MASK = I([[True, False, True, True], [False, False, True, False], [True, True, False, True]])

# (id, fn(x, L), input shape): every fn runs on ember (L=ember) and torch (L=torch)
GETITEM = [
    ("int", lambda x, L: x[1], (3, 4, 5)),
    ("neg_int", lambda x, L: x[-1], (3, 4, 5)),
    ("slice", lambda x, L: x[1:], (3, 4, 5)),
    ("slice_step", lambda x, L: x[1:, ::2], (3, 4, 5)),
    ("slice_clamp", lambda x, L: x[-10:10, 1:100:3], (3, 4, 5)),
    ("empty_slice", lambda x, L: x[2:2], (3, 4, 5)),
    ("ellipsis_none_int", lambda x, L: x[..., None, 0], (3, 4, 5)),
    ("none", lambda x, L: x[None], (3, 4)),
    ("none_mid", lambda x, L: x[:, None, 1:3], (3, 4)),
    ("ellipsis", lambda x, L: x[..., 1], (3, 4, 5)),
    ("scalar", lambda x, L: x[1, 2], (3, 4)),
    ("scalar_1d", lambda x, L: x[2], (5,)),
    ("list", lambda x, L: x[[0, 2, 0]], (3, 4)),
    ("list_neg", lambda x, L: x[..., [1, -1, 1]], (3, 4, 5)),
    ("empty_list", lambda x, L: x[[]], (3, 4)),
    ("int_tensor_2d", lambda x, L: x[T(L, [[0, 1], [2, 0]])], (3, 4)),
    ("int32_tensor", lambda x, L: x[T(L, [2, 2, 1], "int32")], (3, 4)),
    ("adv_split", lambda x, L: x[T(L, [0, 2]), :, T(L, [1, 1])], (3, 4, 5)),
    ("adv_adjacent", lambda x, L: x[:, T(L, [1, 0]), T(L, [2, 2])], (3, 4, 5)),
    ("adv_bcast", lambda x, L: x[T(L, [[0], [2]]), T(L, [1, 3, 1])], (3, 4)),
    ("adv_and_int", lambda x, L: x[1, :, [0, 0, 4]], (3, 4, 5)),
    ("adv_and_slice", lambda x, L: x[1:, [0, 0]], (3, 4)),
    ("adv_none", lambda x, L: x[None, [0, 2], ..., None], (3, 4)),
    ("numpy_index", lambda x, L: x[np.array([0, 2, 2])], (3, 4)),
    ("mask", lambda x, L: x[T(L, MASK)], (3, 4)),
    ("mask_rows", lambda x, L: x[[True, False, True]], (3, 4)),
    ("mask_cols", lambda x, L: x[:, T(L, MASK[0])], (3, 4)),
    ("mask_3d", lambda x, L: x[T(L, MASK)], (3, 4, 2)),
    ("zero_d_int", lambda x, L: x[T(L, 1)], (3, 4)),
    ("zero_d_bool", lambda x, L: x[T(L, True)], (3, 4)),
    ("bool_scalar", lambda x, L: x[False], (3,)),
    ("zero_d_input_none", lambda x, L: x[None], ()),
    ("zero_d_input_ellipsis", lambda x, L: x[...], ()),
]


@pytest.mark.parametrize("fn, shape", [c[1:] for c in GETITEM], ids=[c[0] for c in GETITEM])
def test_getitem(fn, shape, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    check(lambda a, fn=fn: fn(a, ember), lambda a, fn=fn: fn(a, torch), x, rng=rng)
    if x.ndim >= 2:   # non-contiguous input
        check(lambda a: fn(a, ember), lambda a: fn(a, torch), np.asfortranarray(x), rng=rng)
    check_gradcheck(lambda a: fn(a, ember), x, gradgrad=True)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float64])
def test_getitem_dtypes(dtype, rng):
    x = (rng.standard_normal((3, 4)) * 3).astype(dtype)
    for fn in (lambda a, L: a[1:, [0, 0, 3]], lambda a, L: a[T(L, MASK)], lambda a, L: a[-1]):
        check(lambda a, fn=fn: fn(a, ember), lambda a, fn=fn: fn(a, torch), x, rng=rng)


def test_getitem_views_share_memory():
    x = ember.tensor(np.arange(12.0).reshape(3, 4))
    for v in (x[1], x[1:, ::2], x[..., None, 0], x[1, 2], x[None], x[ember.tensor(1)]):
        assert np.shares_memory(v.numpy(), x.numpy())
        assert v._base is x and v._vc is x._vc
    assert x[1:][0]._base is x
    for c in (x[[0, 1]], x[ember.tensor(MASK)], x[ember.tensor([1])]):
        assert not np.shares_memory(c.numpy(), x.numpy()) and c._base is None
    v = x[1]
    x[1, 2] = -1.0
    assert v[2].item() == -1.0 and v._version == x._version == 1
    v[0] = 100.0   # writes through the view
    assert x[1, 0].item() == 100.0 and x._version == 2


def test_getitem_grad_fn_names():
    x = ember.tensor(np.ones((3, 4)), requires_grad=True)
    t = torch.ones(3, 4, requires_grad=True)
    for f in (lambda a, L: a[1], lambda a, L: a[1:], lambda a, L: a[None],
              lambda a, L: a[[0, 1]], lambda a, L: a[..., 1:, 0],
              lambda a, L: a.gather(0, T(L, np.zeros((1, 4), np.int64))),
              lambda a, L: a.index_select(0, T(L, [1])), lambda a, L: a.take(T(L, [1]))):
        assert f(x, ember).grad_fn.name() == type(f(t, torch).grad_fn).__name__


# ----------------------------------------------------------------------------- setitem
# (id, key(L), value shape or a Python scalar)
SETITEM = [
    ("int", lambda L: 1, (4, 5)),
    ("int_bcast", lambda L: 1, (5,)),
    ("slice", lambda L: (slice(1, 3), slice(None, None, 2)), (1, 5)),
    ("ellipsis", lambda L: (Ellipsis, 0), ()),
    ("scalar", lambda L: (0, 1), 2.5),
    ("list_repeat", lambda L: [0, 2, 0], (4, 5)),
    ("adv_pair", lambda L: (T(L, [0, 2]), slice(None), T(L, [1, 4])), (2, 4)),
    ("mask", lambda L: T(L, MASK), (1,)),
    ("mask_scalar", lambda L: T(L, MASK), -1.0),
    ("lead_ones", lambda L: 0, (1, 4, 5)),
]


def _set(key, L):
    def f(x, v):
        y = x * 1.0
        y[key(L)] = v
        return y
    return f


@pytest.mark.parametrize("key, vshape", [c[1:] for c in SETITEM], ids=[c[0] for c in SETITEM])
def test_setitem(key, vshape, rng):
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    v = vshape if isinstance(vshape, float) else rng.standard_normal(vshape).astype(np.float32)
    check(_set(key, ember), _set(key, torch), x, v, rng=rng)
    if key(ember) != [0, 2, 0]:   # with repeats the last write wins: no numerical derivative
        check_gradcheck(_set(key, ember), x, v, gradgrad=True)


def test_setitem_semantics():
    x = ember.tensor(np.zeros((2, 3), np.float32))
    x[0] = ember.tensor([1.5, 2.5, 3.5], dtype=ember.float64)   # cast to x's dtype
    x[1, ::2] = 7
    assert x.dtype == ember.float32 and x._version == 2
    np.testing.assert_array_equal(x.numpy(), [[1.5, 2.5, 3.5], [7, 0, 7]])
    i, ti = ember.tensor([[1, 2, 3]]), torch.tensor([[1, 2, 3]])
    i[0, 1], ti[0, 1] = -2.7, -2.7   # a float into an int tensor truncates, as torch
    assert i.tolist() == ti.tolist() == [[1, -2, 3]]
    leaf = ember.tensor(np.zeros(3), requires_grad=True)
    tleaf = torch.zeros(3, requires_grad=True)
    check_error(lambda a: leaf.__setitem__(0, 1.0), lambda a: tleaf.__setitem__(0, 1.0), 0,
                match=["leaf Variable", "in-place"])
    with ember.no_grad():
        leaf[1] = 5.0
    assert leaf.tolist() == [0, 5, 0] and leaf.grad_fn is None and leaf._version == 1
    # value requiring grad makes the target part of the graph
    v = ember.tensor(2.0, requires_grad=True)
    y = ember.tensor(np.zeros(3))
    y[[0, 2]] = v
    assert y.requires_grad and y.grad_fn.name() == "CopySlices"
    y.backward(ember.tensor(np.ones(3)))
    assert v.grad.item() == 2.0


# ----------------------------------------------------------------------------- functions
IDX = I([[0, 1, 2, 0], [2, 0, 1, 1]])
IDX_REP = I([[0, 0, 0, 1]])
IDX3 = I([[[0, 2, 2, 1], [1, 1, 0, 2], [2, 0, 0, 0]], [[1, 1, 1, 1], [0, 2, 1, 0], [2, 2, 0, 1]]])
M4 = I([True, False, True, True])

# (id, fn(L, *float inputs), input shapes)
FUNCS = [
    ("gather0", lambda L, x: L.gather(x, 0, T(L, IDX)), [(3, 4)]),
    ("gather1_small", lambda L, x: x.gather(1, T(L, [[3, 3], [0, 1]])), [(3, 4)]),
    ("gather_neg_dim", lambda L, x: x.gather(-1, T(L, IDX.T[:3])), [(3, 4)]),
    # 3-D, an index smaller than the input in the other dims, repeats (gradient accumulates)
    ("gather_3d_dim0", lambda L, x: x.gather(0, T(L, IDX3 % 2)), [(2, 3, 5)]),
    ("gather_3d_dim1", lambda L, x: x.gather(1, T(L, IDX3)), [(2, 4, 5)]),
    ("gather_3d_dim2", lambda L, x: x.gather(2, T(L, IDX3)), [(3, 4, 4)]),
    ("gather_transposed", lambda L, x: x.transpose(0, 1).gather(1, T(L, IDX)), [(3, 2)]),
    ("scatter", lambda L, x, s: L.scatter(x, 0, T(L, I([[0, 1, 2, 1]])), s), [(3, 4), (1, 4)]),
    ("scatter_value", lambda L, x: x.scatter(1, T(L, [[1], [3], [0]]), 2.5), [(3, 4)]),
    ("scatter_add_method", lambda L, x, s: x.scatter(0, T(L, IDX), s, reduce="add"),
     [(3, 4), (2, 4)]),
    ("scatter_add", lambda L, x, s: L.scatter_add(x, 0, T(L, IDX), s), [(3, 4), (2, 4)]),
    ("scatter_add_rep", lambda L, x, s: x.scatter_add(1, T(L, IDX_REP), s), [(3, 4), (1, 4)]),
    ("index_select", lambda L, x: L.index_select(x, 0, T(L, [2, 0, 2])), [(3, 4)]),
    ("index_select1", lambda L, x: x.index_select(1, T(L, [3, 1], "int32")), [(3, 4)]),
    ("index_select_0d", lambda L, x: x.index_select(1, T(L, 1)), [(3, 4)]),
    ("index_add", lambda L, x, s: L.index_add(x, 1, T(L, [0, 2, 0]), s), [(3, 4), (3, 3)]),
    ("index_add_alpha", lambda L, x, s: x.index_add(0, T(L, [2]), s, alpha=-2.0),
     [(3, 4), (1, 4)]),
    ("index_copy", lambda L, x, s: L.index_copy(x, 1, T(L, [3, 0]), s), [(3, 4), (3, 2)]),
    ("index_fill", lambda L, x: L.index_fill(x, 1, T(L, [0, 2, 2]), -1.5), [(3, 4)]),
    ("index_fill_tensor", lambda L, x, v: x.index_fill(0, T(L, [1]), v), [(3, 4), ()]),
    ("index_put", lambda L, x, v: L.index_put(x, (T(L, [0, 2]), T(L, [1, 1])), v),
     [(3, 4), (2,)]),
    ("index_put_acc", lambda L, x, v: x.index_put((T(L, [0, 0]), T(L, [1, 1])), v, True),
     [(3, 4), ()]),
    ("index_put_mask", lambda L, x, v: x.index_put((T(L, MASK),), v), [(3, 4), (1,)]),
    ("masked_fill", lambda L, x: L.masked_fill(x, T(L, M4), 1.5), [(3, 4)]),
    ("masked_fill_2d", lambda L, x: x.masked_fill(T(L, MASK), -2.0), [(3, 4)]),
    ("masked_fill_bcast", lambda L, x: x.masked_fill(T(L, [M4, ~M4]), 0.5), [(4,)]),
    ("masked_fill_tensor", lambda L, x, v: x.masked_fill(T(L, M4), v), [(3, 4), ()]),
    ("masked_select", lambda L, x: L.masked_select(x, T(L, M4)), [(3, 4)]),
    ("masked_select_bcast", lambda L, x: x.masked_select(T(L, MASK[:, :1])), [(4,)]),
    ("masked_scatter", lambda L, x, s: x.masked_scatter(T(L, M4), s), [(3, 4), (4, 5)]),
    ("take", lambda L, x: L.take(x, T(L, [[0, -1], [11, 3], [3, 3]])), [(3, 4)]),
    ("take_along_dim", lambda L, x: L.take_along_dim(x, T(L, [[0], [2], [2]]), 1),
     [(3, 4)]),
    ("take_along_dim_bcast", lambda L, x: x.take_along_dim(T(L, [[0, 3, 3]]), 1), [(3, 4)]),
    ("take_along_dim_flat", lambda L, x: L.take_along_dim(x, T(L, [[0], [7]])), [(3, 4)]),
    ("put", lambda L, x, s: x.put(T(L, [[0, 5], [0, 11]]), s, accumulate=True),
     [(3, 4), (4,)]),
    ("put_copy", lambda L, x, s: x.put(T(L, [1, 5]), s), [(3, 4), (2,)]),
]
for _red in ("sum", "prod", "mean", "amax", "amin"):
    for _incl in (True, False):
        FUNCS.append((f"scatter_reduce_{_red}_{_incl}",
                      lambda L, x, s, r=_red, i=_incl: L.scatter_reduce(x, 0, T(L, IDX), s, r,
                                                                        include_self=i),
                      [(3, 4), (2, 4)]))
FUNCS.append(("scatter_multiply", lambda L, x, s: x.scatter(0, T(L, IDX), s, reduce="multiply"),
              [(3, 4), (2, 4)]))


@pytest.mark.parametrize("name, fn, shapes", FUNCS, ids=[c[0] for c in FUNCS])
def test_functions(name, fn, shapes, rng):
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    # torch has no derivative for scatter(reduce=...); ember's is checked by gradcheck
    torch_grad = name not in ("scatter_add_method", "scatter_multiply")
    check(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *xs, grad=torch_grad, rng=rng)
    gradgrad = "prod" not in name and "multiply" not in name
    check_gradcheck(lambda *a: fn(ember, *a), *xs, gradgrad=gradgrad)


def test_scatter_reduce_prod_with_zeros(rng):
    x = I([[0.0, 2.0, 3.0, 1.0], [1.0, 0.0, 2.0, 0.0], [3.0, 1.0, 1.0, 2.0]], np.float32)
    s = I([[0.0, 1.0, 2.0, 0.0], [2.0, 3.0, 0.0, 1.0]], np.float32)
    for incl in (True, False):
        f = lambda L, a, b: L.scatter_reduce(a, 0, T(L, IDX), b, "prod", include_self=incl)  # noqa
        check(lambda *a, f=f: f(ember, *a), lambda *a, f=f: f(torch, *a), x, s, rng=rng)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64])
def test_functions_dtypes(dtype, rng):
    x = (rng.standard_normal((3, 4)) * 5).astype(dtype)
    s = (rng.standard_normal((2, 4)) * 5).astype(dtype)
    for f in (lambda L, a, b: a.gather(1, T(L, IDX[:, :3])),
              lambda L, a, b: a.scatter_add(0, T(L, IDX), b),
              lambda L, a, b: a.index_select(0, T(L, [1, 1])),
              lambda L, a, b: a.masked_fill(T(L, M4), 3),
              lambda L, a, b: a.scatter_reduce(0, T(L, IDX), b, "mean"),
              lambda L, a, b: a.scatter_reduce(0, T(L, IDX), b, "mean", include_self=False),
              lambda L, a, b: a.scatter_reduce(0, T(L, IDX), b, "amax"),
              lambda L, a, b: a.masked_select(T(L, MASK))):
        check(lambda *a, f=f: f(ember, *a), lambda *a, f=f: f(torch, *a), x, s, rng=rng)


@pytest.mark.parametrize("op, args", [
    ("scatter_", lambda L, s: (0, T(L, IDX), s)),
    ("scatter_add_", lambda L, s: (0, T(L, IDX), s)),
    ("index_add_", lambda L, s: (0, T(L, [1, 1]), s)),
    ("index_copy_", lambda L, s: (0, T(L, [2, 0]), s)),
    ("index_fill_", lambda L, s: (1, T(L, [1, 3]), -3.0)),
    ("masked_fill_", lambda L, s: (T(L, M4), 9.0)),
    ("masked_scatter_", lambda L, s: (T(L, MASK), s)),
    ("index_put_", lambda L, s: ((T(L, [0, 1]),), s)),
    ("put_", lambda L, s: (T(L, [[0, 1, 2, 3], [4, 5, 6, 7]]), s)),
])
def test_inplace(op, args, rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    s = rng.standard_normal((2, 4)).astype(np.float32)

    def f(L):
        def run(a, b):
            y = a * 1.0
            r = getattr(y, op)(*args(L, b))
            assert r is y
            return y
        return run
    check(f(ember), f(torch), x, s, rng=rng)
    e = ember.tensor(x)
    getattr(e, op)(*args(ember, ember.tensor(s)))
    assert e._version == 1
    leaf = ember.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(leaf, op)(*args(ember, ember.tensor(s)))


@pytest.mark.parametrize("shape", [(3, 4), (5,), (), (0, 3), (2, 3, 2)])
def test_nonzero(shape, rng):
    x = np.asarray(rng.standard_normal(shape) > 0.3, np.int64)
    check(ember.nonzero, torch.nonzero, x)
    check(ember.argwhere, torch.argwhere, x)
    check(lambda a: a.nonzero(as_tuple=True), lambda a: a.nonzero(as_tuple=True), x)


# ----------------------------------------------------------------------------- errors
ERRORS = [
    (lambda x, L: x[5], ["index 5", "dimension 0", "size 3"]),
    (lambda x, L: x[:, 9], ["index 9", "dimension 1", "size 4"]),
    (lambda x, L: x[[0, 5]], ["index 5", "size 3"]),
    (lambda x, L: x[1, 2, 3], ["too many indices", "dimension 2"]),
    (lambda x, L: x[::-1], ["step must be greater than zero"]),
    (lambda x, L: x[1.0], ["only integers"]),
    (lambda x, L: x[T(L, [1.0])], ["must be long, int, byte or bool"]),
    (lambda x, L: x[T(L, [True, False])], ["mask [2]", "[3, 4]"]),
    (lambda x, L: x[:, T(L, [True, False])], ["mask [2]", "[3, 4]", "index 1"]),
    (lambda x, L: x.gather(0, T(L, [[0, 5]])), ["index 5", "size 3"]),
    (lambda x, L: x.gather(0, T(L, [[0, -1]])), ["index -1"]),
    (lambda x, L: x.gather(0, T(L, [0, 1])), ["same number of dimensions"]),
    (lambda x, L: x.gather(0, T(L, [[0.0, 1.0]])), ["dtype"]),
    (lambda x, L: x.gather(0, T(L, [[0, 1, 1, 1, 1]])), ["[1, 5]", "[3, 4]"]),
    (lambda x, L: x.scatter(0, T(L, [[0, 5]]), 1.0), ["index 5", "size 3"]),
    (lambda x, L: x.scatter(0, T(L, [[0, 1]]), T(L, F32([[1.0]]))), ["[1, 2]", "[1, 1]"]),
    (lambda x, L: x.index_select(0, T(L, [0, 5])), ["out of range"]),
    (lambda x, L: x.index_select(0, T(L, [[0, 1]])), ["vector"]),
    (lambda x, L: x.index_select(0, T(L, [0.0])), ["int32 or int64"]),
    (lambda x, L: x.masked_fill(T(L, [1.0, 0, 1, 1]), 1.0), ["boolean masks", "float"]),
    (lambda x, L: x.masked_fill(T(L, M4), T(L, [1.0, 2.0])), ["0-dimensional"]),
    (lambda x, L: x.masked_fill(T(L, M4[:3]), 1.0), ["3", "4"]),
    (lambda x, L: x.masked_select(T(L, M4[:3])), ["3", "4"]),
    (lambda x, L: x.masked_scatter(T(L, M4), T(L, F32([1.0]))), ["source"]),
    (lambda x, L: x.take(T(L, [12])), ["12"]),
    (lambda x, L: x.index_add(1, T(L, [0, 2]), T(L, np.ones((3, 3), np.float32))), ["(3)", "2"]),
    (lambda x, L: x.index_copy(1, T(L, [0, 5]), T(L, np.ones((3, 2), np.float32))),
     ["index 5"]),
    (lambda x, L: x.take_along_dim(T(L, [[[0]]]), 1), ["same number of dimensions"]),
    (lambda x, L: x.__setitem__(0, T(L, [1.0, 2.0])), ["shape mismatch", "[2]", "[4]"]),
]


@pytest.mark.parametrize("fn, match", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn, match):
    x = np.zeros((3, 4), np.float32)
    check_error(lambda a: fn(a, ember), lambda a: fn(a, torch), x, match=match)


# ----------------------------------------------------------------------------- properties
@st.composite
def _index_case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    key = []
    adv = False
    for n in shape[:draw(st.integers(0, len(shape)))]:
        if draw(st.booleans()):
            key.append(None)   # a new axis consumes no dim
        kind = draw(st.sampled_from(["int", "slice", "array"] if not adv else ["int", "slice"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(slice(draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                             draw(st.one_of(st.none(), st.integers(-n - 1, n + 1))),
                             draw(st.one_of(st.none(), st.integers(1, 3)))))
        else:
            adv = True
            key.append(np.array(draw(st.lists(st.integers(-n, n - 1), max_size=4)), np.int64))
    return shape, tuple(key)


@settings(max_examples=60, deadline=None)
@given(_index_case(), st.integers(0, 2**31))
def test_property_getitem(case, seed):
    shape, key = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)

    def conv(L):
        return tuple(T(L, k) if isinstance(k, np.ndarray) else k for k in key)
    check(lambda a: a[conv(ember)], lambda a: a[conv(torch)], x, rng=rng)


@pytest.mark.parametrize("shape,dim,ishape", [((3, 0), 1, (2, 0)), ((0, 4), 0, (0, 4)),
                                              ((2, 0, 3), 2, (2, 0, 1))])
def test_gather_empty_dims(shape, dim, ishape, rng):
    """A zero-size dim after a gathered one made a zero stride (positions used to divide by it)."""
    x = rng.standard_normal(shape).astype(np.float32)
    idx = np.zeros(ishape, np.int64)
    check(lambda a: ember.gather(a, dim, ember.tensor(idx)),
          lambda a: torch.gather(a, dim, torch.tensor(idx)), x, rng=rng)
