"""nn.Module against torch: registration, traversal names and order, state_dict and
load_state_dict reports, modes, conversions, hooks (forward and full backward), repr, copying."""

import copy
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
import ember.nn.module as emodule
from harness import assert_close_tensor


def build(lib):
    """The same model family written for torch and for ember (only Parameter, ops, containers)."""
    nn = lib.nn

    class MyLinear(nn.Module):
        def __init__(self, i, o, bias=True):
            super().__init__()
            self.in_features, self.out_features = i, o
            self.weight = nn.Parameter(lib.ones(o, i) * 0.1)
            if bias:
                self.bias = nn.Parameter(lib.zeros(o))
            else:
                self.register_parameter("bias", None)

        def forward(self, x):
            y = x @ self.weight.t()
            return y if self.bias is None else y + self.bias

        def extra_repr(self):
            return (f"in_features={self.in_features}, out_features={self.out_features}, "
                    f"bias={self.bias is not None}")

    class Tanh(nn.Module):
        def forward(self, x):
            return x.tanh()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = MyLinear(4, 3)
            self.act = Tanh()
            self.body = nn.Sequential(MyLinear(3, 3), nn.Identity(), MyLinear(3, 2, bias=False))
            self.register_buffer("running", lib.zeros(2))
            self.register_buffer("tmp", lib.ones(1), persistent=False)
            self.shared = self.fc1
            self.empty = None

        def forward(self, x):
            return self.body(self.act(self.fc1(x))) + self.running

    return MyLinear, Tanh, Net


T_LIN, T_TANH, T_NET = build(torch)
E_LIN, E_TANH, E_NET = build(ember)


def to_e(t):
    return ember.tensor(t.detach().numpy().copy())


def pair(rng):
    """A torch Net with random weights and an ember Net loaded from it."""
    tn = T_NET()
    with torch.no_grad():
        for p in tn.parameters():
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
        tn.running.copy_(torch.tensor([0.5, -0.25]))
    en = E_NET()
    en.load_state_dict({k: to_e(v) for k, v in tn.state_dict().items()})
    return tn, en


def names(it):
    return [n for n, _ in it]


# ---------------------------------------------------------------- traversal
@pytest.mark.parametrize("call", [
    lambda m: names(m.named_parameters()),
    lambda m: names(m.named_parameters(remove_duplicate=False)),
    lambda m: names(m.named_parameters(prefix="model")),
    lambda m: names(m.named_parameters(recurse=False)),
    lambda m: names(m.body.named_parameters()),
    lambda m: names(m.named_buffers()),
    lambda m: names(m.named_buffers(prefix="p", remove_duplicate=False)),
    lambda m: names(m.named_children()),
    lambda m: names(m.named_modules()),
    lambda m: names(m.named_modules(remove_duplicate=False)),
    lambda m: names(m.named_modules(prefix="root")),
    lambda m: len(list(m.parameters())),
    lambda m: len(list(m.buffers())),
    lambda m: len(list(m.children())),
    lambda m: len(list(m.modules())),
    lambda m: list(m.state_dict()),
    lambda m: list(m.state_dict(prefix="x.")),
    lambda m: list(m.body.state_dict()),
    lambda m: [type(v).__name__ for v in m.state_dict(keep_vars=True).values()],
])
def test_traversal_names_match_torch(call):
    assert call(E_NET()) == call(T_NET())


def test_shared_parameter_counted_once_and_state_dict_values(rng):
    tn, en = pair(rng)
    assert [p.shape for p in en.parameters()] == [ember.Size(p.shape) for p in tn.parameters()]
    for (k, e), (k2, t) in zip(en.state_dict().items(), tn.state_dict().items()):
        assert k == k2
        assert_close_tensor(e, t, what=k)
        assert not e.requires_grad
    sd = en.state_dict(keep_vars=True)
    assert sd["fc1.weight"] is en.fc1.weight and sd["fc1.weight"].requires_grad
    assert isinstance(en.state_dict(), OrderedDict)


