"""`loopkata grade`: check the call, grade, print a table, write the files asked for."""
from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from loopkata import gradebook, paths
from loopkata.grading import (Grader, GradingError, StepGrade, SubmissionGrade, load_points, submissions_in,
                              unwrap)
from loopkata.steps import STEPS

EXIT_OK, EXIT_USAGE = 0, 2


def _fail(message: str) -> int:
    print(f"loopkata grade: {message}", file=sys.stderr)
    return EXIT_USAGE


def _writable(path: Path) -> str | None:
    """None if a file can be written at path, else why not."""
    if path.is_dir():
        return f"{path} is a folder"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot make {path.parent}: {e.strerror}"
    return None


def _zero_results(path: Path, reason: str, points_file: str | None) -> None:
    """A results.json, every step at zero, that tells the learner why nothing was graded."""
    if _writable(path) is not None:
        return
    try:
        points = load_points(Path(points_file) if points_file else None)
    except GradingError:
        return
    steps = [StepGrade(step, points.steps[step.id], problem=f"Not graded: {reason}") for step in STEPS]
    gradebook.write_results(SubmissionGrade(path.parent.name, path, steps, problem=f"Not graded: {reason}"), path)


def grade(args) -> int:
    if args.jobs < 1:
        return _fail("--jobs must be at least 1")
    given = [Path(p).expanduser() for p in args.paths]
    for path in given:
        if not path.is_dir():
            reason = f"{path}: no such file or folder" if not path.exists() else \
                f"{path} is a file: give a folder holding lesson9/, or a folder of such folders"
            if args.results:
                _zero_results(Path(args.results), reason, args.points)
            return _fail(reason)
    if len(given) == 1 and args.results:  # one upload that may wrap lesson9/ in one more folder
        given = [unwrap(given[0])]
    single = len(given) == 1 and paths.is_kata_tree(given[0])
    if not single:
        for path in given:
            if not paths.is_kata_tree(path) and not any(paths.is_kata_tree(p) for p in path.iterdir() if p.is_dir()):
                reason = f"{path} is not a kata tree (no lesson9/ folder) nor a folder of submissions"
                if args.results:
                    _zero_results(Path(args.results), reason, args.points)
                return _fail(reason)
    if args.results and not single:
        return _fail("--results is for one submission; for many, use --out DIR")
    out = Path(args.out) if args.out else (None if single else Path("grades"))
    targets = [Path(f) for f in (args.results, args.csv, args.junit) if f]
    if out is not None:
        targets.append(out / "gradebook.csv")
    for target in targets:
        why = _writable(target)
        if why:
            return _fail(why)
    try:
        points = load_points(Path(args.points) if args.points else None)
        paths.kata_root()
    except (GradingError, paths.KataNotFound) as e:
        return _fail(str(e))

    submissions = submissions_in(given)
    started = time.monotonic()
    printed = threading.Lock()
    done: dict[str, int] = {}

    def progress(grade: SubmissionGrade, step_grade) -> None:  # called from worker threads
        if single:
            return
        with printed:
            done[grade.name] = done.get(grade.name, 0) + 1
            if done[grade.name] == len(grade.steps):
                print(f"[{sum(n == len(grade.steps) for n in done.values())}/{len(submissions)}] "
                      f"{grade.name}: {grade.score:.2f} / {grade.max_score:g}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="loopkata-grade-") as tmp:
        grader = Grader(points, Path(tmp), jobs=args.jobs, require_cuda=args.require_cuda, progress=progress)
        grades = grader.grade(submissions)

    for g in grades:
        print(gradebook.table(g))
        print()
    if args.results:
        gradebook.write_results(grades[0], Path(args.results))
    if out is not None:
        for g in grades:
            gradebook.write_results(g, out / g.name / "results.json")
        gradebook.write_csv(grades, out / "gradebook.csv")
    if args.csv:
        gradebook.write_csv(grades, Path(args.csv))
    if args.junit:
        gradebook.write_junit(grades, Path(args.junit))
    elapsed = time.monotonic() - started
    written = [str(t) for t in targets] + ([f"{out}/<name>/results.json"] if out is not None else [])
    print(f"graded {len(grades)} submission(s) in {elapsed:.1f} s" + (f"; wrote {', '.join(written)}" if written else ""))
    return EXIT_OK
