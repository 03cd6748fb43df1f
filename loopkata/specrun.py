"""Run the spec, or part of it, against a kata tree in a contained child, and read back the results."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from loopkata import paths
from loopkata.sandbox import ChildRun, Limits, run_pytest
from loopkata.steps import Step

# tests/proof holds the spec's own test data (bug zoo, alternative rebuilds): no child needs it
SPEC_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "proof", "*.md")

PYTEST_INI = """\
[pytest]
timeout_method = signal
python_files = test_*.py
"""


@dataclass
class TestResult:
    nodeid: str
    step: str
    outcome: str  # passed, failed, skipped, or missing (the run ended before it reported)
    message: str = ""
    not_started: bool = False

    @property
    def name(self) -> str:
        return self.nodeid.rsplit("::", 1)[-1]


@dataclass
class SpecRun:
    tests: list[TestResult]
    problem: str | None  # one line saying why the run did not finish normally, if it did not
    child: ChildRun
    trusted: bool = True  # False when the result channel carried lines the grader did not write

    def for_step(self, step_id: str) -> list[TestResult]:
        return [t for t in self.tests if t.step == step_id]


def copy_spec(dest: Path, source: Path | dict[str, bytes] | None = None) -> Path:
    """A private copy of tests/ (from a folder, or files held in memory) with a pytest.ini of ours."""
    source = source or paths.kata_root() / "tests"
    dest.mkdir(parents=True, exist_ok=True)
    if isinstance(source, dict):
        for rel, data in source.items():
            (dest / "tests" / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / "tests" / rel).write_bytes(data)
    else:
        shutil.copytree(source, dest / "tests", ignore=SPEC_IGNORE)
    (dest / "pytest.ini").write_text(PYTEST_INI)
    return dest


def run_spec(tree: Path, steps: list[Step], workdir: Path, limits: Limits, *,
             spec_source: Path | dict[str, bytes] | None = None, require_cuda: bool = False,
             server=None) -> SpecRun:
    """Run the tests of `steps` against `tree` (a folder holding lesson9/) in a child."""
    tree = tree.resolve()
    spec = copy_spec(workdir / "spec", spec_source)
    args = [
        "-c", str(spec / "pytest.ini"), f"--rootdir={spec}",
        "-p", "loopkata.plugin", "-p", "pytest_timeout", "-p", "loopkata.report",
        "-p", "no:cacheprovider", "-q", "--tb=short", "-o", "console_output_style=classic",
        f"--timeout={limits.test_seconds:g}", f"--impl={tree}",
        *(["--require-cuda"] if require_cuda else []),
        *(str(spec / step.test_file) for step in steps),
    ]
    child = run_pytest(args, workdir / "run", limits, server)
    return _read(child, limits)


def _read(child: ChildRun, limits: Limits) -> SpecRun:
    collected = next((r for r in child.records if r.get("kind") == "collected"), None)
    finished = any(r.get("kind") == "finished" for r in child.records)
    problem = _problem(child, limits, finished)
    if collected is None:
        tail = child.output.strip().splitlines()[-1:] or ["no output"]
        return SpecRun([], problem or f"the spec could not be collected: {tail[0]}", child, child.rejected == 0)
    tests = {
        t["nodeid"]: TestResult(t["nodeid"], t["step"] or "", "missing",
                                f"did not run to the end: {problem or 'the run stopped early'}")
        for t in collected["tests"]
    }
    trusted = child.rejected == 0
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
    return SpecRun(list(tests.values()), problem, child, trusted)


def _problem(child: ChildRun, limits: Limits, finished: bool) -> str | None:
    if child.rejected:
        return (f"{child.rejected} result line(s) not written by the grader were rejected: "
                "the submission wrote to the grader's result channel")
    if child.timed_out:
        return (f"stopped after {limits.wall_seconds:g} s: something did not finish "
                "(an endless loop, or a wait that swallows the per-test timeout?)")
    if child.returncode is not None and child.returncode < 0:
        return f"the test process was killed by signal {-child.returncode} (a crash, or memory exhausted?)"
    if child.returncode in (3, 4) and not child.records:
        lines = [line for line in child.output.splitlines() if "ERROR" in line]
        return f"pytest could not run the spec (exit code {child.returncode}): {(lines or ['?'])[-1].strip()}"
    if not finished:
        return (f"the test process ended early with exit code {child.returncode} "
                "(sys.exit, os._exit or pytest.exit in the code under test?)")
    return None
