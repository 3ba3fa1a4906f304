"""Checkpoints: train, save the model's and the optimizer's state_dicts, load them into fresh
objects, continue training, and land exactly where an uninterrupted run lands."""

import os
import tempfile

import ember as torch
import ember.nn as nn
import ember.nn.functional as F

torch.manual_seed(0)
x_train = torch.randn(256, 20)
y_train = (x_train[:, :5].sum(dim=1) > 0).long()


def new_model_and_optimizer():
    model = nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Linear(32, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    return model, optimizer


def train(model, optimizer, epochs, first_epoch=1):
    for epoch in range(first_epoch, first_epoch + epochs):
        loss = F.cross_entropy(model(x_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 10 == 0:
            print(f"Epoch {epoch:3d} loss: {loss.item():.6f}")


def main():
    torch.manual_seed(1)
    model, optimizer = new_model_and_optimizer()
    start = {k: v.clone() for k, v in model.state_dict().items()}

    print("# uninterrupted: 60 epochs")
    train(model, optimizer, 60)

    print("# interrupted: 30 epochs, save, load into fresh objects, 30 more")
    model2, optimizer2 = new_model_and_optimizer()
    model2.load_state_dict(start)
    train(model2, optimizer2, 30)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "checkpoint.pt")
        torch.save({"epoch": 30, "model": model2.state_dict(),
                    "optimizer": optimizer2.state_dict()}, path)
        print("saved", os.path.basename(path), os.path.getsize(path), "bytes")
        del model2, optimizer2
        checkpoint = torch.load(path)
    model3, optimizer3 = new_model_and_optimizer()  # fresh random weights, empty Adam state
    model3.load_state_dict(checkpoint["model"])
    optimizer3.load_state_dict(checkpoint["optimizer"])
    print("resuming at epoch", checkpoint["epoch"] + 1)
    train(model3, optimizer3, 30, first_epoch=checkpoint["epoch"] + 1)

    diff = max((a - b).abs().max().item()
               for a, b in zip(model.state_dict().values(), model3.state_dict().values()))
    print("max |difference| between the two runs' weights:", diff)
    print("resumed run identical to uninterrupted run:", diff == 0.0)


if __name__ == "__main__":
    main()
