"""Step 6: the CallbackHandler, lesson 04's first design for callbacks (notebook 04).

Spec: spec/06_handler.md
"""


class Callback:
    """Every event returns True to let training go on."""

    def begin_fit(self, learn) -> bool:
        raise NotImplementedError("Callback.begin_fit: step 6 (handler), see spec/06_handler.md")

    def after_fit(self) -> bool:
        raise NotImplementedError("Callback.after_fit: step 6 (handler), see spec/06_handler.md")

    def begin_epoch(self, epoch: int) -> bool:
        raise NotImplementedError("Callback.begin_epoch: step 6 (handler), see spec/06_handler.md")

    def begin_validate(self) -> bool:
        raise NotImplementedError("Callback.begin_validate: step 6 (handler), see spec/06_handler.md")

    def after_epoch(self) -> bool:
        raise NotImplementedError("Callback.after_epoch: step 6 (handler), see spec/06_handler.md")

    def begin_batch(self, xb, yb) -> bool:
        raise NotImplementedError("Callback.begin_batch: step 6 (handler), see spec/06_handler.md")

    def after_loss(self, loss) -> bool:
        raise NotImplementedError("Callback.after_loss: step 6 (handler), see spec/06_handler.md")

    def after_backward(self) -> bool:
        raise NotImplementedError("Callback.after_backward: step 6 (handler), see spec/06_handler.md")

    def after_step(self) -> bool:
        raise NotImplementedError("Callback.after_step: step 6 (handler), see spec/06_handler.md")


class CallbackHandler:
    """Calls every callback for each event; training goes on only when all of them said True."""

    def __init__(self, cbs=None):
        raise NotImplementedError("CallbackHandler.__init__: step 6 (handler), see spec/06_handler.md")

    def begin_fit(self, learn) -> bool:
        raise NotImplementedError("CallbackHandler.begin_fit: step 6 (handler), see spec/06_handler.md")

    def after_fit(self) -> bool:
        raise NotImplementedError("CallbackHandler.after_fit: step 6 (handler), see spec/06_handler.md")

    def begin_epoch(self, epoch: int) -> bool:
        raise NotImplementedError("CallbackHandler.begin_epoch: step 6 (handler), see spec/06_handler.md")

    def begin_validate(self) -> bool:
        raise NotImplementedError("CallbackHandler.begin_validate: step 6 (handler), see spec/06_handler.md")

    def after_epoch(self) -> bool:
        raise NotImplementedError("CallbackHandler.after_epoch: step 6 (handler), see spec/06_handler.md")

    def begin_batch(self, xb, yb) -> bool:
        raise NotImplementedError("CallbackHandler.begin_batch: step 6 (handler), see spec/06_handler.md")

    def after_loss(self, loss) -> bool:
        """Go on to backward only in training, and only when every callback agrees."""
        raise NotImplementedError("CallbackHandler.after_loss: step 6 (handler), see spec/06_handler.md")

    def after_backward(self) -> bool:
        raise NotImplementedError("CallbackHandler.after_backward: step 6 (handler), see spec/06_handler.md")

    def after_step(self) -> bool:
        raise NotImplementedError("CallbackHandler.after_step: step 6 (handler), see spec/06_handler.md")

    def do_stop(self) -> bool:
        """Return learn.stop and reset it to False."""
        raise NotImplementedError("CallbackHandler.do_stop: step 6 (handler), see spec/06_handler.md")


def fit(epochs: int, learn, cb: CallbackHandler) -> None:
    """The lesson's training loop, driven by the handler `cb`."""
    raise NotImplementedError("fit: step 6 (handler), see spec/06_handler.md")


class TestCallback(Callback):
    """Stops training after 10 optimiser steps."""

    __test__ = False  # not a pytest test class, despite its name

    def begin_fit(self, learn) -> bool:
        raise NotImplementedError("TestCallback.begin_fit: step 6 (handler), see spec/06_handler.md")

    def after_step(self) -> bool:
        raise NotImplementedError("TestCallback.after_step: step 6 (handler), see spec/06_handler.md")
