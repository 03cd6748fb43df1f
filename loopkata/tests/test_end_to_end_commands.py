"""The `loopkata` command run as a new user runs it, as its own process: the few end-to-end cases.

Each runs the installed command in a subprocess; those that check or grade
start a child that imports torch, so each takes seconds.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loopkata.kata import paths
from loopkata.kata.steps import BY_ID

pytestmark = pytest.mark.timeout(300)
REFERENCE = paths.reference_tree() / "lesson9"
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a new user has it


def loopkata(*args, cwd=None):
    """Run the installed command; return (exit code, stdout, stderr)."""
    done = subprocess.run([sys.executable, "-m", "loopkata", *args], cwd=cwd, env=CLEAN_ENV,
                          capture_output=True, text=True, timeout=240)
    return done.returncode, done.stdout, done.stderr


def workspace_with(tmp_path: Path, reference_modules=()) -> Path:
    """A fresh workspace made by `loopkata init`, with the reference's version of some modules."""
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


def test_end_to_end_check_moves_past_passing_steps_and_status_remembers_them(tmp_path):
    ws = workspace_with(tmp_path, ["init", "loss"])
    code, out, _ = loopkata("check", cwd=ws / "lesson9")  # found from a folder inside the workspace
    assert code == 1
    assert "step 1 (init) passes\nstep 2 (loss) passes\n" in out
    assert "step 3 (modules)" in out and "not implemented yet" in out
    code, out, _ = loopkata("status", "--impl", str(ws))
    assert code == 0
    lines = {line.split()[1]: line for line in out.splitlines() if line.strip()[:2].strip().isdigit()}
    assert "passing" in lines["init"] and "unchanged since it last passed" in lines["loss"]
    assert "not started" in lines["modules"] and "(still the skeleton)" in lines["modules"]
    assert "2/11 steps" in out and "loopkata check modules" in out
    code, out, _ = loopkata("check", "loss", "--impl", str(ws))
    assert code == 0 and re.search(r"All \d+ tests pass \(unchanged since it last passed\)\.", out)


def test_end_to_end_watch_reruns_when_a_file_is_saved(tmp_path):
    ws = workspace_with(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "loopkata", "watch", "loss", "--poll", "--color", "never"],
                            cwd=ws, env=CLEAN_ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        seen = ""
        deadline = time.monotonic() + 120
        while "Waiting for you" not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()
        assert "step 2 (loss)" in seen and "not implemented yet" in seen
        shutil.copyfile(REFERENCE / "loss.py", ws / "lesson9" / "loss.py")
        seen = ""
        while "Waiting for you" not in seen and time.monotonic() < deadline:
            seen += proc.stdout.readline()
        assert re.search(r"All \d+ tests pass\.", seen) and "On to step 3 (modules)" in seen
        proc.stdin.write("q\n")
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()


def test_end_to_end_grade_one_wrapped_upload_for_gradescope(tmp_path):
    upload = tmp_path / "submission"
    shutil.copytree(REFERENCE, upload / "alice-lesson9" / "lesson9")  # an upload wrapped in one more folder
    (upload / "alice-lesson9" / "lesson9" / "loss.py").write_text("def nll(:\n")
    code, out, err = loopkata("grade", str(upload), "--results", str(tmp_path / "results.json"))
    assert code == 0, err
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) >= {"score", "max_score", "tests", "extra_data"}
    steps = results["extra_data"]["steps"]
    assert set(steps) == set(BY_ID)
    assert steps["loss"]["score"] == 0 and steps["modules"]["score"] == steps["modules"]["max_score"]
    assert steps["integration"]["score"] == 0
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output"}
    assert "syntax error" in next(t for t in results["tests"] if "loss" in t["name"])["output"]
    assert "alice-lesson9" in out and "total" in out




def test_end_to_end_check_with_the_plain_child_of_macos_and_windows(tmp_path):
    ws = workspace_with(tmp_path, ["init"])
    env = {**CLEAN_ENV, "LOOPKATA_PLAIN_CHILD": "1"}
    done = subprocess.run([sys.executable, "-m", "loopkata", "check", "--impl", str(ws)], env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 1, done.stderr
    assert "step 1 (init) passes" in done.stdout and "step 2 (loss)" in done.stdout
    assert "not implemented yet" in done.stdout and done.stderr == ""
