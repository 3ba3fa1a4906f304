"""Global switches (ember._config) vs torch: return values, defaults, exception types, and
ember honouring the settings that have an effect (default dtype, anomaly mode)."""

import os
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import _config


@pytest.fixture(autouse=True)
def _restore():
    """Put every global switch of both libraries back after each test."""
    saved = (ember.get_default_dtype(), torch.get_default_dtype(),
             ember.get_float32_matmul_precision(), torch.get_float32_matmul_precision(),
             torch.are_deterministic_algorithms_enabled(),
             torch.is_deterministic_algorithms_warn_only_enabled(),
             torch.is_warn_always_enabled(), torch.is_anomaly_enabled(),
             torch.is_anomaly_check_nan_enabled())
    yield
    ember.set_default_dtype(saved[0])
    torch.set_default_dtype(saved[1])
    ember.set_float32_matmul_precision(saved[2])
    torch.set_float32_matmul_precision(saved[3])
    ember.use_deterministic_algorithms(False)
    torch.use_deterministic_algorithms(saved[4], warn_only=saved[5])
    ember.set_warn_always(False)
    torch.set_warn_always(saved[6])
    ember.set_anomaly_enabled(False)
    torch.set_anomaly_enabled(saved[7], saved[8])
    ember.set_default_device(None)
    torch.set_default_device(None)


def _same_error(e_call, t_call, match=()):
    with pytest.raises(Exception) as te:
        t_call()
    with pytest.raises(type(te.value)) as ee:
        e_call()
    for m in match:
        assert m in str(ee.value), str(ee.value)
    return ee


def _both(name, *args, **kwargs):
    """Call ember.name and torch.name with the same arguments: same result or same error."""
    try:
        t = getattr(torch, name)(*args, **kwargs)
    except Exception as exc:
        with pytest.raises(type(exc)):
            getattr(ember, name)(*args, **kwargs)
        return exc
    e = getattr(ember, name)(*args, **kwargs)
    assert e == t, (name, args, e, t)
    return e


# ---------------------------------------------------------------------------------- compile
def _f(x):
    return x * 2 + 1


def test_compile_returns_model_unchanged():
    m = ember.nn.Linear(3, 2)
    assert ember.compile(m) is m
    assert ember.compile(_f) is _f
    assert ember.compile(_f, mode="max-autotune", fullgraph=True, dynamic=True) is _f
    assert ember.compile(_f, backend="eager", disable=True) is _f
    assert ember.compile(_f, options={"max_autotune": True}) is _f
    x = ember.tensor([1.0, 2.0])
    out = ember.compile(m)(ember.ones(4, 3))
    assert out.shape == (4, 2)
    np.testing.assert_array_equal(ember.compile(_f)(x).numpy(), [3.0, 5.0])
    tm = torch.nn.Linear(3, 2)
    assert torch.compile(tm)(torch.ones(4, 3)).shape == out.shape


def test_compile_as_decorator():
    @ember.compile
    def g(x):
        return x + 1

    @ember.compile()
    def h(x):
        return x - 1

    @ember.compile(mode="reduce-overhead", fullgraph=True)
    def k(x):
        return x * 3

    assert g.__name__ == "g" and h.__name__ == "h" and k.__name__ == "k"
    x = ember.tensor([1.0])
    assert g(x).item() == 2.0 and h(x).item() == 0.0 and k(x).item() == 3.0

    @torch.compile(mode="reduce-overhead", fullgraph=True)
    def tk(x):
        return x * 3

    assert tk(torch.tensor([1.0])).item() == k(x).item()


def test_compile_signature_matches_torch():
    import inspect
    es, ts = inspect.signature(ember.compile), inspect.signature(torch.compile)
    assert list(es.parameters) == list(ts.parameters)
    for n, p in ts.parameters.items():
        assert es.parameters[n].default == p.default, n
        assert es.parameters[n].kind == p.kind, n


@pytest.mark.parametrize("call", [
    lambda lib: lib.compile(_f, mode="foo"),
    lambda lib: lib.compile(_f, mode=3),
    lambda lib: lib.compile(mode="foo")(_f),
    lambda lib: lib.compile(_f, mode="default", options={"a": 1}),
    lambda lib: lib.compile(_f, backend="no_such_backend"),
    lambda lib: lib.compile(backend="no_such_backend")(_f),
    lambda lib: lib.compile(3),
    lambda lib: lib.compile()(None),
])
def test_compile_errors_match_torch(call):
    """Same exception type (torch's InvalidBackend is a RuntimeError subclass from
    torch._dynamo, which ember has not: ember raises its base RuntimeError)."""
    with pytest.raises(Exception) as te:
        call(torch)
    with pytest.raises(Exception) as ee:
        call(ember)
    assert isinstance(te.value, type(ee.value))
    assert type(ee.value) in (type(te.value), RuntimeError)
    assert str(ee.value).split(",")[0] == str(te.value).split(",")[0]


