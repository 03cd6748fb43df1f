"""Step 7: callbacks that see everything, and the Runner that calls them (notebook 04).

Spec: spec/07_runner.md
"""
# BEGIN SOLUTION
import re
from collections.abc import Iterable

import torch

_camel_re1 = re.compile("(.)([A-Z][a-z]+)")
_camel_re2 = re.compile("([a-z0-9])([A-Z])")
# END SOLUTION


def camel2snake(name: str) -> str:
    """Return 'TrainEvalCallback' as 'train_eval_callback'."""
    # BEGIN SOLUTION
    s1 = _camel_re1.sub(r"\1_\2", name)
    return _camel_re2.sub(r"\1_\2", s1).lower()
    # END SOLUTION


def listify(o) -> list:
    """None -> [], a list -> itself, a str -> [o], other iterables -> list(o), else [o]."""
    # BEGIN SOLUTION
    if o is None:
        return []
    if isinstance(o, list):
        return o
    if isinstance(o, str):  # a str is iterable, but one name is one item
        return [o]
    if isinstance(o, Iterable):
        return list(o)
    return [o]
    # END SOLUTION


class Callback:
    """A callback reads whatever it does not have from its runner."""

    _order = 0

    def set_runner(self, run) -> None:
        # BEGIN SOLUTION
        self.run = run
        # END SOLUTION

    def __getattr__(self, k: str):
        """Read an attribute the callback does not have from the runner."""
        # BEGIN SOLUTION
        # __getattr__ runs only when normal lookup fails; without a runner, looking up
        # self.run would land here again and recurse forever
        if k == "run":
            raise AttributeError(f"{type(self).__name__} has no runner yet (set_runner was not called)")
        return getattr(self.run, k)
        # END SOLUTION

    @property
    def name(self) -> str:
        """The class name without 'Callback', in snake case."""
        # BEGIN SOLUTION
        name = re.sub(r"Callback$", "", type(self).__name__)
        return camel2snake(name or "callback")
        # END SOLUTION


class TrainEvalCallback(Callback):
    """Switches train/eval mode and counts iterations and (fractional) epochs."""

    def begin_fit(self) -> None:
        # BEGIN SOLUTION
        self.run.n_epochs = 0.0
        self.run.n_iter = 0
        # END SOLUTION

    def after_batch(self) -> None:
        # BEGIN SOLUTION
        if not self.in_train:
            return
        self.run.n_epochs += 1.0 / self.iters
        self.run.n_iter += 1
        # END SOLUTION

    def begin_epoch(self) -> None:
        # BEGIN SOLUTION
        self.run.n_epochs = self.epoch
        self.model.train()
        self.run.in_train = True
        # END SOLUTION

    def begin_validate(self) -> None:
        # BEGIN SOLUTION
        self.model.eval()
        self.run.in_train = False
        # END SOLUTION


class Runner:
    """The training loop: fit, all_batches, one_batch, and run('event') for the callbacks."""

    def __init__(self, cbs=None, cb_funcs=None):
        # BEGIN SOLUTION
        made = [cb_func() for cb_func in listify(cb_funcs)]
        # a new list: listify returns the caller's own list, which must not grow
        self.cbs = [TrainEvalCallback()] + list(listify(cbs)) + made
        for cb in self.cbs:
            setattr(self, cb.name, cb)
        self.stop, self.in_train, self.learn = False, False, None
        self._handlers = {}  # event name -> the callbacks' methods for it, by _order (see __call__)
        # END SOLUTION

    @property
    def opt(self):
        # BEGIN SOLUTION
        return self.learn.opt
        # END SOLUTION

    @property
    def model(self):
        # BEGIN SOLUTION
        return self.learn.model
        # END SOLUTION

    @property
    def loss_func(self):
        # BEGIN SOLUTION
        return self.learn.loss_func
        # END SOLUTION

    @property
    def data(self):
        # BEGIN SOLUTION
        return self.learn.data
        # END SOLUTION

    def one_batch(self, xb, yb) -> None:
        """Forward, loss, and in training backward, step and zero_grad, with events between."""
        # BEGIN SOLUTION
        self.xb, self.yb = xb, yb
        if self("begin_batch"):
            return
        self.pred = self.model(self.xb)
        if self("after_pred"):
            return
        self.loss = self.loss_func(self.pred, self.yb)
        if self("after_loss") or not self.in_train:
            return
        self.loss.backward()
        if self("after_backward"):
            return
        self.opt.step()
        if self("after_step"):
            return
        self.opt.zero_grad()
        # END SOLUTION

    def all_batches(self, dl) -> None:
        """Run one_batch and 'after_batch' on every batch of `dl` until run.stop is set."""
        # BEGIN SOLUTION
        self.iters = len(dl)
        for xb, yb in dl:
            if self.stop:
                break
            self.one_batch(xb, yb)
            self("after_batch")
        self.stop = False
        # END SOLUTION

    def fit(self, epochs: int, learn) -> None:
        """Train `learn` for `epochs`, validating after each; after_fit runs whatever happens."""
        # BEGIN SOLUTION
        self.epochs, self.learn = epochs, learn
        try:
            for cb in self.cbs:
                cb.set_runner(self)
            if self("begin_fit"):
                return
            for epoch in range(epochs):
                self.epoch = epoch
                if not self("begin_epoch"):
                    self.all_batches(self.data.train_dl)
                with torch.no_grad():
                    if not self("begin_validate"):
                        self.all_batches(self.data.valid_dl)
                if self("after_epoch"):
                    break
        finally:
            self("after_fit")
            self.learn = None
        # END SOLUTION

    def __call__(self, cb_name: str) -> bool:
        """Call `cb_name` on every callback that has it, by _order; True if any returned True."""
        # BEGIN SOLUTION
        if cb_name not in self._handlers:
            # found once per event, not on every call: a callback without the event would otherwise
            # ask the runner for it through __getattr__, every batch, for nothing
            by_order = sorted(self.cbs, key=lambda cb: cb._order)  # sorted is stable: ties keep order
            self._handlers[cb_name] = [f for cb in by_order if (f := getattr(cb, cb_name, None)) is not None]
        res = False
        for f in self._handlers[cb_name]:
            # every callback runs, even after one said True (the lesson returned early here)
            if f():
                res = True
        return res
        # END SOLUTION
