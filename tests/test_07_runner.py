"""Spec of step 7: camel2snake, listify, Callback, TrainEvalCallback and the Runner (spec/07_runner.md)."""
import copy
import functools
from types import SimpleNamespace

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conftest import expect_events, instrument, make_learn, params_of, plain_epoch
from loopkata.testing import expect_close, expect_equal, fail, mismatch, under_test

pytestmark = pytest.mark.step("runner")
runner = under_test("runner")

EVENTS = ("begin_fit", "begin_epoch", "begin_batch", "after_pred", "after_loss", "after_backward",
          "after_step", "after_batch", "begin_validate", "after_epoch", "after_fit")
ALL = None  # in a recorder's `true_at`: answer True at every occurrence of the event

# One batch as the Runner runs it, with the optimiser's work logged between the events.
TRAIN_BATCH = ["begin_batch", "after_pred", "after_loss", "backward", "after_backward",
               "step", "after_step", "zero_grad", "after_batch"]
VALID_BATCH = ["begin_batch", "after_pred", "after_loss", "after_batch"]


# --- callbacks built on the tree's Callback, and an instrumented learner -----------------------

def recorder(log=None, true_at=None, act=None, order=0, cls_name="EventLogCallback"):
    """A callback of the tree's runner that logs every event it gets.

    It answers True where `true_at` says so (event -> occurrences, 0 = the first, or ALL) and
    None elsewhere; `act` maps an event to a function called with (callback, occurrence) first.
    """

    def handle(self, event):
        n = self.counts.get(event, 0)
        self.counts[event] = n + 1
        self.log.append(event)
        if event in self.act:
            self.act[event](self, n)
        if event in self.true_at and (self.true_at[event] is ALL or n in self.true_at[event]):
            return True
        return None

    def init(self):
        self.log = [] if log is None else log
        self.true_at, self.act, self.counts = true_at or {}, act or {}, {}

    body = {"__init__": init, "_order": order}
    for event in EVENTS:
        body[event] = functools.partialmethod(handle, event)
    return type(cls_name, (runner.Callback,), body)()


def epoch_events(n_train, n_valid, train=True, validate=True):
    return ["begin_epoch", *(TRAIN_BATCH * n_train if train else []),
            "begin_validate", *(VALID_BATCH * n_valid if validate else []), "after_epoch"]


def fit_events(epochs, n_train, n_valid):
    return ["begin_fit", *epoch_events(n_train, n_valid) * epochs, "after_fit"]


def logged_fit(epochs, learn, **recorder_kwargs):
    """Run Runner(cbs=[rec]).fit(epochs, learn); return the log of rec's events and the optimiser's work."""
    log = instrument(learn, [])
    run = runner.Runner(cbs=[recorder(log, **recorder_kwargs)])
    run.fit(epochs, learn)
    return log


def expect_unchanged(model, before, call, why):
    __tracebackhide__ = True
    for got, want in zip(model.parameters(), before):
        expect_equal(got.detach(), want, call, why)


# --- camel2snake and listify ---------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("TrainEvalCallback", "train_eval_callback"), ("AvgStatsCallback", "avg_stats_callback"),
    ("ParamScheduler", "param_scheduler"), ("Recorder", "recorder"), ("Conv2dLayer", "conv2d_layer"),
    ("recorder", "recorder"),
])
def test_camel2snake(name, expected):
    expect_equal(runner.camel2snake(name), expected, f"camel2snake({name!r})",
                 "every capitalised word starts a new lower-case part, joined by '_'")


WORDS = st.builds(lambda head, tail: head + tail, st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                  st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=5))


@given(st.lists(WORDS, min_size=1, max_size=4))
def test_camel2snake_joins_every_word_with_an_underscore(words):
    name = "".join(words)
    expected = "_".join(w.lower() for w in words)
    expect_equal(runner.camel2snake(name), expected, f"camel2snake({name!r})",
                 f"the words {words} in lower case, joined by '_'")


class Thing:
    """Neither a list nor iterable: one item."""


THING = Thing()


