"""Annealing schedules, combined schedules, the Recorder and the ParamScheduler."""
import math
from collections.abc import Callable, Sequence

import torch

from lesson9.runner import Callback, listify


def annealer(f: Callable) -> Callable:
    """Turn f(start, end, pos) into a maker of schedules: annealer(f)(start, end)(pos)."""

    def make_schedule(start, end):
        def schedule(pos):
            return f(start, end, pos)

        return schedule

    return make_schedule


@annealer
def sched_lin(start: float, end: float, pos: float) -> float:
    """A straight line from start to end."""
    return start + pos * (end - start)


@annealer
def sched_cos(start: float, end: float, pos: float) -> float:
    """Half a cosine from start to end, flat at both ends."""
    cosine_weight = (1.0 - math.cos(math.pi * pos)) / 2.0  # 0 at pos 0, 1 at pos 1
    return start + cosine_weight * (end - start)


@annealer
def sched_no(start: float, end: float, pos: float) -> float:
    """Always start."""
    return start


@annealer
def sched_exp(start: float, end: float, pos: float) -> float:
    """A geometric progression from start to end."""
    ratio = end / start
    return start * ratio**pos


def cos_1cycle_anneal(start: float, high: float, end: float) -> list[Callable]:
    """A cosine up from start to high, then one down from high to end."""
    warm_up = sched_cos(start, high)
    cool_down = sched_cos(high, end)
    return [warm_up, cool_down]


def combine_scheds(pcts: Sequence[float], scheds: Sequence[Callable]) -> Callable[[float], float]:
    """Return f(pos) running scheds[i] over the fraction pcts[i] of training."""
    fractions = [float(fraction) for fraction in listify(pcts)]
    schedules = listify(scheds)
    if len(fractions) != len(schedules):
        raise ValueError(f"combine_scheds: {len(fractions)} pcts for {len(schedules)} schedules")
    if min(fractions, default=0.0) < 0:
        raise ValueError(f"combine_scheds: pcts must not be negative, got {fractions}")
    if not math.isclose(math.fsum(fractions), 1.0, rel_tol=0.0, abs_tol=1e-6):
        raise ValueError(f"combine_scheds: pcts must add up to 1, got {fractions}")

    used_phases = [index for index, fraction in enumerate(fractions) if fraction > 0]
    widths = torch.tensor([fractions[index] for index in used_phases])  # float32, as the lesson's tensors
    phase_ends = torch.cumsum(widths, dim=0)
    phase_starts = phase_ends - widths
    phase_schedules = [schedules[index] for index in used_phases]
    last_phase = len(used_phases) - 1

    def combined_schedule(pos: float) -> float:
        position = torch.tensor(float(pos))
        # the first phase whose end lies beyond pos; pos = 1 (and anything past) goes to the last
        phase = min(int(torch.searchsorted(phase_ends, position, right=True)), last_phase)
        local_position = (position - phase_starts[phase]) / widths[phase]
        local_position = float(local_position.clamp(0.0, 1.0))
        return float(phase_schedules[phase](local_position))

    return combined_schedule


class Recorder(Callback):
    """Records each param group's learning rate and the loss of every training batch."""

    def begin_fit(self) -> None:
        # A second fit carries on the same record, so that plots show the whole training.
        if "lrs" in self.__dict__:
            return
        number_of_groups = len(self.run.opt.param_groups)
        self.lrs: list[list[float]] = [[] for _group in range(number_of_groups)]
        self.losses: list[float] = []

    def after_batch(self) -> None:
        if not self.run.in_train:
            return
        for group_index, param_group in enumerate(self.run.opt.param_groups):
            self.lrs[group_index].append(param_group["lr"])
        self.losses.append(self.run.loss.detach().item())

    def plot_lr(self, pgid: int = -1):
        """Plot the learning rates of param group `pgid`; return the Axes."""
        import matplotlib.pyplot as plt

        figure = plt.figure()
        axes = figure.add_subplot()
        axes.plot(self.lrs[pgid])
        return axes

    def plot_loss(self, skip_last: int = 0):
        """Plot every loss but the last `skip_last`; return the Axes."""
        import matplotlib.pyplot as plt

        number_to_plot = len(self.losses) - skip_last
        figure = plt.figure()
        axes = figure.add_subplot()
        axes.plot(self.losses[:number_to_plot])
        return axes


class ParamScheduler(Callback):
    """Sets a hyper-parameter of every param group from its schedule before each training batch."""

    _order = 1

    def __init__(self, pname: str, sched_funcs):
        self.parameter_name = pname
        self.schedule_functions = sched_funcs

    def _schedule_for_each_group(self) -> list[Callable]:
        param_groups = self.run.opt.param_groups
        if isinstance(self.schedule_functions, (list, tuple)):
            if len(self.schedule_functions) != len(param_groups):
                raise ValueError(
                    f"ParamScheduler: {len(self.schedule_functions)} schedules "
                    f"for {len(param_groups)} param groups"
                )
            return list(self.schedule_functions)
        return [self.schedule_functions for _group in param_groups]

    def begin_fit(self) -> None:
        self._schedule_for_each_group()  # fail early on a list of the wrong length

    def begin_batch(self) -> None:
        if not self.run.in_train:
            return
        position = self.run.n_epochs / self.run.epochs
        position = min(max(position, 0.0), 1.0)  # float sums of 1/iters may drift past 1
        schedules = self._schedule_for_each_group()
        for param_group, schedule in zip(self.run.opt.param_groups, schedules):
            param_group[self.parameter_name] = schedule(position)
