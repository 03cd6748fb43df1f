"""The `loopkata` command: a workspace, progress and hints for learners; grading for instructors."""
from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
import traceback
from pathlib import Path

from loopkata import hints, paths, progress, skeleton
from loopkata.sandbox import Limits
from loopkata.specrun import run_spec
from loopkata.steps import STEPS, get_step
from loopkata.workspace import WorkspaceError, find_workspace, init_workspace

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LEARNER_LIMITS = Limits(wall_seconds=120, test_seconds=15)  # a hang is reported within two minutes


class UsageError(Exception):
    """The call is wrong: print one line, exit 2."""


def _step(key: str):
    try:
        return get_step(key)
    except KeyError as e:
        raise UsageError(e.args[0]) from None


def _workspace(args) -> Path:
    return find_workspace(Path.cwd(), getattr(args, "impl", None))


def run_learner_spec(workspace: Path, steps):
    """The spec for `steps` on the learner's own tree, in a contained child."""
    with tempfile.TemporaryDirectory(prefix="loopkata-") as tmp:
        return run_spec(workspace, list(steps), Path(tmp), LEARNER_LIMITS)


def _problem_line(run, color: bool) -> str:
    return progress.paint(f"Note: {run.problem}", progress.FAILING, color) + "\n" if run.problem else ""


# learners ---------------------------------------------------------------------------------

def cmd_init(args) -> int:
    target = init_workspace(Path(args.dir))
    print(f"Made a workspace in {target}: the skeletons are in {target / 'lesson9'}.")
    print(f"Next: cd {args.dir} && loopkata check   (the first step's page: {paths.kata_root() / STEPS[0].page})")
    return EXIT_OK


def cmd_status(args) -> int:
    workspace = _workspace(args)
    color = progress.use_color(choice=args.color)
    run = run_learner_spec(workspace, STEPS)
    print(_problem_line(run, color) + progress.render_status(progress.states(run), str(workspace), color))
    return EXIT_OK


def cmd_check(args) -> int:
    step = _step(args.step) if args.step else None
    workspace = _workspace(args)
    color = progress.use_color(choice=args.color)
    if step is not None:
        run = run_learner_spec(workspace, [step])
        state = progress.states(run, [step])[0]
    else:  # the first step that does not pass yet
        run = run_learner_spec(workspace, STEPS)
        state = progress.first_unfinished(progress.states(run))
        if state is None:
            print(progress.paint("Every step passes. `loopkata status` shows the whole picture.",
                                 progress.PASSING, color))
            return EXIT_OK
    print(_problem_line(run, color) + progress.render_check(state, color, show=99 if args.all else 3))
    return EXIT_OK if state.state == progress.PASSING else EXIT_FAILED


def cmd_watch(args) -> int:
    from loopkata.watch import watch

    workspace = _workspace(args)
    start = _step(args.step) if args.step else None
    return watch(workspace, start, poll=args.poll, color=progress.use_color(choice=args.color))


def cmd_diff(args) -> int:
    step = _step(args.step)
    if step.module is None:
        raise UsageError("the integration has no module of its own: diff a step (init ... device)")
    workspace = _workspace(args)
    reference = paths.reference_tree() / step.module_file
    yours = workspace / step.module_file
    if not yours.is_file():
        raise UsageError(f"{yours} does not exist")
    diff = list(difflib.unified_diff(
        reference.read_text().splitlines(keepends=True), yours.read_text().splitlines(keepends=True),
        fromfile=f"reference/{step.module_file}", tofile=f"yours/{step.module_file}",
    ))
    if not diff:
        print(f"{step.module_file} is the same as the reference.")
        return EXIT_OK
    color = progress.use_color(choice=args.color)
    for line in diff:
        line = line.rstrip("\n")
        if line.startswith(("+++", "---")):
            print(progress.paint(line, "bold", color))
        elif line.startswith("@@"):
            print(progress.paint(line, "36", color))
        elif line.startswith("+"):
            print(progress.paint(line, "32", color))
        elif line.startswith("-"):
            print(progress.paint(line, "31", color))
        else:
            print(line)
    return EXIT_OK


def cmd_compare(args) -> int:
    from loopkata import behaviour  # here: the other commands need none of it

    workspace = _workspace(args)
    color = progress.use_color(choice=args.color)
    outcome = behaviour.compare_trees(workspace, paths.reference_tree())
    print(behaviour.render(outcome, str(workspace), color))
    return EXIT_OK if outcome.agree else EXIT_FAILED


