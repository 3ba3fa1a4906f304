"""Run the same workload on ember and torch in one process, interleaved, and print ratios.

A workload is `make(lib) -> callable`, written once against the torch API and given either
`ember` or `torch` as `lib`. Torch runs at 1 and 2 threads; its best time is the reference.
Batches alternate between the libraries, with a pause at each switch so that neither is timed
while the other's idle threads still spin.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

_SETTLE = 0.25   # seconds between switching libraries


def _time(fn: Callable[[], object], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def _calibrate(fn: Callable[[], object], budget: float = 0.05) -> int:
    fn()
    n = 1
    while True:
        t = _time(fn, n)
        if t * n >= budget or n >= 1 << 20:
            return max(1, int(n * budget / max(t * n, 1e-9)))
        n *= 4


def compare(name: str, make: Callable, repeats: int = 7) -> dict:
    """Median seconds per call for ember and torch (best of 1 and 2 threads) and the ratio."""
    import torch

    import ember
    fns = {"ember": make(ember)}
    results: dict = {"ember": []}
    prev_threads = torch.get_num_threads()
    for threads in (1, 2):
        torch.set_num_threads(threads)
        fns[f"torch{threads}"] = make(torch)
        results[f"torch{threads}"] = []
    numbers = {}
    for key, fn in fns.items():
        if key.startswith("torch"):
            torch.set_num_threads(int(key[-1]))
        numbers[key] = _calibrate(fn)
    for _ in range(repeats):
        for key, fn in fns.items():
            if key.startswith("torch"):
                torch.set_num_threads(int(key[-1]))
            # Let the other library's worker threads stop spinning first (torch's OpenMP and
            # OpenBLAS busy-wait for up to ~0.1 s after a call, taking a core from the next
            # batch), then one untimed call wakes this library's own.
            time.sleep(_SETTLE)
            fn()
            results[key].append(_time(fn, numbers[key]))
    torch.set_num_threads(prev_threads)
    med = {k: statistics.median(v) for k, v in results.items()}
    best = min(("torch1", "torch2"), key=lambda k: med[k])
    row = {"name": name, "ember": med["ember"], "torch": med[best],
           "torch_threads": int(best[-1]), "ratio": med["ember"] / med[best]}
    return row


def fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:8.2f} µs"
    if s < 1:
        return f"{s * 1e3:8.2f} ms"
    return f"{s:8.3f} s "


def print_rows(rows: list[dict]) -> None:
    print(f"{'workload':<34} {'ember':>11} {'torch':>11} {'thr':>3} {'ember/torch':>11}")
    for r in rows:
        print(f"{r['name']:<34} {fmt_time(r['ember'])} {fmt_time(r['torch'])} "
              f"{r['torch_threads']:>3} {r['ratio']:>10.2f}x")
