"""RNN/LSTM/GRU and cells against torch: outputs, final states, and the gradients of the input,
the initial states and every parameter (torch's state_dict loaded into ember)."""

import itertools
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn.utils import rnn as eu

TU = torch.nn.utils.rnn


def _e(a, grad=False):
    return ember.tensor(np.array(a), requires_grad=grad)


def _copy(tmod, emod):
    emod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                          tmod.state_dict().items()})


def _close(a, b, tol=2e-5):
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a.detach().numpy())
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else np.asarray(b.detach().numpy())
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _flat(out):
    """(output, h) / (output, (h, c)) -> list of tensors; PackedSequence -> its data."""
    o, s = out
    o = o.data if isinstance(o, (TU.PackedSequence, eu.PackedSequence)) else o
    return [o] + (list(s) if isinstance(s, tuple) else [s])


def _compare(tmod, emod, tin, ein, thx, ehx, leaves_t, leaves_e, rng):
    tout = _flat(tmod(tin, thx) if thx is not None else tmod(tin))
    eout = _flat(emod(ein, ehx) if ehx is not None else emod(ein))
    for a, b in zip(tout, eout):
        _close(a, b)
    cots = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for t in tout]
    tl = sum((t * torch.tensor(c)).sum() for t, c in zip(tout, cots))
    el = sum((t * ember.tensor(c)).sum() for t, c in zip(eout, cots))
    tparams = list(tmod.parameters())
    eparams = list(emod.parameters())
    tg = torch.autograd.grad(tl, leaves_t + tparams, allow_unused=True)
    eg = ember.autograd.grad(el, leaves_e + eparams, allow_unused=True)
    for a, b in zip(tg, eg):
        if a is None:
            assert b is None or not np.any(b.numpy())
        else:
            _close(a, b, 1e-4)


GRID = list(itertools.product(["RNN_TANH", "RNN_RELU", "LSTM", "GRU"], [1, 2, 3],
                              [False, True], [False, True]))


def _make(mode, layers, bidir, bf, bias, proj=0, dropout=0.0):
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=bf, bias=bias,
              dropout=dropout)
    if mode.startswith("RNN"):
        kw["nonlinearity"] = "tanh" if mode == "RNN_TANH" else "relu"
        return torch.nn.RNN(4, 5, **kw), nn.RNN(4, 5, **kw)
    if mode == "LSTM":
        return torch.nn.LSTM(4, 5, proj_size=proj, **kw), nn.LSTM(4, 5, proj_size=proj, **kw)
    return torch.nn.GRU(4, 5, **kw), nn.GRU(4, 5, **kw)


def _states(mode, L, B, P, H, rng, unbatched=False):
    shp = (L, P) if unbatched else (L, B, P)
    h = rng.standard_normal(shp).astype(np.float32)
    if mode != "LSTM":
        th, eh = torch.tensor(h, requires_grad=True), _e(h, True)
        return th, eh, [th], [eh]
    c = rng.standard_normal(shp[:-1] + (H,)).astype(np.float32)
    th, tc = torch.tensor(h, requires_grad=True), torch.tensor(c, requires_grad=True)
    eh, ec = _e(h, True), _e(c, True)
    return (th, tc), (eh, ec), [th, tc], [eh, ec]


