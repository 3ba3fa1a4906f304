"""Errors that teach: the 30 mistakes learners make most with PyTorch.

Each mistake runs the same code on torch and on ember (the library is passed in as `L`); ember
must raise the same exception type (or warning category) and its message must say, in the
learner's terms, which layer/op, what was given, what was expected and how to fix it.
Mistakes torch does not raise for (forgetting zero_grad or eval(), NLLLoss on raw logits, a long
target for MSELoss) are not in the count: for them ember must behave exactly as torch does.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember


def _run_backward_twice(L):
    x = L.ones(3, requires_grad=True)
    y = x.exp().sum()
    y.backward()
    y.backward()


def _load_other_model(L):
    L.nn.Sequential(L.nn.Linear(3, 4)).load_state_dict(L.nn.Linear(3, 4).state_dict())


def _if_tensor(L):
    if L.ones(3) > 0:
        pass


def _consumed_generator(L):
    params = L.nn.Linear(2, 2).parameters()
    list(params)                                   # e.g. printed them first
    L.optim.SGD(params, lr=0.1)


def _collate_ragged(L):
    list(L.utils.data.DataLoader([L.ones(3), L.ones(4)], batch_size=2))


def _no_super_init(L):
    class M(L.nn.Module):
        def __init__(self):
            self.fc = L.nn.Linear(2, 2)            # super().__init__() forgotten

    M()


# (mistake number, id, code taking the library, pieces ember's message must contain)
MISTAKES = [
    (1, "linear-in_features", lambda L: L.nn.Linear(3, 4)(L.ones(2, 5)),
     ["Linear(in_features=3", "expected input with last dimension 3", "got shape (2, 5)"]),
    (2, "matmul-inner-dims", lambda L: L.ones(2, 3) @ L.ones(4, 5),
     ["matmul", "2x3 and 4x5", "must equal", "[2, 3]", "[4, 5]"]),
    (3, "conv-channels", lambda L: L.nn.Conv2d(3, 8, 3)(L.ones(1, 1, 8, 8)),
     ["Conv2d(3, 8", "expected input with 3 channels", "got 1 channels", "(1, 1, 8, 8)"]),
    (4, "conv-image-without-batch-and-channel", lambda L: L.nn.Conv2d(3, 8, 3)(L.ones(8, 8)),
     ["Conv2d", "(N, C, H, W)", "2D input of shape (8, 8)", "no channel dim",
      "expects 3 channel(s)"]),
    (5, "cross_entropy-float-target",
     lambda L: L.nn.CrossEntropyLoss()(L.ones(4, 3), L.tensor([0., 1., 2., 1.])),
     ["cross_entropy", "Long", "got Float", "target.long()", "[4, 3]"]),
    (6, "backward-twice", _run_backward_twice,
     ["second time", "ExpBackward0", "retain_graph=True"]),
    (7, "numpy-of-requires-grad", lambda L: L.ones(3, requires_grad=True).numpy(),
     ["numpy()", "requires grad", "tensor.detach().numpy()"]),
    (8, "in-place-on-leaf", lambda L: L.ones(3, requires_grad=True).add_(1),
     ["leaf", "in-place", "(add_)", "no_grad()", "clone()"]),
    (9, "state_dict-other-model-keys", _load_other_model,
     ["Sequential", 'Missing key(s) in state_dict: "0.weight", "0.bias"',
      'Unexpected key(s) in state_dict: "weight", "bias"']),
    (9, "state_dict-other-model-sizes",
     lambda L: L.nn.Linear(3, 4).load_state_dict(L.nn.Linear(3, 5).state_dict()),
     ["size mismatch for weight", "[5, 3]", "from checkpoint", "[4, 3]", "current model"]),
    (10, "batchnorm-one-sample-in-train", lambda L: L.nn.BatchNorm1d(4)(L.ones(1, 4)),
     ["batch_norm", "more than 1 value per channel", "[1, 4]", "model.eval()"]),
    (10, "nll_loss-one-sample-with-batch-target",
     lambda L: L.nn.functional.nll_loss(L.ones(4), L.tensor([0, 1, 2, 1])),
     ["nll_loss", "1D target must have size 1", "[4]", "(N, C)", "unsqueeze(0)"]),
    (11, "float64-input-float32-layer", lambda L: L.nn.Linear(3, 4)(L.ones(2, 3, dtype=L.float64)),
     ["Linear(in_features=3", "same dtype", "float64", "float32", "x.to(ember.float32)"]),
    (12, "view-non-contiguous", lambda L: L.ones(3, 4).t().view(12),
     ["view", "shape [4, 3]", "as [12]", "Use .reshape(...) instead"]),
    (13, "item-of-many", lambda L: L.ones(3).item(),
     ["3 elements", "item() needs exactly one element", "t[0].item()"]),
    (14, "if-tensor", _if_tensor, ["ambiguous", "shape [3]", ".any()", ".all()"]),
    (15, "requires_grad-on-int", lambda L: L.tensor([1, 2]).requires_grad_(),
     ["floating point", "int64", "x.float()"]),
    (16, "backward-non-scalar", lambda L: (L.ones(3, requires_grad=True) * 2).backward(),
     ["scalar outputs", "shape (3,)", "gradient=", "loss.sum()", "loss.mean()"]),
    (17, "index-out-of-range", lambda L: L.ones(3)[5],
     ["index 5", "dimension 0 with size 3", "0 to 2", "-3 to -1"]),
    (18, "cat-mismatched", lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]),
     ["cat", "Expected size 3 but got size 4", "tensor number 1", "[2, 3]", "[2, 4]"]),
    (19, "embedding-index-out-of-range", lambda L: L.nn.Embedding(10, 3)(L.tensor([3, 10])),
     ["embedding", "index 10", "[0, 10)", "num_embeddings=10"]),
    (20, "embedding-float-indices", lambda L: L.nn.Embedding(10, 3)(L.tensor([3., 1.])),
     ["embedding", "Long, Int", "float32", ".long()"]),
    (21, "batch-size-mismatch",
     lambda L: L.nn.CrossEntropyLoss()(L.ones(4, 3), L.tensor([0, 1, 2])),
     ["batch_size (4)", "batch_size (3)", "cross_entropy", "[4, 3]", "target [3]"]),
    (22, "softmax-without-dim", lambda L: L.nn.functional.softmax(L.ones(2, 3)),
     ["softmax", "dim=X"]),
    (23, "label-not-below-num_classes",
     lambda L: L.nn.functional.cross_entropy(L.ones(4, 3), L.tensor([0, 1, 3, 1])),
     ["cross_entropy", "Target 3", "3 classes", "[0, 2]"]),
    (24, "optimizer-consumed-generator", _consumed_generator,
     ["empty parameter list", "generator", "list(model.parameters())"]),
    (25, "dataloader-ragged-samples", _collate_ragged,
     ["default_collate", "sample 0 has shape [3]", "sample 1 has shape [4]", "collate_fn",
      "pad"]),
    (26, "reshape-wrong-size", lambda L: L.ones(2, 3).reshape(4, 2),
     ["reshape", "[4, 2]", "size 6", "exactly 6 elements", "-1"]),
    (27, "lstm-batch-first-confusion", lambda L: L.nn.LSTM(10, 20)(L.ones(5, 3, 7)),
     ["LSTM", "Expected 10, got 7", "(L, N, H_in)", "(5, 3, 7)", "batch_first=True"]),
    (28, "numpy-array-to-layer",
     lambda L: L.nn.Linear(3, 4)(np.ones((2, 3), dtype=np.float32)),
     ["Linear", "argument 'input'", "must be Tensor, not numpy.ndarray", "ember.from_numpy"]),
    (29, "forgot-super-init", _no_super_init,
     ["cannot assign module before Module.__init__() call", "super().__init__()",
      "M.__init__"]),
    (30, "tensor-plus-list", lambda L: L.ones(3) + [1, 2, 3],
     ["got list", "ember.tensor("]),
]

WARNS = {"softmax-without-dim"}


def _outcome(fn, L):
    """(exception or None, first warning or None) of fn(L)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(L)
        except Exception as exc:  # noqa: BLE001
            return exc, None
    return None, (caught[0] if caught else None)