@pytest.mark.parametrize("value, expected", [
    (None, []), ([1, 2], [1, 2]), ("abc", ["abc"]), ((1, 2), [1, 2]), (range(3), [0, 1, 2]),
    (5, [5]), (THING, [THING]),
], ids=["None", "list", "str", "tuple", "range", "int", "object"])
def test_listify(value, expected):
    got = runner.listify(value)
    if not isinstance(got, list) or got != expected:
        mismatch(f"listify({value!r})", got, expected,
                 "the contract: None -> [], a list -> itself, a str -> [o] (one name is one item), "
                 "other iterables -> list(o), anything else -> [o]")


def test_listify_reads_a_generator_into_a_list():
    got = runner.listify(i * i for i in range(3))
    expect_equal(got, [0, 1, 4], "listify(i * i for i in range(3))", "an iterable becomes list(o)")


# --- Callback ----------------------------------------------------------------------------------

def test_callback_reads_missing_attributes_from_its_runner():
    cb = runner.Callback()
    fake = SimpleNamespace(epoch=3, in_train=True)
    cb.set_runner(fake)
    expect_equal(cb.epoch, 3, "cb.set_runner(SimpleNamespace(epoch=3, ...)); cb.epoch",
                 "the lesson's __getattr__ reads what the callback lacks from its runner")
    fake.epoch = 4
    expect_equal(cb.epoch, 4, "the runner's epoch set to 4; cb.epoch", "read from the runner each time, not copied")


def test_callback_own_attributes_come_first():
    cb = runner.Callback()
    cb.set_runner(SimpleNamespace(epoch=3))
    cb.epoch = 7
    expect_equal(cb.epoch, 7, "cb.set_runner(runner with epoch=3); cb.epoch = 7; cb.epoch",
                 "__getattr__ runs only for attributes the callback does not have")


def test_callback_without_runner_raises_attribute_error():
    cb = runner.Callback()
    outcome = "returned without error"
    try:
        cb.epoch
    except AttributeError:
        outcome = None
    except RecursionError:
        outcome = "RecursionError"  # failed below, outside the except block, to keep the message short
    if outcome == "RecursionError":
        fail("runner.Callback().epoch, with no runner set: RecursionError\n"
             "  (inside __getattr__, self.run is itself missing, so it calls __getattr__('run') again, forever;\n"
             "   the contract: raise AttributeError when there is no runner yet)")
    if outcome is not None:
        fail("runner.Callback().epoch, with no runner set, returned without error\n"
             "  (the contract: an AttributeError, since nothing has that attribute)")
    expect_equal(getattr(cb, "no_such_attribute", "absent"), "absent",
                 "getattr(Callback(), 'no_such_attribute', 'absent')",
                 "an AttributeError lets getattr's default work, which the Runner relies on")


@pytest.mark.parametrize("cls_name, expected", [
    ("AvgStatsCallback", "avg_stats"), ("Recorder", "recorder"), ("ParamScheduler", "param_scheduler"),
    ("CudaCallback", "cuda"), ("CallbackCounterCallback", "callback_counter"),
])
def test_callback_name_drops_the_callback_suffix(cls_name, expected):
    cb = type(cls_name, (runner.Callback,), {})()
    expect_equal(cb.name, expected, f"class {cls_name}(Callback); {cls_name}().name",
                 "the class name without a trailing 'Callback', in snake case")


def test_callback_name_of_the_bare_class():
    expect_equal(runner.Callback().name, "callback", "Callback().name",
                 "the contract: 'callback' for the bare class, whose name would otherwise be empty")
    expect_equal(runner.TrainEvalCallback().name, "train_eval", "TrainEvalCallback().name", "the lesson's own example")


# --- TrainEvalCallback, probed through a stand-in runner -------------------------------------------

def fake_runner(**attrs):
    model = torch.nn.Linear(2, 2)
    # run.model reads run.learn.model in the contract: a callback may reach it either way
    return SimpleNamespace(model=model, learn=SimpleNamespace(model=model), epoch=0, iters=4, in_train=False,
                           n_epochs=0.0, n_iter=0, **attrs)


