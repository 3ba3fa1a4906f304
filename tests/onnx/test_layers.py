"""ember.onnx for conv/pool/pad/resize/recurrent layers: each converter through onnxruntime at
two batch sizes (two sequence lengths for recurrent ones), node types and key attributes, round
trips through ember.onnx.load, whole models, and torch.onnx.export files run in ember."""

import io

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOL = dict(rtol=1e-4, atol=1e-5)


def export(model, inputs, dyn=None, **kw):
    buf = io.BytesIO()
    names = [f"x{i}" for i in range(len(inputs))]
    dyn = dyn or {n: {0: "batch"} for n in names}
    ember.onnx.export(model, tuple(inputs), buf, input_names=names, dynamic_axes=dyn, **kw)
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    return buf.getvalue(), proto, names


def outputs(y):
    if isinstance(y, tuple):
        return [t for v in y for t in outputs(v)]
    return [y.detach().numpy()]


def check_runs(model, make, sizes, dyn=None, roundtrip=True, **kw):
    """Export at make(*sizes[0]); compare onnxruntime (and ember.onnx.load) with ember."""
    model.eval()
    data, proto, names = export(model, make(*sizes[0]), dyn, **kw)
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    loaded = ember.onnx.load(data) if roundtrip else None
    for s in sizes[1:]:
        xs = make(*s)
        want = outputs(model(*xs))
        got = sess.run(None, {k: x.numpy() for k, x in zip(names, xs)})
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, **TOL)
        if loaded is not None:
            for g, w in zip(outputs(loaded(*xs)), want):
                np.testing.assert_allclose(g, w, **TOL)
    return proto


def ops_of(proto):
    return [n.op_type for n in proto.graph.node]


def attrs(proto, op):
    node = next(n for n in proto.graph.node if n.op_type == op)
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def randn(*shape):
    return lambda n: (ember.randn(n, *shape),)


