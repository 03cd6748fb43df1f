"""Spec of step 6: Callback, CallbackHandler, fit and TestCallback, the lesson's first design (spec/06_handler.md)."""
import copy

import pytest
import torch

from conftest import expect_events, instrument, make_learn, params_of, plain_epoch
from loopkata.testing import expect_close, expect_equal, fail, mismatch, under_test

pytestmark = pytest.mark.step("handler")
handler = under_test("handler")

EVENTS = ("begin_fit", "after_fit", "begin_epoch", "begin_validate", "after_epoch",
          "begin_batch", "after_loss", "after_backward", "after_step")
ALL = None  # in Recorder(no=...): say False at every occurrence of the event

# What the lesson's loop does for one batch, with the optimiser's work logged between the events.
TRAIN_BATCH = ["begin_batch", "after_loss", "backward", "after_backward", "step", "after_step", "zero_grad"]
VALID_BATCH = ["begin_batch", "after_loss"]


# --- a recording callback and an instrumented learner, written without the tree's Callback ----

class Recorder:
    """A callback for the handler that logs every event it gets and answers True, except where told.

    `no` maps an event to the occurrences (0 = the first) at which to answer False, or to ALL;
    `act` maps an event to a function called with (recorder, occurrence) before answering.
    """

    def __init__(self, log=None, no=None, act=None, tag=None):
        self.log = [] if log is None else log
        self.no, self.act, self.tag = no or {}, act or {}, tag
        self.counts, self.args = {}, []

    def _event(self, event, *args):
        n = self.counts.get(event, 0)
        self.counts[event] = n + 1
        self.log.append(event if self.tag is None else (self.tag, event))
        self.args.append((event, args))
        if event in self.act:
            self.act[event](self, n)
        occurrences = self.no.get(event, ())
        return not (event in self.no and (occurrences is ALL or n in occurrences))

    @property
    def learn(self):
        """The learner of the last begin_fit (None before any)."""
        return next((args[0] for event, args in reversed(self.args) if event == "begin_fit"), None)

    def begin_fit(self, learn):
        return self._event("begin_fit", learn)

    def after_fit(self):
        return self._event("after_fit")

    def begin_epoch(self, epoch):
        return self._event("begin_epoch", epoch)

    def begin_validate(self):
        return self._event("begin_validate")

    def after_epoch(self):
        return self._event("after_epoch")

    def begin_batch(self, xb, yb):
        return self._event("begin_batch", xb, yb)

    def after_loss(self, loss):
        return self._event("after_loss", loss)

    def after_backward(self):
        return self._event("after_backward")

    def after_step(self):
        return self._event("after_step")


def epoch_events(n_train, n_valid, train=True, validate=True, after_epoch=True):
    events = ["begin_epoch"]
    if train:
        events += TRAIN_BATCH * n_train
    events += ["begin_validate"]
    if validate:
        events += VALID_BATCH * n_valid
    return events + (["after_epoch"] if after_epoch else [])


def fit_events(epochs, n_train, n_valid):
    return ["begin_fit", *epoch_events(n_train, n_valid) * epochs, "after_fit"]


def logged_handler(cbs, log, spy=None):
    """The tree's CallbackHandler over `cbs`, logging into `log` every event the loop asks it about.

    This is the loop's log (what fit, and its batch loops, ask the handler), whatever the handler
    then does with its callbacks: how it calls them has tests of its own. `spy(event, args)`, when
    given, sees each event first.
    """
    cbh = handler.CallbackHandler(cbs)
    for event in EVENTS:
        ask = getattr(cbh, event)

        def asked(*args, _event=event, _ask=ask):
            log.append(_event)
            if spy is not None:
                spy(_event, args)
            return _ask(*args)

        setattr(cbh, event, asked)
    return cbh


def run_fit(epochs, learn, cbs, spy=None):
    """fit(epochs, learn, handler over cbs); the events it asked the handler, with the optimiser's work between."""
    log = instrument(learn, [])
    handler.fit(epochs, learn, logged_handler(cbs, log, spy))
    return log


# --- Callback ---------------------------------------------------------------------------------

