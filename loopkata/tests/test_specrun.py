"""Reading a spec run's records into one result per test, on records made here."""
from loopkata.containment.sandbox import ChildRun, Limits
from loopkata.containment.specrun import TestResult, read_results

LIMITS = Limits(wall_seconds=30)
COLLECTED = {"kind": "collected", "counts": {"loss": 3, "modules": 1},
             "tests": [{"nodeid": f"t.py::test_{n}", "step": "loss"} for n in "abc"]}


def child(*records, returncode=0, timed_out=False, rejected=0, output=""):
    return ChildRun(returncode=returncode, timed_out=timed_out, output=output, records=list(records), rejected=rejected)


def result(name, outcome, **extra):
    return {"kind": "test", "nodeid": f"t.py::test_{name}", "outcome": outcome, "message": "", **extra}


def outcomes(run):
    return {t.name: t.outcome for t in run.tests}


def test_every_reported_test_has_its_outcome_and_the_counts_come_back():
    run = read_results(child(COLLECTED, result("a", "passed"), result("b", "failed", not_started=True),
                             result("c", "skipped"), {"kind": "finished"}), LIMITS)
    assert outcomes(run) == {"test_a": "passed", "test_b": "failed", "test_c": "skipped"}
    assert run.tests[1].not_started and run.problem is None and run.trusted
    assert run.counts == {"loss": 3, "modules": 1}


def test_tests_that_never_reported_are_missing_with_the_reason():
    run = read_results(child(COLLECTED, result("a", "passed"), returncode=None, timed_out=True), LIMITS)
    assert outcomes(run) == {"test_a": "passed", "test_b": "missing", "test_c": "missing"}
    assert run.problem == "the test process stopped early: it was still running after 30 s (an endless loop?)"
    assert run.tests[1].message == f"did not run to the end: {run.problem}"
    assert run.tests[1].failed and not run.tests[0].failed


def test_a_run_stopped_on_purpose_says_why_its_last_tests_did_not_run():
    run = read_results(child(COLLECTED, result("a", "failed"),
                             {"kind": "finished", "stopped": "loss does not pass"}), LIMITS)
    assert run.problem is None and run.stopped == "loss does not pass"
    assert run.tests[2].message == "not run: loss does not pass"


def test_an_exit_before_the_end_is_a_problem():
    run = read_results(child(COLLECTED, result("a", "passed"), returncode=0), LIMITS)
    assert run.problem.startswith("the test process stopped early: it ended early with exit code 0")


def test_replaced_machinery_makes_the_run_untrusted():
    run = read_results(child(COLLECTED, result("a", "passed"),
                             {"kind": "tampered", "changed": ["pytest.fail"]}, {"kind": "finished"}), LIMITS)
    assert not run.trusted and "replaced the test machinery (pytest.fail)" in run.problem


def test_a_test_reported_twice_makes_the_run_untrusted():
    run = read_results(child(COLLECTED, result("a", "failed"), result("a", "passed"),
                             {"kind": "finished"}), LIMITS)
    assert not run.trusted and outcomes(run)["test_a"] == "failed"


def test_rejected_lines_make_the_run_untrusted():
    run = read_results(child(COLLECTED, {"kind": "finished"}, rejected=2), LIMITS)
    assert not run.trusted and run.problem.startswith("2 result line(s) not written by the grader were rejected")


def test_a_spec_that_cannot_be_collected_says_so_with_the_last_line_of_output():
    run = read_results(child(returncode=4, output="ERROR: file or directory not found: t.py\n"), LIMITS)
    assert run.tests == [] and "file or directory not found" in run.problem


def test_test_result_names_and_failures():
    one = TestResult("tests/t.py::test_x[1-2]", "loss", "missing")
    assert one.name == "test_x[1-2]" and one.failed
