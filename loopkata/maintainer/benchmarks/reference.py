"""The reference tree against what it stands in for: torch's DataLoader, and a loop written by hand.

Each function times one pass and returns seconds; `__main__` takes medians.
Everything runs in this process, on one thread, as the grader's children do.
"""
from __future__ import annotations

import contextlib
import io
import sys
import time
from functools import partial

import torch
import torch.nn.functional as F
import torch.utils.data as tud
from torch import nn

from loopkata.kata import paths
from loopkata.kata.mnist import get_data

N_IMAGES, BS = 20_000, 64


def _reference():
    """The reference's lesson9 modules (imported from solutions/)."""
    paths.use_tree(paths.reference_tree())
    import lesson9.data
    import lesson9.databunch
    import lesson9.loss
    import lesson9.runner
    import lesson9.schedule
    import lesson9.stats

    return sys.modules["lesson9"]


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def dataloaders():
    """(time of a pass of the reference's DataLoader, of torch's), bs 64, shuffled, 20,000 images."""
    lesson9 = _reference()
    torch.set_num_threads(1)
    x = torch.rand(N_IMAGES, 784)
    y = torch.randint(0, 10, (N_IMAGES,))
    ds = lesson9.data.Dataset(x, y)
    ours = lesson9.data.DataLoader(ds, lesson9.data.Sampler(ds, BS, shuffle=True))
    theirs = tud.DataLoader(tud.TensorDataset(x, y), batch_size=BS, shuffle=True)

    def one_pass(dl):
        for _ in dl:
            pass

    return lambda: _timed(lambda: one_pass(ours)), lambda: _timed(lambda: one_pass(theirs))


def training_epochs(epochs: int = 16):
    """(time of `epochs` one-epoch fits with Runner, AvgStatsCallback, Recorder and ParamScheduler, of a
    loop written by hand doing the same work), on the shipped MNIST subset, bs 64."""
    lesson9 = _reference()
    torch.set_num_threads(1)
    x_train, y_train, x_valid, y_valid = get_data()
    sched = lesson9.schedule.combine_scheds(
        [0.3, 0.7], [lesson9.schedule.sched_lin(0.3, 0.6), lesson9.schedule.sched_cos(0.6, 0.2)])

    def loaders():
        data = lesson9.data
        train, valid = data.Dataset(x_train, y_train), data.Dataset(x_valid, y_valid)
        return data.DataLoader(train, data.Sampler(train, BS)), data.DataLoader(valid, data.Sampler(valid, 2 * BS))

    def model_and_opt():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))
        return model, torch.optim.SGD(model.parameters(), lr=0.3)

    def with_runner() -> None:
        model, opt = model_and_opt()
        learn = lesson9.databunch.Learner(model, opt, F.cross_entropy, lesson9.databunch.DataBunch(*loaders(), 10))
        run = lesson9.runner.Runner(cb_funcs=[partial(lesson9.stats.AvgStatsCallback, [lesson9.loss.accuracy]),
                                              lesson9.schedule.Recorder,
                                              partial(lesson9.schedule.ParamScheduler, "lr", sched)])
        with contextlib.redirect_stdout(io.StringIO()):
            run.fit(1, learn)

    def by_hand() -> None:
        model, opt = model_and_opt()
        train_dl, valid_dl = loaders()
        lrs, losses, accuracy = [], [], lesson9.loss.accuracy
        model.train()
        total, count = [0.0, 0.0], 0
        for i, (xb, yb) in enumerate(train_dl):
            for pg in opt.param_groups:
                pg["lr"] = sched(i / len(train_dl))
            pred = model(xb)
            loss = F.cross_entropy(pred, yb)
            total[0] += float(loss.detach()) * len(xb)
            total[1] += float(accuracy(pred, yb)) * len(xb)
            count += len(xb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            lrs.append(opt.param_groups[0]["lr"])
            losses.append(loss.detach().cpu())
        model.eval()
        total, count = [0.0, 0.0], 0
        with torch.no_grad():
            for xb, yb in valid_dl:
                pred = model(xb)
                total[0] += float(F.cross_entropy(pred, yb)) * len(xb)
                total[1] += float(accuracy(pred, yb)) * len(xb)
                count += len(xb)

    def repeated(fit):
        return lambda: _timed(lambda: [fit() for _ in range(epochs)])

    return repeated(with_runner), repeated(by_hand)
