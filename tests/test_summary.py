"""ember.summary: layers, output shapes, parameter counts and sizes (torchinfo's summary)."""

import pytest
import torch

import ember
from ember import nn
from ember._summary import summary


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(10, 32), lib.nn.ReLU(),
                             lib.nn.Sequential(lib.nn.Linear(32, 16), lib.nn.Tanh()),
                             lib.nn.Linear(16, 3))


def _cnn(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(1, 8, 3, padding=1), n.BatchNorm2d(8), n.ReLU(), n.MaxPool2d(2),
                        n.Conv2d(8, 4, 3), n.Flatten(), n.Linear(4 * 12 * 12, 10))


def _lstm(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = lib.nn.Embedding(50, 8)
            self.lstm = lib.nn.LSTM(8, 16, num_layers=2, batch_first=True)
            self.fc = lib.nn.Linear(16, 3)

        def forward(self, x):
            out, _ = self.lstm(self.emb(x))
            return self.fc(out[:, -1])
    return Net()


CASES = {"mlp": (_mlp, (4, 10), None), "cnn": (_cnn, (2, 1, 28, 28), None),
         "lstm": (_lstm, (3, 7), [ember.long])}


@pytest.mark.parametrize("name", list(CASES))
def test_counts_shapes_and_rows_match_the_model(name, capsys):
    build, size, dtypes = CASES[name]
    ember.manual_seed(0)
    model = build(ember)
    tmodel = build(torch)
    model.train()
    stats = summary(model, input_size=size, dtypes=dtypes)
    table = capsys.readouterr().out
    assert table.strip() == str(stats).strip() == repr(stats).strip()
    # totals equal torch's model of the same architecture
    total = sum(p.numel() for p in tmodel.parameters())
    assert stats.total_params == total == sum(p.numel() for p in model.parameters())
    assert stats.trainable_params == total and stats.non_trainable_params == 0
    assert f"Total params: {total:,}" in table and "Non-trainable params: 0" in table
    assert all(m.training for m in model.modules())    # the train flags came back
    tx = torch.zeros(*size, dtype=torch.long) if dtypes else torch.rand(*size)
    assert stats.summary_list[0].output_size == list(tmodel(tx).shape)
    # every module was called once, in order, with the shape it really outputs
    x = ember.zeros(*size, dtype=dtypes[0]) if dtypes else ember.rand(*size)
    shapes = {}

    def record(m, inputs, out):
        shapes[id(m)] = list((out[0] if isinstance(out, tuple) else out).shape)

    hooks = [m.register_forward_hook(record) for m in model.modules()]
    model.eval()
    with ember.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    assert [i.module for i in stats.summary_list] == list(model.modules())
    for info in stats.summary_list:
        assert info.output_size == shapes[id(info.module)], info
        line = next(ln for ln in table.splitlines() if f"{info.class_name}: " in ln
                    and f"{info.depth}-{info.depth_index}" in ln) if info.depth else None
        if line is not None:
            assert str(info.output_size) in line
            # a row whose children are listed shows its own parameters only
            own = bool(list(info.module.children()))
            n = sum(p.numel() for p in info.module.parameters(recurse=not own))
            assert (f"{n:,}" if n else "--") in line


def test_sizes_in_mb_for_float32():
    model = _mlp(ember)
    stats = summary(model, input_size=(4, 10), verbose=0)
    n_params = 10 * 32 + 32 + 32 * 16 + 16 + 16 * 3 + 3
    assert stats.total_param_bytes == 4 * n_params
    assert stats.total_input == 4 * 4 * 10
    # leaf layers' outputs (Linear, ReLU, Linear, Tanh, Linear), x2 for their gradients
    assert stats.total_output_bytes == 2 * 4 * 4 * (32 + 32 + 16 + 16 + 3)
    total = stats.total_param_bytes + stats.total_input + stats.total_output_bytes
    assert stats.total_mb == pytest.approx(total / 1e6)
    s = str(stats)
    assert f"Params size (MB): {4 * n_params / 1e6:.2f}" in s
    assert f"Forward/backward pass size (MB): {stats.total_output_bytes / 1e6:.2f}" in s
    assert f"Estimated Total Size (MB): {total / 1e6:.2f}" in s
    assert "Input size (MB): 0.00" in s
    # float64 doubles the parameter bytes
    assert summary(_mlp(ember).double(), input_size=(4, 10), dtypes=[ember.float64],
                   verbose=0).total_param_bytes == 8 * n_params


def test_depth_nesting_and_shared_modules():
    lin = nn.Linear(4, 4)
    model = nn.Sequential(lin, nn.ReLU(), nn.Sequential(nn.Linear(4, 4), lin))
    stats = summary(model, input_data=ember.randn(2, 4), verbose=0)
    s = str(stats)
    assert stats.total_params == 40 == sum(p.numel() for p in model.parameters())
    assert "├─Linear: 1-1" in s and "│    └─Linear: 2-1" in s
    assert s.count("(recursive)") == 1
    shallow = str(summary(model, input_data=ember.randn(2, 4), depth=1, verbose=0))
    assert "└─" not in shallow
    seq_row = next(ln for ln in shallow.splitlines() if "Sequential: 1-3" in ln)
    assert "40" in seq_row          # children hidden: the subtree's parameters (lin counted once)


def test_frozen_params_inputs_and_columns():
    model = _mlp(ember)
    for p in model[0].parameters():
        p.requires_grad_(False)
    stats = summary(model, input_data=[ember.randn(2, 10)], verbose=0,
                    col_names=("input_size", "output_size", "num_params", "trainable",
                               "params_percent", "kernel_size"))
    assert stats.non_trainable_params == 352 and stats.trainable_params == 931 - 352
    s = str(stats)
    for head in ("Input Shape", "Output Shape", "Param #", "Trainable", "Param %",
                 "Kernel Shape"):
        assert head in s
    assert "Non-trainable params: 352" in s
    row = next(ln for ln in s.splitlines() if "Linear: 1-1" in ln)
    assert "[2, 10]" in row and "[2, 32]" in row and "False" in row
    cnn = summary(_cnn(ember), input_size=(1, 28, 28), batch_dim=0, verbose=0,
                  col_names=("kernel_size", "output_size"))
    assert cnn.summary_list[0].output_size == [1, 10]
    assert "[3, 3]" in str(cnn)


def test_without_inputs_and_errors():
    stats = summary(_cnn(ember), verbose=0)
    assert stats.total_params == sum(p.numel() for p in _cnn(torch).parameters())
    assert len(stats.summary_list) == 8 and stats.total_output_bytes == 0
    model = _mlp(ember)
    model.train()
    with pytest.raises(RuntimeError, match="Linear: 1-1") as e:
        summary(model, input_size=(3, 7), verbose=0)
    assert "[3, 7]" in str(e.value) and e.value.__cause__ is not None
    assert all(m.training for m in model.modules()) and not model[0]._forward_hooks
    with pytest.raises(TypeError, match="input_size"):
        summary(model, input_size=(3, "a"), verbose=0)
    with pytest.raises(ValueError, match="column"):
        summary(model, input_size=(3, 10), col_names=("flops",), verbose=0)
    with pytest.raises(TypeError, match="nn.Module"):
        summary(lambda x: x, input_size=(3, 10))


def test_runs_in_eval_mode_unless_asked():
    class Probe(nn.Module):
        seen = []

        def forward(self, x):
            Probe.seen.append(self.training)
            return x

    model = nn.Sequential(Probe())
    summary(model, input_size=(1, 2), verbose=0)
    summary(model, input_size=(1, 2), verbose=0, mode="train")
    model.eval()
    summary(model, input_size=(1, 2), verbose=0, mode="same")
    assert Probe.seen == [False, True, False]
    assert not model.training and not model[0].training
