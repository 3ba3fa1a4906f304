"""ember.testing against torch.testing: assert_close's outcome and exact message on the same
inputs, and make_tensor's shapes, dtypes, ranges, flags and errors."""

import math

import numpy as np
import pytest
import torch

import ember
from ember.testing import assert_close, make_tensor

NAN, INF = float("nan"), float("inf")


def _cases(T):
    t = T.tensor
    return {
        "float_mismatch": lambda ac: ac(t([1.0, 2, 3]), t([1.0, 2.5, 3])),
        "int_mismatch_2d": lambda ac: ac(t([[1, 2], [3, 4]]), t([[1, 2], [3, 5]])),
        "bool_0d": lambda ac: ac(t(True), t(False)),
        "bool_1d": lambda ac: ac(t([True, False]), t([False, False])),
        "float_scalars": lambda ac: ac(1.0, 1.5),
        "int_scalars": lambda ac: ac(1, 2),
        "int_vs_float": lambda ac: ac(1, 1.0),
        "python_bools": lambda ac: ac(True, False),
        "dtype": lambda ac: ac(t([1.0]), t([1.0], dtype=T.float64)),
        "shape": lambda ac: ac(t([1.0]), t([1.0, 2])),
        "tensor_vs_number": lambda ac: ac(t([1.0]), 1.0),
        "sequence_item": lambda ac: ac([t(1.0), t(2.0)], [t(1.0), t(3.0)]),
        "mapping_item": lambda ac: ac({"a": t(1.0)}, {"a": t(2.0)}),
        "mapping_keys": lambda ac: ac({"a": t(1.0)}, {"b": t(2.0)}),
        "sequence_length": lambda ac: ac([1, 2], [1, 2, 3]),
        "nan_tensor": lambda ac: ac(t([NAN]), t([NAN])),
        "nan_scalar": lambda ac: ac(NAN, NAN),
        "msg_str": lambda ac: ac(t([1.0]), t([2.0]), msg="custom"),
        "only_rtol": lambda ac: ac(t([1.0]), t([2.0]), rtol=0.1),
        "only_atol": lambda ac: ac(t([1.0]), t([2.0]), atol=0.1),
        "msg_callable": lambda ac: ac(t([1.0]), t([2.0]), msg=lambda m: "X" + m),
        "msg_not_for_args": lambda ac: ac(t([1.0]), t([2.0]), msg=lambda m: "X" + m, rtol=1.0),
        "msg_on_match": lambda ac: ac(t([1.0, 2]), t([1.0, 2]), msg="m"),
        "zero_expected": lambda ac: ac(t([0.0]), t([2.0])),
        "stride": lambda ac: ac(t([1.0, 2, 3, 4]).reshape(2, 2).t(),
                                t([1.0, 3, 2, 4]).reshape(2, 2), check_stride=True),
        "stride_unchecked": lambda ac: ac(t([1.0, 2, 3, 4]).reshape(2, 2).t(),
                                          t([1.0, 3, 2, 4]).reshape(2, 2)),
        "strings": lambda ac: ac("a", "a"),
        "int_vs_float_tensor": lambda ac: ac(t([1]), t([1.0])),
        "no_check_dtype": lambda ac: ac(t([1]), t([1.0]), check_dtype=False),
        "no_check_dtype_mismatch": lambda ac: ac(t([1, 3]), t([1.0, 3.5]), check_dtype=False),
        "inf_signs": lambda ac: ac(t([1.0, INF]), t([1.0, -INF])),
        "inf_equal": lambda ac: ac(t([1.0, INF]), t([1.0, INF])),
        "zero_dim": lambda ac: ac(t(1.0), t(2.0)),
        "empty": lambda ac: ac(T.zeros(0), T.zeros(0)),
        "tuple_vs_list": lambda ac: ac((1, 2), [1, 2]),
        "two_mismatches": lambda ac: ac(t([1.0, 2, 3]), t([1.0, 2.5, 3.6])),
        "big_ints": lambda ac: ac(2**70, 2**70 + 1),
        "equal_nan": lambda ac: ac(t([1.0, NAN]), t([1.0, NAN]), equal_nan=True),
        "uint8": lambda ac: ac(t([1, 2], dtype=T.uint8), t([1, 5], dtype=T.uint8)),
        "uint8_order": lambda ac: ac(t([5, 2], dtype=T.uint8), t([1, 5], dtype=T.uint8)),
        "ndarrays": lambda ac: ac(np.array([1.0]), np.array([1.5])),
        "ndarrays_f32": lambda ac: ac(np.array([1.0], np.float32), np.array([1.5], np.float32)),
        "tensor_vs_ndarray": lambda ac: ac(t([1.0]), np.array([1.0], np.float32)),
        "number_vs_tensor": lambda ac: ac(1.0, t(1.0)),
        "nones": lambda ac: ac(None, None),
        "none_vs_int": lambda ac: ac(None, 1),
        "requires_grad": lambda ac: ac(t([1.0], requires_grad=True), t([1.0])),
        "within_atol": lambda ac: ac(t([1e-8]), t([0.0])),
        "float16": lambda ac: ac(t([1.0, 2], dtype=T.float16), t([1.001, 2.5], dtype=T.float16)),
        "float64_tol": lambda ac: ac(T.ones(2, dtype=T.float64),
                                     T.ones(2, dtype=T.float64)
                                     + T.arange(2, dtype=T.float64) * 1e-6),
        "nested": lambda ac: ac({"a": [t(1.0), {"b": 2}]}, {"a": [t(1.0), {"b": 3}]}),
        "numpy_scalar": lambda ac: ac(np.float64(1.0), 1.0),
        "numpy_bool": lambda ac: ac(np.bool_(True), True),
        "tensor_vs_list": lambda ac: ac(t([1.0]), [1.0]),
        "subclass_refused": lambda ac: ac(T.nn.Parameter(t([1.0])), t([1.0]),
                                          allow_subclasses=False),
        "subclass_allowed": lambda ac: ac(T.nn.Parameter(t([1.0])), t([1.5])),
        "exact": lambda ac: ac(t([1.0]), t([2.0]), rtol=0, atol=0),
        "custom_tol_pass": lambda ac: ac(t([1.0]), t([1.05]), rtol=0.1, atol=0),
        "signed_ints": lambda ac: ac(t([-3, 0]), t([3, 0])),
        "rel_inf": lambda ac: ac(t([1.0, 2.0]), t([1.0, 0.0])),
        "complex_scalars": lambda ac: ac(1 + 2j, 1 + 3j),
        "index_2d": lambda ac: ac(T.arange(10.0).reshape(2, 5),
                                  T.arange(10.0).reshape(2, 5) + t([0, 0, 0, 0, 1.0])),
        "length_before_values": lambda ac: ac([t(1.0), t(2.0)], [t(5.0)]),
        "structure_first": lambda ac: ac([t(1.0), "x"], [t(5.0), "x"]),
    }