def test_forward_and_grads_match_torch(rng):
    tn, en = pair(rng)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    to, eo = tn(torch.from_numpy(x)), en(ember.tensor(x))
    assert_close_tensor(eo, to)
    ct = rng.standard_normal((5, 2)).astype(np.float32)
    (to * torch.from_numpy(ct)).sum().backward()
    (eo * ember.tensor(ct)).sum().backward()
    for (n, ep), (_, tp) in zip(en.named_parameters(), tn.named_parameters()):
        assert_close_tensor(ep.grad, tp.grad, rtol=1e-5, atol=1e-5, what=n)


# ---------------------------------------------------------------- registration
def test_registration_roundtrip():
    m = E_LIN(2, 3)
    assert m.__dict__["weight"] is m._parameters["weight"]
    m.bias = None
    assert m.bias is None and "bias" in m._parameters and "bias" not in m.state_dict()
    m.bias = ember.nn.Parameter(ember.zeros(3))
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    del m.bias
    assert "bias" not in m._parameters and not hasattr(m, "bias")
    m.plain = 3
    m.plain = ember.nn.Parameter(ember.zeros(1))   # a plain attribute becomes a parameter
    assert "plain" in m._parameters
    m.buf = ember.nn.Buffer(ember.ones(2), persistent=False)
    assert "buf" in m._buffers and "buf" in m._non_persistent_buffers_set
    assert "buf" not in m.state_dict()
    m.buf = ember.zeros(2)                           # keeps its non-persistence
    assert "buf" in m._non_persistent_buffers_set and m.buf.sum().item() == 0
    m.sub = E_TANH()
    m.sub = None
    assert m._modules["sub"] is None and m.sub is None
    m.sub = E_TANH()
    assert list(m._modules) == ["sub"]
    m.register_module("other", E_TANH())
    assert list(m._modules) == ["sub", "other"]


def test_buffer_keeps_identity_and_flag():
    tb, eb = torch.nn.Buffer(torch.ones(2)), ember.nn.Buffer(ember.ones(2))
    tm, em = torch.nn.Module(), ember.nn.Module()
    tm.b, em.b = tb, eb
    assert (tm.b is tb) == (em.b is eb)
    assert list(tm.state_dict()) == list(em.state_dict()) == ["b"]


@pytest.mark.parametrize("action", [
    lambda nn, lib, m: m.register_parameter("a.b", None),
    lambda nn, lib, m: m.register_parameter("", None),
    lambda nn, lib, m: m.register_parameter(1, None),
    lambda nn, lib, m: m.register_parameter("forward", None),
    lambda nn, lib, m: m.register_parameter("w", lib.ones(2)),
    lambda nn, lib, m: m.register_parameter("w", nn.Parameter(lib.ones(2)) * 2),
    lambda nn, lib, m: m.register_buffer("weight", lib.ones(2)),
    lambda nn, lib, m: m.register_buffer("b", 3),
    lambda nn, lib, m: m.add_module("m", 3),
    lambda nn, lib, m: m.add_module("weight", nn.Module()),
    lambda nn, lib, m: setattr(m, "weight", lib.ones(3, 2)),
    lambda nn, lib, m: setattr(m, "weight", 3.0),
    lambda nn, lib, m: m.foo,
    lambda nn, lib, m: delattr(m, "foo"),
    lambda nn, lib, m: m.get_submodule("a.b"),
    lambda nn, lib, m: m.get_parameter("bias.x"),
    lambda nn, lib, m: m.get_parameter("nothing"),
    lambda nn, lib, m: m.get_buffer("weight"),
    lambda nn, lib, m: m.to(lib.int64),
    lambda nn, lib, m: m.train("yes"),
    lambda nn, lib, m: m.load_state_dict([1, 2]),
    lambda nn, lib, m: nn.Module().forward(),
])
def test_errors_match_torch(action):
    """Same exception type as torch; the message names the same attribute / key."""
    res = []
    for lib, lin in ((torch, T_LIN), (ember, E_LIN)):
        m = lin(2, 3)
        with pytest.raises(Exception) as ei:
            action(lib.nn, lib, m)
        res.append(ei)
    t, e = res
    assert e.type is t.type, (e.value, t.value)
    for word in ("'", "`", '"'):
        for piece in str(t.value).split(word)[1::2]:
            if piece and "torch" not in piece and len(piece) < 30:
                assert piece in str(e.value), (piece, str(e.value), str(t.value))


