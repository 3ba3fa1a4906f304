"""ember.distributed, DDP and DistributedSampler: 2-process runs under mpiexec on loopback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ember.utils.data import DistributedSampler

HERE = Path(__file__).parent
MPIEXEC = Path(sys.executable).parent / "mpiexec"


def launch(script, n=2, env=None, timeout=60):
    """Run `script` on n ranks; return stdout lines; show both streams on failure."""
    cmd = ([str(MPIEXEC), "-n", str(n), "-launcher", "fork"] if n else []) + [
        sys.executable, str(HERE / script)]
    # one BLAS thread per rank: two ranks on two cores, as ember.distributed.run sets it
    e = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", **(env or {}))
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e)
    except subprocess.TimeoutExpired as x:
        pytest.fail(f"{script} timed out after {timeout}s\nstdout:\n{x.stdout}\nstderr:\n"
                    f"{x.stderr}")
    assert p.returncode == 0, f"{script} failed ({p.returncode})\n{p.stdout}\n{p.stderr}"
    return p.stdout.split("\n")


pytestmark = pytest.mark.skipif(not MPIEXEC.exists(), reason="needs mpiexec (pip install "
                                "ember[mpi])")


def oks(lines, n=2):
    ok = [ln for ln in lines if ln.startswith("OK ")]
    assert len(ok) == n, lines
    return [int(ln.split()[1]) for ln in ok]


def test_collectives_match_numpy():
    assert min(oks(launch("worker_collectives.py"))) > 200


def test_ddp_matches_single_process_buckets_no_sync():
    assert oks(launch("worker_ddp.py")) == [17, 17]


def test_errors_and_sampler_shards():
    assert oks(launch("worker_errors.py", env={"EMBER_DISTRIBUTED_DEBUG": "DETAIL"})) == [15, 15]


def test_world_size_one_without_mpiexec():
    code = ("import ember, ember.distributed as d; d.init_process_group(); t = ember.ones(2); "
            "d.all_reduce(t, d.ReduceOp.AVG); print('OK', d.get_world_size(), d.get_rank(), "
            "t.tolist())")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "OK 1 0 [1.0, 1.0]", p.stderr


@pytest.mark.parametrize("size,replicas,drop_last", [(10, 2, False), (11, 2, False),
                                                      (11, 2, True), (5, 3, False),
                                                      (2, 4, False), (13, 4, True)])
def test_sampler_matches_torch_unshuffled(size, replicas, drop_last):
    for rank in range(replicas):
        kw = dict(num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
        ours = DistributedSampler(range(size), **kw)
        theirs = torch.utils.data.distributed.DistributedSampler(range(size), **kw)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_sampler_shuffle_epochs_and_errors():
    a = DistributedSampler(range(20), num_replicas=2, rank=0, seed=1)
    b = DistributedSampler(range(20), num_replicas=2, rank=1, seed=1)
    e0 = list(a)
    assert sorted(e0 + list(b)) == list(range(20)) and list(a) == e0
    a.set_epoch(1)
    b.set_epoch(1)
    assert list(a) != e0 and sorted(list(a) + list(b)) == list(range(20))
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