def train_eval_on(fake):
    cb = runner.TrainEvalCallback()
    cb.set_runner(fake)
    return cb


def test_train_eval_begin_fit_zeroes_the_counters():
    fake = fake_runner()
    fake.n_epochs, fake.n_iter = 5.5, 12
    train_eval_on(fake).begin_fit()
    expect_equal((fake.n_epochs, fake.n_iter), (0.0, 0), "TrainEvalCallback.begin_fit(); (run.n_epochs, run.n_iter)",
                 "the contract: begin_fit sets run.n_epochs = 0. and run.n_iter = 0")


def test_train_eval_begin_epoch_starts_training():
    fake = fake_runner()
    fake.epoch, fake.n_epochs = 2, 1.99
    fake.model.eval()
    train_eval_on(fake).begin_epoch()
    expect_equal((fake.n_epochs, fake.model.training, fake.in_train), (2, True, True),
                 "run.epoch = 2, model in eval mode; TrainEvalCallback.begin_epoch(); "
                 "(run.n_epochs, run.model.training, run.in_train)",
                 "the contract: begin_epoch sets run.n_epochs = epoch, model.train(), run.in_train = True")


def test_train_eval_begin_validate_starts_evaluating():
    fake = fake_runner()
    fake.in_train = True
    fake.model.train()
    train_eval_on(fake).begin_validate()
    expect_equal((fake.model.training, fake.in_train), (False, False),
                 "TrainEvalCallback.begin_validate(); (run.model.training, run.in_train)",
                 "the contract: begin_validate sets model.eval() and run.in_train = False")


def test_train_eval_after_batch_counts_a_training_batch():
    fake = fake_runner()
    fake.epoch, fake.iters = 2, 4
    cb = train_eval_on(fake)
    cb.begin_fit()
    cb.begin_epoch()
    cb.after_batch()
    cb.after_batch()
    text = "run.epoch = 2, run.iters = 4; TrainEvalCallback: begin_fit(), begin_epoch(), after_batch() twice; "
    expect_close(fake.n_epochs, 2.5, text + "run.n_epochs", "the contract: each training after_batch adds 1/iters")
    expect_equal(fake.n_iter, 2, text + "run.n_iter", "the contract: each training after_batch adds 1 to n_iter")


def test_train_eval_after_batch_ignores_validation_batches():
    fake = fake_runner()
    fake.epoch, fake.iters = 2, 4
    cb = train_eval_on(fake)
    cb.begin_fit()
    cb.begin_epoch()
    cb.after_batch()
    cb.begin_validate()
    cb.after_batch()
    cb.after_batch()
    got = (fake.n_epochs, fake.n_iter)
    text = ("run.epoch = 2, run.iters = 4; TrainEvalCallback: begin_fit(), begin_epoch(), after_batch(), "
            "begin_validate(), after_batch() twice; (run.n_epochs, run.n_iter)")
    if abs(got[0] - 2.25) > 1e-6 or got[1] != 1:
        mismatch(text, got, (2.25, 1), "the contract: only training batches are counted")


def test_train_eval_never_asks_to_skip():
    fake = fake_runner()
    cb = train_eval_on(fake)
    for event in ("begin_fit", "begin_epoch", "after_batch", "begin_validate", "after_batch"):
        got = getattr(cb, event)()
        if got:
            mismatch(f"TrainEvalCallback.{event}()", got, None,
                     "a true value from an event tells the Runner to skip; TrainEvalCallback only keeps count")


# --- Runner: building it --------------------------------------------------------------------------

def counter_class():
    """A callback class with no events of its own, made from the tree's Callback."""
    return type("CounterCallback", (runner.Callback,), {})