def cmd_hint(args) -> int:
    step = _step(args.step)
    items = hints.hints_of(step)
    if not items:
        raise UsageError(f"{step.page} has no hints")
    workspace = _workspace(args)
    if args.reset:
        hints.remember(workspace, step, 0)
        print(f"Hints of {step.label} hidden again.")
        return EXIT_OK
    seen = hints.shown(workspace).get(step.id, 0)
    if args.all:
        chosen = range(1, len(items) + 1)
    elif args.number is not None:
        if not 1 <= args.number <= len(items):
            raise UsageError(f"{step.page} has hints 1 to {len(items)}")
        chosen = [args.number]
    else:
        chosen = [min(seen + 1, len(items))]
    for n in chosen:
        print(f"Hint {n} of {len(items)} ({step.label}):\n  {items[n - 1]}\n")
    hints.remember(workspace, step, max(seen, max(chosen)))
    if max(chosen) < len(items) and not args.all:
        print(f"Run `loopkata hint {step.id}` again for the next one.")
    return EXIT_OK


# instructors ------------------------------------------------------------------------------

def cmd_grade(args) -> int:
    from loopkata.grade_cli import grade

    return grade(args)


def cmd_skeletons(args) -> int:
    solutions, skeletons = paths.reference_tree(), paths.skeleton_tree()
    if args.check:
        problems = skeleton.drift(solutions, skeletons)
        for line in problems:
            kind, rel = line.split(": ", 1)
            print(f"skeletons/{rel}: {kind}")
        if problems:
            print("skeletons/ has drifted from solutions/: run `loopkata skeletons` to regenerate it")
            return EXIT_FAILED
        print("skeletons/ matches solutions/")
        return EXIT_OK
    written = skeleton.write_skeletons(solutions, skeletons)
    print(f"wrote {len(written)} files to {skeletons}")
    return EXIT_OK


# the parser -------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="loopkata", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def learner(name: str, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--impl", metavar="PATH", help="the workspace (default: the one you are in)")
        p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
        return p

    p = sub.add_parser("init", help="make a workspace from the skeletons", description="make a workspace from the skeletons")
    p.add_argument("dir", help="folder to make (its lesson9/ must not exist yet)")
    p.set_defaults(func=cmd_init)

    p = learner("check", "run one step's spec on your workspace (default: the first step not passing)")
    p.add_argument("step", nargs="?", help="step id or number (init, loss, ... or 1-10, integration)")
    p.add_argument("--all", action="store_true", help="show every failing test, not the first three")
    p.set_defaults(func=cmd_check)

    p = learner("status", "every step at a glance, with a progress bar")
    p.set_defaults(func=cmd_status)

    p = learner("watch", "re-run the current step whenever you save a file; move on when it passes")
    p.add_argument("step", nargs="?", help="start at this step (default: the first not passing)")
    p.add_argument("--poll", action="store_true", help="look for changes by polling (where file events don't arrive)")
    p.set_defaults(func=cmd_watch)

    p = learner("diff", "your module against the reference, as a unified diff")
    p.add_argument("step", help="step id or number")
    p.set_defaults(func=cmd_diff)

    p = learner("compare", "your loop and the reference on the same tiny seeded run: where they first differ")
    p.set_defaults(func=cmd_compare)

    p = learner("hint", "the step's hints, one at a time")
    p.add_argument("step", help="step id or number")
    p.add_argument("number", nargs="?", type=int, help="show this hint")
    p.add_argument("--all", action="store_true", help="show every hint")
    p.add_argument("--reset", action="store_true", help="hide the hints again")
    p.set_defaults(func=cmd_hint)

    p = sub.add_parser("grade", help="grade one submission or many", description="grade one submission or many")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a submission (a folder holding lesson9/), or a folder of submissions")
    p.add_argument("--results", metavar="FILE", help="write Gradescope's results.json here (one submission)")
    p.add_argument("--out", metavar="DIR", help="many submissions: write DIR/<name>/results.json and DIR/gradebook.csv")
    p.add_argument("--csv", metavar="FILE", help="write a gradebook CSV here")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML here")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="grade N steps at a time (default 1)")
    p.add_argument("--points", metavar="FILE", help="points per step and test weights (default: loopkata/points.toml)")
    p.add_argument("--require-cuda", action="store_true", help="GPU tests fail, instead of skipping, without a GPU")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("skeletons", help="regenerate skeletons/ from solutions/ (maintainers)")
    p.add_argument("--check", action="store_true", help="only check that skeletons/ is up to date")
    p.set_defaults(func=cmd_skeletons)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, WorkspaceError, paths.KataNotFound, skeleton.MarkerError) as e:
        print(f"loopkata: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("loopkata: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `loopkata hint loss --all | head -1`: the reader has gone, fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as e:  # a bug of ours: one line, and the traceback only on request
        if os.environ.get("LOOPKATA_DEBUG"):
            traceback.print_exc()
        print(f"loopkata: internal error: {type(e).__name__}: {e} (LOOPKATA_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
