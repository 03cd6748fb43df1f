"""The `loopkata` command as a learner and an instructor use it."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loopkata.kata import paths
from loopkata.kata.steps import BY_ID
from loopkata.learner import progress
from loopkata.learner.watch import watch_loop

pytestmark = pytest.mark.timeout(600)
REFERENCE = paths.reference_tree() / "lesson9"


CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a new user has it


def loopkata(*args, cwd=None):
    """Run the installed command; return (exit code, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "loopkata.cli", *args], cwd=cwd, env=CLEAN_ENV,
                          capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


def workspace_with(tmp_path: Path, reference_modules=()) -> Path:
    """A fresh workspace, with the reference's version of some modules."""
    code, out, err = loopkata("init", str(tmp_path / "ws"))
    assert code == 0, err
    for module in reference_modules:
        shutil.copyfile(REFERENCE / f"{module}.py", tmp_path / "ws" / "lesson9" / f"{module}.py")
    return tmp_path / "ws"


def test_init_copies_the_skeletons_and_refuses_to_overwrite(tmp_path):
    ws = workspace_with(tmp_path)
    assert (ws / "lesson9" / "loss.py").read_text() == (paths.skeleton_tree() / "lesson9" / "loss.py").read_text()
    (ws / "lesson9" / "loss.py").write_text("# my work\n")
    code, out, err = loopkata("init", str(ws))
    assert code == 2 and "already exists" in err and len(err.strip().splitlines()) == 1
    assert (ws / "lesson9" / "loss.py").read_text() == "# my work\n"


def test_check_without_a_step_runs_the_first_step_not_passing(tmp_path):
    ws = workspace_with(tmp_path, ["init"])
    code, out, _ = loopkata("check", cwd=ws / "lesson9")  # found from a folder inside the workspace
    assert code == 1
    assert "step 2 (loss)" in out and "not implemented yet" in out


def test_check_a_passing_step_says_so(tmp_path):
    ws = workspace_with(tmp_path, ["loss"])
    code, out, _ = loopkata("check", "loss", "--impl", str(ws))
    assert code == 0 and "tests pass" in out


def test_status_shows_every_step_and_the_progress(tmp_path):
    ws = workspace_with(tmp_path, ["init", "loss"])
    code, out, _ = loopkata("status", "--impl", str(ws))
    assert code == 0
    lines = {line.split()[1]: line for line in out.splitlines() if line.strip()[:2].strip().isdigit()}
    assert "passing" in lines["init"] and "passing" in lines["loss"]
    assert "not started" in lines["modules"]
    assert "2/11 steps" in out and "loopkata check modules" in out


def test_diff_shows_the_learners_module_against_the_reference(tmp_path):
    ws = workspace_with(tmp_path)
    code, out, _ = loopkata("diff", "loss", "--impl", str(ws), "--color", "never")
    assert code == 0
    assert "--- reference/lesson9/loss.py" in out and "+++ yours/lesson9/loss.py" in out
    assert '+    raise NotImplementedError("nll: step 2 (loss)' in out


def test_hint_shows_one_hint_at_a_time(tmp_path):
    ws = workspace_with(tmp_path)
    first = loopkata("hint", "loss", "--impl", str(ws))[1]
    second = loopkata("hint", "loss", "--impl", str(ws))[1]
    assert first.startswith("Hint 1 of") and second.startswith("Hint 2 of")
    loopkata("hint", "loss", "--reset", "--impl", str(ws))
    assert loopkata("hint", "loss", "--impl", str(ws))[1].startswith("Hint 1 of")


@pytest.mark.parametrize("args, says", [
    (["check", "nonsense"], "unknown step 'nonsense'"),
    (["status"], "no workspace here"),
    (["check", "--impl", "missing-folder"], "no such folder"),
    (["grade", "missing-folder"], "no such file or folder"),
    (["grade", "."], "is not a kata tree"),
    (["frobnicate"], "invalid choice"),
])
def test_a_wrong_call_is_one_line_and_exit_2(tmp_path, args, says):
    code, out, err = loopkata(*args, cwd=tmp_path)
    assert code == 2
    assert says in err and len(err.strip().splitlines()) == 1, err


