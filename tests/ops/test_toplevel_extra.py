"""ember.ops.toplevel_extra against torch: the top-level in-place functions (ember.sigmoid_(x),
...), the real-number half of the complex API (conj, real, imag, angle, adjoint, Tensor.H), the
*_copy family, the splits, igamma, range, cholesky, nonzero_static, resize, apply_/map_ and
share_memory_. Values, dtypes, returned objects, versions, grad_fn names, gradients, errors."""

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops import toplevel_extra
from harness import assert_close_tensor, check, check_error, check_gradcheck

DTYPES = [np.float32, np.float64]


def _any(rng, shape):
    return rng.standard_normal(shape)


def _pos(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def _unit(rng, shape):
    return rng.uniform(0.1, 0.9, shape)


def _above_one(rng, shape):
    return rng.uniform(1.5, 3.0, shape)


def _with_nonfinite(rng, shape):
    a = rng.standard_normal(shape)
    a.flat[:3] = [np.nan, np.inf, -np.inf]
    return a


def _no_args(lib, rng, x):
    return ()


def _const(*args):
    return lambda lib, rng, x: args


def _positive_tensor(lib, rng, x):
    return (lib.tensor(rng.uniform(0.5, 2.0, x.shape).astype(np.float32)),)


def _int_exponents(lib, rng, x):
    # not negative: torch's ldexp gradient is grad * pow(2, other) in integers, 0 below 0
    return (lib.tensor(rng.integers(0, 3, x.shape)),)


def _matvec(lib, rng, x):
    dt = np.float32 if x.dtype in (ember.float32, torch.float32) else np.float64
    return (lib.tensor(rng.standard_normal((x.shape[0], 2)).astype(dt)),
            lib.tensor(rng.standard_normal(2).astype(dt)))


# name: (input domain, extra arguments given the framework, a generator and the input)
INPLACE = {
    "abs_": (_any, _no_args), "acos_": (_unit, _no_args), "acosh_": (_above_one, _no_args),
    "addmv_": (_any, _matvec), "arccos_": (_unit, _no_args),
    "arccosh_": (_above_one, _no_args), "arcsin_": (_unit, _no_args),
    "arcsinh_": (_any, _no_args), "arctan_": (_any, _no_args), "arctanh_": (_unit, _no_args),
    "asin_": (_unit, _no_args), "asinh_": (_any, _no_args), "atan_": (_any, _no_args),
    "atanh_": (_unit, _no_args), "ceil_": (_any, _no_args),
    "clamp_": (_any, _const(-0.5, 0.5)), "clamp_max_": (_any, _const(0.3)),
    "clamp_min_": (_any, _const(-0.3)), "clip_": (_any, _const(-0.5, 0.5)),
    "cos_": (_any, _no_args), "cosh_": (_any, _no_args), "deg2rad_": (_any, _no_args),
    "erf_": (_any, _no_args), "erfc_": (_any, _no_args), "exp2_": (_any, _no_args),
    "exp_": (_any, _no_args), "expm1_": (_any, _no_args), "fill_": (_any, _const(2.5)),
    "fix_": (_any, _no_args), "floor_": (_any, _no_args), "frac_": (_any, _no_args),
    "i0_": (_any, _no_args), "ldexp_": (_any, _int_exponents),
    "log10_": (_pos, _no_args), "log1p_": (_pos, _no_args), "log2_": (_pos, _no_args),
    "log_": (_pos, _no_args), "logit_": (_unit, _no_args),
    "nan_to_num_": (_with_nonfinite, _no_args), "neg_": (_any, _no_args),
    "negative_": (_any, _no_args), "rad2deg_": (_any, _no_args),
    "reciprocal_": (_pos, _no_args), "round_": (_any, _no_args), "rsqrt_": (_pos, _no_args),
    "sigmoid_": (_any, _no_args), "sin_": (_any, _no_args), "sinc_": (_any, _no_args),
    "sinh_": (_any, _no_args), "sqrt_": (_pos, _no_args), "square_": (_any, _no_args),
    "tan_": (_unit, _no_args), "tanh_": (_any, _no_args), "trunc_": (_any, _no_args),
    "xlogy_": (_any, _positive_tensor), "zero_": (_any, _no_args)}
INT_INPLACE = ["gcd_", "lcm_"]
# The Tensor methods these call record another node than torch's (their own modules):
# fill_/zero_ a copy, ldexp_ a product, addmv_ a sum, ... Values and gradients still match.
# clamp_min_/clamp_max_ a clamp, log1p_ is spelled Log1pBackward0.
OTHER_NODE = {"fill_", "zero_", "ldexp_", "addmv_", "clamp_min_", "clamp_max_", "log1p_"}
# torch records these as <Op>Backward1, whose derivative is not implemented; ember's methods
# differentiate them (as the out-of-place op): values only.
NO_TORCH_DERIVATIVE = {"acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_", "arctanh_"}


def test_inplace_names_are_torchs_missing_ones():
    assert set(INPLACE) | set(INT_INPLACE) == set(toplevel_extra._INPLACE)
    for name in toplevel_extra._INPLACE:
        fn = getattr(ember, name)
        assert fn.__name__ == fn.__qualname__ == name and name in fn.__doc__
        assert hasattr(torch, name) and hasattr(ember.Tensor, name)


def _inplace_run(lib, name, a, args_fn, rng, cot):
    leaf = lib.tensor(a, requires_grad=True)
    x = leaf * 1
    args = args_fn(lib, rng, x)
    version = x._version
    out = getattr(lib, name)(x, *args)
    assert out is x and x._version > version
    if name in NO_TORCH_DERIVATIVE:
        return x, None
    (g,) = lib.autograd.grad(x, leaf, lib.tensor(cot))
    return x, g


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_function_matches_torch(name, dtype, rng):
    domain, args_fn = INPLACE[name]
    a = domain(rng, (4,)).astype(dtype)
    cot = rng.standard_normal(4).astype(dtype)
    seed = int(rng.integers(2**31))
    ex, eg = _inplace_run(ember, name, a, args_fn, np.random.default_rng(seed), cot)
    tx, tg = _inplace_run(torch, name, a, args_fn, np.random.default_rng(seed), cot)
    assert_close_tensor(ex, tx)
    if name in NO_TORCH_DERIVATIVE:
        return
    if name not in OTHER_NODE:
        assert ex.grad_fn.name() == tx.grad_fn.name()
    assert_close_tensor(eg, tg, rtol=1e-4, atol=1e-5, what="gradient")


@pytest.mark.parametrize("name", INT_INPLACE)
def test_integer_inplace_function_matches_torch(name, rng):
    a, b = rng.integers(1, 60, (2, 5))
    ex, tx = ember.tensor(a), torch.tensor(a)
    assert getattr(ember, name)(ex, ember.tensor(b)) is ex
    getattr(torch, name)(tx, torch.tensor(b))
    assert_close_tensor(ex, tx)
    assert ex._version == 1


def test_inplace_function_on_a_transposed_view(rng):
    a = rng.uniform(0.5, 2.0, (3, 4)).astype(np.float32)
    for lib in (ember, torch):
        leaf = lib.tensor(a, requires_grad=True)
        base = leaf * 2
        view = base.t()
        assert lib.sqrt_(view) is view
        (g,) = lib.autograd.grad((base * lib.tensor(a)).sum(), leaf)
        if lib is ember:
            e_base, e_g = base, g
    assert_close_tensor(e_base, base)
    assert_close_tensor(e_g, g)


def test_inplace_function_refuses_a_leaf_that_requires_grad():
    check_error(lambda x: ember.exp_(x.requires_grad_()),
                lambda x: torch.exp_(x.requires_grad_()), np.ones(2, np.float32),
                match=["leaf", "in-place"])


@pytest.mark.parametrize("name", toplevel_extra._INPLACE)
def test_inplace_function_refuses_a_non_tensor(name):
    check_error(getattr(ember, name), getattr(torch, name), [1.0], match=[name, "Tensor"])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_fill(dtype, rng):
    a = (rng.standard_normal((2, 3)) * 3).astype(dtype)
    check(lambda x: ember.fill(x, 2.5), lambda x: torch.fill(x, 2.5), a)
    check(lambda x, v: ember.fill(x, v), lambda x, v: torch.fill(x, v), a,
          np.array(1.75, dtype))
    x = ember.tensor(a.astype(np.float64), requires_grad=True)
    v = ember.tensor(0.5, dtype=ember.float64, requires_grad=True)
    assert ember.fill(x, 1.0).grad_fn.name() == "FillBackward0"
    assert ember.fill(x, v).grad_fn.name() == "FillBackward1"
    check_gradcheck(ember.fill, a.astype(np.float64), np.array(0.5), gradgrad=True)


def test_fill_errors():
    check_error(ember.fill, torch.fill, np.zeros(3, np.float32), np.ones(2, np.float32),
                match=["0-dimension", "1 dimensions"])
    check_error(ember.fill, torch.fill, 3, 1, match=["fill", "Tensor"])


def test_embedding_renorm_(rng):
    w = (rng.standard_normal((5, 3)) * 3).astype(np.float32)
    idx = np.array([[0, 1], [1, 4]])
    ew, tw = ember.tensor(w), torch.tensor(w)
    assert ember.embedding_renorm_(ew, ember.tensor(idx), 1.0, 2.0) is ew
    torch.embedding_renorm_(tw, torch.tensor(idx), 1.0, 2.0)
    assert_close_tensor(ew, tw)
    assert ew._version == tw._version == 1
    for idx, max_norm, norm_type in [([2, -1], 0.5, 1.0), ([], 1.0, 2.0), ([3], 1e6, 2.0)]:
        ew, tw = ember.tensor(w.astype(np.float64)), torch.tensor(w.astype(np.float64))
        ember.embedding_renorm_(ew, ember.tensor(idx, dtype=ember.int64), max_norm, norm_type)
        torch.embedding_renorm_(tw, torch.tensor(idx, dtype=torch.int64), max_norm, norm_type)
        assert_close_tensor(ew, tw)
        assert ew._version == tw._version == 1
    for lib in (ember, torch):   # recorded on a non-leaf, with no derivative
        y = lib.tensor(w, requires_grad=True) * 1
        lib.embedding_renorm_(y, lib.tensor([1]), 1.0, 2.0)
        assert y.grad_fn.name() == "EmbeddingRenormBackward0"
        with pytest.raises(NotImplementedError, match="derivative for 'embedding_renorm'"):
            y.sum().backward()


def test_embedding_renorm_errors():
    w = np.ones((5, 3), np.float32)
    fn = (lambda lib: lambda x, i: lib.embedding_renorm_(x, i, 1.0, 2.0))
    check_error(fn(ember), fn(torch), w, np.array([0.0, 1.0], np.float32),
                match=["indices", "Long, Int"])
    check_error(fn(ember), fn(torch), np.ones((5, 3, 2), np.float32), np.array([1]),
                match=["2-dimensional", "3-dimensional"])
    check_error(fn(ember), fn(torch), w, np.array([7]), match=["index 7 out of range"])
    check_error(lambda x, i: fn(ember)(x.requires_grad_(), i),
                lambda x, i: fn(torch)(x.requires_grad_(), i), w, np.array([1]),
                match=["leaf"])


# ----------------------------------------------------------------------------- complex API
IDENTITIES = ["conj", "conj_physical", "resolve_conj", "resolve_neg", "real"]


@pytest.mark.parametrize("name", IDENTITIES)
@pytest.mark.parametrize("dtype", [ember.float32, ember.int64, ember.bool])
def test_real_tensor_identities_return_the_input(name, dtype):
    x = ember.ones(2, 3, dtype=dtype)
    assert getattr(ember, name)(x) is x
    assert (x.real if name == "real" else getattr(x, name)()) is x
    t = torch.ones(2, 3)
    assert getattr(torch, name)(t) is t    # the oracle agrees


def test_conj_physical_():
    for lib in (ember, torch):
        x = lib.ones(3)
        assert lib.conj_physical_(x) is x and x.conj_physical_() is x and x._version == 2
        leaf = lib.ones(3, requires_grad=True)
        y = leaf * 3
        lib.conj_physical_(y)
        assert y.grad_fn.name() == "ConjPhysicalBackward1"
        (g,) = lib.autograd.grad(y.sum(), leaf)
        assert g.tolist() == [3.0, 3.0, 3.0]
    check_error(lambda x: ember.conj_physical_(x.requires_grad_()),
                lambda x: torch.conj_physical_(x.requires_grad_()), np.ones(2, np.float32),
                match=["leaf"])


def test_imag_raises_as_torch():
    a = np.ones(3, np.float32)
    check_error(ember.imag, torch.imag, a, match=["imag is not implemented", "non-complex"])
    check_error(lambda x: x.imag, lambda x: x.imag, a, match=["imag is not implemented"])
    check_error(ember.imag, torch.imag, [1.0], match=["imag", "Tensor"])


@pytest.mark.parametrize("a", [np.ones((2, 3), np.float32), np.arange(4), np.array(True),
                               np.zeros((0, 2), np.float64)])
def test_isreal(a):
    check(ember.isreal, torch.isreal, a, grad=False)
    assert ember.tensor(a).isreal().dtype == ember.bool


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.uint8, np.bool_])
def test_angle(dtype, rng):
    a = rng.integers(-3, 4, 8) if dtype != np.float32 and dtype != np.float64 else \
        rng.standard_normal(8)
    a = np.concatenate([a.astype(dtype), np.zeros(1, dtype)])
    if dtype in DTYPES:
        a = np.concatenate([a, np.array([np.nan, -0.0, -np.inf, np.inf], dtype)])
    check(ember.angle, torch.angle, a)
    check(lambda x: x.angle(), lambda x: x.angle(), a, grad=False)
    check(ember.angle, torch.angle, np.array(-2.0, np.float32))
    check(ember.angle, torch.angle, np.zeros((0, 3), np.float32))
    x = ember.tensor(rng.standard_normal(4), requires_grad=True)
    assert ember.angle(x).grad_fn.name() == "AngleBackward0"


