"""Hints: data read from spec/hints.toml, shown one at a time, remembered in the workspace, named by `check`."""
import ast

import pytest

from loopkata.kata import paths
from loopkata.kata.regions import answer_lines
from loopkata.kata.steps import BY_ID, STEPS
from loopkata.learner import hints

DATA = """\
# a comment
[[loss]]
tests = ["test_nll_matches_torch"]
text = '''
A first nudge.
'''

[[loss]]
tests = ["test_nll_matches_torch", "test_accuracy_is_a_0dim_float_tensor[int]"]
text = '''
A second one that goes on
over two lines.

And a second paragraph.
'''

[[init]]
text = "Without tests."
"""


@pytest.fixture
def kata(tmp_path, monkeypatch):
    """A kata root of our own, whose spec/hints.toml the test writes."""
    (tmp_path / "spec").mkdir()
    monkeypatch.setattr(paths, "kata_root", lambda: tmp_path)

    def write(text):
        (tmp_path / paths.HINTS_FILE).write_text(text)

    return write


def test_hints_are_the_steps_tables_in_order(kata):
    kata(DATA)
    loss = hints.hints_of(BY_ID["loss"])
    assert [h.number for h in loss] == [1, 2]
    assert loss[0].text == "A first nudge." and loss[0].tests == ("test_nll_matches_torch",)
    assert loss[1].wrapped() == "  A second one that goes on over two lines.\n\n  And a second paragraph."
    assert hints.hints_of(BY_ID["init"])[0].tests == ()
    assert hints.hints_of(BY_ID["data"]) == []


def test_a_bare_test_name_covers_every_case_and_a_case_only_itself(kata):
    kata(DATA)
    first, second = hints.hints_of(BY_ID["loss"])
    assert first.covers("test_nll_matches_torch") and first.covers("test_nll_matches_torch[square]")
    assert second.covers("test_accuracy_is_a_0dim_float_tensor[int]")
    assert not second.covers("test_accuracy_is_a_0dim_float_tensor[float]")
    assert not first.covers("test_nll_matches_torch_too")


@pytest.mark.parametrize("text, says", [
    ("[[loss]\n", "is not valid TOML: "),
    ("[[lost]]\ntext = 'x'\n", "unknown step 'lost'"),
    ("[loss]\ntext = 'x'\n", "loss must be an array of tables"),
    ("[[loss]]\ntests = ['test_x']\n", "hint 1 of loss has no text"),
    ("[[loss]]\ntext = 'x'\ntests = 'test_x'\n", "tests must be a list of test names"),
    ("[[loss]]\ntext = 'x'\nhint = 'y'\n", "unknown keys ['hint']"),
])
def test_a_malformed_file_is_one_line_naming_it(kata, text, says):
    kata(text)
    with pytest.raises(hints.HintsError, match=r"spec/hints\.toml") as e:
        hints.hints_of(BY_ID["loss"])
    assert says in str(e.value) and "\n" not in str(e.value)


def test_a_missing_file_is_one_line(kata):
    with pytest.raises(hints.HintsError, match="no hints file: .*hints.toml is missing"):
        hints.hints_of(BY_ID["loss"])


def test_a_release_without_hints_says_so(kata, monkeypatch):
    monkeypatch.setattr(paths, "in_release", lambda: True)
    monkeypatch.setattr(paths, "release_manifest", lambda: {"hints": False})
    with pytest.raises(hints.NoHints, match="made without hints"):
        hints.hints_of(BY_ID["loss"])


def test_what_was_shown_is_remembered_per_step(tmp_path):
    assert hints.shown(tmp_path) == {}
    hints.remember(tmp_path, BY_ID["loss"], 2)
    hints.remember(tmp_path, BY_ID["init"], 1)
    assert hints.shown(tmp_path) == {"loss": 2, "init": 1}


def test_a_damaged_memory_is_forgotten_not_fatal(tmp_path):
    hints.remember(tmp_path, BY_ID["loss"], 2)
    (tmp_path / ".loopkata" / "hints.json").write_text("{not json")
    assert hints.shown(tmp_path) == {}


def test_the_pointer_names_the_first_hint_not_seen_or_says_it_was_seen(kata):
    kata(DATA)
    loss, items = BY_ID["loss"], hints.hints_of(BY_ID["loss"])
    assert hints.pointer(loss, "test_nll_matches_torch", 0, items) == \
        "Stuck on test_nll_matches_torch? `loopkata hint loss 1` is about it."
    assert hints.pointer(loss, "test_nll_matches_torch[big]", 1, items) == \
        "Stuck on test_nll_matches_torch[big]? `loopkata hint loss 2` is about it."
    assert hints.pointer(loss, "test_nll_matches_torch", 2, items) == (
        "Stuck on test_nll_matches_torch? Hint 2, which you have seen, is about it "
        "(`loopkata hint loss 2` shows it again).")
    assert hints.pointer(loss, "test_log_softmax_matches_torch", 0, items) is None


def test_no_pointer_without_hints_to_point_at(kata, tmp_path):
    kata("[[loss]\n")
    assert hints.pointer_for(tmp_path, BY_ID["loss"], "test_nll_matches_torch") is None


# --- the kata's own hints -------------------------------------------------------------------------

def spec_test_names(step):
    """The test functions of the step's spec file."""
    tree = ast.parse((paths.kata_root() / step.test_file).read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


@pytest.fixture(scope="module")
def kata_hints():
    return hints.load()


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.id)
def test_every_step_has_hints_naming_only_tests_of_its_spec(kata_hints, step):
    assert len(kata_hints.get(step.id, [])) >= 2, f"{step.label} needs hints in {paths.HINTS_FILE}"
    names = spec_test_names(step)
    for hint in kata_hints[step.id]:
        assert hint.tests, f"hint {hint.number} of {step.id} names no test"
        unknown = [t for t in hint.tests if t.split("[", 1)[0] not in names]
        assert not unknown, f"hint {hint.number} of {step.id} names tests not in {step.test_file}: {unknown}"


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.id)
def test_every_spec_test_has_a_hint_for_check_to_name(kata_hints, step):
    covered = {t.split("[", 1)[0] for hint in kata_hints[step.id] for t in hint.tests}
    assert spec_test_names(step) <= covered, sorted(spec_test_names(step) - covered)


def test_no_hint_spells_out_an_answer_line(kata_hints):
    answers = answer_lines(paths.reference_tree(), paths.skeleton_tree())
    for step_id, items in kata_hints.items():
        for hint in items:
            text = " ".join(hint.text.split())
            assert not [a for a in answers if a in text], f"hint {hint.number} of {step_id} holds an answer line"
