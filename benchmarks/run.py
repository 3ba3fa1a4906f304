"""Run ember-vs-torch benchmarks: `python benchmarks/run.py [--only SUBSTRING]`.

Workloads come from the `WORKLOADS` dict of every module in `MODULES` (one line per module);
`--only` keeps those whose name (or module name) contains the substring.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import compare, fmt_time, print_rows  # noqa: E402

MODULES = ["core", "nn", "train", "conv", "rnn"]


def workloads() -> dict:
    """name -> (module, make) over MODULES, in order."""
    out = {}
    for mod in MODULES:
        for name, make in importlib.import_module(mod).WORKLOADS.items():
            out[name] = (mod, make)
    return out


def import_time(module: str, repeats: int = 5) -> float:
    """Median wall time of `import module` in a fresh interpreter, with bytecode caching on
    (as a user has it; some shells set PYTHONDONTWRITEBYTECODE) and the cache warmed once."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run(code: str) -> float:
        out = subprocess.run([sys.executable, "-c",
                              f"import time; t=time.perf_counter(); {code}; "
                              "print(time.perf_counter()-t)"],
                             capture_output=True, text=True, check=True, env=env)
        return float(out.stdout)
    run(f"import {module}")
    return statistics.median(run(f"import {module}") for _ in range(repeats))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--only", default="",
                   help="run workloads whose name contains this, or one module's (core, nn, ...)")
    args = p.parse_args()
    rows = [compare(name, make) for name, (mod, make) in workloads().items()
            if args.only in name or args.only == mod]
    print_rows(rows)
    if not args.only or "import" in args.only:
        e, t = import_time("ember"), import_time("torch")
        print(f"{'import':<34} {fmt_time(e)} {fmt_time(t)} {'-':>3} {e / t:>10.2f}x")


if __name__ == "__main__":
    main()
