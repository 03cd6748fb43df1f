"""A student release and a Gradescope bundle, installed into fresh environments as their READMEs say.

Slow (minutes: torch goes into a new environment), so these run in their own
tox environment, `tox -e homework` (`pytest -m venv loopkata/tests`), not with the
other tooling tests. Torch and the other dependencies are installed once, into one
fresh environment for the session; the release's tool and the bundle's kata are
then each installed into a new environment of its own that sees that one's
packages, so that what is tested is their own install, and not this checkout.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from loopkata.homework import classroom, gradescope, release
from loopkata.kata import paths

pytestmark = [pytest.mark.venv, pytest.mark.timeout(1500)]
REFERENCE = paths.reference_tree() / "lesson9"
TORCH = "torch==2.13.0"  # the build the checks run with: a CPU build, from this machine's disk where it lies
DEPENDENCIES = ["pytest>=8.0", "pytest-timeout>=2.2", "matplotlib>=3.7", "numpy>=1.24", "hypothesis>=6.100",
                "watchdog>=4", "nbformat>=5.9"]
ENV = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}


def run(*command, cwd=None, env=None, timeout=900) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env or ENV, capture_output=True, text=True,
                          timeout=timeout)
    return done


def venv(path: Path, sees: Path | None = None) -> Path:
    """A new virtual environment (which also sees the packages of `sees`); returns its bin folder."""
    assert run(sys.executable, "-m", "venv", path).returncode == 0
    if sees is not None:
        site = Path(run(path / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                    .stdout.strip())
        theirs = run(sees / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
        (site / "dependencies-of-the-session.pth").write_text(theirs + "\n")
    return path / "bin"


@pytest.fixture(scope="session")
def dependencies(tmp_path_factory) -> Path:
    """One fresh environment with torch and the other dependencies, installed from the package index."""
    bin_dir = venv(tmp_path_factory.mktemp("dependencies") / "venv")
    done = run(bin_dir / "pip", "install", "-q", TORCH, *DEPENDENCIES)
    assert done.returncode == 0, done.stderr[-2000:]
    return bin_dir


def workspace_like_a_student(release_dir: Path, to: Path, broken: bool) -> Path:
    """A student's copy of the release: the reference's code, with one step broken or not."""
    shutil.copytree(release_dir, to)
    shutil.rmtree(to / "lesson9")
    shutil.copytree(REFERENCE, to / "lesson9", ignore=shutil.ignore_patterns("__pycache__"))
    if broken:
        source = (to / "lesson9" / "loss.py").read_text()
        (to / "lesson9" / "loss.py").write_text(source.replace(").float().mean()", ").float().sum()"))
    return to


def test_a_release_installs_from_its_readme_and_its_classroom_workflow_grades_per_step(tmp_path, dependencies):
    made = release.make_release(tmp_path / "homework", classroom_workflow=True)
    readme = (made.path / "README.md").read_text()
    assert "pip install ./tool" in readme
    bin_dir = venv(tmp_path / "student-venv", sees=dependencies)
    done = run(bin_dir / "pip", "install", "-q", "./tool", cwd=made.path)  # as the README says
    assert done.returncode == 0, done.stderr[-2000:]
    env = {**ENV, "PATH": f"{bin_dir}{os.pathsep}{ENV['PATH']}"}

    check = run("loopkata", "check", cwd=made.path, env=env)
    assert check.returncode == 1, check.stderr
    assert "step 1 (init)" in check.stdout and "not implemented yet" in check.stdout
    diff = run("loopkata", "diff", "init", "--before-passing", cwd=made.path, env=env)
    assert diff.returncode == 2 and "has no reference rebuild" in diff.stderr
    hint = run("loopkata", "hint", "init", cwd=made.path, env=env)  # the hints travel inside the tool
    assert hint.returncode == 0 and hint.stdout.startswith("Hint 1 of"), hint.stderr

    flow = yaml.safe_load((made.path / ".github" / "workflows" / "classroom.yml").read_text())
    grade_step = next(s for s in flow["jobs"]["run-autograding-tests"]["steps"] if s.get("id") == classroom.RUNNER)
    for broken in (False, True):
        student = workspace_like_a_student(made.path, tmp_path / f"student-{broken}", broken)
        outputs = tmp_path / f"github-output-{broken}"
        done = run("bash", "-e", "-c", grade_step["run"], cwd=student, env={**env, "GITHUB_OUTPUT": str(outputs)})
        assert done.returncode == 0, done.stderr[-2000:]
        key, _, value = outputs.read_text().strip().partition("=")
        result = json.loads(base64.b64decode(value))
        assert key == "result" and result["max_score"] == 100
        by_step = {t["name"].split(" (")[0]: t for t in result["tests"]}
        if not broken:
            assert result["status"] == "pass" and sum(t["score"] for t in result["tests"]) == pytest.approx(100)
        else:
            loss = by_step["Step 2: loss"]
            assert result["status"] == "fail" and loss["status"] == "fail" and 0 < loss["score"] < 8
            assert by_step["Step 3: modules"]["score"] == 6


def test_a_gradescope_bundle_installs_on_a_fresh_root_and_always_writes_results(tmp_path, dependencies):
    bundle = gradescope.make_bundle(tmp_path / "autograder.zip")
    root = tmp_path / "autograder"  # stands for Gradescope's /autograder
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)
    venv(root / "venv", sees=dependencies)  # torch comes from the session's environment, not the internet
    env = {**ENV, "AUTOGRADER_ROOT": str(root), "LOOPKATA_TORCH": ""}
    done = run("bash", root / "source" / "setup.sh", env=env)
    assert done.returncode == 0, done.stderr[-2000:]

    def grade(make) -> dict:
        shutil.rmtree(root / "submission", ignore_errors=True)
        (root / "submission").mkdir()
        make(root / "submission")
        assert run(root / "source" / "run_autograder", env=env).returncode == 0
        return json.loads((root / "results" / "results.json").read_text())

    correct = grade(lambda s: shutil.copytree(REFERENCE, s / "lesson9", ignore=shutil.ignore_patterns("__pycache__")))
    assert correct["score"] == correct["max_score"] == 100 and correct["output_format"] == "md"
    skeleton = grade(lambda s: shutil.copytree(paths.skeleton_tree() / "lesson9", s / "lesson9"))
    assert skeleton["score"] == 0 and "not implemented yet" in skeleton["tests"][0]["output"]
    broken = grade(lambda s: (shutil.copytree(REFERENCE, s / "wrapped" / "lesson9",
                                              ignore=shutil.ignore_patterns("__pycache__")),
                              (s / "wrapped" / "lesson9" / "loss.py").write_text("def nll(:\n")))
    assert 0 < broken["score"] < 100 and broken["extra_data"]["steps"]["loss"]["score"] == 0
    empty = grade(lambda s: None)
    assert empty["score"] == 0 and "not a kata tree" in empty["output"]
    (root / "venv" / "bin" / "loopkata").write_text("#!/bin/sh\necho 'broken install' >&2\nexit 1\n")
    failed = grade(lambda s: shutil.copytree(REFERENCE, s / "lesson9"))
    assert failed["score"] == 0 and "could not grade" in failed["output"] and "broken install" in failed["output"]
