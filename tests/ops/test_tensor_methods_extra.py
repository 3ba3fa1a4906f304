"""Tensor methods ember added to match torch: unfold, select and the *_scatter ops,
fill_diagonal_, type_as, sum_to_size, in-place shape and math variants, predicates,
scalar_tensor, storage_offset, resize_, empty_strided, post-accumulate-grad hooks. Compared with
torch for values, dtypes, shapes, gradients, grad_fn names, views and errors."""

import numpy as np
import pytest
import torch

import ember
from harness import check, check_error, check_gradcheck


def _noncontig(m, x):
    """A non-contiguous view of x with x's values (x's transpose, transposed back as a view)."""
    return m.transpose(x.mT.contiguous(), -1, -2) if x.ndim >= 2 else x


# (id, fn(m, *xs) written once for both modules (m is ember or torch), input shapes)
OPS = [
    ("unfold", lambda m, x: x.unfold(1, 2, 1), [(3, 4)]),
    ("unfold_step", lambda m, x: x.unfold(-1, 2, 3), [(2, 3, 7)]),
    ("unfold_dim0", lambda m, x: x.unfold(0, 3, 2), [(7, 2)]),
    ("unfold_full", lambda m, x: x.unfold(0, 5, 1), [(5,)]),
    ("unfold_size0", lambda m, x: x.unfold(0, 0, 1), [(5,)]),
    ("unfold_0d", lambda m, x: x.unfold(0, 1, 1), [()]),
    ("unfold_0d_size0", lambda m, x: x.unfold(0, 0, 1), [()]),
    ("unfold_noncontig", lambda m, x: _noncontig(m, x).unfold(0, 2, 1), [(4, 3)]),
    ("unfold_twice", lambda m, x: x.unfold(0, 2, 1).unfold(1, 2, 2), [(4, 5)]),
    ("unfold_empty", lambda m, x: x.unfold(1, 2, 1), [(0, 3)]),
    ("unfold_expanded", lambda m, x: x.expand(3, 4).unfold(1, 2, 1), [(4,)]),
    ("select", lambda m, x: x.select(1, -1), [(3, 4)]),
    ("select_fn", lambda m, x: m.select(x, 0, 2), [(3, 4, 2)]),
    ("select_1d", lambda m, x: x.select(0, 1), [(3,)]),
    ("select_noncontig", lambda m, x: _noncontig(m, x).select(1, 0), [(3, 4)]),
    ("select_scatter", lambda m, x, s: m.select_scatter(x, s, 1, -1), [(3, 4), (3,)]),
    ("select_scatter_method", lambda m, x, s: x.select_scatter(s, 0, 0), [(3, 4), (4,)]),
    ("slice_scatter", lambda m, x, s: m.slice_scatter(x, s, 0, 1), [(3, 4), (2, 4)]),
    ("slice_scatter_step", lambda m, x, s: m.slice_scatter(x, s, 1, step=2), [(3, 4), (3, 2)]),
    ("slice_scatter_neg", lambda m, x, s: x.slice_scatter(s, -1, -2, 100), [(3, 4), (3, 2)]),
    ("slice_scatter_empty", lambda m, x, s: m.slice_scatter(x, s, 1, 5), [(3, 4), (3, 0)]),
    ("diagonal_scatter", lambda m, x, s: m.diagonal_scatter(x, s), [(3, 4), (3,)]),
    ("diagonal_scatter_off", lambda m, x, s: m.diagonal_scatter(x, s, 1), [(3, 4), (3,)]),
    ("diagonal_scatter_neg", lambda m, x, s: m.diagonal_scatter(x, s, -1), [(3, 4), (2,)]),
    ("diagonal_scatter_3d", lambda m, x, s: x.diagonal_scatter(s, 0, 0, 2), [(3, 2, 4), (2, 3)]),
    ("diagonal_scatter_3d_last", lambda m, x, s: m.diagonal_scatter(x, s, 1, -1, -2),
     [(2, 3, 4), (2, 2)]),
    ("sum_to_size", lambda m, x: x.sum_to_size(3, 1), [(2, 3, 4)]),
    ("sum_to_size_keep", lambda m, x: x.sum_to_size((1, 3, 4)), [(2, 3, 4)]),
    ("sum_to_size_lead", lambda m, x: x.sum_to_size(m.Size([4])), [(2, 3, 4)]),
    ("sum_to_size_0d", lambda m, x: x.sum_to_size(()), [(2, 3)]),
    ("sum_to_size_same", lambda m, x: x.sum_to_size(2, 3), [(2, 3)]),
    ("type_as", lambda m, x, y: x.type_as(y), [(2, 3), ("f64", 1)]),
    ("type_as_int", lambda m, x, y: x.type_as(y), [(2, 3), ("i32", 1)]),
    ("squeeze_", lambda m, x: (x * 1).squeeze_(), [(2, 1, 3, 1)]),
    ("squeeze_dim_", lambda m, x: (x * 1).squeeze_(1), [(2, 1, 3, 1)]),
    ("squeeze_dims_", lambda m, x: (x * 1).squeeze_((1, 3)), [(2, 1, 3, 1)]),
    ("unsqueeze_", lambda m, x: (x * 1).unsqueeze_(-1), [(2, 3)]),
    ("transpose_", lambda m, x: (x * 1).transpose_(0, 2), [(2, 3, 4)]),
    ("swapaxes_", lambda m, x: (x * 1).swapaxes_(0, 1), [(2, 3)]),
    ("swapdims_", lambda m, x: (x * 1).swapdims_(-1, 0), [(2, 3)]),
    ("t_", lambda m, x: (x * 1).t_(), [(2, 3)]),
    ("t_1d", lambda m, x: (x * 1).t_(), [(3,)]),
    ("chain_", lambda m, x: (x * 1).unsqueeze_(0).transpose_(0, 2).squeeze_(), [(2, 3)]),
    ("t_noncontig", lambda m, x: _noncontig(m, x * 1).t_() * 1, [(2, 3)]),
    ("tril_noncontig", lambda m, x: _noncontig(m, x * 1).tril_(), [(3, 4)]),
    ("cumsum_noncontig", lambda m, x: _noncontig(m, x * 1).cumsum_(0), [(3, 4)]),
    ("fill_diagonal_noncontig", lambda m, x: _noncontig(m, x * 1).fill_diagonal_(1.0),
     [(3, 4)]),
    ("tril_", lambda m, x: (x * 1).tril_(), [(3, 4)]),
    ("tril_k", lambda m, x: (x * 1).tril_(-1), [(2, 3, 4)]),
    ("triu_", lambda m, x: (x * 1).triu_(1), [(4, 3)]),
    ("cumsum_", lambda m, x: (x * 1).cumsum_(1), [(3, 4)]),
    ("cumsum_same_dtype", lambda m, x: (x * 1).cumsum_(-1, dtype=x.dtype), [(3, 4)]),
    ("cumprod_", lambda m, x: (x * 1).cumprod_(0), [(3, 4)]),
    ("addmm_", lambda m, x, a, b: (x * 1).addmm_(a, b, beta=0.5, alpha=2), [(2, 4), (2, 3),
                                                                           (3, 4)]),
    ("addbmm_", lambda m, x, a, b: (x * 1).addbmm_(a, b), [(2, 4), (5, 2, 3), (5, 3, 4)]),
    ("baddbmm_", lambda m, x, a, b: (x * 1).baddbmm_(a, b, alpha=0.5), [(5, 2, 4), (5, 2, 3),
                                                                       (5, 3, 4)]),
    ("addmv_", lambda m, x, a, b: (x * 1).addmv_(a, b, beta=2), [(2,), (2, 3), (3,)]),
    ("addr_", lambda m, x, a, b: (x * 1).addr_(a, b), [(2, 3), (2,), (3,)]),
    ("fill_diagonal_", lambda m, x: (x * 1).fill_diagonal_(0.5), [(3, 3)]),
    ("fill_diagonal_tall", lambda m, x: (x * 1).fill_diagonal_(2.0), [(7, 3)]),
    ("fill_diagonal_wrap", lambda m, x: (x * 1).fill_diagonal_(2.0, wrap=True), [(7, 3)]),
    ("fill_diagonal_wide", lambda m, x: (x * 1).fill_diagonal_(2.0, wrap=True), [(3, 7)]),
    ("fill_diagonal_3d", lambda m, x: (x * 1).fill_diagonal_(-1.0), [(3, 3, 3)]),
    ("fill_diagonal_view", lambda m, x: _fill_view(x), [(4, 4)]),
]


