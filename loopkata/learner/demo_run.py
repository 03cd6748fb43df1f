"""`loopkata demo`, the child's half: notebook 05's training run, made of a tree's own lesson9 code.

`loopkata.containment.sandbox.run_module` runs `main(args)` in a contained
child. It builds MNIST data with the tree's Dataset, Sampler and DataLoader,
the lesson's model with its `get_model`, a `Learner` and a `Runner` with its
AvgStatsCallback, Recorder and ParamScheduler (lr 0.3 -> 0.6 -> 0.2, cosine,
over 30% / 70%), and fits. Records go over the signed channel as it runs:

* `setup`: what the run is, in words, and how many training batches an epoch has;
* `batch`: one per training batch (the parent shows progress);
* `print`: each line the tree's code prints (AvgStatsCallback's `train: [...]`);
* `schedules`: the four annealing shapes and the combined schedule, made by the tree's schedule module;
* `recorded`: the Recorder's learning rates and losses;
* `problem` or `raised`, when the tree cannot make or finish the run; `done`, last.
"""
from __future__ import annotations

import argparse
import contextlib
import io
from functools import partial
from pathlib import Path

import torch
import torch.nn.functional as F

from loopkata.containment.channel import open_writer
from loopkata.kata.mnist import get_data
from loopkata.kata.paths import use_tree
from loopkata.learner.tree_run import Problem, import_tree, not_written, one_line, where

NEEDED = ("data", "databunch", "loss", "runner", "stats", "schedule")
COMMAND = "loopkata demo"
PCTS, LRS = (0.3, 0.7), (0.3, 0.6, 0.2)  # notebook 05's one-cycle: up a cosine for 30%, down one for 70%
POSITIONS = 101  # points drawn of each schedule


class Lines(io.TextIOBase):
    """stdout for the tree's code: every complete line it prints goes to the parent as a record."""

    def __init__(self, send):
        self.send, self.buffer = send, ""

    def write(self, text: str) -> int:
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            self.send({"kind": "print", "text": line})
        return len(text)


def schedules(schedule) -> dict:
    """Each of the tree's annealers from 2 to 0.5 (sched_no stays at 2), and the combined one-cycle."""
    pos = [i / (POSITIONS - 1) for i in range(POSITIONS)]
    shapes = {name: [float(getattr(schedule, name)(2.0, 0.5)(p)) for p in pos]
              for name in ("sched_lin", "sched_cos", "sched_no", "sched_exp")}
    one_cycle = schedule.combine_scheds(list(PCTS), [schedule.sched_cos(LRS[0], LRS[1]),
                                                     schedule.sched_cos(LRS[1], LRS[2])])
    return {"kind": "schedules", "positions": pos, "shapes": shapes, "one_cycle": [float(one_cycle(p)) for p in pos]}


def demo_run(tree: Path, send, data_path: str | None, epochs: int) -> None:
    modules = import_tree(tree, NEEDED, COMMAND)
    data, databunch, loss, runner, stats, schedule = (modules[m] for m in NEEDED)
    send(schedules(schedule))
    x_train, y_train, x_valid, y_valid = get_data(data_path)
    bs = 512 if len(x_train) > 10_000 else 64  # notebook 05's 512 on the full set; smaller batches on the subset
    train_ds, valid_ds = data.Dataset(x_train, y_train), data.Dataset(x_valid, y_valid)
    train_dl, valid_dl = data.get_dls(train_ds, valid_ds, bs)
    bunch = databunch.DataBunch(train_dl, valid_dl, c=10)
    torch.manual_seed(0)
    learn = databunch.Learner(*databunch.get_model(bunch, lr=LRS[0]), F.cross_entropy, bunch)
    sched = schedule.combine_scheds(list(PCTS), [schedule.sched_cos(LRS[0], LRS[1]), schedule.sched_cos(LRS[1], LRS[2])])
    send({"kind": "setup", "batches": len(train_dl), "epochs": epochs,
          "about": f"{epochs} epochs of the lesson's model (784-50-10) on {len(x_train):,} training and "
                   f"{len(x_valid):,} validation images, batches of {bs}, lr {LRS[0]} -> {LRS[1]} -> {LRS[2]} "
                   f"(cosine, over {PCTS[0]:.0%} / {PCTS[1]:.0%}), as notebook 05"})

    class Progress(runner.Callback):
        _order = 100

        def after_batch(self):
            if self.in_train:
                send({"kind": "batch"})

    run = runner.Runner(cbs=[Progress()], cb_funcs=[partial(stats.AvgStatsCallback, [loss.accuracy]),
                                                    schedule.Recorder, partial(schedule.ParamScheduler, "lr", sched)])
    with contextlib.redirect_stdout(Lines(send)):
        run.fit(epochs, learn)
    recorder = run.recorder
    send({"kind": "recorded", "lrs": [float(lr) for lr in recorder.lrs[-1]],
          "losses": [float(x) for x in recorder.losses]})


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopkata.learner.demo_run")
    parser.add_argument("tree")
    parser.add_argument("--data")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--report-fd", type=int, required=True)
    parser.add_argument("--report-key-fd", type=int, required=True)
    args = parser.parse_args(argv)
    send = open_writer(args.report_key_fd, args.report_fd).send  # before any tree code runs
    tree = Path(args.tree).resolve()
    use_tree(tree)
    torch.set_num_threads(1)
    try:
        demo_run(tree, send, args.data, args.epochs)
    except Problem as e:
        send({"kind": "problem", "text": str(e)})
    except NotImplementedError as e:
        send({"kind": "problem", "text": not_written(e, tree, NEEDED, COMMAND)})
    except (Exception, SystemExit) as e:
        file, line, name = where(e, tree)
        at = f" ({file}, line {line}, in {name})" if file else ""
        send({"kind": "problem", "text": f"your run raised {one_line(e)}{at}"})
    send({"kind": "done"})
    return 0
