"""Simple linear regression H(x) = Wx + b, three ways (the seed's notes, wikidocs 60036).

1. by hand: W and b as tensors with requires_grad, trained by optim.SGD;
2. with nn.Linear(1, 1);
3. as the class LinearRegressionModel(nn.Module).
Each learns y = 2x from three samples and predicts x = 4.0 -> about 8.
"""

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

x_train = torch.FloatTensor([[1], [2], [3]])
y_train = torch.FloatTensor([[2], [4], [6]])


def train_by_hand(nb_epochs=2000, log_every=100):
    """W and b start at zero, as in the notes; returns the costs printed."""
    W = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = optim.SGD([W, b], lr=0.01)
    costs = []
    for epoch in range(nb_epochs + 1):
        hypothesis = x_train * W + b
        cost = torch.mean((hypothesis - y_train) ** 2)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        if epoch % log_every == 0:
            costs.append(cost.item())
            print(f'Epoch {epoch:4d}/{nb_epochs} W: {W.item():.3f}, b: {b.item():.3f} '
                  f'Cost: {cost.item():.6f}')
    return W, b, costs


class LinearRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)  # input_dim=1, output_dim=1

    def forward(self, x):
        return self.linear(x)


def train(model, nb_epochs=2000, log_every=100):
    """Train any model of x_train with SGD(lr=0.01) and MSE; returns the costs printed."""
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    costs = []
    for epoch in range(nb_epochs + 1):
        prediction = model(x_train)
        cost = F.mse_loss(prediction, y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        if epoch % log_every == 0:
            costs.append(cost.item())
            print(f'Epoch {epoch:4d}/{nb_epochs} Cost: {cost.item():.6f}')
    return costs


if __name__ == "__main__":
    torch.manual_seed(1)

    print("# 1. by hand: W and b")
    W, b, _ = train_by_hand()
    print("prediction for 4.0:", (4.0 * W + b).item())

    print("# 2. nn.Linear(1, 1)")
    model = nn.Linear(1, 1)
    print(list(model.parameters()))
    train(model)
    new_var = torch.FloatTensor([[4.0]])
    pred_y = model(new_var)
    print("prediction for 4.0:", pred_y.item())
    print(list(model.parameters()))

    print("# 3. class LinearRegressionModel(nn.Module)")
    model = LinearRegressionModel()
    train(model)
    print("prediction for 4.0:", model(new_var).item())
    print("W:", model.linear.weight.item(), "b:", model.linear.bias.item())
