"""The mutation-testing driver's own logic: naming, the per-step filter, the score and the survivor check.

Running mutmut itself is the slow `tox -e mutation`; nothing here needs mutmut.
"""
import pytest

from loopkata.maintainer import mutation

RESULTS = """\
    lesson9.loss.x_nll__mutmut_1: killed
    lesson9.loss.x_nll__mutmut_2: survived
    lesson9.runner.xǁRunnerǁfit__mutmut_21: survived
    lesson9.runner.xǁRunnerǁfit__mutmut_22: timeout
    lesson9.data.x_collate__mutmut_3: no tests
some other line mutmut prints
"""


def test_step_of_mutant_reads_the_module():
    assert mutation.step_of_mutant("lesson9.runner.xǁRunnerǁfit__mutmut_21") == "runner"
    assert mutation.step_of_mutant("lesson9.loss.x_nll__mutmut_1") == "loss"
    assert mutation.step_of_mutant("stats") is None  # mutmut's own phases
    assert mutation.step_of_mutant("") is None
    assert mutation.step_of_mutant("lesson9.nosuchstep.x_f__mutmut_1") is None


def test_parse_results_keeps_the_mutant_lines():
    assert mutation.parse_results(RESULTS) == {
        "lesson9.loss.x_nll__mutmut_1": "killed",
        "lesson9.loss.x_nll__mutmut_2": "survived",
        "lesson9.runner.xǁRunnerǁfit__mutmut_21": "survived",
        "lesson9.runner.xǁRunnerǁfit__mutmut_22": "timeout",
        "lesson9.data.x_collate__mutmut_3": "no tests",
    }


def test_score_table_counts_timeouts_as_killed():
    table = mutation.score_table(mutation.parse_results(RESULTS)).splitlines()
    assert "| step 2 (loss) | 1 / 2 | 50.0% | 1 | 0 | 0 |" in table
    assert "| step 7 (runner) | 1 / 2 | 50.0% | 1 | 0 | 0 |" in table
    assert "| step 4 (data) | 0 / 1 | 0.0% | 0 | 1 | 0 |" in table
    assert "| step 1 (init) | 0 / 0 | - | 0 | 0 | 0 |" in table
    assert table[-1] == "| all | 2 / 5 | 40.0% | 2 | 1 | 0 |"


def test_check_known_fails_on_an_unexplained_survivor(tmp_path, capsys):
    report = tmp_path / "report.md"
    report.write_text("- `lesson9.loss.x_nll__mutmut_2` — equivalent: ...\n"
                      "- `lesson9.loss.x_nll__mutmut_1` — now killed\n", encoding="utf-8")
    known = mutation.known_survivors(report)
    assert known == {"lesson9.loss.x_nll__mutmut_1", "lesson9.loss.x_nll__mutmut_2"}
    tried = {"lesson9.loss.x_nll__mutmut_1", "lesson9.loss.x_nll__mutmut_2", "lesson9.runner.x_listify__mutmut_4"}
    assert mutation.check_known({"lesson9.loss.x_nll__mutmut_2"}, known, report, tried) == 0
    assert "now killed" in capsys.readouterr().out
    assert mutation.check_known({"lesson9.runner.x_listify__mutmut_4"}, known, report, tried) == 1
    assert "lesson9.runner.x_listify__mutmut_4" in capsys.readouterr().out


SPEC = '''
import pytest

@pytest.mark.step("loss")
def test_loss():
    pass

@pytest.mark.step("runner")
def test_runner():
    pass

def test_unmarked():
    pass
'''


@pytest.mark.parametrize("mutant, expected", [
    ("lesson9.loss.x_nll__mutmut_2", {"passed": 1, "deselected": 2}),
    ("stats", {"passed": 3}),
    ("", {"passed": 3}),
])
def test_plugin_keeps_only_the_mutated_steps_tests(pytester, monkeypatch, mutant, expected):
    pytester.makepyfile(test_spec=SPEC)
    monkeypatch.setenv("MUTANT_UNDER_TEST", mutant)
    result = pytester.runpytest("-p", "loopkata.maintainer.mutation", "-p", "no:cacheprovider")
    result.assert_outcomes(**expected)
