"""Held-out tests: checked before grading, run beside the spec, scored and shown as their own parts."""
import shutil
from pathlib import Path

import pytest

from loopkata.containment.specrun import TestResult
from loopkata.grading.grader import Grader
from loopkata.grading.held_out import as_spec_files, read_held_out
from loopkata.grading.outputs import results_json
from loopkata.grading.points import GradingError, Points, load_points
from loopkata.grading.scores import SubmissionGrade, score_step
from loopkata.kata import paths
from loopkata.kata.steps import BY_ID

HELD_OUT_LOSS = '''
import pytest
import torch
from loopkata.testing import expect_close, under_test

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")

def test_nll_of_a_confident_row():
    expect_close(loss.nll(torch.tensor([[0.0, -5.0]]), torch.tensor([0])), torch.tensor(0.0),
                 "lesson9.loss.nll([[0, -5]], [0])")

def test_accuracy_of_one_right_row():
    expect_close(loss.accuracy(torch.tensor([[0.0, 1.0]]), torch.tensor([1])), torch.tensor(1.0),
                 "lesson9.loss.accuracy([[0, 1]], [1])")
'''
HELD_OUT_DATA = '''
import pytest
pytestmark = pytest.mark.step("data")
def test_never_run_for_loss():
    assert False
'''


def folder(tmp_path: Path, name: str, **files: str) -> Path:
    (tmp_path / name).mkdir(parents=True)
    for file, text in files.items():
        (tmp_path / name / file).write_text(text)
    return tmp_path / name


@pytest.mark.parametrize("files, says", [
    ({}, "no test_*.py files in it"),
    ({"test_x.py": "def test_x(:\n"}, "test_x.py has a syntax error at line 1"),
    ({"test_x.py": "def test_x():\n    pass\n"}, "test_x.py has no step marker"),
    ({"test_x.py": "import pytest\npytestmark = pytest.mark.step('lossy')\n"}, "marks an unknown step 'lossy'"),
])
def test_a_held_out_folder_that_would_not_run_is_one_line(tmp_path, files, says):
    with pytest.raises(GradingError) as info:
        read_held_out([folder(tmp_path, "extra", **files)])
    assert says in str(info.value) and "\n" not in str(info.value)


def test_a_missing_folder_is_one_line(tmp_path):
    with pytest.raises(GradingError, match="no such folder"):
        read_held_out([tmp_path / "nowhere"])


def test_held_out_folders_keep_their_names_and_go_beside_the_spec(tmp_path):
    one = folder(tmp_path / "a", "extra", **{"test_x.py": HELD_OUT_LOSS})
    two = folder(tmp_path / "b", "extra", **{"test_y.py": HELD_OUT_DATA})
    found = read_held_out([one, two])
    assert list(found) == ["extra", "extra-2"]
    assert sorted(as_spec_files(found)) == ["held_out/extra-2/test_y.py", "held_out/extra/test_x.py"]


def test_a_result_knows_its_held_out_folder():
    assert TestResult("tests/held_out/extra/test_x.py::test_a", "loss", "passed").held_out == "extra"
    assert TestResult("tests/held_out/extra/sub/test_x.py::test_a", "loss", "passed").held_out == "extra"
    assert TestResult("tests/test_02_loss.py::test_a", "loss", "passed").held_out is None


def test_visibility_by_folder_then_step_then_default(tmp_path):
    points = Points({}, {}, {"default": "after_due_date", "loss": "visible", "extra": "hidden"})
    assert points.visibility_of("loss", "extra") == "hidden"
    assert points.visibility_of("loss") == "visible" and points.visibility_of("data", "other") == "after_due_date"
    assert Points({}, {}).visibility_of("loss") == "visible"
    with pytest.raises(GradingError, match="neither a step nor a held-out folder: extras"):
        Points({}, {}, {"extras": "hidden"}).check_held_out(["extra"])


def test_a_visibility_gradescope_does_not_know_is_refused(tmp_path):
    text = (paths.kata_root() / "loopkata/grading/points.toml").read_text() + 'loss = "secret"\n'
    (tmp_path / "points.toml").write_text(text)
    with pytest.raises(GradingError, match="of loss must be one of visible, hidden"):
        load_points(tmp_path / "points.toml")


def test_held_out_tests_share_their_steps_points_and_are_their_own_part():
    points = Points({"loss": 8}, {}, {"extra": "after_published"})
    tests = [TestResult(f"tests/test_02_loss.py::test_{n}", "loss", "passed") for n in range(3)]
    tests += [TestResult("tests/held_out/extra/test_x.py::test_a", "loss", "failed")]
    grade = score_step(BY_ID["loss"], tests, None, points)
    public, extra = grade.parts
    assert grade.score == 6 and (public.score, public.max_score, public.visibility) == (6, 6, "visible")
    assert (extra.held_out, extra.score, extra.max_score, extra.visibility) == ("extra", 0, 2, "after_published")
    entries = results_json(SubmissionGrade("a", Path("a"), [grade]))["tests"]
    assert [(e["name"], e["score"], e["max_score"], e["visibility"]) for e in entries] == [
        ("Step 2: loss (Log-softmax, logsumexp, nll, accuracy)", 6, 6, "visible"),
        ("Step 2: loss (Log-softmax, logsumexp, nll, accuracy): held-out tests (extra)", 0, 2, "after_published"),
    ]


def test_held_out_tests_run_with_their_step_only(tmp_path, fork_server):
    extra = folder(tmp_path, "extra", **{"test_more_loss.py": HELD_OUT_LOSS, "test_more_data.py": HELD_OUT_DATA})
    submission = tmp_path / "alice"
    shutil.copytree(paths.reference_tree() / "lesson9", submission / "lesson9",
                    ignore=shutil.ignore_patterns("__pycache__"))
    source = (submission / "lesson9" / "loss.py").read_text()
    (submission / "lesson9" / "loss.py").write_text(source.replace(").float().mean()", ").float().sum()"))
    grader = Grader(load_points(), tmp_path / "work", steps=[BY_ID["loss"]], fork_server=fork_server,
                    held_out=read_held_out([extra]))
    loss, = grader.grade([("alice", submission)])[0].steps
    public, held = loss.parts
    assert [t.name for t in held.tests] == ["test_nll_of_a_confident_row", "test_accuracy_of_one_right_row"]
    assert [t.outcome for t in held.tests] == ["passed", "passed"]  # one row: the sum is the mean
    assert 0 < public.score < public.max_score  # the public spec catches the sum on more rows
