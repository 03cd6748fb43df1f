"""The pytest plugin that turns tests/ into the kata's spec (the `pytest11` entry point `loopkata`).

Loaded at start-up through the `pytest11` entry point, so that `--impl PATH` is
known before pytest reads its arguments: otherwise pytest would take PATH for a
test path and load PATH/conftest.py, which may be a learner's or a submission's.

* `--impl PATH` chooses the tree whose `lesson9` package the spec imports
  (default: the reference, solutions/, when running the kata's own tests).
  pytest picks its rootdir and config file before any plugin loads, taking a
  bare PATH for a test path; so a bare `--impl PATH` on the command line
  restarts pytest once as `--impl=PATH`, before any conftest is read.
* `@pytest.mark.step("loss")` ties a test to a step; `--step loss` runs only it.
* `@pytest.mark.cuda` tests skip, with the reason, where torch sees no GPU;
  `--require-cuda` makes that a failure, for graders that must run on a GPU.
* `--expect-fail` inverts the spec for skeletons: every test must fail there.
* A NotImplementedError from the tree under test is reported in one line, as a
  step not started, and every failure names the step's spec page.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from loopkata.kata import paths
from loopkata.kata.steps import BY_ID

NOT_STARTED = "not_started"  # user property set on tests that hit a NotImplementedError
USAGE_NO_TREE = "--impl {path}: {why}; point it at a folder that holds lesson9/ (a workspace, or solutions/)"
BARE_IMPL_IN_PROCESS = "pytest.main(): write --impl=PATH, with '=', so that pytest does not read PATH as a test path"
CUDA_SKIP = "needs a CUDA GPU: torch.cuda.is_available() is False here"
CUDA_REQUIRED = "--require-cuda was given, but torch.cuda.is_available() is False here"

_impl: Path | None = None  # the tree under test, read by the helpers in loopkata.testing


def impl_path() -> Path | None:
    """The tree whose lesson9 package the spec imports, or None outside a kata run."""
    return _impl


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loopkata", "loopkata: the lesson-9 kata")
    group.addoption("--impl", metavar="PATH", help="folder holding the lesson9/ package to test (default: the reference)")
    group.addoption("--step", action="append", default=[], metavar="ID", help="run only this step's tests (repeatable)")
    group.addoption("--require-cuda", action="store_true", help="fail, instead of skipping, cuda tests where no GPU is seen")
    group.addoption("--expect-fail", action="store_true", help="every test must fail (for checking the skeletons)")


def _join_impl_value(args: list[str]) -> list[str]:
    """Rewrite `--impl PATH` as `--impl=PATH`, which pytest's first parse leaves alone."""
    fixed, i = [], 0
    while i < len(args):
        if args[i] == "--":
            return fixed + args[i:]
        if args[i] == "--impl" and i + 1 < len(args):
            fixed.append(f"--impl={args[i + 1]}")
            i += 2
        else:
            fixed.append(args[i])
            i += 1
    return fixed


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser, args) -> None:
    invoked = list(early_config.invocation_params.args)
    fixed = _join_impl_value(invoked)
    if fixed == invoked:
        return
    if invoked != sys.argv[1:]:
        # pytest.main() inside another program: restarting would end that program
        raise pytest.UsageError(BARE_IMPL_IN_PROCESS)
    capture = early_config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.stop_global_capturing()  # give the new process the real stdout/stderr
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "pytest", *fixed])


def _resolve_impl(config: pytest.Config) -> Path | None:
    given = config.getoption("impl")
    if given is not None:
        path = Path(given).expanduser().resolve()
        why = paths.tree_problem(path)
        if why is not None:
            raise pytest.UsageError(USAGE_NO_TREE.format(path=given, why=why))
        return path
    if config.rootpath.resolve() == paths.KATA_ROOT and (paths.KATA_ROOT / "solutions").is_dir():
        return paths.KATA_ROOT / "solutions"
    return None


def pytest_configure(config: pytest.Config) -> None:
    global _impl
    config.addinivalue_line("markers", "step(id): the kata step this test belongs to")
    config.addinivalue_line("markers", "cuda: needs a CUDA GPU (skipped where torch sees none)")
    for step_id in config.getoption("step"):
        if step_id not in BY_ID:
            raise pytest.UsageError(f"--step {step_id}: unknown step; the steps are {', '.join(BY_ID)}")
    _impl = _resolve_impl(config)
    if _impl is not None:
        paths.use_tree(_impl)  # the tree under test must win over anything else called lesson9


def pytest_report_header(config: pytest.Config) -> str | None:
    if _impl is None:
        return None
    return f"loopkata: lesson9 from {_impl}"


def step_of(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("step")
    return marker.args[0] if marker and marker.args else None


def keep_steps(config: pytest.Config, items: list[pytest.Item], wanted: set[str]) -> None:
    """Deselect every test whose step marker is not one of `wanted`."""
    keep = [item for item in items if step_of(item) in wanted]
    dropped = [item for item in items if step_of(item) not in wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = keep


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        step_id = step_of(item)
        if step_id is not None and step_id not in BY_ID:
            raise pytest.UsageError(f"{item.nodeid}: unknown step {step_id!r} in its step marker")
    wanted = set(config.getoption("step"))
    if wanted:
        keep_steps(config, items, wanted)
    if config.getoption("expect_fail"):
        for item in items:
            item.add_marker(pytest.mark.xfail(strict=True, reason="the skeleton must fail this test"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("cuda") is None:
        return
    import torch  # only here: most runs never need to know

    if not torch.cuda.is_available():
        if item.config.getoption("require_cuda"):
            pytest.fail(CUDA_REQUIRED, pytrace=False)
        pytest.skip(CUDA_SKIP)


def _raised_in_tree(excinfo: pytest.ExceptionInfo) -> bool:
    """Raised by the tree under test itself (a step not written yet), not by torch or the test."""
    if _impl is None or not excinfo.traceback:
        return False
    return _impl in Path(str(excinfo.traceback[-1].path)).resolve().parents


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed:
        return
    step_id = step_of(item)
    if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError) and _raised_in_tree(call.excinfo):
        report.user_properties.append((NOT_STARTED, True))
        message = str(call.excinfo.value) or "NotImplementedError"
        report.longrepr = (
            f"not implemented yet: {message}\n"
            "(replace the `raise NotImplementedError` with your code)"
        )
    if step_id is not None:
        step = BY_ID[step_id]
        report.sections.append(("spec", f"{step.label}: see {step.page}"))