def test_angle_gradcheck(rng):
    a = rng.uniform(0.5, 2.0, 6) * rng.choice([-1, 1], 6)
    check_gradcheck(ember.angle, a, gradgrad=True)


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (4, 1, 2, 5)])
def test_adjoint_and_H(shape, rng):
    a = rng.standard_normal(shape).astype(np.float32)
    out = check(ember.adjoint, torch.adjoint, a)
    assert out[0].grad_fn.name() == "TransposeBackward0"
    check(lambda x: x.adjoint(), lambda x: x.adjoint(), a)
    if len(shape) == 2:
        out = check(lambda x: x.H, lambda x: x.H, a)
        x = ember.tensor(a)
        assert x.H._base is x
    else:
        check_error(lambda x: x.H, lambda x: x.H, a,
                    match=[f"Got {len(shape)}-D tensor", "consider using tensor.mH"])


def test_adjoint_and_H_on_0d_and_1d():
    x = ember.tensor(2.0)
    with pytest.warns(UserWarning, match="deprecated on 0-D"):
        assert ember.adjoint(x) is x
    with pytest.warns(UserWarning, match="Tensor.H is deprecated on 0-D"):
        assert x.H is x
    a = np.ones(3, np.float32)
    check_error(ember.adjoint, torch.adjoint, a, match=["adjoint()", "Got 1-D tensor"])
    check_error(lambda x: x.H, lambda x: x.H, a, match=["(2-D tensors). Got 1-D tensor."])


