"""Step 5: DataBunch, Learner and a fit with a validation pass (notebooks 03 and 04).

Spec: spec/05_databunch.md
"""
from torch import nn, optim


class DataBunch:
    """The training and validation loaders, and the number of classes."""

    def __init__(self, train_dl, valid_dl, c: int | None = None):
        raise NotImplementedError("DataBunch.__init__: step 5 (databunch), see spec/05_databunch.md")

    @property
    def train_ds(self):
        """The training loader's dataset."""
        raise NotImplementedError("DataBunch.train_ds: step 5 (databunch), see spec/05_databunch.md")

    @property
    def valid_ds(self):
        """The validation loader's dataset."""
        raise NotImplementedError("DataBunch.valid_ds: step 5 (databunch), see spec/05_databunch.md")


def get_model(data: DataBunch, lr: float = 0.5, nh: int = 50) -> tuple[nn.Sequential, optim.SGD]:
    """Return the lesson's MLP for `data` and an SGD optimiser over its parameters."""
    raise NotImplementedError("get_model: step 5 (databunch), see spec/05_databunch.md")


class Learner:
    """Holds the model, the optimiser, the loss function and the data; nothing more."""

    def __init__(self, model: nn.Module, opt, loss_func, data: DataBunch):
        raise NotImplementedError("Learner.__init__: step 5 (databunch), see spec/05_databunch.md")


def fit(epochs: int, learn: Learner) -> tuple[float, float]:
    """Train for `epochs`, validating after each; return the last (valid_loss, valid_acc)."""
    raise NotImplementedError("fit: step 5 (databunch), see spec/05_databunch.md")
