"""Step 8: running averages of the loss and metrics, and the callback that prints them (notebook 04).

Spec: spec/08_stats.md
"""
from lesson9.runner import Callback

# BEGIN SOLUTION
import torch

from lesson9.runner import listify


def _as_float(x) -> float:
    """A Python float from a number or a one-element tensor; item() keeps no graph and is the cheapest way out."""
    return float(x.item()) if isinstance(x, torch.Tensor) else float(x)


# END SOLUTION


class AvgStats:
    """Averages of the loss and of each metric, weighted by batch size."""

    def __init__(self, metrics, in_train: bool):
        # BEGIN SOLUTION
        self.metrics, self.in_train = listify(metrics), in_train
        self.reset()  # so that repr and the stats work before the first batch
        # END SOLUTION

    def reset(self) -> None:
        """Forget everything accumulated."""
        # BEGIN SOLUTION
        self.tot_loss, self.count = 0.0, 0
        self.tot_mets = [0.0] * len(self.metrics)
        # END SOLUTION

    @property
    def all_stats(self) -> list[float]:
        """The batch-size-weighted sums: loss first, then each metric."""
        # BEGIN SOLUTION
        return [self.tot_loss] + self.tot_mets
        # END SOLUTION

    @property
    def avg_stats(self) -> list[float]:
        """The averages: loss first, then each metric."""
        # BEGIN SOLUTION
        # before any batch there is nothing to average (the lesson divided by zero here)
        return [total / self.count for total in self.all_stats] if self.count else []
        # END SOLUTION

    def __repr__(self) -> str:
        # BEGIN SOLUTION
        if not self.count:
            return ""
        return f"{'train' if self.in_train else 'valid'}: {self.avg_stats}"
        # END SOLUTION

    def accumulate(self, run) -> None:
        """Add the loss and metrics of run's current batch, weighted by its size."""
        # BEGIN SOLUTION
        bn = run.xb.shape[0]
        # plain floats: tensors would hold on to the autograd graph of every batch
        self.tot_loss += _as_float(run.loss) * bn
        self.count += bn
        for i, metric in enumerate(self.metrics):
            self.tot_mets[i] += _as_float(metric(run.pred, run.yb)) * bn
        # END SOLUTION


class AvgStatsCallback(Callback):
    """Keeps training and validation AvgStats for each epoch and prints them at its end."""

    def __init__(self, metrics):
        # BEGIN SOLUTION
        self.train_stats, self.valid_stats = AvgStats(metrics, True), AvgStats(metrics, False)
        # END SOLUTION

    def begin_epoch(self) -> None:
        # BEGIN SOLUTION
        self.train_stats.reset()
        self.valid_stats.reset()
        # END SOLUTION

    def after_loss(self) -> None:
        # BEGIN SOLUTION
        stats = self.train_stats if self.in_train else self.valid_stats
        with torch.no_grad():
            stats.accumulate(self.run)
        # END SOLUTION

    def after_epoch(self) -> None:
        # BEGIN SOLUTION
        print(self.train_stats)
        print(self.valid_stats)
        # END SOLUTION
