"""A learner's workspace: a folder holding lesson9/ (the skeletons, copied), or a folder of notebooks."""
from __future__ import annotations

import shutil
from pathlib import Path

from loopkata.kata import notebooks, paths
from loopkata.kata.errors import UsageError

STATE_DIR = ".loopkata"  # inside the workspace: what is remembered (passing steps, hints shown)


class WorkspaceError(UsageError):
    """No workspace where one was expected, or one where a new one was to be made."""


def find_workspace(start: Path, impl: str | None = None) -> Path:
    """The workspace given by --impl, or the nearest folder at or above `start` that is one."""
    if impl is not None:
        path = Path(impl).expanduser()
        if not path.is_dir():
            raise WorkspaceError(f"--impl {impl}: no such folder")
        if not notebooks.is_workspace(path):
            raise WorkspaceError(f"--impl {impl}: no lesson9/ folder there, nor notebooks")
        return path.resolve()
    start = start.resolve()
    for folder in (start, *start.parents):
        if notebooks.is_workspace(folder):
            return folder
    raise WorkspaceError(
        f"no workspace here: neither {start} nor a folder above it holds lesson9/ or notebooks; "
        "cd into your workspace, pass --impl PATH, or make one with `loopkata init DIR`"
    )


def init_workspace(target: Path, as_notebooks: bool = False) -> Path:
    """The skeletons in target/lesson9, or a notebook per step in target; refuse to touch existing work."""
    target = target.expanduser()
    if target.exists() and not target.is_dir():
        raise WorkspaceError(f"{target} exists and is not a folder")
    taken = [notebooks.notebook_name(s) for s in notebooks.MODULE_STEPS if (target / notebooks.notebook_name(s)).exists()]
    if (target / "lesson9").exists() or taken:
        what = target / "lesson9" if (target / "lesson9").exists() else target / taken[0]
        raise WorkspaceError(f"{what} already exists: your work stays as it is "
                             "(pick another folder, or move it away first)")
    target.mkdir(parents=True, exist_ok=True)
    if as_notebooks:
        notebooks.write_notebooks(target)
    else:
        shutil.copytree(paths.skeleton_tree() / "lesson9", target / "lesson9",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target.resolve()


def state_dir(workspace: Path) -> Path:
    return workspace / STATE_DIR