def test_callback_says_go_on_at_every_event():
    learn = make_learn()
    xb, yb = learn.data.train_dl[0]
    cb = handler.Callback()
    calls = [("begin_fit(learn)", lambda: cb.begin_fit(learn)), ("begin_epoch(0)", lambda: cb.begin_epoch(0)),
             ("begin_batch(xb, yb)", lambda: cb.begin_batch(xb, yb)),
             ("after_loss(loss)", lambda: cb.after_loss(torch.tensor(1.5))),
             ("after_backward()", cb.after_backward), ("after_step()", cb.after_step),
             ("begin_validate()", cb.begin_validate), ("after_epoch()", cb.after_epoch),
             ("after_fit()", cb.after_fit)]
    for text, call in calls:
        expect_equal(call(), True, f"Callback().{text}", "the contract: every event of the base Callback returns True")


# --- CallbackHandler, event by event ------------------------------------------------------------

ARGS = {"begin_fit": "learn", "begin_epoch": "epoch", "begin_batch": "batch", "after_loss": "loss"}


def call_event(cbh, event, learn):
    """Call `event` on the handler with the arguments it takes."""
    xb, yb = learn.data.train_dl[0]
    args = {"learn": (learn,), "epoch": (0,), "batch": (xb, yb), "loss": (torch.tensor(0.5),)}
    return getattr(cbh, event)(*args.get(ARGS.get(event), ()))


def handler_ready_for(cbs, learn, event):
    """A handler where the loop would ask `event`, callbacks' logs cleared.

    It has begun a fit and an epoch (unless `event` is one of those), and before after_fit a
    validation too: the lesson's fit ends with a validation, and its after_fit starts from
    `not self.in_train` (what that costs has a test of its own).
    """
    cbh = handler.CallbackHandler(cbs)
    if event != "begin_fit":
        cbh.begin_fit(learn)
    if event not in ("begin_fit", "begin_epoch"):
        cbh.begin_epoch(0)
    if event == "after_fit":
        cbh.begin_validate()
    for cb in cbs:
        cb.log.clear()
    return cbh


def test_handler_calls_every_callback_even_after_a_false():
    learn = make_learn()
    missed = []
    for event in EVENTS:
        first, second = Recorder(no={event: ALL}), Recorder()
        call_event(handler_ready_for([first, second], learn, event), event, learn)
        if second.log != [event]:
            missed.append(event)
    if missed:
        fail("CallbackHandler([first, second]).<event>(...), where first.<event> returns False:\n"
             f"  the second callback was not called for {missed}\n"
             "  expected: it is called for every one of the nine events\n"
             "  (the contract: the handler calls every callback, no short-circuit; the notebook's "
             "`res = res and cb.event(...)` skips the rest as soon as one says False)")


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("false_one", [0, 1], ids=["first_says_false", "second_says_false"])
def test_handler_goes_on_only_when_every_callback_says_true(event, false_one):
    learn = make_learn()
    cbs = [Recorder(), Recorder()]
    cbs[false_one].no = {event: ALL}
    cbh = handler_ready_for(cbs, learn, event)
    got = call_event(cbh, event, learn)
    if got:
        mismatch(f"CallbackHandler([...]).{event}(...), where callback #{false_one} of 2 returns False",
                 got, False, "the contract: training goes on only when every callback said True")


@pytest.mark.parametrize("event", EVENTS)
def test_handler_goes_on_when_every_callback_says_true(event):
    learn = make_learn()
    cbh = handler_ready_for([Recorder(), Recorder()], learn, event)
    got = call_event(cbh, event, learn)
    if not got:
        mismatch(f"CallbackHandler([two callbacks that return True]).{event}(...) during training",
                 got, True, "the contract: the handler goes on when every callback said True")


def test_handler_without_callbacks_goes_on():
    learn = make_learn()
    for cbh, text in ((handler.CallbackHandler(), "CallbackHandler()"),
                      (handler.CallbackHandler(None), "CallbackHandler(None)")):
        got = cbh.begin_fit(learn) and cbh.begin_epoch(0) and cbh.begin_batch(*learn.data.train_dl[0])
        if not got:
            mismatch(f"{text}.begin_fit / begin_epoch / begin_batch", got, True,
                     "with no callbacks, nobody says False")


