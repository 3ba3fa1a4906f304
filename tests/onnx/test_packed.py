"""ember.onnx with packed sequences: pack_padded_sequence -> RNN/LSTM/GRU -> pad_packed_sequence
exports as recurrent nodes whose sequence_lens is the lengths input (dynamic, no sorting), runs
in onnxruntime at other batch sizes, lengths and max lengths, and round-trips through
ember.onnx.load (which runs sequence_lens packed)."""

import io

import numpy as np
import pytest

import ember
import ember.nn as nn

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
rnn_utils = nn.utils.rnn

TOL = dict(rtol=1e-4, atol=1e-5)


def lengths(rng, b, t, full):
    """Random lengths in 1..t; with `full` the longest is t (a batch padded to its longest)."""
    lens = rng.integers(1, t + 1, b)
    if full:
        lens[rng.integers(b)] = t
    return ember.tensor(lens)


def export_run(model, make, names, dyn, sizes):
    """Export at make(*sizes[0]); compare onnxruntime and ember.onnx.load with ember."""
    model.eval()
    buf = io.BytesIO()
    ember.onnx.export(model, make(*sizes[0]), buf, input_names=names, dynamic_axes=dyn)
    data = buf.getvalue()
    proto = onnx.load_from_string(data)
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    loaded = ember.onnx.load(data)
    for s in sizes[1:]:
        xs = make(*s)
        want = [t.detach().numpy() for t in model(*xs)]
        got = sess.run(None, {n: x.numpy() for n, x in zip(names, xs)})
        back = loaded(*xs)
        back = [t.detach().numpy() for t in (back if isinstance(back, tuple) else (back,))]
        assert len(got) == len(back) == len(want)
        for g, k, w in zip(got, back, want):
            assert g.shape == w.shape and k.shape == w.shape
            np.testing.assert_allclose(g, w, **TOL)
            np.testing.assert_allclose(k, w, **TOL)
    return proto


def ops_of(proto):
    return [n.op_type for n in proto.graph.node]


def seq_lens_inputs(proto, op):
    return [n.input[4] for n in proto.graph.node if n.op_type == op]


