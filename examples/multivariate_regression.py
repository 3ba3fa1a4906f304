"""Multivariate linear regression H(X) = XW + b on the classic 5x3 quiz-score data.

As the class MultivariateLinearRegressionModel(nn.Module) from the seed's notes, trained by
SGD with lr=1e-5 (the features are large, so the learning rate is small).
"""

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

x_train = torch.FloatTensor([[73, 80, 75],
                             [93, 88, 93],
                             [89, 91, 90],
                             [96, 98, 100],
                             [73, 66, 70]])
y_train = torch.FloatTensor([[152], [185], [180], [196], [142]])


class MultivariateLinearRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)  # input_dim=3, output_dim=1

    def forward(self, x):
        return self.linear(x)


def train(model, nb_epochs=2000, log_every=100):
    """SGD(lr=1e-5) on the MSE; returns the costs printed."""
    optimizer = optim.SGD(model.parameters(), lr=1e-5)
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
    model = MultivariateLinearRegressionModel()
    train(model)
    new_var = torch.FloatTensor([[73, 80, 75]])
    pred_y = model(new_var)
    print("prediction for [73, 80, 75] (label 152):", pred_y.item())
    print(list(model.parameters()))
