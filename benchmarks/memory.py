"""Peak resident memory of the convolution workloads, ember vs torch:
`python benchmarks/memory.py [--only SUBSTRING]`.

Each (workload, library) runs in a fresh interpreter: import the library, build the workload of
benchmarks/conv.py (same source for both), one warm-up step, one measured step, then report the
process's peak resident set size (getrusage ru_maxrss). `after import` is the peak right after the
import (the library's own footprint); `work` = peak - after import is what the workload added.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = ["cnn", "conv3d"]


def _peak_mib() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == "darwin" else r / 2**10   # bytes on macOS, KiB on Linux


def child(workload: str, lib_name: str) -> None:
    """Run in the fresh subprocess: print {"import": MiB, "peak": MiB} as JSON."""
    import importlib
    sys.path.insert(0, HERE)
    lib = importlib.import_module(lib_name)
    import conv
    after_import = _peak_mib()
    step = getattr(conv, workload)(lib)
    step()   # warm-up: optimizer state, caches
    step()
    print(json.dumps({"import": after_import, "peak": _peak_mib()}))


def measure(workload: str, lib_name: str) -> dict:
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", workload,
                          lib_name], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--only", default="", help="run workloads whose name contains this")
    p.add_argument("--child", nargs=2, metavar=("WORKLOAD", "LIB"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{'workload':<10} {'lib':<6} {'peak RSS':>10} {'after import':>13} {'work':>10}")
    for name in WORKLOADS:
        if args.only not in name:
            continue
        res = {lib: measure(name, lib) for lib in ("ember", "torch")}
        for lib, r in res.items():
            print(f"{name:<10} {lib:<6} {r['peak']:>6.1f} MiB {r['import']:>9.1f} MiB "
                  f"{r['peak'] - r['import']:>6.1f} MiB")
        e, t = res["ember"], res["torch"]
        print(f"{name:<10} ember/torch peak {e['peak'] / t['peak']:.2f}x, work "
              f"{(e['peak'] - e['import']) / max(t['peak'] - t['import'], 1e-9):.2f}x")


if __name__ == "__main__":
    main()
