"""The pytest plugin, end to end through pytester: --impl, --step, cuda, --expect-fail, messages."""

import pytest

from loopkata.testing import plugin

SPEC = '''
import pytest
from loopkata.testing import under_test, expect_close

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")

def test_double():
    expect_close(loss.double(2.0), 4.0, "lesson9.loss.double(2.0)", "twice the input")

def test_half():
    expect_close(loss.half(2.0), 1.0, "lesson9.loss.half(2.0)")
'''

GOOD = "def double(x):\n    return 2 * x\n\ndef half(x):\n    return x / 2\n"


@pytest.fixture
def kata(pytester):
    """A spec file and a function that writes a lesson9 tree beside it."""
    pytester.makepyfile(test_spec=SPEC)

    def tree(name, loss_py=GOOD, **extra):
        root = pytester.mkdir(name)
        (root / "lesson9").mkdir()
        (root / "lesson9" / "__init__.py").write_text("")
        if loss_py is not None:
            (root / "lesson9" / "loss.py").write_text(loss_py)
        for filename, text in extra.items():
            (root / filename).write_text(text)
        return root

    return tree


def test_impl_with_equals_runs_the_spec_on_that_tree(pytester, kata):
    kata("good")
    result = pytester.runpytest("--impl=good")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["loopkata: lesson9 from *good"])


def test_a_bare_impl_restarts_pytest_without_reading_the_tree_as_a_test_path(pytester, kata):
    kata("good", **{"conftest.py": "raise SystemExit('the tree conftest ran')",
                    "pytest.ini": "[pytest]\n"})
    result = pytester.runpytest_subprocess("test_spec.py", "--impl", "good")
    result.assert_outcomes(passed=2)
    result.stdout.no_fnmatch_line("*rootdir: *good*")
    result.stdout.no_fnmatch_line("*the tree conftest ran*")


def test_a_bare_impl_inside_pytest_main_is_a_usage_error(pytester, kata):
    kata("good")
    result = pytester.runpytest_inprocess("--impl", "good")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*write --impl=PATH*"])


def test_the_trees_conftest_is_never_loaded(pytester, kata):
    kata("good", **{"conftest.py": "raise SystemExit('the tree conftest ran')"})
    result = pytester.runpytest("test_spec.py", "--impl=good")
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize("path, why", [("missing", "no such folder"), (".", "no lesson9/ folder there")])
def test_an_impl_that_is_not_a_kata_tree_is_a_usage_error(pytester, kata, path, why):
    result = pytester.runpytest(f"--impl={path}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--impl {path}: {why}*"])


def test_a_wrong_value_says_what_was_called_returned_and_expected(pytester, kata):
    kata("wrong", loss_py=GOOD.replace("2 * x", "3 * x"))
    result = pytester.runpytest("--impl=wrong")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "lesson9.loss.double(2.0)", "  returned: 6", "  expected: 4", "  (twice the input)",
        "*step 2 (loss): see *spec/02_loss.md*",
    ])


def not_started(result) -> list[bool]:
    """For each failed test of the run, whether the plugin marked it as not started."""
    return [(plugin.NOT_STARTED, True) in r.user_properties
            for r in result.reprec.getreports("pytest_runtest_logreport") if r.failed]

def test_not_implemented_is_reported_in_one_line_as_not_started(pytester, kata):
    kata("blank", loss_py=GOOD.replace("return 2 * x", "raise NotImplementedError('double: step 2')"))
    result = pytester.runpytest("--impl=blank")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["not implemented yet: double: step 2"])
    assert not_started(result) == [True]


DECORATED = '''\
def twice(f):
    raise NotImplementedError("twice: step 2")


@twice
def double(x):
    return x


def half(x):
    return x / 2
'''


def test_unwritten_code_run_at_import_is_not_started_and_says_where(pytester, kata):
    kata("blank", loss_py=DECORATED)
    result = pytester.runpytest("--impl=blank")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["not implemented yet: twice, which lesson9/loss.py runs at import (line 5), "
                                 "so no test of the module can run before it works (twice: step 2)"])
    assert not_started(result) == [True, True]


def test_a_module_importing_one_that_runs_unwritten_code_is_not_started_too(pytester, kata):
    kata("blank", loss_py="from lesson9.schedule import double, half\n", **{"lesson9/schedule.py": DECORATED})
    result = pytester.runpytest("--impl=blank", "--import-seconds=10")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["not implemented yet: twice, which lesson9/schedule.py runs at import (line 5), "
                                 "* (imported by lesson9/loss.py) (twice: step 2)"])
    assert not_started(result) == [True, True]


def test_a_not_implemented_error_of_a_library_at_import_is_a_failure(pytester, kata):
    kata("crash", loss_py="import logging\nlogging.Handler().emit(None)\n")
    result = pytester.runpytest("--impl=crash")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["importing lesson9/loss.py failed: NotImplementedError: *"])
    assert not any(not_started(result))


def test_a_missing_name_names_the_file_and_the_name(pytester, kata):
    kata("partial", loss_py="def double(x):\n    return 2 * x\n")
    result = pytester.runpytest("--impl=partial")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["lesson9/loss.py defines no `half`*"])


def test_a_syntax_error_fails_each_test_with_the_line(pytester, kata):
    kata("broken", loss_py="def double(x:\n")
    result = pytester.runpytest("--impl=broken")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["lesson9/loss.py has a syntax error at line 1*"])


def test_a_missing_module_is_named(pytester, kata):
    kata("empty", loss_py=None)
    result = pytester.runpytest("--impl=empty")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["lesson9/loss.py is missing from *empty"])


