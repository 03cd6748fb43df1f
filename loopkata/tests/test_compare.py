"""`loopkata compare`: copies of the reference with one lesson bug each, traced and compared.

Every tree runs in a child forked from one fork server (torch is imported once),
and the reference is traced once for the whole module.
"""
import shutil
import time

import pytest

from loopkata import cli
from loopkata.containment.sandbox import ChildRun, Limits
from loopkata.kata import paths
from loopkata.learner import compare
from loopkata.learner.compare import RAISED, Divergence, Outcome, Trace

pytestmark = pytest.mark.timeout(120)

REFERENCE = paths.reference_tree() / "lesson9"
LIMITS = Limits(wall_seconds=30)
# one lesson bug each: (module, the reference's text, the bug)
MUTATIONS = {
    "returns_at_first_true": ("runner", "if f():\n                res = True", "if f():\n                return True"),
    "counts_validation_batches": ("runner", "if not self.in_train:\n            return\n        self.run.n_epochs",
                                  "self.run.n_epochs"),
    "stats_not_weighted": ("stats", "bn = run.xb.shape[0]", "bn = 1"),
    "schedules_on_n_iter": ("schedule", "pos = min(self.n_epochs / self.epochs, 1.0)",
                            "pos = min(self.n_iter / self.epochs, 1.0)"),
    "calls_in_registration_order": ("runner", "by_order = sorted(self.cbs, key=lambda cb: cb._order)",
                                    "by_order = self.cbs"),
    "raises_in_a_callback": ("stats", "stats.accumulate(self.run)", "stats.accumulate()"),
    "syntax_error": ("runner", "def listify(o) -> list:", "def listify(o) -> list"),
}


@pytest.fixture(scope="module")
def reference_trace(fork_server, tmp_path_factory) -> Trace:
    return compare.trace(REFERENCE.parent, tmp_path_factory.mktemp("reference"), LIMITS, fork_server)


@pytest.fixture
def compare_with(fork_server, reference_trace, tmp_path):
    """Copy the reference, change one module, trace the copy and compare it with the reference."""

    def run(module: str | None = None, old: str = "", new: str = "", *, text: str | None = None,
            limits: Limits = LIMITS) -> Outcome:
        tree = tmp_path / "tree"
        shutil.copytree(REFERENCE, tree / "lesson9", ignore=shutil.ignore_patterns("__pycache__"))
        if module is not None:
            path = tree / "lesson9" / f"{module}.py"
            source = path.read_text()
            if text is None:
                assert old in source, f"the reference's {module}.py changed: update this test's mutation"
                text = source.replace(old, new)
            path.write_text(text)
        return compare.compare(compare.trace(tree, tmp_path / "work", limits, fork_server), reference_trace)

    return run


def test_the_reference_agrees_with_itself(compare_with):
    outcome = compare_with()
    assert outcome.agree and len(outcome.reference.entries) == 72
    assert "agree on all 72 events" in compare.render(outcome, "ws", color=False)


def test_a_runner_returning_at_the_first_true_misses_an_event(compare_with):
    outcome = compare_with(*MUTATIONS["returns_at_first_true"])
    d = outcome.divergence
    assert d == Divergence(6, [])
    assert outcome.yours.entries[6]["event"] == "after_batch"
    assert compare.finding(outcome).startswith(
        "After event `after_backward` in the 1st training batch of the 1st epoch, the reference's next event "
        "is `after_step`, yours is `after_batch`.")


def test_counting_validation_batches_shows_in_n_iter_and_n_epochs(compare_with):
    outcome = compare_with(*MUTATIONS["counts_validation_batches"])
    assert outcome.divergence.fields == ["n_iter", "n_epochs"]
    assert compare.finding(outcome) == (
        "In the 1st validation batch of the 1st epoch, at event `after_batch`: your run.n_iter is 5, the "
        "reference's is 4; your run.n_epochs is 1.5, the reference's is 1.")


def test_stats_not_weighted_by_batch_size_part_at_the_short_last_batch(compare_with):
    outcome = compare_with(*MUTATIONS["stats_not_weighted"])
    assert outcome.divergence.fields == ["train_stats"]
    text = compare.render(outcome, "ws", color=False)
    assert "In the 4th training batch of the 1st epoch, at event `after_loss`: your training stats" in text
    assert "train_stats [" in text  # the diverging stats are shown on both lines


def test_a_schedule_on_n_iter_sets_another_lr_at_the_2nd_batch(compare_with):
    outcome = compare_with(*MUTATIONS["schedules_on_n_iter"])
    assert outcome.divergence == Divergence(8, ["lr"])
    assert compare.finding(outcome).startswith(
        "In the 2nd training batch of the 1st epoch, at event `begin_batch`: your learning rate")


