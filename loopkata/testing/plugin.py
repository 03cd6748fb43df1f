"""The pytest plugin that turns tests/ into the kata's spec (the `pytest11` entry point `loopkata`).

Loaded at start-up through the entry point, so that `--impl PATH` is known
before pytest reads its arguments: otherwise pytest would take PATH for a
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
* `--test-seconds N` limits each test, and `--import-seconds N` each import
  of the tree's modules before the first test (see `loopkata.testing.hangs`).
* A NotImplementedError from the tree under test is reported in one line, as
  a step not started (also when a module runs the unwritten code at import,
  see `tree.NotWrittenYet`), and every failure names the step's spec page.
"""
from __future__ import annotations

import functools
import os
import re
import signal
import sys
from pathlib import Path

import pytest

from loopkata.kata import pages, paths
from loopkata.kata.steps import BY_ID
from loopkata.testing import tree
from loopkata.testing.hangs import HangGuard

NOT_STARTED = "not_started"  # user property set on tests that hit a NotImplementedError
USAGE_NO_TREE = "--impl {path}: {why}; point it at a folder that holds lesson9/ (a workspace, or solutions/)"
BARE_IMPL_IN_PROCESS = "pytest.main(): write --impl=PATH, with '=', so that pytest does not read PATH as a test path"
CUDA_SKIP = "needs a CUDA GPU: torch.cuda.is_available() is False here"
CUDA_REQUIRED = "--require-cuda was given, but torch.cuda.is_available() is False here"



class NotStarted(BaseException):
    """A NotImplementedError of the tree, carried out of a Hypothesis test without shrinking."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loopkata", "loopkata: the lesson-9 kata")
    group.addoption("--impl", metavar="PATH", help="folder holding the lesson9/ package to test (default: the reference)")
    group.addoption("--step", action="append", default=[], metavar="ID", help="run only this step's tests (repeatable)")
    group.addoption("--require-cuda", action="store_true", help="fail, instead of skipping, cuda tests where no GPU is seen")
    group.addoption("--expect-fail", action="store_true", help="every test must fail (for checking the skeletons)")
    group.addoption("--test-seconds", type=float, default=None, metavar="N",
                    help="fail a test (set-up, call or tear-down) still running after N seconds; code that "
                         "hung is not waited for again")
    group.addoption("--import-seconds", type=float, default=None, metavar="N",
                    help="import each module of the tree, within N seconds, before the first test")
    group.addoption("--stop-after-failing-step", action="store_true",
                    help="run the steps in order and stop after the first one that does not pass")


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
    config.addinivalue_line("markers", "step(id): the kata step this test belongs to")
    config.addinivalue_line("markers", "cuda: needs a CUDA GPU (skipped where torch sees none)")
    for step_id in config.getoption("step"):
        if step_id not in BY_ID:
            raise pytest.UsageError(f"--step {step_id}: unknown step; the steps are {', '.join(BY_ID)}")
    impl = _resolve_impl(config)
    if impl is not None:
        tree.set_impl(impl)
    seconds = config.getoption("test_seconds")
    if seconds is not None and hasattr(signal, "setitimer"):  # Windows has no timer signal: the run's
        config.pluginmanager.register(HangGuard(seconds), "loopkata-hangs")  # wall clock limits it there
    if config.getoption("stop_after_failing_step"):
        config.pluginmanager.register(StopAfterFailingStep(), "loopkata-stop")


def pytest_report_header(config: pytest.Config) -> str | None:
    impl = tree.impl_path()
    return None if impl is None else f"loopkata: lesson9 from {impl}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session: pytest.Session):
    seconds = session.config.getoption("import_seconds")
    if seconds is not None and not session.config.option.collectonly:
        tree.import_all(seconds)  # after collection: the list of tests is fixed before learner code runs
    yield


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
    for item in items:
        _stop_hypothesis_at_not_implemented(item)


class StopAfterFailingStep:
    """Once the last test of a step has run, end the session if any test of that step failed."""

    def __init__(self):
        self.step_of: dict[str, str | None] = {}  # nodeid -> step id
        self.last_of: dict[str | None, str] = {}  # step id -> nodeid of its last test
        self.failing: set[str | None] = set()  # step ids

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.step_of = {item.nodeid: step_of(item) for item in items}
        self.last_of = {step_of(item): item.nodeid for item in items}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failing.add(self.step_of.get(report.nodeid))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        yield
        step_id = self.step_of.get(item.nodeid)
        if self.last_of.get(step_id) == item.nodeid and step_id in self.failing:
            item.session.shouldstop = f"{step_id} does not pass: the steps after it are not run"


def _stop_hypothesis_at_not_implemented(item: pytest.Item) -> None:
    """Code not written yet fails a Hypothesis test at its first example: no shrinking, which cannot help."""
    hypothesis = getattr(getattr(item, "obj", None), "hypothesis", None)
    if hypothesis is None:
        return
    inner = hypothesis.inner_test

    def inner_test(*args, **kwargs):
        try:
            return inner(*args, **kwargs)
        except NotImplementedError as e:
            if tree.in_tree(_innermost_file(e)):
                raise NotStarted(str(e)) from e
            raise

    hypothesis.inner_test = inner_test


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("cuda") is None:
        return
    import torch  # only here: most runs never need to know

    if not torch.cuda.is_available():
        if item.config.getoption("require_cuda"):
            pytest.fail(CUDA_REQUIRED, pytrace=False)
        pytest.skip(CUDA_SKIP)


def _innermost_file(e: BaseException) -> str:
    tb = e.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename


def _not_started(excinfo: pytest.ExceptionInfo) -> str | None:
    """The NotImplementedError's message, when the tree under test itself raised one (a step not written
    yet), not torch or the test."""
    if excinfo.errisinstance((NotStarted, tree.NotWrittenYet)):
        return str(excinfo.value)
    if excinfo.errisinstance(NotImplementedError) and excinfo.traceback \
            and tree.in_tree(str(excinfo.traceback[-1].path)):
        return str(excinfo.value)
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed:
        return
    step_id = step_of(item)
    not_started = _not_started(call.excinfo) if call.excinfo is not None else None
    hangs = item.config.pluginmanager.get_plugin("loopkata-hangs")
    hung = hangs.explain(item, call.excinfo) if hangs is not None and call.excinfo is not None else None
    found = _hypothesis_failure(item, call.excinfo) if call.excinfo is not None else None
    if not_started is None and call.excinfo is not None and call.excinfo.errisinstance(tree.Unavailable):
        report.longrepr = str(call.excinfo.value)
    elif found is not None:
        report.longrepr = found
    elif not_started is not None:
        report.user_properties.append((NOT_STARTED, True))
        report.longrepr = (
            f"not implemented yet: {not_started or 'NotImplementedError'}\n"
            "(replace the `raise NotImplementedError` with your code)"
        )
    elif hung is not None:
        report.longrepr = hung
    if step_id is not None:
        step = BY_ID[step_id]
        pointer = _shape_pitfall(step, call.excinfo) if call.excinfo is not None else None
        if pointer:  # in the failure's own text, which is what a contained run reports
            report.longrepr = f"{report.longreprtext}\n{pointer}"
        report.sections.append(("spec", f"{step.label}: see {spec_page(step)}"))


def spec_page(step) -> str:
    """The step's page as a path that exists here (the checkout's or the release's), else as the kata names it."""
    try:
        page = paths.kata_root() / step.page
    except paths.KataNotFound:
        return step.page
    return str(page) if page.is_file() else step.page


