"""ember.amp vs torch.amp on a CPU-only build: GradScaler (scaling, unscaling, skipped steps,
growth/backoff, state_dict, the disabled "cuda" scaler) and autocast."""

import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from harness import assert_close_tensor

LIBS = (torch, ember)


def _mlp_state(rng):
    return {"0.weight": rng.standard_normal((8, 4)).astype(np.float32) * 0.5,
            "0.bias": rng.standard_normal(8).astype(np.float32) * 0.1,
            "2.weight": rng.standard_normal((3, 8)).astype(np.float32) * 0.5,
            "2.bias": rng.standard_normal(3).astype(np.float32) * 0.1}


def _mlp(lib, state):
    m = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
    m.load_state_dict({k: lib.tensor(v.copy()) for k, v in state.items()})
    return m


def _same_params(tm, em, rtol=1e-5, atol=1e-6):
    for (tn, tp), (en, ep) in zip(tm.named_parameters(), em.named_parameters(), strict=True):
        assert tn == en
        assert_close_tensor(ep.detach(), tp.detach(), rtol=rtol, atol=atol, what=tn)


def _quiet(fn):
    """Runs fn with NumPy's overflow warnings silenced (a scaled loss that overflows is the
    point of these tests)."""
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn()


# ----------------------------------------------------------------------------- GradScaler


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_grad_scaler_training_loop_matches_torch(rng, momentum):
    # the loss has a term 100 * probe (a parameter the optimizer holds at lr 0), so probe's
    # scaled gradient, 100 * scale, overflows float32 exactly while the scale is >= 2**122:
    # from 2**127 the first 6 steps are skipped, each backing the scale off; then every 2 good
    # steps the scale grows back to 2**122 and the next step is skipped
    state = _mlp_state(rng)
    xs = [rng.standard_normal((5, 4)).astype(np.float32) for _ in range(14)]
    ys = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(14)]
    runs = {}
    for lib in LIBS:
        model = _mlp(lib, state)
        probe = lib.nn.Parameter(lib.ones(()))
        opt = lib.optim.SGD([{"params": model.parameters()}, {"params": [probe], "lr": 0.0}],
                            lr=0.1, momentum=momentum)
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0**127, growth_interval=2)
        trace = []
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(lib.tensor(x)), lib.tensor(y)) + 100 * probe
            scaled = _quiet(lambda scaler=scaler, loss=loss: scaler.scale(loss))
            _quiet(scaled.backward)
            if i == 10:   # a NaN gradient injected: the step is skipped, the scale backs off
                with lib.no_grad():
                    model[2].bias.grad[1] = float("nan")
            ret = scaler.step(opt)
            skipped = sum(v.item() for v in scaler._found_inf_per_device(opt).values()) != 0
            scaler.update()
            trace.append((scaled.dtype, scaled.shape, ret, skipped, scaler.get_scale(),
                          scaler._get_growth_tracker(),
                          {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}))
        runs[lib] = (trace, scaler.state_dict())
    (t_trace, t_sd), (e_trace, e_sd) = runs[torch], runs[ember]
    assert [s[3] for s in t_trace] == [True] * 6 + [False, False, True, False, True, False,
                                                    False, False]
    for ts, es in zip(t_trace, e_trace, strict=True):
        assert str(es[0])[6:] == str(ts[0])[6:] and tuple(es[1]) == tuple(ts[1])
        assert es[2:6] == ts[2:6]
        for k in ts[6]:
            np.testing.assert_allclose(es[6][k], ts[6][k], rtol=1e-4, atol=1e-5, err_msg=k)
    assert e_sd == t_sd
    assert list(e_sd) == ["scale", "growth_factor", "backoff_factor", "growth_interval",
                          "_growth_tracker"]


