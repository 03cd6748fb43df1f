"""`loopkata grade`: check the call, grade, print a table, write the files asked for."""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from loopkata.grading import class_report, outputs
from loopkata.grading.grader import Grader
from loopkata.grading.held_out import read_held_out
from loopkata.grading.points import DEFAULT_POINTS, Points, load_points
from loopkata.grading.scores import SubmissionGrade, not_graded
from loopkata.grading.submissions import submissions_in, unwrap
from loopkata.kata import paths
from loopkata.kata.errors import EXIT_OK, UsageError
from loopkata.kata.files import Files, fingerprint
from loopkata.kata.notebooks import is_workspace
from loopkata.kata.steps import STEPS


@dataclass
class Plan:
    """A checked call: what to grade, and where each output goes."""
    submissions: list[tuple[str, Path]]
    single: bool  # one submission, given as such (its table only, no progress lines)
    points: Points
    files: list[tuple[outputs.Format, Path]]
    out: Path | None  # the folder of per-submission results, the gradebook and the class report
    held_out: dict[str, Files]


def _writable(path: Path) -> str | None:
    """None if a file can be written at path, else why not."""
    if path.is_dir():
        return f"{path} is a folder"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot make {path.parent}: {e.strerror}"
    return None


def _refuse(args, reason: str) -> UsageError:
    """The error for a submission that cannot be graded; first, each one-submission file asked for
    (results.json, the classroom result) is written saying why, so the student is told."""
    for f in outputs.FORMATS:
        target = getattr(args, f.dest)
        if not f.one_submission or not target or _writable(Path(target)) is not None:
            continue
        try:
            points = load_points(Path(args.points) if args.points else None)
        except UsageError:
            return UsageError(reason)
        grade = not_graded(Path(target).parent.name, Path(target), list(STEPS), points, f"Not graded: {reason}")
        f.write([grade], Path(target))
    return UsageError(reason)


def make_plan(args) -> Plan:
    """Check the call; raise UsageError with one line when it is wrong."""
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    given = [Path(p).expanduser() for p in args.paths]
    for path in given:
        if not path.is_dir():
            raise _refuse(args, f"{path}: no such file or folder" if not path.exists() else
                          f"{path} is a file: give a folder holding lesson9/, or a folder of such folders")
    if len(given) == 1 and args.results:  # one upload that may wrap lesson9/ in one more folder
        given = [unwrap(given[0])]
    single = len(given) == 1 and is_workspace(given[0])
    if not single:
        for path in given:
            if not is_workspace(path) and not any(is_workspace(p) for p in path.iterdir() if p.is_dir()):
                raise _refuse(args, f"{path} is not a kata tree (no lesson9/ folder, no notebooks) "
                                    "nor a folder of submissions")
    files = [(f, Path(getattr(args, f.dest))) for f in outputs.FORMATS if getattr(args, f.dest)]
    for f, _ in files:
        if f.one_submission and not single:
            raise UsageError(f"{f.option} is for one submission; for many, use --out DIR")
    out = Path(args.out) if args.out else (None if single else Path("grades"))
    for target in [path for _, path in files] + ([out / "gradebook.csv"] if out is not None else []):
        why = _writable(target)
        if why:
            raise UsageError(why)
    points = load_points(Path(args.points) if args.points else None)
    held_out = read_held_out([Path(d).expanduser() for d in args.held_out])
    points.check_held_out(list(held_out), args.points or DEFAULT_POINTS)
    if args.expect_spec and fingerprint(paths.spec_files()) != args.expect_spec:
        raise _refuse(args, "the spec installed here is not the one this assignment was released with "
                            "(its checksum differs): install the tool from the release again")
    return Plan(submissions_in(given), single, points, files, out, held_out)


def _progress_printer(plan: Plan):
    """Called from worker threads as steps finish: a line per submission once all its steps are done."""
    printed, done = threading.Lock(), {}

    def progress(grade: SubmissionGrade, _step_grade) -> None:
        if plan.single:
            return
        with printed:
            done[grade.name] = done.get(grade.name, 0) + 1
            if done[grade.name] == len(grade.steps):
                finished = sum(n == len(grade.steps) for n in done.values())
                print(f"[{finished}/{len(plan.submissions)}] {grade.name}: {grade.score:.2f} / {grade.max_score:g}",
                      file=sys.stderr)

    return progress


def grade(args) -> int:
    plan = make_plan(args)
    started = time.monotonic()
    if plan.out is not None:  # a class report will be drawn
        class_report.import_in_background()
    with tempfile.TemporaryDirectory(prefix="loopkata-grade-") as tmp:
        grader = Grader(plan.points, Path(tmp), jobs=args.jobs, require_cuda=args.require_cuda,
                        progress=_progress_printer(plan), held_out=plan.held_out)
        grades = grader.grade(plan.submissions)
    for g in grades:
        print(outputs.table(g))
        print()
    written = []
    for f, path in plan.files:
        f.write(grades, path)
        written.append(str(path))
    if plan.out is not None:
        written += outputs.write_out_dir(grades, plan.out)
    elapsed = time.monotonic() - started
    print(f"graded {len(grades)} submission(s) in {elapsed:.1f} s" + (f"; wrote {', '.join(written)}" if written else ""))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `loopkata grade` to the command line, with an option per output format."""
    p = sub.add_parser("grade", help="grade one submission or many", description="grade one submission or many")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a submission (a folder holding lesson9/), or a folder of submissions")
    for f in outputs.FORMATS:
        p.add_argument(f.option, metavar="FILE", help=f.help)
    p.add_argument("--out", metavar="DIR", help="many submissions: write DIR/<name>/results.json and feedback.md, "
                                                "DIR/gradebook.csv and the class report DIR/report.md")
    p.add_argument("--held-out", action="append", default=[], metavar="DIR",
                   help="a folder of your own tests, graded with the spec and never released (repeatable)")
    p.add_argument("--expect-spec", metavar="SHA256",
                   help="refuse to grade unless the installed spec has this checksum (`loopkata release` prints it)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="grade N steps at a time (default: the cores this machine gives us)")
    p.add_argument("--points", metavar="FILE", help="points per step and test weights (default: loopkata/grading/points.toml)")
    p.add_argument("--require-cuda", action="store_true", help="GPU tests fail, instead of skipping, without a GPU")
    p.set_defaults(func=grade)
