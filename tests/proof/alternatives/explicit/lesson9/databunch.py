"""DataBunch, get_model, Learner and a fit that validates every epoch."""
import torch
from torch import Tensor, nn, optim

from lesson9.loss import accuracy


class DataBunch:
    """The two loaders and the number of classes."""

    def __init__(self, train_dl, valid_dl, c: int | None = None):
        self.train_dl = train_dl
        self.valid_dl = valid_dl
        self.c = c

    @property
    def train_ds(self):
        """The dataset of the training loader."""
        return self.train_dl.dataset

    @property
    def valid_ds(self):
        """The dataset of the validation loader."""
        return self.valid_dl.dataset


def get_model(data: DataBunch, lr: float = 0.5, nh: int = 50) -> tuple[nn.Sequential, optim.SGD]:
    """Return the lesson's two-layer MLP sized for `data` and an SGD optimiser over it."""
    number_of_inputs = data.train_ds.x.size(1)
    model = nn.Sequential(
        nn.Linear(number_of_inputs, nh),
        nn.ReLU(),
        nn.Linear(nh, data.c),
    )
    optimiser = optim.SGD(model.parameters(), lr=lr)
    return model, optimiser


class Learner:
    """Model, optimiser, loss function and data, held together."""

    def __init__(self, model: nn.Module, opt, loss_func, data: DataBunch):
        self.model = model
        self.opt = opt
        self.loss_func = loss_func
        self.data = data


def _train_one_epoch(learn: Learner) -> None:
    learn.model.train()
    for xb, yb in learn.data.train_dl:
        learn.opt.zero_grad(set_to_none=True)  # before the backward pass, so each step sees one batch
        loss = learn.loss_func(learn.model(xb), yb)
        loss.backward()
        learn.opt.step()


def _validate(learn: Learner) -> tuple[float, float]:
    learn.model.eval()
    predictions: list[Tensor] = []
    targets: list[Tensor] = []
    with torch.inference_mode():
        for xb, yb in learn.data.valid_dl:
            predictions.append(learn.model(xb))
            targets.append(yb)
        # A mean loss over every sample at once is the batch-size-weighted mean of the batch losses.
        all_predictions = torch.cat(predictions)
        all_targets = torch.cat(targets)
        valid_loss = learn.loss_func(all_predictions, all_targets)
        valid_accuracy = accuracy(all_predictions, all_targets)
    return valid_loss.item(), valid_accuracy.item()


def fit(epochs: int, learn: Learner) -> tuple[float, float]:
    """Train for `epochs`, validating after each one; return the last (valid_loss, valid_acc)."""
    valid_loss, valid_accuracy = float("nan"), float("nan")
    for _epoch in range(epochs):
        _train_one_epoch(learn)
        valid_loss, valid_accuracy = _validate(learn)
    return valid_loss, valid_accuracy
