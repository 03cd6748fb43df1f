"""Grade submissions: each step in isolation, the integration on the whole tree, in contained children.

For step S the child sees a tree made of the reference's modules, with the
submission's module S (and any extra modules of its own) in place of the
reference's, so one broken step never costs the steps after it. The
integration row runs the submission's whole tree. Scores are computed here,
in the parent, from signed per-test results; the child only runs tests.

Nothing runs in the submission's own folder: every submission, the reference
and the spec are copied into a private working folder before any learner
code runs, and their fingerprints are checked before each child starts, so
a submission that edits the grader's files (or another submission's) is
caught instead of silently changing grades.
"""
from __future__ import annotations

import hashlib
import queue
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from loopkata import paths
from loopkata.forkserver import ForkServer
from loopkata.sandbox import Limits, child_env
from loopkata.specrun import TestResult, run_spec
from loopkata.steps import STEPS, Step

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_POINTS = Path(__file__).parent / "points.toml"
FILE_LIMIT = 1_000_000  # bytes: a larger .py file in a submission is left out
TREE_LIMIT = 5_000_000  # bytes of .py files copied from one submission
STEP_LIMITS = Limits(wall_seconds=60, test_seconds=10)
INTEGRATION_LIMITS = Limits(wall_seconds=150, test_seconds=120)


class GradingError(Exception):
    """A problem with the call itself (a bad points file, say): exit 2."""


@dataclass(frozen=True)
class Points:
    steps: dict[str, float]
    weights: dict[str, float]

    def weight(self, test: TestResult) -> float:
        file_and_name = test.nodeid.rsplit("/", 1)[-1]  # "test_02_loss.py::test_nll..."
        return self.weights.get(file_and_name, 1.0)

    @property
    def total(self) -> float:
        return sum(self.steps.values())


def load_points(path: Path | None = None) -> Points:
    path = path or DEFAULT_POINTS
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise GradingError(f"points file {path}: {e}") from None
    steps = {k: float(v) for k, v in data.get("steps", {}).items()}
    unknown = set(steps) - {s.id for s in STEPS}
    missing = {s.id for s in STEPS} - set(steps)
    if unknown or missing:
        raise GradingError(f"points file {path}: [steps] must list every step "
                           f"(unknown: {sorted(unknown) or 'none'}, missing: {sorted(missing) or 'none'})")
    if any(v < 0 for v in steps.values()):
        raise GradingError(f"points file {path}: points must not be negative")
    weights = {k: float(v) for k, v in data.get("weights", {}).items()}
    if any(v <= 0 for v in weights.values()):
        raise GradingError(f"points file {path}: weights must be positive")
    return Points(steps, weights)


@dataclass
class StepGrade:
    step: Step
    max_score: float
    score: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    problem: str | None = None
    seconds: float = 0.0

    @property
    def counted(self) -> list[TestResult]:
        return [t for t in self.tests if t.outcome != "skipped"]

    @property
    def passed(self) -> int:
        return sum(t.outcome == "passed" for t in self.counted)

    @property
    def status(self) -> str:
        return "passed" if self.counted and self.passed == len(self.counted) and not self.problem else "failed"

    def output(self) -> str:
        """What the learner reads about this step: the problem, then each failing test's message."""
        lines = [f"{self.passed} of {len(self.counted)} tests pass. Spec: {self.step.page}"]
        if self.problem:
            lines.append(f"Problem: {self.problem}")
        for t in self.tests:
            if t.outcome in ("failed", "missing"):
                lines.append(f"\n{t.name}: {t.message.strip()}")
        skipped = [t for t in self.tests if t.outcome == "skipped"]
        if skipped:
            lines.append(f"\n{len(skipped)} test(s) not counted: {skipped[0].message}")
        return "\n".join(lines)


@dataclass
class SubmissionGrade:
    name: str
    path: Path
    steps: list[StepGrade]
    problem: str | None = None

    @property
    def score(self) -> float:
        return sum(g.score for g in self.steps)

    @property
    def max_score(self) -> float:
        return sum(g.max_score for g in self.steps)


def score_step(step: Step, tests: list[TestResult], problem: str | None, points: Points,
               trusted: bool = True) -> StepGrade:
    """Share the step's points among its counted tests by weight; nothing when results were forged."""
    grade = StepGrade(step, points.steps[step.id], tests=tests, problem=problem)
    counted = grade.counted
    total = sum(points.weight(t) for t in counted)
    if total > 0 and trusted:
        earned = sum(points.weight(t) for t in counted if t.outcome == "passed")
        grade.score = round(grade.max_score * earned / total, 4)
    return grade


def fingerprint(root: Path) -> str:
    """A hash of every file's path and content under root."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def copy_lesson9(source: Path, dest: Path) -> list[str]:
    """Copy the .py files of source/lesson9 into dest/lesson9; return what was left out, and why."""
    left_out, total = [], 0
    (dest / "lesson9").mkdir(parents=True, exist_ok=True)
    for path in sorted((source / "lesson9").rglob("*.py")):
        rel = path.relative_to(source)
        if path.is_symlink() or not path.is_file():
            left_out.append(f"{rel} (a link)")
            continue
        size = path.stat().st_size
        if size > FILE_LIMIT or total + size > TREE_LIMIT:
            left_out.append(f"{rel} (too large)")
            continue
        total += size
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest / rel)
    return left_out


def isolated_tree(reference: Path, submission: Path, step: Step, dest: Path) -> Path:
    """Reference modules, with the submission's module for `step` and its extra modules."""
    shutil.copytree(reference / "lesson9", dest / "lesson9")
    ours = {p.name for p in (reference / "lesson9").glob("*.py")}
    (dest / "lesson9" / f"{step.module}.py").unlink()  # a missing module must stay missing
    for path in (submission / "lesson9").glob("*.py"):
        if path.name == f"{step.module}.py" or path.name not in ours:
            shutil.copyfile(path, dest / "lesson9" / path.name)
    return dest