def test_grad_scaler_unscale_then_clip(rng):
    state = _mlp_state(rng)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    models, grads = {}, {}
    for lib in LIBS:
        model = _mlp(lib, state)
        opt = lib.optim.Adam(model.parameters(), lr=1e-2)
        scaler = lib.amp.GradScaler("cpu", init_scale=1024.0)
        for _ in range(3):
            opt.zero_grad()
            scaler.scale(model(lib.tensor(x)).pow(2).mean()).backward()
            scaler.unscale_(opt)
            grads.setdefault(lib, []).append(model[0].weight.grad.numpy().copy())
            lib.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            scaler.step(opt)
            scaler.update()
        models[lib] = model
    for gt, ge in zip(grads[torch], grads[ember], strict=True):
        np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-6)
    _same_params(models[torch], models[ember])


def test_grad_scaler_two_optimizers_one_overflowing(rng):
    # each optimizer's step is skipped on its own inf; update backs off if any optimizer saw one
    state = _mlp_state(rng)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    out = {}
    for lib in LIBS:
        model = _mlp(lib, state)
        o1 = lib.optim.SGD(model[0].parameters(), lr=0.1)
        o2 = lib.optim.SGD(model[2].parameters(), lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=8.0, growth_interval=1)
        scaler.scale(model(lib.tensor(x)).sum()).backward()
        with lib.no_grad():
            model[2].weight.grad[0, 0] = float("inf")
        r = (scaler.step(o1), scaler.step(o2))
        scaler.update()
        out[lib] = (r, scaler.get_scale(), scaler._get_growth_tracker())
        models = out.setdefault("m", {})
        models[lib] = model
    assert out[ember] == out[torch] == ((None, None), 4.0, 0)
    _same_params(out["m"][torch], out["m"][ember])


def test_grad_scaler_growth_saturates_at_float32_max():
    # a grown scale that would overflow float32 is not taken; the tracker still resets
    res = {}
    for lib in LIBS:
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.0)
        scaler = lib.amp.GradScaler("cpu", init_scale=2.0**127, growth_interval=1)
        scaler.scale(lib.zeros(()) * p.sum()).backward()
        scaler.step(opt)
        scaler.update()
        res[lib] = (scaler.get_scale(), scaler._get_growth_tracker())
    assert res[ember] == res[torch] == (2.0**127, 0)


def test_grad_scaler_scale_structures():
    for lib in LIBS:
        s = lib.amp.GradScaler("cpu", init_scale=4.0)
        a, b = lib.ones(2), lib.full((3,), 2.0)
        out = s.scale([a, (b, [a])])
        assert isinstance(out, list) and isinstance(out[1], tuple) and isinstance(out[1][1], list)
        assert out[0].tolist() == [4.0, 4.0] and out[1][0].tolist() == [8.0] * 3
        assert out[1][1][0].tolist() == [4.0, 4.0]
        gen = s.scale(x for x in [a])
        assert not isinstance(gen, (list, tuple)) and [t.tolist() for t in gen] == [[4.0, 4.0]]
        assert s.scale(lib.ones((), dtype=lib.float64)).dtype == lib.float64
        with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
            s.scale(3.0)


def test_grad_scaler_stage_errors():
    msgs = {}
    for lib in LIBS:
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        s = lib.amp.GradScaler("cpu")
        got = []
        for meth, args in (("step", (opt,)), ("unscale_", (opt,)), ("update", ())):
            with pytest.raises(AssertionError) as e:
                getattr(s, meth)(*args)
            got.append(str(e.value))
        s.scale(p.sum()).backward()
        s.unscale_(opt)
        with pytest.raises(RuntimeError) as e:
            s.unscale_(opt)
        got.append(str(e.value))
        s.step(opt)
        for meth in ("unscale_", "step"):
            with pytest.raises(RuntimeError) as e:
                getattr(s, meth)(opt)
            got.append(str(e.value))
        with pytest.raises(RuntimeError) as e:
            s.step(opt, closure=lambda: None)
        got.append(str(e.value))
        s.update()
        with pytest.raises(AssertionError) as e:
            s.update()
        got.append(str(e.value))
        p16 = lib.nn.Parameter(lib.ones(2, dtype=lib.float16))
        o16 = lib.optim.SGD([p16], lr=0.1)
        _quiet(s.scale(p16.float().sum()).backward)
        with pytest.raises(ValueError) as e:
            s.unscale_(o16)
        got.append(str(e.value))
        for kw in ({"growth_factor": 1.0}, {"backoff_factor": 1.0}):
            with pytest.raises(AssertionError) as e:
                lib.amp.GradScaler("cpu", **kw)
            got.append(str(e.value))
        msgs[lib] = got
    assert msgs[ember] == msgs[torch]
    assert "unscale_() has already been called on this optimizer since the last update()." in \
        msgs[ember]


