"""Differential testing against PyTorch, the oracle.

`check(ember_fn, torch_fn, *inputs)` runs both frameworks on the same NumPy inputs and compares
forward values, dtypes and shapes, then the gradients of every floating input against
`torch.autograd.grad` with a random cotangent (not `.sum()`, which hides bugs).
`check_gradcheck` runs ember's float64 gradcheck (and optionally gradgradcheck)."""

from __future__ import annotations

import numpy as np
import torch

import ember

TORCH_DTYPES = {ember.float16: torch.float16, ember.float32: torch.float32,
                ember.float64: torch.float64, ember.int8: torch.int8, ember.int16: torch.int16,
                ember.int32: torch.int32, ember.int64: torch.int64, ember.uint8: torch.uint8,
                ember.bool: torch.bool}


def same_dtype(e_dtype, t_dtype) -> bool:
    return TORCH_DTYPES[e_dtype] == t_dtype


def to_torch(x, requires_grad=False):
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(x.copy())
        if requires_grad and t.is_floating_point():
            t.requires_grad_(True)
        return t
    return x


def to_ember(x, requires_grad=False):
    if isinstance(x, np.ndarray):
        t = ember.tensor(x)
        if requires_grad and t.is_floating_point():
            t.requires_grad_(True)
        return t
    return x


def _outputs(o):
    if isinstance(o, (tuple, list)):
        return list(o)
    return [o]


def assert_close_tensor(e, t, rtol=1e-5, atol=1e-6, what="output"):
    assert isinstance(e, ember.Tensor), f"{what}: ember returned {type(e).__name__}"
    assert tuple(e.shape) == tuple(t.shape), (
        f"{what}: shape {tuple(e.shape)} != torch {tuple(t.shape)}")
    assert same_dtype(e.dtype, t.dtype), f"{what}: dtype {e.dtype} != torch {t.dtype}"
    ev = e.detach().numpy()
    tv = t.detach().numpy()
    if ev.dtype.kind in "biu":
        np.testing.assert_array_equal(ev, tv, err_msg=what)
    else:
        np.testing.assert_allclose(ev.astype(np.float64), tv.astype(np.float64), rtol=rtol,
                                   atol=atol, equal_nan=True, err_msg=what)


def check(ember_fn, torch_fn, *inputs, grad=True, rtol=1e-5, atol=1e-6, grad_rtol=None,
          grad_atol=None, rng=None):
    """Compare forward (values, dtype, shape) and input gradients of ember_fn vs torch_fn.

    inputs: NumPy arrays (become tensors; floating ones require grad) or plain Python values.
    Returns the ember outputs."""
    rng = rng or np.random.default_rng(0)
    e_in = [to_ember(x, grad) for x in inputs]
    t_in = [to_torch(x, grad) for x in inputs]
    e_out = _outputs(ember_fn(*e_in))
    t_out = _outputs(torch_fn(*t_in))
    assert len(e_out) == len(t_out), f"{len(e_out)} outputs, torch has {len(t_out)}"
    for i, (e, t) in enumerate(zip(e_out, t_out)):
        if isinstance(t, torch.Tensor):
            assert_close_tensor(e, t, rtol, atol, what=f"output {i}")
        else:
            assert e == t, f"output {i}: {e!r} != torch {t!r}"
    if not grad:
        return e_out
    diff = [i for i, t in enumerate(t_in) if isinstance(t, torch.Tensor) and t.requires_grad]
    outs = [(e, t) for e, t in zip(e_out, t_out)
            if isinstance(t, torch.Tensor) and t.requires_grad]
    if not diff or not outs:
        return e_out
    cots = [rng.standard_normal(t.shape).astype(t.detach().numpy().dtype) for _, t in outs]
    t_grads = torch.autograd.grad([t for _, t in outs], [t_in[i] for i in diff],
                                  [torch.from_numpy(c) for c in cots], allow_unused=True)
    assert all(e.requires_grad for e, _ in outs), "an ember output does not require grad"
    e_grads = ember.autograd.grad([e for e, _ in outs], [e_in[i] for i in diff],
                                  [ember.tensor(c) for c in cots], allow_unused=True)
    for i, eg, tg in zip(diff, e_grads, t_grads):
        if tg is None:
            assert eg is None or np.all(eg.numpy() == 0), f"grad of input {i}: torch has none"
            continue
        assert eg is not None, f"grad of input {i}: ember returned None"
        assert_close_tensor(eg, tg, grad_rtol or rtol * 10, grad_atol or atol * 10,
                            what=f"grad of input {i}")
    return e_out


