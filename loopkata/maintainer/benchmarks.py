"""How long grading takes, as ratios against running the whole spec once: python -m loopkata.maintainer.benchmarks

The baseline is the cheapest possible run of the spec on the reference: one
plain pytest process, no isolation, one thread per process as in the grader. Grading does more (a child per step, each
step on its own tree, the integration on the whole tree), and the ratios say
what that costs. Times are wall-clock on this machine, in one run, so the
ratios compare like with like even on a busy machine; the absolute seconds
do not travel.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loopkata.grading.grader import Grader
from loopkata.grading.points import load_points
from loopkata.kata import paths


def _seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def baseline() -> None:
    root = paths.kata_root()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}  # as the grader's children run
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl=solutions"],
                   cwd=root, check=True, capture_output=True, env=env)


def grade_reference(jobs: int, fork_server: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        grader = Grader(load_points(), Path(tmp), jobs=jobs, fork_server=fork_server)
        grade = grader.grade([("reference", paths.reference_tree())])[0]
    if grade.score != grade.max_score:
        raise SystemExit(f"the reference graded {grade.score} / {grade.max_score}: fix that first")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each case; the fastest counts")
    args = parser.parse_args(argv)
    cases = [
        ("the whole spec, one pytest process (baseline)", baseline),
        ("grade the reference, --jobs 1, a new Python per step", lambda: grade_reference(1, False)),
        ("grade the reference, --jobs 1, fork server", lambda: grade_reference(1, True)),
        ("grade the reference, --jobs 2, fork server", lambda: grade_reference(2, True)),
    ]
    times = [min(_seconds(action) for _ in range(args.repeat)) for _, action in cases]
    base = times[0]
    for (label, _), seconds in zip(cases, times):
        print(f"{seconds:7.2f} s  {seconds / base:5.2f}x  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