def test_after_loss_stops_before_backward_in_validation():
    learn = make_learn()
    cbh = handler.CallbackHandler([Recorder()])
    cbh.begin_fit(learn)
    cbh.begin_epoch(0)
    cbh.begin_validate()
    got = cbh.after_loss(torch.tensor(0.5))
    if got:
        mismatch("CallbackHandler([a callback that returns True]): begin_fit, begin_epoch, begin_validate, "
                 "then after_loss(loss)", got, False,
                 "the lesson's after_loss lets backward happen only in training")


def test_after_loss_reaches_the_callbacks_in_validation():
    learn = make_learn()
    rec = Recorder()
    cbh = handler.CallbackHandler([rec])
    cbh.begin_fit(learn)
    cbh.begin_validate()
    loss = torch.tensor(0.25)
    cbh.after_loss(loss)
    got = [args for event, args in rec.args if event == "after_loss"]
    if len(got) != 1 or got[0][0] is not loss:
        mismatch("CallbackHandler([rec]).after_loss(loss) after begin_validate(); the calls rec.after_loss got",
                 got, [(loss,)], "the contract: every callback is called, in validation too "
                 "(the lesson's `res = self.in_train` short-circuit skipped them all)")


def test_handler_hands_every_callback_the_events_arguments():
    learn = make_learn()
    recs = [Recorder(), Recorder()]
    cbh = handler.CallbackHandler(recs)
    xb, yb = learn.data.train_dl[0]
    loss = torch.tensor(0.5)
    cbh.begin_fit(learn)
    cbh.begin_epoch(3)
    cbh.begin_batch(xb, yb)
    cbh.after_loss(loss)
    expected = {"begin_fit": (learn,), "begin_epoch": (3,), "begin_batch": (xb, yb), "after_loss": (loss,)}
    for i, rec in enumerate(recs):
        for event, args in rec.args:
            want = expected.get(event, args)
            if len(args) != len(want) or any(a is not w for a, w in zip(args, want)):
                mismatch(f"CallbackHandler([rec0, rec1]): begin_fit(learn), begin_epoch(3), begin_batch(xb, yb), "
                         f"after_loss(loss); the arguments rec{i}.{event} got", args, want,
                         "the handler calls each event on every callback with the arguments it was given")


def test_begin_fit_clears_learn_stop():
    learn = make_learn()
    learn.stop = True
    handler.CallbackHandler([Recorder()]).begin_fit(learn)
    expect_equal(getattr(learn, "stop", "(not set)"), False,
                 "learn.stop = True; CallbackHandler([...]).begin_fit(learn); learn.stop",
                 "the lesson: begin_fit sets learn.stop = False, so an old stop never ends a new fit")


def test_do_stop_returns_stop_and_resets_it():
    learn = make_learn()
    cbh = handler.CallbackHandler([Recorder()])
    cbh.begin_fit(learn)
    learn.stop = True
    expect_equal(cbh.do_stop(), True, "learn.stop = True; cbh.do_stop()", "do_stop returns learn.stop")
    expect_equal(learn.stop, False, "learn.stop after cbh.do_stop()", "do_stop resets learn.stop to False")
    expect_equal(cbh.do_stop(), False, "cbh.do_stop() a second time", "the first call reset learn.stop")


# --- fit: the lesson's loop, driven by the handler ----------------------------------------------

def test_fit_without_callbacks_trains_like_the_plain_loop():
    learn = make_learn(n_train=4, n_valid=2)
    expected = copy.deepcopy(learn.model)
    plain_epoch(expected, learn.data.train_dl, lr=0.1)
    handler.fit(1, learn, handler.CallbackHandler())
    for got, want in zip(learn.model.parameters(), expected.parameters()):
        expect_close(got, want, "fit(1, learn, CallbackHandler()) on 4 training batches; a parameter after it",
                     "one epoch of the plain loop (forward, loss, backward, step, zero_grad) with torch's SGD")


def test_fit_calls_events_in_the_lessons_order():
    learn = make_learn(n_train=2, n_valid=2)
    log = run_fit(2, learn, [Recorder()])
    expect_events(log, fit_events(2, 2, 2),
                  "fit(2, learn, CallbackHandler([rec])) with 2 training and 2 validation batches; "
                  "the events fit asked the handler, with the optimiser's backward/step/zero_grad between them",
                  "the lesson's fit / all_batches / one_batch")


