"""The points file and the scoring model."""
from pathlib import Path

import pytest

from loopkata.containment.specrun import TestResult
from loopkata.grading.points import DEFAULT_POINTS, GradingError, Points, load_points
from loopkata.grading.scores import not_graded, score_step
from loopkata.kata.steps import BY_ID, STEPS

STEPS_TABLE = "[steps]\n" + "".join(f"{s.id} = 1\n" for s in STEPS)


def points_file(tmp_path, text: str) -> Path:
    path = tmp_path / "points.toml"
    path.write_text(text)
    return path


def test_the_shipped_points_add_up_to_100():
    assert sum(load_points(DEFAULT_POINTS).steps.values()) == 100


@pytest.mark.parametrize("text, says", [
    ("[steps\n", "points file"),
    (STEPS_TABLE.replace("init = 1", "init = 'six'"), "hold numbers only"),
    (STEPS_TABLE.replace("init = 1\n", ""), "missing: ['init']"),
    (STEPS_TABLE + "bogus = 2\n", "unknown: ['bogus']"),
    (STEPS_TABLE.replace("init = 1", "init = -1"), "must not be negative"),
    (STEPS_TABLE + "[weights]\n'test_x.py::test_y' = 0\n", "weights must be positive"),
])
def test_a_bad_points_file_is_one_line_saying_what_is_wrong(tmp_path, text, says):
    with pytest.raises(GradingError, match=None) as info:
        load_points(points_file(tmp_path, text))
    assert says in str(info.value) and "\n" not in str(info.value)


def test_a_missing_points_file_is_a_grading_error(tmp_path):
    with pytest.raises(GradingError):
        load_points(tmp_path / "nowhere.toml")


def test_weights_apply_by_test_name_or_by_case():
    points = Points({"loss": 8}, {"test_02_loss.py::test_a": 3, "test_02_loss.py::test_b[2]": 5})
    weight = lambda nodeid: points.weight(TestResult(nodeid, "loss", "passed"))
    assert weight("tests/test_02_loss.py::test_a[1]") == 3  # every case of test_a
    assert weight("tests/test_02_loss.py::test_b[2]") == 5 and weight("tests/test_02_loss.py::test_b[3]") == 1


def test_a_steps_points_are_shared_by_weight_among_its_counted_tests():
    points = Points({"loss": 8}, {"t.py::test_heavy": 3})
    tests = [TestResult("t.py::test_heavy", "loss", "passed"), TestResult("t.py::test_light", "loss", "failed"),
             TestResult("t.py::test_gpu", "loss", "skipped")]
    assert score_step(BY_ID["loss"], tests, None, points).score == 6.0  # 3 of 4 weights


def test_an_untrusted_run_scores_nothing():
    tests = [TestResult("t.py::test_a", "loss", "passed")]
    assert score_step(BY_ID["loss"], tests, "forged", Points({"loss": 8}, {}), trusted=False).score == 0


def test_not_graded_gives_every_step_zero_and_the_reason():
    grade = not_graded("bob", Path("bob"), list(STEPS), load_points(), "nothing to grade")
    assert grade.score == 0 and grade.max_score == 100
    assert {g.problem for g in grade.steps} == {"nothing to grade"} and grade.problem == "nothing to grade"
