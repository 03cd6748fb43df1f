"""Step 9 the way notebook 05 has it: combine_scheds works on a tensor of pcts, asserts
an exact sum, and fails at pos = 1; the Recorder keeps the last
param group's lr and plots on the current figure; the ParamScheduler takes one schedule,
through a set_param method, with n_epochs / epochs as it comes."""
import math
from functools import partial

import torch

from lesson9.runner import Callback, listify


def annealer(f):
    def _inner(start, end): return partial(f, start, end)
    return _inner

@annealer
def sched_lin(start, end, pos): return start + pos*(end - start)

@annealer
def sched_cos(start, end, pos): return start + (1 + math.cos(math.pi*(1 - pos))) * (end - start) / 2

@annealer
def sched_no(start, end, pos): return start

@annealer
def sched_exp(start, end, pos): return start * (end/start) ** pos

def cos_1cycle_anneal(start, high, end):
    return [sched_cos(start, high), sched_cos(high, end)]


# as exported to exp/nb_05.py: the notebook's cell adds `if idx == 2: idx = 1`, which mends pos = 1
# for two schedules and, for three or more, hands the whole third phase to the second schedule
def combine_scheds(pcts, scheds):
    assert sum(pcts) == 1.
    pcts = torch.tensor([0] + listify(pcts))
    assert torch.all(pcts >= 0)
    pcts = torch.cumsum(pcts, 0)
    def _inner(pos):
        idx = (pos >= pcts).nonzero().max()
        actual_pos = (pos - pcts[idx]) / (pcts[idx + 1] - pcts[idx])
        return scheds[idx](actual_pos)
    return _inner


class Recorder(Callback):
    def begin_fit(self): self.lrs, self.losses = [], []

    def after_batch(self):
        if not self.in_train: return
        self.lrs.append(self.opt.param_groups[-1]['lr'])
        self.losses.append(self.loss.detach().cpu())

    # the notebook imports pyplot once, at its top
    def plot_lr(self):
        import matplotlib.pyplot as plt
        plt.plot(self.lrs)

    def plot_loss(self):
        import matplotlib.pyplot as plt
        plt.plot(self.losses)


class ParamScheduler(Callback):
    _order = 1
    def __init__(self, pname, sched_func): self.pname, self.sched_func = pname, sched_func

    def set_param(self):
        for pg in self.opt.param_groups:
            pg[self.pname] = self.sched_func(self.n_epochs/self.epochs)

    def begin_batch(self):
        if self.in_train: self.set_param()
