"""The grader: each (submission, step) pair in its own contained child, identical trees run once.

For step S the child sees a tree made of the reference's modules, with the
submission's module S (and any extra modules of its own) in place of the
reference's, so one broken step never costs the steps after it. The
integration row runs the submission's whole tree. Scores are computed here,
in the parent, from signed per-test results; the child only runs tests.

Nothing runs in the submission's own folder: every submission, the reference
and the spec are read into memory before any learner code runs, and each
child gets its own fresh copy of what it needs.

Installed from a student release (no reference: GitHub Classroom grades in the
student's own repository), every step runs on the submission's whole tree.
An instructor's held-out tests run beside the spec, in their step's child.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from loopkata.containment.forkserver import PRELOAD, ForkServer, SharedServer
from loopkata.containment.sandbox import Limits, child_env, fork_server_works
from loopkata.containment.specrun import run_spec
from loopkata.grading.held_out import as_spec_files
from loopkata.grading.points import Points
from loopkata.grading.scores import StepGrade, SubmissionGrade, not_graded, score_step
from loopkata.grading.trees import isolated_files, read_lesson9, read_submission
from loopkata.kata import paths
from loopkata.kata.compat import available_cpus
from loopkata.kata.paths import NoReference
from loopkata.kata.files import Files, fingerprint, read_files, write_files
from loopkata.kata.notebooks import Export, is_workspace
from loopkata.kata.steps import STEPS, Step

# Measured on the reference, forked from the fork server on one thread (2-core machine, 2026): the
# slowest test of any step takes 0.6 s (a first matplotlib figure), importing a module of the tree
# a few ms, and the integration's training 1.9 s. The limits leave 8x to 10x of that for a slower
# machine (Gradescope's containers run on a fraction of a core) and still bound a submission that
# hangs in every step: 10 steps x 30 s + 60 s is 6 minutes on one core, inside Gradescope's 10.
STEP_LIMITS = Limits(wall_seconds=30, test_seconds=5, import_seconds=5)
INTEGRATION_LIMITS = Limits(wall_seconds=60, test_seconds=20, import_seconds=5)

# Seconds each step's child takes on the reference (forked, one thread, a 2-core machine, 2026), to start
# the longest first.
STEP_SECONDS = {"runner": 0.9, "schedule": 0.9, "init": 0.7, "loss": 0.6, "data": 0.6, "integration": 0.5,
                "device": 0.5, "handler": 0.5, "databunch": 0.3, "modules": 0.3, "stats": 0.3}

# The fork server spends 1.4 s of its 3.5 s start importing torch._dynamo, which the first optimiser a
# process makes needs, and 0.4 s on pyplot. These steps' specs use neither: with two jobs or more, an
# early server without them runs these steps on a core that would otherwise wait for the full one.
EARLY_STEPS = frozenset({"init", "loss", "data"})
EARLY_PRELOAD = tuple(name for name in PRELOAD if name not in ("torch._dynamo", "matplotlib.pyplot"))


class Grader:
    """Grades one or many submissions, each (submission, step) pair in its own child.

    The reference, the spec and every submission are read into memory before
    any learner code runs, and every child gets fresh copies written from
    there: whatever a submission's code does to files on disk, it cannot
    change what the next child sees. Only the installed loopkata package
    cannot be rewritten that way; it is fingerprinted, and grading stops if it
    changes.
    """

    def __init__(self, points: Points, workdir: Path, jobs: int | None = None, require_cuda: bool = False,
                 progress=None, steps: list[Step] | None = None,
                 limits: tuple[Limits, Limits] = (STEP_LIMITS, INTEGRATION_LIMITS),
                 fork_server: bool | ForkServer = True, held_out: dict[str, Files] | None = None):
        self.points, self.workdir = points, workdir
        self.jobs = max(1, jobs or available_cpus())
        workdir.mkdir(parents=True, exist_ok=True)
        self.require_cuda, self.progress = require_cuda, progress
        self.steps = list(steps or STEPS)
        self.step_limits, self.integration_limits = limits
        try:
            self.reference: Files | None = read_lesson9(paths.reference_tree())[0]
        except NoReference:  # a student release: each step is graded on the submission's whole tree
            self.reference = None
        extra = as_spec_files(held_out or {})
        self.spec = {**paths.spec_files(), **extra}
        self.extra = sorted(extra)
        self._package = Path(__file__).parents[1]
        self._package_print = fingerprint(read_files(self._package, "**/*.py"))
        self._lock = threading.Lock()
        self._tampered: str | None = None
        self._started: dict[str, float] = {}  # submission name -> when its first step started
        self._results: dict[str, tuple] = {}  # step and tree fingerprint -> what its run reported
        self._running: dict[str, threading.Event] = {}  # the same, for runs not finished yet
        # fork_server False: a new Python per run; a ForkServer: that one, left open; True: ours, on first use
        self._forking = bool(fork_server) and fork_server_works()
        self._full = SharedServer(lambda: ForkServer(child_env(workdir, "fork-server"), workdir),
                                  given=fork_server if isinstance(fork_server, ForkServer) else None)
        self._early = SharedServer(lambda: ForkServer(child_env(workdir, "early-server"), workdir,
                                                      preload=EARLY_PRELOAD))
        self._early_works = self._forking and fork_server is True and self.jobs > 1

    def _server(self) -> ForkServer | None:
        """The fork server every run forks from (started by the first run that asks), or None to spawn."""
        return self._full.get() if self._forking else None

    def _early_helps(self, step: Step) -> bool:
        return self._early_works and step.id in EARLY_STEPS

    @contextlib.contextmanager
    def _server_for(self, step: Step):
        """The full server; for an early step while the full one is still starting, the early one (which
        closes once the full one is up and its last run is done: then it only holds memory)."""
        if self._full.ready:
            self._early.retire()
        early = self._early.get(use=True) if self._early_helps(step) and not self._full.ready else None
        try:
            yield early or self._server()
        finally:
            if early is not None:
                self._early.done()

    def close(self) -> None:
        """Close the servers, one still starting once it has started; none starts after this."""
        self._full.retire()
        self._early.retire()

    def _check_package(self, after: str) -> None:
        print_ = fingerprint(read_files(self._package, "**/*.py"))
        with self._lock:
            if print_ != self._package_print and not self._tampered:
                self._tampered = (f"the loopkata package changed on disk while {after} was graded: "
                                  "grading stopped; reinstall loopkata (git status shows what changed)")

    def grade(self, submissions: list[tuple[str, Path]]) -> list[SubmissionGrade]:
        # the fork servers take seconds to import torch: start them while the submissions are read
        threading.Thread(target=self._server, daemon=True).start()
        if any(self._early_helps(step) for step in self.steps):
            threading.Thread(target=self._early.get, daemon=True).start()
        grades: list[SubmissionGrade] = []
        tasks = []
        for name, path in submissions:
            if not is_workspace(path):
                grade = not_graded(name, path, self.steps, self.points,
                                   f"{path} holds no lesson9/ folder, nor notebooks: nothing to grade")
                grades.append(grade)
                for step_grade in grade.steps:
                    if self.progress:
                        self.progress(grade, step_grade)
                continue
            grade = SubmissionGrade(name, path, [StepGrade(s, self.points.steps[s.id]) for s in self.steps])
            grades.append(grade)
            files, left_out, exported = read_submission(path)
            grade.fingerprint = fingerprint(files)
            if exported is not None:
                grade.note = "graded from its notebooks: the cells marked `#| export`, in order" + \
                    "".join(f"; {problem}" for problem in exported.problems)
            if left_out:
                grade.problem = "left out of grading: " + ", ".join(left_out)
            tasks += [(grade, position, step, files, exported) for position, step in enumerate(self.steps)]
        try:
            with ThreadPoolExecutor(self.jobs) as pool:
                for _ in pool.map(lambda task: self._grade_step(*task), self._in_order(tasks)):
                    pass
        finally:
            self.close()
        return grades

    def _in_order(self, tasks: list[tuple]) -> list[tuple]:
        """The integrations first: their limits are the largest, so a hang costs most there. Then the longest
        first, so that the jobs end together rather than one waiting on a long last run. The early server's
        steps come second: one job runs them, one at a time, while another waits for the full server with
        the first task and a core imports it."""
        ordered = sorted(tasks, key=lambda task: (task[2].module is not None,
                                                  -STEP_SECONDS.get(task[2].id, 0.5)))  # unmeasured: midway
        early = [task for task in ordered if self._early_helps(task[2])]
        rest = [task for task in ordered if not self._early_helps(task[2])]
        return rest[:1] + early + rest[1:]

    def _grade_step(self, grade: SubmissionGrade, position: int, step: Step, files: Files,
                    exported: Export | None) -> None:
        started = time.monotonic()
        if self._tampered:
            result = score_step(step, [], self._tampered, self.points, trusted=False)
        else:
            isolated = step.module is not None and self.reference is not None
            tree = isolated_files(self.reference, files, step) if isolated else files
            limits = self.integration_limits if step.module is None else self.step_limits
            result = self._run_cached(grade, step, tree, limits)
        if exported is not None:  # told in the notebooks' cells, not the modules made from them
            for test in result.tests:
                test.message = exported.relocate(test.message)
            result.problem = result.problem and exported.relocate(result.problem)
        ended = time.monotonic()
        result.seconds = ended - started
        with self._lock:
            first = self._started.setdefault(grade.name, started)
            grade.seconds = max(grade.seconds, ended - first)
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
            try:
                with self._server_for(step) as server:
                    run = run_spec(write_files(tree, work / "tree"), [step], work, limits, spec=self.spec,
                                   require_cuda=self.require_cuda, server=server, extra=self.extra,
                                   only=[step] if self.extra else None)
                for test in run.tests:  # the submission's files by their own names, not the copy's
                    test.message = test.message.replace(f"{work / 'tree'}{os.sep}", "")
                cached = (run.tests, run.problem, run.trusted)
            finally:
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
