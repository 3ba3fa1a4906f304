"""An MLP classifier trained in mini-batches of 64 from 3000 samples of 256 features.

The seed's numbers: |X| = (3000, 256), batches |t| = (64, 256). The labels come from a hidden
linear "teacher", so there is something to learn; accuracy is measured on 1000 held-out samples.
"""

import ember as torch
import ember.nn as nn
from ember.utils.data import DataLoader, TensorDataset


def make_data(n, teacher):
    x = torch.randn(n, 256)
    y = (x @ teacher).argmax(dim=1)
    return x, y


def build_model():
    return nn.Sequential(
        nn.Linear(256, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 10),
    )


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        acc = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train()
    return acc


def main(nb_epochs=5):
    torch.manual_seed(0)
    teacher = torch.randn(256, 10)
    x_train, y_train = make_data(3000, teacher)
    x_test, y_test = make_data(1000, teacher)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)

    model = build_model()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    print(model)
    print("batches per epoch:", len(loader), " first batch:", tuple(next(iter(loader))[0].shape))

    for epoch in range(1, nb_epochs + 1):
        total, seen = 0.0, 0
        for x, y in loader:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            seen += len(x)
        train_acc = accuracy(model, x_train, y_train)
        test_acc = accuracy(model, x_test, y_test)
        print(f"Epoch {epoch}/{nb_epochs} loss: {total / seen:.4f} "
              f"train accuracy: {train_acc * 100:.2f}% test accuracy: {test_acc * 100:.2f}%")
    print(f"Final test accuracy: {accuracy(model, x_test, y_test) * 100:.2f}% (chance: 10%)")


if __name__ == "__main__":
    main()
