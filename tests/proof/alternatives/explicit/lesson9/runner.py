"""Callbacks that read from their runner, TrainEvalCallback, and the Runner."""
from collections.abc import Iterable
from operator import attrgetter

import torch


def camel2snake(name: str) -> str:
    """Return 'TrainEvalCallback' as 'train_eval_callback'."""
    pieces: list[str] = []
    for position, character in enumerate(name):
        if character.isupper() and position > 0:
            previous_character = name[position - 1]
            next_character = name[position + 1] if position + 1 < len(name) else ""
            ends_a_lower_case_word = previous_character.islower() or previous_character.isdigit()
            starts_a_word_after_capitals = previous_character.isupper() and next_character.islower()
            if ends_a_lower_case_word or starts_a_word_after_capitals:
                pieces.append("_")
        pieces.append(character.lower())
    return "".join(pieces)


def listify(o) -> list:
    """Return `o` as a list: None is [], a str is one item, other iterables are expanded."""
    if o is None:
        return []
    if isinstance(o, (str, bytes)):
        return [o]
    if isinstance(o, Iterable):
        return list(o)  # a new list, also for a list: the caller's stays the caller's
    return [o]


class Callback:
    """Reads every attribute it lacks from the runner it was given."""

    _order = 0

    def set_runner(self, run) -> None:
        self.run = run

    def __getattr__(self, k: str):
        """Look `k` up on the runner; without a runner, raise AttributeError."""
        runner = self.__dict__.get("run")
        if runner is None:
            raise AttributeError(f"{type(self).__name__!r} has no attribute {k!r} and no runner to read it from")
        return getattr(runner, k)

    @property
    def name(self) -> str:
        """The class name without a trailing 'Callback', in snake case."""
        class_name = type(self).__name__
        suffix = "Callback"
        if class_name.endswith(suffix):
            class_name = class_name[: -len(suffix)]
        snake_name = camel2snake(class_name)
        return snake_name if snake_name else "callback"


class TrainEvalCallback(Callback):
    """Puts the model in train or eval mode and counts iterations and fractional epochs."""

    def begin_fit(self) -> None:
        runner = self.run
        runner.n_epochs = 0.0
        runner.n_iter = 0

    def after_batch(self) -> None:
        runner = self.run
        if runner.in_train:
            runner.n_epochs += 1.0 / runner.iters
            runner.n_iter += 1

    def begin_epoch(self) -> None:
        runner = self.run
        runner.n_epochs = runner.epoch
        runner.model.train()
        runner.in_train = True

    def begin_validate(self) -> None:
        runner = self.run
        runner.model.eval()
        runner.in_train = False


class Runner:
    """The training loop as a class, announcing every step to its callbacks."""

    def __init__(self, cbs=None, cb_funcs=None):
        made_callbacks = [callback_factory() for callback_factory in listify(cb_funcs)]
        self.callbacks: list[Callback] = [TrainEvalCallback(), *listify(cbs), *made_callbacks]
        for callback in self.callbacks:
            setattr(self, callback.name, callback)
        self.learn = None
        self.in_train: bool = False
        self.stop: bool = False

    @property
    def opt(self):
        return self.learn.opt

    @property
    def model(self):
        return self.learn.model

    @property
    def loss_func(self):
        return self.learn.loss_func

    @property
    def data(self):
        return self.learn.data

    def one_batch(self, xb, yb) -> None:
        """Forward pass and loss; in training, backward, step and zero_grad; events in between."""
        self.xb = xb
        self.yb = yb
        if self("begin_batch"):
            return
        self.pred = self.model(self.xb)
        if self("after_pred"):
            return
        self.loss = self.loss_func(self.pred, self.yb)
        if self("after_loss"):
            return
        if not self.in_train:
            return
        self.loss.backward()
        if self("after_backward"):
            return
        self.opt.step()
        if self("after_step"):
            return
        self.opt.zero_grad(set_to_none=True)

    def all_batches(self, dl) -> None:
        """Run every batch of `dl` (until run.stop is set), each followed by 'after_batch'."""
        self.iters = len(dl)
        try:
            for xb, yb in dl:
                self.one_batch(xb, yb)
                self("after_batch")
                if self.stop:
                    break
        finally:
            self.stop = False

    def _run_epoch(self) -> None:
        if not self("begin_epoch"):
            self.all_batches(self.data.train_dl)
        with torch.no_grad():
            if not self("begin_validate"):
                self.all_batches(self.data.valid_dl)

    def fit(self, epochs: int, learn) -> None:
        """Train `learn` for `epochs`; 'after_fit' is announced whatever happens."""
        self.epochs = epochs
        self.learn = learn
        for callback in self.callbacks:
            callback.set_runner(self)
        try:
            if self("begin_fit"):
                return
            for epoch in range(epochs):
                self.epoch = epoch
                self._run_epoch()
                if self("after_epoch"):
                    break
        finally:
            self("after_fit")
            self.learn = None

    def __call__(self, cb_name: str) -> bool:
        """Announce `cb_name` to every callback having it, by _order; True if any answered truly."""
        any_said_true = False
        for callback in sorted(self.callbacks, key=attrgetter("_order")):
            event_method = getattr(callback, cb_name, None)
            if event_method is None:
                continue
            if event_method():
                any_said_true = True
        return any_said_true