class Grader:
    """Grades one or many submissions, each (submission, step) pair in its own child."""

    def __init__(self, points: Points, workdir: Path, jobs: int = 1, require_cuda: bool = False,
                 progress=None, steps: list[Step] | None = None,
                 limits: tuple[Limits, Limits] = (STEP_LIMITS, INTEGRATION_LIMITS), fork_server: bool = True):
        self.points, self.workdir, self.jobs = points, workdir, max(1, jobs)
        self.require_cuda, self.progress = require_cuda, progress
        self.steps = list(steps or STEPS)
        self.fork_server = fork_server
        self.step_limits, self.integration_limits = limits
        self.reference = workdir / "reference"
        self.spec = workdir / "spec-tests"
        copy_lesson9(paths.reference_tree(), self.reference)
        shutil.copytree(paths.kata_root() / "tests", self.spec,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        self._trusted = {
            "the reference": (self.reference, fingerprint(self.reference)),
            "the spec": (self.spec, fingerprint(self.spec)),
            "the loopkata package": (Path(__file__).parent, fingerprint(Path(__file__).parent)),
        }
        self._lock = threading.Lock()
        self._tampered: str | None = None
        self._servers: queue.SimpleQueue[ForkServer] = queue.SimpleQueue()
        self._all_servers: list[ForkServer] = []

    def _server(self) -> ForkServer | None:
        """A fork server of our own for the calling thread's next run, or None to spawn instead."""
        if not self.fork_server:
            return None
        try:
            return self._servers.get_nowait()
        except queue.Empty:
            pass
        try:
            server = ForkServer(child_env(self.workdir, "fork-server"))
        except OSError:
            return None
        with self._lock:
            self._all_servers.append(server)
        return server

    def close(self) -> None:
        for server in self._all_servers:
            server.close()

    def _check_trusted(self, after: str) -> None:
        with self._lock:
            if self._tampered:
                return
            for what, (root, print_) in self._trusted.items():
                if fingerprint(root) != print_:
                    self._tampered = (f"{what} changed on disk while {after} was graded: grading stopped; "
                                      "restore the checkout (git status) and grade again")
                    return

    def grade(self, submissions: list[tuple[str, Path]]) -> list[SubmissionGrade]:
        grades: list[SubmissionGrade] = []
        tasks = []
        for index, (name, path) in enumerate(submissions):
            copy = self.workdir / f"sub{index}" / "tree"
            grade = SubmissionGrade(name, path, [StepGrade(s, self.points.steps[s.id]) for s in self.steps])
            grades.append(grade)
            if not paths.is_kata_tree(path):
                grade.problem = f"{path} holds no lesson9/ folder: nothing to grade"
                for step_grade in grade.steps:
                    step_grade.problem = grade.problem
                continue
            left_out = copy_lesson9(path, copy)
            if left_out:
                grade.problem = "left out of grading: " + ", ".join(left_out)
            print_ = fingerprint(copy)
            for position, step in enumerate(self.steps):
                tasks.append((grade, position, step, copy, print_))
        try:
            with ThreadPoolExecutor(self.jobs) as pool:
                for _ in pool.map(lambda task: self._grade_step(*task), tasks):
                    pass
        finally:
            self.close()
        return grades

    def _grade_step(self, grade: SubmissionGrade, position: int, step: Step, copy: Path, print_: str) -> None:
        work = Path(tempfile.mkdtemp(prefix=f"{step.id}-", dir=copy.parent))
        started = time.monotonic()
        try:
            self._check_trusted(after="an earlier submission")
            if self._tampered or fingerprint(copy) != print_:
                problem = self._tampered or "the submission's files changed during grading (another submission?)"
                result = score_step(step, [], problem, self.points, trusted=False)
            else:
                if step.module is None:
                    tree, limits = copy, self.integration_limits
                else:
                    tree, limits = isolated_tree(self.reference, copy, step, work / "tree"), self.step_limits
                server = self._server()
                try:
                    run = run_spec(tree, [step], work, limits, spec_source=self.spec,
                                   require_cuda=self.require_cuda, server=server)
                finally:
                    if server is not None and server.proc.poll() is None:
                        self._servers.put(server)
                result = score_step(step, run.tests, run.problem, self.points, run.trusted)
                self._check_trusted(after=grade.name)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        result.seconds = time.monotonic() - started
        grade.steps[position] = result
        if self.progress:
            self.progress(grade, result)


def submissions_in(paths_given: list[Path]) -> list[tuple[str, Path]]:
    """Expand the paths: a kata tree is one submission, another folder holds one per sub-folder."""
    found: list[tuple[str, Path]] = []
    for path in paths_given:
        if paths.is_kata_tree(path):
            found.append((path.resolve().name, path))
        else:
            found += [(p.name, p) for p in sorted(path.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    names: dict[str, int] = {}
    unique = []
    for name, path in found:
        names[name] = names.get(name, 0) + 1
        unique.append((name if names[name] == 1 else f"{name}-{names[name]}", path))
    return unique