def _hypothesis_failure(item: pytest.Item, excinfo: pytest.ExceptionInfo) -> str | None:
    """A Hypothesis test that failed through the spec's helpers: their message alone, which already says
    what was called with what; not Hypothesis's notes (`Draw 1: ...`), nor a group of every failure."""
    if getattr(getattr(item, "obj", None), "hypothesis", None) is None:
        return None
    errors = [excinfo.value]
    while isinstance(errors[0], BaseExceptionGroup):
        errors = list(errors[0].exceptions) + errors[1:]
    first = errors[0]
    if not isinstance(first, pytest.fail.Exception):
        return None
    more = len(errors) - 1
    return str(first.msg) + (f"\n(and {more} other failing example{'s' if more > 1 else ''})" if more else "")


SHAPE_ERROR = re.compile(r"size of tensor|must match the size|shape|mat1 and mat2|dimension|broadcast", re.IGNORECASE)
SHAPE_WORDS = re.compile(r"broadcast|\bshape\[", re.IGNORECASE)  # pitfalls about lining shapes up


@functools.lru_cache(maxsize=None)
def _shape_pitfalls(step) -> tuple[str, ...]:
    try:
        page = (paths.kata_root() / step.page).read_text()
    except (OSError, paths.KataNotFound):
        return ()
    return tuple(name for name, text in pages.bullets(page, pages.PITFALLS) if SHAPE_WORDS.search(name + " " + text))


def _shape_pitfall(step, excinfo: pytest.ExceptionInfo) -> str | None:
    """Under a raw shape error from torch, one line naming the step's pitfalls about shapes."""
    if not excinfo.errisinstance((RuntimeError, IndexError, ValueError)) or not SHAPE_ERROR.search(str(excinfo.value)):
        return None
    names = _shape_pitfalls(step)
    if not names:
        return None
    return (f"A shape error: {spec_page(step)} lists the pitfall" + ("s " if len(names) > 1 else " ")
            + ", ".join(f'"{name}"' for name in names))