# (id, module, input maker, op type, expected attributes of that op)
LAYERS = [
    ("conv1d_same_dil_groups", nn.Conv1d(4, 6, 3, padding="same", dilation=2, groups=2),
     randn(4, 9), "Conv", dict(pads=[2, 2], dilations=[2], group=2, kernel_shape=[3])),
    ("conv2d_stride", nn.Conv2d(3, 4, (3, 2), stride=2, padding=(1, 0)), randn(3, 7, 6),
     "Conv", dict(strides=[2, 2], pads=[1, 0, 1, 0], kernel_shape=[3, 2])),
    ("conv2d_even_same", nn.Conv2d(2, 3, 4, padding="same", bias=False), randn(2, 6, 5),
     "Conv", dict(pads=[1, 1, 2, 2])),
    ("conv2d_reflect", nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"), randn(3, 6, 5),
     "Pad", dict(mode=b"reflect")),
    ("conv2d_replicate", nn.Conv2d(3, 4, 3, padding=(2, 1), padding_mode="replicate"),
     randn(3, 6, 5), "Pad", dict(mode=b"edge")),
    ("conv1d_circular", nn.Conv1d(3, 4, 3, padding=2, padding_mode="circular"), randn(3, 6),
     "Pad", dict(mode=b"wrap")),
    ("conv3d", nn.Conv3d(2, 3, (2, 3, 2), padding=(1, 0, 1)), randn(2, 5, 6, 4), "Conv",
     dict(kernel_shape=[2, 3, 2], pads=[1, 0, 1, 1, 0, 1])),
    ("convT1d", nn.ConvTranspose1d(4, 6, 3, stride=3, groups=2, dilation=2), randn(4, 5),
     "ConvTranspose", dict(group=2, strides=[3], output_padding=[0])),
    ("convT2d_outpad", nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
     randn(3, 5, 4), "ConvTranspose", dict(output_padding=[1, 1], pads=[1, 1, 1, 1])),
    ("convT3d", nn.ConvTranspose3d(2, 2, 2, stride=2), randn(2, 3, 3, 3), "ConvTranspose",
     dict(strides=[2, 2, 2])),
    ("reflection_pad2d", nn.ReflectionPad2d((1, 2, 0, 1)), randn(3, 4, 5), "Pad",
     dict(mode=b"reflect")),
    ("replication_pad3d", nn.ReplicationPad3d(1), randn(2, 3, 4, 5), "Pad", dict(mode=b"edge")),
    ("circular_pad1d", nn.CircularPad1d((2, 1)), randn(3, 4), "Pad", dict(mode=b"wrap")),
    ("maxpool2d_default_stride", nn.MaxPool2d(2), randn(3, 9, 8), "MaxPool",
     dict(strides=[2, 2], kernel_shape=[2, 2], ceil_mode=0)),
    ("maxpool2d_ceil_pad", nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), randn(3, 8, 8),
     "MaxPool", dict(ceil_mode=1, pads=[1, 1, 1, 1])),
    ("maxpool1d_dilation", nn.MaxPool1d(2, dilation=2, ceil_mode=True), randn(3, 10),
     "MaxPool", dict(dilations=[2], strides=[2])),
    ("maxpool3d", nn.MaxPool3d(2), randn(2, 4, 4, 5), "MaxPool", dict(strides=[2, 2, 2])),
    ("maxpool2d_indices", lambda x: F.max_pool2d(x, 2, return_indices=True), randn(3, 6, 4),
     "Mod", {}),
    ("avgpool2d", nn.AvgPool2d(3, 2, padding=1), randn(3, 9, 8), "AveragePool",
     dict(count_include_pad=1, strides=[2, 2])),
    ("avgpool2d_exclude_pad_ceil", nn.AvgPool2d(3, 2, padding=1, ceil_mode=True,
                                                count_include_pad=False), randn(3, 8, 8),
     "AveragePool", dict(count_include_pad=0, ceil_mode=1)),
    ("avgpool1d", nn.AvgPool1d(3), randn(3, 9), "AveragePool", dict(strides=[3])),
    ("avgpool3d", nn.AvgPool3d(2), randn(3, 4, 4, 4), "AveragePool", dict(kernel_shape=[2] * 3)),
    ("adaptive_avg_1", nn.AdaptiveAvgPool2d(1), randn(3, 5, 4), "GlobalAveragePool", {}),
    ("adaptive_avg_divisible", nn.AdaptiveAvgPool2d((2, 3)), randn(3, 4, 6), "AveragePool",
     dict(kernel_shape=[2, 2], strides=[2, 2])),
    ("adaptive_max_1", nn.AdaptiveMaxPool1d(1), randn(3, 7), "GlobalMaxPool", {}),
    ("upsample_nearest", nn.Upsample(scale_factor=2), randn(3, 4, 5), "Resize",
     dict(coordinate_transformation_mode=b"asymmetric", nearest_mode=b"floor")),
    ("upsample_nearest_exact", nn.Upsample(size=(7, 9), mode="nearest-exact"), randn(3, 4, 5),
     "Resize", dict(coordinate_transformation_mode=b"half_pixel")),
    ("upsample_bilinear", nn.Upsample(scale_factor=1.5, mode="bilinear"), randn(3, 4, 5),
     "Resize", dict(mode=b"linear", coordinate_transformation_mode=b"pytorch_half_pixel")),
    ("upsample_bilinear_ac", nn.Upsample(size=(7, 9), mode="bilinear", align_corners=True),
     randn(3, 4, 5), "Resize", dict(coordinate_transformation_mode=b"align_corners")),
    ("upsample_bicubic", nn.Upsample(scale_factor=2, mode="bicubic"), randn(2, 4, 5), "Resize",
     dict(mode=b"cubic", cubic_coeff_a=-0.75)),
    ("upsample_linear1d", nn.Upsample(scale_factor=2.5, mode="linear"), randn(3, 4), "Resize",
     dict(mode=b"linear")),
    ("upsample_trilinear", nn.Upsample(size=(3, 5, 7), mode="trilinear"), randn(2, 2, 3, 4),
     "Resize", dict(mode=b"linear")),
    ("interpolate_area", lambda x: F.interpolate(x, size=(2, 3), mode="area"), randn(3, 4, 6),
     "AveragePool", dict(kernel_shape=[2, 2])),
    ("instancenorm_affine", nn.InstanceNorm2d(3, affine=True), randn(3, 4, 5),
     "InstanceNormalization", {}),
]


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


