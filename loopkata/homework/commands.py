"""The instructor's hand-out commands, and their place in the `loopkata` command line (`register`)."""
from __future__ import annotations

import argparse
from pathlib import Path

from loopkata.homework.gradescope import make_bundle
from loopkata.homework.release import make_release
from loopkata.kata.errors import EXIT_OK


def cmd_release(args) -> int:
    release = make_release(Path(args.out), hints=not args.no_hints, points=Path(args.points) if args.points else None,
                           classroom_workflow=args.classroom, title=args.title)
    print(f"Wrote the student release in {release.path}: push it as a template repository.")
    print(f"Its spec checksum (`loopkata grade --expect-spec`): {release.spec_checksum}")
    if args.classroom:
        print("Its .github/workflows/classroom.yml grades every push for GitHub Classroom.")
    return EXIT_OK


def cmd_gradescope(args) -> int:
    bundle = make_bundle(Path(args.out), points=Path(args.points) if args.points else None,
                         held_out=[Path(d).expanduser() for d in args.held_out])
    print(f"Wrote the Gradescope autograder {bundle}: upload it as the assignment's autograder zip.")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `loopkata release` and `loopkata gradescope` to the command line."""
    p = sub.add_parser("release", help="write a student starter without the answers (a template repository)",
                       description="write a student starter without the answers (a template repository)")
    p.add_argument("out", metavar="OUT", help="the folder to make (must not exist yet)")
    p.add_argument("--points", metavar="FILE", help="the points file the release's grading uses")
    p.add_argument("--no-hints", action="store_true", help="leave the hints out")
    p.add_argument("--classroom", action="store_true",
                   help="add a GitHub Classroom workflow that grades each push with per-step partial credit")
    p.add_argument("--title", default="a loopkata release", help="the release README's title")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("gradescope", help="write a Gradescope autograder bundle (a zip)",
                       description="write a Gradescope autograder bundle (a zip)")
    p.add_argument("out", metavar="OUT.zip", help="the zip to write (must not exist yet)")
    p.add_argument("--points", metavar="FILE", help="points per step and test weights, and visibility")
    p.add_argument("--held-out", action="append", default=[], metavar="DIR",
                   help="a folder of your own tests, graded with the spec and never shown (repeatable)")
    p.set_defaults(func=cmd_gradescope)
