"""Hints: read from a page, shown one at a time, and remembered in the workspace."""
from loopkata.kata.steps import BY_ID
from loopkata.learner import hints

PAGE = """\
# Step 2: loss

## Hints

1. A first nudge.
2. A second one that goes on
   over two lines.

## Pitfalls the tests catch

1. Not a hint.
"""


def test_hints_are_the_numbered_items_of_the_hints_section(tmp_path):
    (tmp_path / "spec").mkdir()
    (tmp_path / BY_ID["loss"].page).write_text(PAGE)
    assert hints.hints_of(BY_ID["loss"], tmp_path) == ["A first nudge.", "A second one that goes on over two lines."]


def test_what_was_shown_is_remembered_per_step(tmp_path):
    assert hints.shown(tmp_path) == {}
    hints.remember(tmp_path, BY_ID["loss"], 2)
    hints.remember(tmp_path, BY_ID["init"], 1)
    assert hints.shown(tmp_path) == {"loss": 2, "init": 1}


def test_a_damaged_memory_is_forgotten_not_fatal(tmp_path):
    hints.remember(tmp_path, BY_ID["loss"], 2)
    (tmp_path / ".loopkata" / "hints.json").write_text("{not json")
    assert hints.shown(tmp_path) == {}