def test_runner_reaches_every_callback_by_name():
    rec = recorder(cls_name="EventLogCallback")
    counter = counter_class()
    run = runner.Runner(cbs=[rec], cb_funcs=[counter])
    for attr, check, text in (
            ("train_eval", lambda v: isinstance(v, runner.TrainEvalCallback), "a TrainEvalCallback"),
            ("event_log", lambda v: v is rec, "the EventLogCallback passed in cbs"),
            ("counter", lambda v: isinstance(v, counter), "the CounterCallback made from cb_funcs")):
        value = getattr(run, attr, "(no such attribute)")
        if not check(value):
            mismatch(f"Runner(cbs=[EventLogCallback()], cb_funcs=[CounterCallback]).{attr}", value, text,
                     "the contract: every callback, TrainEvalCallback included, is reachable as run.<cb.name> "
                     "(the notebook names only the callbacks made from cb_funcs)")


def test_runner_takes_a_single_callback_and_a_single_function():
    log = []
    run = fitted_runner(cbs=pinger(0, None, log, "a"), cb_funcs=functools.partial(pinger, 0, None, log, "b"))
    run("ping")
    expect_equal(log, ["a", "b"], "Runner(cbs=a, cb_funcs=make_b), a callback and a function neither of them in a "
                                  "list; run('ping'); the callbacks called",
                 "one callback or one function, not in a list, goes through listify")


def test_runner_calls_cb_funcs_to_make_callbacks():
    made = []

    def make_counter(tag):
        cb = counter_class()()
        cb.tag = tag
        made.append(cb)
        return cb

    run = runner.Runner(cb_funcs=[functools.partial(make_counter, "x")])
    if len(made) != 1 or getattr(run, "counter", None) is not made[0]:
        fail("Runner(cb_funcs=[partial(make_counter, 'x')]): expected make_counter to be called once and its "
             f"callback to be run.counter; it was called {len(made)} times\n"
             "  (the contract: each cb_funcs item is called to make a callback)")


def test_runner_leaves_the_callers_list_alone():
    rec = recorder()
    cbs = [rec]
    runner.Runner(cbs=cbs, cb_funcs=[counter_class()])
    if cbs != [rec] or len(cbs) != 1:
        mismatch("cbs = [rec]; Runner(cbs=cbs, cb_funcs=[CounterCallback]); cbs afterwards", cbs, [rec],
                 "the Runner must not change the caller's list (the lesson's listify returns that very "
                 "list and the lesson appended the made callbacks to it)")


def test_runner_is_not_in_training_before_any_fit():
    run = runner.Runner()
    expect_equal(getattr(run, "in_train", "(no such attribute)"), False, "Runner().in_train",
                 "the contract: False before any fit, since a callback may read it at any time (the notebook's "
                 "runner only gets it at the first begin_epoch)")


def test_runner_properties_read_the_learner():
    learn = make_learn()
    seen = {}

    def look(cb, n):
        seen.update(opt=cb.run.opt, model=cb.run.model, loss_func=cb.run.loss_func, data=cb.run.data,
                    learn=cb.run.learn)

    runner.Runner(cbs=[recorder(act={"begin_fit": look})]).fit(1, learn)
    for name in ("learn", "opt", "model", "loss_func", "data"):
        want = learn if name == "learn" else getattr(learn, name)
        if seen.get(name) is not want:
            mismatch(f"run.{name}, read by a callback at begin_fit of run.fit(1, learn)", seen.get(name),
                     f"learn.{name}" if name != "learn" else "learn",
                     "the contract: run.learn is the learner during fit; opt, model, loss_func and data read it")


