"""`loopkata compare`, the child's half: one seeded, tiny training run of a tree's lesson9, traced.

`loopkata.containment.sandbox.run_module` runs `main(args)` in a contained
child. It puts the tree first on sys.path (as the pytest plugin does), builds the run from the
tree's own data, loss, runner, stats and schedule modules, and lets a tracing
callback record what it sees after every event. Records go over the sandbox's
signed result channel, not stdout, which the learner's code prints to
(AvgStatsCallback prints every epoch):

* `{"kind": "setup", "about": ...}`: what the run is, in words;
* `{"kind": "event", "event": ..., ...}`: one per event the tracing callback saw;
* `{"kind": "raised", ...}`: the exception that ended the run, if one did;
* `{"kind": "problem", "text": ...}`: one line, when the tree cannot make the run at all;
* `{"kind": "done"}`: last.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch
from torch import nn

from loopkata.containment.channel import open_writer
from loopkata.kata.paths import use_tree
from loopkata.learner.tree_run import Problem, import_tree, not_written, one_line, where

EVENTS = ("begin_fit", "begin_epoch", "begin_batch", "after_pred", "after_loss", "after_backward",
          "after_step", "after_batch", "begin_validate", "after_epoch", "after_fit")
LOSS_EVENTS = ("after_loss", "after_backward", "after_step", "after_batch")  # where run.loss is this batch's
NEEDED = ("data", "loss", "runner", "stats", "schedule")  # the steps the run is made of, in lesson order
COMMAND = "loopkata compare"
EPOCHS, N_IN, N_CLASSES, NH, N_TRAIN, N_VALID, BS = 2, 4, 3, 8, 30, 20, 8
PCTS, LRS = (0.3, 0.7), (0.2, 0.6, 0.1)
TRACER_ORDER = 100  # after every callback of the run, so the tracer sees what they left
MAX_EVENTS = 2000  # the reference sees 72; far past that, the tree is going round in circles
ABOUT = (f"{EPOCHS} epochs of a small MLP on {N_CLASSES} classes, {N_TRAIN} training samples in batches of "
         f"{BS} and {N_VALID} validation samples in batches of {2 * BS}, in order; lr {LRS[0]} -> {LRS[1]} "
         f"(sched_lin) -> {LRS[2]} (sched_cos); gradients accumulated over pairs of batches. A tracer, a "
         f"callback with _order {TRACER_ORDER}, records what the run holds after every event")


class TooManyEvents(Exception):
    """Raised by the tracer to end a run that goes on far longer than the reference's."""


def make_data(modules: dict):
    """Three blobs in 4-D, through the tree's Dataset, Sampler (in order) and DataLoader."""
    data = modules["data"]
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(N_CLASSES, N_IN, generator=g) * 2

    def loader(n: int, bs: int):
        y = torch.randint(0, N_CLASSES, (n,), generator=g)
        x = centres[y] + torch.randn(n, N_IN, generator=g)
        ds = data.Dataset(x, y)
        # no shuffling: a different order would be a divergence that is not the learner's
        return data.DataLoader(ds, data.Sampler(ds, bs, shuffle=False))

    return loader(N_TRAIN, BS), loader(N_VALID, 2 * BS)


class Holder:
    """The Learner and DataBunch the Runner reads, ours: compare does not need step 5."""

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


def number(x):
    """A JSON-friendly value: a float from a one-element tensor, lists item by item."""
    if isinstance(x, torch.Tensor):
        return float(x.detach()) if x.numel() == 1 else repr(x)[:80]
    if isinstance(x, (list, tuple)):
        return [number(v) for v in x]
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    return repr(x)[:80]


def read(get):
    """get(), or a note saying that reading it raised: the learner's objects may be half-built."""
    try:
        return number(get())
    except Exception as e:
        return f"(reading it raised {type(e).__name__})"