# ----------------------------------------------------------------------------- splits
SPLITS = [("split_with_sizes", ([2, 3, 1],), "SplitWithSizesBackward0"),
          ("unsafe_split", (4,), "UnsafeSplitBackward0"),
          ("unsafe_chunk", (4,), "UnsafeSplitBackward0"),
          ("unsafe_split_with_sizes", ([2, 3, 1],), "UnsafeSplitWithSizesBackward0")]


@pytest.mark.parametrize("name,args,node", SPLITS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [1, -1])
def test_splits(name, args, node, dtype, dim, rng):
    a = rng.standard_normal((3, 6)).astype(dtype)
    out = check(lambda x: getattr(ember, name)(x, *args, dim),
                lambda x: getattr(torch, name)(x, *args, dim), a)
    assert out[0].grad_fn.name() == node
    check(lambda x: getattr(x, name)(*args, dim=dim),
          lambda x: getattr(x, name)(*args, dim=dim), a)
    check_gradcheck(lambda x: getattr(ember, name)(x, *args, 1), a.astype(np.float64))
    x = ember.tensor(a)
    parts = getattr(ember, name)(x, *args, 1)
    parts[0][0, 0] = 7.0                     # the parts share x's memory
    assert x[0, 0].item() == 7.0
    assert (parts[0]._base is x) == (name == "split_with_sizes")


