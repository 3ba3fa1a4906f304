"""A short tour of ember, following the study notes it started from (`python -m ember.tour`).

Each chapter runs real ember code and prints what it shows; `--list` names the chapters and
`--chapter N` runs one of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import ember as torch  # the tour is written as a PyTorch learner would write it


def chapter_shapes() -> None:
    """Tensor shapes: the (batch size, dim) convention."""
    t = torch.FloatTensor([0., 1., 2., 3., 4., 5., 6.])
    print("t = torch.FloatTensor([0., 1., 2., 3., 4., 5., 6.])")
    print(t)
    print("t.dim() =", t.dim(), "  t.shape =", t.shape, "  t.size() =", t.size())
    batch = torch.zeros(3000, 256)
    print("3,000 samples of 256 features form a 2-D tensor |t| = (batch size, dim):",
          tuple(batch.shape))
    print("a mini-batch of 64 of them:", tuple(batch[:64].shape))
    images = torch.zeros(64, 28, 28)
    print("images are 3-D: (batch size, width, height) =", tuple(images.shape))


def chapter_view() -> None:
    """view, squeeze and unsqueeze: changing a tensor's shape without changing its data."""
    a = torch.arange(12.)
    print("a = torch.arange(12.)  ->", tuple(a.shape))
    v = a.view(3, 4, 1)
    print("a.view(3, 4, 1).size() =", v.size())
    print("a.view(3, 4, 1).squeeze().size() =", v.squeeze().size(), "(size-1 dims removed)")
    print("a.unsqueeze(0).size() =", a.unsqueeze(0).size(), "(a new dim at position 0)")
    print("a.unsqueeze(1).size() =", a.unsqueeze(1).size())
    print("a.view(-1, 6).size() =", a.view(-1, 6).size(), "(-1: work it out)")
    v[0, 0, 0] = 100.
    print("a view shares memory: after v[0, 0, 0] = 100., a[0] =", a[0].item())


def chapter_dot() -> None:
    """H(X) = XW: the hypothesis as a dot product."""
    X = torch.tensor([[73., 80., 75.], [93., 88., 93.], [89., 91., 90.]])
    W = torch.tensor([[0.5], [0.2], [0.3]])
    H = X @ W
    print("X (3 samples x 3 features) @ W (3 x 1) =", [round(v, 2) for v in H.squeeze().tolist()])
    w1, w2, w3 = W.squeeze().tolist()
    x1, x2, x3 = X[0].tolist()
    print(f"first row by hand: w1*x1 + w2*x2 + w3*x3 = {w1 * x1 + w2 * x2 + w3 * x3:.1f}")


def chapter_autograd() -> None:
    """Automatic differentiation: y = 2w² + 5, so dy/dw = 4w."""
    w = torch.tensor(2.0, requires_grad=True)
    y = w ** 2
    z = 2 * y + 5
    z.backward()
    print("w = 2.0, z = 2*w**2 + 5 =", z.item())
    print("autograd: dz/dw =", w.grad.item(), "  by hand: 4*w =", 4 * 2.0)
    print("z.grad_fn =", z.grad_fn.name(), " next:", [f[0].name() for f in
                                                       z.grad_fn.next_functions if f[0]])


def chapter_grad_modes() -> None:
    """no_grad and enable_grad: switching gradient recording off and on."""
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        print("inside no_grad: (x * 2).requires_grad =", y.requires_grad)
        with torch.enable_grad():
            print("enable_grad inside it: (x * 2).requires_grad =", (x * 2).requires_grad)
    print("outside: (x * 2).requires_grad =", (x * 2).requires_grad)


def chapter_function() -> None:
    """A custom autograd.Function: forward and backward written by hand."""

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Square.apply(x)
    y.backward(torch.ones(3))
    print("Square.apply(x) =", y.tolist(), " grad_fn:", y.grad_fn.name())
    print("x.grad (2x) =", x.grad.tolist())


class LinearRegressionModel(torch.nn.Module):
    """The seed's simple linear regression as a class: H(x) = Wx + b."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(1, 1)  # input_dim=1, output_dim=1

    def forward(self, x):
        return self.linear(x)


class MultivariateLinearRegressionModel(torch.nn.Module):
    """The seed's multivariate linear regression as a class: H(X) = XW + b."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 1)  # input_dim=3, output_dim=1

    def forward(self, x):
        return self.linear(x)


