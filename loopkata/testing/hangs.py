"""Hangs cost seconds, not minutes: a time limit per test, and code that hung is not waited for twice.

Active with `--test-seconds N` (the contained runs always give it). Each
test's set-up, call and tear-down get N seconds each; past that,
`TestTimedOut` is raised where the code is running. The innermost function
of the tree under test that was running then is remembered as hung: a later
test that calls it fails at once with `HungBefore` instead of waiting N
seconds again.

Both are BaseExceptions, so that `except Exception` in the code under test
does not swallow them and Hypothesis does not replay a hanging example while
it shrinks: one hang costs one time limit.
"""
from __future__ import annotations

import signal
import sys
from types import CodeType

import pytest

from loopkata.testing import tree


class TestTimedOut(BaseException):
    __test__ = False  # not a test class, despite its name


class HungBefore(BaseException):
    """The test called a function of the tree that did not finish in an earlier test."""


def _where(code: CodeType, lineno: int) -> str:
    name = getattr(code, "co_qualname", code.co_name)  # co_qualname: Python 3.11+
    return f"{name} ({tree.relative(code.co_filename)}, line {lineno})"


class HangGuard:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.hung: dict[CodeType, str] = {}  # code of the tree that did not finish -> where, and in which test

    def _alarm(self, signum, frame) -> None:
        raise TestTimedOut(self.seconds)

    def _trace(self, frame, event, arg):
        if event == "call" and frame.f_code in self.hung:
            raise HungBefore(self.hung[frame.f_code])
        return None  # no tracing inside the frame: a call costs one check, no more

    def _limited(self):
        before = signal.signal(signal.SIGALRM, self._alarm)
        tracer = sys.gettrace()
        if self.hung:
            sys.settrace(self._trace)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.settrace(tracer)
            signal.signal(signal.SIGALRM, before)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        yield from self._limited()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        yield from self._limited()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item):
        yield from self._limited()

    def explain(self, item: pytest.Item, excinfo: pytest.ExceptionInfo) -> str | None:
        """The one-line message for a test that hung or called hung code; None for any other failure."""
        if excinfo.errisinstance(HungBefore):
            return f"not run to the end: {excinfo.value.args[0]}"
        if not excinfo.errisinstance(TestTimedOut):
            return None
        running = [e for e in excinfo.traceback if tree.in_tree(str(e.path))]
        if not running:
            return (f"did not finish within {self.seconds:g} s (an endless loop, or a wait that never ends, "
                    "here or in the code it calls?)")
        innermost = running[-1]
        code = innermost.frame.code.raw
        where = _where(code, innermost.lineno + 1)
        self.hung[code] = f"it calls {where}, which did not finish within {self.seconds:g} s in {item.name}"
        return (f"did not finish within {self.seconds:g} s: still running {where} (an endless loop?). "
                "Later tests that call it fail at once instead of waiting again")

