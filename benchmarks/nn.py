"""nn workloads (issue: nn): batch-1 inference of the seed's MLP, and Module call overhead."""

from __future__ import annotations


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def infer(lib):
    """Linear(256,512)-ReLU-Linear(512,512)-ReLU-Linear(512,10), eval(), no_grad, batch 1."""
    model = _mlp(lib).eval()
    x = lib.randn(1, 256)

    def step():
        with lib.no_grad():
            return model(x)
    return step


def _passthrough(lib):
    class Passthrough(lib.nn.Module):
        def forward(self, x):
            return x
    return Passthrough()


def call(lib):
    """model(x) on a module whose forward returns x: the cost of __call__ itself."""
    model = _passthrough(lib)
    x = lib.randn(4)
    return lambda: model(x)


def forward(lib):
    """model.forward(x) on the same module: the floor that model(x) is measured against."""
    model = _passthrough(lib)
    x = lib.randn(4)
    return lambda: model.forward(x)


WORKLOADS = {
    "infer MLP 256-512-512-10 batch 1": infer,
    "module call model(x)": call,
    "module call model.forward(x)": forward,
}
