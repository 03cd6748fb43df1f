"""End to end: the tree's own pieces train the lesson's MLP on real MNIST digits (spec/integration.md).

One run, shared by the tests below: 4,000 training and 1,000 validation images
shipped with loopkata, the tree's Dataset, get_dls, DataBunch, get_model,
Learner and cross_entropy, and a Runner with Recorder, AvgStatsCallback and a
one-cycle ParamScheduler, as at the end of notebook 05. The reference reaches
0.90-0.92 validation accuracy on every seed tried (200 of them); the bar is 0.85.
"""
import contextlib
import io
import math
from functools import partial
from types import SimpleNamespace

import pytest
import torch

from loopkata.kata.mnist import get_data
from loopkata.testing import fail, under_test

pytestmark = [pytest.mark.step("integration"), pytest.mark.timeout(180)]

data_mod = under_test("data")
databunch = under_test("databunch")
loss = under_test("loss")
runner = under_test("runner")
stats = under_test("stats")
schedule = under_test("schedule")

EPOCHS, BS = 3, 64
LR_START, LR_HIGH, LR_END = 0.3, 0.6, 0.2
MIN_VALID_ACCURACY = 0.85


@pytest.fixture(scope="module")
def trained():
    """Train once for the whole module; every test below reads this run."""
    torch.manual_seed(0)
    x_train, y_train, x_valid, y_valid = get_data()
    train_ds, valid_ds = data_mod.Dataset(x_train, y_train), data_mod.Dataset(x_valid, y_valid)
    data = databunch.DataBunch(*data_mod.get_dls(train_ds, valid_ds, BS), c=10)
    learn = databunch.Learner(*databunch.get_model(data, lr=LR_START), loss.cross_entropy, data)
    sched = schedule.combine_scheds([0.3, 0.7], schedule.cos_1cycle_anneal(LR_START, LR_HIGH, LR_END))
    run = runner.Runner(cb_funcs=[
        schedule.Recorder,
        partial(stats.AvgStatsCallback, [loss.accuracy]),
        partial(schedule.ParamScheduler, "lr", sched),
    ])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        run.fit(EPOCHS, learn)
    return SimpleNamespace(run=run, printed=printed.getvalue(), iters=len(data.train_dl), learn=learn)


def test_validation_accuracy_clears_the_bar(trained):
    valid = trained.run.avg_stats.valid_stats.avg_stats
    if len(valid) != 2 or not (valid[1] >= MIN_VALID_ACCURACY):
        fail(f"after run.fit({EPOCHS}, learn) on the MNIST subset, "
             f"run.avg_stats.valid_stats.avg_stats is {valid}\n"
             f"  expected [loss, accuracy] with accuracy >= {MIN_VALID_ACCURACY} "
             "(the reference reaches 0.90-0.92 on any seed)")


def test_every_training_batch_is_counted(trained):
    expected = EPOCHS * trained.iters
    if trained.run.n_iter != expected:
        fail(f"after run.fit({EPOCHS}, learn) with {trained.iters} training batches per epoch, "
             f"run.n_iter is {trained.run.n_iter}; expected {expected}")
    if not math.isclose(trained.run.n_epochs, EPOCHS, abs_tol=1e-6):
        fail(f"after run.fit({EPOCHS}, learn), run.n_epochs is {trained.run.n_epochs}; expected {EPOCHS}")


def test_recorder_saw_the_one_cycle_schedule(trained):
    lrs = trained.run.recorder.lrs[-1]
    n = EPOCHS * trained.iters
    if len(lrs) != n:
        fail(f"run.recorder.lrs[-1] holds {len(lrs)} values; expected one per training batch, {n}")
    peak = max(range(n), key=lambda i: lrs[i])
    checks = [
        (abs(lrs[0] - LR_START) < 1e-6, f"the first lr is {lrs[0]:.4g}, expected {LR_START}"),
        (abs(lrs[peak] - LR_HIGH) < 0.01, f"the highest lr is {lrs[peak]:.4g}, expected about {LR_HIGH}"),
        (abs(peak / n - 0.3) < 0.02, f"the lr peaks at {peak / n:.0%} of training, expected at 30%"),
        (abs(lrs[-1] - LR_END) < 0.01, f"the last lr is {lrs[-1]:.4g}, expected about {LR_END}"),
    ]
    for ok, message in checks:
        if not ok:
            fail(f"ParamScheduler('lr', combine_scheds([0.3, 0.7], cos_1cycle_anneal(0.3, 0.6, 0.2))): {message}")


def test_training_loss_goes_down(trained):
    losses = [float(x) for x in trained.run.recorder.losses]
    tenth = max(1, len(losses) // 10)
    first, last = sum(losses[:tenth]) / tenth, sum(losses[-tenth:]) / tenth
    if not last < first / 3:
        fail(f"run.recorder.losses: the first tenth averages {first:.3f}, the last tenth {last:.3f}; "
             "expected the loss to fall to well under a third")


def test_stats_are_printed_every_epoch(trained):
    lines = [line for line in trained.printed.splitlines() if line.strip()]
    expected = ["train", "valid"] * EPOCHS
    if [line.split(":")[0] for line in lines] != expected:
        fail(f"run.fit({EPOCHS}, learn) printed:\n{trained.printed}\n"
             f"expected {EPOCHS} pairs of lines 'train: [...]' and 'valid: [...]'")


def test_runner_lets_go_of_the_learner(trained):
    if trained.run.learn is not None:
        fail(f"after run.fit, run.learn is {trained.run.learn!r}; expected None")