def _outcome(lib, case):
    try:
        case(lib.testing.assert_close)
    except Exception as exc:  # noqa: BLE001
        text = str(exc).replace("torch.nn.parameter.", "nn.parameter.")
        for prefix in ("torch.", "ember._tensor.", "ember."):
            text = text.replace(prefix, "")
        return type(exc), text
    return None


@pytest.mark.parametrize("name", sorted(_cases(torch)))
def test_assert_close_matches_torch(name):
    expected = _outcome(torch, _cases(torch)[name])
    actual = _outcome(ember, _cases(ember)[name])
    assert actual == expected


def test_assert_close_namespace_and_signature():
    import inspect
    e = inspect.signature(ember.testing.assert_close)
    t = inspect.signature(torch.testing.assert_close)
    assert list(e.parameters) == list(t.parameters)
    for name, p in t.parameters.items():
        assert e.parameters[name].default == p.default
        assert e.parameters[name].kind == p.kind


def test_assert_close_default_tolerances():
    assert_close(ember.tensor([1.0]), ember.tensor([1.0 + 1e-6]))       # float32 allows 1.3e-6
    with pytest.raises(AssertionError):
        assert_close(ember.tensor([1.0]), ember.tensor([1.0 + 1e-4]))
    assert_close(ember.tensor([1.0], dtype=ember.float16),
                 ember.tensor([1.0009765625], dtype=ember.float16))
    with pytest.raises(AssertionError, match="Tensor-likes are not equal"):
        assert_close(ember.tensor([1]), ember.tensor([2]))


