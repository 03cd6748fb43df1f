"""Step 6: the CallbackHandler, lesson 04's first design for callbacks (notebook 04).

Spec: spec/06_handler.md
"""
# BEGIN SOLUTION
import torch
# END SOLUTION


class Callback:
    """Every event returns True to let training go on."""

    def begin_fit(self, learn) -> bool:
        # BEGIN SOLUTION
        self.learn = learn
        return True
        # END SOLUTION

    def after_fit(self) -> bool:
        # BEGIN SOLUTION
        return True
        # END SOLUTION

    def begin_epoch(self, epoch: int) -> bool:
        # BEGIN SOLUTION
        self.epoch = epoch
        return True
        # END SOLUTION

    def begin_validate(self) -> bool:
        # BEGIN SOLUTION
        return True
        # END SOLUTION

    def after_epoch(self) -> bool:
        # BEGIN SOLUTION
        return True
        # END SOLUTION

    def begin_batch(self, xb, yb) -> bool:
        # BEGIN SOLUTION
        self.xb, self.yb = xb, yb
        return True
        # END SOLUTION

    def after_loss(self, loss) -> bool:
        # BEGIN SOLUTION
        self.loss = loss
        return True
        # END SOLUTION

    def after_backward(self) -> bool:
        # BEGIN SOLUTION
        return True
        # END SOLUTION

    def after_step(self) -> bool:
        # BEGIN SOLUTION
        return True
        # END SOLUTION


class CallbackHandler:
    """Calls every callback for each event; training goes on only when all of them said True."""

    def __init__(self, cbs=None):
        # BEGIN SOLUTION
        self.cbs = list(cbs) if cbs else []
        # END SOLUTION

    # BEGIN SOLUTION
    def _all(self, event: str, *args) -> bool:
        # a list, not a generator: every callback must run even after one said False
        return all([getattr(cb, event)(*args) for cb in self.cbs])

    # END SOLUTION
    def begin_fit(self, learn) -> bool:
        # BEGIN SOLUTION
        self.learn, self.in_train = learn, True
        learn.stop = False
        return self._all("begin_fit", learn)
        # END SOLUTION

    def after_fit(self) -> bool:
        # BEGIN SOLUTION
        return self._all("after_fit")
        # END SOLUTION

    def begin_epoch(self, epoch: int) -> bool:
        # BEGIN SOLUTION
        self.learn.model.train()
        self.in_train = True
        return self._all("begin_epoch", epoch)
        # END SOLUTION

    def begin_validate(self) -> bool:
        # BEGIN SOLUTION
        self.learn.model.eval()
        self.in_train = False
        return self._all("begin_validate")
        # END SOLUTION

    def after_epoch(self) -> bool:
        # BEGIN SOLUTION
        return self._all("after_epoch")
        # END SOLUTION

    def begin_batch(self, xb, yb) -> bool:
        # BEGIN SOLUTION
        return self._all("begin_batch", xb, yb)
        # END SOLUTION

    def after_loss(self, loss) -> bool:
        """Go on to backward only in training, and only when every callback agrees."""
        # BEGIN SOLUTION
        return self._all("after_loss", loss) and self.in_train
        # END SOLUTION

    def after_backward(self) -> bool:
        # BEGIN SOLUTION
        return self._all("after_backward")
        # END SOLUTION

    def after_step(self) -> bool:
        # BEGIN SOLUTION
        return self._all("after_step")
        # END SOLUTION

    def do_stop(self) -> bool:
        """Return learn.stop and reset it to False."""
        # BEGIN SOLUTION
        try:
            return self.learn.stop
        finally:
            self.learn.stop = False
        # END SOLUTION


# BEGIN SOLUTION
def _one_batch(xb, yb, cb: CallbackHandler) -> None:
    if not cb.begin_batch(xb, yb):
        return
    loss = cb.learn.loss_func(cb.learn.model(xb), yb)
    if not cb.after_loss(loss):
        return
    loss.backward()
    if cb.after_backward():
        cb.learn.opt.step()
    if cb.after_step():
        cb.learn.opt.zero_grad()


def _all_batches(dl, cb: CallbackHandler) -> None:
    for xb, yb in dl:
        _one_batch(xb, yb, cb)
        if cb.do_stop():
            return
# END SOLUTION


def fit(epochs: int, learn, cb: CallbackHandler) -> None:
    """The lesson's training loop, driven by the handler `cb`."""
    # BEGIN SOLUTION
    if not cb.begin_fit(learn):
        return
    for epoch in range(epochs):
        if not cb.begin_epoch(epoch):
            continue
        _all_batches(learn.data.train_dl, cb)
        if cb.begin_validate():
            with torch.no_grad():
                _all_batches(learn.data.valid_dl, cb)
        if cb.do_stop() or not cb.after_epoch():
            break
    cb.after_fit()
    # END SOLUTION


class TestCallback(Callback):
    """Stops training after 10 optimiser steps."""

    __test__ = False  # not a pytest test class, despite its name

    def begin_fit(self, learn) -> bool:
        # BEGIN SOLUTION
        super().begin_fit(learn)
        self.n_iters = 0
        return True
        # END SOLUTION

    def after_step(self) -> bool:
        # BEGIN SOLUTION
        self.n_iters += 1
        if self.n_iters >= 10:
            self.learn.stop = True
        return True
        # END SOLUTION
