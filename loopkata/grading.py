"""Grade submissions: each step in isolation, the integration on the whole tree, in contained children.

For step S the child sees a tree made of the reference's modules, with the
submission's module S (and any extra modules of its own) in place of the
reference's, so one broken step never costs the steps after it. The
integration row runs the submission's whole tree. Scores are computed here,
in the parent, from signed per-test results; the child only runs tests.

Nothing runs in the submission's own folder: every submission, the reference
and the spec are read into memory before any learner code runs, and each
child gets its own fresh copy of what it needs.
"""
from __future__ import annotations

import dataclasses
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
        """The test's weight: by "file::name[case]", else "file::name" (every case), else 1."""
        file_and_name = test.nodeid.rsplit("/", 1)[-1]  # "test_02_loss.py::test_nll..."
        return self.weights.get(file_and_name, self.weights.get(file_and_name.split("[", 1)[0], 1.0))


def load_points(path: Path | None = None) -> Points:
    path = path or DEFAULT_POINTS
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise GradingError(f"points file {path}: {e}") from None
    try:
        steps = {k: float(v) for k, v in data.get("steps", {}).items()}
        weights = {k: float(v) for k, v in data.get("weights", {}).items()}
    except (TypeError, ValueError, AttributeError):
        raise GradingError(f"points file {path}: [steps] and [weights] hold numbers only") from None
    unknown = set(steps) - {s.id for s in STEPS}
    missing = {s.id for s in STEPS} - set(steps)
    if unknown or missing:
        raise GradingError(f"points file {path}: [steps] must list every step "
                           f"(unknown: {sorted(unknown) or 'none'}, missing: {sorted(missing) or 'none'})")
    if any(v < 0 for v in steps.values()):
        raise GradingError(f"points file {path}: points must not be negative")
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


Files = dict[str, bytes]  # a tree held in memory: path relative to its root -> content


def fingerprint(files: Files) -> str:
    """A hash of every file's path and content."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        digest.update(rel.encode() + b"\0" + files[rel] + b"\0")
    return digest.hexdigest()


def read_files(root: Path, pattern: str = "**/*", skip: tuple[str, ...] = ()) -> Files:
    """Every regular file under root matching pattern, read into memory."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.glob(pattern))
        if path.is_file() and not path.is_symlink() and not set(path.relative_to(root).parts) & set(skip)
    }


def read_lesson9(source: Path) -> tuple[Files, list[str]]:
    """The .py files of source/lesson9, in memory; and what was left out, and why."""
    files: Files = {}
    left_out, total = [], 0
    for path in sorted((source / "lesson9").rglob("*.py")):
        rel = path.relative_to(source).as_posix()
        if path.is_symlink() or not path.is_file():
            left_out.append(f"{rel} (a link)")
            continue
        size = path.stat().st_size
        if size > FILE_LIMIT or total + size > TREE_LIMIT:
            left_out.append(f"{rel} (too large)")
            continue
        total += size
        files[rel] = path.read_bytes()
    return files, left_out


def write_files(files: Files, dest: Path) -> Path:
    for rel, data in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    return dest


def isolated_files(reference: Files, submission: Files, step: Step) -> Files:
    """Reference modules, with the submission's module for `step` and its extra modules."""
    module = f"lesson9/{step.module}.py"
    tree = {rel: data for rel, data in reference.items() if rel != module}  # a missing module stays missing
    tree.update({rel: data for rel, data in submission.items() if rel == module or rel not in reference})
    return tree