def _fill_view(x):
    y = x * 1
    y[::2].fill_diagonal_(3.0)
    return y


def _inputs(rng, shapes, dtype):
    out = []
    for s in shapes:
        if s and isinstance(s[0], str):   # ("f64", n): a tensor of another dtype, for type_as
            out.append(np.ones(s[1], {"f64": np.float64, "i32": np.int32}[s[0]]))
        else:
            out.append(rng.standard_normal(s).astype(dtype))
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_against_torch(rng, name, fn, shapes, dtype):
    xs = _inputs(rng, shapes, dtype)
    check(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *xs, rng=rng)


GRADCHECK = [o for o in OPS if o[0] in {
    "unfold", "unfold_step", "unfold_0d", "unfold_noncontig", "unfold_twice", "select",
    "select_scatter", "slice_scatter_step", "diagonal_scatter_off", "diagonal_scatter_3d",
    "sum_to_size", "squeeze_dims_", "chain_", "tril_k", "tril_noncontig", "unfold_expanded",
    "cumprod_", "addmm_", "fill_diagonal_wrap", "fill_diagonal_view"}]


@pytest.mark.parametrize("name,fn,shapes", GRADCHECK, ids=[o[0] for o in GRADCHECK])
def test_gradcheck(rng, name, fn, shapes):
    xs = _inputs(rng, shapes, np.float64)
    check_gradcheck(lambda *a: fn(ember, *a), *xs, gradgrad=True)


