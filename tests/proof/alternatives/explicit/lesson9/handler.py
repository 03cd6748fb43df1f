"""The CallbackHandler of lesson 04's first design, and the loop it drives."""
import torch


class Callback:
    """Base callback: every event answers True, meaning 'go on'."""

    def begin_fit(self, learn) -> bool:
        self.learn = learn
        return True

    def after_fit(self) -> bool:
        return True

    def begin_epoch(self, epoch: int) -> bool:
        self.epoch = epoch
        return True

    def begin_validate(self) -> bool:
        return True

    def after_epoch(self) -> bool:
        return True

    def begin_batch(self, xb, yb) -> bool:
        self.xb = xb
        self.yb = yb
        return True

    def after_loss(self, loss) -> bool:
        self.loss = loss
        return True

    def after_backward(self) -> bool:
        return True

    def after_step(self) -> bool:
        return True


class CallbackHandler:
    """Asks every callback at each event; says go on only when all of them agreed."""

    def __init__(self, cbs=None):
        self.callbacks: list[Callback] = [] if cbs is None else list(cbs)
        self.learner = None
        self.is_training = False

    def _ask_every_callback(self, event_name: str, *event_arguments) -> bool:
        every_one_agreed = True
        for callback in self.callbacks:
            answer = getattr(callback, event_name)(*event_arguments)
            if not answer:
                every_one_agreed = False  # and keep asking the others: each must hear the event
        return every_one_agreed

    def begin_fit(self, learn) -> bool:
        self.learner = learn
        learn.stop = False
        self.is_training = True
        return self._ask_every_callback("begin_fit", learn)

    def after_fit(self) -> bool:
        return self._ask_every_callback("after_fit")

    def begin_epoch(self, epoch: int) -> bool:
        callbacks_agreed = self._ask_every_callback("begin_epoch", epoch)
        self.is_training = True
        self.learner.model.train()  # after the callbacks: they may still look at the last validation
        return callbacks_agreed

    def begin_validate(self) -> bool:
        callbacks_agreed = self._ask_every_callback("begin_validate")
        self.is_training = False
        self.learner.model.eval()
        return callbacks_agreed

    def after_epoch(self) -> bool:
        return self._ask_every_callback("after_epoch")

    def begin_batch(self, xb, yb) -> bool:
        return self._ask_every_callback("begin_batch", xb, yb)

    def after_loss(self, loss) -> bool:
        """Every callback sees the loss; backward goes on only in training, with everyone's consent."""
        callbacks_agreed = self._ask_every_callback("after_loss", loss)
        return callbacks_agreed and self.is_training

    def after_backward(self) -> bool:
        return self._ask_every_callback("after_backward")

    def after_step(self) -> bool:
        return self._ask_every_callback("after_step")

    def do_stop(self) -> bool:
        """Return learn.stop, resetting it to False."""
        stop_requested = bool(self.learner.stop)
        self.learner.stop = False
        return stop_requested


def _process_batch(xb, yb, handler: CallbackHandler) -> None:
    learner = handler.learner
    if not handler.begin_batch(xb, yb):
        return
    predictions = learner.model(xb)
    loss = learner.loss_func(predictions, yb)
    if not handler.after_loss(loss):
        return
    loss.backward()
    may_step = handler.after_backward()
    if may_step:
        learner.opt.step()
    may_zero_gradients = handler.after_step()
    if may_zero_gradients:
        learner.opt.zero_grad()


def _run_batches(data_loader, handler: CallbackHandler) -> None:
    for xb, yb in data_loader:
        _process_batch(xb, yb, handler)
        if handler.do_stop():
            break


def fit(epochs: int, learn, cb: CallbackHandler) -> None:
    """Train `learn` for `epochs`, asking the handler `cb` at every step."""
    try:
        if not cb.begin_fit(learn):
            return
        for epoch in range(epochs):
            if not cb.begin_epoch(epoch):
                continue
            _run_batches(learn.data.train_dl, cb)
            if cb.begin_validate():
                with torch.no_grad():
                    _run_batches(learn.data.valid_dl, cb)
            callbacks_want_more = cb.after_epoch()
            stop_still_pending = cb.do_stop()
            if stop_still_pending or not callbacks_want_more:
                break
    finally:
        cb.after_fit()  # also when begin_fit refused, or an exception ends the fit


class TestCallback(Callback):
    """Sets learn.stop once 10 optimiser steps have been taken in the current fit."""

    __test__ = False  # pytest must not collect it

    def begin_fit(self, learn) -> bool:
        super().begin_fit(learn)
        self.steps_taken = 0
        return True

    def after_step(self) -> bool:
        self.steps_taken += 1
        if self.steps_taken == 10:
            self.learn.stop = True
        return True
