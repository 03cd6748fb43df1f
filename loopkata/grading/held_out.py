"""An instructor's held-out tests: folders of extra test files, checked before grading, never released.

They are written like the spec (the same plugin, markers and helpers: `pytestmark =
pytest.mark.step("loss")`, `from loopkata.testing import under_test, ...`), run beside
it in each step's child, and share their step's points with its public tests by weight.
"""
from __future__ import annotations

import ast
from pathlib import Path

from loopkata.containment.specrun import HELD_OUT
from loopkata.grading.points import GradingError
from loopkata.kata.files import Files, read_files
from loopkata.kata.steps import BY_ID


def _steps_marked(tree: ast.AST) -> list[str | None]:
    """The step ids of every `pytest.mark.step(...)` in a module (None where the argument is not a string)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "step" \
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "mark":
            arg = node.args[0] if node.args else None
            found.append(arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None)
    return found


def check_file(folder: Path, rel: str, source: bytes) -> None:
    """One line, raised as GradingError, when a held-out file would not run as part of a step."""
    where = f"held-out tests {folder}: {rel}"
    try:
        tree = ast.parse(source, rel)
    except SyntaxError as e:
        raise GradingError(f"{where} has a syntax error at line {e.lineno}: {e.msg}") from None
    marked = _steps_marked(tree)
    if not marked:
        raise GradingError(f"{where} has no step marker: add `pytestmark = pytest.mark.step(\"<step id>\")`")
    unknown = [m for m in marked if m not in BY_ID]
    if unknown:
        raise GradingError(f"{where} marks an unknown step {unknown[0]!r}; the steps are {', '.join(BY_ID)}")


def read_held_out(folders: list[Path]) -> dict[str, Files]:
    """folder name -> its test files, each checked; GradingError with one line for the first problem."""
    found: dict[str, Files] = {}
    for folder in folders:
        if not folder.is_dir():
            raise GradingError(f"held-out tests {folder}: no such folder")
        files = read_files(folder, "**/test_*.py")
        if not files:
            raise GradingError(f"held-out tests {folder}: no test_*.py files in it")
        for rel, source in files.items():
            check_file(folder, rel, source)
        name, n = folder.resolve().name, 1
        while name in found:
            n += 1
            name = f"{folder.resolve().name}-{n}"
        found[name] = files
    return found


def as_spec_files(held_out: dict[str, Files]) -> Files:
    """The held-out files where the child's spec folder keeps them: tests/held_out/<folder>/..."""
    return {f"{HELD_OUT}/{name}/{rel}": data for name, files in held_out.items() for rel, data in files.items()}
