"""Spec of step 8: AvgStats and AvgStatsCallback (spec/08_stats.md)."""
import functools
import re
import types
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from conftest import make_batches, make_learn
from loopkata.testing import expect_equal, fail, mismatch, show, under_test

pytestmark = pytest.mark.step("stats")
stats = under_test("stats")
runner = under_test("runner")


# --- metrics and oracles, written with torch alone -------------------------------------------

def accuracy(out, yb):
    """Fraction of rows whose argmax is the target (the lesson's metric, from torch)."""
    hits = torch.eq(torch.argmax(out, dim=-1), yb)
    return hits.sum(dtype=out.dtype) / hits.numel()


def top_logit(out, yb):
    """A second metric with values unlike the loss's and accuracy's: the mean of each row's largest logit."""
    return out.max(dim=-1).values.mean()


def batch_run(model, xb, yb, in_train=True):
    """A runner-shaped namespace holding one batch, its prediction and its loss (with its graph)."""
    pred = model(xb)
    return SimpleNamespace(xb=xb, yb=yb, pred=pred, loss=F.cross_entropy(pred, yb), in_train=in_train)


def pooled(model, batches, metrics=()):
    """[loss, *metrics] over all the samples of `batches` at once: the batch-size-weighted averages."""
    with torch.no_grad():
        pred = torch.cat([model(xb) for xb, _ in batches])
        yb = torch.cat([yb for _, yb in batches])
        return [F.cross_entropy(pred, yb).item()] + [float(m(pred, yb)) for m in metrics]


def sizes(batches):
    return "+".join(str(xb.shape[0]) for xb, _ in batches)


def as_number(value):
    """float(value) for a number or a one-element tensor; None for anything else."""
    try:
        return float(value.detach() if isinstance(value, torch.Tensor) else value)
    except (TypeError, ValueError, RuntimeError):
        return None


def expect_stats(got, expected, call, why):
    """got: a list of numbers close to `expected`, compared with float(...).

    Whether they are Python floats is test_stats_are_python_floats' business, not every test's.
    """
    __tracebackhide__ = True
    if not isinstance(got, list) or len(got) != len(expected):
        mismatch(call, got, expected, why + f"; expected a list of {len(expected)} numbers")
    for value, want in zip(got, expected):
        number = as_number(value)
        if number is None:
            mismatch(call, got, expected, why + f"; expected numbers, got a {type(value).__name__}")
        if abs(number - want) > 1e-5 + 1e-5 * abs(want):
            mismatch(call, got, expected, why)