@pytest.mark.parametrize("case", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer(case):
    name, mod, make, op, want = case
    model = mod if isinstance(mod, nn.Module) else Fn(mod)
    if name.startswith(("instancenorm", "conv", "convT")):
        for p in model.parameters():   # non-trivial affine weights
            p.data = ember.randn(*p.shape)
    proto = check_runs(model, lambda n: make(n), [(3,), (2,), (5,)])
    assert op in ops_of(proto), ops_of(proto)
    got = attrs(proto, op)
    for k, v in want.items():
        assert got[k] == v, (k, got[k], v)


# ----------------------------------------------------------------------------- recurrent
class Rec(nn.Module):
    """Returns (output, h_n[, c_n]) as a flat tuple; with_state feeds the initial states."""

    def __init__(self, rnn, with_state=False):
        super().__init__()
        self.rnn, self.with_state = rnn, with_state

    def forward(self, x, *state):
        if self.with_state:
            hx = state[0] if len(state) == 1 else tuple(state)
            out, h = self.rnn(x, hx)
        else:
            out, h = self.rnn(x)
        return (out,) + (h if isinstance(h, tuple) else (h,))


RECURRENT = [("lstm", nn.LSTM, {}), ("gru", nn.GRU, {}), ("rnn_tanh", nn.RNN, {}),
             ("rnn_relu", nn.RNN, {"nonlinearity": "relu"})]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("name,cls,kw", RECURRENT, ids=[r[0] for r in RECURRENT])
def test_recurrent(name, cls, kw, bidirectional, batch_first):
    rnn = cls(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=batch_first, **kw)
    L = 2 * (2 if bidirectional else 1)
    with_state = bidirectional   # initial states as inputs in half the cases
    lstm = cls is nn.LSTM

    def make(b, t):
        x = ember.randn(b, t, 3) if batch_first else ember.randn(t, b, 3)
        if not with_state:
            return (x,)
        return (x, ember.randn(L, b, 4)) + ((ember.randn(L, b, 4),) if lstm else ())
    n_in = 1 + (with_state * (2 if lstm else 1))
    dyn = {"x0": {0: "a", 1: "b"}}
    dyn.update({f"x{i}": {1: "batch"} for i in range(1, n_in)})
    proto = check_runs(Rec(rnn, with_state), make, [(3, 4), (2, 6), (5, 2)], dyn)
    op = {"lstm": "LSTM", "gru": "GRU"}.get(name, "RNN")
    ops = ops_of(proto)
    assert ops.count(op) == L
    a = attrs(proto, op)
    assert a["hidden_size"] == 4 and "layout" not in a
    if op == "GRU":
        assert a["linear_before_reset"] == 1
    if op == "RNN":
        assert a["activations"] == [b"Relu" if "relu" in name else b"Tanh"]
    if batch_first:
        assert "Transpose" in ops
    dirs = [onnx.helper.get_attribute_value(x) for n in proto.graph.node if n.op_type == op
            for x in n.attribute if x.name == "direction"]
    assert dirs.count(b"reverse") == (L // 2 if bidirectional else 0)


def test_lstm_gate_order_initializers():
    rnn = nn.LSTM(2, 3)
    _, proto, _ = export(Rec(rnn), [ember.randn(4, 2, 2)], {"x0": {1: "b"}})
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    w = rnn.weight_ih_l0.detach().numpy()
    i, f, g, o = np.split(w, 4)
    np.testing.assert_array_equal(inits["rnn.W_l0.onnx"][0], np.concatenate([i, o, f, g]))


def test_recurrent_errors():
    packed = nn.utils.rnn.pack_padded_sequence(ember.randn(4, 2, 3), [4, 2])

    class P(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.GRU(3, 4)

        def forward(self, x):
            return self.rnn(packed)[1]
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="packed sequences"):
        ember.onnx.export(P(), ember.randn(1), io.BytesIO())
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="proj_size"):
        ember.onnx.export(Rec(nn.LSTM(3, 4, proj_size=2)), ember.randn(4, 2, 3), io.BytesIO())


def test_unexportable_errors():
    with pytest.raises(ember.onnx.UnsupportedOperatorError,
                       match=r"AdaptiveAvgPool2d.*\[4, 6\] to \[3, 3\].*multiple"):
        ember.onnx.export(nn.AdaptiveAvgPool2d(3), ember.randn(1, 2, 4, 6), io.BytesIO())
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="opset 19"):
        ember.onnx.export(nn.CircularPad1d(1), ember.randn(1, 2, 4), io.BytesIO(),
                          opset_version=17)


