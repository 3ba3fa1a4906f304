"""The top-level nn ops (ember.conv2d, ember.dropout, ember.batch_norm, ember.kl_div, ...)
against torch's top-level forms, called positionally as torch allows: values, dtypes,
gradients, the int reductions, the random dropouts' statistics, and the errors."""

import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
from ember.ops import toplevel_nn
from harness import check, check_error, check_gradcheck

NAMES = toplevel_nn.__all__
SAME_AS_FUNCTIONAL = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                      "conv_transpose3d", "avg_pool1d", "adaptive_avg_pool1d",
                      "cosine_similarity", "pairwise_distance", "pixel_shuffle",
                      "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "bilinear",
                      "pdist", "rrelu_"]
DTYPES = [np.float32, np.float64]


def both(name):
    """ember.NAME and torch.NAME, for check(...)."""
    return getattr(ember, name), getattr(torch, name)


def call(name, *args, **kw):
    """(ember fn, torch fn) calling NAME(*inputs, *args, **kw) in each framework."""
    e, t = both(name)
    return (lambda *xs: e(*xs, *args, **kw)), (lambda *xs: t(*xs, *args, **kw))


# ----------------------------------------------------------------------------- names
@pytest.mark.parametrize("name", NAMES)
def test_name_in_torch_and_ember(name):
    assert callable(getattr(torch, name))
    assert getattr(ember, name) is getattr(toplevel_nn, name)


@pytest.mark.parametrize("name", SAME_AS_FUNCTIONAL)
def test_shared_signature_is_the_functional_op(name):
    assert getattr(ember, name) is getattr(F, name)


def test_the_names():
    assert set(NAMES) == set(SAME_AS_FUNCTIONAL) | {
        "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
        "adaptive_max_pool1d", "dropout", "dropout_", "alpha_dropout", "alpha_dropout_",
        "feature_dropout", "feature_dropout_", "feature_alpha_dropout",
        "feature_alpha_dropout_", "embedding", "layer_norm", "group_norm", "batch_norm",
        "instance_norm", "rms_norm", "constant_pad_nd", "detach", "detach_", "kl_div",
        "binary_cross_entropy_with_logits", "cosine_embedding_loss", "hinge_embedding_loss",
        "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss", "rrelu"}
    assert len(NAMES) == len(set(NAMES))


