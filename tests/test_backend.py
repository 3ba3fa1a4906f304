"""_backend against torch: promotion (promote_types, result_type, can_cast) over every dtype
pair and operand kind, default dtype, dtypes' attributes."""

import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
from ember import _backend

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]
E = {n: getattr(ember, n) for n in NAMES}
T = {n: getattr(torch, n) for n in NAMES}
SCALARS = {"bool": True, "int64": 3, "float32": 2.5}   # a Python number of each category


def operands(kind, name):
    """(ember operand, torch operand) of a kind: 'dim' tensor, '0d' tensor or Python 'scalar'."""
    if kind == "dim":
        return ember.zeros(2, dtype=E[name]), torch.zeros(2, dtype=T[name])
    if kind == "0d":
        return ember.zeros((), dtype=E[name]), torch.zeros((), dtype=T[name])
    return SCALARS[name], SCALARS[name]


KINDS = [(k, n) for k in ("dim", "0d") for n in NAMES] + [("scalar", n) for n in SCALARS]


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_result_type_exhaustive(default):
    torch.set_default_dtype(T[default])
    ember.set_default_dtype(E[default])
    bad = []
    try:
        for (k1, n1), (k2, n2) in itertools.product(KINDS, KINDS):
            e1, t1 = operands(k1, n1)
            e2, t2 = operands(k2, n2)
            try:
                want = torch.result_type(t1, t2)
            except (TypeError, RuntimeError):
                continue
            got = _backend.api_result_type(e1, e2)
            if got.name != str(want).split(".")[1]:
                bad.append(f"{k1} {n1} + {k2} {n2}: ember {got.name}, torch {want}")
            # the internal array-level rule the ops use
            a1 = e1._data if isinstance(e1, ember.Tensor) else e1
            a2 = e2._data if isinstance(e2, ember.Tensor) else e2
            if _backend.from_np(_backend.result_type(a1, a2)).name != got.name:
                bad.append(f"{k1} {n1} + {k2} {n2}: internal result_type differs")
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)
    assert not bad, "\n".join(bad)


def test_promote_types_and_can_cast_exhaustive():
    for n1, n2 in itertools.product(NAMES, NAMES):
        want = torch.promote_types(T[n1], T[n2])
        assert _backend.api_promote_types(E[n1], E[n2]).name == str(want).split(".")[1], (n1, n2)
        assert _backend.promote_types(E[n1].np, E[n2].np) == E[str(want).split(".")[1]].np
        assert _backend.can_cast(E[n1], E[n2]) == torch.can_cast(T[n1], T[n2]), (n1, n2)


def test_result_type_rejects_non_numbers():
    with pytest.raises(TypeError):
        _backend.api_result_type(ember.zeros(2), "a")


def test_default_dtype():
    assert ember.get_default_dtype() is ember.float32
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.tensor([1.5]).dtype is ember.float64
        assert ember.tensor([1]).dtype is ember.int64
        assert (ember.tensor([1]) * 2.5).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)


def test_dtype_attributes():
    for n in NAMES:
        e, t = E[n], T[n]
        assert repr(e) == repr(t).replace("torch", "ember")
        assert e.is_floating_point == t.is_floating_point
        assert e.is_signed == t.is_signed
        assert e.itemsize == t.itemsize
        assert _backend.to_np(e) == np.dtype(n if n != "bool" else np.bool_)
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.long is ember.int64 and ember.int is ember.int32 and ember.half is ember.float16
    with pytest.raises(TypeError):
        _backend.from_np(np.dtype(np.complex64))


_FAULTS = """
import resource
import ember
x = ember.randn(256, 512, requires_grad=True)
idx = ember.randint(0, 512, (256, 512))
g = ember.randn(256, 512)
def step():
    x.gather(1, idx).backward(g)
    x.grad = None
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_freed_arrays_are_reused_without_page_faults():
    def faults(**env):
        out = subprocess.run([sys.executable, "-c", _FAULTS], capture_output=True, text=True,
                             check=True, env={**os.environ, **env})
        return int(out.stdout)
    tuned, plain = faults(), faults(EMBER_MALLOPT="0")
    # plain glibc maps and unmaps the 1 MiB temporaries of every step (~570 faults a step here)
    assert tuned * 10 < plain, (tuned, plain)


def test_num_threads_sets_numpy_blas():
    """set_num_threads reaches the OpenBLAS NumPy uses (the products run on that many threads)
    and get_num_threads reads it back, as torch's."""
    assert _backend._blas_get_threads is not None   # NumPy's wheels bundle OpenBLAS
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
        ember.set_num_threads(2)
        assert ember.get_num_threads() == 2
    finally:
        ember.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "2"])
def test_num_threads_rejects_what_torch_rejects(bad):
    with pytest.raises(RuntimeError, match="set_num_threads expects"):
        ember.set_num_threads(bad)
    with pytest.raises(RuntimeError):
        torch.set_num_threads(bad)


@pytest.mark.parametrize("pytype", [float, int, bool])
def test_python_types_name_torchs_dtypes(pytype):
    """dtype=float is float64 whatever the default dtype (a Python float is a double); Tensor.to
    takes the Python types as dtypes too."""
    def name(t):
        return str(t.dtype).split(".")[1]
    ember.set_default_dtype(ember.float32)
    assert name(ember.zeros(2, dtype=pytype)) == name(torch.zeros(2, dtype=pytype))
    assert name(ember.tensor([1.5], dtype=pytype)) == name(torch.tensor([1.5], dtype=pytype))
    assert name(ember.ones(2).to(pytype)) == name(torch.ones(2).to(pytype))
    assert name(ember.ones(2).to(dtype=pytype)) == name(torch.ones(2).to(dtype=pytype))


@pytest.mark.parametrize("make", [
    lambda m: m.tensor([0.1, 4 + 1e-6], dtype=m.float64), lambda m: m.tensor(0.1, dtype=m.float64),
    lambda m: m.DoubleTensor([[0.1], [1e-7 + 1]]), lambda m: m.as_tensor([0.3], dtype=m.float64),
    lambda m: m.tensor([1.7, -2.5], dtype=m.int64), lambda m: m.tensor([0.1, 2], dtype=m.float16)])
def test_python_floats_go_straight_to_the_requested_dtype(make):
    """tensor([0.1], dtype=float64) is exactly 0.1: Python floats are not narrowed to the default
    float dtype on the way."""
    assert make(ember).tolist() == make(torch).tolist()
