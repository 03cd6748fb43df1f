"""The tree under test: where it is, and its lesson9 modules imported once, each failure told in one line.

A module that fails to import (a syntax error, an exception, an endless loop
at import) fails every test that needs it with the same line, at once: the
first failure is remembered, never waited for again. A module that runs, at
import, code of the tree not written yet (a decorator whose body still raises
NotImplementedError) has not failed: its step is not started, and its line
says what to write first. `import_all` imports every module of the tree under
a time limit before the first test runs, so that an endless loop at import
costs seconds once, not a timeout per test.
"""
from __future__ import annotations

import importlib
import signal
import sys
import traceback
from pathlib import Path
from types import ModuleType

from loopkata.kata import paths
from loopkata.kata.steps import MODULE_STEPS

_impl: Path | None = None
_errors: dict[str, str] = {}  # module name -> why it cannot be imported, in one line
_not_written: set[str] = set()  # the modules of _errors that run code not written yet at import


class Unavailable(BaseException):
    """A test needs a module or a name of the tree that is not there, or does not import: its one-line
    message is the test's failure (a BaseException: Hypothesis stops at once, as no example can help)."""


class NotWrittenYet(Unavailable):
    """A test needs a module that runs, at import, code of the tree not written yet: the step is not started."""


class ImportProblem(ImportError):
    """A module of the tree cannot be imported; the message says why in one line."""


class RunsUnwrittenCode(ImportProblem):
    """A module of the tree runs, at import, code not written yet (its own NotImplementedError)."""


class ImportTimedOut(BaseException):
    """An import ran past its time limit (a BaseException: `except Exception` in the module lets it by)."""


class _KnownFailures:
    """A meta path finder: importing a module of the tree that failed before fails again at once
    (another module that imports it included), instead of running its endless loop once more."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        name = fullname.removeprefix("lesson9.")
        if fullname.startswith("lesson9.") and name in _errors:
            raise (RunsUnwrittenCode if name in _not_written else ImportProblem)(_errors[name])
        return None


def set_impl(path: Path) -> None:
    """Test the tree at `path` from now on: `import lesson9` loads its package."""
    global _impl
    _impl = path
    _errors.clear()
    _not_written.clear()
    paths.use_tree(path)
    if _KnownFailures not in sys.meta_path:
        sys.meta_path.insert(0, _KnownFailures)


def impl_path() -> Path | None:
    """The tree whose lesson9 package the spec imports, or None outside a kata run."""
    return _impl


def in_tree(filename: str) -> bool:
    """Whether a source file belongs to the tree under test."""
    return _impl is not None and _impl in Path(filename).resolve().parents


def relative(filename: str) -> str:
    """A file of the tree as `lesson9/x.py`; any other file as its name."""
    path = Path(filename).resolve()
    return path.relative_to(_impl).as_posix() if in_tree(filename) else path.name


def _code_name(code) -> str:
    return getattr(code, "co_qualname", code.co_name).replace(".<locals>", "")


def not_written_at_import(e: BaseException, file: str) -> str | None:
    """When `e` is a NotImplementedError that the tree's own code raised while `file` was being imported:
    one line saying what is not written yet and where the import runs it; otherwise None."""
    if not isinstance(e, NotImplementedError):
        return None
    frames = list(traceback.walk_tb(e.__traceback__))
    if not frames or not in_tree(frames[-1][0].f_code.co_filename):
        return None  # raised by torch or Python, not by the tree
    ours = [(frame.f_code, line) for frame, line in frames if in_tree(frame.f_code.co_filename)]
    raiser, raised_at = ours[-1]
    body, line = next(((code, n) for code, n in reversed(ours) if code.co_name == "<module>"), ours[-1])
    where = relative(body.co_filename)
    also = "" if where == file else f" (imported by {file})"
    why = f" ({' '.join(str(e).split())})" if str(e).strip() else ""
    if raiser.co_name == "<module>":
        return f"{where} raises NotImplementedError at import (line {raised_at}){also}{why}"
    return (f"{_code_name(raiser)}, which {where} runs at import (line {line}), so no test of the module can "
            f"run before it works{also}{why}")


def import_module(name: str) -> ModuleType:
    """`lesson9.<name>` of the tree under test; ImportProblem, the same every time, when it cannot be
    (RunsUnwrittenCode when the module runs code not written yet at import)."""
    file = f"lesson9/{name}.py"
    if name in _errors:
        raise (RunsUnwrittenCode if name in _not_written else ImportProblem)(_errors[name])
    if _impl is None:
        raise ImportProblem("no tree under test: run pytest with --impl PATH (a folder holding lesson9/)")
    try:
        module = importlib.import_module(f"lesson9.{name}")
    except SyntaxError as e:  # maybe in another module this one imports: name the file it is in
        where = relative(e.filename) if e.filename else file
        also = "" if where == file else f" (imported by {file})"
        _errors[name] = f"{where} has a syntax error at line {e.lineno}: {e.msg}{also}"
    except ModuleNotFoundError as e:
        if e.name in (f"lesson9.{name}", "lesson9"):
            _errors[name] = f"{file} is missing from {_impl}"
        else:
            _errors[name] = f"importing {file} failed: {type(e).__name__}: {e}"
    except KeyboardInterrupt:
        raise
    except RunsUnwrittenCode as e:  # it imports a module of the tree that runs code not written yet
        _errors[name] = f"{e} (imported by {file})"
        _not_written.add(name)
    except ImportProblem as e:  # it imports a module of the tree that failed before
        _errors[name] = f"importing {file} failed: {e}"
    except ImportTimedOut as e:
        _errors[name] = f"importing {file} did not finish within {e.args[0]:g} s (an endless loop at import?)"
    except BaseException as e:  # whatever the module does at import: raise, exit, or time out
        unwritten = not_written_at_import(e, file)
        if unwritten is not None:
            _errors[name] = unwritten
            _not_written.add(name)
        else:
            where = traceback.extract_tb(e.__traceback__)[-1]
            _errors[name] = (f"importing {file} failed: {type(e).__name__}: {e} "
                             f"({Path(where.filename).name}, line {where.lineno})")
    if name in _errors:
        raise (RunsUnwrittenCode if name in _not_written else ImportProblem)(_errors[name])
    module_file = Path(getattr(module, "__file__", "") or "").resolve()
    if _impl not in module_file.parents:
        _errors[name] = f"lesson9.{name} was imported from {module_file}, not from the tree under test {_impl}"
        raise ImportProblem(_errors[name])
    return module


def import_all(seconds: float) -> None:
    """Import the tree's step modules, each within `seconds`; remember what fails (the tests report it).

    Only the steps' own modules: any other file in lesson9/ runs only if one of them imports it."""
    if _impl is None or not hasattr(signal, "setitimer"):
        return

    def too_long(signum, frame):
        raise ImportTimedOut(seconds)

    before = signal.signal(signal.SIGALRM, too_long)
    try:
        for step in MODULE_STEPS:
            if f"lesson9.{step.module}" in sys.modules or not (_impl / step.module_file).is_file():
                continue
            try:
                signal.setitimer(signal.ITIMER_REAL, seconds)
                import_module(step.module)
            except (ImportProblem, ImportTimedOut):
                pass
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, before)
