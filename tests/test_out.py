"""torch's out= keyword: results written into the given tensor(s), against torch."""

import warnings

import numpy as np
import pytest
import torch

import ember

# (name, args builder from a library and two float (3, 4) tensors, out builder)
CASES = [
    ("add", lambda m, a, b: (a, b), lambda m: m.empty(3, 4)),
    ("mul", lambda m, a, b: (a, 2.0), lambda m: m.empty(3, 4)),
    ("exp", lambda m, a, b: (a,), lambda m: m.empty(3, 4)),
    ("clamp", lambda m, a, b: (a, -0.5, 0.5), lambda m: m.empty(3, 4)),
    ("matmul", lambda m, a, b: (a, b.T), lambda m: m.empty(3, 3)),
    ("sum", lambda m, a, b: (a, 1), lambda m: m.empty(3)),
    ("cat", lambda m, a, b: ([a, b],), lambda m: m.empty(6, 4)),
    ("where", lambda m, a, b: (a > 0, a, b), lambda m: m.empty(3, 4)),
    ("max", lambda m, a, b: (a, 1), lambda m: (m.empty(3), m.empty(3, dtype=m.long))),
    ("sort", lambda m, a, b: (a,), lambda m: (m.empty(3, 4), m.empty(3, 4, dtype=m.long))),
    ("add", lambda m, a, b: (a, b), lambda m: m.empty(3, 4, dtype=m.float64)),   # upcast
]


def _lib_inputs(lib, a, b):
    return lib.tensor(a), lib.tensor(b)


@pytest.mark.parametrize("name,args,make_out", CASES)
def test_out_matches_torch(name, args, make_out, rng):
    a, b = (rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2))
    results = []
    for lib in (ember, torch):
        out = make_out(lib)
        r = getattr(lib, name)(*args(lib, *_lib_inputs(lib, a, b)), out=out)
        outs = out if isinstance(out, tuple) else (out,)
        rs = tuple(r) if isinstance(out, tuple) else (r,)
        assert all(x is o for x, o in zip(rs, outs)), f"{name} did not return its out"
        results.append([(tuple(o.shape), str(o.dtype).split(".")[-1], o.numpy()) for o in outs])
    for (es, ed, ev), (ts, td, tv) in zip(*results):
        assert (es, ed) == (ts, td)
        np.testing.assert_allclose(ev, tv, rtol=1e-6, atol=1e-6)


def test_out_linalg_namespace(rng):
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    out = ember.empty(3, 3, dtype=ember.float64)
    assert ember.linalg.inv(ember.tensor(a), out=out) is out
    np.testing.assert_allclose(out.numpy(), torch.linalg.inv(torch.tensor(a)).numpy(), rtol=1e-10)


def test_out_bumps_version_and_resizes_with_torchs_warning():
    a = ember.ones(2, 2)
    out = ember.zeros(3)
    v = out._version
    with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
        ember.add(a, a, out=out)
    assert out.shape == (2, 2) and out._version > v
    empty = ember.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # an empty out is resized silently, as torch
        ember.add(a, a, out=empty)
    assert empty.tolist() == [[2.0, 2.0], [2.0, 2.0]]


@pytest.mark.parametrize("lib", [ember, torch])
def test_out_errors_as_torch(lib):
    x = lib.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"add\(\): functions with out=\.\.\. arguments don't "
                                           r"support automatic differentiation"):
        lib.add(x, x, out=lib.empty(2, 2))
    with lib.no_grad():   # allowed without recording
        assert lib.add(x, x, out=lib.empty(2, 2)).tolist() == [[2.0, 2.0], [2.0, 2.0]]
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Long"):
        lib.add(lib.ones(2), 1.5, out=lib.empty(2, dtype=lib.long))


def test_every_function_with_an_out_keyword_takes_it():
    """No public function accepts out= and ignores it."""
    for ns in (ember, ember.linalg):
        for name in dir(ns):
            fn = getattr(ns, name)
            code = getattr(fn, "__code__", None)
            if name.startswith("_") or code is None:
                continue
            kwonly = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
            if "out" in kwonly:
                assert hasattr(fn, "__wrapped__"), f"{ns.__name__}.{name} ignores out="
