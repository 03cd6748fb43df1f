import torch
import torch.nn.functional as F
from torch import nn

class DummyModule():
    def __init__(self, n_in, nh, n_out):
        self._modules = {}
        self.l1,self.l2 = nn.Linear(n_in,nh),nn.Linear(nh,n_out)

    def __setattr__(self,k,v):
        if not k.startswith("_"): self._modules[k] = v
        super().__setattr__(k,v)

    def __repr__(self): return f'{self._modules}'
    def parameters(self): return (p for l in self._modules.values() for p in l.parameters())
    def __call__(self, x): return self.l2(F.relu(self.l1(x)))

class SequentialModel(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def __call__(self, x):
        for l in self.layers: x = l(x)
        return x

class Optimizer():
    def __init__(self, params, lr=0.5): self.params,self.lr=list(params),lr

    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None: p -= p.grad * self.lr

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None: p.grad.data.zero_()
