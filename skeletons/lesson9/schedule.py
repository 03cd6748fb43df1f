"""Step 9: annealing schedules, the Recorder and the ParamScheduler (notebook 05).

Spec: spec/09_schedule.md
"""
from collections.abc import Callable, Sequence

from lesson9.runner import Callback


def annealer(f: Callable) -> Callable:
    """Turn f(start, end, pos) into a maker: annealer(f)(start, end) is partial(f, start, end)."""
    raise NotImplementedError("annealer: step 9 (schedule), see spec/09_schedule.md")


@annealer
def sched_lin(start: float, end: float, pos: float) -> float:
    """Straight line from start (pos 0) to end (pos 1)."""
    raise NotImplementedError("sched_lin: step 9 (schedule), see spec/09_schedule.md")


@annealer
def sched_cos(start: float, end: float, pos: float) -> float:
    """Half a cosine from start (pos 0) to end (pos 1)."""
    raise NotImplementedError("sched_cos: step 9 (schedule), see spec/09_schedule.md")


@annealer
def sched_no(start: float, end: float, pos: float) -> float:
    """Always start."""
    raise NotImplementedError("sched_no: step 9 (schedule), see spec/09_schedule.md")


@annealer
def sched_exp(start: float, end: float, pos: float) -> float:
    """Geometric from start (pos 0) to end (pos 1)."""
    raise NotImplementedError("sched_exp: step 9 (schedule), see spec/09_schedule.md")


def cos_1cycle_anneal(start: float, high: float, end: float) -> list[Callable]:
    """Two cosine schedules: start -> high, then high -> end."""
    raise NotImplementedError("cos_1cycle_anneal: step 9 (schedule), see spec/09_schedule.md")


def combine_scheds(pcts: Sequence[float], scheds: Sequence[Callable]) -> Callable[[float], float]:
    """Return f(pos) that runs scheds[i] over the fraction pcts[i] of [0, 1]."""
    raise NotImplementedError("combine_scheds: step 9 (schedule), see spec/09_schedule.md")


class Recorder(Callback):
    """Records each param group's lr and the loss for every training batch."""

    def begin_fit(self) -> None:
        raise NotImplementedError("Recorder.begin_fit: step 9 (schedule), see spec/09_schedule.md")

    def after_batch(self) -> None:
        raise NotImplementedError("Recorder.after_batch: step 9 (schedule), see spec/09_schedule.md")

    def plot_lr(self, pgid: int = -1):
        """Plot the learning rates of param group `pgid`; return the matplotlib Axes."""
        raise NotImplementedError("Recorder.plot_lr: step 9 (schedule), see spec/09_schedule.md")

    def plot_loss(self, skip_last: int = 0):
        """Plot the losses, leaving out the last `skip_last`; return the matplotlib Axes."""
        raise NotImplementedError("Recorder.plot_loss: step 9 (schedule), see spec/09_schedule.md")


class ParamScheduler(Callback):
    """Sets a hyper-parameter of every param group from a schedule before each training batch."""

    _order = 1

    def __init__(self, pname: str, sched_funcs):
        raise NotImplementedError("ParamScheduler.__init__: step 9 (schedule), see spec/09_schedule.md")

    def begin_fit(self) -> None:
        """Check the schedules against the param groups before training starts."""
        raise NotImplementedError("ParamScheduler.begin_fit: step 9 (schedule), see spec/09_schedule.md")

    def begin_batch(self) -> None:
        raise NotImplementedError("ParamScheduler.begin_batch: step 9 (schedule), see spec/09_schedule.md")
