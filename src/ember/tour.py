"""A short tour of ember, following the study notes it started from (`python -m ember.tour`).

Each chapter runs real ember code on data it makes itself and prints what it shows; `--list`
names the chapters and `--chapter N` runs one of them. Pictures and files (a loss curve, an
autograd graph, an ONNX model) go into `--out` (default ./ember-tour/). The optional packages
(tqdm, matplotlib, onnx, onnxruntime, Graphviz) are imported only when used; without them the
tour says what it skipped and how to install it.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
from collections.abc import Callable
from pathlib import Path

import ember as torch  # the tour is written as a PyTorch learner would write it


class Output:
    """The folder the tour writes its files into (`--out`), created on the first file."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.written: list[Path] = []

    def path(self, name: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / name

    def wrote(self, what: str, path: Path) -> None:
        self.written.append(path)
        print(f"wrote {what}: {path}")


def _optional(name: str, skipped: str, install: str):
    """Import an optional package, or say what is skipped without it and return None."""
    try:
        return importlib.import_module(name)
    except ImportError:
        print(f"skipped {skipped}: {name} is not installed (install with: {install})")
        return None


def chapter_shapes(out: Output) -> None:
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


def chapter_view(out: Output) -> None:
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


def chapter_dot(out: Output) -> None:
    """H(X) = XW: the hypothesis as a dot product."""
    X = torch.tensor([[73., 80., 75.], [93., 88., 93.], [89., 91., 90.]])
    W = torch.tensor([[0.5], [0.2], [0.3]])
    H = X @ W
    print("X (3 samples x 3 features) @ W (3 x 1) =", [round(v, 2) for v in H.squeeze().tolist()])
    w1, w2, w3 = W.squeeze().tolist()
    x1, x2, x3 = X[0].tolist()
    print(f"first row by hand: w1*x1 + w2*x2 + w3*x3 = {w1 * x1 + w2 * x2 + w3 * x3:.1f}")


def chapter_autograd(out: Output) -> None:
    """Automatic differentiation: y = 2w² + 5, so dy/dw = 4w."""
    w = torch.tensor(2.0, requires_grad=True)
    y = w ** 2
    z = 2 * y + 5
    z.backward()
    print("w = 2.0, z = 2*w**2 + 5 =", z.item())
    print("autograd: dz/dw =", w.grad.item(), "  by hand: 4*w =", 4 * 2.0)
    print("z.grad_fn =", z.grad_fn.name(), " next:", [f[0].name() for f in
                                                       z.grad_fn.next_functions if f[0]])
    _draw_graph(z, {"w": w}, out)


def _draw_graph(tensor, params, out: Output) -> None:
    """Save the autograd graph behind `tensor` as DOT text, and as a PNG when Graphviz can."""
    try:
        make_dot = importlib.import_module("ember.viz").make_dot
    except (ImportError, AttributeError):
        print("skipped the graph picture: this ember has no ember.viz.make_dot")
        return
    graph = make_dot(tensor, params=params)
    dot_path = graph.save(out.path("autograd_graph.dot"))
    out.wrote("the autograd graph as Graphviz DOT text", Path(dot_path))
    try:
        png = graph.pipe(format="png")
    except RuntimeError as e:  # Graphviz's `dot` program is missing (or failed)
        print(f"skipped the PNG of the graph (its DOT text is saved): {e}")
        return
    png_path = out.path("autograd_graph.png")
    png_path.write_bytes(png)
    out.wrote("the autograd graph as a picture", png_path)


def chapter_grad_modes(out: Output) -> None:
    """no_grad and enable_grad: switching gradient recording off and on."""
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        print("inside no_grad: (x * 2).requires_grad =", y.requires_grad)
        with torch.enable_grad():
            print("enable_grad inside it: (x * 2).requires_grad =", (x * 2).requires_grad)
    print("outside: (x * 2).requires_grad =", (x * 2).requires_grad)


def chapter_function(out: Output) -> None:
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


def chapter_linear_regression(out: Output) -> None:
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


def chapter_multivariate(out: Output) -> None:
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


def chapter_minibatch(out: Output) -> None:
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
    tqdm = getattr(_optional("tqdm", "the tqdm progress bar", "pip install tqdm"), "tqdm", None)
    losses = []
    for epoch in range(1, 4):
        total, batches, seen = 0.0, 0, 0
        bar = (tqdm(loader, desc=f"epoch {epoch}/3", unit="batch", leave=False) if tqdm
               else _TextBar(loader, f"epoch {epoch}/3"))
        for x, y in bar:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            total, batches, seen = total + losses[-1], batches + 1, seen + len(x)
        with torch.no_grad():
            acc = (model(x_train).argmax(dim=1) == y_train).float().mean().item()
        print(f"epoch {epoch}/3: {batches} batches, {seen} samples  "
              f"loss {total / batches:.4f}  accuracy {acc * 100:.2f}%")
    _plot_losses(losses, len(loader), out)


class _TextBar:
    """A plain-text progress line (on stderr, like tqdm's) for when tqdm is not installed."""

    def __init__(self, iterable, desc: str) -> None:
        self.iterable, self.desc = iterable, desc

    def __iter__(self):
        total = len(self.iterable)
        for i, item in enumerate(self.iterable, 1):
            yield item
            done = 20 * i // total
            print(f"\r{self.desc} [{'#' * done}{'.' * (20 - done)}] {i}/{total} batches",
                  end="\n" if i == total else "", file=sys.stderr, flush=True)


def _plot_losses(losses: list[float], per_epoch: int, out: Output) -> None:
    """The loss of every mini-batch as a PNG (matplotlib), or as CSV when it is missing."""
    if _optional("matplotlib", "the loss-curve PNG", "pip install matplotlib") is None:
        path = out.path("classifier_loss.csv")
        path.write_text("batch,loss\n" + "".join(f"{i},{v:.6f}\n"
                                                 for i, v in enumerate(losses, 1)))
        out.wrote("the classifier's losses as CSV instead", path)
        return
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global state
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    ax.plot(range(1, len(losses) + 1), losses, lw=1)
    for e in range(per_epoch, len(losses), per_epoch):
        ax.axvline(e + 0.5, color="gray", ls=":", lw=1)
    ax.set(xlabel="mini-batch (dotted lines: epochs)", ylabel="cross-entropy loss",
           title="Mini-batch classifier: training loss")
    fig.tight_layout()
    path = out.path("classifier_loss.png")
    fig.savefig(path, dpi=100)
    out.wrote("the classifier's loss curve", path)


def chapter_cnn(out: Output) -> None:
    """A CNN and a 3D CNN: the shape after each layer."""
    nn = torch.nn
    torch.manual_seed(0)
    print("Images go in as (N, C, H, W): N images, C channels (1 for grey, 3 for RGB: one")
    print("channel per colour), H x W pixels. Each Conv2d kernel spans all C channels and")
    print("slides over H and W; MaxPool2d(2) halves H and W.")
    cnn = nn.Sequential(nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(16 * 7 * 7, 10))
    _show_shapes(cnn, torch.randn(64, 1, 28, 28))
    print("A 3D CNN takes (N, C, D, H, W): D is depth - the frames of a video clip or the")
    print("slices of a CT/MRI scan - and C is still one channel per colour (RGB: C = 3).")
    print("A 3x3x3 kernel spans all C channels and slides over D, H and W, so it sees motion")
    print("between frames (or shape across slices), not just one picture at a time.")
    cnn3d = nn.Sequential(nn.Conv3d(3, 8, kernel_size=3, padding=1), nn.BatchNorm3d(8),
                          nn.ReLU(), nn.MaxPool3d(2),
                          nn.Conv3d(8, 16, kernel_size=3, padding=1), nn.BatchNorm3d(16),
                          nn.ReLU(), nn.MaxPool3d(2),
                          nn.Flatten(), nn.Linear(16 * 2 * 4 * 4, 2))
    clips = torch.randn(4, 3, 8, 16, 16)  # 4 RGB clips of 8 frames of 16 x 16 pixels
    logits = _show_shapes(cnn3d, clips)
    logits.sum().backward()
    weight = cnn3d[0].weight
    print(f"backward works too: Conv3d weight {tuple(weight.shape)} = (out channels, in "
          f"channels, kD, kH, kW), grad {tuple(weight.grad.shape)}")


def _show_shapes(model, x):
    """Run `model` (a Sequential) layer by layer, printing each layer's output shape."""
    print(f"  {'input':<12} {tuple(x.shape)}")
    for layer in model:
        x = layer(x)
        params = sum(p.numel() for p in layer.parameters())
        print(f"  {type(layer).__name__:<12} {str(tuple(x.shape)):<20} {params:>5} parameters")
    return x


class NextValue(torch.nn.Module):
    """An LSTM reads a sequence; a Linear layer turns its last hidden state into a prediction."""

    def __init__(self, hidden_size: int = 16):
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size=1, hidden_size=hidden_size, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, 1)

    def forward(self, x):
        output, (h_n, c_n) = self.lstm(x)  # output: (N, L, hidden), one vector per time step
        return self.head(output[:, -1])  # the last step has read the whole sequence


