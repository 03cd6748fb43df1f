"""A submission's tree in memory (its lesson9/, or what its notebooks export), and each step's tree."""
from __future__ import annotations

from pathlib import Path

from loopkata.kata import notebooks
from loopkata.kata.files import Files
from loopkata.kata.steps import Step

FILE_LIMIT = 1_000_000  # bytes: a larger .py file in a submission is left out
TREE_LIMIT = 5_000_000  # bytes of .py files copied from one submission


def read_lesson9(source: Path) -> tuple[Files, list[str]]:
    """The .py files of source/lesson9, in memory; and what was left out, and why."""
    files: Files = {}
    left_out, total = [], 0
    for path in sorted((source / "lesson9").rglob("*.py")):
        rel = path.relative_to(source).as_posix()
        if path.is_symlink() or not path.is_file():
            left_out.append(f"{rel} (a link)")
            continue
        size = path.stat().st_size
        if size > FILE_LIMIT or total + size > TREE_LIMIT:
            left_out.append(f"{rel} (too large)")
            continue
        total += size
        files[rel] = path.read_bytes()
    return files, left_out


def read_submission(source: Path) -> tuple[Files, list[str], notebooks.Export | None]:
    """The submission's lesson9 modules, what was left out and why, and, for a folder of notebooks, how
    its notebooks were exported (to tell messages in their cells)."""
    if not notebooks.is_notebook_workspace(source):
        return (*read_lesson9(source), None)
    too_large = [p.name for p in notebooks.notebooks_in(source) if p.stat().st_size > TREE_LIMIT]
    if too_large:
        return {}, [f"{name} (too large)" for name in too_large], None
    exported = notebooks.export(source)
    return exported.files, [], exported


def isolated_files(reference: Files, submission: Files, step: Step) -> Files:
    """Reference modules, with the submission's module for `step` and its extra modules."""
    module = f"lesson9/{step.module}.py"
    tree = {rel: data for rel, data in reference.items() if rel != module}  # a missing module stays missing
    tree.update({rel: data for rel, data in submission.items() if rel == module or rel not in reference})
    return tree
