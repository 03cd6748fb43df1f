"""What grading writes, from grades made here: results.json, the gradebook, JUnit XML, the table, the format table."""
import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from loopkata import cli
from loopkata.containment.specrun import TestResult
from loopkata.grading import outputs
from loopkata.grading.points import load_points
from loopkata.grading.scores import StepGrade, SubmissionGrade, not_graded, score_step
from loopkata.kata.steps import BY_ID, STEPS

POINTS = load_points()


def results(step_id: str, *outcomes: str) -> list[TestResult]:
    return [TestResult(f"tests/t.py::test_{step_id}_{n}", step_id, o, f"message {n}\nsecond line")
            for n, o in enumerate(outcomes)]


def a_grade(name="alice") -> SubmissionGrade:
    steps = [score_step(s, results(s.id, "passed", "passed"), None, POINTS) for s in STEPS]
    steps[1] = score_step(BY_ID["loss"], results("loss", "passed", "failed", "missing", "skipped"),
                          "the test process stopped early: it was still running after 30 s (an endless loop?)", POINTS)
    return SubmissionGrade(name, Path(name), steps)


def test_results_json_has_gradescopes_fields_and_every_step():
    data = outputs.results_json(a_grade())
    assert data["max_score"] == 100 and data["score"] == pytest.approx(100 - 8 * 2 / 3, abs=0.01)
    assert set(data["extra_data"]["steps"]) == set(BY_ID)
    loss = next(t for t in data["tests"] if "loss" in t["name"])
    assert loss["name"] == "Step 2: loss (Log-softmax, logsumexp, nll, accuracy)"
    assert (loss["score"], loss["max_score"], loss["status"]) == (2.67, 8, "failed")
    assert data["score"] == round(sum(t["score"] for t in data["tests"]), 2)  # the parts add up as written


def test_step_text_tells_a_message_shared_by_many_tests_once():
    tests = [TestResult(f"t.py::test_{n}", "loss", "failed", "lesson9/loss.py is missing") for n in range(5)]
    text = outputs.step_text(score_step(BY_ID["loss"], tests, None, POINTS))
    assert "test_0, test_1, test_2 and 2 more: lesson9/loss.py is missing" in text
    assert text.count("is missing") == 1


def test_step_text_gives_the_count_the_problem_and_each_failure():
    text = outputs.step_text(a_grade().steps[1])
    assert text.startswith("1 of 3 tests pass. Spec: spec/02_loss.md\nProblem: the test process stopped early")
    assert "test_loss_1: message 1\nsecond line" in text and "test_loss_2: message 2" in text
    assert "1 test(s) not counted: message 3" in text


def test_the_gradebook_has_a_row_per_submission_and_a_column_per_step(tmp_path):
    grades = [a_grade("alice"), not_graded("bob", Path("bob"), list(STEPS), POINTS, "no lesson9/ folder")]
    outputs.write_csv(grades, tmp_path / "book.csv")
    rows = list(csv.reader((tmp_path / "book.csv").open()))
    assert rows[0] == ["submission", "score", "max_score", *BY_ID, "problem"]
    assert rows[1][0] == "alice" and rows[1][4] == "2.67" and rows[1][-1] == "loss: the test process stopped early: " \
        "it was still running after 30 s (an endless loop?)"
    assert rows[2][:3] == ["bob", "0.0", "100.0"] and rows[2][-1] == "no lesson9/ folder"


def test_junit_xml_is_valid_even_with_control_characters(tmp_path):
    grade = a_grade()
    grade.steps[1].tests[1].message = "bad \x00\x1b bytes"
    outputs.write_junit([grade], tmp_path / "junit.xml")
    suites = ET.parse(tmp_path / "junit.xml").getroot()
    loss = suites.find("testsuite[@name='alice.loss']")
    assert (loss.get("tests"), loss.get("failures"), loss.get("skipped")) == ("4", "2", "1")
    assert loss.find("testcase[@name='test_loss_1']/failure").get("message") == "bad \ufffd\ufffd bytes"


def test_the_table_names_the_failing_tests_and_the_problem():
    table = outputs.table(a_grade())
    assert "   2 loss             1/3    2.67 / 8   the test process stopped early" in table
    assert table.splitlines()[-1].split()[-3:] == ["94.67", "/", "100"]


def test_every_format_is_an_option_of_grade(tmp_path):
    grade = cli.build_parser().parse_args(["grade", "x", *[a for f in outputs.FORMATS for a in (f.option, "F")]])
    assert all(getattr(grade, f.dest) == "F" for f in outputs.FORMATS)


def test_results_json_is_for_one_submission(tmp_path):
    outputs.write_results([a_grade()], tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["score"] > 0
    with pytest.raises(ValueError):
        outputs.write_results([a_grade(), a_grade()], tmp_path / "r.json")


def test_the_out_folder_holds_each_submissions_results_and_feedback_the_gradebook_and_the_report(tmp_path):
    grades = [a_grade("alice"), a_grade("carol")]
    for g in grades:
        g.fingerprint = "same files"
    out = tmp_path / "out"
    written = outputs.write_out_dir(grades, out)
    assert (out / "carol" / "results.json").is_file() and (out / "gradebook.csv").is_file()
    assert "## Step 2: loss (Log-softmax, logsumexp, nll, accuracy)" in (out / "carol" / "feedback.md").read_text()
    assert written == [f"{out}/<name>/results.json", f"{out}/<name>/feedback.md", str(out / "gradebook.csv"),
                       str(out / "report.md"), str(out / "scores.png"), str(out / "steps.png")]


def test_a_step_grade_counts_what_is_not_skipped():
    grade = StepGrade(BY_ID["device"], 5, tests=results("device", "passed", "skipped", "skipped"))
    assert (grade.passed, len(grade.counted), grade.status) == (1, 1, "passed")