def test_split_errors():
    a = np.zeros(5, np.float32)
    check_error(lambda x: ember.split_with_sizes(x, [2, 2]),
                lambda x: torch.split_with_sizes(x, [2, 2]), a,
                match=["split_with_sizes expects split_sizes to sum exactly to 5"])
    check_error(lambda x: ember.split_with_sizes(x, 2), lambda x: torch.split_with_sizes(x, 2),
                a, match=["split_sizes", "tuple of ints"])
    check_error(lambda x: ember.unsafe_chunk(x, 0), lambda x: torch.unsafe_chunk(x, 0), a,
                match=["chunk expects `chunks` to be greater than 0"])
    check(lambda x: ember.unsafe_chunk(x, 3), lambda x: torch.unsafe_chunk(x, 3),
          np.zeros((0, 3), np.float32), grad=False)


# ----------------------------------------------------------------------------- *_copy
COPIES = [("view_copy", ((6, 4),), (4, 6)), ("permute_copy", ((2, 0, 1),), (2, 3, 4)),
          ("transpose_copy", (0, 2), (2, 3, 4)), ("unsqueeze_copy", (1,), (2, 3)),
          ("squeeze_copy", (), (2, 1, 3)), ("squeeze_copy", (1,), (2, 1, 3)),
          ("expand_copy", ((2, 2, 1, 3),), (2, 1, 3)), ("diagonal_copy", (0, 0, 2), (3, 2, 4)),
          ("select_copy", (0, 1), (2, 3)), ("slice_copy", (1, 1, None, 2), (2, 5)),
          ("slice_copy", (), (2, 5)), ("split_copy", (2, 1), (2, 5)),
          ("split_with_sizes_copy", ([1, 3], 1), (2, 4)), ("unbind_copy", (1,), (2, 3)),
          ("unfold_copy", (1, 2, 1), (2, 4)), ("alias_copy", (), (2, 3)),
          ("narrow_copy", (1, 1, 2), (2, 4)), ("t_copy", (), (2, 3))]