def test_callbacks_not_sorted_by_order_show_in_what_the_tracer_sees(compare_with):
    outcome = compare_with(*MUTATIONS["calls_in_registration_order"])
    # the tracer, registered before AvgStatsCallback, now looks before anything was accumulated
    assert outcome.divergence == Divergence(4, ["train_stats"])
    assert outcome.yours.entries[4]["event"] == "after_loss"


def test_an_exception_is_told_with_its_file_and_event(compare_with):
    outcome = compare_with(*MUTATIONS["raises_in_a_callback"])
    assert outcome.yours.entries[outcome.divergence.index]["event"] == RAISED
    finding = compare.finding(outcome)
    assert "your run raised TypeError: " in finding
    assert "(lesson9/stats.py, line " in finding and "during `after_loss`" in finding


def test_an_unwritten_module_is_one_line_naming_the_step_and_file(compare_with):
    skeleton = (paths.skeleton_tree() / "lesson9" / "stats.py").read_text()
    outcome = compare_with("stats", text=skeleton)
    assert outcome.divergence is None and not outcome.agree
    assert "\n" not in outcome.problem
    assert outcome.problem.startswith("lesson9/stats.py is not written yet: AvgStatsCallback.__init__")
    assert "step 8 (stats)" in outcome.problem


def test_a_module_that_does_not_import_is_one_line(compare_with):
    outcome = compare_with(*MUTATIONS["syntax_error"])
    assert outcome.problem.startswith("lesson9/runner.py fails to import (step 7 (runner)")
    assert "SyntaxError" in outcome.problem and "\n" not in outcome.problem


def test_a_runner_looping_forever_at_import_ends_as_one_line_in_time(compare_with):
    started = time.monotonic()
    outcome = compare_with("runner", text="while True:\n    pass\n", limits=Limits(wall_seconds=1))
    assert time.monotonic() - started < 6
    assert outcome.problem == ("Your run did not get to its first event: it was still running after 1 s "
                               "(an endless loop?)")


# the comparison itself, on traces made here -----------------------------------------------

def entry(event: str, **values) -> dict:
    return {"event": event, "epoch": 0, "in_train": True, "n_iter": 0, "n_epochs": 0.0, "lr": [0.1], **values}


def test_float_noise_is_no_divergence_but_a_real_difference_is():
    reference = [entry("begin_batch"), entry("after_loss", loss=1.0)]
    assert compare.first_divergence([entry("begin_batch"), entry("after_loss", loss=1.0 + 1e-6)], reference) is None
    assert compare.first_divergence([entry("begin_batch"), entry("after_loss", loss=1.01)],
                                      reference) == Divergence(1, ["loss"])


def test_what_the_reference_has_not_set_is_not_compared():
    assert compare.first_divergence([entry("begin_fit", epoch=0)], [entry("begin_fit", epoch=None)]) is None


def test_an_exception_is_placed_before_the_after_fit_that_finally_ran():
    records = [{"kind": "event", **entry("begin_fit")}, {"kind": "event", **entry("after_fit")},
               {"kind": "raised", "error": "ValueError: no", "event": None}, {"kind": "done"}]
    child = ChildRun(returncode=0, timed_out=False, output="", records=records)
    events = [e["event"] for e in compare.read_trace(child, LIMITS).entries]
    assert events == ["begin_fit", RAISED, "after_fit"]


# the command ------------------------------------------------------------------------------

def test_compare_exits_0_when_the_runs_agree_and_1_when_they_part(monkeypatch, capsys, reference_trace):
    results = iter([
        compare.compare(reference_trace, reference_trace),
        compare.compare(Trace(reference_trace.entries[:5], ended="it was killed by signal 9"), reference_trace),
    ])
    monkeypatch.setattr(compare, "compare_with_reference", lambda tree: next(results))
    assert cli.main(["compare", "--impl", str(REFERENCE.parent), "--color", "never"]) == 0
    assert "agree on all 72 events" in capsys.readouterr().out
    assert cli.main(["compare", "--impl", str(REFERENCE.parent), "--color", "never"]) == 1
    assert "your run stops there: it was killed by signal 9." in capsys.readouterr().out


def test_compare_outside_a_workspace_is_a_usage_error(tmp_path, capsys):
    assert cli.main(["compare", "--impl", str(tmp_path)]) == 2
    assert "no lesson9/ folder there" in capsys.readouterr().err