def test_fit_hands_callbacks_the_epoch_number_and_each_batch():
    learn = make_learn(n_train=2, n_valid=2)
    rec = Recorder()
    handler.fit(2, learn, handler.CallbackHandler([rec]))
    call = "fit(2, learn, CallbackHandler([rec])) with 2 training and 2 validation batches"
    epochs = [args for event, args in rec.args if event == "begin_epoch"]
    expect_equal(epochs, [(0,), (1,)], f"{call}; the arguments of each rec.begin_epoch",
                 "the lesson: begin_epoch(epoch), counting epochs from 0")
    got = [args for event, args in rec.args if event == "begin_batch"]
    expected = (learn.data.train_dl + learn.data.valid_dl) * 2
    for k, (args, want) in enumerate(zip(got, expected)):
        if len(args) != 2 or not all(isinstance(a, torch.Tensor) and torch.equal(a, w) for a, w in zip(args, want)):
            mismatch(f"{call}; the arguments of rec.begin_batch call #{k}", args, want,
                     "each epoch's training batches then its validation batches, as (xb, yb) in that order")


def test_fit_trains_in_train_mode_and_validates_in_eval_mode():
    learn = make_learn(n_train=2, n_valid=2)
    learn.model.eval()  # fit must switch it on for training
    modes = []
    rec = Recorder(act={"begin_batch": lambda r, n: modes.append(learn.model.training)})
    handler.fit(2, learn, handler.CallbackHandler([rec]))
    expect_equal(modes, [True, True, False, False] * 2,
                 "fit(2, learn, CallbackHandler([rec])), model.training at each begin_batch "
                 "(2 training then 2 validation batches per epoch)",
                 "the lesson: model.train() at begin_epoch, model.eval() at begin_validate")


def test_fit_validates_without_gradients():
    learn = make_learn(n_train=2, n_valid=2)
    grad_on = []

    def spy(event, args):
        if event == "after_loss":
            grad_on.append((torch.is_grad_enabled(), args[0].requires_grad))

    run_fit(1, learn, [Recorder()], spy)
    expect_equal(grad_on, [(True, True)] * 2 + [(False, False)] * 2,
                 "fit(1, learn, CallbackHandler([rec])): (torch.is_grad_enabled(), loss.requires_grad) "
                 "each time fit asks the handler after_loss, 2 training then 2 validation batches",
                 "the lesson validates under torch.no_grad()")


def test_false_from_begin_fit_skips_the_whole_fit():
    learn = make_learn(n_train=2, n_valid=1)
    before = params_of(learn.model)
    log = run_fit(2, learn, [Recorder(no={"begin_fit": ALL})])
    got = [e for e in log if e != "after_fit"]  # whether after_fit still comes is left open
    expect_events(got, ["begin_fit"],
                  "fit(2, learn, CallbackHandler([rec])) where rec.begin_fit returns False; the events fit asked",
                  "the lesson: `if not cb.begin_fit(learn): return`")
    for got_p, want in zip(learn.model.parameters(), before):
        expect_equal(got_p.detach(), want, "a parameter after that fit", "no training happened")


def test_false_from_begin_epoch_skips_that_epoch():
    learn = make_learn(n_train=2, n_valid=1)
    log = run_fit(2, learn, [Recorder(no={"begin_epoch": [0]})])
    expected = ["begin_fit", "begin_epoch", *epoch_events(2, 1), "after_fit"]
    expect_events(log, expected,
                  "fit(2, learn, CallbackHandler([rec])) where rec.begin_epoch returns False in epoch 0 only",
                  "the lesson: `if not cb.begin_epoch(epoch): continue` skips the epoch's training, "
                  "validation and after_epoch")


def test_false_from_begin_batch_skips_that_batch():
    learn = make_learn(n_train=3, n_valid=1)
    log = run_fit(1, learn, [Recorder(no={"begin_batch": [0]})])
    expected = ["begin_fit", "begin_epoch", "begin_batch", *TRAIN_BATCH * 2,
                "begin_validate", *VALID_BATCH, "after_epoch", "after_fit"]
    expect_events(log, expected,
                  "fit(1, learn, CallbackHandler([rec])) with 3 training batches, where rec.begin_batch "
                  "returns False for the first",
                  "the lesson's one_batch: `if not cb.begin_batch(xb, yb): return`")


