"""Time one library alone in this process: `python benchmarks/alone.py ember|torch [--threads N]
[--only SUBSTRING]`.

The cross-check of `run.py`, which times both libraries in one process: here nothing of the other
library runs, so no idle thread of it competes for a core. Median and best of 7 repeats.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import timeit

from run import workloads


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("lib", choices=["ember", "torch"])
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    lib = importlib.import_module(args.lib)
    if args.threads is not None and args.lib == "torch":
        lib.set_num_threads(args.threads)
    for name, (mod, make) in workloads().items():
        if args.only not in name and args.only != mod:
            continue
        fn = make(lib)
        fn()
        number = max(1, int(0.05 / max(timeit.timeit(fn, number=1), 1e-9)))
        times = [t / number for t in timeit.repeat(fn, number=number, repeat=7)]
        print(f"{name:45s} median {statistics.median(times) * 1e3:9.3f} ms   "
              f"best {min(times) * 1e3:9.3f} ms")


if __name__ == "__main__":
    main()