def make_callbacks(Callback: type, send, opt, made: dict) -> list:
    """The tracer, and a callback that makes gradients accumulate over pairs of batches.

    `made` will hold the AvgStatsCallback once the Runner has called its cb_funcs.
    """

    class GradAccumulationCallback(Callback):
        _order = 50

        def after_step(self):
            # a True skips zero_grad: the next batch's gradients add to these. It also tells
            # a Runner that returns at the first True from one that calls every callback
            return self.n_iter % 2 == 0

    class TraceCallback(Callback):
        _order = TRACER_ORDER
        _run = None  # a class attribute: the learner's __getattr__ must not be asked for it

        def __init__(self):
            self.count, self.in_valid, self.accumulated = 0, False, set()

        def set_runner(self, run) -> None:
            self._run = run
            super().set_runner(run)

        def record(self, event: str) -> None:
            self.count += 1
            if self.count > MAX_EVENTS:
                raise TooManyEvents(f"stopped by loopkata after {MAX_EVENTS} events")
            run = self._run
            if event == "begin_epoch":
                self.in_valid, self.accumulated = False, set()
            elif event == "begin_validate":
                self.in_valid = True
            phase = "valid" if self.in_valid else "train"
            entry = {"kind": "event", "event": event}
            for name in ("epoch", "in_train", "n_iter", "n_epochs"):
                entry[name] = read(lambda: getattr(run, name, None))
            entry["lr"] = read(lambda: [pg["lr"] for pg in opt.param_groups])
            if event in LOSS_EVENTS:
                entry["loss"] = read(lambda: getattr(run, "loss", None))
            if event == "after_loss":
                self.accumulated.add(phase)
            # only once a phase has accumulated something: what avg_stats gives before is left open
            for which in sorted(self.accumulated):
                if "avg_stats" not in made:
                    entry[f"{which}_stats"] = "(no AvgStatsCallback: cb_funcs were not called)"
                    continue
                entry[f"{which}_stats"] = read(lambda: getattr(made["avg_stats"], f"{which}_stats").avg_stats)
            send(entry)

    for event in EVENTS:
        setattr(TraceCallback, event, lambda self, event=event: self.record(event))
    return [GradAccumulationCallback(), TraceCallback()]


def traced_run(tree: Path, send) -> None:
    """Build the run from the tree's modules and fit it, sending a record per event."""
    modules = import_tree(tree, NEEDED, COMMAND)
    loss, runner, stats, schedule = (modules[m] for m in ("loss", "runner", "stats", "schedule"))
    train_dl, valid_dl = make_data(modules)
    torch.manual_seed(1)  # the same weights in both runs, whatever the tree's code did with the RNG
    model = nn.Sequential(nn.Linear(N_IN, NH), nn.ReLU(), nn.Linear(NH, N_CLASSES))
    opt = torch.optim.SGD(model.parameters(), lr=LRS[0])
    data = Holder(train_dl=train_dl, valid_dl=valid_dl, c=N_CLASSES)
    learn = Holder(model=model, opt=opt, loss_func=loss.cross_entropy, data=data)
    made: dict = {}

    def avg_stats():
        made["avg_stats"] = stats.AvgStatsCallback([loss.accuracy])
        return made["avg_stats"]

    def param_scheduler():
        sched = schedule.combine_scheds(list(PCTS), [schedule.sched_lin(LRS[0], LRS[1]),
                                                     schedule.sched_cos(LRS[1], LRS[2])])
        return schedule.ParamScheduler("lr", sched)

    # the lesson's callbacks made by the Runner, as notebook 05 does: so an unwritten step shows
    # up in lesson order (runner, stats, schedule). Ours go in cbs: registered before the ones
    # made, they run last only when the Runner sorts by _order
    run = runner.Runner(cbs=make_callbacks(runner.Callback, send, opt, made),
                        cb_funcs=[avg_stats, schedule.Recorder, param_scheduler])
    run.fit(EPOCHS, learn)


def event_of(exc: BaseException, tree: Path) -> str | None:
    """The event whose callback method raised, if a method of the tree named after one did."""
    event = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in EVENTS and Path(code.co_filename).resolve().is_relative_to(tree):
            event = code.co_name
        tb = tb.tb_next
    return event


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopkata.learner.traced_run")
    parser.add_argument("tree", help="a folder holding lesson9/")
    parser.add_argument("--report-fd", type=int, required=True)
    parser.add_argument("--report-key-fd", type=int, required=True)
    args = parser.parse_args(argv)
    send = open_writer(args.report_key_fd, args.report_fd).send  # before any tree code runs
    tree = Path(args.tree).resolve()
    use_tree(tree)
    send({"kind": "setup", "about": ABOUT})
    try:
        traced_run(tree, send)
    except Problem as e:
        send({"kind": "problem", "text": str(e)})
    except NotImplementedError as e:
        send({"kind": "problem", "text": not_written(e, tree, NEEDED, COMMAND)})
    except (Exception, SystemExit) as e:  # SystemExit: a sys.exit() in the tree ends the run, not us
        file, line, name = where(e, tree)
        send({"kind": "raised", "error": one_line(e), "file": file, "line": line, "function": name,
              "event": event_of(e, tree)})
    send({"kind": "done"})
    return 0
