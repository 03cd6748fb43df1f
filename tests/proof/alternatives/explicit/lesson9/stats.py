"""Batch-size-weighted running averages of the loss and metrics, and their callback."""
import torch

from lesson9.runner import Callback, listify


def _to_python_float(value) -> float:
    """A plain float from a number or a one-element tensor, never keeping its graph."""
    if isinstance(value, torch.Tensor):
        return value.detach().item()
    return float(value)


class AvgStats:
    """Sums of the loss and of each metric, weighted by batch size, and their averages."""

    def __init__(self, metrics, in_train: bool):
        self.metric_functions = listify(metrics)
        self.in_train = in_train
        self.reset()

    def reset(self) -> None:
        """Forget every batch accumulated so far."""
        self.loss_sum: float = 0.0
        self.metric_sums: list[float] = [0.0 for _metric in self.metric_functions]
        self.sample_count: int = 0

    @property
    def all_stats(self) -> list[float]:
        """The weighted sums: the loss first, then each metric."""
        return [self.loss_sum, *self.metric_sums]

    @property
    def avg_stats(self) -> list[float]:
        """The averages over the samples accumulated: the loss first, then each metric."""
        divisor = max(self.sample_count, 1)  # all zeros before any sample
        return [total / divisor for total in self.all_stats]

    def __repr__(self) -> str:
        if self.sample_count == 0:
            return ""
        phase = "train" if self.in_train else "valid"
        formatted = ", ".join(f"{average:.6f}" for average in self.avg_stats)
        return f"{phase}: [{formatted}]"

    def accumulate(self, run) -> None:
        """Add the current batch of `run`, weighted by its number of rows."""
        batch_size = run.xb.shape[0]
        self.loss_sum += _to_python_float(run.loss) * batch_size
        for metric_index, metric_function in enumerate(self.metric_functions):
            metric_value = metric_function(run.pred, run.yb)
            self.metric_sums[metric_index] += _to_python_float(metric_value) * batch_size
        self.sample_count += batch_size


class AvgStatsCallback(Callback):
    """Training and validation statistics for each epoch, printed at its end."""

    def __init__(self, metrics):
        self.train_stats = AvgStats(metrics, in_train=True)
        self.valid_stats = AvgStats(metrics, in_train=False)

    def begin_epoch(self) -> None:
        self.train_stats.reset()
        self.valid_stats.reset()

    def after_loss(self) -> None:
        current_stats = self.train_stats if self.run.in_train else self.valid_stats
        current_stats.accumulate(self.run)

    def after_epoch(self) -> None:
        print(self.train_stats)
        print(self.valid_stats)
