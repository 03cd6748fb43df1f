"""Step 10: moving the model and every batch to a device (the CudaCallback of notebook 06).

Spec: spec/10_device.md
"""
from lesson9.runner import Callback


class DeviceCallback(Callback):
    """Moves the model at begin_fit and each batch at begin_batch to `device`."""

    def __init__(self, device):
        raise NotImplementedError("DeviceCallback.__init__: step 10 (device), see spec/10_device.md")

    def begin_fit(self) -> None:
        raise NotImplementedError("DeviceCallback.begin_fit: step 10 (device), see spec/10_device.md")

    def begin_batch(self) -> None:
        raise NotImplementedError("DeviceCallback.begin_batch: step 10 (device), see spec/10_device.md")


class CudaCallback(DeviceCallback):
    """A DeviceCallback for 'cuda'."""

    def __init__(self):
        raise NotImplementedError("CudaCallback.__init__: step 10 (device), see spec/10_device.md")
