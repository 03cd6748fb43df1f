"""Callbacks that move the model and every batch to a device."""
import torch

from lesson9.runner import Callback


class DeviceCallback(Callback):
    """Moves the model at begin_fit, and each batch at begin_batch, to `device`."""

    _order = -10  # before any other callback looks at the batch

    def __init__(self, device):
        self.target_device = torch.device(device)

    def begin_fit(self) -> None:
        self.run.model.to(self.target_device)

    def begin_batch(self) -> None:
        runner = self.run
        runner.xb = runner.xb.to(self.target_device)
        runner.yb = runner.yb.to(self.target_device)


class CudaCallback(DeviceCallback):
    """A DeviceCallback for 'cuda'."""

    def __init__(self):
        super().__init__("cuda")
