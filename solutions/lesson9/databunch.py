"""Step 5: DataBunch, Learner and a fit with a validation pass (notebooks 03 and 04).

Spec: spec/05_databunch.md
"""
from torch import nn, optim

# BEGIN SOLUTION
import torch

from lesson9.loss import accuracy
# END SOLUTION


class DataBunch:
    """The training and validation loaders, and the number of classes."""

    def __init__(self, train_dl, valid_dl, c: int | None = None):
        # BEGIN SOLUTION
        self.train_dl, self.valid_dl, self.c = train_dl, valid_dl, c
        # END SOLUTION

    @property
    def train_ds(self):
        """The training loader's dataset."""
        # BEGIN SOLUTION
        return self.train_dl.dataset
        # END SOLUTION

    @property
    def valid_ds(self):
        """The validation loader's dataset."""
        # BEGIN SOLUTION
        return self.valid_dl.dataset
        # END SOLUTION


def get_model(data: DataBunch, lr: float = 0.5, nh: int = 50) -> tuple[nn.Sequential, optim.SGD]:
    """Return the lesson's MLP for `data` and an SGD optimiser over its parameters."""
    # BEGIN SOLUTION
    m = data.train_ds.x.shape[1]
    model = nn.Sequential(nn.Linear(m, nh), nn.ReLU(), nn.Linear(nh, data.c))
    return model, optim.SGD(model.parameters(), lr=lr)
    # END SOLUTION


class Learner:
    """Holds the model, the optimiser, the loss function and the data; nothing more."""

    def __init__(self, model: nn.Module, opt, loss_func, data: DataBunch):
        # BEGIN SOLUTION
        self.model, self.opt, self.loss_func, self.data = model, opt, loss_func, data
        # END SOLUTION


def fit(epochs: int, learn: Learner) -> tuple[float, float]:
    """Train for `epochs`, validating after each; return the last (valid_loss, valid_acc)."""
    # BEGIN SOLUTION
    for epoch in range(epochs):
        learn.model.train()
        for xb, yb in learn.data.train_dl:
            loss = learn.loss_func(learn.model(xb), yb)
            loss.backward()
            learn.opt.step()
            learn.opt.zero_grad()

        learn.model.eval()
        with torch.no_grad():
            tot_loss, tot_acc, count = 0.0, 0.0, 0
            for xb, yb in learn.data.valid_dl:
                pred = learn.model(xb)
                n = xb.shape[0]  # weight by batch size: a short last batch counts for what it holds
                tot_loss += learn.loss_func(pred, yb).item() * n
                tot_acc += accuracy(pred, yb).item() * n
                count += n
    return tot_loss / count, tot_acc / count
    # END SOLUTION
