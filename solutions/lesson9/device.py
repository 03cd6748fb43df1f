"""Step 10: moving the model and every batch to a device (the CudaCallback of notebook 06).

Spec: spec/10_device.md
"""
from lesson9.runner import Callback

# BEGIN SOLUTION
import torch
# END SOLUTION


class DeviceCallback(Callback):
    """Moves the model at begin_fit and each batch at begin_batch to `device`."""

    def __init__(self, device):
        # BEGIN SOLUTION
        self.device = torch.device(device)
        # END SOLUTION

    def begin_fit(self) -> None:
        # BEGIN SOLUTION
        self.model.to(self.device)
        # END SOLUTION

    def begin_batch(self) -> None:
        # BEGIN SOLUTION
        # set the runner's xb/yb: one_batch reads them after begin_batch, for the forward pass
        self.run.xb, self.run.yb = self.xb.to(self.device), self.yb.to(self.device)
        # END SOLUTION


class CudaCallback(DeviceCallback):
    """A DeviceCallback for 'cuda'."""

    def __init__(self):
        # BEGIN SOLUTION
        super().__init__("cuda")
        # END SOLUTION
