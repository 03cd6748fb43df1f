import math
from functools import partial
import matplotlib.pyplot as plt
from lesson9.runner import Callback, listify

def annealer(f):
    def _inner(start, end): return partial(f, start, end)
    return _inner

@annealer
def sched_lin(start, end, pos): return start + pos*(end-start)
@annealer
def sched_cos(start, end, pos): return start + (1 + math.cos(math.pi*(1-pos))) * (end-start) / 2
@annealer
def sched_no(start, end, pos):  return start
@annealer
def sched_exp(start, end, pos): return start * (end/start) ** pos

def cos_1cycle_anneal(start, high, end): return [sched_cos(start, high), sched_cos(high, end)]

def _check(pcts, scheds):
    if len(pcts) != len(scheds): raise ValueError(f"{len(pcts)} pcts for {len(scheds)} scheds")
    if any(p < 0 for p in pcts) or abs(sum(pcts) - 1) > 1e-6: raise ValueError(f"bad pcts: {pcts}")

def combine_scheds(pcts, scheds):
    pcts,scheds = listify(pcts),listify(scheds)
    def _inner(pos):
        _check(pcts, scheds)
        start = 0.
        for i,(p,f) in enumerate(zip(pcts, scheds)):
            last = all(q == 0 for q in pcts[i+1:])
            if p > 0 and (pos < start + p or last): return float(f(min(max((pos-start)/p, 0.), 1.)))
            start += p
    return _inner

class Recorder(Callback):
    def begin_fit(self): self.lrs,self.losses = [[] for _ in self.opt.param_groups],[]

    def after_batch(self):
        if not self.in_train: return
        for lrs,pg in zip(self.lrs, self.opt.param_groups): lrs.append(pg['lr'])
        self.losses.append(self.loss.detach().cpu())

    def plot_lr(self, pgid=-1):
        plt.figure(); plt.plot(self.lrs[pgid])
        return plt.gca()

    def plot_loss(self, skip_last=0):
        plt.figure(); plt.plot(self.losses[:len(self.losses)-skip_last])
        return plt.gca()

class ParamScheduler(Callback):
    _order=1
    def __init__(self, pname, sched_funcs): self.pname,self.sched_funcs = pname,sched_funcs

    def _funcs(self):
        fs = self.sched_funcs if isinstance(self.sched_funcs, (list,tuple)) else [self.sched_funcs]*len(self.opt.param_groups)
        if len(fs) != len(self.opt.param_groups): raise ValueError(f"{len(fs)} schedules for {len(self.opt.param_groups)} param groups")
        return fs

    def begin_fit(self): self._funcs()

    def begin_batch(self):
        if not self.in_train: return
        for pg,f in zip(self.opt.param_groups, self._funcs()): pg[self.pname] = f(min(self.n_epochs/self.epochs, 1.))