def chapter_lstm(out: Output) -> None:
    """An LSTM learns to continue a sine wave from its last 20 values."""
    torch.manual_seed(0)
    phase = torch.rand(32, 1) * 2 * math.pi
    waves = torch.sin(phase + 0.3 * torch.arange(21.))  # 32 waves, 21 points each
    x, y = waves[:, :20].unsqueeze(-1), waves[:, 20:]
    print(f"x: {tuple(x.shape)} = (batch, sequence length, features) with batch_first=True; "
          f"y: {tuple(y.shape)} = the next value")
    model = NextValue()
    print(model)
    output, (h_n, c_n) = model.lstm(x)
    print(f"LSTM output {tuple(output.shape)}, h_n {tuple(h_n.shape)}, c_n {tuple(c_n.shape)}"
          " = (layers, batch, hidden)")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for step in range(1, 101):
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == 1 or step % 20 == 0:
            print(f"step {step:3d}/100  MSE {loss.item():.6f}")
    test = torch.sin(1.0 + 0.3 * torch.arange(21.))
    with torch.no_grad():
        guess = model(test[:20].view(1, 20, 1)).item()
    print(f"continuing sin(1.0 + 0.3 t) at t = 20: predicted {guess:.4f}, "
          f"true {test[20].item():.4f}")