INT_OPS = [
    ("unfold", lambda m, x: x.unfold(1, 2, 1)),
    ("select", lambda m, x: m.select(x, 1, 1)),
    ("sum_to_size", lambda m, x: x.sum_to_size(3)),
    ("tril_", lambda m, x: x.tril_()),
    ("cumsum_", lambda m, x: x.cumsum_(0)),
    ("fill_diagonal_", lambda m, x: x.fill_diagonal_(7)),
    ("fill_diagonal_float", lambda m, x: x.fill_diagonal_(2.7)),
    ("squeeze_", lambda m, x: x.unsqueeze_(0).squeeze_(0)),
    ("select_scatter", lambda m, x: m.select_scatter(x, x[0] * 0, 0, 1)),
    ("diagonal_scatter", lambda m, x: m.diagonal_scatter(x, x[0, :2] * 0)),
]
# bool has no cumsum_ in place (int64 result) nor `x * 0`
INT_CASES = [(n, f, dt) for n, f in INT_OPS for dt in (np.int64, np.int32, np.bool_)
             if dt is not np.bool_ or n in ("unfold", "select", "tril_", "fill_diagonal_",
                                             "squeeze_", "sum_to_size")]


@pytest.mark.parametrize("name,fn,dtype", INT_CASES,
                         ids=[f"{n}-{np.dtype(d).name}" for n, _, d in INT_CASES])
def test_int_and_bool(rng, name, fn, dtype):
    x = (rng.integers(-3, 4, (2, 3)) != 0) if dtype is np.bool_ else \
        rng.integers(-3, 4, (2, 3)).astype(dtype)
    check(lambda a: fn(ember, a), lambda a: fn(torch, a), x, grad=False)


