"""default_collate / default_convert against torch's, on every kind of sample."""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
from ember.utils.data import default_collate, default_convert
from harness import assert_close_tensor

Point = namedtuple("Point", ["x", "y"])


def same(e, t, where="batch"):
    """ember structure e matches torch structure t: container types, keys, tensor values."""
    if isinstance(t, torch.Tensor):
        assert_close_tensor(e, t, what=where)
        return
    if isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray)
        np.testing.assert_array_equal(e, t)
        return
    assert type(e) is type(t), f"{where}: {type(e).__name__} != torch {type(t).__name__}"
    if isinstance(t, dict):
        assert list(e) == list(t), where
        for k in t:
            same(e[k], t[k], f"{where}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), where
        for i, (a, b) in enumerate(zip(e, t)):
            same(a, b, f"{where}[{i}]")
    else:
        assert e == t, where


def to_ember(x):
    """A torch sample rebuilt with ember tensors (same structure)."""
    if isinstance(x, torch.Tensor):
        return ember.tensor(x.numpy())
    if isinstance(x, dict):
        return type(x)((k, to_ember(v)) for k, v in x.items())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(to_ember(v) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(to_ember(v) for v in x)
    return x


SAMPLES = {
    "tensor_f32": lambda i: torch.arange(3, dtype=torch.float32) + i,
    "tensor_0d_i32": lambda i: torch.tensor(i, dtype=torch.int32),
    "tensor_bool": lambda i: torch.tensor([i % 2 == 0, True]),
    "tensor_2d_f64": lambda i: torch.full((2, 3), float(i), dtype=torch.float64),
    "numpy_f32": lambda i: np.full((2, 2), i, dtype=np.float32),
    "numpy_i16": lambda i: np.arange(4, dtype=np.int16) * i,
    "numpy_scalar_f32": lambda i: np.float32(i / 2),
    "numpy_scalar_i64": lambda i: np.int64(i),
    "numpy_0d": lambda i: np.array(i * 1.5),
    "float": lambda i: i / 3,
    "int": lambda i: i * 7,
    "bool": lambda i: i % 2 == 1,
    "str": lambda i: f"s{i}",
    "bytes": lambda i: b"b%d" % i,
    "tuple": lambda i: (torch.tensor([i, i]), i * 0.5, "t"),
    "list": lambda i: [i, torch.ones(2) * i],
    "dict": lambda i: {"img": torch.ones(2, 2) * i, "label": i, "name": f"n{i}"},
    "ordered_dict": lambda i: OrderedDict(b=i, a=np.float64(i)),
    "namedtuple": lambda i: Point(torch.tensor([i]), float(i)),
    "nested": lambda i: {"pair": (np.arange(2) + i, [i, {"deep": torch.zeros(1) + i}])},
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_default_collate_matches_torch(kind):
    batch_t = [SAMPLES[kind](i) for i in range(4)]
    expected = tdata.default_collate(batch_t)
    same(default_collate([to_ember(s) for s in batch_t]), expected)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_default_convert_matches_torch(kind):
    sample = SAMPLES[kind](3)
    same(default_convert(to_ember(sample)), tdata.default_convert(sample))


def test_default_convert_keeps_string_arrays():
    arr = np.array(["a", "b"])
    assert default_convert(arr) is arr


@pytest.mark.parametrize("sample", [None, object(), np.array(["a", "b"])])
def test_collate_unsupported_type_error(sample):
    with pytest.raises(TypeError) as t_err:
        tdata.default_collate([sample, sample])
    with pytest.raises(TypeError, match="default_collate: batch must contain") as e_err:
        default_collate([sample, sample])
    assert type(e_err.value) is type(t_err.value)


@pytest.mark.parametrize("batch, field, shapes", [
    ([{"image": np.zeros((3,)), "y": 1}, {"image": np.zeros((4,)), "y": 2}],
     "['image']", ["[3]", "[4]"]),
    ([(ember.zeros(2, 2), 0), (ember.zeros(2, 2), 1), (ember.zeros(2, 3), 2)],
     "[0]", ["[2, 2]", "sample 2", "[2, 3]"]),
    ([Point(ember.zeros(1), ember.zeros(5)), Point(ember.zeros(1), ember.zeros(6))],
     ".y", ["[5]", "[6]"]),
])
def test_collate_size_mismatch_names_field_and_shapes(batch, field, shapes):
    torch_batch = [tuple(torch.from_numpy(np.asarray(v)) if not isinstance(v, (int, dict))
                         else v for v in s) if not isinstance(s, dict) else s for s in batch]
    with pytest.raises(RuntimeError):
        tdata.default_collate(torch_batch)
    with pytest.raises(RuntimeError) as err:
        default_collate(batch)
    msg = str(err.value)
    assert f"field {field}" in msg and "equal size" in msg, msg
    for s in shapes:
        assert s in msg, msg


def test_collate_ragged_sequences_error():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        tdata.default_collate([[1, 2], [1, 2, 3]])
    with pytest.raises(RuntimeError, match=r"equal size.*sample 1 has 3"):
        default_collate([[1, 2], [1, 2, 3]])


def test_collate_keeps_autograd():
    w = ember.ones(3, requires_grad=True)
    batch = default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [5, 5, 5])