@pytest.mark.parametrize("mode,layers,bidir,bf", GRID)
def test_padded_grid(mode, layers, bidir, bf, rng):
    # each case runs twice: with bias and given states, then without bias, with a projection
    # (LSTM) and given or default states
    for bias, proj, given in [(True, 0, True), (False, 3 if mode == "LSTM" else 0,
                                                layers % 2 == 0)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tmod, emod = _make(mode, layers, bidir, bf, bias, proj, dropout=0.3)
        _copy(tmod, emod)
        tmod.eval()
        emod.eval()
        T, B = 4, 3
        x = rng.standard_normal((B, T, 4) if bf else (T, B, 4)).astype(np.float32)
        tx, ex = torch.tensor(x, requires_grad=True), _e(x, True)
        L = layers * (2 if bidir else 1)
        P = proj or 5
        if given:
            th, eh, lt, le = _states(mode, L, B, P, 5, rng)
        else:
            th = eh = None
            lt, le = [], []
        _compare(tmod, emod, tx, ex, th, eh, [tx] + lt, [ex] + le, rng)


@pytest.mark.parametrize("mode,layers,bidir,sorted_", [
    ("LSTM", 1, False, True), ("LSTM", 2, True, False), ("GRU", 2, True, False),
    ("RNN_TANH", 3, True, False), ("RNN_RELU", 1, False, True), ("GRU", 1, False, True),
    ("LSTM", 3, False, False)])
@pytest.mark.parametrize("bf", [False, True])
def test_packed(mode, layers, bidir, sorted_, bf, rng):
    tmod, emod = _make(mode, layers, bidir, bf, True, 2 if mode == "LSTM" and layers == 2
                       else 0)
    _copy(tmod, emod)
    lengths = [5, 4, 4, 2, 1] if sorted_ else [2, 5, 1, 4, 4]
    T, B = 5, 5
    x = rng.standard_normal((B, T, 4) if bf else (T, B, 4)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), _e(x, True)
    tp = TU.pack_padded_sequence(tx, lengths, batch_first=bf, enforce_sorted=sorted_)
    ep = eu.pack_padded_sequence(ex, lengths, batch_first=bf, enforce_sorted=sorted_)
    L = layers * (2 if bidir else 1)
    P = 2 if mode == "LSTM" and layers == 2 else 5
    th, eh, lt, le = _states(mode, L, B, P, 5, rng)
    _compare(tmod, emod, tp, ep, th, eh, [tx] + lt, [ex] + le, rng)
    # padded positions are zero after unpacking; final states at each sequence's last step
    to, ts = tmod(tp)
    eo, es = emod(ep)
    tpad, tl = TU.pad_packed_sequence(to, batch_first=bf)
    epad, el = eu.pad_packed_sequence(eo, batch_first=bf)
    _close(tpad, epad)
    assert el.tolist() == tl.tolist()


@pytest.mark.parametrize("mode", ["RNN_TANH", "LSTM", "GRU"])
def test_unbatched(mode, rng):
    tmod, emod = _make(mode, 2, True, False, True)
    _copy(tmod, emod)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), _e(x, True)
    _compare(tmod, emod, tx, ex, None, None, [tx], [ex], rng)
    th, eh, lt, le = _states(mode, 4, 1, 5, 5, rng, unbatched=True)
    _compare(tmod, emod, tx, ex, th, eh, [tx] + lt, [ex] + le, rng)


def test_dropout_train():
    tmod, emod = _make("LSTM", 3, False, False, True, dropout=0.5)
    emod.train()
    x = _e(np.random.default_rng(0).standard_normal((4, 2, 4)).astype(np.float32))
    o1, _ = emod(x)
    o2, _ = emod(x)
    assert not np.allclose(o1.detach().numpy(), o2.detach().numpy())
    emod.eval()
    o3, _ = emod(x)
    o4, _ = emod(x)
    np.testing.assert_array_equal(o3.detach().numpy(), o4.detach().numpy())
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)


@pytest.mark.parametrize("cls,kw", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                    ("LSTMCell", {}), ("GRUCell", {}),
                                    ("GRUCell", {"bias": False}), ("LSTMCell", {"bias": False})])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("given", [True, False])
def test_cells(cls, kw, batched, given, rng):
    tmod, emod = getattr(torch.nn, cls)(4, 5, **kw), getattr(nn, cls)(4, 5, **kw)
    _copy(tmod, emod)
    x = rng.standard_normal((3, 4) if batched else (4,)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), _e(x, True)
    leaves_t, leaves_e = [tx], [ex]
    th = eh = None
    if given:
        shp = (3, 5) if batched else (5,)
        hs = [rng.standard_normal(shp).astype(np.float32)
              for _ in range(2 if cls == "LSTMCell" else 1)]
        ts = [torch.tensor(h, requires_grad=True) for h in hs]
        es = [_e(h, True) for h in hs]
        th, eh = (tuple(ts), tuple(es)) if cls == "LSTMCell" else (ts[0], es[0])
        leaves_t += ts
        leaves_e += es
    tout = tmod(tx, th) if given else tmod(tx)
    eout = emod(ex, eh) if given else emod(ex)
    tout = list(tout) if isinstance(tout, tuple) else [tout]
    eout = list(eout) if isinstance(eout, tuple) else [eout]
    for a, b in zip(tout, eout):
        _close(a, b)
    cots = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for t in tout]
    tl = sum((t * torch.tensor(c)).sum() for t, c in zip(tout, cots))
    el = sum((t * ember.tensor(c)).sum() for t, c in zip(eout, cots))
    tg = torch.autograd.grad(tl, leaves_t + list(tmod.parameters()))
    eg = ember.autograd.grad(el, leaves_e + list(emod.parameters()))
    for a, b in zip(tg, eg):
        _close(a, b, 1e-4)
    assert repr(emod) == repr(tmod)


