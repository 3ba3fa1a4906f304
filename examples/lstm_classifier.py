"""An LSTM sequence classifier: is the sum of a random sequence positive? Prints the loss and
the accuracy on held-out data."""

import ember
from ember import nn


class Classifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


def batch(n: int):
    x = ember.randn(n, 12, 1)
    return x, (x.sum((1, 2)) > 0).long()


def main(steps: int = 60) -> float:
    ember.manual_seed(0)
    model = Classifier()
    opt = ember.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        x, y = batch(64)
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    model.eval()
    with ember.no_grad():
        x, y = batch(512)
        acc = (model(x).argmax(-1) == y).float().mean().item()
    print(f"held-out accuracy {acc:.3f}")
    return acc


if __name__ == "__main__":
    main()
