"""The class report, from grades made here: distribution, steps, the tests most often failed, identical trees."""
from pathlib import Path

import matplotlib.image
import pytest

from loopkata.containment.specrun import TestResult
from loopkata.grading import class_report
from loopkata.grading.points import load_points
from loopkata.grading.scores import SubmissionGrade, not_graded, score_step
from loopkata.kata.steps import STEPS

POINTS = load_points()


def grade(name: str, fingerprint: str, failing: dict[str, str]) -> SubmissionGrade:
    """A submission whose step `s` fails one of its two tests with the message failing[s]."""
    steps = []
    for step in STEPS:
        tests = [TestResult(f"t.py::test_{step.id}_a", step.id, "passed")]
        tests.append(TestResult(f"t.py::test_{step.id}_b", step.id, "failed" if step.id in failing else "passed",
                                failing.get(step.id, "")))
        steps.append(score_step(step, tests, None, POINTS))
    return SubmissionGrade(name, Path(name), steps, fingerprint=fingerprint)


@pytest.fixture
def grades():
    return [grade("alice", "a", {}), grade("bob", "b", {"loss": "lesson9.loss.nll(x, y)\n  returned: 1"}),
            grade("carol", "b", {"loss": "lesson9.loss.nll(x, y)\n  returned: 1"}),
            grade("dan", "d", {"loss": "not implemented yet: nll", "runner": "RecursionError"}),
            not_graded("erin", Path("erin"), list(STEPS), POINTS, "no lesson9/ folder")]


def test_the_report_tells_the_distribution_the_steps_and_what_failed(grades):
    text = class_report.markdown(grades)
    assert text.startswith("# Class report: 5 submissions")
    assert "Scores out of 100: mean 95.2, median 96.0, lowest 89.0, highest 100.0." in text
    assert "| 2 loss | 62% | 1 of 4 |" in text and "| 7 runner | 88% | 3 of 4 |" in text
    assert "| loss | `test_loss_b` | 3 of 4 | lesson9.loss.nll(x, y) (2) |" in text
    assert "| runner | `test_runner_b` | 1 of 4 | RecursionError (1) |" in text


def test_the_report_groups_identical_submissions_and_names_those_not_graded(grades):
    text = class_report.markdown(grades)
    assert "## Identical submissions\n\n- bob, carol\n" in text
    assert "## Not graded\n\n- erin: no lesson9/ folder" in text


def test_the_figures_are_pngs_with_content(tmp_path, grades):
    written = class_report.write(grades, tmp_path)
    assert written == [str(tmp_path / name) for name in ("report.md", "scores.png", "steps.png")]
    for name in ("scores.png", "steps.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = matplotlib.image.imread(tmp_path / name)
        assert pixels.shape[0] > 200 and pixels.shape[1] > 400 and pixels.std() > 0.05  # drawn, not blank


def test_nothing_graded_is_said_plainly(tmp_path):
    grades = [not_graded("erin", Path("erin"), list(STEPS), POINTS, "no lesson9/ folder")]
    assert class_report.write(grades, tmp_path) == [str(tmp_path / "report.md")]
    assert "Nothing could be graded." in (tmp_path / "report.md").read_text()