def test_grad_scaler_update_new_scale_and_state_dict_round_trip():
    res = {}
    for lib in LIBS:
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        s = lib.amp.GradScaler("cpu", init_scale=16.0, growth_interval=5)
        assert s.state_dict()["scale"] == 16.0 and s.get_scale() == 16.0
        s.scale(p.sum()).backward()
        s.step(opt)
        s.update(2.5)
        a = s.get_scale()
        s.scale(p.sum()).backward()
        s.step(opt)
        s.update(lib.tensor(64.0))
        b = (s.get_scale(), s._get_growth_tracker())
        with pytest.raises(AssertionError):
            s.update(lib.tensor([1.0, 2.0]))
        with pytest.raises(RuntimeError):   # a 1-element tensor must be 0-d
            s.update(lib.tensor([1.0]))
        s.set_growth_factor(3.0)
        s.set_backoff_factor(0.25)
        s.set_growth_interval(7)
        getters = (s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval())
        sd = s.state_dict()
        s2 = lib.amp.GradScaler("cpu")
        s2.load_state_dict(sd)
        s3 = lib.amp.GradScaler("cpu")
        s3.scale(lib.ones(1))
        s3.load_state_dict(sd)
        with pytest.raises(RuntimeError) as e:
            s3.load_state_dict({})
        s4 = pickle.loads(pickle.dumps(s))
        res[lib] = (a, b, getters, sd, s2.state_dict(), s3.state_dict(), s3.get_scale(),
                    str(e.value), s4.state_dict())
    assert res[ember] == res[torch]
    assert res[ember][3] == {"scale": 64.0, "growth_factor": 3.0, "backoff_factor": 0.25,
                             "growth_interval": 7, "_growth_tracker": 0}


def _record(fn):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        out = fn()
    return out, [(w.category, str(w.message).replace("ember.", "torch.")) for w in ws]


@pytest.mark.parametrize("make", [
    lambda lib: lib.amp.GradScaler(),
    lambda lib: lib.amp.GradScaler("cuda", init_scale=8.0),
    lambda lib: lib.cuda.amp.GradScaler(),
    lambda lib: lib.cuda.amp.GradScaler(init_scale=8.0, growth_interval=3),
])
def test_grad_scaler_cuda_warns_and_disables(make, rng):
    state = _mlp_state(rng)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    res = {}
    for lib in LIBS:
        s, ws = _record(lambda lib=lib: make(lib))
        model = _mlp(lib, state)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        loss = model(lib.tensor(x)).sum()
        assert s.scale(loss) is loss
        loss.backward()
        s.unscale_(opt)
        s.step(opt)
        s.update()
        s.load_state_dict({})
        res[lib] = (ws, s.is_enabled(), s.get_scale(), s.state_dict(), s._get_growth_tracker(),
                    {k: v.detach().numpy() for k, v in model.state_dict().items()})
    (tw, *t), (ew, *e) = res[torch], res[ember]
    assert ew == tw and tw
    assert e[:4] == t[:4] == [False, 1.0, {}, 0]
    for k in t[4]:
        np.testing.assert_allclose(e[4][k], t[4][k], rtol=1e-5, atol=1e-6)


def test_grad_scaler_disabled_on_cpu_is_silent():
    for lib in LIBS:
        s, ws = _record(lambda lib=lib: lib.amp.GradScaler("cpu", enabled=False))
        assert ws == [] and not s.is_enabled() and s.state_dict() == {}
        s, ws = _record(lambda lib=lib: lib.cuda.amp.GradScaler(enabled=False))
        assert [c for c, _ in ws] == [FutureWarning] and not s.is_enabled()


