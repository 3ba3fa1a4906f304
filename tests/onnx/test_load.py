"""ember.onnx.load: round trips, fine-tuning, and a file made by torch.onnx.export."""

import io

import numpy as np
import pytest

import ember
import ember.nn as nn

onnx = pytest.importorskip("onnx")
torch = pytest.importorskip("torch")


def test_roundtrip_params_are_trainable():
    m = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    buf = io.BytesIO()
    ember.onnx.export(m, ember.randn(3, 4), buf, dynamic_axes={"input_0": [0]})
    lm = ember.onnx.load(buf.getvalue())
    assert list(lm.state_dict()) == list(m.state_dict())
    x = ember.randn(5, 4)
    np.testing.assert_allclose(lm(x).detach().numpy(), m(x).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    lm(x).sum().backward()
    assert all(p.grad is not None for p in lm.parameters())


def test_torch_exported_mlp_runs_in_ember(tmp_path):
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3),
                             torch.nn.Softmax(-1)).eval()
    path = tmp_path / "mlp.onnx"
    x = torch.randn(2, 4)
    torch.onnx.export(tm, (x,), str(path), dynamo=False, input_names=["x"],
                      dynamic_axes={"x": {0: "b"}})
    lm = ember.onnx.load(str(path))
    for n in (2, 7):
        xx = torch.randn(n, 4)
        np.testing.assert_allclose(lm(ember.tensor(xx.numpy())).detach().numpy(),
                                   tm(xx).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_unknown_op_error():
    from onnx import TensorProto, helper
    g = helper.make_graph([helper.make_node("Hardmax", ["x"], ["y"], name="hm")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 20)], ir_version=9)
    with pytest.raises(NotImplementedError, match=r"opset 20: Hardmax \(node hm\)"):
        ember.onnx.load(m.SerializeToString())
