"""F.fractional_max_pool2d/3d and nn.FractionalMaxPool2d/3d against torch: with the same
_random_samples, identical values, indices and gradients; own samples from ember's RNG."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as EF
from harness import check, check_error, check_gradcheck

CASES = [  # nd, input shape, kernel_size, output_size
    (2, (2, 3, 9, 8), (2, 3), (4, 5)),
    (2, (3, 7, 6), 2, (6, 5)),               # unbatched, the largest output allowed
    (2, (1, 2, 5, 5), 1, 5),                 # kernel 1, output = input
    (2, (2, 2, 6, 7), (3, 2), (1, 1)),
    (2, (2, 2, 6, 7), (6, 7), (1, 1)),       # one window covering the plane
    (2, (2, 2, 6, 7), 2, (0, 3)),            # empty output
    (3, (2, 2, 6, 7, 8), (2, 2, 3), (4, 3, 5)),
    (3, (2, 5, 6, 7), 2, (2, 4, 5)),         # unbatched
    (3, (1, 1, 4, 4, 4), 1, 3),
]


def _samples(rng, shape, nd, dtype, extra=0):
    n = 1 if len(shape) == nd + 1 else shape[0]
    return rng.random((n + extra, shape[-nd - 1], nd)).astype(dtype)


def _fns(nd, k, out, s, **kw):
    def e(x):
        return getattr(EF, f"fractional_max_pool{nd}d")(
            x, k, output_size=out, return_indices=True, _random_samples=ember.tensor(s), **kw)

    def t(x):
        return getattr(TF, f"fractional_max_pool{nd}d")(
            x, k, output_size=out, return_indices=True, _random_samples=torch.tensor(s), **kw)
    return e, t


@pytest.mark.parametrize("nd,shape,k,out", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_samples_match_torch(rng, nd, shape, k, out, dtype):
    x = rng.standard_normal(shape).astype(dtype)
    e, t = _fns(nd, k, out, _samples(rng, shape, nd, dtype))
    check(e, t, x, rtol=0, atol=0, grad_rtol=1e-5, grad_atol=1e-6)


@pytest.mark.parametrize("nd,shape,k,out", [CASES[0], CASES[6]])
def test_float16_values_and_indices(rng, nd, shape, k, out):
    x = rng.standard_normal(shape).astype(np.float16)
    e, t = _fns(nd, k, out, _samples(rng, shape, nd, np.float16))
    check(e, t, x, rtol=0, atol=0, grad_rtol=2e-2, grad_atol=2e-2)


def test_samples_edge_values_and_extra_batch_rows(rng):
    # samples at 0, near 1, above 1 and negative are all used as given, as torch; a longer
    # sample batch is allowed (its first N rows are read)
    x = rng.standard_normal((2, 3, 11, 10))
    s = _samples(rng, x.shape, 2, np.float64, extra=2)
    s[0, 0] = [0.0, 0.0]
    s[0, 1] = [0.9999999, 0.9999999]
    s[1, 0] = [1.7, 2.3]
    s[1, 1] = [-0.4, -0.9]
    e, t = _fns(2, (2, 3), (5, 4), s)
    check(e, t, x, rtol=0, atol=0, grad_rtol=1e-5, grad_atol=1e-6)


def test_float32_interval_rounding_matches(rng):
    # many outputs from a long row: the float32 products decide the interval boundaries
    x = rng.standard_normal((1, 4, 3, 300)).astype(np.float32)
    e, t = _fns(2, (1, 2), (3, 157), _samples(rng, x.shape, 2, np.float32))
    check(e, t, x, rtol=0, atol=0, grad_rtol=1e-5, grad_atol=1e-6)


def test_non_contiguous_input(rng):
    x = rng.standard_normal((2, 8, 9, 3))
    s = _samples(rng, (2, 3, 8, 9), 2, np.float64)
    e, t = _fns(2, 2, (4, 4), s)
    check(lambda a: e(a.permute(0, 3, 1, 2)), lambda a: t(a.permute(0, 3, 1, 2)), x)


def test_ties_and_nan_pick_torch_index():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0]], [[1.0, np.nan, 2.0, np.nan]],
                   [[-np.inf, -np.inf, -np.inf, -np.inf]]]])
    e, t = _fns(2, (1, 4), (1, 1), np.zeros((1, 3, 2)))
    check(e, t, x, grad=False)
    e, t = _fns(2, (1, 2), (1, 2), np.zeros((1, 3, 2)))
    check(e, t, x, grad=False)


def test_overlapping_windows_accumulate_gradient(rng):
    x = np.ones((1, 1, 5, 5))   # all ties: every window picks its first element
    x[0, 0, 2, 2] = 5.0         # in every window that covers it
    e, t = _fns(2, 3, (3, 3), _samples(rng, x.shape, 2, np.float64))
    check(e, t, x, rtol=0, atol=0, grad_rtol=1e-5, grad_atol=1e-6)


@pytest.mark.parametrize("nd,shape,k,out", [(2, (1, 2, 6, 5), 2, (3, 3)),
                                            (3, (1, 2, 4, 5, 4), 2, (2, 3, 2))])
def test_gradcheck(rng, nd, shape, k, out):
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.1   # distinct values: no ties
    s = ember.tensor(_samples(rng, shape, nd, np.float64))
    fn = getattr(EF, f"fractional_max_pool{nd}d")
    check_gradcheck(lambda a: fn(a, k, output_size=out, _random_samples=s), x, gradgrad=True)


def test_output_ratio(rng):
    x = rng.standard_normal((2, 3, 9, 7))
    s = _samples(rng, x.shape, 2, np.float64)
    check(lambda a: EF.fractional_max_pool2d(a, 2, output_ratio=(0.5, 0.6),
                                             _random_samples=ember.tensor(s)),
          lambda a: TF.fractional_max_pool2d(a, 2, output_ratio=(0.5, 0.6),
                                             _random_samples=torch.tensor(s)), x)
    x3 = rng.standard_normal((1, 2, 6, 7, 8))
    s3 = _samples(rng, x3.shape, 3, np.float64)
    check(lambda a: EF.fractional_max_pool3d(a, 2, output_ratio=0.5,
                                             _random_samples=ember.tensor(s3)),
          lambda a: TF.fractional_max_pool3d(a, 2, output_ratio=0.5,
                                             _random_samples=torch.tensor(s3)), x3)


def test_with_indices_functions(rng):
    x = rng.standard_normal((2, 2, 7, 7))
    s = _samples(rng, x.shape, 2, np.float64)
    ye, ie = EF.fractional_max_pool2d_with_indices(ember.tensor(x), 2, (3, 3),
                                                    _random_samples=ember.tensor(s))
    yt, it = TF.fractional_max_pool2d_with_indices(torch.tensor(x), 2, (3, 3),
                                                    _random_samples=torch.tensor(s))
    np.testing.assert_array_equal(ye.numpy(), yt.numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())
    x3 = rng.standard_normal((1, 2, 5, 5, 5))
    s3 = _samples(rng, x3.shape, 3, np.float64)
    ye, ie = EF.fractional_max_pool3d_with_indices(ember.tensor(x3), 2, 3,
                                                    _random_samples=ember.tensor(s3))
    yt, it = TF.fractional_max_pool3d_with_indices(torch.tensor(x3), 2, 3,
                                                    _random_samples=torch.tensor(s3))
    np.testing.assert_array_equal(ye.numpy(), yt.numpy())
    np.testing.assert_array_equal(ie.numpy(), it.numpy())


def test_empty_batch(rng):
    x = np.zeros((0, 3, 5, 6))
    e, t = _fns(2, 2, 3, np.zeros((0, 3, 2)))
    check(e, t, x)


def test_own_samples_shape_dtype_determinism(rng):
    x = ember.tensor(rng.standard_normal((4, 3, 12, 12)).astype(np.float32))
    ember.manual_seed(5)
    a, ia = EF.fractional_max_pool2d(x, 2, output_size=5, return_indices=True)
    ember.manual_seed(5)
    b, ib = EF.fractional_max_pool2d(x, 2, output_size=5, return_indices=True)
    assert ember.equal(a, b) and ember.equal(ia, ib)
    assert a.dtype == ember.float32 and tuple(a.shape) == (4, 3, 5, 5)
    # the samples drawn are rand(N, C, 2) of the input's dtype, from ember's generator
    ember.manual_seed(5)
    s = ember.rand(4, 3, 2, dtype=ember.float32)
    c = EF.fractional_max_pool2d(x, 2, output_size=5, _random_samples=s)
    assert ember.equal(a, c)
    ember.manual_seed(5)
    s3 = ember.rand(1, 3, 3, dtype=ember.float64)
    x3 = ember.tensor(rng.standard_normal((3, 6, 6, 6)))
    ember.manual_seed(5)
    d = EF.fractional_max_pool3d(x3, 2, output_size=3)
    assert ember.equal(d, EF.fractional_max_pool3d(x3, 2, output_size=3, _random_samples=s3))
    # values come from their windows: each output is the max of its recorded index
    flat = x.numpy().reshape(4, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, ia.numpy().reshape(4, 3, -1), -1),
                                  a.numpy().reshape(4, 3, -1))


def test_modules_match_torch(rng):
    x = rng.standard_normal((2, 3, 9, 8))
    s = _samples(rng, x.shape, 2, np.float64)
    tm = torch.nn.FractionalMaxPool2d((2, 3), output_size=(4, 4), return_indices=True,
                                      _random_samples=torch.tensor(s))
    em = ember.nn.FractionalMaxPool2d((2, 3), output_size=(4, 4), return_indices=True,
                                      _random_samples=ember.tensor(s))
    assert repr(em) == repr(tm) == "FractionalMaxPool2d()"
    assert list(em.state_dict()) == list(tm.state_dict()) == ["_random_samples"]
    check(em, tm, x, rtol=0, atol=0, grad_rtol=1e-5, grad_atol=1e-6)
    x3 = rng.standard_normal((1, 2, 6, 7, 8))
    s3 = _samples(rng, x3.shape, 3, np.float64)
    tm = torch.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=torch.tensor(s3))
    em = ember.nn.FractionalMaxPool3d(2, output_ratio=0.5, _random_samples=ember.tensor(s3))
    check(em, tm, x3, rtol=0, atol=0, grad_rtol=1e-5, grad_atol=1e-6)
    m = ember.nn.FractionalMaxPool2d(3, output_ratio=0.5)
    assert list(m.state_dict()) == [] and tuple(m(ember.randn(2, 3, 10, 8)).shape) == (2, 3, 5, 4)


@pytest.mark.parametrize("args", [
    dict(kernel_size=2),
    dict(kernel_size=2, output_size=2, output_ratio=0.5),
    dict(kernel_size=2, output_ratio=1.0),
    dict(kernel_size=2, output_ratio=(0.5, 0.0)),
])
@pytest.mark.parametrize("name", ["FractionalMaxPool2d", "FractionalMaxPool3d"])
def test_module_errors(name, args):
    check_error(lambda: getattr(ember.nn, name)(**args), lambda: getattr(torch.nn, name)(**args),
                match=[])
    with pytest.raises(ValueError) as et:
        getattr(torch.nn, name)(**args)
    with pytest.raises(ValueError) as ee:
        getattr(ember.nn, name)(**args)
    assert str(ee.value) == str(et.value)


X4 = np.zeros((2, 3, 7, 6))
S4 = np.full((2, 3, 2), 0.5)


@pytest.mark.parametrize("call,match", [
    (lambda F, T, x: F.fractional_max_pool2d(x, 2), ["requires specifying either"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5, 0.5)),
     ["output_ratio to either be"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, output_ratio=0.5), ["has no len()"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, (2, 2, 2), _random_samples=T.tensor(S4)),
     ["output_size must either be a single Int or tuple of Ints"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, (2, 2, 2), 2, _random_samples=T.tensor(S4)),
     ["kernel_size must either be a single Int or tuple of Ints"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2.0, 2, _random_samples=T.tensor(S4)),
     ["argument 'kernel_size' (position 2) must be tuple of ints, not float"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, (7, 3), _random_samples=T.tensor(S4)),
     ["fractional_max_pool2d(): pool height 2 too large relative to input height 7"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, (2, 3), (3, 5), _random_samples=T.tensor(S4)),
     ["pool width 3 too large relative to input width 6"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, 3, _random_samples=T.tensor(S4[:1])),
     ["Expect _random_samples.size(0) no less then input batch size."]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, 3, _random_samples=T.tensor(S4[:, :2])),
     ["Expect _random_samples.size(1) equals to input channel size."]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, 3, _random_samples=T.zeros(2, 3, 3,
                                                                               dtype=T.float64)),
     ["Expect _random_samples.size(2) equals to 2; got 3."]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, 3, _random_samples=T.zeros(2, 3, 2, 1,
                                                                               dtype=T.float64)),
     ["Expect _random_samples to have 3 dimensions, got 4"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, 3, _random_samples=T.zeros(2, 3, 2)),
     ["Expect _random_samples to have the same dtype as input"]),
    (lambda F, T, x: F.fractional_max_pool2d(x[0, 0], 2, 3, _random_samples=T.tensor(S4)),
     ["fractional_max_pool2d(): Expected 3D or 4D tensor, but got: [7, 6]"]),
    (lambda F, T, x: F.fractional_max_pool2d(x[:, :, :0], 2, 3, _random_samples=T.tensor(S4)),
     ["Expected input to have non-zero size for non-batch dimensions", "dimension 2"]),
    (lambda F, T, x: F.fractional_max_pool2d(x.long(), 2, 3,
                                             _random_samples=T.zeros(2, 3, 2).long()),
     ["not implemented for 'Long'"]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, (-1, 2), _random_samples=T.tensor(S4)),
     ["negative dimension -1"]),
    (lambda F, T, x: F.fractional_max_pool3d(x.unsqueeze(2), 2, (1, 3, 3),
                                             _random_samples=T.zeros(2, 3, 3,
                                                                     dtype=T.float64)),
     ["fractional_max_pool3d_out(): pool time 2 too large relative to input time 1"]),
    (lambda F, T, x: F.fractional_max_pool3d(T.zeros(1, 1, 5, 6, 7, dtype=T.float64), 2,
                                             (3, 3, 6),
                                             _random_samples=T.zeros(1, 1, 3, dtype=T.float64)),
     ["pool width 2 too large relative to input width 7"]),
    (lambda F, T, x: F.fractional_max_pool3d(x, 2, 2, _random_samples=T.tensor(S4)),
     ["fractional_max_pool3d_out(): pool time 2 too large relative to input time 3"]),
    (lambda F, T, x: F.fractional_max_pool3d(T.zeros(2, 3, 5, 6, 7, dtype=T.float64), 2, 2,
                                             _random_samples=T.tensor(S4)),
     ["Expect _random_samples.size(2) equals to 3; got 2."]),
    (lambda F, T, x: F.fractional_max_pool2d(x, 2, 7, _random_samples=T.zeros(2, 3, 2)),
     ["pool height 2 too large"]),   # the sizes are checked before the samples
    (lambda F, T, x: F.fractional_max_pool3d(x[0], 2, 2, _random_samples=T.zeros(
        1, 7, 3, dtype=T.float64)), ["Expected 4D or 5D tensor, but got: [3, 7, 6]"]),
    (lambda F, T, x: F.fractional_max_pool3d(x, 2, (2, 2),
                                             _random_samples=T.zeros(2, 3, 3, dtype=T.float64)),
     ["output_size must either be a single Int or tuple of three Ints"]),
])
def test_errors(call, match):
    check_error(lambda x: call(EF, ember, x), lambda x: call(TF, torch, x), X4, match=match)


def test_kernel_size_zero_rejected():
    # torch reads outside the input for a kernel <= 0; ember refuses it
    with pytest.raises(RuntimeError, match="kernel_size must be greater than zero"):
        EF.fractional_max_pool2d(ember.zeros(1, 1, 4, 4), 0, 2,
                                 _random_samples=ember.zeros(1, 1, 2))