def test_unknown_attribute_message():
    with pytest.raises(AttributeError, match="'MyLinear' object has no attribute 'foo'"):
        _ = E_LIN(2, 3).foo


def test_assign_before_init():
    class Bad(ember.nn.Module):
        def __init__(self):
            self.w = ember.nn.Parameter(ember.ones(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_get_submodule_parameter_buffer(rng):
    tn, en = pair(rng)
    assert en.get_submodule("body.0") is en.body[0]
    assert en.get_submodule("") is en
    assert en.get_parameter("body.2.weight") is en.body[2].weight
    assert en.get_buffer("running") is en.running
    en.set_submodule("body.1", E_TANH())
    tn.set_submodule("body.1", T_TANH())
    assert repr(en) == repr(tn)


# ---------------------------------------------------------------- load_state_dict
def _sd(lib, tn, drop=(), extra=None, reshape=None):
    sd = {k: v for k, v in tn.state_dict().items() if k not in drop}
    if extra:
        sd.update(extra)
    if reshape:
        sd[reshape] = torch.zeros(7, 1)
    return sd if lib is torch else {k: to_e(v) for k, v in sd.items()}


@pytest.mark.parametrize("kw", [
    dict(drop=("fc1.bias",)),
    dict(extra={"nope": torch.ones(1), "body.0.nope": torch.ones(1), "tmp": torch.ones(1),
                "body.9.weight": torch.ones(1), "fc1.bias.x": torch.ones(1)}),
    dict(drop=("body.2.weight", "running"), extra={"zzz": torch.ones(1)}),
    dict(),
])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_reports_match_torch(rng, kw, strict):
    tn, en = pair(rng)
    out = []
    for lib, m in ((torch, T_NET()), (ember, E_NET())):
        try:
            r = m.load_state_dict(_sd(lib, tn, **kw), strict=strict)
            out.append(("ok", list(r.missing_keys), list(r.unexpected_keys), repr(r)))
        except RuntimeError as ex:
            out.append(("err", str(ex).replace("torch.Size", "ember.Size")))
    assert out[0] == out[1]


def test_load_state_dict_size_mismatch_message(rng):
    tn, en = pair(rng)
    msgs = []
    for lib, m in ((torch, T_NET()), (ember, E_NET())):
        with pytest.raises(RuntimeError) as ei:
            m.load_state_dict(_sd(lib, tn, reshape="body.0.weight"), strict=False)
        msgs.append(str(ei.value))
    assert "body.0.weight" in msgs[1] and "[7, 1]" in msgs[1] and "[3, 3]" in msgs[1]
    assert msgs[1] == msgs[0].replace("torch.", "ember.")


def test_load_state_dict_copies_in_place_or_assigns(rng):
    tn, en = pair(rng)
    w = en.fc1.weight
    sd = {k: to_e(v) for k, v in tn.state_dict().items()}
    en.load_state_dict(sd)
    assert en.fc1.weight is w and en.fc1.weight.data_ptr() != sd["fc1.weight"].data_ptr()
    en.load_state_dict(sd, assign=True)
    assert en.fc1.weight is not w and isinstance(en.fc1.weight, ember.nn.Parameter)
    assert en.fc1.weight.requires_grad and en.shared.weight is en.fc1.weight
    assert en.running is sd["running"]


def test_extra_state_and_hooks():
    calls = []
    for lib in (torch, ember):
        class S(lib.nn.Module):
            def get_extra_state(self):
                return {"n": 3}

            def set_extra_state(self, s):
                calls.append(s)
        m = lib.nn.Sequential(S())
        sd = m.state_dict()
        assert list(sd) == ["0._extra_state"]
        m.register_load_state_dict_post_hook(lambda mod, keys: calls.append(len(keys[0])))
        m.load_state_dict(sd)
    assert calls == [{"n": 3}, 0] * 2


# ---------------------------------------------------------------- modes and conversions
def test_train_eval_requires_grad_zero_grad(rng):
    tn, en = pair(rng)
    for m in (tn, en):
        assert m.eval() is m and not m.body[0].training
        m.train()
        assert all(x.training for x in m.modules())
        m.body.eval()
        assert [x.training for x in m.modules()] == [True, True, True, False, False, False,
                                                     False]
        m.requires_grad_(False)
        assert not any(p.requires_grad for p in m.parameters())
        m.requires_grad_()
    x = rng.standard_normal((2, 4)).astype(np.float32)
    en(ember.tensor(x)).sum().backward()
    g = en.fc1.weight.grad
    en.zero_grad(set_to_none=False)
    assert en.fc1.weight.grad is g and g.abs().sum().item() == 0
    en.zero_grad()
    assert all(p.grad is None for p in en.parameters())


def test_apply_order():
    for lib, net in ((torch, T_NET), (ember, E_NET)):
        seen = []
        net().apply(lambda m, seen=seen: seen.append(type(m).__name__))
        if lib is torch:
            expected = seen
        else:
            assert seen == expected


@pytest.mark.parametrize("conv,dt", [
    (lambda m, lib: m.double(), "float64"), (lambda m, lib: m.half(), "float16"),
    (lambda m, lib: m.double().float(), "float32"),
    (lambda m, lib: m.to(lib.float64), "float64"),
    (lambda m, lib: m.to(dtype=lib.float64), "float64"),
    (lambda m, lib: m.to("cpu", lib.float64), "float64"),
    (lambda m, lib: m.to(lib.zeros(1, dtype=lib.float64)), "float64"),
    (lambda m, lib: m.to("cpu"), "float32"),
])
def test_conversions(conv, dt):
    m = E_NET()
    m.register_buffer("count", ember.tensor(3))
    w, b = m.fc1.weight, m.running
    assert conv(m, ember) is m
    assert m.fc1.weight is w and m.fc1.weight.dtype == getattr(ember, dt)
    assert m.running.dtype == getattr(ember, dt) and m.count.dtype == ember.int64
    assert m._buffers["running"] is m.running
    tm = T_NET()
    tb = tm.running
    conv(tm, torch)
    assert (tm.running is tb) == (m.running is b)


# ---------------------------------------------------------------- repr
def test_repr_matches_torch():
    for tm, em in (
        (T_NET(), E_NET()),
        (torch.nn.Module(), ember.nn.Module()),
        (T_LIN(2, 3), E_LIN(2, 3)),
        (torch.nn.Sequential(OrderedDict(a=T_NET(), b=torch.nn.Sequential(T_TANH()))),
         ember.nn.Sequential(OrderedDict(a=E_NET(), b=ember.nn.Sequential(E_TANH())))),
    ):
        assert repr(em) == repr(tm)


def test_dir_lists_registered_names():
    m = E_NET()
    d = dir(m)
    for k in ("fc1", "running", "tmp", "forward", "state_dict", "training"):
        assert k in d
    tm = T_NET()
    assert [k for k in dir(tm) if k in ("fc1", "running", "tmp", "shared")] == \
        [k for k in d if k in ("fc1", "running", "tmp", "shared")]


# ---------------------------------------------------------------- Parameter
def test_parameter_basics():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    assert isinstance(p, ember.Tensor) and p.requires_grad and p.is_leaf
    q = ember.nn.Parameter(ember.tensor([1, 2]), requires_grad=False)
    assert not q.requires_grad and q.dtype == ember.int64
    with pytest.raises(RuntimeError):
        ember.nn.Parameter(ember.tensor([1, 2]))
    with pytest.raises(RuntimeError):
        torch.nn.Parameter(torch.tensor([1, 2]))
    assert ember.nn.Parameter().shape == ember.Size([0])
    t = ember.ones(2)
    p = ember.nn.Parameter(t)
    t.add_(1)
    assert p.tolist() == [2.0, 2.0]
    assert repr(p * 2).startswith("tensor(")


# ---------------------------------------------------------------- copying
class PickLin(ember.nn.Module):
    """Module-level (picklable) model."""

    def __init__(self):
        super().__init__()
        self.fc1 = ember.nn.Module()
        self.fc1.weight = ember.nn.Parameter(ember.ones(2, 4))
        self.shared = self.fc1
        self.register_buffer("running", ember.zeros(2))

    def forward(self, x):
        return x @ self.fc1.weight.t() + self.running


def test_deepcopy_and_pickle_are_independent(rng):
    _, en = pair(rng)
    x = ember.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    en(x).sum().backward()
    pk = PickLin()
    for m2, orig in ((copy.deepcopy(en), en), (pickle.loads(pickle.dumps(pk)), pk)):
        assert list(m2.state_dict()) == list(orig.state_dict())
        assert m2.shared is m2.fc1 and m2.fc1 is not orig.fc1
        assert m2.__dict__["fc1"] is m2._modules["fc1"]
        assert m2.fc1.weight is m2.fc1._parameters["weight"]
        assert isinstance(m2.fc1.weight, ember.nn.Parameter) and m2.fc1.weight.requires_grad
        assert_close_tensor(m2(x), torch.from_numpy(orig(x).detach().numpy()))
        with ember.no_grad():
            m2.fc1.weight.add_(1.0)
        assert not np.allclose(m2.fc1.weight.detach().numpy(), orig.fc1.weight.detach().numpy())
    _, en = pair(rng)
    en(x).sum().backward()
    assert copy.deepcopy(en).fc1.weight.grad is None   # torch's Parameter deepcopy drops grad


# ---------------------------------------------------------------- forward hooks
def _record_forward_hooks(lib, net_cls, log):
    m = net_cls()
    inner = m.body[0]
    hs = [
        m.register_forward_pre_hook(lambda mod, a: log.append(("pre", len(a)))),
        m.register_forward_pre_hook(lambda mod, a, k: log.append(("pre_kw", sorted(k))),
                                    with_kwargs=True),
        m.register_forward_pre_hook(lambda mod, a: log.append(("pre_first",)), prepend=True),
        m.register_forward_hook(lambda mod, a, o: log.append(("fwd", tuple(o.shape)))),
        m.register_forward_hook(lambda mod, a, k, o: log.append(("fwd_kw", len(a))),
                                with_kwargs=True),
        inner.register_forward_hook(lambda mod, a, o: o * 0),   # replaces the output
        inner.register_forward_pre_hook(lambda mod, a: (a[0] * 2,)),
    ]
    g = emodule if lib is ember else torch.nn.modules.module
    hs.append(g.register_module_forward_pre_hook(
        lambda mod, a: log.append(("gpre", type(mod).__name__))))
    hs.append(g.register_module_forward_hook(
        lambda mod, a, o: log.append(("gfwd", type(mod).__name__))))
    try:
        out = m(lib.ones(2, 4))
    finally:
        for h in hs:
            h.remove()
    log.append(("out", out.detach().numpy().round(5).tolist()))
    log.append(("after", tuple(m(lib.ones(1, 4)).shape)))
    return m


def test_forward_hooks_order_and_results_match_torch():
    tl, el = [], []
    _record_forward_hooks(torch, T_NET, tl)
    m = _record_forward_hooks(ember, E_NET, el)
    assert el == tl
    assert not m._has_hooks and not emodule._any_global


def test_forward_pre_hook_with_kwargs_replaces_args():
    for lib in (torch, ember):
        class K(lib.nn.Module):
            def forward(self, x, scale=1.0):
                return x * scale
        m = K()
        m.register_forward_pre_hook(lambda mod, a, k: ((a[0] + 1,), {"scale": 3.0}),
                                    with_kwargs=True)
        assert m(lib.ones(2)).tolist() == [6.0, 6.0]
        m2 = K()
        m2.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
        with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
            m2(lib.ones(1))


def test_always_call_forward_hook_runs_on_exception():
    for lib in (torch, ember):
        log = []

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        m = Boom()
        m.register_forward_hook(lambda mod, a, o, log=log: log.append("always"), always_call=True)
        m.register_forward_hook(lambda mod, a, o, log=log: log.append("normal"))
        with pytest.raises(ValueError, match="boom"):
            m(lib.ones(1))
        assert log == ["always"]
        h = m.register_forward_hook(lambda mod, a, o, log=log: log.append("x"))
        with h:
            pass
        assert not m._forward_hooks or len(m._forward_hooks) == 2


# ---------------------------------------------------------------- backward hooks
def _desc(gs):
    return tuple(None if g is None else np.round(g.detach().numpy().astype(np.float64), 4)
                 .tolist() for g in gs)


def _backward_scenario(lib, case, log):
    nn = lib.nn

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(lib.tensor([1.0, 2.0, 3.0]))

        def forward(self, x, y, k):
            return x * self.w * k + y, (x * y).sum()

    m = Two()
    m.register_full_backward_pre_hook(
        lambda mod, go: log.append(("pre", _desc(go))))
    m.register_full_backward_hook(
        lambda mod, gi, go: log.append(("full", _desc(gi), _desc(go))))
    if case == "scale_out":
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 10, go[1]))
    if case == "replace_in":
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1, gi[1], gi[2]))
    x = lib.tensor([1.0, -1.0, 0.5], requires_grad=case != "no_input_grad")
    y = lib.tensor([2.0, 0.0, 1.0], requires_grad=case == "both")
    a, s = m(x, y, 2.0)
    (a * lib.tensor([1.0, 2.0, 3.0])).sum().backward() if case != "tuple" else \
        (a.sum() + s * 3).backward()
    log.append(("grads", _desc([x.grad, y.grad, m.w.grad])))


