"""The skeleton generator and the drift check."""
import textwrap

import pytest

from loopkata.kata import paths
from loopkata.maintainer import skeletons as skeleton


def generate(source: str, module: str = "loss") -> str:
    return skeleton.make_skeleton(textwrap.dedent(source), module)


def test_a_region_in_a_function_becomes_a_raise_naming_the_step_and_page():
    out = generate('''
        def nll(input, target):
            """Mean negative log-likelihood."""
            # BEGIN SOLUTION
            return -input[range(len(target)), target].mean()
            # END SOLUTION
        ''')
    assert '"""Mean negative log-likelihood."""' in out
    assert 'raise NotImplementedError("nll: step 2 (loss), see spec/02_loss.md")' in out
    assert "mean()" not in out and "BEGIN SOLUTION" not in out


def test_a_method_is_named_with_its_class():
    out = generate('''
        class Sampler:
            def __iter__(self):
                # BEGIN SOLUTION
                yield 1
                # END SOLUTION
        ''', module="data")
    assert 'raise NotImplementedError("Sampler.__iter__: step 4 (data), see spec/04_data.md")' in out


def test_a_nested_function_is_named_after_its_outer_function():
    out = generate('''
        def annealer(f):
            def make(start, end):
                # BEGIN SOLUTION
                return f
                # END SOLUTION
            return make
        ''', module="schedule")
    assert '        raise NotImplementedError("annealer: step 9' in out
    assert "    return make" in out


def test_regions_outside_functions_are_dropped_without_leaving_a_gap():
    out = generate('''
        import re

        # BEGIN SOLUTION
        _helper_re = re.compile("x")


        def _helper():
            return 1
        # END SOLUTION


        class Runner:
            # BEGIN SOLUTION
            def _private(self):
                return 2

            # END SOLUTION
            def fit(self):
                """Fit."""
                # BEGIN SOLUTION
                return self._private()
                # END SOLUTION
        ''', module="runner")
    assert "_helper" not in out and "_private" not in out
    assert "\n\n\n\n" not in out
    assert 'raise NotImplementedError("Runner.fit: step 7 (runner), see spec/07_runner.md")' in out


def test_code_outside_regions_is_kept_verbatim():
    source = '''
        import math


        class ParamScheduler:
            _order = 1

            def begin_batch(self):
                # BEGIN SOLUTION
                pass
                # END SOLUTION
        '''
    out = generate(source, module="schedule")
    assert "import math\n\n\nclass ParamScheduler:\n    _order = 1\n" in out


@pytest.mark.parametrize("source, problem", [
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "is not closed"),
    ("def f():\n    return 1\n    # END SOLUTION\n", "without a # BEGIN SOLUTION"),
    ("def f():\n    # BEGIN SOLUTION\n    return 1\n# END SOLUTION\n", "indentation"),
    ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n", "is not closed"),
])
def test_malformed_regions_are_reported_with_their_line(source, problem):
    with pytest.raises(skeleton.MarkerError, match=problem):
        skeleton.make_skeleton(source, "loss", "loss.py")


def test_a_region_that_empties_a_class_is_refused():
    source = "class A:\n    # BEGIN SOLUTION\n    x = 1\n    # END SOLUTION\n"
    with pytest.raises(SyntaxError):
        skeleton.make_skeleton(source, "loss")


def make_tree(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_drift_names_missing_extra_and_changed_files(tmp_path):
    solutions, skeletons = tmp_path / "solutions", tmp_path / "skeletons"
    body = "def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    make_tree(solutions, {"lesson9/loss.py": body, "lesson9/data.py": body})
    skeleton.write_skeletons(solutions, skeletons)
    assert skeleton.drift(solutions, skeletons) == []

    (skeletons / "lesson9/loss.py").write_text("def f():\n    return 1\n")
    (skeletons / "lesson9/data.py").unlink()
    (skeletons / "lesson9/extra.py").write_text("")
    assert sorted(skeleton.drift(solutions, skeletons)) == [
        "differs: lesson9/loss.py", "extra: lesson9/extra.py", "missing: lesson9/data.py"]

    skeleton.write_skeletons(solutions, skeletons)
    assert skeleton.drift(solutions, skeletons) == []


def test_the_shipped_skeletons_match_the_reference():
    assert skeleton.drift(paths.reference_tree(), paths.skeleton_tree()) == []
