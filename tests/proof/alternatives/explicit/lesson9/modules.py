"""A hand-made module registry, a sequential model, and plain SGD."""
from collections.abc import Iterable, Iterator

import torch
from torch import Tensor, nn


class DummyModule:
    """Two Linear layers registered by hand through __setattr__, as nn.Module does."""

    def __init__(self, n_in: int, nh: int, n_out: int):
        object.__setattr__(self, "_modules", {})
        self.l1 = nn.Linear(n_in, nh)
        self.l2 = nn.Linear(nh, n_out)

    def __setattr__(self, k: str, v) -> None:
        """Record public attributes in the registry, then set them as usual."""
        is_private = k.startswith("_")
        if not is_private:
            self._modules[k] = v
        object.__setattr__(self, k, v)

    def __repr__(self) -> str:
        """Show the registry of sub-modules."""
        return f"DummyModule({self._modules!r})"

    def parameters(self) -> Iterator[nn.Parameter]:
        """Yield the parameters of every registered module, in registration order."""
        registered_modules = list(self._modules.values())
        for registered_module in registered_modules:
            for parameter in registered_module.parameters():
                yield parameter

    def __call__(self, x: Tensor) -> Tensor:
        """Return l2(relu(l1(x)))."""
        hidden = self.l1(x)
        activated = torch.clamp_min(hidden, 0.0)
        return self.l2(activated)


class SequentialModel(nn.Module):
    """An nn.Module applying its ModuleList of layers first to last."""

    def __init__(self, layers: Iterable[nn.Module]):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x: Tensor) -> Tensor:
        """Pass `x` through every layer in turn."""
        activation = x
        for layer in self.layers:
            activation = layer(activation)
        return activation


class Optimizer:
    """Plain SGD over a fixed list of parameters."""

    def __init__(self, params: Iterable[nn.Parameter], lr: float = 0.5):
        self.parameters_to_update: list[nn.Parameter] = [parameter for parameter in params]
        self.learning_rate: float = lr

    def step(self) -> None:
        """Subtract lr times the gradient from every parameter that has one."""
        with torch.no_grad():
            for parameter in self.parameters_to_update:
                if parameter.grad is None:
                    continue
                parameter.add_(parameter.grad, alpha=-self.learning_rate)

    def zero_grad(self) -> None:
        """Drop every gradient (set it to None), as torch.optim does by default."""
        for parameter in self.parameters_to_update:
            parameter.grad = None