GRAD_FN_NAMES = [
    (lambda m, x: x.unfold(0, 2, 1), "UnfoldBackward0"),
    (lambda m, x: x.select(0, 1), "SelectBackward0"),
    (lambda m, x: m.select(x, 1, -1), "SelectBackward0"),
    (lambda m, x: m.select_scatter(x, x[0], 0, 1), "SelectScatterBackward0"),
    (lambda m, x: m.slice_scatter(x, x[1:], 0, 0, 2), "SliceScatterBackward0"),
    (lambda m, x: m.diagonal_scatter(x, x[0, :3]), "DiagonalScatterBackward0"),
    (lambda m, x: x.sum_to_size(1, 4), "SumBackward1"),
    (lambda m, x: x.sum_to_size(4), "ViewBackward0"),
    (lambda m, x: x.type_as(m.zeros(1, dtype=m.float64)), "ToCopyBackward0"),
    (lambda m, x: (x * 1).squeeze_(), "SqueezeBackward3"),
    (lambda m, x: (x * 1).squeeze_(0), "SqueezeBackward4"),
    (lambda m, x: (x * 1).squeeze_((0,)), "SqueezeBackward5"),
    (lambda m, x: (x * 1).unsqueeze_(0), "UnsqueezeBackward1"),
    (lambda m, x: (x * 1).transpose_(0, 1), "TransposeBackward1"),
    (lambda m, x: (x * 1).swapaxes_(0, 1), "TransposeBackward1"),
    (lambda m, x: (x * 1).swapdims_(0, 1), "TransposeBackward1"),
    (lambda m, x: (x * 1).t_(), "TBackward1"),
    (lambda m, x: (x * 1).tril_(), "TrilBackward0"),
    (lambda m, x: (x * 1).triu_(), "TriuBackward0"),
    (lambda m, x: (x * 1).cumsum_(0), "CumsumBackward0"),
    (lambda m, x: (x * 1).cumprod_(0), "CumprodBackward0"),
    (lambda m, x: (x * 1).fill_diagonal_(0), "CopySlices"),
]


@pytest.mark.parametrize("fn,name", GRAD_FN_NAMES, ids=[n for _, n in GRAD_FN_NAMES])
def test_grad_fn_names(fn, name):
    t = fn(torch, torch.ones(3, 4, requires_grad=True))
    e = fn(ember, ember.ones(3, 4, requires_grad=True))
    assert type(t.grad_fn).__name__ == name
    assert e.grad_fn.name() == name


def test_type_as_same_dtype_is_self():
    x = ember.ones(2, requires_grad=True)
    assert x.type_as(ember.zeros(3)) is x
    assert ember.ones(2).sum_to_size(2) is not None
    y = ember.ones(2, 3)
    assert y.sum_to_size(2, 3) is y


# ----------------------------------------------------------------------------- views
def test_unfold_is_a_view():
    for m in (ember, torch):
        x = m.zeros(6)
        u = x.unfold(0, 2, 2)
        u[1, 0] = 5
        assert x[2].item() == 5
        assert u.stride() == (2, 1) and u._base is x
        v = x._version
        x.add_(1)
        assert u._version == v + 1 and u[1, 0].item() == 6
        w = m.arange(12.).reshape(3, 4).unfold(1, 3, 1)
        assert tuple(w.stride()) == (4, 1, 1) and w.storage_offset() == 0
        assert w[1, 1].storage_offset() == 5


def test_select_is_a_view():
    for m in (ember, torch):
        x = m.zeros(3, 4)
        s = m.select(x, 1, -1)
        s[2] = 7
        assert x[2, 3].item() == 7 and s._base is x
        assert s.storage_offset() == 3 and s.stride() == (4,)
        assert x.select(0, 2).storage_offset() == 8


def test_inplace_through_unfold_view_records_history():
    for m in (ember, torch):
        a = m.arange(6., requires_grad=True)
        b = a * 1
        b.unfold(0, 2, 2).mul_(3)
        b.sum().backward()
        assert a.grad.tolist() == [3.0] * 6


def test_inplace_shape_ops_keep_object_and_views():
    for m in (ember, torch):
        x = m.zeros(2, 1, 3)
        v0 = x._version
        assert x.squeeze_() is x and tuple(x.shape) == (2, 3) and x._version == v0 + 1
        x.t_()
        assert tuple(x.shape) == (3, 2) and tuple(x.stride()) == (1, 3)
        x[0, 1] = 4
        assert x.t()[1, 0].item() == 4
        base = m.zeros(2, 3)
        v = base[0]
        v.unsqueeze_(0)
        assert tuple(v.shape) == (1, 3) and v._base is base
        v[0, 1] = 5
        assert base[0, 1].item() == 5
        flat = base.view(6)
        base.transpose_(0, 1)
        assert flat._version == base._version
        base[0, 1] = 7
        assert flat[3].item() == 7