@pytest.mark.parametrize("name,args,shape", COPIES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_copies(name, args, shape, dtype, rng):
    a = rng.standard_normal(shape).astype(dtype)
    out = check(lambda x: getattr(ember, name)(x, *args),
                lambda x: getattr(torch, name)(x, *args), a)
    t_out = getattr(torch, name)(torch.tensor(a, requires_grad=True), *args)
    t_out = t_out if isinstance(t_out, tuple) else (t_out,)
    assert [e.grad_fn.name() for e in out] == [t.grad_fn.name() for t in t_out]
    check_gradcheck(lambda x: getattr(ember, name)(x, *args), a.astype(np.float64),
                    gradgrad=True)
    x = ember.tensor(a)
    res = getattr(ember, name)(x, *args)
    for r in res if isinstance(res, tuple) else (res,):
        assert r.is_contiguous() and r._base is None
        r.fill_(9.0)                          # fresh memory: the input is untouched
    assert np.array_equal(x.numpy(), a)


def test_copies_of_non_contiguous_int_and_empty_inputs(rng):
    a = rng.standard_normal((4, 3)).astype(np.float32)
    for name, args in [("transpose_copy", (0, 1)), ("select_copy", (1, 2)),
                       ("unfold_copy", (0, 2, 1)), ("diagonal_copy", ()), ("t_copy", ())]:
        check(lambda x: getattr(ember, name)(x.t(), *args),    # noqa: B023
              lambda x: getattr(torch, name)(x.t(), *args), a)  # noqa: B023
    check(lambda x: ember.permute_copy(x, (1, 0)), lambda x: torch.permute_copy(x, (1, 0)),
          np.arange(6).reshape(2, 3))
    check(lambda x: ember.unsqueeze_copy(x, 0), lambda x: torch.unsqueeze_copy(x, 0),
          np.zeros((0, 3), np.float32))
    check(lambda x: ember.alias_copy(x), lambda x: torch.alias_copy(x), np.array(1.5))
    check(lambda x: ember.angle(x.t()), lambda x: torch.angle(x.t()), a)
    check(lambda x: ember.fill(x, -1.0), lambda x: torch.fill(x, -1.0), np.array(2.0))


def test_narrow_copy_method_and_errors(rng):
    a = rng.standard_normal((3, 4)).astype(np.float32)
    check(lambda x: x.narrow_copy(1, 1, 2), lambda x: x.narrow_copy(1, 1, 2), a)
    check_error(lambda x: ember.view_copy(x, (5,)), lambda x: torch.view_copy(x, (5,)), a,
                match=["shape '[5]' is invalid for input of size 12"])
    check_error(ember.t_copy, torch.t_copy, [1.0], match=["t_copy", "Tensor"])


# ----------------------------------------------------------------------------- misc
@pytest.mark.parametrize("name", ["igamma", "igammac"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_igamma_igammac(name, dtype, rng):
    s = rng.uniform(0.5, 3.0, 5).astype(dtype)
    x = rng.uniform(0.2, 4.0, 5).astype(dtype)
    out = check(lambda v: getattr(ember, name)(ember.tensor(s), v),
                lambda v: getattr(torch, name)(torch.tensor(s), v), x, rtol=1e-4, atol=1e-6)
    assert out[0].grad_fn.name() == name.capitalize() + "Backward0"
    check(lambda v: getattr(ember.tensor(s), name)(v),
          lambda v: getattr(torch.tensor(s), name)(v), x, grad=False, rtol=1e-4)
    s64 = s.astype(np.float64)
    check_gradcheck(lambda v: getattr(ember, name)(ember.tensor(s64), v), x.astype(np.float64))
    e, t = ember.tensor(s), torch.tensor(s)
    assert getattr(e, name + "_")(ember.tensor(x)) is e
    getattr(t, name + "_")(torch.tensor(x))
    assert_close_tensor(e, t, rtol=1e-4)


def test_igamma_errors(rng):
    for lib in (ember, torch):
        a = lib.tensor([1.5, 2.0], requires_grad=True)
        with pytest.raises(NotImplementedError, match="derivative for 'igamma: input'"):
            lib.autograd.grad(lib.igamma(a, lib.tensor([1.0, 2.0])).sum(), a)
    check_error(ember.igamma, torch.igamma, np.array([1, 2]), np.array([1, 2]),
                match=["igamma", "not implemented for 'Long'"])


@pytest.mark.parametrize("args,kw", [((0, 4), {}), ((0, 1, 0.25), {}), ((1, 4), {}),
                                     ((0, -2, -1), {}), ((0, 1, 0.3), {}), ((2.5, 2.5), {}),
                                     ((1, 4), {"dtype": "int64"}),
                                     ((0, 3), {"dtype": "float64"})])
def test_range(args, kw):
    ekw = {k: getattr(ember, v) for k, v in kw.items()}
    tkw = {k: getattr(torch, v) for k, v in kw.items()}
    with pytest.warns(UserWarning, match="torch.range is deprecated"):
        e = ember.range(*args, **ekw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.range(*args, **tkw)
    assert_close_tensor(e, t, rtol=0, atol=0)


def test_range_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(lambda: ember.range(0, 4, 0), lambda: torch.range(0, 4, 0),
                    match=["step must be nonzero"])
        check_error(lambda: ember.range(0, 4, -1), lambda: torch.range(0, 4, -1),
                    match=["upper bound and lower bound inconsistent with step sign"])
        x = ember.range(0, 2, requires_grad=True)
        assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cholesky(upper, dtype, rng):
    m = rng.standard_normal((2, 3, 3))
    a = (m @ m.transpose(0, 2, 1) + 3 * np.eye(3)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda x: ember.cholesky(x, upper), lambda x: torch.cholesky(x, upper), a,
              rtol=1e-4, atol=1e-5)
        check_gradcheck(lambda x: ember.cholesky((x + x.mT) / 2, upper), a.astype(np.float64))
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
        ember.cholesky(ember.tensor(a))


def _well_conditioned(rng, dtype):
    """(2, 3, 4) matrices whose singular values lie well away from 0."""
    a = rng.uniform(-0.3, 0.3, (2, 3, 4))
    a[:, np.arange(3), np.arange(3)] += rng.uniform(1.0, 2.0, (2, 3))
    return a.astype(dtype)


@pytest.mark.parametrize("args", [(), ((1, 2),), ((2, 0), True), (True,), ((-1, -2), False)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_nuclear_norm(args, dtype, rng):
    a = _well_conditioned(rng, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = check(lambda x: ember.nuclear_norm(x, *args),
                    lambda x: torch.nuclear_norm(x, *args), a, rtol=1e-4, atol=1e-5)
        assert out[0].grad_fn.name() == "SumBackward1"
        check_gradcheck(lambda x: ember.nuclear_norm(x, *args), a.astype(np.float64))
    with pytest.warns(UserWarning, match="at::nuclear_norm is deprecated"):
        ember.nuclear_norm(ember.tensor(a))


@pytest.mark.parametrize("args", [((1, 2),), ((2, 0), True), (1,), ((),), ((-1,), True)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_frobenius_norm(args, dtype, rng):
    a = rng.standard_normal((2, 3, 4)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = check(lambda x: ember.frobenius_norm(x, *args),
                    lambda x: torch.frobenius_norm(x, *args), a)
        assert out[0].grad_fn.name() == "NormBackward1"
        check_gradcheck(lambda x: ember.frobenius_norm(x, *args), a.astype(np.float64),
                        gradgrad=True)
    with pytest.warns(UserWarning, match="at::frobenius_norm is deprecated"):
        ember.frobenius_norm(ember.tensor(a), 1)


def test_deprecated_norm_errors():
    a = np.ones((2, 3, 4), np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn, arg, match in [
                (lambda lib: lambda t: lib.frobenius_norm(t, (0, 1)), np.arange(4),
                 "norm(): input dtype should be either floating point or complex. Got Long"),
                (lambda lib: lambda t: lib.frobenius_norm(t, (0, 1, 2)), a,
                 "Expected at most 2 dimensions, but got 3 dimensions instead."),
                (lambda lib: lambda t: lib.nuclear_norm(t), np.ones((2, 2), np.int32),
                 "Expected a floating point or complex tensor as input. Got Int"),
                (lambda lib: lambda t: lib.nuclear_norm(t), np.ones(3, np.float32),
                 "must have at least 2 dimensions"),
                (lambda lib: lambda t: lib.nuclear_norm(t, (0,)), a,
                 "dim must be a 2-tuple. Got 0"),
                (lambda lib: lambda t: lib.nuclear_norm(t, (0, -3)), a,
                 "dims must be different. Got (0, 0)")]:
            check_error(fn(ember), fn(torch), arg, match=[match])
        check(ember.nuclear_norm, torch.nuclear_norm, np.zeros((0, 3), np.float32), grad=False)
        check(lambda x: ember.frobenius_norm(x, (0, 1)), lambda x: torch.frobenius_norm(x, (0, 1)),
              np.zeros((2, 2)))


REDUCES = ["prod", "mean", "amax", "amin"]


def _index_reduce(lib, dim, index, reduce, include_self):
    def fn(x, src):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.index_reduce(x, dim, lib.tensor(index), src, reduce,
                                    include_self=include_self)
    return fn


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_reduce(reduce, include_self, dim, rng):
    shape = (3, 4)
    d = dim % 2
    k = int(rng.integers(1, 6))
    sshape = (k, 4) if d == 0 else (3, k)
    index = rng.integers(0, shape[d], k)
    args = (dim, index, reduce, include_self)
    # integer values: ties and zeros, as torch shares amax/amin gradients among ties
    x, src = rng.integers(-2, 3, shape), rng.integers(-2, 3, sshape)
    for dtype in DTYPES:
        out = check(_index_reduce(ember, *args), _index_reduce(torch, *args), x.astype(dtype),
                    src.astype(dtype), rng=rng)
        assert out[0].grad_fn.name() == "IndexReduceBackward0"
    check(_index_reduce(ember, *args), _index_reduce(torch, *args), x, src, rng=rng)
    # smooth values away from zero for gradcheck
    xs = rng.uniform(0.5, 1.5, shape) * rng.choice([-1, 1], shape)
    ss = rng.uniform(0.5, 1.5, sshape) * rng.choice([-1, 1], sshape)
    check_gradcheck(_index_reduce(ember, *args), xs, ss, gradgrad=reduce != "prod")


def test_index_reduce_method_inplace_and_0d(rng):
    idx = np.array([0, 2, 2])
    x, src = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib in (ember, torch):
            t = lib.tensor(x)
            assert t.index_reduce_(0, lib.tensor(idx), lib.tensor(src), "amax") is t
            assert t._version == 1
            m = lib.tensor(x).index_reduce(0, lib.tensor(idx), lib.tensor(src), "mean",
                                           include_self=False)
            z = lib.tensor(2.0).index_reduce(0, lib.tensor([0]), lib.tensor(3.0), "prod")
            if lib is ember:
                et, em, ez = t, m, z
        assert_close_tensor(et, t, rtol=0, atol=0)
        assert_close_tensor(em, m)
        assert_close_tensor(ez, z)
    with pytest.warns(UserWarning, match="index_reduce\\(\\) is in beta"):
        ember.index_reduce(ember.ones(2), 0, ember.tensor([1]), ember.ones(1), "amin")


def test_index_reduce_errors():
    x, src, idx = np.ones((3, 2), np.float32), np.ones((4, 2), np.float32), np.array([0, 2, 0, 2])
    cases = [
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "sum"), (x, idx, src),
         "Expected reduce to be one of prod, mean, amax or amin but got sum."),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
         (x, idx.astype(np.float32), src), "Expected dtype int32/int64 for index but got: Float"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
         (x, idx.reshape(2, 2), src), "Index is supposed to be a vector, but got dim: 2"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
         (x, np.array([0, 5, 0, 1]), src), "index out of range in self"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
         (x, np.array([0, -1, 0, 1]), src), "index out of range in self"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
         (x, idx, np.ones((4, 3), np.float32)),
         "source tensor shape must match self tensor shape, excluding the specified dimension"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
         (x, idx, np.ones((3, 2), np.float32)),
         "Number of indices (4) should be equal to source.size(dim): (3), for dim: 0"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
         (x, idx, src.astype(np.float64)),
         "self (Float) and source (Double) must have the same scalar type"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 2, i, s, "prod"), (x, idx, src),
         "Dimension out of range"),
        (lambda lib: lambda a, i, s: lib.index_reduce(a, 0, i, s, "amin"),
         (np.ones(3, bool), np.array([0]), np.zeros(1, bool)), "not implemented for 'Bool'")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn, inputs, match in cases:
            check_error(fn(ember), fn(torch), *inputs, match=[match])


@pytest.mark.parametrize("size,fill", [(4, -1), (1, 7), (0, -1), (9, 0)])
def test_nonzero_static(size, fill, rng):
    a = rng.integers(0, 2, (3, 4)) * rng.integers(1, 5, (3, 4))
    check(lambda x: ember.nonzero_static(x, size=size, fill_value=fill),
          lambda x: torch.nonzero_static(x, size=size, fill_value=fill), a)
    check(lambda x: x.nonzero_static(size=size), lambda x: x.nonzero_static(size=size),
          a.astype(np.float32), grad=False)
    check(lambda x: ember.nonzero_static(x, size=size),
          lambda x: torch.nonzero_static(x, size=size), np.array(3.0))


def test_nonzero_static_errors():
    a = np.ones(3)
    check_error(lambda x: ember.nonzero_static(x, size=-1),
                lambda x: torch.nonzero_static(x, size=-1), a,
                match=["'size' must be an non-negative integer"])
    check_error(lambda x: ember.nonzero_static(x, 4), lambda x: torch.nonzero_static(x, 4), a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_resize(dtype, rng):
    a = rng.standard_normal((2, 6)).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = check(lambda x: x.resize(3, 4), lambda x: x.resize(3, 4), a)
        assert out[0].grad_fn.name() == "ResizeBackward"
        check(lambda x, o: x.resize_as(o), lambda x, o: x.resize_as(o), a,
              np.zeros((4, 3), dtype), grad=False)
        check_gradcheck(lambda x: x.resize(4, 3), a.astype(np.float64))
        x = ember.tensor(a)
        r = x.resize(12)
        assert r._base is None and r.data_ptr() == x.data_ptr()
        check_error(lambda x: x.resize(4, 2), lambda x: x.resize(4, 2), a,
                    match=["requested resize to 4x2 (8 elements in total)", "size of 2x6"])
        check_error(lambda x: x.resize((12,)), lambda x: x.resize((12,)), a,
                    match=["requested resize to (12,)"])
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        ember.ones(2).resize(2)
    with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
        ember.ones(2).resize_as(ember.ones(2, 1))


def test_apply_and_map_(rng):
    a = rng.standard_normal((2, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    for fn in (lambda x: x.apply_(lambda v: v * 2.7 + 1),
               lambda x: x.map_(x.new_tensor(b), lambda u, v: u * v - 1)):
        ex, tx = ember.tensor(a), torch.tensor(a)
        assert fn(ex) is ex
        fn(tx)
        assert_close_tensor(ex, tx)
        assert ex._version == tx._version
    for lib in (ember, torch):
        x = lib.tensor([-3, 1, 2])
        x.apply_(lambda v: v * 2.7)
        if lib is ember:
            e = x
    assert_close_tensor(e, x)
    check(lambda x: x.apply_(lambda v: not v), lambda x: x.apply_(lambda v: not v),
          np.array([True, False]))


def test_apply_and_map_errors():
    a = np.ones(3, np.float32)
    check_error(lambda x: x.requires_grad_().apply_(abs),
                lambda x: x.requires_grad_().apply_(abs), a,
                match=["Can't call apply_() on Variable that requires grad"])
    check_error(lambda x: x.map_(x.clone().requires_grad_(), max),
                lambda x: x.map_(x.clone().requires_grad_(), max), a,
                match=["Can't call map_() on Variable that requires grad"])
    check_error(lambda x, y: x.map_(y, max), lambda x, y: x.map_(y, max), a, np.arange(3),
                match=["map_: expected", "FloatTensor for 'other' (got", "LongTensor"])
    check_error(lambda x, y: x.map_(y, max), lambda x, y: x.map_(y, max), a,
                np.ones((2, 3), np.float32))
    check_error(lambda x: x.apply_(5), lambda x: x.apply_(5), a, match=["not callable"])


def test_share_memory_():
    for lib in (ember, torch):
        x = lib.ones(3)
        view = x[1:]
        assert not x.is_shared()
        assert x.share_memory_() is x
        assert x.is_shared() and view.is_shared() and not x.clone().is_shared()
