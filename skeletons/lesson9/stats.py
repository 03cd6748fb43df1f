"""Step 8: running averages of the loss and metrics, and the callback that prints them (notebook 04).

Spec: spec/08_stats.md
"""
from lesson9.runner import Callback


class AvgStats:
    """Averages of the loss and of each metric, weighted by batch size."""

    def __init__(self, metrics, in_train: bool):
        raise NotImplementedError("AvgStats.__init__: step 8 (stats), see spec/08_stats.md")

    def reset(self) -> None:
        """Forget everything accumulated."""
        raise NotImplementedError("AvgStats.reset: step 8 (stats), see spec/08_stats.md")

    @property
    def all_stats(self) -> list[float]:
        """The batch-size-weighted sums: loss first, then each metric."""
        raise NotImplementedError("AvgStats.all_stats: step 8 (stats), see spec/08_stats.md")

    @property
    def avg_stats(self) -> list[float]:
        """The averages: loss first, then each metric."""
        raise NotImplementedError("AvgStats.avg_stats: step 8 (stats), see spec/08_stats.md")

    def __repr__(self) -> str:
        raise NotImplementedError("AvgStats.__repr__: step 8 (stats), see spec/08_stats.md")

    def accumulate(self, run) -> None:
        """Add the loss and metrics of run's current batch, weighted by its size."""
        raise NotImplementedError("AvgStats.accumulate: step 8 (stats), see spec/08_stats.md")


class AvgStatsCallback(Callback):
    """Keeps training and validation AvgStats for each epoch and prints them at its end."""

    def __init__(self, metrics):
        raise NotImplementedError("AvgStatsCallback.__init__: step 8 (stats), see spec/08_stats.md")

    def begin_epoch(self) -> None:
        raise NotImplementedError("AvgStatsCallback.begin_epoch: step 8 (stats), see spec/08_stats.md")

    def after_loss(self) -> None:
        raise NotImplementedError("AvgStatsCallback.after_loss: step 8 (stats), see spec/08_stats.md")

    def after_epoch(self) -> None:
        raise NotImplementedError("AvgStatsCallback.after_epoch: step 8 (stats), see spec/08_stats.md")