def test_runner_shares_the_batch_and_the_loop_state_with_callbacks():
    """What later callbacks read from the runner: AvgStats (xb, yb, pred, loss), ParamScheduler (epochs), ..."""
    learn = make_learn(n_train=3, n_valid=2)
    seen = []

    def look(cb, n):
        run = cb.run
        with torch.no_grad():
            model_now = run.model(run.xb)  # the weights move after each step: compare at the time
        seen.append(dict(xb=run.xb, yb=run.yb, pred=run.pred, loss=run.loss, epoch=run.epoch, model_now=model_now,
                         epochs=run.epochs, iters=run.iters, in_train=run.in_train))

    runner.Runner(cbs=[recorder(act={"after_loss": look})]).fit(2, learn)
    batches = (learn.data.train_dl + learn.data.valid_dl) * 2
    if len(seen) != len(batches):
        fail(f"run.fit(2, learn) with 3 training and 2 validation batches called after_loss {len(seen)} times; "
             f"expected {len(batches)}")
    for i, (got, (xb, yb)) in enumerate(zip(seen, batches)):
        training = i % 5 < 3
        want = dict(epoch=i // 5, epochs=2, iters=3 if training else 2, in_train=training)
        where = f"at after_loss of batch {i % 5 + 1} of epoch {i // 5} ({'training' if training else 'validation'})"
        for name, value in want.items():
            expect_equal(got[name], value, f"run.{name} {where}",
                         "run.epoch is the current epoch, run.epochs what fit was given, "
                         "run.iters the number of batches of the loader being run")
        if got["xb"] is not xb or got["yb"] is not yb:
            fail(f"run.xb / run.yb {where} are not the batch the loader gave "
                 "(the contract: one_batch(xb, yb) keeps them as run.xb, run.yb for the callbacks)")
        expect_close(got["pred"], got["model_now"], f"run.pred {where}", "the model's output for run.xb",
                     atol=1e-5, rtol=1e-5)
        expect_close(got["loss"], learn.loss_func(got["pred"], yb), f"run.loss {where}",
                     "loss_func(run.pred, run.yb)", atol=1e-5, rtol=1e-5)


# --- Runner: calling the callbacks ------------------------------------------------------------------

def fitted_runner(cbs=None, cb_funcs=None):
    """Runner(cbs=cbs, cb_funcs=cb_funcs) after a one-batch fit, so that every callback has it as its runner.

    These tests call run('ping') outside a fit, and a callback without a `ping` then asks its
    runner for one; the fit hands every callback the runner first, as any fit does. (A callback
    asked for something before it has a runner is test_callback_without_runner_raises_attribute_error's
    business, not theirs.)
    """
    run = runner.Runner(cbs=cbs, cb_funcs=cb_funcs)
    run.fit(1, make_learn(n_train=1, n_valid=1))
    return run


def pinger(order, answer, log, label):
    def ping(self):
        log.append(label)
        return answer

    body = {"ping": ping} if order is None else {"_order": order, "ping": ping}
    return type(f"Ping{label}Callback", (runner.Callback,), body)()


def test_run_calls_callbacks_in_ascending_order():
    log = []
    cbs = [pinger(2, None, log, "a"), pinger(0, None, log, "b"), pinger(1, None, log, "c")]
    fitted_runner(cbs=cbs)("ping")
    expect_equal(log, ["b", "c", "a"], "Runner(cbs=[a (_order 2), b (_order 0), c (_order 1)])('ping'); call order",
                 "the contract: ascending _order")


def test_run_keeps_registration_order_for_ties():
    log = []
    cbs = [pinger(1, None, log, "a"), pinger(None, None, log, "b"), pinger(1, None, log, "c")]
    made = functools.partial(pinger, 0, None, log, "d")
    fitted_runner(cbs=cbs, cb_funcs=[made])("ping")
    expect_equal(log, ["b", "d", "a", "c"],
                 "Runner(cbs=[a (_order 1), b (the default _order), c (1)], cb_funcs=[d (_order 0)])('ping'); "
                 "call order",
                 "the contract: ascending _order (Callback's default is 0), ties in registration order "
                 "(cbs, then those made from cb_funcs)")


def test_run_calls_every_callback_even_after_a_true():
    log = []
    cbs = [pinger(0, True, log, "a"), pinger(0, None, log, "b")]
    got = fitted_runner(cbs=cbs)("ping")
    expect_equal(log, ["a", "b"], "Runner(cbs=[a, b])('ping') where a.ping returns True; callbacks called",
                 "the contract: every callback runs (the notebook's run returns at the first True and skips the rest)")
    expect_equal(bool(got), True, "Runner(cbs=[a, b])('ping') where a.ping returns True",
                 "True when any callback returned a true value")


def test_run_skips_callbacks_without_the_event():
    log = []
    got = fitted_runner(cbs=[counter_class()(), pinger(0, None, log, "a")])("ping")
    expect_equal(log, ["a"], "Runner(cbs=[a callback without ping, a])('ping'); callbacks called",
                 "callbacks without the method are passed over")
    expect_equal(bool(got), False, "Runner(cbs=[...])('ping') where no ping returns a true value",
                 "False when no callback returned a true value")


@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([None, False, True, 0, 1, "yes", ""])), max_size=6))
def test_run_is_true_when_any_callback_answers_true(specs):
    log = []
    cbs = [pinger(order, answer, log, str(i)) for i, (order, answer) in enumerate(specs)]
    got = fitted_runner(cbs=cbs)("ping")
    order = [str(i) for i in sorted(range(len(specs)), key=lambda i: specs[i][0])]
    text = f"Runner(cbs=callbacks with (_order, answer) {specs})('ping')"
    expect_equal(log, order, text + "; call order", "ascending _order, ties in registration order, all of them")
    expect_equal(bool(got), any(answer for _, answer in specs), text,
                 "True exactly when any callback returned a true value")