def test_grade_results_for_gradescope(tmp_path):
    sub = tmp_path / "alice"
    shutil.copytree(REFERENCE, sub / "lesson9")
    (sub / "lesson9" / "loss.py").write_text("def nll(:\n")
    code, out, err = loopkata("grade", str(sub), "--results", str(tmp_path / "results.json"), "--jobs", "2")
    assert code == 0, err
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) >= {"score", "max_score", "tests", "extra_data"}
    assert set(results["extra_data"]["steps"]) == {s for s in BY_ID}
    steps = results["extra_data"]["steps"]
    assert steps["loss"]["score"] == 0 and steps["modules"]["score"] == steps["modules"]["max_score"]
    assert steps["integration"]["score"] == 0
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output"}
    assert "syntax error" in next(t for t in results["tests"] if "loss" in t["name"])["output"]
    assert "alice" in out and "total" in out


def test_grade_a_folder_of_submissions_writes_a_gradebook(tmp_path):
    batch = tmp_path / "batch"
    shutil.copytree(REFERENCE, batch / "good" / "lesson9")
    (batch / "empty").mkdir(parents=True)
    code, out, err = loopkata("grade", str(batch), "--out", str(tmp_path / "grades"), "--jobs", "2",
                              "--junit", str(tmp_path / "junit.xml"))
    assert code == 0, err
    rows = (tmp_path / "grades" / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("submission,score,max_score,init,")
    by_name = {row.split(",")[0]: row.split(",") for row in rows[1:]}
    assert float(by_name["good"][1]) == 100.0 and float(by_name["empty"][1]) == 0.0
    assert "no lesson9/ folder" in ",".join(by_name["empty"])
    assert (tmp_path / "grades" / "good" / "results.json").exists()
    assert "<testsuites>" in (tmp_path / "junit.xml").read_text()


def test_results_is_refused_for_many_submissions(tmp_path):
    batch = tmp_path / "batch"
    shutil.copytree(REFERENCE, batch / "a" / "lesson9")
    shutil.copytree(REFERENCE, batch / "b" / "lesson9")
    code, _, err = loopkata("grade", str(batch), "--results", str(tmp_path / "r.json"))
    assert code == 2 and "--results is for one submission" in err


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


def test_watch_reruns_when_a_file_is_saved(tmp_path):
    ws = workspace_with(tmp_path, [m for m in ("init", "loss", "modules", "data", "databunch",
                                               "handler", "runner", "stats", "schedule")])
    proc = subprocess.Popen([sys.executable, "-m", "loopkata.cli", "watch", "device", "--poll", "--color", "never"],
                            cwd=ws, env=CLEAN_ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen = ""
        deadline = time.monotonic() + 240
        while "Waiting for you" not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()
        assert "step 10 (device)" in seen and "not implemented yet" in seen
        shutil.copyfile(REFERENCE / "device.py", ws / "lesson9" / "device.py")
        out, _ = proc.communicate(timeout=240)
        assert "On to integration" in out and "Every step passes" in out
        assert proc.returncode == 0
    finally:
        proc.kill()


def test_grade_writes_a_results_file_saying_why_nothing_was_graded(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    shutil.copyfile(REFERENCE / "loss.py", flat / "loss.py")  # files uploaded without their lesson9/ folder
    code, _, err = loopkata("grade", str(flat), "--results", str(tmp_path / "results.json"))
    assert code == 2 and "not a kata tree" in err
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["score"] == 0 and "not a kata tree" in results["output"]


def test_grade_finds_a_lesson9_wrapped_in_one_more_folder(tmp_path):
    upload = tmp_path / "submission"
    shutil.copytree(REFERENCE, upload / "alice-lesson9" / "lesson9")
    code, _, err = loopkata("grade", str(upload), "--results", str(tmp_path / "results.json"), "--jobs", "2")
    assert code == 0, err
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 100
