"""Check a workspace's steps for the learner commands, running as little as the answer needs.

* A step whose module is still the skeleton's has not been started: its
  tests cannot pass. `status` says so without running them.
* A step that passed is remembered (in the workspace's `.loopkata/`) by the
  content of what it used: its spec file, the spec's conftest, loopkata's
  version, its module and every lesson9 module that module imports. Until one
  of them changes it passes without running again.
* The steps left run in one contained child, in lesson order; `check` stops
  that run after the first step that does not pass.
"""
from __future__ import annotations

import ast
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from loopkata.containment.forkserver import ForkServer
from loopkata.containment.sandbox import Limits
from loopkata.containment.specrun import SpecRun, run_spec
from loopkata.kata import VERSION, notebooks, paths
from loopkata.kata.files import Files, read_files, write_files
from loopkata.kata.steps import MODULE_STEPS, Step
from loopkata.learner import progress
from loopkata.learner.workspace import state_dir

# Learners run on their own machines, often slower than a grader's and with the first torch.optim
# use importing for seconds: the limits are looser than grading's (loopkata.grading.grader).
LEARNER_LIMITS = Limits(wall_seconds=120, test_seconds=10, import_seconds=10)
MEMORY_FILE = "steps.json"


@dataclass
class Checked:
    states: list[progress.StepState]  # one per step asked about, in order
    problem: str | None  # one line, when the run did not end normally

    def of(self, step: Step) -> progress.StepState:
        return next(s for s in self.states if s.step == step)


def _imports(source: bytes) -> set[str] | None:
    """The lesson9 modules a module imports (by module name), or None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("lesson9.")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:  # from . import x, or from .x import y
                found |= {module.split(".")[0]} if module else {a.name for a in node.names}
            elif module == "lesson9":  # from lesson9 import x
                found |= {a.name for a in node.names}
            elif module.startswith("lesson9."):
                found.add(module.split(".")[1])
    return found


def used_files(step: Step, files: Files) -> list[str]:
    """The files of the tree the step's tests run: its module and what that imports, transitively;
    every file for the integration, or when a module does not parse."""
    if step.module is None:
        return sorted(files)
    used, todo = {"lesson9/__init__.py"}, [step.module]
    while todo:
        rel = f"lesson9/{todo.pop()}.py"
        if rel in used or rel not in files:
            continue
        used.add(rel)
        imported = _imports(files[rel])
        if imported is None:
            return sorted(files)
        todo += sorted(imported)
    return sorted(used & set(files))


def step_key(step: Step, files: Files, spec: Files) -> str:
    """What a pass of the step depends on, as one hash."""
    digest = hashlib.sha256(f"loopkata {VERSION}\0".encode())
    test_file = step.test_file.removeprefix("tests/")
    for name, data in [(f"spec/{test_file}", spec.get(test_file, b"")),
                       ("spec/conftest.py", spec.get("conftest.py", b""))] + \
            [(rel, files[rel]) for rel in used_files(step, files)]:
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


class Memory:
    """What the workspace remembers: the key of each step's last pass, and how many tests each step has."""

    def __init__(self, workspace: Path):
        self.path = state_dir(workspace) / MEMORY_FILE
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            data = {}
        self.passed: dict[str, str] = dict(data.get("passed", {})) if isinstance(data, dict) else {}
        self.counts: dict[str, dict] = dict(data.get("counts", {})) if isinstance(data, dict) else {}

    def count(self, step: Step, spec_key: str) -> int | None:
        entry = self.counts.get(step.id)
        return int(entry["tests"]) if isinstance(entry, dict) and entry.get("spec") == spec_key else None

    def save(self) -> None:
        try:
            self.path.parent.mkdir(exist_ok=True)
            self.path.write_text(json.dumps({"passed": self.passed, "counts": self.counts}, indent=1) + "\n")
        except OSError:  # a read-only workspace: nothing is remembered, everything still works
            pass


def _spec_key(step: Step, spec: Files) -> str:
    return hashlib.sha256(spec.get(step.test_file.removeprefix("tests/"), b"")).hexdigest()