def test_thirty_distinct_mistakes():
    assert len({m[0] for m in MISTAKES}) == 30


@pytest.mark.parametrize("fn, match", [m[2:] for m in MISTAKES], ids=[m[1] for m in MISTAKES])
def test_mistake_teaches(fn, match, request):
    t_exc, t_warn = _outcome(fn, torch)
    e_exc, e_warn = _outcome(fn, ember)
    if request.node.callspec.id in WARNS:
        assert t_exc is None and e_exc is None, (t_exc, e_exc)
        assert t_warn is not None, "torch did not warn"
        assert e_warn is not None, f"ember did not warn (torch: {t_warn.message})"
        assert e_warn.category is t_warn.category
        msg = str(e_warn.message)
    else:
        assert t_exc is not None, "torch did not raise"
        assert e_exc is not None, f"ember did not raise (torch raised {t_exc!r})"
        assert type(e_exc) is type(t_exc), f"ember raised {e_exc!r}; torch raised {t_exc!r}"
        msg = str(e_exc)
    for piece in match:
        assert piece in msg, f"{piece!r} not in ember's message: {msg}"


# ----------------------------------------------------------------- mistakes torch does not raise
def _two_steps(L, zero_grad):
    """Two SGD steps on a fixed Linear; gradients accumulate unless zero_grad() is called."""
    m = L.nn.Linear(3, 2)
    with L.no_grad():
        m.weight.copy_(L.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        m.bias.copy_(L.tensor([0.1, -0.1]))
    opt = L.optim.SGD(m.parameters(), lr=0.1)
    x = L.tensor([[1., 2., 3.], [-1., 0.5, 2.]])
    grads = []
    for _ in range(2):
        if zero_grad:
            opt.zero_grad()
        m(x).pow(2).mean().backward()
        grads.append(m.weight.grad.clone())
        opt.step()
    return [g.detach().numpy() for g in grads] + [m.weight.detach().numpy()]


@pytest.mark.parametrize("zero_grad", [False, True])
def test_forgetting_zero_grad_accumulates_like_torch(zero_grad):
    for e, t in zip(_two_steps(ember, zero_grad), _two_steps(torch, zero_grad)):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


def test_forgetting_eval_keeps_dropout_like_torch():
    for L in (ember, torch):
        d = L.nn.Dropout(0.5)
        x = L.ones(1000)
        y = d(x)                                        # train mode: about half zeroed, rest 2.0
        assert set(np.unique(y.numpy()).tolist()) <= {0.0, 2.0}
        assert 300 < int((y == 0).sum()) < 700
        assert bool((d.eval()(x) == x).all())           # eval(): identity


def test_nll_loss_on_raw_logits_and_mse_with_long_target_like_torch():
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], np.float32)
    for name, args in [("nll_loss", (logits, np.array([0, 2]))),
                       ("mse_loss", (logits[:, 0], np.array([1, 0])))]:
        e = getattr(ember.nn.functional, name)(*map(ember.tensor, args))
        t = getattr(torch.nn.functional, name)(*map(torch.tensor, args))
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)