def test_compile_mode_message():
    with pytest.raises(RuntimeError, match=re.escape(
            "Unrecognized mode=foo, should be one of: default, lite, reduce-overhead, "
            "max-autotune-no-cudagraphs, max-autotune")):
        ember.compile(_f, mode="foo")
    # another backend does not look at mode (torch checks it only for inductor)
    assert ember.compile(_f, backend="eager", mode="foo") is _f
    assert torch.compile(_f, backend="eager", mode="foo") is not None


# ------------------------------------------------------------------------- matmul precision
def test_matmul_precision():
    assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision() \
        == "highest"
    for p in ["high", "medium", "highest"]:
        _both("set_float32_matmul_precision", p)
        assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == p
    ember.set_float32_matmul_precision("medium")
    with pytest.warns(UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"):
        ember.set_float32_matmul_precision("foo")
    assert ember.get_float32_matmul_precision() == "medium"
    _same_error(lambda: ember.set_float32_matmul_precision(3),
                lambda: torch.set_float32_matmul_precision(3), ["expects a str, but got int"])


def test_matmul_precision_changes_no_results(rng):
    a, b = rng.standard_normal((8, 5)).astype(np.float32), rng.standard_normal((5, 3))
    b = b.astype(np.float32)
    ref = (ember.tensor(a) @ ember.tensor(b)).numpy()
    ember.set_float32_matmul_precision("medium")
    np.testing.assert_array_equal((ember.tensor(a) @ ember.tensor(b)).numpy(), ref)


# ------------------------------------------------------------------------------ determinism
def test_deterministic_defaults_and_settings():
    for name in ["are_deterministic_algorithms_enabled",
                 "is_deterministic_algorithms_warn_only_enabled", "get_deterministic_debug_mode"]:
        _both(name)
    for mode, warn_only in [(True, False), (True, True), (False, True), (False, False)]:
        _both("use_deterministic_algorithms", mode, warn_only=warn_only)
        for name in ["are_deterministic_algorithms_enabled",
                     "is_deterministic_algorithms_warn_only_enabled",
                     "get_deterministic_debug_mode"]:
            _both(name)
    for debug in ["default", "warn", "error", 0, 1, 2, "warn"]:
        _both("set_deterministic_debug_mode", debug)
        for name in ["are_deterministic_algorithms_enabled",
                     "is_deterministic_algorithms_warn_only_enabled",
                     "get_deterministic_debug_mode"]:
            _both(name)


@pytest.mark.parametrize("args,kwargs", [((1,), {}), (("a",), {}), ((True,), {"warn_only": 1})])
def test_use_deterministic_errors(args, kwargs):
    _same_error(lambda: ember.use_deterministic_algorithms(*args, **kwargs),
                lambda: torch.use_deterministic_algorithms(*args, **kwargs), ["must be bool"])


@pytest.mark.parametrize("mode,match", [("foo", "got foo"), (5, "expected 0, 1, or 2"),
                                        (-1, "but got -1"), (1.0, "must be str or int")])
def test_deterministic_debug_mode_errors(mode, match):
    _same_error(lambda: ember.set_deterministic_debug_mode(mode),
                lambda: torch.set_deterministic_debug_mode(mode), [match])


# --------------------------------------------------------------------------- default device
def test_default_device():
    assert ember.get_default_device() == ember.device("cpu")
    assert repr(ember.get_default_device()) == repr(torch.get_default_device())
    for d in ["cpu", "cpu:0", ember.device("cpu"), None]:
        ember.set_default_device(d)
        torch.set_default_device(d if not isinstance(d, ember.device) else str(d))
        assert repr(ember.get_default_device()) == repr(torch.get_default_device()), d
    ember.set_default_device("cpu")
    assert ember.zeros(2).device == ember.device("cpu")


@pytest.mark.parametrize("dev", ["foo", 3])
def test_default_device_errors_match_torch(dev):
    _same_error(lambda: ember.set_default_device(dev), lambda: torch.set_default_device(dev))


def test_default_device_cuda_like_factories():
    """No CUDA in this build: the same RuntimeError as ember.zeros(device='cuda'), raised
    when set (torch's CPU build fails at the next factory call instead)."""
    with pytest.raises(RuntimeError) as fac:
        ember.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="device 'cuda' is not available") as sd:
        ember.set_default_device("cuda")
    assert type(sd.value) is type(fac.value)
    assert ember.get_default_device() == ember.device("cpu")
    assert not ember.cuda.is_available()