def test_an_error_at_import_is_reported_with_its_line(pytester, kata):
    kata("crash", loss_py="x = 1\nraise RuntimeError('boom')\n")
    result = pytester.runpytest("--impl=crash")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["importing lesson9/loss.py failed: RuntimeError: boom (loss.py, line 2)"])


def test_step_selects_only_that_steps_tests(pytester, kata):
    kata("good")
    pytester.makepyfile(test_other='''
        import pytest
        pytestmark = pytest.mark.step("data")
        def test_data(): pass
    ''')
    result = pytester.runpytest("--impl=good", "--step", "data")
    result.assert_outcomes(passed=1, deselected=2)


def test_an_unknown_step_is_a_usage_error(pytester, kata):
    result = pytester.runpytest("--step", "nonsense")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--step nonsense: unknown step*"])


def test_expect_fail_turns_a_passing_test_into_a_failure(pytester, kata):
    kata("half_done", loss_py=GOOD.replace("return x / 2", "raise NotImplementedError"))
    result = pytester.runpytest("--impl=half_done", "--expect-fail")
    result.assert_outcomes(failed=1, xfailed=1)


def test_cuda_tests_skip_with_the_reason_or_fail_when_required(pytester, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    pytester.makepyfile('''
        import pytest
        @pytest.mark.cuda
        def test_gpu(): pass
    ''')
    result = pytester.runpytest_inprocess("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines([f"*{plugin.CUDA_SKIP}*"])
    result = pytester.runpytest_inprocess("--require-cuda")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{plugin.CUDA_REQUIRED}*"])


def test_join_impl_value_leaves_other_arguments_alone():
    assert plugin._join_impl_value(["-q", "--impl", "ws", "tests", "--", "--impl", "x"]) == [
        "-q", "--impl=ws", "tests", "--", "--impl", "x"]


HANGS = '''
import pytest
from loopkata.testing import under_test

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")

def test_hangs():
    loss.spin()

def test_calls_it_again():
    loss.twice()

def test_does_not_call_it():
    assert loss.fine() == 1
'''
SPINS = "def spin():\n    while True:\n        pass\n\ndef twice():\n    spin()\n\ndef fine():\n    return 1\n"


def test_a_hang_costs_one_time_limit_and_hung_code_is_not_waited_for_again(pytester, kata):
    kata("spins", loss_py=SPINS)
    pytester.makepyfile(test_spec=HANGS)
    result = pytester.runpytest("--impl=spins", "--test-seconds=0.5", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*did not finish within 0.5 s: still running spin (lesson9/loss.py, line *) (an endless loop?)*",
        "*not run to the end: it calls spin (lesson9/loss.py, line *), which did not finish within 0.5 s in test_hangs*",
    ])
    assert result.duration < 5  # the second test did not wait another half second... nor ten


def test_an_endless_loop_at_import_costs_one_limit_before_the_first_test(pytester, kata):
    kata("loops", loss_py="while True:\n    pass\n")
    result = pytester.runpytest("--impl=loops", "--import-seconds=0.5", "--test-seconds=5", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*importing lesson9/loss.py did not finish within 0.5 s (an endless loop at import?)*"])


HYPOTHESIS_SPEC = '''
import pytest
from hypothesis import given, strategies as st
from loopkata.testing import under_test

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")

@given(st.integers())
def test_property(n):
    loss.double(n)
'''


def test_unwritten_code_in_a_hypothesis_test_is_not_started_at_once(pytester, kata):
    kata("blank", loss_py="def double(x):\n    raise NotImplementedError('double: step 2')\n")
    pytester.makepyfile(test_spec=HYPOTHESIS_SPEC)
    result = pytester.runpytest("--impl=blank", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["not implemented yet: double: step 2"])
    assert not_started(result) == [True]


def test_stop_after_failing_step_runs_no_step_after_the_first_failing_one(pytester, kata):
    kata("wrong", loss_py=GOOD.replace("2 * x", "3 * x"))
    pytester.makepyfile(test_other='''
        import pytest
        pytestmark = pytest.mark.step("runner")
        def test_later(): pass
    ''')
    result = pytester.runpytest("--impl=wrong", "--stop-after-failing-step", "test_spec.py", "test_other.py")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*loss does not pass: the steps after it are not run*"])


HYPOTHESIS_FAILS = '''
import pytest
from hypothesis import given, strategies as st
from loopkata.testing import expect_close, under_test

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")

@given(st.data())
def test_double_of_a_drawn_number(data):
    n = data.draw(st.integers(1, 10))
    expect_close(loss.double(n), 2 * n, f"lesson9.loss.double({n})")
'''


def test_a_hypothesis_failure_is_the_helpers_message_without_hypothesis_notes(pytester, kata):
    kata("wrong", loss_py=GOOD.replace("2 * x", "3 * x"))
    pytester.makepyfile(test_spec=HYPOTHESIS_FAILS)
    result = pytester.runpytest("--impl=wrong", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["lesson9.loss.double(1)", "  returned: 3", "  expected: 2"])
    result.stdout.no_fnmatch_line("*Draw 1*")
    result.stdout.no_fnmatch_line("*ExceptionGroup*")


SHAPES = '''
import pytest
import torch
from loopkata.testing import under_test

pytestmark = pytest.mark.step("loss")
loss = under_test("loss")

def test_rows():
    loss.row_max_off(torch.ones(3, 5))
'''


def test_a_raw_shape_error_points_at_the_steps_pitfalls_about_shapes(pytester, kata):
    kata("shapes", loss_py="def row_max_off(x):\n    return x - x.max(-1).values\n")
    pytester.makepyfile(test_spec=SHAPES)
    result = pytester.runpytest("--impl=shapes", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['A shape error: *spec/02_loss.md lists the pitfall*"Row max not kept as a column"*'])