# ----------------------------------------------------------------------------- conv
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_positional(rng, dtype, nd):
    sp = (5,) * nd
    x = rng.standard_normal((2, 4) + sp).astype(dtype)
    w = rng.standard_normal((6, 2) + (3,) * nd).astype(dtype)
    b = rng.standard_normal(6).astype(dtype)
    e, t = call(f"conv{nd}d", 2, 1, 1, 2)   # stride, padding, dilation, groups
    check(e, t, x, w, b, rtol=1e-4, atol=1e-5)
    e, t = call(f"conv{nd}d", 1, "same")
    check(lambda x, w: e(x, w, None), lambda x, w: t(x, w, None), x,
          rng.standard_normal((3, 4) + (3,) * nd).astype(dtype), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_positional(rng, nd):
    sp = (4,) * nd
    x = rng.standard_normal((2, 4) + sp)
    w = rng.standard_normal((4, 3) + (3,) * nd)
    b = rng.standard_normal(6)
    # stride, padding, output_padding, groups, dilation
    e, t = call(f"conv_transpose{nd}d", 2, 1, 1, 2, 1)
    check(e, t, x, w, b)


def test_conv_non_contiguous_and_empty(rng):
    x = rng.standard_normal((2, 3, 6, 5))
    w = rng.standard_normal((4, 3, 3, 3))
    check(lambda x, w: ember.conv2d(x.transpose(2, 3), w),
          lambda x, w: torch.conv2d(x.transpose(2, 3), w), x, w)
    check(*both("conv2d"), np.zeros((0, 3, 6, 5)), w)


# ----------------------------------------------------------------------------- pooling
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_pool_positional(rng, dtype, nd):
    x = rng.standard_normal((2, 3) + (7,) * nd).astype(dtype)
    check(*call(f"max_pool{nd}d", 3, 2, 1, 1, True), x)   # k, stride, pad, dilation, ceil
    check(*call(f"max_pool{nd}d", 2), x)                  # default stride: the kernel
    check(*call(f"max_pool{nd}d", 2, ()), x)              # torch's () default, explicitly
    check(*call(f"max_pool{nd}d", 3, 1, 0, 2), x)


def test_max_pool_has_no_return_indices(rng):
    x = rng.standard_normal((1, 2, 4, 4))
    check_error(lambda x: ember.max_pool2d(x, 2, return_indices=True),
                lambda x: torch.max_pool2d(x, 2, return_indices=True), x)


def test_max_pool1d_with_indices_and_adaptive_max(rng):
    x = rng.standard_normal((2, 3, 9))
    out = check(*call("max_pool1d_with_indices", 3, 2, 1), x)
    assert len(out) == 2 and out[1].dtype == ember.int64
    out = check(*call("adaptive_max_pool1d", 4), x)
    assert len(out) == 2 and out[1].dtype == ember.int64
    check(*call("adaptive_max_pool1d", [2]), x[0])   # unbatched (C, L)


@pytest.mark.parametrize("dtype", DTYPES)
def test_avg_pools(rng, dtype):
    x = rng.standard_normal((2, 3, 9)).astype(dtype)
    check(*call("avg_pool1d", 3, 2, 1, True, False), x)   # k, stride, pad, ceil, count_pad
    check(*call("avg_pool1d", 2), x)
    check(*call("adaptive_avg_pool1d", 4), x)
    check(*call("adaptive_avg_pool1d", 4), x.transpose(1, 0, 2).copy())


# ----------------------------------------------------------------------------- distances etc.
@pytest.mark.parametrize("dtype", DTYPES)
def test_distances_and_shuffles(rng, dtype):
    a = rng.standard_normal((4, 5)).astype(dtype)
    b = rng.standard_normal((4, 5)).astype(dtype)
    check(*call("cosine_similarity", 0, 1e-6), a, b)
    check(*both("cosine_similarity"), a, b[:1])           # broadcasting
    check(*call("pairwise_distance", 1.0, 1e-5, True), a, b)
    check(*call("pairwise_distance", 3), a, b)
    x = rng.standard_normal((2, 8, 3, 4)).astype(dtype)
    check(*call("pixel_shuffle", 2), x)
    check(*call("pixel_unshuffle", 1), x)
    check(*call("pixel_unshuffle", 2), rng.standard_normal((2, 2, 4, 6)).astype(dtype))
    check(*call("channel_shuffle", 4), x)
    check(*call("native_channel_shuffle", 2), x, grad=False)   # torch: no derivative


def test_bilinear_positional(rng):
    x1 = rng.standard_normal((3, 4))
    x2 = rng.standard_normal((3, 5))
    w = rng.standard_normal((2, 4, 5))
    check(*both("bilinear"), x1, x2, w, rng.standard_normal(2))
    check(*both("bilinear"), x1, x2, w)


# ----------------------------------------------------------------------------- dropout
DROPOUTS = ["dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout"]
FUNCTIONAL = {"dropout": lambda x, p: F.dropout(x, p, True),
              "alpha_dropout": lambda x, p: F.alpha_dropout(x, p, True),
              "feature_dropout": lambda x, p: F.dropout2d(x, p, True),
              "feature_alpha_dropout": lambda x, p: F.feature_alpha_dropout(x, p, True)}


@pytest.mark.parametrize("name", DROPOUTS)
def test_dropout_identity_cases_return_the_input(rng, name):
    for x in (ember.randn(3, 4, requires_grad=True), ember.randn(0, 3),
              ember.tensor([[1, 2]])):
        e = getattr(ember, name)
        assert e(x, 0.5, False) is x
        assert e(x, 0.0, True) is x
        assert getattr(ember, name + "_")(x, 0.5, False) is x
    x = ember.randn(5)
    assert getattr(ember, name)(x, 0.3, False) is x   # 1-D fine outside training


@pytest.mark.parametrize("name", DROPOUTS)
def test_dropout_p_one_zeroes(rng, name):
    x = rng.standard_normal((3, 4))
    check(*call(name, 1.0, True), x)
    check(*call(name, 1.0, True), np.arange(6).reshape(2, 3), grad=False)   # ints too
    check(*call(name, 1.0, True), rng.standard_normal(5))   # feature ones: 1-D fine at p=1


@pytest.mark.parametrize("name", DROPOUTS)
def test_dropout_errors(rng, name):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    for p, train in ((1.5, True), (-0.1, False)):
        check_error(*call(name, p, train), x,
                    match=["dropout probability has to be between 0 and 1", str(p)])
    check_error(*call(name, 0.5, True), np.arange(6).reshape(2, 3),
                match=["result type Float can't be cast to the desired output type Long"])
    check_error(*call(name, 0.5, 1), x, match=["argument 'train'", "must be bool"])
    check_error(lambda x: getattr(ember, name)(x, 0.5),
                lambda x: getattr(torch, name)(x, 0.5), x)
    if name.startswith("feature"):
        check_error(*call(name, 0.5, True), rng.standard_normal(4),
                    match=["Feature dropout requires at least 2 dimensions in the input"])


@pytest.mark.parametrize("name", DROPOUTS)
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_dropout_matches_functional_under_seed(name, dtype):
    x = ember.randn(4, 6, 3, 3, dtype=dtype)
    ember.manual_seed(7)
    want = FUNCTIONAL[name](x, 0.3)
    ember.manual_seed(7)
    got = getattr(ember, name)(x, 0.3, True)
    assert got.dtype == dtype and got.shape == x.shape
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    ember.manual_seed(7)
    y = x.clone()
    assert getattr(ember, name + "_")(y, 0.3, True) is y   # in place, same mask
    np.testing.assert_array_equal(y.numpy(), want.numpy())


def test_dropout_statistics_and_gradient():
    ember.manual_seed(0)
    x = ember.ones(200, 500, dtype=ember.float64, requires_grad=True)
    y = ember.dropout(x, 0.25, True)
    v = y.detach().numpy()
    assert set(np.unique(v)) <= {0.0, 1 / 0.75}
    assert abs((v == 0).mean() - 0.25) < 0.01    # 100000 draws: sd 0.0014
    y.backward(ember.full_like(y, 2.0))
    np.testing.assert_allclose(x.grad.numpy(), 2 * v)   # d = mask / (1 - p)


def test_feature_dropout_drops_whole_channels():
    ember.manual_seed(1)
    x = ember.ones(50, 40, 3, 2)
    v = ember.feature_dropout(x, 0.5, True).numpy().reshape(50, 40, 6)
    assert np.all((v == 0).all(-1) | (v == 2.0).all(-1))
    assert abs((v[..., 0] == 0).mean() - 0.5) < 0.05   # 2000 channels: sd 0.011
    v = ember.feature_dropout(ember.ones(300, 40), 0.5, True).numpy()   # 2-D: per element
    assert abs((v == 0).mean() - 0.5) < 0.02


def test_alpha_dropout_keeps_moments():
    ember.manual_seed(2)
    x = ember.randn(400, 500, dtype=ember.float64)
    v = ember.alpha_dropout(x, 0.2, True).numpy()
    assert abs(v.mean()) < 0.02 and abs(v.std() - 1) < 0.02   # 200000 draws
    v = ember.feature_alpha_dropout(ember.randn(100, 300, 4, dtype=ember.float64), 0.2,
                                    True).numpy()
    assert abs(v.mean()) < 0.05 and abs(v.std() - 1) < 0.05


@pytest.mark.parametrize("name", DROPOUTS)
def test_inplace_dropout_on_leaf_refused(name):
    for lib in (torch, ember):
        x = lib.ones(3, 4, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            getattr(lib, name + "_")(x, 0.5, True)


# ----------------------------------------------------------------------------- embedding
@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_positional(rng, dtype):
    w = rng.standard_normal((6, 3)).astype(dtype)
    idx = np.array([[1, 2, 2], [0, 5, 2]])
    check(*both("embedding"), w, idx)
    check(*both("embedding"), w, idx.astype(np.int32))
    for pad in (2, -1, -4, 6, 9):   # outside [0, 6): no padding row
        check(*call("embedding", pad), w, idx)
    check(*call("embedding", 2, True), w, idx)   # scale_grad_by_freq
    check(*call("embedding", -1, True, False), w, idx)
    check(*both("embedding"), w, np.zeros((0,), np.int64))
    check(*both("embedding"), w, np.array(4))


def test_embedding_errors(rng):
    w = rng.standard_normal((6, 3))
    check_error(*both("embedding"), rng.standard_normal((6, 3, 2)), np.array([1]),
                match=["'weight' must be 2-D"])
    check_error(*both("embedding"), w, np.array([1.0]), match=["Long, Int"])
    check_error(*both("embedding"), w, np.array([6]), match=["index out of range"])


# ----------------------------------------------------------------------------- norms
@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_positional(rng, dtype):
    x = rng.standard_normal((2, 3, 4)).astype(dtype)
    w = rng.standard_normal((3, 4)).astype(dtype)
    b = rng.standard_normal((3, 4)).astype(dtype)
    check(*call("layer_norm", [3, 4]), x, rtol=1e-4, atol=1e-5)
    check(lambda x, w, b: ember.layer_norm(x, (3, 4), w, b, 1e-3, False),
          lambda x, w, b: torch.layer_norm(x, (3, 4), w, b, 1e-3, False), x, w, b,
          rtol=1e-4, atol=1e-5)
    check(lambda x, w: ember.layer_norm(x.transpose(0, 1), [2, 4], w),
          lambda x, w: torch.layer_norm(x.transpose(0, 1), [2, 4], w), x,
          rng.standard_normal((2, 4)).astype(dtype), rtol=1e-4, atol=1e-5)


def test_norm_shape_must_be_a_sequence(rng):
    x = rng.standard_normal((2, 3))
    for name in ("layer_norm", "rms_norm"):
        check_error(*call(name, 3), x, match=["normalized_shape", "must be tuple of ints"])
    check_error(*call("layer_norm", [3], None, None, 1e-5, 1), x,
                match=["cudnn_enable", "must be bool"])


@pytest.mark.parametrize("dtype", DTYPES)
def test_rms_and_group_norm_positional(rng, dtype):
    x = rng.standard_normal((2, 4, 3)).astype(dtype)
    check(*call("rms_norm", [4, 3]), x, rtol=1e-4, atol=1e-5)
    check(lambda x, w: ember.rms_norm(x, [3], w, 1e-3),
          lambda x, w: torch.rms_norm(x, [3], w, 1e-3), x, rng.standard_normal(3).astype(dtype),
          rtol=1e-4, atol=1e-5)
    w = rng.standard_normal(4).astype(dtype)
    check(*call("group_norm", 2), x, rtol=1e-4, atol=1e-5)
    check(lambda x, w, b: ember.group_norm(x, 2, w, b, 1e-3, False),
          lambda x, w, b: torch.group_norm(x, 2, w, b, 1e-3, False), x, w, w + 1,
          rtol=1e-4, atol=1e-5)
    check(*call("group_norm", 4), x[:, :, 0].copy(), rtol=1e-4, atol=1e-5)   # (N, C)
    check_error(*call("group_norm", 3), x, match=["divisible by num_groups"])


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_positional(rng, training):
    x = rng.standard_normal((4, 3, 5))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    e_rm, e_rv = ember.tensor(rm), ember.tensor(rv)
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
    check(lambda x, w, b: ember.batch_norm(x, w, b, e_rm, e_rv, training, 0.2, 1e-3, True),
          lambda x, w, b: torch.batch_norm(x, w, b, t_rm, t_rv, training, 0.2, 1e-3, True),
          x, w, b)
    np.testing.assert_allclose(e_rm.numpy(), t_rm.numpy())   # running stats updated alike
    np.testing.assert_allclose(e_rv.numpy(), t_rv.numpy())
    if training:
        check(lambda x: ember.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
              lambda x: torch.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False), x)
    else:
        check_error(lambda x: ember.batch_norm(x, None, None, None, None, False, 0.1, 1e-5,
                                               False),
                    lambda x: torch.batch_norm(x, None, None, None, None, False, 0.1, 1e-5,
                                               False), x, match=["running_mean"])


def test_instance_norm_positional(rng):
    x = rng.standard_normal((2, 3, 5))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    check(lambda x, w, b: ember.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
          lambda x, w, b: torch.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
          x, w, b)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    e_rm, e_rv = ember.tensor(rm), ember.tensor(rv)
    t_rm, t_rv = torch.tensor(rm), torch.tensor(rv)
    check(lambda x: ember.instance_norm(x, None, None, e_rm, e_rv, True, 0.3, 1e-5, True),
          lambda x: torch.instance_norm(x, None, None, t_rm, t_rv, True, 0.3, 1e-5, True), x)
    np.testing.assert_allclose(e_rm.numpy(), t_rm.numpy())
    np.testing.assert_allclose(e_rv.numpy(), t_rv.numpy())
    check(lambda x: ember.instance_norm(x, None, None, e_rm, e_rv, False, 0.3, 1e-5, True),
          lambda x: torch.instance_norm(x, None, None, t_rm, t_rv, False, 0.3, 1e-5, True), x)
    check_error(lambda x: ember.instance_norm(x, None, None, None, None, False, 0.1, 1e-5,
                                              False),
                lambda x: torch.instance_norm(x, None, None, None, None, False, 0.1, 1e-5,
                                              False),
                x, match=["running_mean and running_var to be defined"])


# ----------------------------------------------------------------------------- pad, detach
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_constant_pad_nd(rng, dtype):
    x = (rng.standard_normal((2, 3, 4)) * 5).astype(dtype)
    check(*call("constant_pad_nd", [1, 2]), x)
    check(*call("constant_pad_nd", [1, 2, 0, 1], 1.5), x)   # int input: value truncated
    check(*call("constant_pad_nd", (-1, 2, 1, -1, 1, 1), 7), x)   # negative: crop
    check(*call("constant_pad_nd", [], 3), x)
    check(*call("constant_pad_nd", [2, 1], value=-2), np.zeros((0, 2), dtype))


def test_constant_pad_nd_errors(rng):
    x = rng.standard_normal((2, 3))
    check_error(*call("constant_pad_nd", [1, 2, 1]), x, match=["2"])
    check_error(*call("constant_pad_nd", [1] * 6), x)
    check_error(*call("constant_pad_nd", [-2, -2]), x)
    check_error(*call("constant_pad_nd", 1), x, match=["'pad'", "must be tuple of ints"])


def test_detach(rng):
    x = ember.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    y = x * 2
    d = ember.detach(y)
    assert not d.requires_grad and d.grad_fn is None
    np.testing.assert_array_equal(d.numpy(), y.detach().numpy())
    assert ember.detach_(y) is y
    assert not y.requires_grad and y.grad_fn is None
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    assert torch.detach(tx * 2).requires_grad is ember.detach(x * 2).requires_grad


# ----------------------------------------------------------------------------- losses
REDUCTIONS = [0, 1, 2, 3, -1]


def _losses_inputs(rng, dtype):
    a = rng.standard_normal((4, 5)).astype(dtype)
    b = rng.standard_normal((4, 5)).astype(dtype)
    c = rng.standard_normal((4, 5)).astype(dtype)
    p = rng.random((4, 5)).astype(dtype)
    sign = np.where(rng.random(4) < 0.5, -1.0, 1.0).astype(dtype)
    return a, b, c, p, sign


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("r", REDUCTIONS)
def test_losses_int_reduction(rng, dtype, r):
    a, b, c, p, sign = _losses_inputs(rng, dtype)
    tol = {"rtol": 1e-4, "atol": 1e-5}
    logp = np.log(p + 0.1).astype(dtype)
    check(*call("kl_div", r), a, p, **tol)
    check(*call("kl_div", r, log_target=True), a, logp, **tol)
    check(*call("binary_cross_entropy_with_logits", None, None, r), a, p, **tol)
    check(*call("binary_cross_entropy_with_logits", reduction=r), a, p, **tol)
    w, pw = p[0], np.abs(b[0])   # torch: not differentiable in weight and pos_weight
    check(lambda x, y: ember.binary_cross_entropy_with_logits(x, y, ember.tensor(w),
                                                              ember.tensor(pw), r),
          lambda x, y: torch.binary_cross_entropy_with_logits(x, y, torch.tensor(w),
                                                              torch.tensor(pw), r),
          a, p, **tol)
    check(*call("cosine_embedding_loss", 0.2, r), a, b, sign, **tol)
    check(*call("hinge_embedding_loss", 0.5, r), a, np.where(b > 0, 1.0, -1.0).astype(dtype),
          **tol)
    check(*call("margin_ranking_loss", 0.1, r), a, b, np.sign(c), **tol)
    check(*call("poisson_nll_loss", True, False, 1e-8, r), a, p * 3, **tol)
    check(*call("poisson_nll_loss", False, True, 1e-6, r), np.abs(a) + 0.1, p * 3, **tol)
    check(*call("triplet_margin_loss", 0.5, 1.5, 1e-6, True, r), a, b, c, **tol)
    check(*call("triplet_margin_loss", 1.0, 2, 1e-6, False, r), a[0], b[0], c[0], **tol)


def test_losses_omitted_reduction_is_none(rng):
    # torch's binding reads the schemas' `reduction=Mean` default as 0: unreduced
    a, b, c, p, sign = _losses_inputs(rng, np.float64)
    assert ember.kl_div(ember.tensor(a), ember.tensor(p)).shape == (4, 5)
    check(*both("kl_div"), a, p)
    check(*both("binary_cross_entropy_with_logits"), a, p)
    check(*both("cosine_embedding_loss"), a, b, sign)
    check(*both("hinge_embedding_loss"), a, np.sign(b))
    check(*both("margin_ranking_loss"), a, b, np.sign(c))
    check(*both("triplet_margin_loss"), a, b, c)


# the functional BCE-with-logits' mean of no elements warns from NumPy (torch does not)
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_losses_zero_dim_and_empty():
    check(*call("hinge_embedding_loss", 1.0, 1), np.array(0.3), np.array(-1.0))
    check(*call("margin_ranking_loss", 0.5, 2), np.array(0.3), np.array(-0.2), np.array(1.0))
    for r in (0, 1, 2):
        check(*call("kl_div", r), np.zeros((0, 3)), np.zeros((0, 3)))
        check(*call("binary_cross_entropy_with_logits", None, None, r), np.zeros(0),
              np.zeros(0))


def test_dropout_zero_dim_and_non_contiguous(rng):
    check(*call("dropout", 1.0, True), np.array(2.5))
    check(*call("alpha_dropout", 1.0, True), np.array(2.5))
    x = rng.standard_normal((3, 4, 5))
    check(lambda x: ember.feature_dropout(x.transpose(0, 2), 1.0, True),
          lambda x: torch.feature_dropout(x.transpose(0, 2), 1.0, True), x)
    xe = ember.tensor(x).transpose(0, 2)
    ember.manual_seed(3)
    want = F.dropout(xe, 0.4, True)
    ember.manual_seed(3)
    np.testing.assert_array_equal(ember.dropout(xe, 0.4, True).numpy(), want.numpy())


def test_kl_div_mean_does_not_warn(rng):
    a = ember.tensor(rng.standard_normal((3, 4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.kl_div(a, a.exp(), 1)
    with pytest.warns(UserWarning, match="batchmean"):   # the functional form still does
        F.kl_div(a, a.exp())


def test_losses_broadcast_as_torch(rng):
    a, b, c, p, sign = _losses_inputs(rng, np.float64)
    # margin_ranking_loss: no same-dims rule at the top level, the three broadcast
    check(*call("margin_ranking_loss", 0.0, 0), a, b[0], sign[:, None])
    check(*call("margin_ranking_loss", 0.3, 1), a, b, sign[:, None])
    # BCE with logits: input broadcasts to target's shape, not the other way
    # (torch's backward fails for a broadcast input; ember's sums the gradient over it)
    check(*call("binary_cross_entropy_with_logits", None, None, 0), a[:1], p, grad=False)
    check(*call("binary_cross_entropy_with_logits", None, None, 2), a[0], p, grad=False)
    x = ember.tensor(a[0], requires_grad=True)
    ember.binary_cross_entropy_with_logits(x, ember.tensor(p), None, None, 2).backward()
    sig = 1 / (1 + np.exp(-a[0]))
    np.testing.assert_allclose(x.grad.numpy(), (sig - p).sum(0))   # d = sigmoid(x) - y
    check_error(*call("binary_cross_entropy_with_logits", None, None, 0), a, p[:1],
                match=["doesn't match the broadcast shape"])
    check_error(*call("margin_ranking_loss", 0.0, 0), a, b, sign)


@pytest.mark.parametrize("bad", ["mean", True, None, 1.0])
def test_reduction_must_be_int(rng, bad):
    a, b, c, p, sign = _losses_inputs(rng, np.float32)
    cases = [("kl_div", (a, p)), ("binary_cross_entropy_with_logits", (a, p)),
             ("hinge_embedding_loss", (a, np.sign(b))),
             ("cosine_embedding_loss", (a, b, sign)),
             ("margin_ranking_loss", (a, b, np.sign(c))),
             ("triplet_margin_loss", (a, b, c))]
    for name, xs in cases:
        check_error(*call(name, reduction=bad), *xs, match=["argument 'reduction'",
                                                            "must be int"])
    check_error(*call("poisson_nll_loss", True, False, 1e-8, bad), a, p,
                match=["argument 'reduction'", "must be int"])


def test_reduction_accepts_index_ints(rng):
    a, b, c, p, sign = _losses_inputs(rng, np.float64)
    check(*call("kl_div", np.int64(2)), a, p)
    check(lambda x, y: ember.kl_div(x, y, ember.tensor(2)),
          lambda x, y: torch.kl_div(x, y, torch.tensor(2)), a, p)


def test_losses_signature_errors(rng):
    a, b, c, p, sign = _losses_inputs(rng, np.float64)
    check_error(lambda x, y: ember.kl_div(x, y, 1, True),   # log_target is keyword-only
                lambda x, y: torch.kl_div(x, y, 1, True), a, p)
    check_error(lambda x, y: ember.poisson_nll_loss(x, y),   # every argument required
                lambda x, y: torch.poisson_nll_loss(x, y), a, p)
    check_error(*call("cosine_embedding_loss", 0.0, 0), a, b[0], sign)


# ----------------------------------------------------------------------------- gradcheck
GRADCHECK = {
    "conv2d": (lambda x, w: ember.conv2d(x, w, None, 1, 1), [(1, 2, 4, 4), (3, 2, 3, 3)]),
    "conv_transpose1d": (lambda x, w: ember.conv_transpose1d(x, w, None, 2, 1, 1),
                         [(1, 2, 4), (2, 3, 3)]),
    "max_pool2d": (lambda x: ember.max_pool2d(x, 2, 1), [(1, 2, 4, 4)]),
    "layer_norm": (lambda x, w, b: ember.layer_norm(x, [4], w, b), [(3, 4), (4,), (4,)]),
    "group_norm": (lambda x, w: ember.group_norm(x, 2, w), [(2, 4, 3), (4,)]),
    "batch_norm": (lambda x, w, b: ember.batch_norm(x, w, b, None, None, True, 0.1, 1e-5,
                                                    False), [(4, 3, 2), (3,), (3,)]),
    "instance_norm": (lambda x: ember.instance_norm(x, None, None, None, None, True, 0.1, 1e-5,
                                                    False), [(2, 3, 4)]),
    "embedding": (lambda w: ember.embedding(w, ember.tensor([0, 2, 2, 1])), [(3, 2)]),
    "constant_pad_nd": (lambda x: ember.constant_pad_nd(x, [1, -1, 2, 0], 0.5), [(3, 4)]),
    "kl_div": (lambda x, y: ember.kl_div(x, y, 2), [(3, 4), (3, 4)]),
    "binary_cross_entropy_with_logits": (
        lambda x, y: ember.binary_cross_entropy_with_logits(x, y, None, ember.tensor(
            [0.5, 1.0, 2.0, 3.0], dtype=ember.float64), 1), [(1, 4), (3, 4)]),
    "margin_ranking_loss": (lambda x, y: ember.margin_ranking_loss(x, y, ember.tensor(
        [[1.0], [-1.0], [1.0]]), 0.1, 0), [(3, 4), (4,)]),
    "triplet_margin_loss": (lambda a, p, n: ember.triplet_margin_loss(a, p, n, 2.0, 2, 1e-6,
                                                                      True, 0),
                            [(3, 4), (3, 4), (3, 4)]),
    "poisson_nll_loss": (lambda x, y: ember.poisson_nll_loss(x, y, True, True, 1e-8, 1),
                         [(3, 4), (3, 4)]),
}


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(rng, name):
    fn, shapes = GRADCHECK[name]
    inputs = [rng.standard_normal(s) for s in shapes]
    if name in ("kl_div", "binary_cross_entropy_with_logits", "poisson_nll_loss"):
        inputs[1] = rng.random(shapes[1]) + 0.5   # targets: probabilities / counts
    check_gradcheck(fn, *inputs)
