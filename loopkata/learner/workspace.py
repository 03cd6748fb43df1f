"""A learner's workspace: any folder holding lesson9/, made by copying the skeletons."""
from __future__ import annotations

import shutil
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.errors import UsageError

STATE_DIR = ".loopkata"  # inside the workspace: hint progress


class WorkspaceError(UsageError):
    """No workspace where one was expected, or one where a new one was to be made."""


def find_workspace(start: Path, impl: str | None = None) -> Path:
    """The workspace given by --impl, or the nearest folder at or above `start` holding lesson9/."""
    if impl is not None:
        path = Path(impl).expanduser()
        why = paths.tree_problem(path)
        if why is not None:
            raise WorkspaceError(f"--impl {impl}: {why}")
        return path.resolve()
    start = start.resolve()
    for folder in (start, *start.parents):
        if paths.is_kata_tree(folder):
            return folder
    raise WorkspaceError(
        f"no workspace here: neither {start} nor a folder above it holds lesson9/; "
        "cd into your workspace, pass --impl PATH, or make one with `loopkata init DIR`"
    )


def init_workspace(target: Path) -> Path:
    """Copy the skeletons into target/lesson9; refuse to touch existing work."""
    target = target.expanduser()
    if target.exists() and not target.is_dir():
        raise WorkspaceError(f"{target} exists and is not a folder")
    if (target / "lesson9").exists():
        raise WorkspaceError(f"{target / 'lesson9'} already exists: your work stays as it is "
                             "(pick another folder, or move it away first)")
    source = paths.skeleton_tree() / "lesson9"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target / "lesson9", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target.resolve()


def state_dir(workspace: Path) -> Path:
    return workspace / STATE_DIR