# ------------------------------------------------------------------------------ warn always
def test_warn_always():
    assert ember.is_warn_always_enabled() is torch.is_warn_always_enabled() is False
    _both("set_warn_always", True)
    assert ember.is_warn_always_enabled() is torch.is_warn_always_enabled() is True
    _both("set_warn_always", False)
    assert ember.is_warn_always_enabled() is False
    _same_error(lambda: ember.set_warn_always(1), lambda: torch.set_warn_always(1),
                ["expects a bool, but got int"])


def test_warn_always_repeats_warn_once_warnings():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.set_default_tensor_type(ember.FloatTensor)
        ember.set_default_tensor_type(ember.FloatTensor)
        assert sum("deprecated" in str(x.message) for x in w) <= 1
        ember.set_warn_always(True)
        n = len(w)
        ember.set_default_tensor_type(ember.FloatTensor)
        ember.set_default_tensor_type(ember.FloatTensor)
        assert len(w) == n + 2


# ---------------------------------------------------------------------------------- threads
def test_interop_threads_in_fresh_process():
    """Both libraries in a fresh interpreter: default, set once, then refuse."""
    code = textwrap.dedent("""
        import ember, torch
        def run(lib):
            out = [lib.get_num_interop_threads()]
            for n in [0, -1, 2.0, 3, 3, 4]:
                try:
                    lib.set_num_interop_threads(n)
                    out.append(("ok", lib.get_num_interop_threads()))
                except Exception as e:
                    out.append((type(e).__name__, str(e)))
            return out
        print(repr(run(ember)))
        print(repr(run(torch)))
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    e, t = res.stdout.splitlines()
    assert e == t


def test_interop_threads_current_process():
    assert ember.get_num_interop_threads() >= 1
    with pytest.raises(RuntimeError, match="expects a positive integer"):
        ember.set_num_interop_threads(0)
    with pytest.raises(RuntimeError, match="expects an int, but got float"):
        ember.set_num_interop_threads(2.0)


def test_flush_denormal():
    assert ember.set_flush_denormal(True) is False
    assert ember.set_flush_denormal(False) is False
    tiny = np.float32(1e-40)                     # a float32 denormal survives
    assert (ember.tensor([tiny]) * 1).item() != 0.0
    _same_error(lambda: ember.set_flush_denormal(1), lambda: torch.set_flush_denormal(1),
                ["flush_denormal expects a bool, but got int"])


# --------------------------------------------------------------------------------- typename
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool", "uint8",
                                   "float16", "int16", "int8"])
def test_typename_tensors(dtype):
    e = ember.zeros(2, dtype=getattr(ember, dtype))
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    assert ember.typename(e) == e.type() == "ember." + torch.typename(t)[len("torch."):]
    assert ember.typename(ember.nn.Parameter(ember.zeros(2))) == "ember.FloatTensor"


def test_typename_other_objects():
    for obj in [3, "a", None, [1], 1.5, {}]:
        assert ember.typename(obj) == torch.typename(obj)
    assert ember.typename(ember.nn.Linear(2, 2)) == "ember.nn.modules.linear.Linear"
    assert torch.typename(torch.nn.Linear(2, 2)) == "torch.nn.modules.linear.Linear"
    assert ember.typename(ember.nn.Linear) == ember.typename(ember.nn.Linear(2, 2))
    assert ember.typename(_f) == torch.typename(_f)


# ---------------------------------------------------------------------------------- anomaly
def test_anomaly_flags_match_torch():
    assert ember.is_anomaly_enabled() is torch.is_anomaly_enabled() is False
    assert ember.is_anomaly_check_nan_enabled() is torch.is_anomaly_check_nan_enabled() is True
    for mode in [True, False]:
        _both("set_anomaly_enabled", mode)
        assert ember.is_anomaly_enabled() is torch.is_anomaly_enabled() is mode
        assert ember.is_anomaly_check_nan_enabled() is torch.is_anomaly_check_nan_enabled()
    _both("set_anomaly_enabled", False, False)
    assert ember.is_anomaly_check_nan_enabled() is torch.is_anomaly_check_nan_enabled() is False
    _both("set_anomaly_enabled", False, True)


def test_anomaly_drives_autograd_anomaly_mode():
    ember.set_anomaly_enabled(True)
    assert ember.autograd.is_anomaly_enabled()
    torch.set_anomaly_enabled(True)
    ex = ember.tensor([-1.0], requires_grad=True)
    tx = torch.tensor([-1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="SqrtBackward0' returned nan values"):
        ember.sqrt(ex).sum().backward()
    with pytest.raises(RuntimeError, match="SqrtBackward0' returned nan values"):
        torch.sqrt(tx).sum().backward()
    torch.set_anomaly_enabled(False)
    ember.set_anomaly_enabled(False)
    ember.sqrt(ex).sum().backward()              # off: no check, nan gradient
    assert np.isnan(ex.grad.item())
    with ember.autograd.detect_anomaly():
        assert ember.is_anomaly_enabled()
    assert not ember.is_anomaly_enabled()


def test_anomaly_errors():
    _same_error(lambda: ember.set_anomaly_enabled(1), lambda: torch.set_anomaly_enabled(1),
                ["argument 'enabled' (position 1) must be bool, not int"])
    _same_error(lambda: ember.set_anomaly_enabled(True, 1),
                lambda: torch.set_anomaly_enabled(True, 1),
                ["argument 'check_nan' (position 2) must be bool, not int"])


def test_anomaly_without_nan_check():
    """Anomaly mode on with check_nan=False records but lets a NaN gradient through, as torch."""
    for lib in (ember, torch):
        lib.set_anomaly_enabled(True, False)
        try:
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
            x = lib.tensor([-1.0], requires_grad=True)
            lib.sqrt(x).sum().backward()
            assert np.isnan(x.grad.item())
            with lib.autograd.detect_anomaly(check_nan=True):
                with pytest.raises(RuntimeError, match="SqrtBackward0' returned nan values"):
                    lib.sqrt(x).sum().backward()
            assert not lib.is_anomaly_check_nan_enabled()   # restored on exit
        finally:
            lib.set_anomaly_enabled(False, True)


# ---------------------------------------------------------------------- default tensor type
@pytest.mark.parametrize("spec", ["DoubleTensor", "torch.DoubleTensor", "ember.DoubleTensor",
                                  "HalfTensor"])
def test_set_default_tensor_type_sets_default_dtype(spec):
    e_arg = getattr(ember, spec) if "." not in spec else spec
    t_arg = getattr(torch, spec) if "." not in spec else spec.replace("ember.", "torch.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.set_default_tensor_type(e_arg)
        torch.set_default_tensor_type(t_arg)
    assert ember.get_default_dtype().name == str(torch.get_default_dtype())[6:]
    assert ember.tensor([1.5]).dtype.name == str(torch.tensor([1.5]).dtype)[6:]
    assert ember.zeros(2).dtype.name == str(torch.zeros(2).dtype)[6:]
    assert ember.tensor([1.5]).type()[6:] == torch.tensor([1.5]).type()[6:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.set_default_tensor_type("torch.FloatTensor")
        torch.set_default_tensor_type("torch.FloatTensor")
    assert ember.zeros(2).dtype == ember.float32


def test_set_default_tensor_type_warns():
    ember.set_warn_always(True)
    torch.set_warn_always(True)
    with pytest.warns(UserWarning, match=r"set_default_tensor_type\(\) is deprecated as of "
                                         r"PyTorch 2.1, please use torch.set_default_dtype\(\)"):
        ember.set_default_tensor_type(ember.DoubleTensor)
    with pytest.warns(UserWarning, match="deprecated as of PyTorch 2.1"):
        torch.set_default_tensor_type(torch.DoubleTensor)


@pytest.mark.parametrize("arg", ["torch.LongTensor", "LongTensor", "torch.Foo", "foo",
                                 "torch.cuda.FloatTensor", "float64", "BoolTensor"])
def test_set_default_tensor_type_errors(arg):
    e_arg = getattr(ember, arg) if arg[0].isupper() or arg == "float64" else arg
    t_arg = getattr(torch, arg) if arg[0].isupper() or arg == "float64" else arg
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ee = _same_error(lambda: ember.set_default_tensor_type(e_arg),
                         lambda: torch.set_default_tensor_type(t_arg))
    assert str(ee.value)
    assert ember.get_default_dtype() == ember.float32


def test_all_exported():
    for name in _config.__all__:
        assert getattr(ember, name) is getattr(_config, name)
        assert hasattr(torch, name), name


def test_module_compile_pin_memory_and_default_generator():
    """Module.compile returns None and leaves the module working; pin_memory raises as torch
    without an accelerator; default_generator is the generator manual_seed seeds."""
    for lib in (ember, torch):
        m = lib.nn.Linear(2, 2)
        assert m.compile() is None
        assert m(lib.ones(1, 2)).shape == (1, 2)
        x = lib.ones(2)
        assert x.is_pinned() is False
        with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
            x.pin_memory()
    ember.default_generator.manual_seed(3)
    a = ember.rand(2)
    ember.manual_seed(3)
    assert ember.rand(2).tolist() == a.tolist()