def test_grad_scaler_namespaces():
    assert ember.amp.grad_scaler.GradScaler is ember.amp.GradScaler
    assert issubclass(ember.cuda.amp.GradScaler, ember.amp.GradScaler)
    assert issubclass(ember.cpu.amp.GradScaler, ember.amp.GradScaler)


# ----------------------------------------------------------------------------- autocast


@pytest.fixture(autouse=True)
def _restore_autocast_state():
    """Every test leaves both frameworks' global autocast state as it found it."""
    from ember.amp import autocast_mode as am
    saved = (dict(am._enabled), dict(am._dtype), am._cache_enabled)
    t_saved = [(d, torch.is_autocast_enabled(d), torch.get_autocast_dtype(d))
               for d in ("cpu", "cuda")]
    yield
    am._enabled.update(saved[0])
    am._dtype.update(saved[1])
    am._cache_enabled = saved[2]
    am._refresh()
    for d, en, dt in t_saved:
        torch.set_autocast_enabled(d, en)
        torch.set_autocast_dtype(d, dt)
    torch.set_autocast_cache_enabled(True)


def _norm(ws):
    """(category, message) with torch's C++ source location cut off."""
    return [(c, m.split(" (Triggered internally")[0]) for c, m in ws]


@pytest.mark.parametrize("make", [
    lambda lib: lib.autocast("cuda"),
    lambda lib: lib.autocast(device_type="cuda", dtype=lib.float16),
    lambda lib: lib.amp.autocast("cuda", enabled=True, cache_enabled=False),
    lambda lib: lib.cuda.amp.autocast(),
    lambda lib: lib.cuda.amp.autocast(dtype=lib.float16),
])
def test_autocast_cuda_warns_and_runs_float32(make, rng):
    state = _mlp_state(rng)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    res = {}
    for lib in LIBS:
        model = _mlp(lib, state)
        ac, ws = _record(lambda lib=lib: make(lib))
        with ac:
            inside = (lib.is_autocast_enabled("cuda"), lib.is_autocast_enabled(),
                      lib.is_autocast_enabled("cpu"))
            y = model(lib.tensor(x))
        res[lib] = (ws, inside, str(y.dtype)[6:], y.detach().numpy(),
                    lib.is_autocast_enabled("cuda"))
    assert res[ember][:3] == res[torch][:3]
    assert res[ember][1] == (False, False, False) and res[ember][2] == "float32"
    assert res[ember][0] and res[ember][4] is False
    np.testing.assert_allclose(res[ember][3], res[torch][3], rtol=1e-5, atol=1e-6)


def test_autocast_cpu_bfloat16_raises_clearly():
    for make in (lambda: ember.autocast("cpu"), lambda: ember.amp.autocast(device_type="cpu"),
                 lambda: ember.get_autocast_dtype("cpu")):
        with pytest.raises(RuntimeError, match="bfloat16") as e:
            make()
        assert "ember does not have" in str(e.value) and "dtype=torch.float16" in str(e.value)
    with pytest.warns(FutureWarning, match="torch.cpu.amp.autocast"), \
            pytest.raises(RuntimeError, match="autocast.*bfloat16"):
        ember.cpu.amp.autocast()
    # disabled, the default dtype is never needed
    with ember.autocast("cpu", enabled=False):
        assert not ember.is_autocast_enabled("cpu")


@pytest.mark.parametrize("dt", ["float32", "float64", "int32"])
def test_autocast_cpu_unsupported_dtype_warns_and_disables(dt):
    res = {}
    for lib in LIBS:
        ac, ws = _record(lambda lib=lib: lib.autocast("cpu", dtype=getattr(lib, dt)))
        with ac:
            inside = lib.is_autocast_enabled("cpu"), str(lib.get_autocast_dtype("cpu"))[6:]
            y = lib.ones(2, 2) @ lib.ones(2, 2)
        res[lib] = ([(c, m.split("\n")[0]) for c, m in ws], inside, str(y.dtype)[6:])
    assert res[ember] == res[torch]
    assert res[ember][0] == [(UserWarning, "In CPU autocast, but the target dtype is not "
                                           "supported. Disabling autocast.")]


