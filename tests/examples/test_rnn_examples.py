"""Run each recurrent example as a program."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("name,expect", [("char_rnn.py", "predicted:"),
                                         ("lstm_classifier.py", "held-out accuracy"),
                                         ("gru_packed.py", "loss")])
def test_example_runs(name, expect):
    r = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert expect in r.stdout
