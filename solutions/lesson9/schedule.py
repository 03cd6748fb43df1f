"""Step 9: annealing schedules, the Recorder and the ParamScheduler (notebook 05).

Spec: spec/09_schedule.md
"""
from collections.abc import Callable, Sequence

from lesson9.runner import Callback

# BEGIN SOLUTION
import itertools
import math
from functools import partial

from lesson9.runner import listify
# END SOLUTION


def annealer(f: Callable) -> Callable:
    """Turn f(start, end, pos) into a maker: annealer(f)(start, end) is partial(f, start, end)."""
    # BEGIN SOLUTION

    def make_schedule(start, end):
        return partial(f, start, end)

    return make_schedule
    # END SOLUTION


@annealer
def sched_lin(start: float, end: float, pos: float) -> float:
    """Straight line from start (pos 0) to end (pos 1)."""
    # BEGIN SOLUTION
    return start + pos * (end - start)
    # END SOLUTION


@annealer
def sched_cos(start: float, end: float, pos: float) -> float:
    """Half a cosine from start (pos 0) to end (pos 1)."""
    # BEGIN SOLUTION
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2
    # END SOLUTION


@annealer
def sched_no(start: float, end: float, pos: float) -> float:
    """Always start."""
    # BEGIN SOLUTION
    return start
    # END SOLUTION


@annealer
def sched_exp(start: float, end: float, pos: float) -> float:
    """Geometric from start (pos 0) to end (pos 1)."""
    # BEGIN SOLUTION
    return start * (end / start) ** pos
    # END SOLUTION


def cos_1cycle_anneal(start: float, high: float, end: float) -> list[Callable]:
    """Two cosine schedules: start -> high, then high -> end."""
    # BEGIN SOLUTION
    return [sched_cos(start, high), sched_cos(high, end)]
    # END SOLUTION


def combine_scheds(pcts: Sequence[float], scheds: Sequence[Callable]) -> Callable[[float], float]:
    """Return f(pos) that runs scheds[i] over the fraction pcts[i] of [0, 1]."""
    # BEGIN SOLUTION
    pcts = [float(p) for p in listify(pcts)]
    scheds = listify(scheds)
    if len(pcts) != len(scheds):
        raise ValueError(f"combine_scheds got {len(pcts)} pcts for {len(scheds)} schedules")
    if any(p < 0 for p in pcts):
        raise ValueError(f"combine_scheds: pcts must not be negative, got {pcts}")
    if abs(sum(pcts) - 1) > 1e-6:
        raise ValueError(f"combine_scheds: pcts must sum to 1, got {pcts} (sum {sum(pcts)})")
    starts = itertools.accumulate(pcts, initial=0.0)
    # a phase of width 0 never runs, and dividing by its width would fail
    phases = [(s, w, f) for s, w, f in zip(starts, pcts, scheds) if w > 0]

    def schedule(pos: float) -> float:
        for start, width, sched in phases:
            if pos < start + width:
                break
        # past the loop, pos = 1 (or a float a hair above it) belongs to the last phase
        return float(sched(min(max((pos - start) / width, 0.0), 1.0)))

    return schedule
    # END SOLUTION


class Recorder(Callback):
    """Records each param group's lr and the loss for every training batch."""

    def begin_fit(self) -> None:
        # BEGIN SOLUTION
        self.lrs = [[] for _ in self.opt.param_groups]
        self.losses = []
        # END SOLUTION

    def after_batch(self) -> None:
        # BEGIN SOLUTION
        if not self.in_train:
            return
        for lrs, pg in zip(self.lrs, self.opt.param_groups):
            lrs.append(pg["lr"])
        self.losses.append(self.loss.detach().cpu())
        # END SOLUTION

    def plot_lr(self, pgid: int = -1):
        """Plot the learning rates of param group `pgid`; return the matplotlib Axes."""
        # BEGIN SOLUTION
        import matplotlib.pyplot as plt  # here, not at the top: pyplot is slow to import

        _, ax = plt.subplots()
        ax.plot(self.lrs[pgid])
        return ax
        # END SOLUTION

    def plot_loss(self, skip_last: int = 0):
        """Plot the losses, leaving out the last `skip_last`; return the matplotlib Axes."""
        # BEGIN SOLUTION
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        # not losses[:-skip_last], which is empty when skip_last is 0
        ax.plot([float(loss) for loss in self.losses[: len(self.losses) - skip_last]])
        return ax
        # END SOLUTION


class ParamScheduler(Callback):
    """Sets a hyper-parameter of every param group from a schedule before each training batch."""

    _order = 1

    def __init__(self, pname: str, sched_funcs):
        # BEGIN SOLUTION
        self.pname, self.sched_funcs = pname, sched_funcs
        # END SOLUTION

    # BEGIN SOLUTION
    def _funcs(self) -> list[Callable]:
        groups = self.opt.param_groups
        if not isinstance(self.sched_funcs, (list, tuple)):
            return [self.sched_funcs] * len(groups)
        if len(self.sched_funcs) != len(groups):
            raise ValueError(
                f"ParamScheduler({self.pname!r}) got {len(self.sched_funcs)} schedules "
                f"for {len(groups)} param groups"
            )
        return list(self.sched_funcs)

    # END SOLUTION
    def begin_fit(self) -> None:
        """Check the schedules against the param groups before training starts."""
        # BEGIN SOLUTION
        self._scheds = self._funcs()  # once, not every batch
        # END SOLUTION

    def begin_batch(self) -> None:
        # BEGIN SOLUTION
        if not self.in_train:
            return
        pos = min(self.n_epochs / self.epochs, 1.0)  # sums of 1/iters can drift past 1
        for pg, f in zip(self.opt.param_groups, self._scheds):
            pg[self.pname] = f(pos)
        # END SOLUTION
