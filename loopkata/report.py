"""A pytest plugin for child runs: stream each test's outcome to the parent, signed.

Loaded only in the child processes that `loopkata.sandbox` starts (never by
entry point). The parent passes two file descriptors: one to read a random key
from (read and closed at configure, before any learner code can run) and one
to write results to. Every line is `<hmac> <json>`, the HMAC keyed with that
key over a sequence number and the JSON, so that a submission that writes
lines of its own, or replays ours, is caught by the parent.

The list of collected tests is sent before the first test runs: the spec
imports learner code lazily, inside tests, so that list is fixed before any
of it runs. At the end, the reporter checks that the functions a failing test
goes through (pytest.fail, loopkata.testing's helpers) are still the ones it
saw at start-up: code under test that swapped them could pass any test.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os

import pytest

from loopkata.plugin import NOT_STARTED, step_of

MESSAGE_LIMIT = 4000  # characters of a failure message kept for the parent


# what a failing test goes through: code under test that replaces one of these can pass anything
GUARDED = (("pytest", "fail"), ("_pytest.outcomes", "fail"), ("_pytest.outcomes", "Failed"),
           ("loopkata.testing", "fail"), ("loopkata.testing", "mismatch"),
           ("loopkata.testing", "expect_close"), ("loopkata.testing", "expect_equal"))


def _guarded() -> dict[tuple[str, str], object]:
    import importlib

    return {(m, a): getattr(importlib.import_module(m), a, None) for m, a in GUARDED}


class Reporter:
    def __init__(self, key: bytes, fd: int):
        self._key, self._fd, self._seq = key, fd, 0
        self._outcomes: dict[str, dict] = {}
        self._machinery = _guarded()  # before any learner code runs

    def send(self, record: dict) -> None:
        self._seq += 1
        body = json.dumps({"seq": self._seq, **record}, separators=(",", ":"))
        mac = hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()
        data = f"{mac} {body}\n".encode()
        while data:  # a pipe may take a long line in pieces
            data = data[os.write(self._fd, data):]

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        tests = [{"nodeid": item.nodeid, "step": step_of(item)} for item in session.items]
        self.send({"kind": "collected", "tests": tests})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self._outcomes.setdefault(report.nodeid, {"outcome": "passed", "message": "", "not_started": False})
        if report.failed and entry["outcome"] != "failed":
            entry["outcome"] = "failed"
            entry["message"] = _message(report)
            entry["not_started"] = any(k == NOT_STARTED for k, _ in report.user_properties)
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"
            entry["message"] = _skip_reason(report)
        if report.when == "call":
            entry["duration"] = round(report.duration, 4)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        entry = self._outcomes.pop(nodeid, None)
        if entry is not None:
            self.send({"kind": "test", "nodeid": nodeid, **entry})

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        now = _guarded()
        changed = [f"{m}.{a}" for (m, a), before in self._machinery.items() if now[(m, a)] is not before]
        if changed:
            self.send({"kind": "tampered", "changed": changed})
        self.send({"kind": "finished", "exitstatus": int(exitstatus)})


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
    with os.fdopen(key_fd, "rb") as f:  # read once and close: later code cannot read it again
        key = f.read()
    config.pluginmanager.register(Reporter(key, fd), "loopkata-reporter")