class GRUClassifier(nn.Module):
    """Embedding -> pack -> bidirectional GRU -> both directions' h_n -> Linear."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(30, 6)
        self.gru = nn.GRU(6, 5, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(10, 3)

    def forward(self, tokens, lens):
        packed = rnn_utils.pack_padded_sequence(self.emb(tokens), lens, batch_first=True,
                                                enforce_sorted=False)
        _, h = self.gru(packed)
        return (self.fc(ember.cat([h[-2], h[-1]], -1)),)


def test_bidirectional_gru_classifier(rng):
    def make(b, t):
        return ember.tensor(rng.integers(0, 30, (b, t))), lengths(rng, b, t, full=True)
    proto = export_run(GRUClassifier(), make, ["tokens", "lens"],
                       {"tokens": {0: "batch", 1: "seq"}, "lens": {0: "batch"}},
                       [(3, 5), (4, 7), (2, 3), (6, 9)])
    ops = ops_of(proto)
    assert ops.count("GRU") == 2
    # no sorting by length: the only Gather is the embedding's
    assert ops.count("Gather") == 1 and "TopK" not in ops and "ScatterND" not in ops
    lens = [n.output[0] for n in proto.graph.node if n.op_type == "Cast"
            and n.input[0] == "lens"]
    assert seq_lens_inputs(proto, "GRU") == lens * 2
    dtypes = {i.name: i.type.tensor_type.elem_type for i in proto.graph.input}
    assert dtypes["lens"] == onnx.TensorProto.INT64
    dims = [d.dim_param for d in proto.graph.input[1].type.tensor_type.shape.dim]
    assert dims == ["batch"]


class PackedRNN(nn.Module):
    def __init__(self, rnn, batch_first, padding_value=0.0, total_length=None):
        super().__init__()
        self.rnn, self.bf = rnn, batch_first
        self.pv, self.tl = padding_value, total_length

    def forward(self, x, lens, *state):
        packed = rnn_utils.pack_padded_sequence(x, lens, batch_first=self.bf,
                                                enforce_sorted=False)
        hx = (state if len(state) == 2 else state[0]) if state else None
        out, h = self.rnn(packed, hx)
        tl = x.shape[1 if self.bf else 0] if self.tl == "input" else self.tl
        y, out_lens = rnn_utils.pad_packed_sequence(out, batch_first=self.bf,
                                                    padding_value=self.pv, total_length=tl)
        return (y, out_lens) + (h if isinstance(h, tuple) else (h,))


CASES = [  # (rnn class, kwargs, batch_first, padding_value, total_length, with initial state)
    (nn.LSTM, dict(num_layers=2, bidirectional=True), False, 0.0, None, False),
    (nn.LSTM, dict(bidirectional=True), True, 0.0, None, True),
    (nn.LSTM, dict(), False, -1.5, "input", True),
    (nn.GRU, dict(num_layers=2), True, 2.0, 12, False),
    (nn.RNN, dict(bidirectional=True, nonlinearity="relu"), False, 0.0, 12, True),
]


@pytest.mark.parametrize("cls,kw,bf,pv,tl,state", CASES)
def test_packed_padded_output(rng, cls, kw, bf, pv, tl, state):
    rnn = cls(3, 4, batch_first=bf, **kw)
    L = rnn.num_layers * (2 if rnn.bidirectional else 1)
    lstm = cls is nn.LSTM

    def make(b, t):
        x = ember.randn(b, t, 3) if bf else ember.randn(t, b, 3)
        # batch_first: longest = t (see the report: ember's batch_first packing of input
        # longer than its longest sequence is wrong in eager mode)
        xs = (x, lengths(rng, b, t, full=bf))
        if state:
            xs += (ember.randn(L, b, 4),) + ((ember.randn(L, b, 4),) if lstm else ())
        return xs
    names = ["x", "lens", "h0", "c0"][:2 + state * (2 if lstm else 1)]
    dyn = {"x": {0: "batch", 1: "seq"} if bf else {0: "seq", 1: "batch"}, "lens": [0]}
    dyn.update({n: {1: "batch"} for n in names[2:]})
    proto = export_run(PackedRNN(rnn, bf, pv, tl), make, names, dyn,
                       [(3, 5), (4, 7), (2, 3), (5, 9)])
    op = {nn.LSTM: "LSTM", nn.GRU: "GRU"}.get(cls, "RNN")
    assert ops_of(proto).count(op) == L
    assert len(set(seq_lens_inputs(proto, op))) == 1     # one sequence_lens for every node


def test_packed_sorted_and_list_lengths(rng):
    # enforce_sorted=True with a lengths tensor, and a Python list (frozen, as torch traces)
    rnn = nn.GRU(3, 4)

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = rnn

        def forward(self, x):
            p = rnn_utils.pack_padded_sequence(x, [4, 2, 1])
            return (rnn_utils.pad_packed_sequence(self.rnn(p)[0], total_length=4)[0],)
    proto = export_run(M(), lambda: (ember.randn(4, 3, 3),), ["x"], {}, [(), ()])
    assert ops_of(proto).count("GRU") == 1


def test_packed_data_used_elsewhere_is_refused():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(3, 4)

        def forward(self, x, lens):
            p = rnn_utils.pack_padded_sequence(x, lens, enforce_sorted=False)
            return self.rnn(p)[1] + p.data.sum()
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match=r"packed sequence's data"):
        ember.onnx.export(M(), (ember.randn(4, 2, 3), ember.tensor([4, 2])), io.BytesIO())

    class Out(M):
        def forward(self, x, lens):
            return self.rnn(rnn_utils.pack_padded_sequence(x, lens, enforce_sorted=False))[0]
    with pytest.raises(ember.onnx.OnnxExporterError, match=r"output 0 .*pad_packed_sequence"):
        ember.onnx.export(Out(), (ember.randn(4, 2, 3), ember.tensor([4, 2])), io.BytesIO())


def test_load_runs_sequence_lens_like_torch(rng):
    # a hand-built bidirectional LSTM node with sequence_lens, run by ember.onnx.load and ORT
    from onnx import TensorProto, helper, numpy_helper
    H, In, T, B = 3, 2, 5, 4
    W = rng.standard_normal((2, 4 * H, In)).astype(np.float32)
    R = rng.standard_normal((2, 4 * H, H)).astype(np.float32)
    Bias = rng.standard_normal((2, 8 * H)).astype(np.float32)
    node = helper.make_node("LSTM", ["x", "W", "R", "B", "lens"], ["y", "yh", "yc"],
                            hidden_size=H, direction="bidirectional")
    g = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [T, B, In]),
                      helper.make_tensor_value_info("lens", TensorProto.INT32, [B])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("y", "yh", "yc")],
        initializer=[numpy_helper.from_array(a, n) for a, n in ((W, "W"), (R, "R"),
                                                                (Bias, "B"))])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 20)], ir_version=9)
    data = m.SerializeToString()
    x = rng.standard_normal((T, B, In)).astype(np.float32)
    lens = np.array([2, 5, 1, 3], np.int32)
    want = ort.InferenceSession(data, providers=["CPUExecutionProvider"]).run(
        None, {"x": x, "lens": lens})
    got = ember.onnx.load(data)(ember.tensor(x), ember.tensor(lens))
    for g_, w in zip(got, want):
        np.testing.assert_allclose(g_.detach().numpy(), w, **TOL)
    with pytest.raises(NotImplementedError, match="sequence_lens"):
        ember.onnx.load(data)(ember.tensor(x), ember.tensor(np.array([2, 6, 1, 3], np.int32)))
