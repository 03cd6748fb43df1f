"""Step 3: registering parameters, modules and a hand-written optimiser (notebook 03).

Spec: spec/03_modules.md
"""
from collections.abc import Iterable, Iterator

from torch import Tensor, nn


class DummyModule:
    """A two-layer model that registers its sub-modules by hand, as nn.Module does."""

    def __init__(self, n_in: int, nh: int, n_out: int):
        raise NotImplementedError("DummyModule.__init__: step 3 (modules), see spec/03_modules.md")

    def __setattr__(self, k: str, v) -> None:
        """Record every public attribute in self._modules, then set it."""
        raise NotImplementedError("DummyModule.__setattr__: step 3 (modules), see spec/03_modules.md")

    def __repr__(self) -> str:
        """Show the registry of sub-modules."""
        raise NotImplementedError("DummyModule.__repr__: step 3 (modules), see spec/03_modules.md")

    def parameters(self) -> Iterator[nn.Parameter]:
        """Yield every parameter of every registered module, in order."""
        raise NotImplementedError("DummyModule.parameters: step 3 (modules), see spec/03_modules.md")

    def __call__(self, x: Tensor) -> Tensor:
        """Return l2(relu(l1(x)))."""
        raise NotImplementedError("DummyModule.__call__: step 3 (modules), see spec/03_modules.md")


class SequentialModel(nn.Module):
    """Apply `layers` in order, registered through nn.ModuleList."""

    def __init__(self, layers: Iterable[nn.Module]):
        raise NotImplementedError("SequentialModel.__init__: step 3 (modules), see spec/03_modules.md")

    def forward(self, x: Tensor) -> Tensor:
        """Return x passed through every layer in turn."""
        raise NotImplementedError("SequentialModel.forward: step 3 (modules), see spec/03_modules.md")


class Optimizer:
    """Plain SGD: p -= p.grad * lr."""

    def __init__(self, params: Iterable[nn.Parameter], lr: float = 0.5):
        raise NotImplementedError("Optimizer.__init__: step 3 (modules), see spec/03_modules.md")

    def step(self) -> None:
        """Move every parameter against its gradient, without recording the update."""
        raise NotImplementedError("Optimizer.step: step 3 (modules), see spec/03_modules.md")

    def zero_grad(self) -> None:
        """Zero every gradient, skipping parameters that have none yet."""
        raise NotImplementedError("Optimizer.zero_grad: step 3 (modules), see spec/03_modules.md")