def check_gradcheck(ember_fn, *inputs, gradgrad=False, atol=1e-5, rtol=1e-3):
    """float64 numerical gradient check (and second-order check) of ember_fn."""
    e_in = [ember.tensor(x.astype(np.float64), requires_grad=True)
            if isinstance(x, np.ndarray) and x.dtype.kind == "f" else to_ember(x)
            for x in inputs]
    assert ember.autograd.gradcheck(ember_fn, tuple(e_in), atol=atol, rtol=rtol)
    if gradgrad:
        assert ember.autograd.gradgradcheck(ember_fn, tuple(e_in), atol=atol, rtol=rtol)


def check_error(ember_fn, torch_fn, *inputs, match=()):
    """Both raise the same exception type; ember's message contains every string in match."""
    e_exc = t_exc = None
    try:
        torch_fn(*[to_torch(x) for x in inputs])
    except Exception as exc:  # noqa: BLE001
        t_exc = exc
    try:
        ember_fn(*[to_ember(x) for x in inputs])
    except Exception as exc:  # noqa: BLE001
        e_exc = exc
    assert t_exc is not None, "torch did not raise"
    assert e_exc is not None, f"ember did not raise (torch raised {type(t_exc).__name__})"
    assert isinstance(e_exc, type(t_exc)), (
        f"ember raised {type(e_exc).__name__}: {e_exc}; torch raised {type(t_exc).__name__}")
    for m in match:
        assert m in str(e_exc), f"{m!r} not in ember's message: {e_exc}"
    return e_exc


# ----------------------------------------------------------------------------- module pairs
def state_to_ember(sd):
    """A torch state_dict as ember tensors."""
    return {k: ember.tensor(v.detach().numpy().copy()) for k, v in sd.items()}


def module_pair(layer, *args, dtype=torch.float32, **kwargs):
    """The same nn layer in torch and ember, ember's weights copied from torch's."""
    tm = getattr(torch.nn, layer)(*args, **kwargs).to(dtype)
    em = getattr(ember.nn, layer)(*args, **kwargs).to(getattr(ember, str(dtype)[6:]))
    em.load_state_dict(state_to_ember(tm.state_dict()))
    return tm, em


def run_both(tm, em, x, rng, rtol=1e-5, atol=1e-6):
    """Forward, compare outputs, backward a random cotangent, compare every parameter grad."""
    for m in (tm, em):
        m.zero_grad()
    yt = tm(torch.from_numpy(x.copy()))
    ye = em(ember.tensor(x.copy()))
    assert_close_tensor(ye, yt, rtol=rtol, atol=atol)
    ct = rng.standard_normal(yt.shape).astype(x.dtype)
    yt.backward(torch.from_numpy(ct.copy()))
    ye.backward(ember.tensor(ct.copy()))
    tp = dict(tm.named_parameters())
    ep = dict(em.named_parameters())
    assert list(tp) == list(ep)
    for name in tp:
        assert_close_tensor(ep[name].grad, tp[name].grad, rtol=rtol * 10, atol=atol * 10,
                            what=f"grad of {name}")


def same_state(tm, em, rtol=1e-5, atol=1e-6):
    """Equal state_dict keys, in order, and values."""
    ts, es = tm.state_dict(), em.state_dict()
    assert list(ts) == list(es)
    for k in ts:
        assert_close_tensor(es[k], ts[k], rtol=rtol, atol=atol, what=k)
