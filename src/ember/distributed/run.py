"""`python -m ember.distributed.run -n N script.py [args]`: start N ranks with the MPI launcher."""

from __future__ import annotations

import argparse
import os
import shutil
import sys


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                 description="Run a script on N processes with mpiexec.")
    ap.add_argument("-n", "--nproc", type=int, default=1, help="number of processes")
    ap.add_argument("script")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    mpiexec = here if os.path.exists(here) else shutil.which("mpiexec")
    if mpiexec is None:
        sys.exit("ember.distributed.run: no mpiexec found; install MPI with "
                 "`pip install ember[mpi]`")
    # Like torchrun: ranks on one machine share its cores, so unless the user chose, give each
    # rank's BLAS an equal share (threaded BLAS in every rank oversubscribes the cores and can
    # make each matrix product tens of times slower).
    threads = str(max(1, (os.cpu_count() or 1) // a.nproc))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, threads)
    os.execv(mpiexec, [mpiexec, "-n", str(a.nproc), sys.executable, a.script, *a.args])


if __name__ == "__main__":
    main()
