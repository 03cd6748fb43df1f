"""Step 3: registering parameters, modules and a hand-written optimiser (notebook 03).

Spec: spec/03_modules.md
"""
from collections.abc import Iterable, Iterator

from torch import Tensor, nn

# BEGIN SOLUTION
import torch
import torch.nn.functional as F
# END SOLUTION


class DummyModule:
    """A two-layer model that registers its sub-modules by hand, as nn.Module does."""

    def __init__(self, n_in: int, nh: int, n_out: int):
        # BEGIN SOLUTION
        self._modules = {}  # set first: __setattr__ skips names that start with "_"
        self.l1 = nn.Linear(n_in, nh)
        self.l2 = nn.Linear(nh, n_out)
        # END SOLUTION

    def __setattr__(self, k: str, v) -> None:
        """Record every public attribute in self._modules, then set it."""
        # BEGIN SOLUTION
        if not k.startswith("_"):
            self._modules[k] = v
        super().__setattr__(k, v)
        # END SOLUTION

    def __repr__(self) -> str:
        """Show the registry of sub-modules."""
        # BEGIN SOLUTION
        return f"{self._modules}"
        # END SOLUTION

    def parameters(self) -> Iterator[nn.Parameter]:
        """Yield every parameter of every registered module, in order."""
        # BEGIN SOLUTION
        for layer in self._modules.values():
            yield from layer.parameters()
        # END SOLUTION

    def __call__(self, x: Tensor) -> Tensor:
        """Return l2(relu(l1(x)))."""
        # BEGIN SOLUTION
        return self.l2(F.relu(self.l1(x)))
        # END SOLUTION


class SequentialModel(nn.Module):
    """Apply `layers` in order, registered through nn.ModuleList."""

    def __init__(self, layers: Iterable[nn.Module]):
        # BEGIN SOLUTION
        super().__init__()
        self.layers = nn.ModuleList(layers)
        # END SOLUTION

    def forward(self, x: Tensor) -> Tensor:
        """Return x passed through every layer in turn."""
        # BEGIN SOLUTION
        for layer in self.layers:
            x = layer(x)
        return x
        # END SOLUTION


class Optimizer:
    """Plain SGD: p -= p.grad * lr."""

    def __init__(self, params: Iterable[nn.Parameter], lr: float = 0.5):
        # BEGIN SOLUTION
        self.params, self.lr = list(params), lr  # list: a generator would be empty after one pass
        # END SOLUTION

    def step(self) -> None:
        """Move every parameter against its gradient, without recording the update."""
        # BEGIN SOLUTION
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= p.grad * self.lr
        # END SOLUTION

    def zero_grad(self) -> None:
        """Zero every gradient, skipping parameters that have none yet."""
        # BEGIN SOLUTION
        for p in self.params:
            if p.grad is not None:
                p.grad.zero_()
        # END SOLUTION