def test_autocast_state_functions_and_nesting():
    res = {}
    for lib in LIBS:
        f16 = lib.float16
        log = []

        def probe(lib=lib, log=log):
            y = lib.ones(2, 3) @ lib.ones(3, 2)
            log.append((lib.is_autocast_enabled("cpu"), lib.is_autocast_enabled(),
                        str(lib.get_autocast_dtype("cpu"))[6:], str(y.dtype)[6:],
                        lib.is_autocast_cache_enabled()))

        with lib.autocast("cpu", dtype=f16):
            probe()
            with lib.autocast("cpu", enabled=False):
                probe()
                with lib.autocast(device_type="cpu", dtype=f16, cache_enabled=False):
                    probe()
                probe()
            probe()
            lib.clear_autocast_cache()
        log.append(lib.is_autocast_enabled("cpu"))
        lib.set_autocast_enabled("cpu", True)
        lib.set_autocast_dtype("cpu", f16)
        probe()
        lib.set_autocast_enabled("cpu", False)
        probe()
        lib.set_autocast_enabled(True)
        log.append((lib.is_autocast_enabled(), lib.is_autocast_enabled("cuda"),
                    str(lib.get_autocast_dtype("cuda"))[6:]))
        lib.set_autocast_enabled(False)
        lib.set_autocast_cache_enabled(False)
        log.append(lib.is_autocast_cache_enabled())
        lib.set_autocast_cache_enabled(True)
        _, ws = _record(lambda lib=lib: (lib.set_autocast_cpu_enabled(True),
                                         lib.set_autocast_cpu_dtype(lib.float16),
                                         lib.is_autocast_cpu_enabled(),
                                         lib.get_autocast_cpu_dtype(),
                                         lib.get_autocast_gpu_dtype(),
                                         lib.set_autocast_cpu_enabled(False)))
        log.append(_norm(ws))
        res[lib] = log
    assert res[ember] == res[torch]
    assert res[ember][0] == (True, False, "float16", "float16", True)
    assert res[ember][1][3] == "float32" and res[ember][2][4] is False


def test_autocast_decorator_and_errors():
    res = {}
    for lib in LIBS:
        @lib.autocast("cpu", dtype=lib.float16)
        def f(a, b, lib=lib):
            """doc"""
            return a @ b, lib.is_autocast_enabled("cpu")

        y, on = f(lib.ones(2, 2), lib.ones(2, 2))
        got = [str(y.dtype)[6:], on, lib.is_autocast_enabled("cpu"), f.__name__, f.__doc__]
        for bad, exc in ((lambda lib=lib: lib.autocast("cpu", dtype=lib.float16)(3), TypeError),
                         (lambda lib=lib: lib.autocast(lib.device("cpu")), ValueError),
                         (lambda lib=lib: lib.autocast("xyz"), RuntimeError),
                         (lambda lib=lib: lib.is_autocast_enabled("xyz"), RuntimeError)):
            with pytest.raises(exc) as e:
                bad()
            got.append(str(e.value).split(":")[0])
        with lib.autocast("cpu", dtype=lib.float16):   # float64 is not cast: mixed pairs fail
            with pytest.raises(RuntimeError):
                lib.ones(2, 2, dtype=lib.float64) @ lib.ones(2, 2)
            got.append(str((lib.ones(2, 2, dtype=lib.float64)
                            @ lib.ones(2, 2, dtype=lib.float64)).dtype)[6:])
            got.append(str((lib.ones(2, 2, dtype=lib.int64) @ lib.ones(2, 2, dtype=lib.int64)
                            ).dtype)[6:])
            got.append(str(lib.amp.is_autocast_available("cpu")))
        res[lib] = got
    assert res[ember][:5] == res[torch][:5] == ["float16", True, False, "f", "doc"]
    assert res[ember][5:7] == res[torch][5:7]   # the TypeError and ValueError messages
    assert all(m.startswith("Expected one of cpu, cuda") for m in res[ember][7:9] + res[torch][7:9])
    assert res[ember][9:] == res[torch][9:] == ["float64", "int64", "True"]