def _fit(model, x_train, y_train, lr, nb_epochs, every):
    """Gradient descent with optim.SGD on the MSE, printing the cost every `every` epochs."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(nb_epochs + 1):
        cost = torch.nn.functional.mse_loss(model(x_train), y_train)
        optimizer.zero_grad()  # gradients accumulate: clear them first
        cost.backward()  # d cost / d W and d cost / d b by backpropagation
        optimizer.step()  # W <- W - lr * dW, b <- b - lr * db
        if epoch % every == 0:
            print(f"Epoch {epoch:4d}/{nb_epochs} Cost: {cost.item():.6f}")


def chapter_linear_regression() -> None:
    """Linear regression as an nn.Module class, trained by gradient descent (optim.SGD)."""
    torch.manual_seed(1)
    x_train = torch.FloatTensor([[1], [2], [3]])
    y_train = torch.FloatTensor([[2], [4], [6]])
    model = LinearRegressionModel()
    print(model)
    _fit(model, x_train, y_train, lr=0.01, nb_epochs=2000, every=100)
    w, b = model.linear.weight.item(), model.linear.bias.item()
    print(f"learned W = {w:.4f}, b = {b:.4f} (the data says y = 2x)")
    print(f"prediction for x = 4.0: {model(torch.FloatTensor([[4.0]])).item():.4f}")


def chapter_multivariate() -> None:
    """Multivariate linear regression: three quiz scores -> the final score."""
    torch.manual_seed(1)
    x_train = torch.FloatTensor([[73, 80, 75], [93, 88, 93], [89, 91, 90], [96, 98, 100],
                                 [73, 66, 70]])
    y_train = torch.FloatTensor([[152], [185], [180], [196], [142]])
    model = MultivariateLinearRegressionModel()
    print("parameters:", [(name, tuple(p.shape)) for name, p in model.named_parameters()])
    _fit(model, x_train, y_train, lr=1e-5, nb_epochs=2000, every=200)
    pred = model(torch.FloatTensor([[73, 80, 75]])).item()
    print(f"prediction for [73, 80, 75]: {pred:.2f} (label 152)")


def chapter_minibatch() -> None:
    """A classifier trained in mini-batches of 64 from 3000 samples of 256 features."""
    from ember.utils.data import DataLoader, TensorDataset
    nn = torch.nn
    torch.manual_seed(0)
    teacher = torch.randn(256, 10)  # a hidden rule that makes the labels learnable
    x_train = torch.randn(3000, 256)
    y_train = (x_train @ teacher).argmax(dim=1)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    print(f"|X| = {tuple(x_train.shape)}, {len(loader)} batches of |t| = (64, 256) per epoch")
    for epoch in range(1, 4):
        total, batches, seen = 0.0, 0, 0
        for x, y in loader:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, batches, seen = total + loss.item(), batches + 1, seen + len(x)
        with torch.no_grad():
            acc = (model(x_train).argmax(dim=1) == y_train).float().mean().item()
        print(f"epoch {epoch}/3: {batches} batches, {seen} samples  "
              f"loss {total / batches:.4f}  accuracy {acc * 100:.2f}%")


def chapter_save_load() -> None:
    """Saving and loading weights: ember.save / ember.load of state_dicts."""
    import os
    import tempfile
    torch.manual_seed(0)
    model = MultivariateLinearRegressionModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-5, momentum=0.9)
    x = torch.FloatTensor([[73, 80, 75], [93, 88, 93]])
    torch.nn.functional.mse_loss(model(x), torch.FloatTensor([[152], [185]])).backward()
    optimizer.step()
    print("state_dict keys:", list(model.state_dict()))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.pt")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
        print(f"saved to model.pt ({os.path.getsize(path)} bytes, safetensors format)")
        checkpoint = torch.load(path)
    fresh = MultivariateLinearRegressionModel()
    print("a fresh model predicts", round(fresh(x[:1]).item(), 4), "before loading")
    print(fresh.load_state_dict(checkpoint["model"]))
    fresh_opt = torch.optim.SGD(fresh.parameters(), lr=1e-5, momentum=0.9)
    fresh_opt.load_state_dict(checkpoint["optimizer"])
    same = torch.equal(fresh(x), model(x))
    print("after loading it predicts", round(fresh(x[:1]).item(), 4), "- same as the original:",
          same)
    print("optimizer state restored (momentum buffers):", len(fresh_opt.state_dict()["state"]))


CHAPTERS: list[tuple[str, Callable[[], None]]] = [
    ("Tensor shapes", chapter_shapes),
    ("view, squeeze, unsqueeze", chapter_view),
    ("H(X) = XW as a dot product", chapter_dot),
    ("Automatic differentiation", chapter_autograd),
    ("no_grad and enable_grad", chapter_grad_modes),
    ("A custom autograd.Function", chapter_function),
    ("Linear regression as an nn.Module class", chapter_linear_regression),
    ("Multivariate linear regression", chapter_multivariate),
    ("Mini-batches of 64 from 3000 samples", chapter_minibatch),
    ("Saving and loading weights", chapter_save_load),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ember-tour", description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", type=int, help="run only chapter N (1-based)")
    parser.add_argument("--list", action="store_true", help="list the chapters")
    args = parser.parse_args(argv)
    if args.list:
        for i, (title, fn) in enumerate(CHAPTERS, 1):
            print(f"{i}. {title}: {fn.__doc__}")
        return 0
    chosen = range(1, len(CHAPTERS) + 1) if args.chapter is None else [args.chapter]
    for n in chosen:
        if not 1 <= n <= len(CHAPTERS):
            parser.error(f"--chapter must be between 1 and {len(CHAPTERS)}, got {n}")
        title, fn = CHAPTERS[n - 1]
        print(f"\n=== {n}. {title} ===")
        print(fn.__doc__)
        fn()
    return 0


if __name__ == "__main__":
    sys.exit(main())
