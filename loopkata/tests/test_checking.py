"""What `check` and `status` run: nothing remembered or still the skeleton, and steps in order up to the first
failing one. The child run itself is replaced here by one that records what it was asked."""
import shutil

import pytest

from loopkata.containment.specrun import SpecRun, TestResult
from loopkata.kata import paths
from loopkata.kata.steps import BY_ID, STEPS
from loopkata.learner import checking
from loopkata.learner.progress import FAILING, NOT_CHECKED, NOT_STARTED, PASSING

SPEC = paths.spec_files()


def files(**modules: str) -> dict[str, bytes]:
    return {"lesson9/__init__.py": b"", **{f"lesson9/{m}.py": text.encode() for m, text in modules.items()}}


def test_a_step_uses_its_module_and_what_it_imports_transitively():
    tree = files(stats="from lesson9.runner import Callback\n", runner="from . import helpers\n",
                 helpers="import lesson9.loss as l\n", loss="", init="")
    assert checking.used_files(BY_ID["stats"], tree) == [
        "lesson9/__init__.py", "lesson9/helpers.py", "lesson9/loss.py", "lesson9/runner.py", "lesson9/stats.py"]
    assert checking.used_files(BY_ID["init"], tree) == ["lesson9/__init__.py", "lesson9/init.py"]


def test_a_module_that_does_not_parse_uses_everything():
    tree = files(init="def f(:\n", loss="")
    assert checking.used_files(BY_ID["init"], tree) == sorted(tree)


def test_the_key_changes_with_what_the_step_uses_and_only_with_that():
    tree = files(stats="from lesson9.runner import Callback\n", runner="x = 1\n", init="")
    key = checking.step_key(BY_ID["stats"], tree, SPEC)
    assert checking.step_key(BY_ID["stats"], {**tree, "lesson9/init.py": b"y = 2\n"}, SPEC) == key
    assert checking.step_key(BY_ID["stats"], {**tree, "lesson9/runner.py": b"x = 2\n"}, SPEC) != key
    assert checking.step_key(BY_ID["stats"], tree, {**SPEC, "test_08_stats.py": b"changed"}) != key


@pytest.fixture
def workspace(tmp_path):
    shutil.copytree(paths.skeleton_tree() / "lesson9", tmp_path / "lesson9")
    return tmp_path


@pytest.fixture
def runs(monkeypatch):
    """Replace the child run: every step asked for passes, except the ids in `runs.failing`."""

    class Asked(list):
        failing: set[str]

    asked = Asked()
    asked.failing = set()

    def fake_run(workspace, exported, steps, only, stop_at_failure, server=None):
        asked.append(([s.id for s in steps], [s.id for s in only], stop_at_failure))
        tests, stopped = [], None
        for step in sorted(only, key=STEPS.index):
            if stopped:
                tests.append(TestResult(f"t::{step.id}", step.id, "missing", f"not run: {stopped}"))
                continue
            outcome = "failed" if step.id in asked.failing else "passed"
            tests.append(TestResult(f"t::{step.id}", step.id, outcome))
            if outcome == "failed" and stop_at_failure:
                stopped = f"{step.id} does not pass"
        return SpecRun(tests, None, counts={s.id: 1 for s in steps}, stopped=stopped)

    monkeypatch.setattr(checking, "_run", fake_run)
    return asked


def write_reference(workspace, *modules):
    for module in modules:
        shutil.copyfile(paths.reference_tree() / "lesson9" / f"{module}.py", workspace / "lesson9" / f"{module}.py")


def test_status_runs_nothing_still_the_skeleton_and_counts_the_tests_once(workspace, runs):
    first = checking.check(workspace, list(STEPS), failures=False)
    assert {s.state for s in first.states} == {NOT_STARTED} and runs == [([s.id for s in STEPS], [], False)]
    second = checking.check(workspace, list(STEPS), failures=False)
    assert [s.total for s in second.states] == [1] * len(STEPS) and len(runs) == 1  # counts remembered


def test_a_step_that_passed_is_not_run_again_until_what_it_uses_changes(workspace, runs):
    write_reference(workspace, "init", "loss")
    assert checking.check(workspace, [BY_ID["loss"]]).states[0].state == PASSING
    again = checking.check(workspace, [BY_ID["loss"]]).states[0]
    assert again.state == PASSING and again.note == "unchanged since it last passed" and len(runs) == 1
    (workspace / "lesson9" / "init.py").write_text("# changed\n")  # loss does not import init
    checking.check(workspace, [BY_ID["loss"]])
    assert len(runs) == 1
    (workspace / "lesson9" / "loss.py").write_text((workspace / "lesson9" / "loss.py").read_text() + "\n")
    checking.check(workspace, [BY_ID["loss"]])
    assert len(runs) == 2


def test_again_runs_what_is_remembered(workspace, runs):
    write_reference(workspace, "loss")
    checking.check(workspace, [BY_ID["loss"]])
    checking.check(workspace, [BY_ID["loss"]], again=True)
    assert len(runs) == 2


def test_a_failing_step_is_forgotten(workspace, runs):
    write_reference(workspace, "loss")
    checking.check(workspace, [BY_ID["loss"]])
    runs.failing.add("loss")
    assert checking.check(workspace, [BY_ID["loss"]], again=True).states[0].state == FAILING
    assert checking.check(workspace, [BY_ID["loss"]]).states[0].state == FAILING and len(runs) == 3


def test_check_runs_from_the_first_step_not_remembered_to_the_first_still_the_skeleton(workspace, runs):
    write_reference(workspace, "init", "loss", "modules")
    checking.check(workspace, [BY_ID["init"]])
    checked = checking.check(workspace, list(STEPS), stop_at_failure=True)
    assert runs[-1][1] == ["loss", "modules", "data"] and runs[-1][2] is True
    assert [s.state for s in checked.states[:5]] == [PASSING, PASSING, PASSING, PASSING, NOT_CHECKED]


def test_check_stops_at_the_first_failing_step(workspace, runs):
    write_reference(workspace, "init", "loss", "modules")
    runs.failing.add("loss")
    checked = checking.check(workspace, list(STEPS), stop_at_failure=True)
    assert [s.state for s in checked.states[:3]] == [PASSING, FAILING, NOT_CHECKED]
