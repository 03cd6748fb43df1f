"""Step 10 the way notebook 06 has it: first a callback taking a device (the notebook calls
it CudaCallback too; here it is DeviceCallback), then the CudaCallback it keeps, which calls
.cuda() and is a plain Callback."""
from lesson9.runner import Callback


class DeviceCallback(Callback):
    def __init__(self, device): self.device = device
    def begin_fit(self): self.model.to(self.device)
    def begin_batch(self): self.run.xb, self.run.yb = self.xb.to(self.device), self.yb.to(self.device)


class CudaCallback(Callback):
    def begin_fit(self): self.model.cuda()
    def begin_batch(self): self.run.xb, self.run.yb = self.xb.cuda(), self.yb.cuda()
