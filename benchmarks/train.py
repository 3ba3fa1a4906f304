"""Training workloads (issue: optim, data, save/load): the seed's models, one step or one epoch."""

from __future__ import annotations


def _regression(lib, x, y, in_features, lr):
    F = lib.nn.functional
    x_train = lib.tensor(x)
    y_train = lib.tensor(y)
    model = lib.nn.Linear(in_features, 1)
    optimizer = lib.optim.SGD(model.parameters(), lr=lr)

    def step():
        cost = F.mse_loss(model(x_train), y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return step


def linreg(lib):
    """The seed's step: nn.Linear(1,1), F.mse_loss, zero_grad, backward, SGD(lr=0.01), 3 samples."""
    return _regression(lib, [[1.], [2.], [3.]], [[2.], [4.], [6.]], 1, 0.01)


def multireg(lib):
    """nn.Linear(3,1) on the 5x3 quiz-score data, SGD(lr=1e-5)."""
    x = [[73., 80., 75.], [93., 88., 93.], [89., 91., 90.], [96., 98., 100.], [73., 66., 70.]]
    y = [[152.], [185.], [180.], [196.], [142.]]
    return _regression(lib, x, y, 3, 1e-5)


def mlp(lib):
    """One epoch: 3000x256, DataLoader(batch_size=64, shuffle=True), MLP, CrossEntropyLoss, Adam."""
    nn = lib.nn
    x = lib.randn(3000, 256)
    y = lib.randint(0, 10, (3000,))
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=64,
                                       shuffle=True)
    model = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)

    def epoch():
        for xb, yb in loader:
            loss = criterion(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return epoch


WORKLOADS = {
    "linreg step (Linear(1,1), SGD)": linreg,
    "multireg step (Linear(3,1), SGD)": multireg,
    "mlp epoch (3000x256, bs 64, Adam)": mlp,
}