def _ops(lib, a, b, v, w3, x1, x2, img, k2, tgt):
    F = lib.nn.functional
    return {
        "matmul": a @ b, "torch.matmul": lib.matmul(a, b), "rmatmul": a.__rmatmul__(b),
        "mm": lib.mm(a, b), "Tensor.mm": a.mm(b), "bmm": lib.bmm(a[None], b[None]),
        "addmm": lib.addmm(v, a, b), "baddbmm": lib.baddbmm(a[None], a[None], b[None]),
        "addbmm": lib.addbmm(a, a[None], b[None]), "matmul_1d": a[0] @ b[:, 0],
        "tensordot": lib.tensordot(a, b, dims=1), "linear": F.linear(a, b, v),
        "conv1d": F.conv1d(x1, w3), "conv2d": F.conv2d(img, k2, padding=1),
        "conv_transpose1d": F.conv_transpose1d(x1, w3.transpose(0, 1)),
        "prelu": F.prelu(a, v[:1]),
        "sdpa": F.scaled_dot_product_attention(a[None], b[None], a[None]),
        # run in float32 under autocast
        "mse_loss": F.mse_loss(a, b), "l1_loss": F.l1_loss(a, b),
        "smooth_l1_loss": F.smooth_l1_loss(a, b), "huber_loss": F.huber_loss(a, b),
        "cross_entropy": F.cross_entropy(a @ b, tgt),
        "nll_loss": F.nll_loss(F.log_softmax(a @ b, 1), tgt),
        "bce_with_logits": F.binary_cross_entropy_with_logits(a @ b, lib.sigmoid(b)),
        "bce": F.binary_cross_entropy(lib.sigmoid(a @ b), lib.sigmoid(b)),
        "kl_div": F.kl_div(F.log_softmax(a @ b, 1), F.softmax(b, 1), reduction="batchmean"),
        "cdist": lib.cdist(a, b),
        # not on either list: follow their inputs
        "mv": lib.mv(a, v), "dot": lib.dot(v, v), "outer": lib.outer(v, v),
        "exp_of_half": lib.exp(a @ b), "softmax_of_half": lib.softmax(a @ b, 1),
        "add_half_float": (a @ b) + b, "sum_of_half": (a @ b).sum(),
    }


def test_autocast_cpu_float16_op_dtypes_and_values(rng):
    n = 4
    arrays = dict(a=rng.uniform(-1, 1, (n, n)), b=rng.uniform(-1, 1, (n, n)),
                  v=rng.uniform(-1, 1, n), w3=rng.uniform(-1, 1, (3, n, 2)),
                  x1=rng.uniform(-1, 1, (2, n, 5)), x2=rng.uniform(-1, 1, (2, 5)),
                  img=rng.uniform(-1, 1, (1, 2, 5, 5)), k2=rng.uniform(-1, 1, (3, 2, 3, 3)))
    arrays = {k: v.astype(np.float32) for k, v in arrays.items()}
    tgt = rng.integers(0, n, n)
    out = {}
    for lib in LIBS:
        ins = {k: lib.tensor(v) for k, v in arrays.items()}
        with lib.autocast("cpu", dtype=lib.float16):
            out[lib] = _ops(lib, **ins, tgt=lib.tensor(tgt))
    assert list(out[ember]) == list(out[torch])
    for k, t in out[torch].items():
        e = out[ember][k]
        assert str(e.dtype)[6:] == str(t.dtype)[6:], k
        # float16 rounding of inputs and results: ~1e-3 relative on O(1) values
        np.testing.assert_allclose(e.detach().float().numpy(), t.detach().float().numpy(),
                                   rtol=2e-2, atol=2e-2, err_msg=k)
    assert str(out[ember]["linear"].dtype) == "ember.float16"
    assert str(out[ember]["mse_loss"].dtype) == "ember.float32"


