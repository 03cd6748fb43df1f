"""Shared set-up for the spec: fixed seeds, a headless matplotlib, tiny synthetic batches."""
import os
import random
import sys
from types import SimpleNamespace

import pytest
import torch
from hypothesis import settings

from loopkata.testing import fail

# Same tree, same result, every time: no example database, no deadline on a busy machine. 30 examples
# catch every bug of tests/proof/zoo.toml as 60 did, at half the time (the properties were most of it).
settings.register_profile("kata", database=None, deadline=None, derandomize=True, max_examples=30)
settings.load_profile("kata")

os.environ.setdefault("MPLBACKEND", "Agg")  # plots are drawn, never shown


def _seed_torch(seed: int) -> None:
    """torch.manual_seed(seed), less its cost here: for each accelerator not started yet it queues the
    seeding with a formatted stack trace, milliseconds per call this deep inside pytest."""
    torch.default_generator.manual_seed(seed)
    if torch.cuda.is_initialized():
        torch.cuda.manual_seed_all(seed)


@pytest.fixture(autouse=True)
def _fixed_seed():
    """Every test starts from the same random state, so a failure repeats; none leaks into the next."""
    _seed_torch(0)
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


def plain_epoch(model, batches, lr, zero_grad=True):
    """One epoch of the plain loop with torch's SGD, the oracle for a loop under test: for each batch,
    forward, cross-entropy, backward and a step, then zero_grad (left out: the gradients add up)."""
    sgd = torch.optim.SGD(model.parameters(), lr=lr)
    for inputs, targets in iter(batches):
        torch.nn.functional.cross_entropy(model(inputs), targets).backward()
        sgd.step()
        if zero_grad:
            sgd.zero_grad()


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


# --- from foundations: torch's own version of a function, put off limits ------------------------

class HandedToTorch(Exception):
    """Raised by a torch function that a test has put off limits, when the code under test calls it."""


def off_limits(monkeypatch, fn, targets):
    """Make each torch function in `targets` raise HandedToTorch until the test ends.

    `targets` holds (owner, attribute, label) triples, e.g. (torch, "logsumexp", "torch.logsumexp");
    an owner without the attribute (another torch version) is passed over. Names that `fn`'s own
    module bound to one of them (`from torch import logsumexp`) are made to raise too. Returns the
    list that collects the label of every such function called, in order.
    """
    called, replaced = [], []
    for owner, attribute, label in targets:
        original = getattr(owner, attribute, None)
        if original is None:
            continue

        def forbidden(*args, _label=label, **kwargs):
            called.append(_label)
            raise HandedToTorch(f"{_label} is off limits in this test")

        replaced.append((original, forbidden))
        monkeypatch.setattr(owner, attribute, forbidden)
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    for name, value in list(vars(module).items()) if module is not None else []:
        for original, forbidden in replaced:
            if value is original:
                monkeypatch.setattr(module, name, forbidden)
    return called


def expect_from_its_parts(run, called, call, parts, page):
    """run() with torch's own versions off limits; fail, naming the one it handed its work to.

    `call` says what was called, `parts` what it should be built from, `page` where the lesson's
    rule is explained. Returns what run() returned.
    """
    __tracebackhide__ = True
    try:
        result = run()
    except Exception:
        if not called:
            raise
        result = None
    if called:
        fail(f"{call} handed its work to {called[0]}\n"
             f"  expected: {parts}\n"
             "  (the lesson builds each of these from its parts before it uses PyTorch's own, and the spec "
             f"holds you to that: see \"From its parts\" on {page})")
    return result
