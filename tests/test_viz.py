"""ember.viz.make_dot: the autograd graph as Graphviz DOT, saved and rendered."""

import re
import shutil

import pytest

import ember
import ember.viz as viz
from ember import nn
from ember.autograd import Function


def _mlp_loss():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    loss = nn.functional.mse_loss(model(ember.randn(5, 3)), ember.randn(5, 2))
    return model, loss


def _graph_names(fn, seen=None):
    """Every node name reachable from fn, by walking next_functions."""
    seen = set() if seen is None else seen
    seen.add(fn.name())
    for nxt, _ in fn.next_functions:
        if nxt is not None:
            _graph_names(nxt, seen)
    return seen


def _labels(src):
    return dict(re.findall(r'\t(n\d+) \[label="([^"]*)"', src))


def _edges(src):
    return re.findall(r"\t(n\d+) -> (n\d+)", src)


def test_mlp_loss_graph():
    model, loss = _mlp_loss()
    dot = viz.make_dot(loss, params=dict(model.named_parameters()))
    src = dot.source
    assert src.startswith("digraph") and src.rstrip().endswith("}")
    assert str(dot) == src
    labels = _labels(src)
    names = _graph_names(loss.grad_fn) - {"AccumulateGrad"}
    assert {"MseLossBackward0", "AddmmBackward0", "TanhBackward0"} <= names   # torch's names
    for name in names:
        assert name in labels.values(), name
    # parameters by name with their shapes, light blue; the output (a 0-d loss) dark green
    for pname, p in model.named_parameters():
        shape = "(" + ", ".join(map(str, p.shape)) + ")"
        node = [k for k, v in labels.items() if v == f"{pname}\\n {shape}"]
        assert len(node) == 1, pname
        assert re.search(rf'\t{node[0]} \[label="[^"]*" fillcolor="lightblue"\]', src)
    assert re.search(r'\[label="\(\)" fillcolor="darkolivegreen1"\]', src)
    # output + 4 ops (Addmm twice) + 4 parameters; edges: 1 + 1 + 3 + 1 + 2
    assert len(labels) == 9 and len(_edges(src)) == 8
    # the output hangs under the loss's op; edges point from inputs to the op using them
    out = next(k for k, v in labels.items() if v == "()")
    mse = next(k for k, v in labels.items() if v == "MseLossBackward0")
    assert (mse, out) in _edges(src)


def test_deterministic_and_ids_by_order():
    model, loss = _mlp_loss()
    a = viz.make_dot(loss, params=dict(model.named_parameters())).source
    b = viz.make_dot(loss, params=dict(model.named_parameters())).source
    assert a == b
    model2, loss2 = _mlp_loss()     # different graph objects, same structure
    assert viz.make_dot(loss2, params=dict(model2.named_parameters())).source == a
    assert "0x" not in a and sorted(_labels(a)) == sorted(f"n{i}" for i in range(9))


def test_unnamed_leaves_shapes_multiple_outputs_and_shared_nodes():
    x = ember.randn(2, 3, requires_grad=True)
    y = x * 2
    z = (y + y).sum()               # y's node is used twice: drawn once, two edges
    src = viz.make_dot((y, z)).source
    labels = _labels(src)
    assert list(labels.values()).count("MulBackward0") == 1
    assert list(labels.values()).count("(2, 3)") == 2     # the leaf x and the output y
    mul = next(k for k, v in labels.items() if v == "MulBackward0")
    add = next(k for k, v in labels.items() if v == "AddBackward0")
    assert _edges(src).count((mul, add)) == 2
    assert src.count('fillcolor="darkolivegreen1"') == 2
    # a leaf on its own
    assert '"(2, 3)" fillcolor="darkolivegreen1"' in viz.make_dot(x).source


def test_custom_function_by_class_name():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    w = ember.randn(4, requires_grad=True)
    out = Square.apply(w).sum()
    labels = _labels(viz.make_dot(out, params={"w": w}).source)
    assert "SquareBackward" in labels.values()
    assert "w\\n (4)" in labels.values()


def test_show_saved_and_attrs():
    x = ember.randn(3, 4, requires_grad=True)
    y = ember.tanh(x).sum(dim=1)
    plain = viz.make_dot(y).source
    assert "orange" not in plain
    src = viz.make_dot(y, show_saved=True, show_attrs=True).source
    # tanh saves its (3, 4) output, drawn orange, tied to the op by an undirected edge
    assert re.search(r'\[label="saved\\n \(3, 4\)" fillcolor="orange"\]', src)
    assert 'dir="none"' in src
    sum_label = next(v for v in _labels(src).values() if v.startswith("SumBackward1"))
    assert "keepdim: False" in sum_label and "shape: (3, 4)" in sum_label
    short = viz.make_dot(y, show_attrs=True, max_attr_chars=5).source   # values cut to 5 chars
    assert "shape: (3..." in short and "keepdim: False" in short


def test_bad_arguments():
    with pytest.raises(TypeError, match="Tensor"):
        viz.make_dot([1, 2])
    with pytest.raises(TypeError, match="named_parameters"):
        viz.make_dot(ember.ones(2, requires_grad=True), params=[ember.ones(2)])


def test_save_writes_the_text(tmp_path):
    _, loss = _mlp_loss()
    dot = viz.make_dot(loss)
    path = dot.save(tmp_path / "sub" / "graph.gv")
    assert open(path).read() == dot.source


def test_render_without_dot_raises_clearly_and_keeps_the_text(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name, *a, **k: None)
    _, loss = _mlp_loss()
    dot = viz.make_dot(loss)
    with pytest.raises(RuntimeError) as e:
        dot.render(tmp_path / "graph.png", format="png")
    msg = str(e.value)
    gv = tmp_path / "graph.gv"
    assert "dot" in msg and "apt-get install graphviz" in msg and "pip install graphviz" in msg
    assert str(gv) in msg
    assert gv.read_text() == dot.source
    assert not (tmp_path / "graph.png").exists()
    assert dot._repr_svg_() is None


def test_render_with_the_real_dot_if_there(tmp_path):
    """Draws a PNG when Graphviz is installed; otherwise checks the missing-dot path for real."""
    _, loss = _mlp_loss()
    dot = viz.make_dot(loss)
    if shutil.which("dot"):
        out = dot.render(tmp_path / "graph", format="png")
        assert out == str(tmp_path / "graph.png")
        with open(out, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / "graph.gv").read_text() == dot.source
        assert "<svg" in dot._repr_svg_()
    else:
        with pytest.raises(RuntimeError, match="apt-get install graphviz"):
            dot.render(tmp_path / "graph", format="svg")
        assert (tmp_path / "graph.gv").read_text() == dot.source
        assert dot._repr_svg_() is None