def test_autocast_cpu_float16_mlp_training_step(rng):
    # forward in float16, loss in float32, gradients back to the float32 parameters in float32
    state = _mlp_state(rng)
    x = rng.uniform(-1, 1, (6, 4)).astype(np.float32)
    tgt = rng.integers(0, 3, 6)
    res = {}
    for lib in LIBS:
        model = _mlp(lib, state)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        scaler = lib.amp.GradScaler("cpu", init_scale=256.0)
        with lib.autocast(device_type="cpu", dtype=lib.float16):
            y = model(lib.tensor(x))
            loss = lib.nn.functional.cross_entropy(y, lib.tensor(tgt))
        scaler.scale(loss).backward()
        grads = {k: p.grad for k, p in model.named_parameters()}
        scaler.step(opt)
        scaler.update()
        res[lib] = (y, loss, grads, model.state_dict())
    (ty, tl, tg, ts), (ey, el, eg, es) = res[torch], res[ember]
    assert str(ey.dtype) == "ember.float16" and str(el.dtype) == "ember.float32"
    assert ey.grad_fn is not None
    np.testing.assert_allclose(ey.detach().float().numpy(), ty.detach().float().numpy(),
                               rtol=2e-2, atol=2e-2)
    np.testing.assert_allclose(el.item(), tl.item(), rtol=1e-2, atol=1e-2)
    for k in tg:
        assert str(eg[k].dtype) == "ember.float32" and tg[k].dtype == torch.float32
        np.testing.assert_allclose(eg[k].numpy(), tg[k].numpy(), rtol=2e-2, atol=2e-2,
                                   err_msg=k)
    for k in ts:
        np.testing.assert_allclose(es[k].numpy(), ts[k].numpy(), rtol=2e-2, atol=2e-2,
                                   err_msg=k)


def test_autocast_cpu_float16_conv_net(rng):
    x = rng.uniform(-1, 1, (2, 2, 6, 6)).astype(np.float32)
    tw = {"0.weight": rng.uniform(-0.5, 0.5, (3, 2, 3, 3)), "0.bias": rng.uniform(-0.1, 0.1, 3),
          "3.weight": rng.uniform(-0.3, 0.3, (2, 48)), "3.bias": rng.uniform(-0.1, 0.1, 2)}
    res = {}
    for lib in LIBS:
        m = lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.ReLU(), lib.nn.Flatten(),
                              lib.nn.Linear(48, 2))
        m.load_state_dict({k: lib.tensor(v.astype(np.float32)) for k, v in tw.items()})
        xt = lib.tensor(x, requires_grad=True)
        with lib.autocast("cpu", dtype=lib.float16):
            h = m[0](xt)
            y = m[3](m[2](m[1](h)))
        y.float().pow(2).sum().backward()
        res[lib] = (h, y, xt.grad, m[0].weight.grad)
    for t, e in zip(res[torch], res[ember], strict=True):
        assert str(e.dtype)[6:] == str(t.dtype)[6:]
        np.testing.assert_allclose(e.detach().float().numpy(), t.detach().float().numpy(),
                                   rtol=3e-2, atol=3e-2)
    assert [str(v.dtype)[6:] for v in res[ember]] == ["float16", "float16", "float32",
                                                       "float32"]


def test_cpu_namespace():
    for name in ("is_available", "device_count", "current_device", "is_initialized"):
        assert getattr(ember.cpu, name)() == getattr(torch.cpu, name)()
    assert ember.cpu.synchronize() is None and ember.cpu.synchronize("cpu") is None
    from ember.cpu.amp import GradScaler as CpuScaler
    from ember.cuda.amp import GradScaler as CudaScaler
    from ember.cuda.amp import autocast as cuda_autocast
    assert issubclass(cuda_autocast, ember.autocast) and CpuScaler is ember.cpu.amp.GradScaler
    assert CudaScaler is ember.cuda.amp.GradScaler
    with pytest.warns(FutureWarning, match=r"torch.cpu.amp.GradScaler\(args...\)` is deprecated"):
        s = CpuScaler(init_scale=8.0)
    assert s.is_enabled() and s.get_scale() == 8.0
    assert ember.amp.autocast is ember.autocast
