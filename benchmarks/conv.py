"""Convolution workloads (issue: convolutions and pooling): a small 2-D CNN and a 3-D CNN step."""

from __future__ import annotations


def cnn(lib):
    """One SGD step of a 2-conv MNIST-sized CNN on a batch of 64 1x28x28 images."""
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = lib.randn(64, 1, 28, 28)
    y = lib.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


class _Net3d:
    """Conv3d-ReLU-MaxPool3d-Conv3d-ReLU, mean over (D, H, W), Linear(32, 2)."""

    def __init__(self, lib):
        nn = lib.nn
        self.features = nn.Sequential(
            nn.Conv3d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool3d(2),
            nn.Conv3d(16, 32, 3, padding=1), nn.ReLU())
        self.head = nn.Linear(32, 2)

    def parameters(self):
        return list(self.features.parameters()) + list(self.head.parameters())

    def __call__(self, x):
        return self.head(self.features(x).mean((2, 3, 4)))


def conv3d(lib):
    """One Adam step of a small 3-D CNN on a batch of 4 RGB volumes 3x16x32x32."""
    model = _Net3d(lib)
    opt = lib.optim.Adam(model.parameters())
    loss_fn = lib.nn.CrossEntropyLoss()
    x = lib.randn(4, 3, 16, 32, 32)
    y = lib.randint(0, 2, (4,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def conv_layer(nd, cin, cout, shape):
    """Forward + backward of one conv layer (kernel 3, padding 1) with a random cotangent."""
    def make(lib):
        layer = getattr(lib.nn, f"Conv{nd}d")(cin, cout, 3, padding=1)
        x = lib.randn(*shape, requires_grad=True)
        g = lib.randn(shape[0], cout, *shape[2:])

        def step():
            layer(x).backward(g)
            x.grad = layer.weight.grad = layer.bias.grad = None
        return step
    return make


WORKLOADS = {
    "cnn 64x1x28x28 SGD step": cnn,
    "conv3d 4x3x16x32x32 Adam step": conv3d,
    "cnn conv1 fwd+bwd": conv_layer(2, 1, 32, (64, 1, 28, 28)),
    "cnn conv2 fwd+bwd": conv_layer(2, 32, 64, (64, 32, 14, 14)),
    "conv3d conv1 fwd+bwd": conv_layer(3, 3, 16, (4, 3, 16, 32, 32)),
    "conv3d conv2 fwd+bwd": conv_layer(3, 16, 32, (4, 16, 8, 16, 16)),
}
