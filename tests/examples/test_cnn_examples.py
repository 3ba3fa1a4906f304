"""The convolution examples (examples/cnn_classifier.py, examples/cnn3d.py) run as programs:
they print the shape after each layer, and their training lowers the loss and beats chance."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(name, timeout=120):
    # one BLAS thread: OpenBLAS's spinning threads are slow on a loaded 2-core machine
    env = dict(os.environ, PYTHONUNBUFFERED="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, ROOT / "examples" / name], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_cnn_classifier_program():
    out = run("cnn_classifier.py")
    shapes = re.findall(r"^(\([0-9, ]+\)) +(\w+)", out, flags=re.M)
    assert shapes == [
        ("(64, 1, 28, 28)", "input"), ("(64, 8, 28, 28)", "after"),
        ("(64, 8, 28, 28)", "after"), ("(64, 8, 14, 14)", "after"),
        ("(64, 16, 14, 14)", "after"), ("(64, 16, 14, 14)", "after"),
        ("(64, 16, 7, 7)", "after"), ("(64, 784)", "after"), ("(64, 4)", "after")], out
    assert "(64, 8, 14, 14)    after MaxPool2d(kernel_size=2" in out
    losses = [float(v) for v in re.findall(r"loss: ([0-9.]+)", out)]
    assert len(losses) == 3 and losses[-1] < losses[0] < 1.5, out
    acc = float(re.search(r"Final test accuracy: ([0-9.]+)%", out).group(1))
    assert acc > 60, out   # chance is 25%


def test_cnn3d_program():
    out = run("cnn3d.py")
    assert "(N, C, D, H, W)" in out and "one per colour" in out and "slides along D, H and W" in out
    assert "(out_channels, C_in, kD, kH, kW): (8, 3, 3, 3, 3)" in out
    shapes = re.findall(r"^(\([0-9, ]+\)) +after (\w+)", out, flags=re.M)
    assert shapes == [
        ("(16, 8, 8, 16, 16)", "Conv3d"), ("(16, 8, 8, 16, 16)", "BatchNorm3d"),
        ("(16, 8, 8, 16, 16)", "ReLU"), ("(16, 8, 4, 8, 8)", "MaxPool3d"),
        ("(16, 16, 4, 8, 8)", "Conv3d"), ("(16, 16, 4, 8, 8)", "BatchNorm3d"),
        ("(16, 16, 4, 8, 8)", "ReLU"), ("(16, 16, 2, 4, 4)", "MaxPool3d"),
        ("(16, 512)", "Flatten"), ("(16, 2)", "Linear")], out
    assert "(16, 3, 8, 16, 16)     input (N, C, D, H, W)" in out
    losses = [float(v) for v in re.findall(r"loss: ([0-9.]+)", out)]
    assert len(losses) == 7 and losses[-1] < 0.5 * losses[0], out
    assert float(re.search(r"Test accuracy: ([0-9.]+)%", out).group(1)) > 75, out