# --- Runner.fit: the events ---------------------------------------------------------------------------

def test_fit_without_callbacks_trains_like_the_plain_loop():
    learn = make_learn(n_train=4, n_valid=2)
    expected = copy.deepcopy(learn.model)
    plain_epoch(expected, learn.data.train_dl, lr=0.1)
    runner.Runner().fit(1, learn)
    for got, want in zip(learn.model.parameters(), expected.parameters()):
        expect_close(got, want, "Runner().fit(1, learn) on 4 training batches; a parameter after it",
                     "one epoch of the plain loop (forward, loss, backward, step, zero_grad) with torch's SGD")


def test_fit_calls_events_in_order():
    learn = make_learn(n_train=2, n_valid=2)
    expect_events(logged_fit(2, learn), fit_events(2, 2, 2),
                  "Runner(cbs=[rec]).fit(2, learn) with 2 training and 2 validation batches; rec's events, "
                  "with the optimiser's backward/step/zero_grad between them",
                  "the contract's event order; validation has no backward, step or zero_grad")


def test_true_from_begin_fit_skips_all_training():
    learn = make_learn(n_train=2, n_valid=1)
    before = params_of(learn.model)
    log = logged_fit(2, learn, true_at={"begin_fit": ALL})
    expect_events(log, ["begin_fit", "after_fit"], "Runner(cbs=[rec]).fit(2, learn) where rec.begin_fit returns True",
                  "the contract: a True from begin_fit skips all training; after_fit always comes")
    expect_unchanged(learn.model, before, "a parameter after that fit", "nothing was trained")


def test_true_from_begin_epoch_skips_that_epochs_training():
    learn = make_learn(n_train=2, n_valid=1)
    log = logged_fit(2, learn, true_at={"begin_epoch": [0]})
    expected = ["begin_fit", *epoch_events(2, 1, train=False), *epoch_events(2, 1), "after_fit"]
    expect_events(log, expected, "Runner(cbs=[rec]).fit(2, learn) where rec.begin_epoch returns True in epoch 0",
                  "the contract: it skips that epoch's training batches; validation and after_epoch still come")


def test_true_from_begin_validate_skips_validation():
    learn = make_learn(n_train=2, n_valid=2)
    log = logged_fit(2, learn, true_at={"begin_validate": [0]})
    expected = ["begin_fit", *epoch_events(2, 2, validate=False), *epoch_events(2, 2), "after_fit"]
    expect_events(log, expected, "Runner(cbs=[rec]).fit(2, learn) where rec.begin_validate returns True in epoch 0",
                  "the contract: it skips that validation; after_epoch still comes")


def test_true_from_after_epoch_stops_the_remaining_epochs():
    learn = make_learn(n_train=2, n_valid=1)
    log = logged_fit(3, learn, true_at={"after_epoch": ALL})
    expect_events(log, fit_events(1, 2, 1), "Runner(cbs=[rec]).fit(3, learn) where rec.after_epoch returns True",
                  "the contract: it stops the remaining epochs; after_fit still comes")