def test_false_from_after_loss_skips_backward_and_step():
    learn = make_learn(n_train=2, n_valid=1)
    before = params_of(learn.model)
    log = run_fit(1, learn, [Recorder(no={"after_loss": ALL})])
    expected = ["begin_fit", "begin_epoch", *["begin_batch", "after_loss"] * 2,
                "begin_validate", *VALID_BATCH, "after_epoch", "after_fit"]
    expect_events(log, expected, "fit(1, learn, CallbackHandler([rec])) where rec.after_loss returns False",
                  "the lesson's one_batch: `if not cb.after_loss(loss): return` comes before loss.backward()")
    for got_p, want in zip(learn.model.parameters(), before):
        expect_equal(got_p.detach(), want, "a parameter after that fit", "no step happened")


def test_false_from_after_backward_skips_only_the_step():
    learn = make_learn(n_train=2, n_valid=1)
    before = params_of(learn.model)
    log = run_fit(1, learn, [Recorder(no={"after_backward": ALL})])
    batch = ["begin_batch", "after_loss", "backward", "after_backward", "after_step", "zero_grad"]
    expected = ["begin_fit", "begin_epoch", *batch * 2, "begin_validate", *VALID_BATCH, "after_epoch", "after_fit"]
    expect_events(log, expected, "fit(1, learn, CallbackHandler([rec])) where rec.after_backward returns False",
                  "the lesson: `if cb.after_backward(): opt.step()`, then after_step and zero_grad as usual")
    for got_p, want in zip(learn.model.parameters(), before):
        expect_equal(got_p.detach(), want, "a parameter after that fit", "no step happened")


def test_false_from_after_step_lets_gradients_accumulate():
    learn = make_learn(n_train=3, n_valid=1, lr=0.0)  # lr 0: the model stays put, so the gradients add up
    expected = copy.deepcopy(learn.model)
    plain_epoch(expected, learn.data.train_dl, lr=0.0, zero_grad=False)
    handler.fit(1, learn, handler.CallbackHandler([Recorder(no={"after_step": ALL})]))
    for got, want in zip(learn.model.parameters(), expected.parameters()):
        if got.grad is None:
            fail("fit(1, learn, CallbackHandler([rec])) where rec.after_step returns False: a parameter's "
                 ".grad is None after it\n  (the lesson: `if cb.after_step(): opt.zero_grad()`; "
                 "without zero_grad the gradients of all 3 batches add up)")
        expect_close(got.grad, want.grad,
                     "fit(1, learn, CallbackHandler([rec])) with lr=0 where rec.after_step returns False; "
                     "a parameter's .grad after it",
                     "the sum of the 3 training batches' gradients: zero_grad is skipped")


def test_false_from_begin_validate_skips_validation():
    learn = make_learn(n_train=2, n_valid=2)
    log = run_fit(1, learn, [Recorder(no={"begin_validate": ALL})])
    expected = ["begin_fit", *epoch_events(2, 2, validate=False), "after_fit"]
    expect_events(log, expected, "fit(1, learn, CallbackHandler([rec])) where rec.begin_validate returns False",
                  "the lesson: `if cb.begin_validate(): ...all_batches(valid_dl)`, then after_epoch")


def test_false_from_after_epoch_ends_the_fit():
    learn = make_learn(n_train=2, n_valid=1)
    log = run_fit(3, learn, [Recorder(no={"after_epoch": ALL})])
    expect_events(log, fit_events(1, 2, 1),
                  "fit(3, learn, CallbackHandler([rec])) where rec.after_epoch returns False",
                  "the lesson: `if cb.do_stop() or not cb.after_epoch(): break`, then after_fit")


def test_fit_of_zero_epochs_still_calls_after_fit():
    learn = make_learn()
    rec = Recorder()
    handler.fit(0, learn, handler.CallbackHandler([rec]))
    expect_events(rec.log, ["begin_fit", "after_fit"], "fit(0, learn, CallbackHandler([rec])); the events rec got",
                  "the contract: every callback is called (the lesson's after_fit started from "
                  "`res = not self.in_train` and so skipped them all when no validation came last)")


def set_stop_at(event, occurrence):
    def act(rec, n):
        if n == occurrence:
            rec.learn.stop = True
    return {event: act}


