"""The command rows: `loopkata check`, `status` and `grade` as learners and instructors run them.

Each maker sets up what its row needs in `root` (a workspace, submissions)
and returns a function that times one run of the command, in seconds.
"""
from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.steps import MODULE_STEPS
from loopkata.maintainer.proof.data import load_zoo
from loopkata.maintainer.proof.verdicts import apply_bug

Timer = Callable[[], float]
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
_fresh = itertools.count()


def run(args: list[str], cwd: Path) -> float:
    """Seconds one command takes; it must not fail for a reason other than a failing check."""
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed with exit code {done.returncode}: {done.stderr.strip()[-500:]}")
    return seconds


def loopkata(*args: str) -> list[str]:
    return [sys.executable, "-m", "loopkata", *args]


def import_torch(root: Path) -> Timer:
    return lambda: run([sys.executable, "-c", "import torch"], root)


def two_at_once(root: Path) -> tuple[Timer, Timer]:
    """(two CPU-bound processes at once, the same two one after the other): on a machine whose cores are
    shared with others, this ratio moves from run to run, and every --jobs ratio with it."""
    busy = [sys.executable, "-c", "sum(i * i for i in range(10_000_000))"]

    def at_once() -> float:
        started = time.perf_counter()
        for process in [subprocess.Popen(busy, cwd=root) for _ in range(2)]:
            process.wait()
        return time.perf_counter() - started

    return at_once, lambda: run(busy, root) + run(busy, root)


def workspace(root: Path, done: list[str]) -> Path:
    """A new workspace made by `loopkata init`, with the reference's modules for the steps in `done`."""
    folder = root / f"ws{next(_fresh)}"
    subprocess.run(loopkata("init", str(folder)), env=ENV, check=True, stdout=subprocess.DEVNULL)
    for module in done:
        shutil.copyfile(paths.reference_tree() / "lesson9" / f"{module}.py", folder / "lesson9" / f"{module}.py")
    return folder


def check_one_step(root: Path) -> Timer:
    ws = workspace(root, ["loss"])
    return lambda: run(loopkata("check", "loss", "--again"), ws)


def on_a_fresh_workspace(root: Path, *command: str) -> Timer:
    def timer() -> float:
        return run(loopkata(*command), workspace(root, []))  # made anew each time: nothing remembered

    return timer


def check_with_nine_done(root: Path, again: bool) -> Timer:
    ws = workspace(root, [s.module for s in MODULE_STEPS[:9]])
    run(loopkata("check"), ws)  # as a learner who checked each step as it passed
    return lambda: run(loopkata("check", *(["--again"] if again else [])), ws)


def submission(root: Path, name: str, edit: Callable[[Path], None] | None = None) -> Path:
    folder = root / name
    shutil.copytree(paths.reference_tree() / "lesson9", folder / "lesson9",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if edit is not None:
        edit(folder / "lesson9")
    return folder


def _replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(lesson9: Path) -> None:
        source = (lesson9 / file).read_text()
        if old not in source:
            raise SystemExit(f"the reference's {file} changed: update the benchmark's edit of it")
        (lesson9 / file).write_text(source.replace(old, new, 1))

    return edit


SAMPLER_HANGS = _replace("data.py", "        idxs = torch.randperm", "        while True:\n            pass\n        idxs = torch.randperm")
LOOPS_AT_IMPORT = _replace("loss.py", "import torch\n", "import torch\n\nwhile True:\n    pass\n")


def grade(root: Path, name: str, edit: Callable[[Path], None] | None = None, *options: str) -> Timer:
    sub = submission(root, name, edit)
    return lambda: run(loopkata("grade", str(sub), *options), root)


def batch(root: Path, jobs: int, size: int = 20) -> Timer:
    """A batch of `size` submissions, each the reference with another bug of the zoo."""
    folder = root / "batch"
    if not folder.exists():
        bugs = load_zoo()
        for bug in bugs[:: max(1, len(bugs) // size)][:size]:
            apply_bug(bug, paths.reference_tree(), folder / bug.id)
    out = root / f"grades-{jobs}"
    return lambda: run(loopkata("grade", str(folder), "--jobs", str(jobs), "--out", str(out)), root)