def test_params_repr_init():
    for tm, em in [(torch.nn.LSTM(3, 6, 2, bidirectional=True, proj_size=2),
                    nn.LSTM(3, 6, 2, bidirectional=True, proj_size=2)),
                   (torch.nn.GRU(3, 6, bias=False, batch_first=True),
                    nn.GRU(3, 6, bias=False, batch_first=True)),
                   (torch.nn.RNN(3, 6, 2, nonlinearity="relu", dropout=0.5),
                    nn.RNN(3, 6, 2, nonlinearity="relu", dropout=0.5))]:
        assert [(n, tuple(p.shape)) for n, p in tm.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in em.named_parameters()]
        assert list(tm.state_dict()) == list(em.state_dict())
        assert repr(tm) == repr(em)
    big = nn.LSTM(64, 100)
    w = big.weight_hh_l0.detach().numpy()
    assert np.abs(w).max() <= 0.1 and np.abs(w).max() > 0.099
    assert abs(w.mean()) < 0.002 and abs(w.std() - 0.1 / np.sqrt(3)) < 0.002


def test_gradcheck_float64():
    for cls in (nn.LSTM, nn.GRU, nn.RNN):
        kw = {"proj_size": 2} if cls is nn.LSTM else {}
        m = cls(2, 3, num_layers=2, bidirectional=True, **kw).double()
        x = ember.randn(3, 2, 2, dtype=ember.float64, requires_grad=True)

        def f(x, m=m):
            o, s = m(x)
            return o, (s[0] if isinstance(s, tuple) else s)
        assert ember.autograd.gradcheck(f, (x,), eps=1e-6, atol=1e-5)


def test_double_backward_raises():
    m = nn.GRU(2, 3)
    x = ember.randn(3, 1, 2, requires_grad=True)
    o, _ = m(x)
    with pytest.raises(RuntimeError, match="double backward"):
        ember.autograd.grad(o.sum(), x, create_graph=True)


ERRORS = [
    ("lstm input size", lambda M: M.LSTM(4, 5), lambda L: L.zeros(6, 2, 3), None,
     ["input_size", "Expected 4"]),
    ("rank 4", lambda M: M.GRU(4, 5), lambda L: L.zeros(6, 2, 3, 4), None, ["2D or 3D"]),
    ("h0 shape", lambda M: M.RNN(4, 5, 2), lambda L: L.zeros(6, 2, 4),
     lambda L: L.zeros(1, 2, 5), ["Expected hidden size", "(2, 2, 5)"]),
    ("c0 shape", lambda M: M.LSTM(4, 5), lambda L: L.zeros(6, 2, 4),
     lambda L: (L.zeros(1, 2, 5), L.zeros(1, 3, 5)), ["hidden[1]", "(1, 2, 5)"]),
    ("hx rank", lambda M: M.GRU(4, 5), lambda L: L.zeros(6, 2, 4),
     lambda L: L.zeros(2, 5), ["3-D"]),
    ("dtype", lambda M: M.GRU(4, 5), lambda L: L.zeros(6, 2, 4, dtype=L.float64), None,
     ["dtype"]),
    ("cell input", lambda M: M.LSTMCell(4, 5), lambda L: L.zeros(2, 3), None, ["input_size"]),
    ("cell rank", lambda M: M.GRUCell(4, 5), lambda L: L.zeros(2, 3, 4), None, ["1D or 2D"]),
]


@pytest.mark.parametrize("name,mk,inp,hx,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, mk, inp, hx, match):
    tm, em = mk(torch.nn), mk(nn)
    with pytest.raises(Exception) as te:
        tm(inp(torch), hx(torch)) if hx else tm(inp(torch))
    with pytest.raises(type(te.value)) as ee:
        em(inp(ember), hx(ember)) if hx else em(inp(ember))
    for m in match:
        assert m in str(ee.value), str(ee.value)
    with pytest.raises(ValueError):
        nn.GRU(4, 5, proj_size=2)
    with pytest.raises(ValueError):
        nn.LSTM(4, 5, proj_size=5)
