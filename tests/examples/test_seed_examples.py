"""The seed's example programs (examples/*.py) and the tour's training chapters: each runs as a
program and prints its key lines; the simple ones, run on real torch from the same source with
the same initial weights, print the same costs."""

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run(args, timeout=120):
    # One BLAS thread: on a loaded 2-core machine OpenBLAS's spinning threads make the MLP runs
    # several times slower (a test-time concern; the programs themselves set nothing).
    env = dict(os.environ, PYTHONUNBUFFERED="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def number(pattern, text):
    m = re.search(pattern, text)
    assert m, f"no line matching {pattern!r} in:\n{text}"
    return float(m.group(1))


def costs(text):
    return [float(c) for c in re.findall(r"Cost: ([0-9.]+)", text)]


# ---------------------------------------------------------------- the programs, as a user runs them

def test_linear_regression_program():
    out = run([EXAMPLES / "linear_regression.py"])
    preds = [float(p) for p in re.findall(r"prediction for 4.0: ([0-9.]+)", out)]
    assert len(preds) == 3 and all(abs(p - 8) < 0.05 for p in preds), out
    assert "Epoch    0/2000 W: 0.187, b: 0.080 Cost: 18.666666" in out  # W = b = 0: exact
    c = costs(out)
    assert len(c) == 3 * 21 and c[20] < 1e-3 and c[-1] < 1e-3 and c[0] > c[10] > c[20]


def test_multivariate_regression_program():
    out = run([EXAMPLES / "multivariate_regression.py"])
    c = costs(out)
    assert len(c) == 21 and c[-1] < 10 < c[0]
    assert abs(number(r"label 152\): ([0-9.]+)", out) - 152) < 5


def test_logistic_regression_program():
    out = run([EXAMPLES / "logistic_regression.py"])
    assert "Epoch 1000/1000" in out and "Accuracy 100.00%" in out.splitlines()[-3]
    assert "predictions:   [0, 0, 0, 1, 1, 1]" in out


def test_softmax_regression_program():
    out = run([EXAMPLES / "softmax_regression.py"])
    c = costs(out)
    assert len(c) == 11 and c[-1] < 0.5 < c[0]
    assert number(r"Accuracy: ([0-9.]+)%", out) >= 75


def test_mlp_classifier_program():
    out = run([EXAMPLES / "mlp_classifier.py"])
    assert "batches per epoch: 47  first batch: (64, 256)" in out
    losses = [float(v) for v in re.findall(r"loss: ([0-9.]+)", out)]
    assert len(losses) == 5 and losses[-1] < losses[0]
    assert number(r"Final test accuracy: ([0-9.]+)%", out) > 30  # chance is 10%


def test_checkpoint_program():
    out = run([EXAMPLES / "checkpoint.py"])
    assert "resumed run identical to uninterrupted run: True" in out
    lines = out.splitlines()
    first = [ln for ln in lines if ln.startswith("Epoch")]
    assert first[:6] == first[6:9] + first[9:], out  # same losses before and after the resume


# ---------------------------------------------------------------- the same source on real torch

@pytest.fixture(autouse=True)
def one_torch_thread():
    import torch
    prev = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(prev)


def load(name, lib):
    """Execute examples/<name>.py as a module (not __main__) with `ember` or `torch` imported."""
    src = (EXAMPLES / f"{name}.py").read_text()
    if lib == "torch":
        src = re.sub(r"^(import|from) ember\b", r"\1 torch", src, flags=re.M)
        assert "ember" not in re.sub(r'""".*?"""', "", src, flags=re.S)
    ns = {"__name__": f"example_{name}_{lib}"}
    exec(compile(src, f"{name}.py ({lib})", "exec"), ns)
    return ns


def set_weights(ns, model, values):
    torch = ns["torch"]
    with torch.no_grad():
        for p, v in zip(model.parameters(), values, strict=True):
            p.copy_(torch.tensor(v))


def quietly(fn, *args):
    with contextlib.redirect_stdout(io.StringIO()) as buf:
        result = fn(*args)
    return result, buf.getvalue()


CASES = {  # example -> (model class, initial weights)
    "linear_regression": ("LinearRegressionModel", [[[0.5153]], [-0.4414]]),
    "multivariate_regression": ("MultivariateLinearRegressionModel",
                                [[[0.2, 0.3, 0.1]], [0.1]]),
    "logistic_regression": ("BinaryClassifier", [[[0.1, -0.2]], [0.05]]),
    "softmax_regression": ("SoftmaxClassifierModel",
                           [[[0.1, -0.2, 0.3, 0.0], [0.2, 0.1, -0.1, 0.05],
                             [-0.3, 0.2, 0.1, -0.1]], [0.0, 0.1, -0.1]]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_costs_as_torch(name):
    cls, weights = CASES[name]
    printed = {}
    for lib in ("ember", "torch"):
        ns = load(name, lib)
        model = ns[cls]()
        set_weights(ns, model, weights)
        printed[lib] = quietly(ns["train"], model)
    (e_costs, e_out), (t_costs, t_out) = printed["ember"], printed["torch"]
    np.testing.assert_allclose(e_costs, t_costs, rtol=1e-4, atol=1e-6)
    assert len(e_out.splitlines()) == len(t_out.splitlines())
    assert [ln.split("Cost")[0] for ln in e_out.splitlines()] == \
        [ln.split("Cost")[0] for ln in t_out.splitlines()]


def test_by_hand_same_as_torch():
    """W = b = 0 as in the notes: the printed lines agree, and so do the costs to 1e-4."""
    results = {lib: quietly(load("linear_regression", lib)["train_by_hand"])
               for lib in ("ember", "torch")}
    (eW, eb, e_costs), e_out = results["ember"]
    (tW, tb, t_costs), t_out = results["torch"]
    np.testing.assert_allclose(e_costs, t_costs, rtol=1e-4, atol=1e-6)
    assert abs(eW.item() - tW.item()) < 1e-4 and abs(eb.item() - tb.item()) < 1e-4
    assert e_out.splitlines()[:5] == t_out.splitlines()[:5]


# ---------------------------------------------------------------- the tour's training chapters

def chapter_number(title):
    from ember.tour import CHAPTERS
    return next(i for i, (t, _) in enumerate(CHAPTERS, 1) if t == title)


@pytest.mark.parametrize("title, check", [
    ("Linear regression as an nn.Module class",
     lambda out: abs(number(r"prediction for x = 4.0: ([0-9.]+)", out) - 8) < 0.05
     and len(costs(out)) == 21),
    ("Multivariate linear regression",
     lambda out: abs(number(r"prediction for \[73, 80, 75\]: ([0-9.]+)", out) - 152) < 5),
    ("Mini-batches of 64 from 3000 samples",
     lambda out: "47 batches, 3000 samples" in out
     and number(r"epoch 3/3.*accuracy ([0-9.]+)%", out) > 50),
    ("Saving and loading weights",
     lambda out: "same as the original: True" in out and "<All keys matched successfully>" in out),
])
def test_tour_chapter(title, check, tmp_path):
    n = chapter_number(title)
    out = run(["-m", "ember.tour", "--chapter", str(n), "--out", str(tmp_path)])
    assert f"=== {n}. {title} ===" in out
    assert check(out), out
