"""Shared set-up for the spec: fixed seeds, a headless matplotlib, tiny synthetic batches."""
import os
import random
import sys
from types import SimpleNamespace

import pytest
import torch
from hypothesis import settings

from loopkata.testing import fail

# Same tree, same result, every time: no example database, no deadline on a busy machine.
settings.register_profile("kata", database=None, deadline=None, derandomize=True, max_examples=60)
settings.load_profile("kata")

os.environ.setdefault("MPLBACKEND", "Agg")  # plots are drawn, never shown


@pytest.fixture(autouse=True)
def _fixed_seed():
    """Every test starts from the same random state, so a failure repeats; none leaks into the next."""
    torch.manual_seed(0)
    random.seed(0)
    yield
    torch.set_grad_enabled(True)  # code under test that turned gradients off must not fail later tests
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def make_batches(n_batches, bs=4, n_in=6, n_classes=3, last_bs=None):
    """A list of (xb, yb) batches of random inputs and labels; the last may be shorter."""
    sizes = [bs] * n_batches
    if last_bs is not None:
        sizes[-1] = last_bs
    return [(torch.randn(size, n_in), torch.randint(0, n_classes, (size,))) for size in sizes]


def make_learn(n_train=5, n_valid=2, bs=4, n_in=6, n_classes=3, lr=0.1):
    """A learner-shaped namespace (model, opt, loss_func, data) built from torch alone.

    Runner and callback tests use it instead of the tree's own Learner and
    DataLoader, so that each step is judged on its own code.
    """
    model = torch.nn.Sequential(torch.nn.Linear(n_in, 5), torch.nn.ReLU(), torch.nn.Linear(5, n_classes))
    data = SimpleNamespace(
        train_dl=make_batches(n_train, bs, n_in, n_classes),
        valid_dl=make_batches(n_valid, bs, n_in, n_classes),
        c=n_classes,
    )
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    return SimpleNamespace(model=model, opt=opt, loss_func=torch.nn.functional.cross_entropy, data=data)


def instrument(learn, log):
    """Log 'backward', 'step' and 'zero_grad' into `log` as the loop does them."""
    first = next(learn.model.parameters())
    first.register_hook(lambda grad: log.append("backward"))
    step, zero_grad = learn.opt.step, learn.opt.zero_grad

    def logged_step(*args, **kwargs):
        log.append("step")
        return step(*args, **kwargs)

    def logged_zero_grad(*args, **kwargs):
        log.append("zero_grad")
        return zero_grad(*args, **kwargs)

    learn.opt.step, learn.opt.zero_grad = logged_step, logged_zero_grad
    return log


def expect_events(got, expected, call, why):
    """Fail at the first event where `got` and `expected` part ways, showing where that was."""
    __tracebackhide__ = True
    if got == expected:
        return
    k = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
    lines = [call,
             f"  events differ at #{k}: got {got[k] if k < len(got) else '(no more events)'!r}, "
             f"expected {expected[k] if k < len(expected) else '(no more events)'!r}",
             f"  the events just before: {got[max(0, k - 5):k]}",
             f"  {len(got)} events in all, expected {len(expected)}",
             f"  ({why})"]
    fail("\n".join(lines))


def params_of(model):
    """A detached copy of every parameter, to compare with later."""
    return [p.detach().clone() for p in model.parameters()]