def test_stop_ends_only_the_current_loop_over_batches():
    learn = make_learn(n_train=4, n_valid=2)
    log = run_fit(2, learn, [Recorder(act=set_stop_at("after_step", 1))])
    first = epoch_events(2, 2)  # learn.stop set in the second training batch: training ends there
    expected = ["begin_fit", *first, *epoch_events(4, 2), "after_fit"]
    expect_events(log, expected,
                  "fit(2, learn, CallbackHandler([rec])) with 4 training and 2 validation batches, where rec "
                  "sets learn.stop = True at the second after_step",
                  "the lesson: all_batches returns when do_stop() says so, and do_stop resets learn.stop, "
                  "so validation and the next epoch run in full")


def test_stop_during_validation_ends_validation():
    learn = make_learn(n_train=2, n_valid=3)
    log = run_fit(2, learn, [Recorder(act=set_stop_at("begin_batch", 2))])  # begin_batch #2: first valid batch
    expected = ["begin_fit", *epoch_events(2, 1), *epoch_events(2, 3), "after_fit"]
    expect_events(log, expected,
                  "fit(2, learn, CallbackHandler([rec])) with 2 training and 3 validation batches, where rec "
                  "sets learn.stop = True in the first validation batch",
                  "the lesson: the validation loop ends there; after_epoch and the next epoch still come")


def test_stop_left_at_the_end_of_an_epoch_ends_the_fit():
    learn = make_learn(n_train=2, n_valid=1)
    rec = Recorder(no={"begin_validate": ALL}, act=set_stop_at("begin_validate", 0))
    log = run_fit(3, learn, [rec])
    got = [e for e in log if e != "after_epoch"]  # whether after_epoch still comes here is left open
    expected = ["begin_fit", "begin_epoch", *TRAIN_BATCH * 2, "begin_validate", "after_fit"]
    expect_events(got, expected,
                  "fit(3, learn, CallbackHandler([rec])) where rec sets learn.stop = True at begin_validate "
                  "and returns False (no validation loop consumes the stop); events other than after_epoch",
                  "the lesson ends each epoch with `if cb.do_stop() or not cb.after_epoch(): break`")


# --- TestCallback -------------------------------------------------------------------------------

def count_steps(learn):
    steps = []
    step = learn.opt.step

    def counting_step(*args, **kwargs):
        steps.append(1)
        return step(*args, **kwargs)

    learn.opt.step = counting_step
    return steps


def test_test_callback_stops_training_after_ten_steps():
    learn = make_learn(n_train=15, n_valid=2)
    steps = count_steps(learn)
    handler.fit(1, learn, handler.CallbackHandler([handler.TestCallback()]))
    expect_equal(len(steps), 10, "fit(1, learn, CallbackHandler([TestCallback()])) on 15 training batches; "
                 "optimiser steps taken", "the lesson: TestCallback sets learn.stop = True at its 10th after_step")


def test_test_callback_counts_from_zero_in_every_fit():
    learn = make_learn(n_train=12, n_valid=1)
    steps = count_steps(learn)
    cbh = handler.CallbackHandler([handler.TestCallback()])
    handler.fit(1, learn, cbh)
    handler.fit(1, learn, cbh)
    expect_equal(len(steps), 20, "two fit(1, learn, cbh) with the same TestCallback on 12 training batches; "
                 "optimiser steps taken in all", "the lesson: TestCallback resets its count at begin_fit")


def test_test_callback_lets_everything_else_go_on():
    learn = make_learn(n_train=12, n_valid=1)
    tc = handler.TestCallback()
    tc.begin_fit(learn)
    for i in range(12):
        expect_equal(tc.after_step(), True, f"TestCallback(): begin_fit(learn), then after_step() call #{i + 1}",
                     "it stops training through learn.stop; its events still return True, "
                     "or the handler would skip zero_grad")
    xb, yb = learn.data.train_dl[0]
    for text, call in (("begin_epoch(0)", lambda: tc.begin_epoch(0)), ("begin_batch(xb, yb)",
                       lambda: tc.begin_batch(xb, yb)), ("after_loss(loss)", lambda: tc.after_loss(torch.tensor(1.))),
                       ("after_backward()", tc.after_backward), ("begin_validate()", tc.begin_validate),
                       ("after_epoch()", tc.after_epoch), ("after_fit()", tc.after_fit)):
        expect_equal(call(), True, f"TestCallback().{text}", "it inherits Callback's events, which return True")