def chapter_save_load(out: Output) -> None:
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


def chapter_onnx(out: Output) -> None:
    """ONNX export: the CNN saved as model.onnx and checked in onnxruntime."""
    nn = torch.nn
    install = "pip install ember[onnx] onnxruntime"
    if _optional("onnx", "the ONNX export", install) is None:
        return
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 14 * 14, 10)).eval()
    x = torch.randn(2, 1, 28, 28)
    path = out.path("model.onnx")
    report = torch.onnx.export(model, x, str(path), input_names=["images"],
                               output_names=["logits"], dynamic_axes={"images": {0: "batch"}})
    out.wrote(f"the CNN as ONNX (opset {report.opset}, {report.num_params} parameters)", path)
    print("ONNX ops used:", sorted(set(report.ops)))
    ort = _optional("onnxruntime", "the check in onnxruntime", install)
    if ort is None:
        return
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    batch = torch.randn(5, 1, 28, 28)  # another batch size: the batch axis is dynamic
    (got,) = session.run(None, {"images": batch.numpy()})
    with torch.no_grad():
        want = model(batch)
    diff = (torch.from_numpy(got) - want).abs().max().item()
    print(f"onnxruntime on a batch of 5: output {got.shape}, largest difference from ember "
          f"{diff:.2e} - {'same' if diff < 1e-4 else 'DIFFERENT'} predictions: "
          f"{torch.equal(torch.from_numpy(got).argmax(1), want.argmax(1))}")


CHAPTERS: list[tuple[str, Callable[[Output], None]]] = [
    ("Tensor shapes", chapter_shapes),
    ("view, squeeze, unsqueeze", chapter_view),
    ("H(X) = XW as a dot product", chapter_dot),
    ("Automatic differentiation", chapter_autograd),
    ("no_grad and enable_grad", chapter_grad_modes),
    ("A custom autograd.Function", chapter_function),
    ("Linear regression as an nn.Module class", chapter_linear_regression),
    ("Multivariate linear regression", chapter_multivariate),
    ("Mini-batches of 64 from 3000 samples", chapter_minibatch),
    ("A CNN and a 3D CNN", chapter_cnn),
    ("An LSTM", chapter_lstm),
    ("Saving and loading weights", chapter_save_load),
    ("ONNX export checked in onnxruntime", chapter_onnx),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ember-tour", description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", type=int, help="run only chapter N (1-based)")
    parser.add_argument("--list", action="store_true", help="list the chapters")
    parser.add_argument("--out", default="ember-tour", metavar="DIR",
                        help="folder for the pictures and files the tour writes "
                             "(default: ./ember-tour/)")
    args = parser.parse_args(argv)
    if args.list:
        for i, (title, fn) in enumerate(CHAPTERS, 1):
            print(f"{i}. {title}: {fn.__doc__}")
        return 0
    chosen = range(1, len(CHAPTERS) + 1) if args.chapter is None else [args.chapter]
    if not all(1 <= n <= len(CHAPTERS) for n in chosen):
        parser.error(f"--chapter must be between 1 and {len(CHAPTERS)}, got {args.chapter}")
    out = Output(args.out)
    for n in chosen:
        title, fn = CHAPTERS[n - 1]
        print(f"\n=== {n}. {title} ===")
        print(fn.__doc__)
        fn(out)
    if out.written:
        print(f"\nThe tour wrote {len(out.written)} file(s) into {out.folder.resolve()}:")
        for path in out.written:
            print(" ", path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