class Grader:
    """Grades one or many submissions, each (submission, step) pair in its own child.

    The reference, the spec and every submission are read into memory before
    any learner code runs, and every child gets fresh copies written from
    there: whatever a submission's code does to files on disk, it cannot
    change what the next child sees. Only the installed loopkata package
    cannot be rewritten that way; it is fingerprinted, and grading stops if it
    changes.
    """

    def __init__(self, points: Points, workdir: Path, jobs: int = 1, require_cuda: bool = False,
                 progress=None, steps: list[Step] | None = None,
                 limits: tuple[Limits, Limits] = (STEP_LIMITS, INTEGRATION_LIMITS), fork_server: bool = True):
        self.points, self.workdir, self.jobs = points, workdir, max(1, jobs)
        workdir.mkdir(parents=True, exist_ok=True)
        self.require_cuda, self.progress = require_cuda, progress
        self.steps = list(steps or STEPS)
        self.fork_server = fork_server
        self.step_limits, self.integration_limits = limits
        self.reference, _ = read_lesson9(paths.reference_tree())
        self.spec = read_files(paths.kata_root() / "tests", "**/test_*.py", skip=("proof",))
        self.spec.update(read_files(paths.kata_root() / "tests", "conftest.py"))
        self._package = Path(__file__).parent
        self._package_print = fingerprint(read_files(self._package, "**/*.py"))
        self._lock = threading.Lock()
        self._tampered: str | None = None
        self._results: dict[str, tuple] = {}  # step and tree fingerprint -> what its run reported
        self._running: dict[str, threading.Event] = {}  # the same, for runs not finished yet
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
            server = ForkServer(child_env(self.workdir, "fork-server"), self.workdir)
        except OSError:
            return None
        with self._lock:
            self._all_servers.append(server)
        return server

    def close(self) -> None:
        for server in self._all_servers:
            server.close()

    def _check_package(self, after: str) -> None:
        print_ = fingerprint(read_files(self._package, "**/*.py"))
        with self._lock:
            if print_ != self._package_print and not self._tampered:
                self._tampered = (f"the loopkata package changed on disk while {after} was graded: "
                                  "grading stopped; reinstall loopkata (git status shows what changed)")

    def grade(self, submissions: list[tuple[str, Path]]) -> list[SubmissionGrade]:
        grades: list[SubmissionGrade] = []
        tasks = []
        for name, path in submissions:
            grade = SubmissionGrade(name, path, [StepGrade(s, self.points.steps[s.id]) for s in self.steps])
            grades.append(grade)
            if not paths.is_kata_tree(path):
                grade.problem = f"{path} holds no lesson9/ folder: nothing to grade"
                for step_grade in grade.steps:
                    step_grade.problem = grade.problem
                    if self.progress:
                        self.progress(grade, step_grade)
                continue
            files, left_out = read_lesson9(path)
            if left_out:
                grade.problem = "left out of grading: " + ", ".join(left_out)
            tasks += [(grade, position, step, files) for position, step in enumerate(self.steps)]
        try:
            with ThreadPoolExecutor(self.jobs) as pool:
                for _ in pool.map(lambda task: self._grade_step(*task), tasks):
                    pass
        finally:
            self.close()
        return grades

    def _grade_step(self, grade: SubmissionGrade, position: int, step: Step, files: Files) -> None:
        started = time.monotonic()
        if self._tampered:
            result = score_step(step, [], self._tampered, self.points, trusted=False)
        else:
            tree = files if step.module is None else isolated_files(self.reference, files, step)
            limits = self.integration_limits if step.module is None else self.step_limits
            result = self._run_cached(grade, step, tree, limits)
        result.seconds = time.monotonic() - started
        grade.steps[position] = result
        if self.progress:
            self.progress(grade, result)

    def _run_cached(self, grade: SubmissionGrade, step: Step, tree: Files, limits: Limits) -> StepGrade:
        """Run the step's spec on tree, once per distinct tree: same files, same result.

        In a batch most isolated trees repeat (every step a submission left as the
        skeleton, or copied from the reference), so each is run once.
        """
        key = f"{step.id}:{fingerprint(tree)}"
        with self._lock:
            cached = self._results.get(key)
            running = self._running.get(key)
            if cached is None and running is None:
                self._running[key] = threading.Event()
        if cached is None and running is not None:  # another job runs this very tree: wait for it
            running.wait()
            with self._lock:
                cached = self._results.get(key)
        if cached is None:
            work = Path(tempfile.mkdtemp(prefix=f"{step.id}-", dir=self.workdir))
            server = self._server()
            try:
                run = run_spec(write_files(tree, work / "tree"), [step], work, limits, spec_source=self.spec,
                               require_cuda=self.require_cuda, server=server)
                cached = (run.tests, run.problem, run.trusted)
            finally:
                if server is not None and server.proc.poll() is None:
                    self._servers.put(server)
                shutil.rmtree(work, ignore_errors=True)
                with self._lock:
                    if cached is not None:
                        self._results[key] = cached
                    waiting = self._running.pop(key, None)
                if waiting is not None:
                    waiting.set()
            self._check_package(after=grade.name)
        tests, problem, trusted = cached
        return score_step(step, [dataclasses.replace(t) for t in tests], problem, self.points, trusted)


def unwrap(path: Path) -> Path:
    """The folder holding lesson9/: path itself, or its one sub-folder that does (an upload wrapped once more)."""
    if paths.is_kata_tree(path) or not path.is_dir():
        return path
    inside = [p for p in path.iterdir() if p.is_dir() and paths.is_kata_tree(p)]
    return inside[0] if len(inside) == 1 else path


def submissions_in(paths_given: list[Path]) -> list[tuple[str, Path]]:
    """Expand the paths: a kata tree is one submission, another folder holds one per sub-folder."""
    found: list[tuple[str, Path]] = []
    for path in paths_given:
        if paths.is_kata_tree(path):
            found.append((path.resolve().name, path))
        else:
            found += [(p.name, unwrap(p)) for p in sorted(path.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    names: dict[str, int] = {}
    unique = []
    for name, path in found:
        names[name] = names.get(name, 0) + 1
        unique.append((name if names[name] == 1 else f"{name}-{names[name]}", path))
    return unique
