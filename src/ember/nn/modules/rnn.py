"""Recurrent layers: RNN, LSTM, GRU and their cells (as torch.nn), parameters laid out as
torch's (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0[, weight_hr_l0], ..._reverse)."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from ...ops.creation import empty
from ...ops.nn_ops import dropout as _dropout
from ...ops.rnn import rnn_layer
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """Shared machinery of RNN/LSTM/GRU (torch.nn.RNNBase)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        D = 2 if bidirectional else 1
        G = _GATES[mode] * hidden_size
        real_h = proj_size if proj_size > 0 else hidden_size
        kw = {"device": device, "dtype": dtype}
        self._flat_weights_names: list = []
        self._all_weights: list = []
        for layer in range(num_layers):
            for d in range(D):
                in_size = input_size if layer == 0 else real_h * D
                suffix = "_reverse" if d == 1 else ""
                params = [(f"weight_ih_l{layer}{suffix}", (G, in_size)),
                          (f"weight_hh_l{layer}{suffix}", (G, real_h))]
                if bias:
                    params += [(f"bias_ih_l{layer}{suffix}", (G,)),
                               (f"bias_hh_l{layer}{suffix}", (G,))]
                if proj_size > 0:
                    params.append((f"weight_hr_l{layer}{suffix}", (proj_size, hidden_size)))
                for name, shape in params:
                    setattr(self, name, Parameter(empty(shape, **kw)))
                names = [n for n, _ in params]
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op, as torch's on CPU."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ------------------------------------------------------------------ forward
    def _layer_weights(self, k: int) -> tuple:
        names = self._all_weights[k]   # attribute reads: a parametrized weight is a property
        w_ih, w_hh = getattr(self, names[0]), getattr(self, names[1])
        b_ih = getattr(self, names[2]) if self.bias else None
        b_hh = getattr(self, names[3]) if self.bias else None
        w_hr = getattr(self, names[-1]) if self.proj_size > 0 else None
        return w_ih, w_hh, b_ih, b_hh, w_hr

    def _check_input(self, x: Any, packed: bool) -> None:
        name = type(self).__name__
        w = getattr(self, self._flat_weights_names[0])
        if x.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({x.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({x.dtype})")
        if x.shape[-1] != self.input_size:
            layout = ("packed data (N, H_in)" if packed else
                      "(N, L, H_in)" if self.batch_first else "(L, N, H_in)")
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{x.shape[-1]} ({name}: expected input of shape {layout} or unbatched "
                f"(L, H_in) with H_in={self.input_size}, got shape {tuple(x.shape)}; "
                f"the features must be the last dim"
                + ("" if packed or self.batch_first else
                   ", and the batch dim 1 unless you pass batch_first=True")
                + ")")

    def _check_hidden(self, hx: Any, expected: tuple, which: str = "hidden") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(
                f"Expected {which} size {expected}, got {list(hx.shape)} ({type(self).__name__}: "
                "initial state must be (num_layers * num_directions, batch, "
                f"{'proj_size' if self.proj_size and which != 'hidden[1]' else 'hidden_size'}))")

    def forward(self, input: Any, hx: Any = None) -> Any:
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        D = 2 if self.bidirectional else 1
        P = self.proj_size if self.proj_size > 0 else self.hidden_size
        if packed:
            x = input.data
            batch_sizes = [int(v) for v in input.batch_sizes.tolist()]
            B = batch_sizes[0]
            batched = True
            if x.dim() != 2:
                raise RuntimeError(f"input must have 2 dimensions, got {x.dim()}")
        else:
            x = input
            batch_sizes = None
            if x.dim() not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.dim()}D "
                                 "tensor instead (expected (L, N, H_in), (N, L, H_in) with "
                                 "batch_first=True, or unbatched (L, H_in); got shape "
                                 f"{tuple(x.shape)})")
            batched = x.dim() == 3
            if not batched:
                x = x.unsqueeze(0 if self.batch_first else 1)
            B = x.shape[0] if self.batch_first else x.shape[1]
        self._check_input(x, packed)
        h0 = c0 = None
        if hx is not None:
            h0, c0 = hx if lstm else (hx, None)
            want = 3 if batched else 2
            if h0.dim() != want or (lstm and c0.dim() != want):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                if lstm:
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D "
                                       f"but got ({h0.dim()}-D, {c0.dim()}-D) tensors")
                raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                                   f"{h0.dim()}-D tensor")
            if not batched:
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if lstm else None
            L = self.num_layers * D
            self._check_hidden(h0, (L, B, P), "hidden[0]" if lstm else "hidden")
            if lstm:
                self._check_hidden(c0, (L, B, self.hidden_size), "hidden[1]")
            if packed and input.sorted_indices is not None:
                h0 = h0.index_select(1, input.sorted_indices)
                c0 = c0.index_select(1, input.sorted_indices) if lstm else None
            h0s = h0.unbind(0)
            c0s = c0.unbind(0) if lstm else None
        hns, cns = [], []
        train_drop = self.dropout > 0 and self.training
        for layer in range(self.num_layers):
            outs = []
            for d in range(D):
                k = layer * D + d
                r = rnn_layer(x, h0s[k] if hx is not None else None,
                              c0s[k] if lstm and hx is not None else None,
                              *self._layer_weights(k), self.mode, d == 1, batch_sizes,
                              self.batch_first)
                outs.append(r[0])
                hns.append(r[1])
                if lstm:
                    cns.append(r[2])
            x = outs[0] if D == 1 else _cat(outs)
            if train_drop and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        h_n = _stack(hns)
        c_n = _stack(cns) if lstm else None
        if packed:
            if input.unsorted_indices is not None:
                h_n = h_n.index_select(1, input.unsorted_indices)
                c_n = c_n.index_select(1, input.unsorted_indices) if lstm else None
            out = PackedSequence(x, input.batch_sizes, input.sorted_indices,
                                 input.unsorted_indices)
        else:
            out = x
            if not batched:
                out = out.squeeze(0 if self.batch_first else 1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if lstm else None
        return (out, (h_n, c_n)) if lstm else (out, h_n)


def _cat(ts: list) -> Any:
    import ember
    return ember.cat(ts, -1)


def _stack(ts: list) -> Any:
    import ember
    return ember.stack(ts, 0)


class RNN(RNNBase):
    """Elman RNN, h' = tanh/relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (torch.nn.RNN)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self_nl = args[3]
            args = args[:3] + args[4:]
        else:
            self_nl = kwargs.pop("nonlinearity", "tanh")
        if self_nl == "tanh":
            mode = "RNN_TANH"
        elif self_nl == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self_nl}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = self_nl


class LSTM(RNNBase):
    """LSTM with gates i, f, g, o and optional projection (torch.nn.LSTM)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """GRU with gates r, z, n; n = tanh(W_in x + b_in + r (W_hn h + b_hn)) (torch.nn.GRU)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ----------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Shared parameters of the cells: weight_ih, weight_hh, bias_ih, bias_hh."""

    _mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.bias is not True:
            s += ", bias={bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _run(self, input: Any, hx: Any, lstm: bool) -> Any:
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             f"instead (input shape {tuple(input.shape)})")
        hs = hx if not lstm or hx is None else hx[0]
        if hs is not None and hs.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hs.dim()}D instead")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        B = x.shape[0]
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected "
                               f"{self.input_size} ({name}: input of shape "
                               f"{tuple(input.shape)})")
        h0 = c0 = None
        if hx is not None:
            h0, c0 = hx if lstm else (hx, None)
            if not batched:
                h0 = h0.unsqueeze(0)
                c0 = c0.unsqueeze(0) if lstm else None
            for s, which in ((h0, "hidden"), (c0, "cell")):
                if s is None:
                    continue
                if s.shape[0] != B:
                    raise RuntimeError(f"Input batch size {B} doesn't match {which}"
                                       f"{0 if which == 'hidden' else 1} batch size "
                                       f"{s.shape[0]} ({name})")
                if s.shape[1] != self.hidden_size:
                    raise RuntimeError(f"{which}{0 if which == 'hidden' else 1} has "
                                       f"inconsistent hidden_size: got {s.shape[1]}, expected "
                                       f"{self.hidden_size} ({name})")
        r = rnn_layer(x.unsqueeze(0), h0, c0, self.weight_ih, self.weight_hh, self.bias_ih,
                      self.bias_hh, None, self._mode, False, None, False)
        if lstm:
            h, c = r[1], r[2]
            return (h, c) if batched else (h.squeeze(0), c.squeeze(0))
        return r[1] if batched else r[1].squeeze(0)


class RNNCell(RNNCellBase):
    """One Elman RNN step, h' = tanh/relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (torch.nn.RNNCell)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Any = None) -> Any:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._run(input, hx, False)


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from (h, c) (torch.nn.LSTMCell)."""

    _mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> Any:
        return self._run(input, hx, True)


class GRUCell(RNNCellBase):
    """One GRU step (torch.nn.GRUCell)."""

    _mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> Any:
        return self._run(input, hx, False)