def test_make_tensor_shapes_and_dtypes():
    for shape in [(), (3,), (2, 3), (0, 4)]:
        for dtype in (ember.float32, ember.float64, ember.float16, ember.int64, ember.int8,
                      ember.uint8, ember.bool):
            x = make_tensor(shape, dtype=dtype, device="cpu")
            assert tuple(x.shape) == shape and x.dtype == dtype and x.device.type == "cpu"
            assert not x.requires_grad
    assert make_tensor(2, 3, dtype=ember.float32, device="cpu").shape == (2, 3)
    assert make_tensor([2, 3], dtype=ember.float32, device="cpu").shape == (2, 3)


def test_make_tensor_ranges():
    ember.manual_seed(0)
    x = make_tensor(10000, dtype=ember.float64, device="cpu").numpy()
    assert x.min() >= -9 and x.max() < 9 and x.min() < -8.9 and x.max() > 8.9
    i = make_tensor(10000, dtype=ember.int64, device="cpu").numpy()
    assert set(np.unique(i)) == set(range(-9, 10))
    u = make_tensor(10000, dtype=ember.uint8, device="cpu").numpy()
    assert set(np.unique(u)) == set(range(0, 10))
    b = make_tensor(1000, dtype=ember.bool, device="cpu").numpy()
    assert b.any() and not b.all()
    y = make_tensor(5000, dtype=ember.float32, device="cpu", low=2, high=3).numpy()
    assert y.min() >= 2 and y.max() < 3
    k = make_tensor(5000, dtype=ember.int32, device="cpu", low=-2.5, high=1.5).numpy()
    assert set(np.unique(k)) == {-2, -1, 0, 1}   # bounds round up, as torch
    z = make_tensor(1000, dtype=ember.float32, device="cpu", low=-1e38, high=3e38).numpy()
    assert np.isfinite(z).all()


def test_make_tensor_flags():
    x = make_tensor(3, 4, dtype=ember.float32, device="cpu", requires_grad=True)
    assert x.requires_grad and x.is_leaf
    n = make_tensor(3, 4, dtype=ember.float32, device="cpu", noncontiguous=True)
    assert n.shape == (3, 4) and not n.is_contiguous()
    t = torch.testing.make_tensor(3, 4, dtype=torch.float32, device="cpu", noncontiguous=True)
    assert n.stride() == t.stride()
    one = make_tensor(1, dtype=ember.float32, device="cpu", noncontiguous=True)
    assert one.is_contiguous()   # a single element is never made non-contiguous
    ember.manual_seed(1)
    for dtype in (ember.int64, ember.uint8, ember.bool):
        z = make_tensor(2000, dtype=dtype, device="cpu", low=0, high=2, exclude_zero=True)
        assert (z.numpy() != 0).all()
    f = make_tensor(2000, dtype=ember.float32, device="cpu", exclude_zero=True)
    assert (f.numpy() != 0).all()


def test_make_tensor_determinism():
    ember.manual_seed(7)
    a = make_tensor(5, dtype=ember.float32, device="cpu")
    ember.manual_seed(7)
    b = make_tensor(5, dtype=ember.float32, device="cpu")
    assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("kwargs, exc, text", [
    ({"dtype": "int64", "requires_grad": True}, ValueError,
     "`requires_grad=True` is not supported for boolean and integral dtypes"),
    ({"dtype": "float32", "low": 3, "high": 2}, ValueError,
     "`low` must be less than `high`, but got 3 >= 2"),
    ({"dtype": "float32", "low": math.nan}, ValueError, "`low` and `high` cannot be NaN"),
    ({"dtype": "uint8", "low": -5, "high": -1}, ValueError,
     "The value interval specified by `low` and `high` is [-5, -1)"),
    ({"dtype": "float32", "noncontiguous": True, "memory_format": "x"}, ValueError,
     "mutually exclusive"),
])
def test_make_tensor_errors(kwargs, exc, text):
    kw = dict(kwargs)
    dt = kw.pop("dtype")
    t_kw = {k: (torch.contiguous_format if v == "x" else v) for k, v in kw.items()}
    with pytest.raises(exc, match="."):
        torch.testing.make_tensor(3, dtype=getattr(torch, dt), device="cpu", **t_kw)
    with pytest.raises(exc) as info:
        make_tensor(3, dtype=getattr(ember, dt), device="cpu", **kw)
    assert text in str(info.value)


def test_make_tensor_low_equals_high_warns():
    with pytest.warns(FutureWarning):
        x = make_tensor(3, dtype=ember.float32, device="cpu", low=1, high=1)
    assert (x.numpy() == 1).all()