@pytest.mark.parametrize("event", ["begin_batch", "after_pred", "after_loss", "after_backward", "after_step"])
def test_true_inside_a_batch_skips_to_after_batch(event):
    learn = make_learn(n_train=3, n_valid=1)
    log = logged_fit(1, learn, true_at={event: [0]})
    first = TRAIN_BATCH[:TRAIN_BATCH.index(event) + 1] + ["after_batch"]
    expected = ["begin_fit", "begin_epoch", *first, *TRAIN_BATCH * 2, "begin_validate", *VALID_BATCH,
                "after_epoch", "after_fit"]
    expect_events(log, expected,
                  f"Runner(cbs=[rec]).fit(1, learn) where rec.{event} returns True for the first batch only",
                  "the contract: a True inside a batch skips the rest of that batch up to after_batch")


def test_true_from_after_backward_skips_the_step():
    learn = make_learn(n_train=2, n_valid=1)
    before = params_of(learn.model)
    logged_fit(1, learn, true_at={"after_backward": ALL})
    expect_unchanged(learn.model, before, "Runner(cbs=[rec]).fit(1, learn) where rec.after_backward returns True; "
                     "a parameter after it", "no optimiser step happened")


def test_true_from_after_step_lets_gradients_accumulate():
    learn = make_learn(n_train=3, n_valid=1, lr=0.0)  # lr 0: the model stays put, so the gradients add up
    expected = copy.deepcopy(learn.model)
    plain_epoch(expected, learn.data.train_dl, lr=0.0, zero_grad=False)
    runner.Runner(cbs=[recorder(true_at={"after_step": ALL})]).fit(1, learn)
    for got, want in zip(learn.model.parameters(), expected.parameters()):
        if got.grad is None:
            fail("Runner(cbs=[rec]).fit(1, learn) where rec.after_step returns True: a parameter's .grad is "
                 "None after it\n  (the contract: a True from after_step skips zero_grad, so the gradients "
                 "of all 3 batches add up)")
        expect_close(got.grad, want.grad, "Runner(cbs=[rec]).fit(1, learn) with lr=0 where rec.after_step "
                     "returns True; a parameter's .grad after it",
                     "the sum of the 3 training batches' gradients: zero_grad is skipped")


# --- Runner.fit: stop, after_fit, learn -----------------------------------------------------------

def set_stop_at(event, occurrence):
    def act(cb, n):
        if n == occurrence:
            cb.run.stop = True
    return {event: act}


def test_stop_ends_the_training_loop_and_is_reset():
    learn = make_learn(n_train=4, n_valid=2)
    log = logged_fit(2, learn, act=set_stop_at("after_loss", 1))  # in the second training batch
    expected = ["begin_fit", *epoch_events(2, 2), *epoch_events(4, 2), "after_fit"]
    expect_events(log, expected,
                  "Runner(cbs=[rec]).fit(2, learn) with 4 training and 2 validation batches, where rec sets "
                  "run.stop = True in the second training batch",
                  "the contract: run.stop ends the current loop over batches and is reset afterwards, "
                  "so validation and the next epoch run in full")


def test_stop_ends_the_validation_loop():
    learn = make_learn(n_train=2, n_valid=3)
    log = logged_fit(2, learn, act=set_stop_at("after_loss", 2))  # after_loss #2: the first validation batch
    expected = ["begin_fit", *epoch_events(2, 1), *epoch_events(2, 3), "after_fit"]
    expect_events(log, expected,
                  "Runner(cbs=[rec]).fit(2, learn) with 2 training and 3 validation batches, where rec sets "
                  "run.stop = True in the first validation batch",
                  "the contract: run.stop ends the current loop over batches; after_epoch and the next epoch "
                  "still come")


class Boom(Exception):
    """Raised by a callback in the middle of a fit."""


