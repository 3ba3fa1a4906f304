"""nn.utils fusion (fuse_conv_bn_eval/weights, fuse_linear_bn_eval/weights), skip_init and
stateless.functional_call against torch."""

import numpy as np
import pytest
import torch

import ember
from ember.nn import utils as eu
from harness import assert_close_tensor
from harness import module_pair as make
from harness import state_to_ember as to_e

tu = torch.nn.utils


def trained_bn(rng, layer, n, dtype=torch.float32):
    tb, eb = make(layer, n, dtype=dtype)
    with torch.no_grad():
        tb.weight.copy_(torch.from_numpy(rng.uniform(0.5, 2, n)))
        tb.bias.copy_(torch.from_numpy(rng.standard_normal(n)))
        tb.running_mean.copy_(torch.from_numpy(rng.standard_normal(n)))
        tb.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2, n)))
    eb.load_state_dict(to_e(tb.state_dict()))
    return tb.eval(), eb.eval()


@pytest.mark.parametrize("layer,args,bn,xshape,transpose", [
    ("Conv2d", (3, 4, 3), "BatchNorm2d", (2, 3, 6, 6), False),
    ("Conv1d", (2, 5, 2), "BatchNorm1d", (2, 2, 7), False),
    ("ConvTranspose2d", (3, 4, 2), "BatchNorm2d", (1, 3, 4, 4), True),
])
@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn_eval(rng, layer, args, bn, xshape, transpose, bias):
    tc, ec = make(layer, *args, bias=bias)
    tb, eb = trained_bn(rng, bn, args[1])
    tc.eval()
    ec.eval()
    tf = tu.fuse_conv_bn_eval(tc, tb, transpose=transpose)
    ef = eu.fuse_conv_bn_eval(ec, eb, transpose=transpose)
    assert ef is not ec and isinstance(ef.weight, ember.nn.Parameter)
    assert isinstance(ef.bias, ember.nn.Parameter)
    x = rng.standard_normal(xshape).astype(np.float32)
    assert_close_tensor(ef.weight, tf.weight)
    assert_close_tensor(ef.bias, tf.bias)
    ye = ef(ember.tensor(x))
    assert_close_tensor(ye, tf(torch.from_numpy(x)), atol=1e-5)
    np.testing.assert_allclose(ye.detach().numpy(), eb(ec(ember.tensor(x))).detach().numpy(),
                               rtol=1e-5, atol=1e-5)
    assert ef.weight is not ec.weight


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_fuse_linear_bn_eval(rng, dtype):
    tl, el = make("Linear", 5, 4, dtype=dtype)
    tb, eb = trained_bn(rng, "BatchNorm1d", 4, dtype=dtype)
    tl.eval()
    el.eval()
    tf = tu.fuse_linear_bn_eval(tl, tb)
    ef = eu.fuse_linear_bn_eval(el, eb)
    x = rng.standard_normal((3, 5)).astype(str(dtype)[6:])
    assert_close_tensor(ef(ember.tensor(x)), tf(torch.from_numpy(x)), atol=1e-5)
    np.testing.assert_allclose(ef(ember.tensor(x)).detach().numpy(),
                               eb(el(ember.tensor(x))).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_fuse_weights_none_affine(rng):
    w = rng.standard_normal((4, 3, 2, 2))
    rm, rv = rng.standard_normal(4), rng.uniform(0.5, 2, 4)
    tw, tb = tu.fuse_conv_bn_weights(torch.from_numpy(w), None, torch.from_numpy(rm),
                                     torch.from_numpy(rv), 1e-5, None, None)
    ew, eb = eu.fuse_conv_bn_weights(ember.tensor(w), None, ember.tensor(rm),
                                     ember.tensor(rv), 1e-5, None, None)
    assert_close_tensor(ew, tw)
    assert_close_tensor(eb, tb)
    assert isinstance(ew, ember.nn.Parameter) and isinstance(eb, ember.nn.Parameter)
    lw = rng.standard_normal((4, 3)).astype(np.float32)
    bw, bb = rng.standard_normal(4), rng.standard_normal(4)
    args = (None, rm, rv, 1e-3, bw, bb)
    tw, tb = tu.fuse_linear_bn_weights(torch.from_numpy(lw), *[
        torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args])
    ew, eb = eu.fuse_linear_bn_weights(ember.tensor(lw), *[
        ember.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
    assert_close_tensor(ew, tw)
    assert_close_tensor(eb, tb)


def test_fuse_errors(rng):
    for lib, u in ((torch, tu), (ember, eu)):
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            u.fuse_conv_bn_eval(lib.nn.Conv2d(2, 3, 1), lib.nn.BatchNorm2d(3))
        lin, bn = lib.nn.Linear(2, 3).eval(), lib.nn.BatchNorm1d(4).eval()
        with pytest.raises(AssertionError, match="linear.out_features == bn.num_features"):
            u.fuse_linear_bn_eval(lin, bn)


def test_skip_init():
    m = eu.skip_init(ember.nn.Linear, 4, 3, bias=False, dtype=ember.float64)
    assert isinstance(m, ember.nn.Linear)
    assert m.weight.shape == (3, 4) and m.weight.dtype == ember.float64 and m.bias is None

    class NoDevice(ember.nn.Module):
        pass

    class TNoDevice(torch.nn.Module):
        pass

    with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
        tu.skip_init(TNoDevice)
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
        eu.skip_init(NoDevice)
    with pytest.raises(RuntimeError, match="Expected a Module; got"):
        eu.skip_init(int)
    with pytest.raises(TypeError):
        tu.skip_init(3)
    with pytest.raises(TypeError):
        eu.skip_init(3)


class TNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 3)
        self.bn = torch.nn.BatchNorm1d(3)
        self.out = torch.nn.Linear(3, 2)

    def forward(self, x, scale=1.0):
        return self.out(self.bn(self.fc(x))) * scale


class ENet(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 3)
        self.bn = ember.nn.BatchNorm1d(3)
        self.out = ember.nn.Linear(3, 2)

    def forward(self, x, scale=1.0):
        return self.out(self.bn(self.fc(x))) * scale


def test_functional_call(rng):
    tm, em = TNet().eval(), ENet().eval()
    em.load_state_dict(to_e(tm.state_dict()))
    new = {"fc.weight": rng.standard_normal((3, 3)).astype(np.float32),
           "bn.running_mean": rng.standard_normal(3).astype(np.float32),
           "out.bias": rng.standard_normal(2).astype(np.float32)}
    tnew = {k: torch.from_numpy(v.copy()).requires_grad_(k != "bn.running_mean")
            for k, v in new.items()}
    enew = {k: ember.tensor(v.copy(), requires_grad=k != "bn.running_mean")
            for k, v in new.items()}
    x = rng.standard_normal((4, 3)).astype(np.float32)
    ew0 = em.fc.weight
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        yt = tu.stateless.functional_call(tm, tnew, (torch.from_numpy(x),), {"scale": 2.0})
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        ye = eu.stateless.functional_call(em, enew, (ember.tensor(x),), {"scale": 2.0})
    assert_close_tensor(ye, yt, atol=1e-5)
    yt.sum().backward()
    ye.sum().backward()
    assert_close_tensor(enew["fc.weight"].grad, tnew["fc.weight"].grad, atol=1e-5)
    assert_close_tensor(enew["out.bias"].grad, tnew["out.bias"].grad, atol=1e-5)
    assert em.fc.weight is ew0 and em.fc._parameters["weight"] is ew0   # restored
    assert em.fc.weight.grad is None
    same = em(ember.tensor(x))
    assert_close_tensor(same, tm(torch.from_numpy(x)), atol=1e-5)
    # a single non-tuple argument
    with pytest.warns(FutureWarning):
        y1 = eu.stateless.functional_call(em, {}, ember.tensor(x))
    np.testing.assert_array_equal(y1.detach().numpy(), same.detach().numpy())


def test_functional_call_tied_and_strict(rng):
    tm, em = TNet(), ENet()
    em.load_state_dict(to_e(tm.state_dict()))
    tm.bn.weight = tm.bn.bias
    em.bn.weight = em.bn.bias
    b = rng.standard_normal(3).astype(np.float32)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    with pytest.warns(FutureWarning):
        yt = tu.stateless.functional_call(tm, {"bn.bias": torch.from_numpy(b)},
                                          torch.from_numpy(x))
    with pytest.warns(FutureWarning):
        ye = eu.stateless.functional_call(em, {"bn.bias": ember.tensor(b)}, ember.tensor(x))
    assert_close_tensor(ye, yt, atol=1e-5)    # the tied bn.weight took the new value too
    with pytest.warns(FutureWarning):
        yt = tu.stateless.functional_call(tm, {"bn.bias": torch.from_numpy(b)},
                                          torch.from_numpy(x), tie_weights=False)
    with pytest.warns(FutureWarning):
        ye = eu.stateless.functional_call(em, {"bn.bias": ember.tensor(b)}, ember.tensor(x),
                                          tie_weights=False)
    assert_close_tensor(ye, yt, atol=1e-5)
    for lib, u, mod in ((torch, tu, tm), (ember, eu, em)):
        with pytest.warns(FutureWarning), pytest.raises(
                ValueError, match=r"functional_call got multiple values for keys \['bn.bias', "
                                  r"'bn.weight'\], which are tied"):
            u.stateless.functional_call(mod, {"bn.bias": lib.zeros(3), "bn.weight": lib.ones(3)},
                                        lib.zeros(4, 3))
        with pytest.warns(FutureWarning), pytest.raises(
                RuntimeError, match="Error\\(s\\) in reparametrizing for .*Net:\n\tUnexpected "
                                    "key\\(s\\): 'nope'.\n\tMissing key\\(s\\): 'bn.bias'"):
            u.stateless.functional_call(mod, {"nope": lib.zeros(3)}, lib.zeros(4, 3),
                                        strict=True)
        with pytest.warns(FutureWarning), pytest.raises(AttributeError,
                                                        match="has no attribute `nope`"):
            u.stateless.functional_call(mod, {"nope.x": lib.zeros(3)}, lib.zeros(4, 3))
        with pytest.warns(FutureWarning), pytest.raises(TypeError,
                                                        match="is not an instance of"):
            u.stateless.functional_call(mod, {"fc.weight": 3.0}, lib.zeros(4, 3))


def test_functional_call_on_parametrized_module(rng):
    tm, em = make("Linear", 3, 2, dtype=torch.float64)
    torch.nn.utils.parametrizations.weight_norm(tm)
    eu.parametrizations.weight_norm(em)
    em.load_state_dict(to_e(tm.state_dict()))
    v = rng.standard_normal((2, 3))
    x = rng.standard_normal((4, 3))
    key = "parametrizations.weight.original1"
    with pytest.warns(FutureWarning):
        yt = tu.stateless.functional_call(tm, {key: torch.from_numpy(v)}, torch.from_numpy(x))
    with pytest.warns(FutureWarning):
        ye = eu.stateless.functional_call(em, {key: ember.tensor(v)}, ember.tensor(x))
    assert_close_tensor(ye, yt)
    assert isinstance(em.parametrizations.weight.original1, ember.nn.Parameter)