def tensors_reachable(obj, depth=0, seen=None):
    """Every tensor reachable from obj through attributes, lists, tuples, sets and dicts."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 8:
        return
    seen.add(id(obj))
    if isinstance(obj, torch.Tensor):
        yield obj
        return
    if isinstance(obj, (str, bytes, int, float, complex, bool, type(None), type, types.ModuleType,
                        types.FunctionType, types.BuiltinFunctionType, types.MethodType, functools.partial)):
        return
    if isinstance(obj, dict):
        children = list(obj.keys()) + list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        children = list(obj)
    else:
        children = list(getattr(obj, "__dict__", {}).values())
        children += [getattr(obj, slot) for slot in getattr(type(obj), "__slots__", ()) if hasattr(obj, slot)]
    for child in children:
        yield from tensors_reachable(child, depth + 1, seen)


def parse_repr(text):
    """'train: [0.5, 0.25]' -> ('train', [0.5, 0.25]); None when it has another shape."""
    match = re.fullmatch(r"\s*(train|valid): \[(.*)\]\s*", text)
    if match is None:
        return None
    numbers = re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", match.group(2))
    return match.group(1), [float(n) for n in numbers]


def probe_callback(record):
    """A callback of the tree's runner that keeps each batch's loss, as a float, at after_loss."""

    class Probe(runner.Callback):
        _order = 5

        def after_loss(self):
            record.append((self.in_train, self.xb.shape[0], self.loss.item()))

    return Probe()


# --- AvgStats ----------------------------------------------------------------------------

def test_avg_stats_weight_each_batch_by_its_size():
    model = torch.nn.Linear(6, 3)
    batches = make_batches(3, bs=4, last_bs=1)
    avg = stats.AvgStats([accuracy], True)
    avg.reset()
    for xb, yb in batches:
        avg.accumulate(batch_run(model, xb, yb))
    expect_stats(avg.avg_stats, pooled(model, batches, [accuracy]),
                 f"AvgStats([accuracy], True) after accumulating batches of {sizes(batches)} rows; .avg_stats",
                 "[cross_entropy, accuracy] over all 9 rows at once: a batch of 1 counts as 1 sample, not as a batch")


def test_all_stats_are_sums_weighted_by_batch_size():
    model = torch.nn.Linear(6, 3)
    batches = make_batches(3, bs=5, last_bs=2)
    avg = stats.AvgStats([accuracy], False)
    avg.reset()
    for xb, yb in batches:
        avg.accumulate(batch_run(model, xb, yb))
    n = sum(xb.shape[0] for xb, _ in batches)
    expect_stats(avg.all_stats, [n * v for v in pooled(model, batches, [accuracy])],
                 f"AvgStats([accuracy], False) after batches of {sizes(batches)} rows; .all_stats",
                 "the contract: all_stats are the sums of each batch's value times its size")


def test_loss_comes_first_then_each_metric_in_order():
    model = torch.nn.Linear(6, 3)
    batches = make_batches(2, bs=4)
    avg = stats.AvgStats([top_logit, accuracy], True)
    avg.reset()
    for xb, yb in batches:
        avg.accumulate(batch_run(model, xb, yb))
    expect_stats(avg.avg_stats, pooled(model, batches, [top_logit, accuracy]),
                 "AvgStats([top_logit, accuracy], True) after 2 batches; .avg_stats",
                 "the contract: [loss, top_logit, accuracy], in the order the metrics were given")


def test_metrics_are_called_with_pred_then_yb():
    calls = []

    def recording_metric(out, yb):
        calls.append((out, yb))
        return torch.tensor(0.5)

    model = torch.nn.Linear(6, 3)
    (xb, yb), = make_batches(1, bs=4)
    run = batch_run(model, xb, yb)
    avg = stats.AvgStats([recording_metric], True)
    avg.reset()
    avg.accumulate(run)
    if len(calls) != 1:
        fail(f"AvgStats([metric], True).accumulate(run) called the metric {len(calls)} times; expected once per batch")
    out, target = calls[0]
    if out is not run.pred or target is not run.yb:
        fail("AvgStats.accumulate(run) called metric(" + show(out) + ", " + show(target) + ")\n"
             "  expected metric(run.pred, run.yb), like accuracy(out, yb)")


def test_no_metrics_gives_the_loss_alone():
    model = torch.nn.Linear(6, 3)
    batches = make_batches(2, bs=3, last_bs=2)
    avg = stats.AvgStats([], True)
    avg.reset()
    for xb, yb in batches:
        avg.accumulate(batch_run(model, xb, yb))
    expect_stats(avg.avg_stats, pooled(model, batches),
                 "AvgStats([], True) after batches of 3+2 rows; .avg_stats", "cross_entropy over all 5 rows")


def test_a_single_metric_needs_no_list():
    model = torch.nn.Linear(6, 3)
    batches = make_batches(2, bs=4)
    avg = stats.AvgStats(accuracy, True)  # the notebook's partial(AvgStatsCallback, accuracy) does this
    avg.reset()
    for xb, yb in batches:
        avg.accumulate(batch_run(model, xb, yb))
    expect_stats(avg.avg_stats, pooled(model, batches, [accuracy]),
                 "AvgStats(accuracy, True) (one metric, not in a list) after 2 batches; .avg_stats",
                 "one metric is one item, like listify(accuracy)")


def test_a_new_avg_stats_accumulates_without_reset():
    model = torch.nn.Linear(6, 3)
    batches = make_batches(2, bs=4)
    avg = stats.AvgStats([accuracy], True)
    expect_equal(repr(avg), "", "repr(AvgStats([accuracy], True)), new, before any reset()",
                 "the contract: a new AvgStats is ready as if just reset (the notebook's __init__ does not reset, "
                 "so its repr raises AttributeError)")
    for xb, yb in batches:
        avg.accumulate(batch_run(model, xb, yb))
    expect_stats(avg.avg_stats, pooled(model, batches, [accuracy]),
                 "AvgStats([accuracy], True), new, after 2 batches; .avg_stats",
                 "a new AvgStats starts from nothing, as if reset (the notebook's __init__ does not call reset())")


def test_reset_forgets_what_was_accumulated():
    model = torch.nn.Linear(6, 3)
    old, new = make_batches(2, bs=4), make_batches(2, bs=3)
    avg = stats.AvgStats([accuracy], True)
    avg.reset()
    for xb, yb in old:
        avg.accumulate(batch_run(model, xb, yb))
    avg.reset()
    for xb, yb in new:
        avg.accumulate(batch_run(model, xb, yb))
    expect_stats(avg.avg_stats, pooled(model, new, [accuracy]),
                 "AvgStats: accumulate 2 batches, reset(), accumulate 2 others; .avg_stats",
                 "only the batches after reset() count")


def test_stats_are_python_floats():
    model = torch.nn.Linear(6, 3)
    avg = stats.AvgStats([accuracy, top_logit], True)
    avg.reset()
    for xb, yb in make_batches(2, bs=4):
        avg.accumulate(batch_run(model, xb, yb))
    for name in ("all_stats", "avg_stats"):
        values = getattr(avg, name)
        if not isinstance(values, list) or not all(isinstance(v, float) for v in values):
            kinds = [type(v).__name__ for v in values] if isinstance(values, (list, tuple)) else type(values).__name__
            fail(f"AvgStats([accuracy, top_logit], True).{name} after 2 batches is {show(values)}: {kinds}\n"
                 "  expected a list of Python floats (the contract); the notebook's list mixed floats and tensors")


def test_avg_stats_hold_no_autograd_graph():
    model = torch.nn.Linear(6, 3)
    # a metric without a graph: a metric kept as a tensor is test_stats_are_python_floats' business
    avg = stats.AvgStats([accuracy], True)
    avg.reset()
    for xb, yb in make_batches(2, bs=4):
        run = batch_run(model, xb, yb)  # run.loss requires grad
        avg.accumulate(run)
    del run
    attached = [t for t in tensors_reachable(avg) if t.requires_grad or t.grad_fn is not None]
    if attached:
        fail(f"AvgStats.accumulate(run), with a run.loss that requires grad, kept {len(attached)} tensor(s) "
             f"attached to the autograd graph, e.g. {show(attached[0])} (grad_fn={attached[0].grad_fn})\n"
             "  expected plain numbers: a stored loss keeps the whole graph of its batch alive (the notebook adds "
             "run.loss * bn as a tensor, and lets the graph go only because its callback accumulates under "
             "torch.no_grad())")


def test_repr_names_the_phase_and_shows_the_averages():
    model = torch.nn.Linear(6, 3)
    batches = make_batches(2, bs=4, last_bs=2)
    for in_train, phase in ((True, "train"), (False, "valid")):
        avg = stats.AvgStats([accuracy], in_train)
        avg.reset()
        for xb, yb in batches:
            avg.accumulate(batch_run(model, xb, yb))
        text = repr(avg)
        parsed = parse_repr(text)
        expected = pooled(model, batches, [accuracy])
        if parsed is None or parsed[0] != phase or len(parsed[1]) != 2 or any(
                abs(a - b) > 1e-4 + 1e-4 * abs(b) for a, b in zip(parsed[1], expected)):
            fail(f"repr(AvgStats([accuracy], {in_train})) after 2 batches is {text!r}\n"
                 f"  expected {phase}: {expected} (the contract: '{phase}: ' and the list of averages)")


def test_repr_is_empty_before_anything_is_accumulated():
    avg = stats.AvgStats([accuracy], True)
    avg.reset()  # a new one without reset() is test_a_new_avg_stats_accumulates_without_reset's business
    expect_equal(repr(avg), "", "repr(AvgStats([accuracy], True)) after reset()",
                 "the contract: empty before any batch")
    model = torch.nn.Linear(6, 3)
    (xb, yb), = make_batches(1)
    avg.accumulate(batch_run(model, xb, yb))
    avg.reset()
    expect_equal(repr(avg), "", "repr(AvgStats([accuracy], True)) after accumulate and reset()",
                 "the contract: empty before any batch")


# --- AvgStatsCallback, probed with a runner-shaped namespace -----------------------------

def test_callback_keeps_train_and_valid_stats():
    cb = stats.AvgStatsCallback([accuracy])
    if not isinstance(cb, runner.Callback):
        fail("AvgStatsCallback([accuracy]) is not a lesson9.runner.Callback; the Runner needs its set_runner and name")
    for name, in_train, phase in (("train_stats", True, "train"), ("valid_stats", False, "valid")):
        avg = getattr(cb, name, None)
        if not all(callable(getattr(avg, attr, None)) for attr in ("reset", "accumulate")):
            fail(f"AvgStatsCallback([accuracy]).{name} is {show(avg)}; expected an AvgStats")
        model = torch.nn.Linear(6, 3)
        (xb, yb), = make_batches(1)
        avg.reset()
        avg.accumulate(batch_run(model, xb, yb))
        parsed = parse_repr(repr(avg))
        if parsed is None or parsed[0] != phase:
            fail(f"repr(AvgStatsCallback([accuracy]).{name}) after one batch is {repr(avg)!r}\n"
                 f"  expected it to start with '{phase}: ' (an AvgStats made with in_train={in_train})")


@pytest.mark.parametrize("in_train", [True, False], ids=["training", "validation"])
def test_after_loss_accumulates_into_the_phase_of_the_runner(in_train):
    model = torch.nn.Linear(6, 3)
    cb = stats.AvgStatsCallback([accuracy])
    batches = make_batches(2, bs=4, last_bs=3)
    fake = SimpleNamespace(in_train=in_train, epoch=0, epochs=1)
    cb.set_runner(fake)
    cb.begin_epoch()
    for xb, yb in batches:
        vars(fake).update(vars(batch_run(model, xb, yb, in_train)))
        cb.after_loss()
    mine, other = ("train_stats", "valid_stats") if in_train else ("valid_stats", "train_stats")
    expect_stats(getattr(cb, mine).avg_stats, pooled(model, batches, [accuracy]),
                 f"AvgStatsCallback([accuracy]): begin_epoch, then after_loss on 2 batches with run.in_train={in_train}; "
                 f".{mine}.avg_stats", "cross_entropy and accuracy over the 7 rows")
    expect_equal(repr(getattr(cb, other)), "",
                 f"the same; repr(.{other})", f"run.in_train={in_train}: the {other} get nothing")


def test_begin_epoch_resets_both_stats():
    model = torch.nn.Linear(6, 3)
    cb = stats.AvgStatsCallback([accuracy])
    fake = SimpleNamespace(epoch=0, epochs=2)
    cb.set_runner(fake)
    cb.begin_epoch()
    for in_train in (True, False):
        (xb, yb), = make_batches(1)
        vars(fake).update(vars(batch_run(model, xb, yb, in_train)))
        cb.after_loss()
    fake.epoch = 1
    cb.begin_epoch()
    for name in ("train_stats", "valid_stats"):
        expect_equal(repr(getattr(cb, name)), "",
                     f"AvgStatsCallback: a batch in each phase, then begin_epoch(); repr(.{name})",
                     "the contract: begin_epoch resets both")


def test_callback_never_asks_to_skip():
    model = torch.nn.Linear(6, 3)
    cb = stats.AvgStatsCallback([accuracy])
    (xb, yb), = make_batches(1)
    fake = SimpleNamespace(epoch=0, epochs=1, **vars(batch_run(model, xb, yb)))
    cb.set_runner(fake)
    for event, in_train in (("begin_epoch", True), ("after_loss", True), ("after_loss", False),
                            ("after_epoch", False)):
        fake.in_train = in_train
        got = getattr(cb, event)()
        if got:
            mismatch(f"AvgStatsCallback([accuracy]).{event}() with run.in_train={in_train}", got, None,
                     "a true value from an event tells the Runner to skip (after after_loss: the backward "
                     "pass and the step, so nothing trains); the stats only watch")


# --- AvgStatsCallback in the tree's Runner ----------------------------------------------

def frozen_learn():
    """make_learn with lr 0 (the model never changes, so every number can be recomputed after
    the fit) and batches of 4+4+1 (training) and 4+2 (validation)."""
    learn = make_learn(lr=0.0)
    learn.data.train_dl = make_batches(3, bs=4, last_bs=1)
    learn.data.valid_dl = make_batches(2, bs=4, last_bs=2)
    return learn


def test_fit_averages_training_batches_by_size():
    learn = frozen_learn()
    run = runner.Runner(cbs=[stats.AvgStatsCallback([accuracy])])
    run.fit(1, learn)
    expect_stats(run.avg_stats.train_stats.avg_stats, pooled(learn.model, learn.data.train_dl, [accuracy]),
                 "Runner(cbs=[AvgStatsCallback([accuracy])]).fit(1, learn) with lr 0 and training batches of "
                 "4+4+1 rows; run.avg_stats.train_stats.avg_stats",
                 "cross_entropy and accuracy of the (unchanged) model over all 9 training rows")


def test_fit_averages_validation_batches_by_size():
    learn = frozen_learn()
    run = runner.Runner(cbs=[stats.AvgStatsCallback([accuracy])])
    run.fit(1, learn)
    expect_stats(run.avg_stats.valid_stats.avg_stats, pooled(learn.model, learn.data.valid_dl, [accuracy]),
                 "Runner(cbs=[AvgStatsCallback([accuracy])]).fit(1, learn) with validation batches of 4+2 rows; "
                 "run.avg_stats.valid_stats.avg_stats", "cross_entropy and accuracy over all 6 validation rows")


def test_fit_stats_cover_the_last_epoch_only():
    learn = make_learn(lr=0.5)
    learn.data.train_dl = make_batches(3, bs=4, last_bs=1)
    learn.data.valid_dl = make_batches(2, bs=4, last_bs=2)
    record = []
    run = runner.Runner(cbs=[stats.AvgStatsCallback([accuracy]), probe_callback(record)])
    run.fit(3, learn)
    last_train = [(n, loss) for in_train, n, loss in record[-5:] if in_train]
    expected_train = sum(n * loss for n, loss in last_train) / sum(n for n, _ in last_train)
    expect_stats(run.avg_stats.train_stats.avg_stats[:1], [expected_train],
                 "Runner(cbs=[AvgStatsCallback([accuracy])]).fit(3, learn) with lr 0.5; "
                 "run.avg_stats.train_stats.avg_stats[:1]",
                 "the size-weighted mean of the third epoch's training losses: begin_epoch resets the stats")
    expect_stats(run.avg_stats.valid_stats.avg_stats, pooled(learn.model, learn.data.valid_dl, [accuracy]),
                 "the same fit; run.avg_stats.valid_stats.avg_stats",
                 "the trained model's loss and accuracy over the validation rows: the third epoch's only")


def test_fit_made_from_cb_funcs_with_one_metric():
    learn = frozen_learn()
    run = runner.Runner(cb_funcs=functools.partial(stats.AvgStatsCallback, accuracy))
    run.fit(1, learn)
    expect_stats(run.avg_stats.valid_stats.avg_stats, pooled(learn.model, learn.data.valid_dl, [accuracy]),
                 "Runner(cb_funcs=partial(AvgStatsCallback, accuracy)).fit(1, learn); run.avg_stats.valid_stats.avg_stats",
                 "the notebook's own way of making the callback; cross_entropy and accuracy over the validation rows")


def test_after_epoch_prints_train_then_valid(capsys):
    learn = frozen_learn()
    run = runner.Runner(cbs=[stats.AvgStatsCallback([accuracy])])
    run.fit(2, learn)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    expected = [("train", pooled(learn.model, learn.data.train_dl, [accuracy])),
                ("valid", pooled(learn.model, learn.data.valid_dl, [accuracy]))] * 2
    shown = "\n    ".join(lines) or "(nothing)"
    if len(lines) != 4:
        fail(f"Runner(cbs=[AvgStatsCallback([accuracy])]).fit(2, learn) printed:\n    {shown}\n"
             "  expected 4 lines: 'train: [...]' then 'valid: [...]' after each of the 2 epochs")
    for line, (phase, numbers) in zip(lines, expected):
        parsed = parse_repr(line)
        if parsed is None or parsed[0] != phase or len(parsed[1]) != 2 or any(
                abs(a - b) > 1e-4 + 1e-4 * abs(b) for a, b in zip(parsed[1], numbers)):
            fail(f"Runner(cbs=[AvgStatsCallback([accuracy])]).fit(2, learn) printed:\n    {shown}\n"
                 f"  the line {line!r} should be {phase}: {numbers}\n"
                 "  (after each epoch: the training stats, then the validation stats)")
