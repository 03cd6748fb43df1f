"""The `loopkata` command as learners and instructors call it, in this process.

Most tests here start no spec run (a wrong call, `diff`, `hint`, the watch
loop with its check replaced); the command run as its own process is in
test_end_to_end_commands.py.
"""
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from loopkata import cli
from loopkata.containment.specrun import TestResult
from loopkata.grading import command as grading_command
from loopkata.grading.grader import Grader
from loopkata.kata import paths
from loopkata.kata.steps import BY_ID
from loopkata.learner import checking, commands, hints, progress, watch
from loopkata.learner.watch import watch_loop

pytestmark = pytest.mark.timeout(300)
REFERENCE = paths.reference_tree() / "lesson9"
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a new user has it


def loopkata(*args, cwd=None):
    """Run the installed command; return (exit code, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "loopkata", *args], cwd=cwd, env=CLEAN_ENV,
                          capture_output=True, text=True, timeout=240)
    return done.returncode, done.stdout, done.stderr


def workspace_with(tmp_path: Path, reference_modules=()) -> Path:
    """A fresh workspace, with the reference's version of some modules."""
    code, out, err = loopkata("init", str(tmp_path / "ws"))
    assert code == 0, err
    for module in reference_modules:
        shutil.copyfile(REFERENCE / f"{module}.py", tmp_path / "ws" / "lesson9" / f"{module}.py")
    return tmp_path / "ws"


@pytest.mark.parametrize("args, says", [
    (["check", "nonsense"], "unknown step 'nonsense'"),
    (["status"], "no workspace here"),
    (["check", "--impl", "missing-folder"], "no such folder"),
    (["grade", "missing-folder"], "no such file or folder"),
    (["grade", "."], "is not a kata tree"),
    (["grade", ".", "--jobs", "0"], "--jobs must be at least 1"),
    (["frobnicate"], "invalid choice"),
])
def test_a_wrong_call_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, args, says):
    monkeypatch.chdir(tmp_path)
    try:
        code = cli.main(args)
    except SystemExit as e:  # argparse's own errors
        code = e.code
    err = capsys.readouterr().err
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1, err


