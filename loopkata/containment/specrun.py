"""Run the spec, or part of it, against a kata tree in a contained child, and read back one result per test."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from loopkata.containment.sandbox import ChildRun, Limits, run_pytest, stopped
from loopkata.kata import paths
from loopkata.kata.files import Files, write_files
from loopkata.kata.steps import Step

HELD_OUT = "held_out"  # tests/held_out/<folder>/: an instructor's extra tests, written beside the spec

PYTEST_INI = """\
[pytest]
python_files = test_*.py
markers =
    timeout: pytest-timeout's per-test limit; a contained run limits every test with --test-seconds instead
"""


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class, despite its name

    nodeid: str
    step: str
    outcome: str  # passed, failed, skipped, or missing (the run ended before it reported)
    message: str = ""
    not_started: bool = False

    @property
    def name(self) -> str:
        return self.nodeid.rsplit("::", 1)[-1]

    @property
    def failed(self) -> bool:
        """Counted against the tree: it failed, or it never reported."""
        return self.outcome in ("failed", "missing")

    @property
    def held_out(self) -> str | None:
        """The instructor's folder of held-out tests this test comes from, or None for the public spec."""
        parts = self.nodeid.split("::", 1)[0].split("/")
        return parts[parts.index(HELD_OUT) + 1] if HELD_OUT in parts[:-2] else None


def same_way(tests: list[TestResult]) -> list[tuple[list[TestResult], str]]:
    """The tests grouped by their message, in order: a syntax error fails every test the same way."""
    groups: dict[str, list[TestResult]] = {}
    for t in tests:
        groups.setdefault(t.message.strip(), []).append(t)
    return [(group, message) for message, group in groups.items()]


@dataclass
class SpecRun:
    tests: list[TestResult]
    problem: str | None  # one line saying why the run did not finish normally, if it did not
    trusted: bool = True  # False when the result channel carried lines the grader did not write
    counts: dict[str, int] = field(default_factory=dict)  # step id -> tests in its file, run or not
    stopped: str | None = None  # why the run stopped on purpose before its last test (a step failed)

    def for_step(self, step_id: str) -> list[TestResult]:
        return [t for t in self.tests if t.step == step_id]


def write_spec(dest: Path, spec: Files | None = None) -> Path:
    """A private copy of the spec (tests/, from memory) with a pytest.ini of ours beside it."""
    write_files(spec if spec is not None else paths.spec_files(), dest / "tests")
    (dest / "pytest.ini").write_text(PYTEST_INI)
    return dest


def run_spec(tree: Path, steps: list[Step], workdir: Path, limits: Limits, *,
             spec: Files | None = None, require_cuda: bool = False, server=None,
             only: list[Step] | None = None, stop_after_failing_step: bool = False,
             collect_only: bool = False, extra: list[str] = ()) -> SpecRun:
    """Run the tests of `steps` (or, collecting all of them, of `only` those) against `tree` (a folder
    holding lesson9/) in a contained child; with stop_after_failing_step, none after the first step
    that does not pass. `extra` names more test files of the spec (relative to its tests/)."""
    tree = tree.resolve()
    spec_dir = write_spec(workdir / "spec", spec)
    args = [
        "-c", str(spec_dir / "pytest.ini"), f"--rootdir={spec_dir}",
        "-p", "loopkata.testing.plugin", "-p", "loopkata.containment.reporter",
        "-p", "no:cacheprovider", "-q", "--tb=short", "-o", "console_output_style=classic",
        f"--test-seconds={limits.test_seconds:g}", f"--import-seconds={limits.import_seconds:g}", f"--impl={tree}",
        *(["--require-cuda"] if require_cuda else []),
        *(["--stop-after-failing-step"] if stop_after_failing_step else []),
        *(["--collect-only"] if collect_only else []),
        *(f"--step={step.id}" for step in only or []),
        *(str(spec_dir / step.test_file) for step in steps),
        *(str(spec_dir / "tests" / rel) for rel in extra),
    ]
    child = run_pytest(args, workdir / "run", limits, server)
    run = read_results(child, limits)
    for test in run.tests:  # name the spec's own files, not this run's copies of them, which are gone
        test.message = _in_the_kata(test.message, spec_dir / "tests", workdir / "run")
    return run


def _in_the_kata(text: str, copied: Path, cwd: Path) -> str:
    """text with the run's copy of the spec named as the kata's own tests/ (pytest may write a path
    relative to the child's folder); the held-out tests, which have no place to show, by that name."""
    try:
        kata_tests = str(paths.kata_root() / "tests")
    except paths.KataNotFound:
        return text
    for written in (str(copied), os.path.relpath(copied, cwd)):
        text = text.replace(f"{written}{os.sep}{HELD_OUT}{os.sep}", "held-out tests: ").replace(written, kata_tests)
    return text


def read_results(child: ChildRun, limits: Limits) -> SpecRun:
    """The child's verified records as one result per collected test; tests that never reported are missing."""
    collected = next((r for r in child.records if r.get("kind") == "collected"), None)
    finish = next((r for r in child.records if r.get("kind") == "finished"), None)
    problem = _problem(child, limits, finish is not None)
    stopped = str(finish["stopped"]) if finish and finish.get("stopped") else None
    trusted = child.rejected == 0
    if collected is None:
        tail = child.output.strip().splitlines()[-1:] or ["no output"]
        return SpecRun([], problem or f"the spec could not be collected: {tail[0]}", trusted)
    not_run = f"not run: {stopped}" if stopped else f"did not run to the end: {problem or 'the run stopped early'}"
    tests = {t["nodeid"]: TestResult(t["nodeid"], t["step"] or "", "missing", not_run) for t in collected["tests"]}
    tampered = next((r for r in child.records if r.get("kind") == "tampered"), None)
    if tampered is not None:
        trusted = False
        problem = problem or ("the code under test replaced the test machinery ("
                              + ", ".join(map(str, tampered.get("changed", []))) + "): no test result counts")
    for record in child.records:
        if record.get("kind") != "test" or record.get("nodeid") not in tests:
            continue
        result = tests[record["nodeid"]]
        if result.outcome != "missing":
            problem, trusted = problem or "a test reported twice: the result channel was tampered with", False
            continue
        result.outcome = str(record.get("outcome", "failed"))
        result.message = str(record.get("message", ""))
        result.not_started = bool(record.get("not_started", False))
    counts = {str(k): int(v) for k, v in dict(collected.get("counts") or {}).items()}
    return SpecRun(list(tests.values()), problem, trusted, counts, stopped)


def _problem(child: ChildRun, limits: Limits, finished: bool) -> str | None:
    if child.rejected:
        return (f"{child.rejected} result line(s) not written by the grader were rejected: "
                "the submission wrote to the grader's result channel")
    if child.returncode in (3, 4) and not child.records:
        lines = [line for line in child.output.splitlines() if "ERROR" in line]
        return f"pytest could not run the spec (exit code {child.returncode}): {(lines or ['?'])[-1].strip()}"
    why = stopped(child, limits, finished)
    return None if why is None else f"the test process stopped early: {why}"
