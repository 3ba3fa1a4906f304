"""A long training loop keeps a flat resident size: no graph, gradient or optimizer-state growth."""

import json
import os
import subprocess
import sys

LOOP = r"""
import gc, json, resource
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd.function import Function

def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024

def live_nodes():
    gc.collect()
    return sum(isinstance(o, Function) for o in gc.get_objects())

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(10, 10), nn.Tanh(), nn.Linear(10, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x, y = torch.randn(16, 10), torch.randn(16, 10)
out = {}
for step in range(1, 10001):
    loss = F.mse_loss(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step in (1000, 10000):
        out[step] = {"rss_kib": rss_kib(), "nodes": live_nodes(), "loss": loss.item()}
print(json.dumps(out))
"""


def test_training_loop_memory_is_flat():
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", LOOP], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.splitlines()[-1])
    early, late = r["1000"], r["10000"]
    growth_kib = late["rss_kib"] - early["rss_kib"]
    assert growth_kib < 2048, f"resident size grew {growth_kib} KiB from step 1000 to 10000: {r}"
    # Only the last step's graph may be alive (held by `loss`): a handful of nodes, not thousands.
    assert late["nodes"] <= early["nodes"] <= 10, r
    assert late["loss"] < early["loss"]  # it did train
