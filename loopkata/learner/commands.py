"""The learner's commands, and their place in the `loopkata` command line (`register`)."""
from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.errors import EXIT_FAILED, EXIT_OK, UsageError
from loopkata.kata.steps import STEPS, Step, get_step
from loopkata.learner import checking, compare, hints, progress
from loopkata.learner.watch import watch
from loopkata.learner.workspace import find_workspace, init_workspace


def _step(key: str) -> Step:
    try:
        return get_step(key)
    except KeyError as e:
        raise UsageError(e.args[0]) from None


def _workspace(args) -> Path:
    return find_workspace(Path.cwd(), getattr(args, "impl", None))


def _problem_line(checked: checking.Checked, color: bool) -> str:
    return progress.paint(f"Note: {checked.problem}", progress.FAILING, color) + "\n" if checked.problem else ""


def cmd_init(args) -> int:
    target = init_workspace(Path(args.dir))
    print(f"Made a workspace in {target}: the skeletons are in {target / 'lesson9'}.")
    print(f"Next: cd {args.dir} && loopkata check   (the first step's page: {progress.page(STEPS[0])})")
    return EXIT_OK


def cmd_status(args) -> int:
    workspace = _workspace(args)
    color = progress.use_color(choice=args.color)
    checked = checking.check(workspace, list(STEPS), failures=False, again=args.again)
    print(_problem_line(checked, color) + progress.render_status(checked.states, str(workspace), color))
    return EXIT_OK


def cmd_check(args) -> int:
    step = _step(args.step) if args.step else None
    workspace = _workspace(args)
    color = progress.use_color(choice=args.color)
    if step is not None:
        checked = checking.check(workspace, [step], again=args.again)
        state = checked.states[0]
    else:  # the first step that does not pass yet, saying which pass on the way
        checked = checking.check(workspace, list(STEPS), stop_at_failure=True, again=args.again)
        state = progress.first_unfinished(checked.states)
        for passing in checked.states[:checked.states.index(state) if state else None]:
            how = f" ({passing.note})" if passing.note else ""
            print(progress.paint(f"{passing.step.label} passes{how}", progress.PASSING, color))
        if state is None:
            print(progress.paint("Every step passes. `loopkata status` shows the whole picture.",
                                 progress.PASSING, color))
            return EXIT_OK
        print()
    print(_problem_line(checked, color) + progress.render_check(state, color, show=99 if args.all else 3))
    return EXIT_OK if state.state == progress.PASSING else EXIT_FAILED


def cmd_watch(args) -> int:
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
    workspace = _workspace(args)
    color = progress.use_color(choice=args.color)
    outcome = compare.compare_with_reference(workspace)
    print(compare.render(outcome, str(workspace), color))
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


def register(sub: argparse._SubParsersAction) -> None:
    """Add the learner's commands to the `loopkata` command line."""

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
    p.add_argument("--again", action="store_true", help="run even the steps remembered as passing")
    p.set_defaults(func=cmd_check)

    p = learner("status", "every step at a glance, with a progress bar")
    p.add_argument("--again", action="store_true", help="run even the steps remembered as passing")
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