def test_inplace_shape_op_then_backward():
    for m in (ember, torch):
        a = m.arange(6., requires_grad=True)
        x = (a * 2).view(2, 3)
        x.t_()
        (x * m.arange(6.).view(3, 2)).sum().backward()
        assert a.grad.tolist() == [0.0, 4.0, 8.0, 2.0, 6.0, 10.0]


def test_inplace_bumps_version_of_saved():
    for m in (ember, torch):
        a = m.ones(2, 3, requires_grad=True)
        b = a * 1
        c = b * b
        b.t_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


INPLACE_LEAF = ["squeeze_", "unsqueeze_", "t_", "transpose_", "swapaxes_", "swapdims_", "tril_",
                "triu_", "cumsum_", "cumprod_", "fill_diagonal_"]
_LEAF_ARGS = {"unsqueeze_": (0,), "transpose_": (0, 1), "swapaxes_": (0, 1),
              "swapdims_": (0, 1), "cumsum_": (0,), "cumprod_": (0,), "fill_diagonal_": (1.0,)}


@pytest.mark.parametrize("op", INPLACE_LEAF)
def test_inplace_refused_on_leaf_requiring_grad(op):
    args = _LEAF_ARGS.get(op, ())
    for m in (ember, torch):
        a = m.ones(2, 2, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            getattr(a, op)(*args)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            getattr(a[0:1], op)(*args)
        with m.no_grad():
            assert getattr(a, op)(*args) is a
        assert a.is_leaf and a.requires_grad


def test_linalg_inplace_refused_on_leaf():
    for m in (ember, torch):
        a = m.ones(2, 2, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            a.addmm_(m.ones(2, 2), m.ones(2, 2))
        x = m.ones(2, 2)
        assert x.addr_(m.ones(2), m.ones(2), alpha=3) is x
        assert x.tolist() == [[4.0, 4.0], [4.0, 4.0]] and x._version == 1


# ----------------------------------------------------------------------------- errors
ERRORS = [
    ("unfold_dim", lambda m, x: x.unfold(2, 1, 1), [(5,)], ["Dimension out of range"]),
    ("unfold_big", lambda m, x: x.unfold(0, 7, 1), [(5,)],
     ["maximum size for tensor at dimension 0 is 5 but size is 7"]),
    ("unfold_big_0d", lambda m, x: x.unfold(0, 2, 1), [()],
     ["maximum size for tensor at dimension 0 is 1 but size is 2"]),
    ("unfold_negsize", lambda m, x: x.unfold(0, -1, 1), [(5,)], ["size is -1 but must be >= 0"]),
    ("unfold_step0", lambda m, x: x.unfold(0, 2, 0), [(5,)], ["step is 0 but must be > 0"]),
    ("unfold_stepneg", lambda m, x: x.unfold(0, 2, -1), [(5,)], ["step is -1 but must be > 0"]),
    ("select_oob", lambda m, x: x.select(1, 4), [(3, 4)],
     ["select(): index 4 out of range for tensor of size [3, 4] at dimension 1"]),
    ("select_oob_neg", lambda m, x: m.select(x, 1, -5), [(3, 4)], ["index -5 out of range"]),
    ("select_dim", lambda m, x: x.select(2, 0), [(3, 4)], ["Dimension out of range"]),
    ("select_0d", lambda m, x: x.select(0, 0), [()],
     ["select() cannot be applied to a 0-dim tensor."]),
    ("select_scatter_size", lambda m, x, s: m.select_scatter(x, s, 0, 0), [(3, 4), (1,)],
     ["expected src to have a size equal to the slice of self. src size = [1], slice size = "
      "[4]"]),
    ("select_scatter_oob", lambda m, x, s: m.select_scatter(x, s, 0, 5), [(3, 4), (4,)],
     ["index 5 out of range"]),
    ("slice_scatter_size", lambda m, x, s: m.slice_scatter(x, s, 0, 0, 3), [(3, 4), (2, 4)],
     ["src size = [2, 4], slice size = [3, 4]"]),
    ("slice_scatter_step", lambda m, x, s: m.slice_scatter(x, s, 1, step=0), [(3, 4), (3, 2)],
     ["slice step must be positive"]),
    ("diagonal_scatter_size", lambda m, x, s: m.diagonal_scatter(x, s), [(3, 4), (2,)],
     ["src size = [2], slice size = [3]"]),
    ("diagonal_scatter_same", lambda m, x, s: m.diagonal_scatter(x, s, 0, 1, 1), [(3, 4), (3,)],
     ["diagonal dimensions cannot be identical 1, 1"]),
    ("sum_to_size", lambda m, x: x.sum_to_size(5), [(2, 3, 4)],
     ["size {[5]} is not expandable to size {[2, 3, 4]}."]),
    ("sum_to_size_long", lambda m, x: x.sum_to_size(2, 1, 3, 4), [(2, 3, 4)],
     ["is not expandable"]),
    ("type_as_int", lambda m, x: x.type_as(3), [(2,)],
     ["type_as(): argument 'other' (position 1) must be Tensor, not int"]),
    ("t_3d", lambda m, x: x.t_(), [(2, 3, 4)],
     ["t_() expects a tensor with <= 2 dimensions, but self is 3D"]),
    ("squeeze_dim", lambda m, x: x.squeeze_(3), [(2, 3)], ["Dimension out of range"]),
    ("transpose_dim", lambda m, x: x.transpose_(0, 2), [(2, 3)], ["Dimension out of range"]),
    ("fill_diagonal_1d", lambda m, x: x.fill_diagonal_(1), [(3,)],
     ["dimensions must larger than 1"]),
    ("fill_diagonal_unequal", lambda m, x: x.fill_diagonal_(1), [(3, 4, 4)],
     ["all dimensions of input must be of equal length"]),
    ("addmm_shape", lambda m, x, a, b: x.addmm_(a, b), [(3,), (2, 3), (3, 3)], []),
    ("cumsum_dim", lambda m, x: x.cumsum_(2), [(2, 3)], ["Dimension out of range"]),
    ("cumsum_dtype", lambda m, x: x.cumsum_(0, dtype=m.float64), [(2, 3)],
     ["Bad in-place call: input tensor dtype float and output tensor dtype double should "
      "match"]),
    ("cumprod_dtype", lambda m, x: x.int().cumprod_(0, dtype=m.int64), [(2, 3)],
     ["input tensor dtype int and output tensor dtype long int should match"]),
    ("cumsum_bool", lambda m, x: (x > 0).cumsum_(0), [(2, 3)],
     ["\"cumsum_out_cpu\" not implemented for 'Bool'"]),
    ("cumprod_bool", lambda m, x: (x > 0).cumprod_(0), [(2, 3)],
     ["\"cumprod_out_cpu\" not implemented for 'Bool'"]),
    ("is_nonzero_empty", lambda m, x: x.is_nonzero(), [(0,)],
     ["Boolean value of Tensor with no values is ambiguous"]),
    ("is_nonzero_many", lambda m, x: m.is_nonzero(x), [(2,)],
     ["Boolean value of Tensor with more than one value is ambiguous"]),
    ("is_nonzero_int", lambda m, x: m.is_nonzero(3), [(2,)],
     ["is_nonzero(): argument 'input' (position 1) must be Tensor, not int"]),
    ("is_same_size_int", lambda m, x: x.is_same_size(3), [(2,)],
     ["is_same_size(): argument 'other' (position 1) must be Tensor, not int"]),
    ("scalar_tensor_list", lambda m, x: m.scalar_tensor([1]), [(2,)],
     ["scalar_tensor(): argument 's' (position 1) must be Number, not list"]),
    ("scalar_tensor_tensor", lambda m, x: m.scalar_tensor(x), [(2,)],
     ["must be Number, not Tensor"]),
    ("resize_neg", lambda m, x: x.resize_(-1), [(2,)],
     ["Trying to create tensor with negative dimension -1: [-1]"]),
    ("empty_strided_dims", lambda m, x: m.empty_strided((2, 3), (1,)), [(2,)],
     ["dimensionality of sizes (2) must match dimensionality of strides (1)"]),
    ("empty_strided_neg", lambda m, x: m.empty_strided((-2, 3), (1, 1)), [(2,)],
     ["Trying to create tensor with negative dimension -2: [-2, 3]"]),
    ("empty_strided_negstride", lambda m, x: m.empty_strided((2, 3), (-1, 1)), [(2,)],
     ["Storage size calculation overflowed with sizes=[2, 3] and strides=[-1, 1]"]),
]


@pytest.mark.parametrize("name,fn,shapes,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(rng, name, fn, shapes, match):
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    check_error(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *xs, match=match)


# ----------------------------------------------------------------------------- predicates
DTYPES = ["float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.mark.parametrize("dt", DTYPES)
def test_predicates(dt):
    e = ember.ones(2, dtype=getattr(ember, dt))
    t = torch.ones(2, dtype=getattr(torch, dt))
    for name in ("is_signed", "is_complex", "is_conj", "is_neg"):
        assert getattr(e, name)() == getattr(t, name)(), name
        assert getattr(ember, name)(e) == getattr(torch, name)(t), name
    assert e.is_cpu is t.is_cpu is True


@pytest.mark.parametrize("value", [[0.0], [[2]], 1.5, float("nan"), 0, True, [False]])
def test_is_nonzero(value):
    e, t = ember.tensor(value), torch.tensor(value)
    assert e.is_nonzero() == t.is_nonzero() == ember.is_nonzero(e)


def test_is_same_size():
    for m in (ember, torch):
        assert m.ones(2, 3).is_same_size(m.zeros(2, 3, dtype=m.int64))
        assert not m.is_same_size(m.ones(2), m.ones(3))
        assert m.is_same_size(m.ones(()), m.tensor(1))


@pytest.mark.parametrize("args,kw", [((3,), {}), ((True,), {}), ((2.5,), {}),
                                     ((3,), {"dtype": "int64"}), ((2.7,), {"dtype": "int32"}),
                                     ((1,), {"dtype": "float64", "requires_grad": True}),
                                     (("t",), {})])
def test_scalar_tensor(args, kw):
    def run(m):
        a = tuple(m.tensor(2) if x == "t" else x for x in args)
        k = {n: getattr(m, v) if n == "dtype" else v for n, v in kw.items()}
        return m.scalar_tensor(*a, **k)
    e, t = run(ember), run(torch)
    assert e.shape == () and str(e.dtype)[6:] == str(t.dtype)[6:]
    assert e.item() == t.item() and e.requires_grad == t.requires_grad


def test_scalar_tensor_default_dtype():
    prev = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.scalar_tensor(1).dtype == ember.float64
    finally:
        ember.set_default_dtype(prev)


# ----------------------------------------------------------------------------- layout
STORAGE_OFFSETS = [
    lambda m, x: x[1:, 2:], lambda m, x: x[1], lambda m, x: x.t()[2], lambda m, x: x,
    lambda m, x: x[1:].detach(), lambda m, x: x.view(-1)[5:], lambda m, x: x.diagonal(1),
    lambda m, x: x.narrow(1, 1, 2), lambda m, x: x.unbind(0)[2], lambda m, x: x.split(1)[1],
    lambda m, x: x[:, 1].unsqueeze(0), lambda m, x: x.chunk(2, 1)[1], lambda m, x: x * 2,
    lambda m, x: x.unfold(1, 2, 2)[2],
]


@pytest.mark.parametrize("i", range(len(STORAGE_OFFSETS)))
def test_storage_offset(i):
    fn = STORAGE_OFFSETS[i]
    e = fn(ember, ember.arange(12.).reshape(3, 4))
    t = fn(torch, torch.arange(12.).reshape(3, 4))
    assert e.storage_offset() == t.storage_offset()
    assert tuple(e.stride()) == tuple(t.stride())


def test_resize_():
    for m in (ember, torch):
        x = m.arange(6.)
        assert x.resize_(2, 2) is x and x.tolist() == [[0, 1], [2, 3]] and x._version == 1
        x.resize_(2, 2)
        assert x._version == 1
        x = m.arange(6.)
        x.resize_((3, 3))
        assert x[:2].tolist() == [[0, 1, 2], [3, 4, 5]] and tuple(x.stride()) == (3, 1)
        x = m.arange(6.).reshape(2, 3).t()
        x.resize_(3, 2)   # the same shape keeps the strides
        assert tuple(x.stride()) == (1, 3)
        x.resize_(2, 2)
        assert x.tolist() == [[0, 1], [2, 3]] and tuple(x.stride()) == (2, 1)
        b = m.arange(6.)
        v = b[2:]
        v.resize_(2)
        assert v.tolist() == [2, 3] and v._base is b and v.storage_offset() == 2
        v[0] = 9
        assert b[2].item() == 9
        x = m.arange(6, dtype=m.int32)
        x.resize_(0)
        assert x.shape == (0,)
        x.resize_(4)
        assert x.tolist() == [0, 1, 2, 3]
        y = m.ones(2)
        assert y.resize_as_(m.zeros(2, 3, dtype=m.int64)) is y
        assert tuple(y.shape) == (2, 3) and y.dtype == m.float32
        assert m.resize_as_(y, m.ones(4)).shape == (4,)


def test_resize_refused():
    for m in (ember, torch):
        a = m.ones(2, requires_grad=True)
        for t in (a, a * 1):
            with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
                t.resize_(3)
        with m.no_grad(), pytest.raises(RuntimeError, match="cannot resize variables"):
            a.resize_(3)
    with pytest.raises(RuntimeError, match="resize_: growing a view"):
        ember.arange(6.)[2:].resize_(10)   # torch moves the base's memory; ember cannot


@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (0, 1)), ((2, 3), (3, 1)),
                                         ((0, 3), (1, 1)), ((), ()), ((4,), (3,))])
def test_empty_strided(size, stride):
    e = ember.empty_strided(size, stride)
    t = torch.empty_strided(size, stride)
    assert tuple(e.shape) == tuple(t.shape) and e.stride() == t.stride()
    assert e.dtype == ember.float32 and e.storage_offset() == 0
    assert e.is_contiguous() == t.is_contiguous()
    e.fill_(2.0)
    assert (e == 2).all().item()
    e = ember.empty_strided(size, stride, dtype=ember.int64, requires_grad=False)
    assert e.dtype == ember.int64
    assert ember.empty_strided(size, stride, dtype=ember.float64, requires_grad=True).requires_grad
    n = ember.ones(2, dtype=ember.int32).new_empty_strided(size, stride)
    assert n.dtype == ember.int32 and n.stride() == t.stride()
    assert ember.ones(2).new_empty_strided(size, stride, dtype=ember.float64).dtype == \
        ember.float64


def test_empty_strided_overlap_writes_share_memory():
    e = ember.empty_strided((2, 3), (0, 1))
    e[0, 1] = 5.0
    assert e[1, 1].item() == 5.0


# ----------------------------------------------------------------------------- post-accumulate hook
def _hook_run(m):
    a = m.ones(2, requires_grad=True)
    log = []
    h = a.register_post_accumulate_grad_hook(lambda t: log.append((t is a, t.grad.tolist())))
    a.register_hook(lambda g: g * 10)
    (a * 3).sum().backward()
    (a * 3).sum().backward()
    m.autograd.grad((a * 3).sum(), a)          # no accumulation: no call
    b = m.ones(2, requires_grad=True)
    (a * b).sum().backward(inputs=[b])         # a is not accumulated: no call
    h.remove()
    (a * 3).sum().backward()
    return log, a.grad.tolist()


def test_post_accumulate_grad_hook():
    assert _hook_run(ember) == _hook_run(torch) == (
        [(True, [30.0, 30.0]), (True, [60.0, 60.0])], [90.0, 90.0])


def test_post_accumulate_grad_hook_optimizer_step():
    w = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SGD([w], lr=0.5)

    def step(p):
        opt.step()
        opt.zero_grad()
    w.register_post_accumulate_grad_hook(step)
    (w * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert w.tolist() == [0.5, 0.0, -0.5] and w.grad is None


def test_post_accumulate_grad_hook_errors():
    for m in (ember, torch):
        with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that "
                                               "doesn't require gradient"):
            m.ones(2).register_post_accumulate_grad_hook(print)
        a = m.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="post accumulate grad hooks cannot be registered "
                                               "on non-leaf tensors"):
            (a * 1).register_post_accumulate_grad_hook(print)
        a.register_post_accumulate_grad_hook(lambda t: t * 2)
        with pytest.raises(RuntimeError, match="post accumulate grad hooks should return None"):
            (a * 1).sum().backward()
