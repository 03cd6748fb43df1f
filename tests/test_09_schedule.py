"""Spec of step 9: schedules, combine_scheds, Recorder and ParamScheduler (spec/09_schedule.md)."""
import math
from types import SimpleNamespace

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_learn
from loopkata.testing import expect_close, expect_equal, fail, mismatch, show, under_test

pytestmark = pytest.mark.step("schedule")
schedule = under_test("schedule")
runner = under_test("runner")

values = st.floats(-10, 10, allow_nan=False)
positives = st.floats(1e-3, 10)
positions = st.floats(0, 1)


@st.composite
def exact_pcts(draw, n):
    """n positive pcts, each a whole number of 32nds, that sum to exactly 1 (in float32 too).

    pcts that miss 1 by a rounding error are test_pcts_that_sum_to_one_up_to_rounding_are_accepted's
    business; the tests drawing these are about the joins and the shape of the schedule.
    """
    cuts = sorted(draw(st.lists(st.integers(1, 31), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 32]
    return [(b - a) / 32 for a, b in zip(bounds, bounds[1:])]


# --- the schedules ------------------------------------------------------------------------

def test_annealer_binds_start_and_end():
    def f(start, end, pos):
        return ("f", start, end, pos)

    maker = schedule.annealer(f)
    expect_equal(maker(2, 7)(0.25), ("f", 2, 7, 0.25), "annealer(f)(2, 7)(0.25)",
                 "the contract: annealer(f)(start, end) is partial(f, start, end)")


def test_sched_lin_notebook_value():
    expect_close(schedule.sched_lin(1, 2)(0.3), 1.3, "sched_lin(1, 2)(0.3)", "the notebook: 1.3")


@given(start=values, end=values, pos=positions)
def test_sched_lin_is_a_straight_line(start, end, pos):
    expect_close(schedule.sched_lin(start, end)(pos), start + pos * (end - start),
                 f"sched_lin({start!r}, {end!r})({pos!r})", "start + pos * (end - start)", atol=1e-9)


@given(start=values, end=values, pos=positions)
def test_sched_cos_is_half_a_cosine(start, end, pos):
    expected = start + (end - start) * (1 - math.cos(math.pi * pos)) / 2
    expect_close(schedule.sched_cos(start, end)(pos), expected,
                 f"sched_cos({start!r}, {end!r})({pos!r})",
                 "start + (end - start) * (1 - cos(pi * pos)) / 2: start at 0, end at 1, flat at both ends",
                 atol=1e-9)


@given(start=positives, end=positives, pos=positions)
def test_sched_exp_is_geometric(start, end, pos):
    expected = math.exp(math.log(start) + pos * (math.log(end) - math.log(start)))
    expect_close(schedule.sched_exp(start, end)(pos), expected,
                 f"sched_exp({start!r}, {end!r})({pos!r})", "start * (end / start) ** pos", atol=1e-12, rtol=1e-9)


@given(start=values, end=values, pos=positions)
def test_sched_no_stays_at_start(start, end, pos):
    expect_close(schedule.sched_no(start, end)(pos), start, f"sched_no({start!r}, {end!r})({pos!r})",
                 "always start", atol=0, rtol=0)


@pytest.mark.parametrize("name", ["sched_lin", "sched_cos", "sched_exp"])
@given(start=positives, end=positives, a=positions, b=positions)
def test_schedules_move_monotonically_from_start_to_end(name, start, end, a, b):
    sched = getattr(schedule, name)(start, end)
    expect_close(sched(0.0), start, f"{name}({start!r}, {end!r})(0.0)", "a schedule starts at start", atol=1e-9)
    expect_close(sched(1.0), end, f"{name}({start!r}, {end!r})(1.0)", "a schedule ends at end", atol=1e-9)
    lo, hi = sorted((a, b))
    direction = 1 if end >= start else -1
    if direction * (sched(hi) - sched(lo)) < -1e-9:
        fail(f"{name}({start!r}, {end!r}): at pos {lo!r} it gives {sched(lo)!r}, at pos {hi!r} {sched(hi)!r}\n"
             f"  expected a schedule that only moves from start towards end")


def test_cos_1cycle_anneal_goes_up_then_down():
    up, down = schedule.cos_1cycle_anneal(0.1, 0.9, 0.2)
    for sched, pos, want, what in ((up, 0.0, 0.1, "first at 0"), (up, 0.5, 0.5, "first at 0.5"),
                                   (up, 1.0, 0.9, "first at 1"), (down, 0.0, 0.9, "second at 0"),
                                   (down, 0.5, 0.55, "second at 0.5"), (down, 1.0, 0.2, "second at 1")):
        expect_close(sched(pos), want, f"cos_1cycle_anneal(0.1, 0.9, 0.2): the {what}",
                     "two cosine schedules, 0.1 -> 0.9 and 0.9 -> 0.2")


# --- combine_scheds ----------------------------------------------------------------------

def notebook_schedule():
    return schedule.combine_scheds([0.3, 0.7], [schedule.sched_cos(0.3, 0.6), schedule.sched_cos(0.6, 0.2)])


@pytest.mark.parametrize("pos, want", [(0.0, 0.3), (0.15, 0.45), (0.3, 0.6), (0.65, 0.4)])  # pos 1: a test of its own
def test_combine_scheds_notebook_example(pos, want):
    expect_close(notebook_schedule()(pos), want,
                 f"combine_scheds([0.3, 0.7], [sched_cos(0.3, 0.6), sched_cos(0.6, 0.2)])({pos})",
                 "the first 30% of [0, 1] runs 0.3 -> 0.6, the last 70% runs 0.6 -> 0.2, each over its own 0..1")


def test_combined_schedule_returns_a_python_float():
    def line_up(pos):  # plain arithmetic: handed a tensor position, it gives back a tensor
        return 0.3 + 0.3 * pos

    def line_down(pos):
        return 0.6 - 0.4 * pos

    for call, f in (
            ("combine_scheds([0.3, 0.7], [sched_cos(0.3, 0.6), sched_cos(0.6, 0.2)])", notebook_schedule()),
            ("combine_scheds([0.3, 0.7], [lambda pos: 0.3 + 0.3 * pos, lambda pos: 0.6 - 0.4 * pos])",
             schedule.combine_scheds([0.3, 0.7], [line_up, line_down]))):
        got = f(0.5)
        if not isinstance(got, float):
            fail(f"{call}(0.5) returned {show(got)}, a {type(got).__name__}\n"
                 "  expected a Python float (the contract), ready to be an optimiser's lr")


def test_combined_schedule_reaches_pos_one_for_any_number_of_phases():
    for n in (1, 2, 3, 5):
        pcts = [1 / n] * n
        scheds = [schedule.sched_lin(i, i + 1) for i in range(n)]
        call = f"combine_scheds({[round(p, 3) for p in pcts]}, [sched_lin(i, i + 1) for i in range({n})])"
        f = schedule.combine_scheds(pcts, scheds)
        try:
            got, error = f(1.0), None
        except (IndexError, ZeroDivisionError) as e:
            got, error = None, f"{type(e).__name__}: {e}"
        if error is not None:
            fail(f"{call}(1.0) raised {error}\n"
                 f"  expected {n}: pos 1 is the end of the last schedule (the notebook's combine_scheds indexes "
                 "one past the last phase there, and its patch only mends two schedules)")
        expect_close(got, n, f"{call}(1.0)", "pos 1 is the end of the last schedule, for any number of schedules")
        expect_close(f(0.0), 0, f"{call}(0.0)", "pos 0 is the start of the first schedule")


@given(data=st.data(), n=st.integers(1, 5))
def test_combined_schedule_hits_every_join_and_is_continuous(data, n):
    pcts = data.draw(exact_pcts(n), label="pcts")
    ends = data.draw(st.lists(values, min_size=n + 1, max_size=n + 1), label="ends")
    f = schedule.combine_scheds(pcts, [schedule.sched_lin(a, b) for a, b in zip(ends, ends[1:])])
    call = (f"combine_scheds({[round(p, 4) for p in pcts]}, "
            f"[sched_lin(a, b) chained through {[round(e, 3) for e in ends]}])")
    join = 0.0
    for i, pct in enumerate(pcts):
        if i > 0:
            below, above = f(join - 1e-10), f(join + 1e-10)
            if abs(below - above) > 2e-4:  # loose enough for float32 arithmetic on the joins
                fail(f"{call}: just below the join at {join:.6g} it gives {below:.6g}, just above {above:.6g}\n"
                     "  expected a continuous schedule: each phase starts where the previous one ended")
        expect_close(f(join), ends[i], f"{call}({join:.6g})", f"phase {i} starts at {ends[i]:.6g}", atol=2e-4)
        join += pct
    # where the last phase ends, pos = 1, is test_combined_schedule_reaches_pos_one_for_any_number_of_phases' business


@given(data=st.data(), n=st.integers(1, 4))
def test_combined_increasing_schedules_never_decrease(data, n):
    pcts = data.draw(exact_pcts(n), label="pcts")
    ends = sorted(data.draw(st.lists(positives, min_size=n + 1, max_size=n + 1), label="ends"))
    f = schedule.combine_scheds(pcts, [schedule.sched_cos(a, b) for a, b in zip(ends, ends[1:])])
    grid = [i / 100 for i in range(100)]  # up to 0.99: pos = 1 has a test of its own
    got = [f(p) for p in grid]
    for p, q, a, b in zip(grid, grid[1:], got, got[1:]):
        if b < a - 1e-6 * (1 + abs(a)):
            fail(f"combine_scheds({[round(x, 4) for x in pcts]}, cosine phases through "
                 f"{[round(e, 4) for e in ends]}): f({p}) = {a:.6g} but f({q}) = {b:.6g}\n"
                 "  expected a schedule that never goes down, since every phase goes up")


def test_pcts_that_sum_to_one_up_to_rounding_are_accepted():
    pcts = [0.1] * 10  # sum(pcts) is 0.9999999999999999 in floating point
    f = schedule.combine_scheds(pcts, [schedule.sched_lin(i, i + 1) for i in range(10)])
    for pos, want in ((0.0, 0), (0.55, 5.5), (0.95, 9.5)):  # pos 1: a test of its own
        expect_close(f(pos), want, f"combine_scheds([0.1] * 10, [sched_lin(i, i + 1) for i in range(10)])({pos})",
                     "pcts summing to 1 within 1e-6 are fine (the lesson's `assert sum(pcts) == 1.` rejected these)")


ZERO_WIDTH = [
    # name, pcts, the ends of the chained sched_lin phases, (pos, value) cases; pos = 1 with more than two
    # schedules is test_combined_schedule_reaches_pos_one_for_any_number_of_phases' business
    ("middle", [0.5, 0.0, 0.5], [0, 1, 1, 2], [(0.0, 0.0), (0.25, 0.5), (0.5, 1.0), (0.75, 1.5)]),
    ("last", [1.0, 0.0], [0, 1, 1], [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]),
    ("first", [0.0, 1.0], [1, 1, 2], [(0.0, 1.0), (0.5, 1.5), (1.0, 2.0)]),
]


def test_phases_of_zero_width_are_allowed():
    for _, pcts, ends, cases in ZERO_WIDTH:
        scheds = [schedule.sched_lin(a, b) for a, b in zip(ends, ends[1:])]
        call = f"combine_scheds({pcts}, [{', '.join(f'sched_lin({a}, {b})' for a, b in zip(ends, ends[1:]))}])"
        f = schedule.combine_scheds(pcts, scheds)
        for pos, want in cases:
            try:
                got, error = f(pos), None
            except ZeroDivisionError as e:
                got, error = None, str(e)
            if error is not None:
                fail(f"{call}({pos}) raised ZeroDivisionError: {error}\n"
                     "  a phase of width 0 never runs: its position can't be divided by its width")
            expect_close(got, want, f"{call}({pos})",
                         "pcts may be 0 (only negative ones are wrong); the other phases run over their share of "
                         "[0, 1] (the notebook divides by the width 0 and gets a NaN)")


def combine_refuses(pcts, scheds, pos):
    """None when combine_scheds(pcts, scheds), or a call of it at pos, raises a ValueError; else what happened."""
    try:
        f = schedule.combine_scheds(pcts, scheds)
        f(pos)  # raising on the first call is accepted too
    except ValueError:
        return None
    except NotImplementedError:
        raise
    except AssertionError:
        return "an AssertionError (asserts vanish under python -O; the notebook asserts here)"
    except Exception as e:
        return f"{type(e).__name__}: {e}"
    return "nothing"


BAD_PCTS = {"sum-0.9": [0.3, 0.6], "sum-1.1": [0.5, 0.6], "negative-last": [1.2, -0.2], "negative-first": [-0.5, 1.5]}


def test_bad_pcts_raise_value_error():
    for pcts in BAD_PCTS.values():
        raised = combine_refuses(pcts, [schedule.sched_lin(0, 1), schedule.sched_lin(1, 0)], 0.5)
        if raised is not None:
            fail(f"combine_scheds({pcts}, [sched_lin(0, 1), sched_lin(1, 0)]) raised {raised}\n"
                 "  expected a ValueError: pcts must be >= 0 and sum to 1 (within 1e-6)")


def test_pcts_and_scheds_of_different_lengths_raise_value_error():
    raised = combine_refuses([0.5, 0.5], [schedule.sched_lin(0, 1)], 0.75)
    if raised is not None:
        fail(f"combine_scheds([0.5, 0.5], [sched_lin(0, 1)]) (then called at 0.75) raised {raised}\n"
             "  expected a ValueError: one pct for each schedule")


# --- Recorder and ParamScheduler in the tree's Runner -------------------------------------

def two_group_learn(lrs=(0.1, 0.05), n_train=5, n_valid=2):
    """make_learn with an SGD of two param groups: the first layer, and the last one."""
    learn = make_learn(n_train=n_train, n_valid=n_valid)
    first, _, last = learn.model
    learn.opt = torch.optim.SGD([{"params": first.parameters(), "lr": lrs[0]},
                                 {"params": last.parameters(), "lr": lrs[1]}], lr=lrs[0], momentum=0.5)
    return learn


def probe(record, event="after_pred"):
    """A callback of the tree's runner that records, at `event`, the phase, every group's lr and the loss."""

    class Probe(runner.Callback):
        _order = 5

    def look(self):
        loss = self.loss.item() if event in ("after_loss", "after_backward", "after_step") else None
        record.append((self.in_train, [pg["lr"] for pg in self.opt.param_groups], loss))

    setattr(Probe, event, look)
    return Probe()


def positions_of(epochs, iters):
    """The pos n_epochs/epochs of each training batch, n_epochs summed the way TrainEvalCallback does."""
    out = []
    for n_epochs in map(float, range(epochs)):
        for _ in range(iters):
            out.append(n_epochs / epochs)
            n_epochs += 1 / iters
    return out


def test_recorder_records_every_group_lr_per_training_batch():
    learn = two_group_learn()
    recorder = schedule.Recorder()
    run = runner.Runner(cbs=[recorder])
    run.fit(2, learn)
    lrs = recorder.lrs
    if not hasattr(lrs, "__len__") or len(lrs) != 2:
        fail(f"Recorder after a fit with 2 param groups: recorder.lrs is {show(lrs)}\n"
             "  expected one list per param group: lrs[0], lrs[1]")
    for group, lr in enumerate((0.1, 0.05)):
        got = [float(v) for v in lrs[group]]
        expect_equal(got, [lr] * 10, f"Runner(cbs=[Recorder()]).fit(2, learn), 5 training and 2 validation batches "
                                     f"an epoch, group {group} at lr {lr}; recorder.lrs[{group}]",
                     "one lr per training batch (validation batches are not recorded)")


def test_recorder_records_training_losses_detached_on_the_cpu():
    learn = two_group_learn()
    record = []
    recorder = schedule.Recorder()
    run = runner.Runner(cbs=[recorder, probe(record, "after_loss")])
    run.fit(2, learn)
    expected = [loss for in_train, _, loss in record if in_train]
    losses = list(recorder.losses)
    for loss in losses:
        attached = isinstance(loss, torch.Tensor) and (loss.requires_grad or loss.grad_fn is not None)
        if attached or (isinstance(loss, torch.Tensor) and loss.device.type != "cpu"):
            fail(f"Recorder after a fit: recorder.losses holds {show(loss)} (requires_grad={loss.requires_grad}, "
                 f"device={loss.device})\n  expected losses detached from the graph and on the CPU")
    expect_close(torch.tensor([float(v) for v in losses]), torch.tensor(expected),
                 "Runner(cbs=[Recorder()]).fit(2, learn), 5 training and 2 validation batches an epoch; recorder.losses",
                 "the loss of each training batch, in order (validation batches are not recorded)")


def line_y(ax):
    """The y data of the last line drawn on `ax`, as float64."""
    return torch.tensor([float(v) for v in ax.lines[-1].get_ydata()], dtype=torch.float64)


def test_plot_lr_draws_the_last_group_by_default():
    import matplotlib.axes

    learn = two_group_learn()
    recorder = schedule.Recorder()
    runner.Runner(cbs=[recorder]).fit(1, learn)
    for call, args, lr in (("recorder.plot_lr()", (), 0.05), ("recorder.plot_lr(0)", (0,), 0.1)):
        ax = recorder.plot_lr(*args)
        if not isinstance(ax, matplotlib.axes.Axes) or not ax.lines:
            fail(f"{call} returned {show(ax)}\n  expected the matplotlib Axes it drew a line on "
                 "(the notebook's plot_lr draws on the current figure and returns nothing)")
        expect_close(line_y(ax), torch.tensor([lr] * 5),
                     f"{call} after a 1-epoch fit of 5 training batches, lrs 0.1 and 0.05; the line's y data",
                     "the lrs of param group pgid, which defaults to -1, the last group")


def test_plot_loss_draws_the_losses_but_the_last_skip_last():
    import matplotlib.axes

    learn = two_group_learn()
    record = []
    recorder = schedule.Recorder()
    runner.Runner(cbs=[recorder, probe(record, "after_loss")]).fit(2, learn)
    losses = [loss for in_train, _, loss in record if in_train]
    for skip_last in (0, 3):
        ax = recorder.plot_loss() if skip_last == 0 else recorder.plot_loss(skip_last=skip_last)
        call = "recorder.plot_loss()" if skip_last == 0 else f"recorder.plot_loss(skip_last={skip_last})"
        if not isinstance(ax, matplotlib.axes.Axes) or not ax.lines:
            fail(f"{call} returned {show(ax)}\n  expected the matplotlib Axes it drew a line on "
                 "(the notebook's plot_loss draws on the current figure and returns nothing)")
        expect_close(line_y(ax), torch.tensor(losses[:len(losses) - skip_last], dtype=torch.float64),
                     f"{call} after a fit of 10 training batches; the line's y data",
                     f"the training losses but the last {skip_last}" + (" (losses[:-0] is empty!)" if not skip_last
                                                                         else ""))


def test_param_scheduler_order_is_one():
    ps = schedule.ParamScheduler("lr", schedule.sched_lin(0.1, 0.2))
    expect_equal(ps._order, 1, "ParamScheduler('lr', sched_lin(0.1, 0.2))._order", "the contract: _order = 1")


def test_fit_sets_the_scheduled_lr_before_each_training_batch():
    learn = two_group_learn()
    record = []
    sched = schedule.sched_lin(0.1, 0.6)
    run = runner.Runner(cbs=[schedule.ParamScheduler("lr", sched), probe(record)])
    run.fit(2, learn)
    seen = [lrs for in_train, lrs, _ in record if in_train]
    expected = [[sched(pos)] * 2 for pos in positions_of(2, 5)]
    expect_close(torch.tensor(seen), torch.tensor(expected),
                 "Runner(cbs=[ParamScheduler('lr', sched_lin(0.1, 0.6))]).fit(2, learn), 5 training batches an epoch; "
                 "each group's lr at after_pred of each training batch",
                 "before each training batch, every group gets sched(n_epochs / epochs)")


def test_fit_leaves_the_lr_alone_during_validation():
    learn = two_group_learn()
    record = []
    sched = schedule.sched_lin(0.1, 0.6)
    run = runner.Runner(cbs=[schedule.ParamScheduler("lr", sched), probe(record)])
    run.fit(2, learn)
    last_train = None
    for in_train, lrs, _ in record:
        if in_train:
            last_train = lrs
        elif lrs != last_train:
            mismatch("Runner(cbs=[ParamScheduler('lr', sched_lin(0.1, 0.6))]).fit(2, learn); "
                     "each group's lr during a validation batch", lrs, last_train,
                     "the lr set for the last training batch: the scheduler never changes it in validation")


def lrs_of_the_only_group(recorder):
    """recorder.lrs[0] after a fit with one param group.

    A flat list of lrs, the notebook Recorder's (it keeps the last group's only), is read as that
    group's: keeping one list per group is test_recorder_records_every_group_lr_per_training_batch's
    business, not this test's.
    """
    lrs = recorder.lrs
    if isinstance(lrs, list) and lrs and not isinstance(lrs[0], (list, tuple)):
        return lrs
    return lrs[0]


def test_recorder_sees_the_notebook_schedule():
    learn = make_learn(n_train=7, lr=0.3)
    sched = notebook_schedule()
    recorder = schedule.Recorder()
    run = runner.Runner(cb_funcs=[lambda: recorder, lambda: schedule.ParamScheduler("lr", sched)])
    run.fit(3, learn)
    expect_close(torch.tensor([float(v) for v in lrs_of_the_only_group(recorder)]),
                 torch.tensor([sched(pos) for pos in positions_of(3, 7)]),
                 "Runner with a Recorder and ParamScheduler('lr', combine_scheds([0.3, 0.7], [sched_cos(0.3, 0.6), "
                 "sched_cos(0.6, 0.2)])); fit(3, learn) of 7 training batches an epoch; recorder.lrs[0]",
                 "the notebook's one-cycle schedule at n_epochs / epochs of each training batch")


def test_length_mismatch_raises_value_error_by_fit():
    learn = two_group_learn()
    three = [schedule.sched_lin(0.1, 0.2)] * 3
    try:
        run = runner.Runner(cbs=[schedule.ParamScheduler("lr", three)])
        run.fit(1, learn)
    except ValueError:
        return
    except NotImplementedError:
        raise
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
    else:
        error = None
    if error is not None:
        fail(f"ParamScheduler('lr', [3 schedules]) in a fit of an optimiser with 2 param groups raised "
             f"{error}\n  expected a ValueError: one schedule per param group")
    fail("ParamScheduler('lr', [3 schedules]) in a fit of an optimiser with 2 param groups raised nothing\n"
         "  expected a ValueError: zip() would silently drop the third schedule")


# --- ParamScheduler, probed with a runner-shaped namespace -------------------------------

def three_group_opt():
    layers = [torch.nn.Linear(2, 2) for _ in range(3)]
    return torch.optim.SGD([{"params": layer.parameters(), "lr": 9.0} for layer in layers], lr=9.0, momentum=0.9)


def before_batch(ps, *, in_train=True, n_epochs=0.0, epochs=1, opt=None, iters=4):
    """Drive `ps` through begin_fit (when it has one) and one begin_batch on a runner-shaped namespace."""
    opt = opt if opt is not None else three_group_opt()
    # run.opt reads run.learn.opt in the contract: a callback may reach it either way
    fake = SimpleNamespace(opt=opt, learn=SimpleNamespace(opt=opt), in_train=in_train, n_epochs=n_epochs,
                           epochs=epochs, epoch=int(n_epochs), iters=iters, n_iter=round(n_epochs * iters), stop=False)
    ps.set_runner(fake)
    begin_fit = getattr(ps, "begin_fit", None)
    if begin_fit is not None:
        begin_fit()
    ps.begin_batch()
    return opt


def test_one_schedule_sets_every_param_group():
    sched = schedule.sched_lin(0.0, 1.0)
    opt = before_batch(schedule.ParamScheduler("lr", sched), n_epochs=1.5, epochs=2)
    expect_close(torch.tensor([pg["lr"] for pg in opt.param_groups]), torch.tensor([0.75] * 3),
                 "ParamScheduler('lr', sched_lin(0, 1)).begin_batch() with run.n_epochs=1.5, run.epochs=2 "
                 "and 3 param groups; each group's lr", "sched(1.5 / 2) in every param group, not only the first")


def test_one_schedule_per_param_group():
    scheds = [schedule.sched_lin(0.0, 1.0), schedule.sched_lin(1.0, 3.0), schedule.sched_no(7.0, 0.0)]
    opt = before_batch(schedule.ParamScheduler("lr", scheds), n_epochs=1.0, epochs=4)
    expect_close(torch.tensor([pg["lr"] for pg in opt.param_groups]), torch.tensor([0.25, 1.5, 7.0]),
                 "ParamScheduler('lr', [sched_lin(0, 1), sched_lin(1, 3), sched_no(7, 0)]).begin_batch() "
                 "with run.n_epochs=1, run.epochs=4; each group's lr", "group i gets scheds[i](0.25)")


def test_schedules_any_hyper_parameter():
    opt = before_batch(schedule.ParamScheduler("momentum", schedule.sched_lin(0.95, 0.85)), n_epochs=0.5, epochs=1)
    got = [(pg["momentum"], pg["lr"]) for pg in opt.param_groups]
    expect_close(torch.tensor(got), torch.tensor([(0.9, 9.0)] * 3),
                 "ParamScheduler('momentum', sched_lin(0.95, 0.85)).begin_batch() at pos 0.5; "
                 "each group's (momentum, lr)", "pname chooses the hyper-parameter; lr stays 9")


def test_begin_batch_does_nothing_in_validation():
    opt = before_batch(schedule.ParamScheduler("lr", schedule.sched_lin(0.0, 1.0)), in_train=False,
                       n_epochs=1.0, epochs=2)
    expect_equal([pg["lr"] for pg in opt.param_groups], [9.0] * 3,
                 "ParamScheduler('lr', sched_lin(0, 1)).begin_batch() with run.in_train=False; each group's lr",
                 "the lr is scheduled before training batches only")


def test_position_never_passes_one():
    for epochs, n_epochs in ((1, 1.0000000000000002), (3, 3.0000000000000004), (2, 2.0)):
        seen = []

        def sched(pos):
            seen.append(float(pos))
            return 0.5

        before_batch(schedule.ParamScheduler("lr", sched), n_epochs=n_epochs, epochs=epochs)
        if not seen:
            fail("ParamScheduler('lr', sched).begin_batch() in training never called sched")
        if any(not 0.0 <= pos <= 1.0 for pos in seen):
            fail(f"ParamScheduler('lr', sched).begin_batch() with run.n_epochs={n_epochs!r}, run.epochs={epochs} "
                 f"called sched at pos {seen[0]!r}\n  expected a pos within [0, 1]: sums of 1/iters drift a hair "
                 "past the end of training, and a combined schedule may fail there (the notebook hands "
                 "n_epochs / epochs on as it is)")
