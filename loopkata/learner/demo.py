"""`loopkata demo`: notebook 05's training run, made of a tree's own code, with its progress and its plots.

The run happens in a contained child (`loopkata.learner.demo_run`); this side
shows its progress and the stats its AvgStatsCallback prints, as they come,
and draws what it sends back with matplotlib (Agg, files only):

* `schedules.png`: the four annealing shapes of notebook 05 and its combined one-cycle schedule;
* `recorded.png`: the learning rate and the loss the Recorder recorded, batch by batch.
"""
from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from loopkata.containment.sandbox import Limits, run_module, stopped
from loopkata.learner import progress

LIMITS = Limits(wall_seconds=900, memory_mb=4096)  # the course's full MNIST takes a minute or two
SCHEDULES_PNG, RECORDED_PNG = "schedules.png", "recorded.png"


@dataclass
class Shown:
    """What the run sent, as it came."""
    color: bool
    batches: int = 0  # training batches per epoch
    epochs: int = 0
    done: int = 0
    problem: str | None = None
    schedules: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)
    _last: int = -1

    def __call__(self, record: dict) -> None:
        kind = record.get("kind")
        if kind == "setup":
            self.batches, self.epochs = int(record["batches"]), int(record["epochs"])
            print(f"Training: {record['about']}.", flush=True)
        elif kind == "batch":
            self.done += 1
            self._progress()
        elif kind == "print":
            self._clear()
            print(f"  {record['text']}", flush=True)
        elif kind == "schedules":
            self.schedules = record
        elif kind == "recorded":
            self.recorded = record
        elif kind == "problem":
            self.problem = str(record["text"])

    def _progress(self) -> None:
        total = max(1, self.batches * self.epochs)
        percent = 100 * self.done // total
        if sys.stdout.isatty():
            print(f"\r  [{progress.bar(self.done, total, width=30)}] {percent:3d}%", end="", flush=True)
        elif percent // 25 > self._last:  # a pipe gets a line every quarter, not a redrawn bar
            self._last = percent // 25
            print(f"  {percent}% of the training batches done", flush=True)

    def _clear(self) -> None:
        if sys.stdout.isatty():
            print("\r" + " " * 50 + "\r", end="")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def draw(shown: Shown, out: Path) -> list[Path]:
    """The figures, from what the run sent."""
    plt = _pyplot()
    written = []
    if shown.schedules:
        pos = shown.schedules["positions"]
        fig, (shapes, cycle) = plt.subplots(1, 2, figsize=(10, 3.6))
        for name, values in shown.schedules["shapes"].items():
            shapes.plot(pos, values, label=name)
        shapes.set(title="Annealing from 2 to 0.5", xlabel="position in training")
        shapes.legend()
        cycle.plot(pos, shown.schedules["one_cycle"], color="#c44e52")
        cycle.set(title="combine_scheds([0.3, 0.7], 0.3 -> 0.6 -> 0.2)", xlabel="position in training",
                  ylabel="lr")
        fig.tight_layout()
        fig.savefig(out / SCHEDULES_PNG, dpi=100)
        plt.close(fig)
        written.append(out / SCHEDULES_PNG)
    if shown.recorded:
        fig, (lr, loss) = plt.subplots(1, 2, figsize=(10, 3.6))
        lr.plot(shown.recorded["lrs"])
        lr.set(title="Recorder: learning rate", xlabel="training batch")
        loss.plot(shown.recorded["losses"], color="#55a868")
        loss.set(title="Recorder: loss", xlabel="training batch")
        fig.tight_layout()
        fig.savefig(out / RECORDED_PNG, dpi=100)
        plt.close(fig)
        written.append(out / RECORDED_PNG)
    return written


def demo(tree: Path, out: Path, data: str | None, epochs: int, color: bool) -> tuple[list[Path], str | None]:
    """Run the demo on tree; return the figures written and, if it did not finish, why."""
    shown = Shown(color)
    args = [str(tree.resolve()), f"--epochs={epochs}", *([f"--data={Path(data).resolve()}"] if data else [])]
    with tempfile.TemporaryDirectory(prefix="loopkata-demo-") as tmp:
        child = run_module("loopkata.learner.demo_run", args, Path(tmp), LIMITS, on_record=shown)
    shown._clear()
    ended = stopped(child, LIMITS, finished=any(r.get("kind") == "done" for r in child.records))
    out.mkdir(parents=True, exist_ok=True)
    return draw(shown, out), shown.problem or (f"the run stopped: {ended}" if ended else None)
