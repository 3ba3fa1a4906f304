"""Recurrent layers' math: one Function runs a whole layer/direction (RNN tanh/relu, LSTM with
projection, GRU) over a padded or packed sequence; packing gathers/scatters (torch's
_VF.rnn_tanh/lstm/gru and _pack_padded_sequence/_pad_packed_sequence).

The input projection of all steps is one matrix product; the time loop is the only Python
loop; backward runs BPTT over the gates saved in forward and ends with one matrix product per
weight. Double backward through these is not supported (a clear RuntimeError)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

__all__: list = []

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _no_double(g: Any, what: str) -> None:
    if isinstance(g, Tensor):
        raise RuntimeError(f"{what}: double backward (create_graph=True) through recurrent "
                           "layers is not supported; differentiate the RNN once only")


def _views(a: np.ndarray, T: int, B: int, bs: list, packed: bool, batch_first: bool,
           order: range) -> list:
    """Per-step row blocks of a 2-D array (rows laid out as the input), in processing order."""
    if packed:
        offs = np.concatenate(([0], np.cumsum(bs))).tolist()
        return [a[offs[t]:offs[t] + bs[t]] for t in order]
    if batch_first:
        a3 = a.reshape(B, T, a.shape[-1])
        return [a3[:, t] for t in order]
    a3 = a.reshape(T, B, a.shape[-1])
    return [a3[t] for t in order]


def _sigmoid_(a: np.ndarray) -> None:
    """In-place σ(a) = ½ tanh(a/2) + ½ (stable for any a)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


