"""The child's pytest plugin: stream each test's outcome to the parent over the signed channel.

Loaded only in the children `loopkata.containment.specrun` starts (never by
entry point), with `--report-fd` and `--report-key-fd` naming the channel's
two pipes; the key is read and its pipe closed at configure time, before
any learner code can run.

The list of collected tests is sent before the first test runs: the spec
imports learner code lazily, inside tests, so that list is fixed before any
of it runs. At the end, the reporter checks that the functions a failing
test goes through (`pytest.fail` and every public helper of
`loopkata.testing`) are still the ones it saw at start-up: code under test
that swapped one of them could pass any test.
"""
from __future__ import annotations

import gc
import importlib

import pytest

import loopkata.testing
from loopkata.containment.channel import Writer, open_writer
from loopkata.testing.plugin import NOT_STARTED, step_of

MESSAGE_LIMIT = 4000  # characters of a failure message kept for the parent

# what a failing test goes through: code under test that replaces one of these can pass anything
GUARDED = (("pytest", "fail"), ("_pytest.outcomes", "fail"), ("_pytest.outcomes", "Failed"),
           *(("loopkata.testing", name) for name in loopkata.testing.__all__))


def guarded() -> dict[tuple[str, str], object]:
    """The objects GUARDED names, as they are now."""
    return {(m, a): getattr(importlib.import_module(m), a, None) for m, a in GUARDED}


class Reporter:
    def __init__(self, writer: Writer):
        self._send = writer.send
        self._outcomes: dict[str, dict] = {}
        self._counts: dict[str, int] = {}
        self._machinery = guarded()  # before any learner code runs

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:  # every test of the files given, before --step deselects any
            step = step_of(item) or ""
            self._counts[step] = self._counts.get(step, 0) + 1

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        tests = [{"nodeid": item.nodeid, "step": step_of(item)} for item in session.items]
        self._send({"kind": "collected", "tests": tests, "counts": self._counts})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self._outcomes.setdefault(report.nodeid, {"outcome": "passed", "message": "", "not_started": False})
        if report.failed and entry["outcome"] != "failed":
            entry["outcome"] = "failed"
            entry["message"] = _message(report)
            entry["not_started"] = any(k == NOT_STARTED for k, _ in report.user_properties)
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"
            entry["message"] = _skip_reason(report)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        entry = self._outcomes.pop(nodeid, None)
        if entry is not None:
            self._send({"kind": "test", "nodeid": nodeid, **entry})

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        now = guarded()
        changed = [f"{m}.{a}" for (m, a), before in self._machinery.items() if now[(m, a)] is not before]
        if changed:
            self._send({"kind": "tampered", "changed": changed})
        stopped = session.shouldstop if isinstance(session.shouldstop, str) else None
        self._send({"kind": "finished", "stopped": stopped})


def _message(report: pytest.TestReport) -> str:
    text = report.longreprtext or ""
    if report.when != "call":
        text = f"(during {report.when}) {text}"
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "\n... (cut)"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("loopkata-report")
    group.addoption("--report-fd", type=int, default=None, help="(internal) write signed results to this fd")
    group.addoption("--report-key-fd", type=int, default=None, help="(internal) read the signing key from this fd")


def pytest_configure(config: pytest.Config) -> None:
    fd, key_fd = config.getoption("report_fd"), config.getoption("report_key_fd")
    if fd is None or key_fd is None:
        return
    config.pluginmanager.register(Reporter(open_writer(key_fd, fd)), "loopkata-reporter")


def pytest_unconfigure(config: pytest.Config) -> None:
    # the child ends right after pytest: spare the garbage collections pytest's clean-up forces (0.4 s
    # with torch loaded) by moving every object out of the collector's reach
    gc.freeze()
