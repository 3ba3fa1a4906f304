"""examples/ddp_mlp.py trains on 2 processes under mpiexec and its loss goes down."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
MPIEXEC = Path(sys.executable).parent / "mpiexec"


@pytest.mark.skipif(not MPIEXEC.exists(), reason="needs mpiexec (pip install ember[mpi])")
def test_ddp_mlp_example():
    # through ember's launcher, which also gives each rank its share of the BLAS threads
    p = subprocess.run([sys.executable, "-m", "ember.distributed.run", "-n", "2",
                        str(ROOT / "examples" / "ddp_mlp.py")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    losses = [float(ln.split()[-1]) for ln in p.stdout.splitlines() if ln.startswith("epoch")]
    assert len(losses) == 2 and losses[-1] < losses[0], p.stdout   # printed by rank 0 only