class RecurrentLayer(Function):
    """One layer and direction of RNN/LSTM/GRU over a whole sequence: (out, h_n[, c_n])."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: Any, h0: Any, c0: Any, w_ih: Any, w_hh: Any, b_ih: Any,
                b_hh: Any, w_hr: Any, mode: str, reverse: bool, batch_sizes: Any,
                batch_first: bool) -> Any:
        packed = batch_sizes is not None
        if packed:
            bs = batch_sizes
            T, B = len(bs), bs[0]
        else:
            B, T = (x.shape[0], x.shape[1]) if batch_first else (x.shape[1], x.shape[0])
            bs = [B] * T
        order = range(T - 1, -1, -1) if reverse else range(T)
        G = w_ih.shape[0]
        H = G // _GATES[mode]
        P = w_hh.shape[1]
        dt = w_ih.dtype
        x2 = x.reshape(-1, x.shape[-1])
        N = x2.shape[0]
        xw = x2 @ w_ih.T
        if b_ih is not None:
            xw += b_ih
            if mode != "GRU":
                xw += b_hh
        out = np.empty((N, P), dt)

        def views(a: np.ndarray) -> list:
            return _views(a, T, B, bs, packed, batch_first, order)

        xs, outs = views(xw), views(out)
        hprev = np.empty((N, P), dt)
        hps = views(hprev)
        h = np.zeros((B, P), dt) if h0 is None else np.array(h0, dt)
        whh_t = w_hh.T
        if mode == "LSTM":
            acts = np.empty((N, G), dt)
            cprev = np.empty((N, H), dt)
            tcs = np.empty((N, H), dt)
            hu = np.empty((N, H), dt) if w_hr is not None else None
            As, Cs, TCs = views(acts), views(cprev), views(tcs)
            Hus = views(hu) if hu is not None else None
            whr_t = w_hr.T if w_hr is not None else None
            c = np.zeros((B, H), dt) if c0 is None else np.array(c0, dt)
            for k, t in enumerate(order):
                n = bs[t]
                hp = h if n == B else h[:n]
                cp = c if n == B else c[:n]
                gv = As[k]
                np.add(xs[k], hp @ whh_t, out=gv)
                _sigmoid_(gv[:, :2 * H])
                _sigmoid_(gv[:, 3 * H:])
                np.tanh(gv[:, 2 * H:3 * H], out=gv[:, 2 * H:3 * H])
                hps[k][...] = hp
                Cs[k][...] = cp
                cn = gv[:, H:2 * H] * cp
                cn += gv[:, :H] * gv[:, 2 * H:3 * H]
                tc = np.tanh(cn, out=TCs[k])
                hn = gv[:, 3 * H:] * tc
                if whr_t is not None:
                    Hus[k][...] = hn
                    hn = hn @ whr_t
                outs[k][...] = hn
                if n == B:
                    h, c = hn, cn
                else:
                    h[:n] = hn
                    c[:n] = cn
            ctx.bufs = (acts, cprev, tcs, hu)
            result = (out, h, c)
        elif mode == "GRU":
            acts = np.empty((N, G), dt)
            hwn = np.empty((N, H), dt)
            As, HWs = views(acts), views(hwn)
            for k, t in enumerate(order):
                n = bs[t]
                hp = h if n == B else h[:n]
                hw = hp @ whh_t
                if b_hh is not None:
                    hw += b_hh
                gv = As[k]
                xk = xs[k]
                np.add(xk[:, :2 * H], hw[:, :2 * H], out=gv[:, :2 * H])
                _sigmoid_(gv[:, :2 * H])
                HWs[k][...] = hw[:, 2 * H:]
                nv = gv[:, 2 * H:]
                np.multiply(gv[:, :H], hw[:, 2 * H:], out=nv)
                nv += xk[:, 2 * H:]
                np.tanh(nv, out=nv)
                hps[k][...] = hp
                hn = hp - nv                       # h' = n + z (h - n)
                hn *= gv[:, H:2 * H]
                hn += nv
                outs[k][...] = hn
                if n == B:
                    h = hn
                else:
                    h[:n] = hn
            ctx.bufs = (acts, hwn)
            result = (out, h)
        else:
            relu = mode == "RNN_RELU"
            for k, t in enumerate(order):
                n = bs[t]
                hp = h if n == B else h[:n]
                hn = hp @ whh_t
                hn += xs[k]
                if relu:
                    np.maximum(hn, 0, out=hn)
                else:
                    np.tanh(hn, out=hn)
                hps[k][...] = hp
                outs[k][...] = hn
                if n == B:
                    h = hn
                else:
                    h[:n] = hn
            ctx.bufs = (out,)
            result = (out, h)
        ctx.plan = (mode, T, B, bs, packed, batch_first, order, H, x.shape)
        ctx.hprev = hprev
        ctx.save_for_backward(x, w_ih, w_hh, w_hr)
        if not packed:
            out = out.reshape(x.shape[:-1] + (P,))
        return (out,) + result[1:]

    @staticmethod
    def backward(ctx: Any, gout: Any, gh: Any, gc: Any = None) -> Any:
        # BPTT: per step d(pre-activations) from the cell's local derivatives, then
        # dh_prev = dG W_hh; weight grads are one product each over all steps
        _no_double(gout, "RNN/LSTM/GRU backward")
        mode, T, B, bs, packed, batch_first, order, H, xshape = ctx.plan
        x, w_ih, w_hh, w_hr = ctx.saved_tensors
        need = ctx.needs_input_grad
        dt = w_ih.dtype
        P = w_hh.shape[1]
        N = ctx.hprev.shape[0]
        steps = range(len(order) - 1, -1, -1)

        def views(a: np.ndarray) -> list:
            return _views(a, T, B, bs, packed, batch_first, order)

        gos = views(np.reshape(gout, (N, P)))
        dh = np.array(gh, dt)
        dG = np.empty((N, w_ih.shape[0]), dt)
        dGs = views(dG)
        Hps = views(ctx.hprev)
        dGh = None
        dWhr = None
        if mode == "LSTM":
            acts, cprev, tcs, hu = ctx.bufs
            As, Cs, TCs = views(acts), views(cprev), views(tcs)
            dc = np.array(gc, dt)
            if hu is not None:
                dhn = np.empty((N, P), dt)
                dHs = views(dhn)
            for k in steps:
                n = bs[order[k]]
                dhk = gos[k] + (dh if n == B else dh[:n])
                if hu is not None:
                    dHs[k][...] = dhk
                    dhk = dhk @ w_hr                # d h_u = dh W_hr
                a = As[k]
                i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                tc = TCs[k]
                # dc = dc' + dh o (1 - tanh²c); gates: σ' = s(1-s), tanh' = 1 - t²
                dcn = dhk * o * (1 - tc * tc)
                dcn += dc if n == B else dc[:n]
                d = dGs[k]
                np.multiply(dcn * g, i * (1 - i), out=d[:, :H])
                np.multiply(dcn * Cs[k], f * (1 - f), out=d[:, H:2 * H])
                np.multiply(dcn * i, 1 - g * g, out=d[:, 2 * H:3 * H])
                np.multiply(dhk * tc, o * (1 - o), out=d[:, 3 * H:])
                dhp = d @ w_hh
                dcp = dcn * f
                if n == B:
                    dh, dc = dhp, dcp
                else:
                    dh[:n] = dhp
                    dc[:n] = dcp
            if hu is not None and need[7]:
                dWhr = dhn.T @ hu
        elif mode == "GRU":
            acts, hwn = ctx.bufs
            As, HWs = views(acts), views(hwn)
            dGh = np.empty_like(dG)
            dGhs = views(dGh)
            for k in steps:
                n = bs[order[k]]
                dhk = gos[k] + (dh if n == B else dh[:n])
                a = As[k]
                r, z, nv = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
                hp = Hps[k]
                d, dhh = dGs[k], dGhs[k]
                # h' = (1-z) n + z h; n = tanh(xn + r hn)
                dnp = dhk * (1 - z) * (1 - nv * nv)
                d[:, 2 * H:] = dnp
                np.multiply(dnp, r, out=dhh[:, 2 * H:])
                np.multiply(dnp * HWs[k], r * (1 - r), out=d[:, :H])
                np.multiply(dhk * (hp - nv), z * (1 - z), out=d[:, H:2 * H])
                dhh[:, :2 * H] = d[:, :2 * H]
                dhp = dhh @ w_hh
                dhp += dhk * z
                if n == B:
                    dh = dhp
                else:
                    dh[:n] = dhp
        else:
            (out,) = ctx.bufs
            Ys = views(out)
            relu = mode == "RNN_RELU"
            for k in steps:
                n = bs[order[k]]
                dhk = gos[k] + (dh if n == B else dh[:n])
                y = Ys[k]
                d = dGs[k]
                # d tanh = 1 - y²; d relu = [y > 0]
                if relu:
                    np.multiply(dhk, y > 0, out=d)
                else:
                    np.multiply(dhk, 1 - y * y, out=d)
                dhp = d @ w_hh
                if n == B:
                    dh = dhp
                else:
                    dh[:n] = dhp
        dhid = dG if dGh is None else dGh
        dx = np.reshape(dG @ w_ih, xshape) if need[0] else None
        dW_ih = dG.T @ x.reshape(N, -1) if need[3] else None
        dW_hh = dhid.T @ ctx.hprev if need[4] else None
        db_ih = dG.sum(0) if need[5] else None
        db_hh = dhid.sum(0) if need[6] else None
        dh0 = dh if need[1] else None
        dc0 = dc if mode == "LSTM" and need[2] else None
        return dx, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh, dWhr, None, None, None, None


def rnn_layer(x: Tensor, h0: Any, c0: Any, w_ih: Tensor, w_hh: Tensor, b_ih: Any, b_hh: Any,
              w_hr: Any, mode: str, reverse: bool, batch_sizes: Any,
              batch_first: bool) -> tuple:
    """One recurrent layer/direction over (T, B, I) / (B, T, I) / packed (N, I) input."""
    return RecurrentLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, reverse,
                                batch_sizes, batch_first)


class PackRows(Function):
    """Gather rows `idx` of x viewed as (rows, *feature) (torch's _pack_padded_sequence)."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: Any, idx: Any, lead: int) -> Any:
        ctx.shape = x.shape
        ctx.idx = idx
        ctx.lead = lead
        return np.reshape(x, (-1,) + x.shape[lead:])[idx]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d gather = scatter into zeros
        if isinstance(g, Tensor):
            return ScatterRows.apply(g, ctx.idx, ctx.shape, 0.0), None, None
        z = np.zeros((int(np.prod(ctx.shape[:ctx.lead])),) + ctx.shape[ctx.lead:], g.dtype)
        z[ctx.idx] = g
        return np.reshape(z, ctx.shape), None, None


class ScatterRows(Function):
    """Place the rows of x at rows `idx` of a new array of `shape` filled with `value`."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: Any, idx: Any, shape: tuple, value: float) -> Any:
        ctx.idx = idx
        lead = len(shape) - (x.ndim - 1)
        ctx.lead = lead
        z = np.full((int(np.prod(shape[:lead])),) + x.shape[1:], value, x.dtype)
        z[idx] = x
        return np.reshape(z, shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d scatter = gather
        if isinstance(g, Tensor):
            return PackRows.apply(g, ctx.idx, ctx.lead), None, None, None
        return np.reshape(g, (-1,) + g.shape[ctx.lead:])[ctx.idx], None, None, None


def packed_index(batch_sizes: list, B: int) -> np.ndarray:
    """Flat row index into a time-major (T*B) layout of each packed row, step by step."""
    T = len(batch_sizes)
    t = np.repeat(np.arange(T), batch_sizes)
    b = np.concatenate([np.arange(n) for n in batch_sizes]) if T else np.zeros(0, np.int64)
    return t * B + b
