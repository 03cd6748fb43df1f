"""Checking a step from inside a notebook: `from loopkata import check; check("loss")`.

It checks the notebooks of the folder the notebook runs in, as they are saved
on disk (save first), and prints what `loopkata check` would: in the cell,
with no traceback of ours.
"""
from __future__ import annotations

from pathlib import Path

from loopkata.kata.errors import UsageError
from loopkata.kata.steps import get_step
from loopkata.learner.commands import check_report
from loopkata.learner.workspace import find_workspace


def check(step: str | int | None = None, workspace: str | Path | None = None) -> None:
    """Check `step` (an id or a number; default: the first step not passing) and print the result."""
    try:
        chosen = None if step is None else get_step(str(step))
        folder = find_workspace(Path(workspace or Path.cwd()))
        print(check_report(folder, chosen)[0])
    except KeyError as e:
        print(f"loopkata: {e.args[0]}")
    except UsageError as e:
        print(f"loopkata: {e}")