def test_after_fit_runs_after_an_exception():
    learn = make_learn(n_train=3, n_valid=1)

    def explode(cb, n):
        if n == 1:
            raise Boom("raised by a callback at the second after_loss")

    log = []
    run = runner.Runner(cbs=[recorder(log, act={"after_loss": explode})])
    try:
        run.fit(2, learn)
    except Boom:
        pass
    else:
        fail("Runner(cbs=[rec]).fit(2, learn) where rec.after_loss raises Boom: fit returned normally\n"
             "  (the contract: the exception propagates, after after_fit ran; "
             "a `return` inside `finally` swallows it)")
    expect_equal(log[-1:], ["after_fit"], "the last event of that fit",
                 "the contract: after_fit always comes, also after an exception (try/finally)")
    expect_equal(getattr(run, "learn", "(no such attribute)"), None, "run.learn after that fit",
                 "the contract: run.learn is None after fit, whatever happened")


def test_learn_is_none_after_fit():
    learn = make_learn(n_train=1, n_valid=1)
    run = runner.Runner()
    run.fit(1, learn)
    expect_equal(getattr(run, "learn", "(no such attribute)"), None, "run = Runner(); run.fit(1, learn); run.learn",
                 "the contract: after_fit, then run.learn = None, so the runner does not keep the learner alive")


# --- Runner.fit: modes, gradients and counting ------------------------------------------------------

def test_fit_trains_in_train_mode_and_validates_in_eval_mode():
    learn = make_learn(n_train=2, n_valid=2)
    learn.model.eval()  # fit must switch it on for training
    modes = []
    runner.Runner(cbs=[recorder(act={"begin_batch": lambda cb, n: modes.append(
        (learn.model.training, cb.run.in_train))})]).fit(2, learn)
    expect_equal(modes, [(True, True)] * 2 + [(False, False)] * 2 + [(True, True)] * 2 + [(False, False)] * 2,
                 "Runner(cbs=[rec]).fit(2, learn): (model.training, run.in_train) at each begin_batch, "
                 "2 training then 2 validation batches per epoch",
                 "TrainEvalCallback: model.train() at begin_epoch, model.eval() at begin_validate")


def test_fit_validates_without_gradients():
    learn = make_learn(n_train=2, n_valid=2)
    seen = []
    runner.Runner(cbs=[recorder(act={"after_loss": lambda cb, n: seen.append(
        (torch.is_grad_enabled(), cb.run.loss.requires_grad))})]).fit(1, learn)
    expect_equal(seen, [(True, True)] * 2 + [(False, False)] * 2,
                 "Runner(cbs=[rec]).fit(1, learn): (torch.is_grad_enabled(), run.loss.requires_grad) at each "
                 "after_loss, 2 training then 2 validation batches",
                 "the contract: validation runs under torch.no_grad()")


def test_fit_counts_fractional_epochs_and_training_iterations():
    learn = make_learn(n_train=3, n_valid=2)
    seen = []

    def look(cb, n):
        seen.append((cb.run.n_epochs, cb.run.n_iter))

    runner.Runner(cbs=[recorder(act={"begin_batch": look, "after_fit": look})]).fit(2, learn)
    expected = []
    for epoch in range(2):
        expected += [(epoch + i / 3, 3 * epoch + i) for i in range(3)]  # training batches
        expected += [(epoch + 1, 3 * (epoch + 1))] * 2  # validation batches count nothing
    expected.append((2, 6))  # at after_fit
    text = ("Runner(cbs=[rec]).fit(2, learn) with 3 training and 2 validation batches: "
            "(run.n_epochs, run.n_iter) at each begin_batch and at after_fit")
    if len(seen) != len(expected):
        mismatch(text, seen, expected, "one reading per batch and one at after_fit")
    for k, ((n_epochs, n_iter), (want_epochs, want_iter)) in enumerate(zip(seen, expected)):
        ok_epochs = isinstance(n_epochs, (int, float)) and abs(n_epochs - want_epochs) < 1e-6
        if not ok_epochs or n_iter != want_iter:
            mismatch(f"{text}; reading #{k}", (n_epochs, n_iter), (want_epochs, want_iter),
                     "n_epochs = epoch + (training batches done)/iters; n_iter counts training batches only")