def test_multihead_attention_dynamic_batch():
    for bf in (False, True):
        mha = nn.MultiheadAttention(8, 2, batch_first=bf)
        model = Fn(lambda x, m=mha: m(x, x, x)[0])
        model.mha = mha

        def make(b, bf=bf):
            return (ember.randn(b, 5, 8) if bf else ember.randn(5, b, 8),)
        check_runs(model, make, [(3,), (2,), (4,)], {"x0": {0 if bf else 1: "batch"}},
                   roundtrip=False)


# ----------------------------------------------------------------------------- whole models
def test_cnn():
    m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                      nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, padding=1, padding_mode="reflect"),
                      nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))
    m(ember.randn(4, 1, 8, 8))   # running stats move away from 0/1
    proto = check_runs(m, randn(1, 8, 8), [(3,), (2,), (6,)])
    assert {"Conv", "BatchNormalization", "MaxPool", "GlobalAveragePool", "Gemm"} <= set(
        ops_of(proto))


def test_cnn3d():
    m = nn.Sequential(nn.Conv3d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2),
                      nn.ConvTranspose3d(4, 2, 2, stride=2), nn.AvgPool3d(2), nn.Flatten(),
                      nn.Linear(2 * 8, 3))
    proto = check_runs(m, randn(2, 4, 4, 4), [(3,), (2,), (5,)])
    assert {"Conv", "MaxPool", "ConvTranspose", "AveragePool"} <= set(ops_of(proto))


class LanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 6)
        self.lstm = nn.LSTM(6, 8, num_layers=2, batch_first=True)
        self.head = nn.Linear(8, 20)

    def forward(self, tokens):
        return self.head(self.lstm(self.emb(tokens))[0])


class GRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(5, 6, bidirectional=True)
        self.head = nn.Linear(12, 3)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(ember.cat([h[0], h[1]], -1)).log_softmax(-1)


def test_lstm_language_model():
    proto = check_runs(LanguageModel(), lambda b, t: (ember.randint(0, 20, (b, t)),),
                       [(3, 4), (2, 7), (5, 3)], {"x0": {0: "batch", 1: "time"}})
    assert ops_of(proto).count("LSTM") == 2 and "Gather" in ops_of(proto)


def test_bidirectional_gru_classifier():
    proto = check_runs(GRUClassifier(), lambda b, t: (ember.randn(t, b, 5),),
                       [(3, 4), (2, 7), (5, 3)], {"x0": {0: "time", 1: "batch"}})
    assert ops_of(proto).count("GRU") == 2


# ----------------------------------------------------------------------------- torch files
torch = pytest.importorskip("torch")


def _load_torch(tm, x, path, dyn):
    torch.onnx.export(tm.eval(), (x,), str(path), dynamo=False, input_names=["x"],
                      dynamic_axes=dyn)
    return ember.onnx.load(str(path))


def test_torch_exported_cnn_runs_in_ember(tmp_path):
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(),
                             torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(64, 5))
    lm = _load_torch(tm, torch.randn(2, 1, 8, 8), tmp_path / "cnn.onnx", {"x": {0: "b"}})
    for n in (2, 5):
        x = torch.randn(n, 1, 8, 8)
        np.testing.assert_allclose(lm(ember.tensor(x.numpy())).detach().numpy(),
                                   tm(x).detach().numpy(), **TOL)


def test_torch_exported_lstm_runs_in_ember(tmp_path):
    torch.manual_seed(0)

    class TM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
            self.head = torch.nn.Linear(10, 2)

        def forward(self, x):
            return self.head(self.lstm(x)[0])
    tm = TM()
    lm = _load_torch(tm, torch.randn(4, 2, 3), tmp_path / "lstm.onnx",
                     {"x": {0: "t", 1: "b"}})
    for t, b in ((4, 2), (6, 3)):
        x = torch.randn(t, b, 3)
        np.testing.assert_allclose(lm(ember.tensor(x.numpy())).detach().numpy(),
                                   tm(x).detach().numpy(), **TOL)