@pytest.mark.parametrize("case", ["plain", "both", "tuple", "no_input_grad", "scale_out",
                                  "replace_in"])
def test_full_backward_hooks_match_torch(case):
    tl, el = [], []
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        _backward_scenario(torch, case, tl)
    with warnings.catch_warnings(record=True) as ew:
        warnings.simplefilter("always")
        _backward_scenario(ember, case, el)
    assert len(tw) == len(ew)
    assert el == tl


def test_global_backward_hooks_and_nested_order():
    logs = []
    for lib, mod in ((torch, torch.nn.modules.module), (ember, emodule)):
        log = []
        lin, tanh = (T_LIN, T_TANH) if lib is torch else (E_LIN, E_TANH)
        m = lib.nn.Sequential(lin(2, 2), tanh())
        h1 = mod.register_module_full_backward_hook(
            lambda md, gi, go, log=log: log.append(("g", type(md).__name__, len(gi), len(go))))
        h2 = mod.register_module_full_backward_pre_hook(
            lambda md, go, log=log: log.append(("gp", type(md).__name__)))
        try:
            m(lib.ones(1, 2, requires_grad=True)).sum().backward()
        finally:
            h1.remove()
            h2.remove()
        logs.append(log)
    assert logs[0] == logs[1]


def test_no_hook_fast_path_flag():
    m = E_LIN(2, 2)
    assert not m._has_hooks
    h = m.register_full_backward_hook(lambda *a: None)
    assert m._has_hooks
    h.remove()
    assert not m._has_hooks
