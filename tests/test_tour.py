"""The learner's tour (`python -m ember.tour`): --list, each new chapter alone, the files it
writes into --out, and what it says when optional packages (tqdm, matplotlib, onnx,
onnxruntime, ember.viz, Graphviz's `dot`) are missing."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from ember import tour

TITLES = [title for title, _ in tour.CHAPTERS]
# Imports ember, hides the named modules (sys.modules[name] = None makes `import name` fail as if
# it were not installed), then runs the tour with the remaining arguments.
HIDE = ("import sys, ember; from ember import tour; "
        "[sys.modules.__setitem__(m, None) for m in sys.argv[1].split(',') if m]; "
        "sys.exit(tour.main(sys.argv[2:]))")


def run_tour(*args, hide=(), path=None):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    if path is not None:
        env["PATH"] = path
    proc = subprocess.run([sys.executable, "-c", HIDE, ",".join(hide), *map(str, args)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, f"tour {args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout, proc.stderr


def chapter(title):
    return TITLES.index(title) + 1


def test_list_names_every_chapter(capsys):
    assert tour.main(["--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(tour.CHAPTERS) == 13
    for i, (line, (title, fn)) in enumerate(zip(lines, tour.CHAPTERS), 1):
        assert line == f"{i}. {title}: {fn.__doc__}"
    # the seed's order: ... classifier, CNNs, LSTM, save/load, ONNX last
    assert TITLES[8:] == ["Mini-batches of 64 from 3000 samples", "A CNN and a 3D CNN",
                          "An LSTM", "Saving and loading weights",
                          "ONNX export checked in onnxruntime"]


def test_bad_chapter_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as e:
        tour.main(["--chapter", "99"])
    assert e.value.code == 2
    assert "--chapter must be between 1 and 13, got 99" in capsys.readouterr().err


@pytest.mark.parametrize("title, lines", [
    ("Automatic differentiation",
     ["autograd: dz/dw = 8.0   by hand: 4*w = 8.0", "wrote the autograd graph as Graphviz DOT"]),
    ("A CNN and a 3D CNN",
     ["(N, C, H, W)", "one channel per colour", "(N, C, D, H, W)", "slides over D, H and W",
      re.compile(r"MaxPool2d +\(64, 16, 7, 7\) +0 parameters"),
      re.compile(r"Linear +\(64, 10\) +7850 parameters"),
      re.compile(r"Conv3d +\(4, 8, 8, 16, 16\) +656 parameters"),
      re.compile(r"BatchNorm3d +\(4, 16, 4, 8, 8\) +32 parameters"),
      re.compile(r"MaxPool3d +\(4, 16, 2, 4, 4\)"),
      "grad (8, 3, 3, 3, 3)"]),
    ("An LSTM",
     ["x: (32, 20, 1) = (batch, sequence length, features)", "LSTM(1, 16, batch_first=True)",
      "LSTM output (32, 20, 16), h_n (1, 32, 16), c_n (1, 32, 16)", "step 100/100  MSE"]),
    ("ONNX export checked in onnxruntime",
     ["wrote the CNN as ONNX (opset 20, 15770 parameters)", "['Conv', 'Gemm', 'MaxPool'",
      "onnxruntime on a batch of 5: output (5, 10)", "same predictions: True"]),
])
def test_chapter_runs_alone(title, lines, tmp_path):
    n = chapter(title)
    out, _ = run_tour("--chapter", n, "--out", tmp_path)
    assert f"=== {n}. {title} ===" in out
    for line in lines:
        assert (line.search(out) if isinstance(line, re.Pattern) else line in out), (line, out)
    if title == "An LSTM":  # it learns: the MSE falls by 100x and the guess is close
        mse = [float(v) for v in re.findall(r"MSE ([0-9.]+)", out)]
        assert mse[-1] < mse[0] / 100
        guess, true = map(float, re.search(r"predicted (-?[0-9.]+), true (-?[0-9.]+)",
                                           out).groups())
        assert abs(guess - true) < 0.05
    if title == "ONNX export checked in onnxruntime":
        assert (tmp_path / "model.onnx").stat().st_size > 60_000  # the weights are inside
        assert float(re.search(r"largest difference from ember ([0-9.e+-]+)", out)[1]) < 1e-4


def test_full_tour_writes_its_files(tmp_path):
    out, err = run_tour("--out", tmp_path)
    assert out.count("\n=== ") == 13
    files = {p.name for p in tmp_path.iterdir()}
    assert "autograd_graph.dot" in files and "model.onnx" in files
    assert (tmp_path / "autograd_graph.dot").read_text().startswith("digraph")
    assert "AddBackward0" in (tmp_path / "autograd_graph.dot").read_text()
    try:
        import matplotlib  # noqa: F401
        curve = tmp_path / "classifier_loss.png"
        assert curve.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    except ImportError:
        curve = tmp_path / "classifier_loss.csv"
        assert len(curve.read_text().splitlines()) == 1 + 3 * 47
    assert f": {curve}" in out  # says where each file went
    assert f"The tour wrote {len(files)} file(s) into {tmp_path.resolve()}" in out
    if shutil.which("dot"):
        assert (tmp_path / "autograd_graph.png").read_bytes()[:4] == b"\x89PNG"
    else:
        assert "skipped the PNG of the graph" in out and "apt-get install graphviz" in out


def test_missing_optional_packages_are_skipped_not_fatal(tmp_path):
    hidden = ("tqdm", "matplotlib", "onnx", "onnxruntime")
    out, err = run_tour("--chapter", chapter("Mini-batches of 64 from 3000 samples"),
                        "--out", tmp_path, hide=hidden)
    assert ("skipped the tqdm progress bar: tqdm is not installed "
            "(install with: pip install tqdm)") in out
    assert "epoch 3/3 [####################] 47/47 batches" in err  # the plain-text bar
    assert ("skipped the loss-curve PNG: matplotlib is not installed "
            "(install with: pip install matplotlib)") in out
    assert f"wrote the classifier's losses as CSV instead: {tmp_path / 'classifier_loss.csv'}" \
        in out
    rows = (tmp_path / "classifier_loss.csv").read_text().splitlines()
    assert rows[0] == "batch,loss" and len(rows) == 1 + 3 * 47
    assert "epoch 3/3: 47 batches, 3000 samples" in out
    assert not (tmp_path / "classifier_loss.png").exists()

    out, _ = run_tour("--chapter", chapter("ONNX export checked in onnxruntime"),
                      "--out", tmp_path, hide=hidden)
    assert ("skipped the ONNX export: onnx is not installed "
            "(install with: pip install ember[onnx] onnxruntime)") in out
    out, _ = run_tour("--chapter", chapter("ONNX export checked in onnxruntime"),
                      "--out", tmp_path, hide=("onnxruntime",))
    assert "wrote the CNN as ONNX" in out
    assert ("skipped the check in onnxruntime: onnxruntime is not installed "
            "(install with: pip install ember[onnx] onnxruntime)") in out


def test_missing_graphviz_and_viz(tmp_path):
    n = chapter("Automatic differentiation")
    out, _ = run_tour("--chapter", n, "--out", tmp_path, path=str(tmp_path))  # no `dot` on PATH
    assert "wrote the autograd graph as Graphviz DOT text" in out
    assert "skipped the PNG of the graph (its DOT text is saved)" in out
    assert "apt-get install graphviz" in out  # says how to get pictures
    assert {p.name for p in tmp_path.iterdir()} == {"autograd_graph.dot"}
    out, _ = run_tour("--chapter", n, "--out", tmp_path / "b", hide=("ember.viz",))
    assert "skipped the graph picture: this ember has no ember.viz.make_dot" in out
    assert "by hand: 4*w = 8.0" in out
    assert not (tmp_path / "b").exists()  # nothing written, no folder made
