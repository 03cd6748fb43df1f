"""In a contained child: import a tree's own lesson9 modules for a run of ours, and tell what goes wrong
in one line (which file, which line, which step). Used by `traced_run` (compare) and `demo_run` (demo)."""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from loopkata.kata.steps import BY_ID, STEPS


class Problem(Exception):
    """The tree cannot make the run at all: one line says why."""


def import_tree(tree: Path, needed: tuple[str, ...], command: str) -> dict[str, ModuleType]:
    """The tree's lesson9 modules the run needs; a Problem if one is missing or fails to import."""
    modules = {}
    for name in needed:
        try:
            modules[name] = importlib.import_module(f"lesson9.{name}")
        except NotImplementedError as e:
            raise Problem(not_written(e, tree, needed, command)) from None
        except Exception as e:
            if isinstance(e, ModuleNotFoundError) and (e.name or "").startswith("lesson9."):
                file = e.name.replace(".", "/") + ".py"
                raise Problem(f"{file} is missing ({label(file)}): `{command}` needs "
                              f"steps {needed_steps(needed)}") from None
            file, line, _ = where(e, tree)
            file = file or f"lesson9/{name}.py"
            at = f"line {line}; " if line and not isinstance(e, SyntaxError) else ""  # its text has the line
            raise Problem(f"{file} fails to import ({at}{label(file)}): {one_line(e)}") from None
    return modules


def where(exc: BaseException, tree: Path) -> tuple[str | None, int | None, str | None]:
    """(file, line, qualified name) of the innermost frame of the tree in exc's traceback."""
    found = (None, None, None)
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        try:
            rel = Path(code.co_filename).resolve().relative_to(tree).as_posix()
            found = (rel, tb.tb_lineno, getattr(code, "co_qualname", code.co_name).replace(".<locals>", ""))
        except ValueError:
            pass
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) and exc.filename:
        try:
            return Path(exc.filename).resolve().relative_to(tree).as_posix(), exc.lineno, None
        except ValueError:
            pass
    return found


def label(file: str | None) -> str:
    step = next((s for s in STEPS if s.module_file == file), None)
    return f"{step.label}, see {step.page}" if step else "not a step of the kata"


def one_line(e: BaseException) -> str:
    text = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
    return " ".join(text.split())[:300]


def not_written(e: NotImplementedError, tree: Path, needed: tuple[str, ...], command: str) -> str:
    file, _, name = where(e, tree)
    what = f"{name} raises NotImplementedError" if name else one_line(e)
    return (f"{file or 'your lesson9'} is not written yet: {what} ({label(file)}); "
            f"`{command}` needs steps {needed_steps(needed)}")


def needed_steps(needed: tuple[str, ...]) -> str:
    return ", ".join(f"{BY_ID[m].number} ({m})" for m in sorted(needed, key=lambda m: BY_ID[m].number))