def test_diff_before_the_step_passes_refuses_unless_asked(tmp_path, capsys):
    ws = workspace_with(tmp_path)
    assert cli.main(["diff", "loss", "--impl", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "step 2 (loss) does not pass yet (0 of " in err and "--before-passing" in err
    assert cli.main(["diff", "loss", "--impl", str(ws), "--color", "never", "--before-passing"]) == 0
    out = capsys.readouterr().out
    assert "--- reference/lesson9/loss.py" in out and "+++ yours/lesson9/loss.py" in out
    assert '+    raise NotImplementedError("nll: step 2 (loss)' in out
    assert "SOLUTION" not in out  # the markers are the reference's business, not the learner's


def test_hint_shows_one_hint_at_a_time(tmp_path, capsys):
    ws = workspace_with(tmp_path)
    hint = lambda *more: (cli.main(["hint", "loss", *more, "--impl", str(ws), "--color", "never"]),
                          capsys.readouterr().out)[1]
    first = hint()
    assert first.startswith("Hint 1 of") and "(helps with test_" in first and "hint loss` again" in first
    assert hint().startswith("Hint 2 of")
    hint("--reset")
    assert hint().startswith("Hint 1 of")
    assert hint("4").startswith("Hint 4 of") and hint().startswith("Hint 5 of")  # 1 to 4 count as shown
    assert hint("--all").count("Hint ") == len(hints.hints_of(BY_ID["loss"]))


@pytest.mark.parametrize("args, says", [(["loss", "99"], "step 2 (loss) has hints 1 to "),
                                        (["nonsense"], "unknown step 'nonsense'")])
def test_hint_out_of_range_is_one_line(tmp_path, capsys, args, says):
    ws = workspace_with(tmp_path)
    assert cli.main(["hint", *args, "--impl", str(ws)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_hint_with_a_broken_hints_file_is_one_line(tmp_path, capsys, monkeypatch):
    ws = workspace_with(tmp_path)
    (tmp_path / "spec").mkdir()
    (tmp_path / paths.HINTS_FILE).write_text("[[loss]\n")
    monkeypatch.setattr(paths, "kata_root", lambda: tmp_path)
    assert cli.main(["hint", "loss", "--impl", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "hints.toml is not valid TOML" in err and len(err.strip().splitlines()) == 1


def failing_state(step_id, *names):
    tests = [TestResult(f"tests/test_x.py::{name}", step_id, "failed", "a failure") for name in names]
    return progress.StepState(BY_ID[step_id], progress.FAILING, 1, 1 + len(tests), tests)


def test_check_names_the_hint_about_the_first_failing_test(tmp_path, monkeypatch):
    shutil.copytree(paths.skeleton_tree() / "lesson9", tmp_path / "lesson9")
    state = failing_state("loss", "test_nll_matches_torch[square]", "test_accuracy_is_a_0dim_float_tensor")
    monkeypatch.setattr(checking, "check", lambda *args, **kwargs: checking.Checked([state], None))
    number = next(h.number for h in hints.hints_of(BY_ID["loss"]) if h.covers("test_nll_matches_torch"))
    text, passing = commands.check_report(tmp_path, BY_ID["loss"])
    assert not passing and text.splitlines()[-1] == \
        f"Stuck on test_nll_matches_torch[square]? `loopkata hint loss {number}` is about it."
    hints.remember(tmp_path, BY_ID["loss"], number)
    last = commands.check_report(tmp_path, BY_ID["loss"])[0].splitlines()[-1]
    assert last.startswith("Stuck on test_nll_matches_torch[square]? Hint ") and "which you have seen" in last


def test_check_names_no_hint_for_a_test_no_hint_names(tmp_path, monkeypatch):
    shutil.copytree(paths.skeleton_tree() / "lesson9", tmp_path / "lesson9")
    state = failing_state("loss", "test_held_out_by_the_instructor")
    monkeypatch.setattr(checking, "check", lambda *args, **kwargs: checking.Checked([state], None))
    assert "Stuck on" not in commands.check_report(tmp_path, BY_ID["loss"])[0]


def state(step_id, state_):
    return progress.StepState(BY_ID[step_id], state_, 0, 1)


def test_watch_moves_on_when_a_step_passes_and_waits_when_it_fails():
    outcomes = {"device": [progress.FAILING, progress.PASSING], "integration": [progress.PASSING]}
    checked, said, waits = [], [], []

    def check(step):
        checked.append(step.id)
        return state(step.id, outcomes[step.id].pop(0))

    def wait():
        waits.append(1)
        return True

    assert watch_loop(BY_ID["device"], check, wait, said.append, color=False) == 0
    assert checked == ["device", "device", "integration"]
    assert len(waits) == 1
    assert "Every step passes" in said[-1]


def test_watch_stops_when_asked():
    check = lambda step: state(step.id, progress.FAILING)
    assert watch_loop(BY_ID["loss"], check, lambda: False, lambda _: None, color=False) == 0


@pytest.mark.parametrize("kind, path, dest, saved", [
    ("modified", "ws/lesson9/loss.py", "", True), ("created", "ws/lesson9/new.py", "", True),
    ("moved", "ws/lesson9/.loss.py.swp", "ws/lesson9/loss.py", True), ("closed", "ws/lesson9/loss.py", "", True),
    ("modified", "ws/lesson9/notes.txt", "", False), ("opened", "ws/lesson9/loss.py", "", False),
    ("deleted", "ws/lesson9/loss.py", "", False),
])
def test_watch_counts_a_python_file_written_as_a_save(kind, path, dest, saved):
    from types import SimpleNamespace
    assert watch.is_save(SimpleNamespace(event_type=kind, src_path=path, dest_path=dest)) is saved


def test_watch_sees_a_saved_python_file(tmp_path):
    (tmp_path / "lesson9").mkdir()
    changed = threading.Event()
    observer = watch._start_observer(tmp_path / "lesson9", changed, poll=True)
    try:
        (tmp_path / "lesson9" / "loss.py").write_text("x = 1\n")
        assert changed.wait(10)
    finally:
        observer.stop()


def test_grade_a_folder_of_submissions_writes_the_gradebook_and_junit(tmp_path, capsys, monkeypatch, fork_server):
    monkeypatch.setattr(grading_command, "Grader", functools.partial(Grader, fork_server=fork_server))
    batch = tmp_path / "batch"
    shutil.copytree(REFERENCE, batch / "good" / "lesson9")
    (batch / "empty").mkdir(parents=True)
    assert cli.main(["grade", str(batch), "--out", str(tmp_path / "grades"), "--junit", str(tmp_path / "junit.xml")]) == 0
    rows = (tmp_path / "grades" / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("submission,score,max_score,init,")
    by_name = {row.split(",")[0]: row.split(",") for row in rows[1:]}
    assert float(by_name["good"][1]) == 100.0 and float(by_name["empty"][1]) == 0.0
    assert "no lesson9/ folder" in ",".join(by_name["empty"])
    assert (tmp_path / "grades" / "good" / "results.json").exists()
    assert "<testsuites>" in (tmp_path / "junit.xml").read_text()
    assert "[2/2]" in capsys.readouterr().err  # a line per submission graded


def test_results_is_refused_for_many_submissions(tmp_path, capsys):
    batch = tmp_path / "batch"
    (batch / "a" / "lesson9").mkdir(parents=True)
    (batch / "b" / "lesson9").mkdir(parents=True)
    assert cli.main(["grade", str(batch), "--results", str(tmp_path / "r.json")]) == 2
    assert "--results is for one submission" in capsys.readouterr().err


def test_grade_writes_a_results_file_saying_why_nothing_was_graded(tmp_path, capsys):
    flat = tmp_path / "flat"
    flat.mkdir()
    shutil.copyfile(REFERENCE / "loss.py", flat / "loss.py")  # files uploaded without their lesson9/ folder
    assert cli.main(["grade", str(flat), "--results", str(tmp_path / "results.json")]) == 2
    assert "not a kata tree" in capsys.readouterr().err
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == 0 and "not a kata tree" in results["output"]