def check(workspace: Path, steps: list[Step], *, failures: bool = True, stop_at_failure: bool = False,
          again: bool = False, server: ForkServer | None = None) -> Checked:
    """The state of each of `steps` on the workspace, in order.

    failures: run a step still the skeleton, for its failure messages (status needs only its state);
    stop_at_failure: the steps after the first that does not pass come back NOT_CHECKED;
    again: run even the steps remembered as passing;
    server: a fork server to fork the child from (watch keeps one), else a new Python starts."""
    files, exported = notebooks.read_workspace(workspace)
    skeleton = read_files(paths.skeleton_tree(), "lesson9/*.py")
    spec = paths.spec_files()
    memory = Memory(workspace)
    keys = {s.id: step_key(s, files, spec) for s in steps}
    known: dict[str, progress.StepState] = {}
    for step in steps:
        count = memory.count(step, _spec_key(step, spec))
        if not again and memory.passed.get(step.id) == keys[step.id] and count is not None:
            known[step.id] = progress.StepState(step, progress.PASSING, count, count,
                                                note="unchanged since it last passed")
        elif _untouched(step, files, skeleton) and not failures:
            note = "still the skeleton" if step.module else "some modules are still the skeleton"
            known[step.id] = progress.StepState(step, progress.NOT_STARTED, 0, count, note=note)
    to_run = [s for s in steps if s.id not in known]
    if stop_at_failure:  # from the first step not remembered, up to the first that is surely not done
        first = next((i for i, s in enumerate(steps) if s.id not in known), len(steps))
        last = next((i for i in range(first, len(steps)) if _untouched(steps[i], files, skeleton)), len(steps))
        to_run = steps[first:last + 1]
    uncounted = [s for s in steps if s.id in known and known[s.id].total is None]
    problem = None
    if to_run or uncounted:
        run = _run(workspace, exported, to_run + uncounted, to_run, stop_at_failure, server)
        problem = run.problem
        for step in uncounted:
            known[step.id].total = run.counts.get(step.id, 0)
            memory.counts[step.id] = {"spec": _spec_key(step, spec), "tests": known[step.id].total}
        for step, state in zip(to_run, progress.states(run, to_run)):
            known[step.id] = state
            memory.counts[step.id] = {"spec": _spec_key(step, spec), "tests": run.counts.get(step.id, state.total)}
            if state.state == progress.PASSING and run.trusted:
                memory.passed[step.id] = keys[step.id]
            elif state.state != progress.NOT_CHECKED:
                memory.passed.pop(step.id, None)
        memory.save()
    for step in steps:  # after a stop: not looked at
        known.setdefault(step.id, progress.StepState(step, progress.NOT_CHECKED, 0, memory.count(step, _spec_key(step, spec))))
    return Checked([known[s.id] for s in steps], problem)


def _code(source: bytes | None) -> str | None:
    """The code of a module, without its comments and layout (an export marker, a blank line)."""
    try:
        return None if source is None else ast.dump(ast.parse(source))
    except (SyntaxError, ValueError):
        return None


def _untouched(step: Step, files: Files, skeleton: Files) -> bool:
    """The step's module is the skeleton's code, unchanged; for the integration, some module is."""
    modules = [step] if step.module is not None else list(MODULE_STEPS)
    return any(_code(files.get(s.module_file)) == _code(skeleton.get(s.module_file)) is not None for s in modules)


def _run(workspace: Path, exported: notebooks.Export | None, steps: list[Step], only: list[Step],
         stop_at_failure: bool, server: ForkServer | None = None) -> SpecRun:
    """Collect the tests of `steps` (for their counts) and run those of `only`, in a contained child;
    a notebook workspace runs the modules its notebooks export, its messages told in notebook cells."""
    order = sorted(set(steps), key=lambda s: (s.number is None, s.number or 0))
    with tempfile.TemporaryDirectory(prefix="loopkata-") as tmp:
        tree = workspace if exported is None else write_files(exported.files, Path(tmp) / "tree")
        run = run_spec(tree, order, Path(tmp) / "run", LEARNER_LIMITS, only=only, collect_only=not only,
                       stop_after_failing_step=stop_at_failure, server=server)
    if exported is not None:
        for test in run.tests:
            test.message = exported.relocate(test.message)
        problems = exported.problems + ([exported.relocate(run.problem)] if run.problem else [])
        run.problem = "; ".join(problems) or None
    return run
