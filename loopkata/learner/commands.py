"""The learner's commands, and their place in the `loopkata` command line (`register`)."""
from __future__ import annotations

import argparse
import difflib
import tempfile
import textwrap
from pathlib import Path

from loopkata.kata import notebooks, paths
from loopkata.kata.errors import EXIT_FAILED, EXIT_OK, UsageError
from loopkata.kata.files import write_files
from loopkata.kata.regions import BEGIN, END
from loopkata.kata.steps import STEPS, Step, get_step
from loopkata.learner import checking, compare, demo, hints, progress
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
    target = init_workspace(Path(args.dir), as_notebooks=args.notebooks)
    if args.notebooks:
        print(f"Made a notebook workspace in {target}: a notebook per step, 01_init.ipynb to 10_device.ipynb.")
        print(f"Next: open {target / '01_init.ipynb'} in Jupyter; its last cell checks your step.")
    else:
        print(f"Made a workspace in {target}: the skeletons are in {target / 'lesson9'}.")
    print(f"Next: cd {args.dir} && loopkata check   (the first step's page: {progress.page(STEPS[0])})")
    return EXIT_OK


def cmd_status(args) -> int:
    workspace = _workspace(args)
    color = progress.use_color(choice=args.color)
    checked = checking.check(workspace, list(STEPS), failures=False, again=args.again)
    print(_problem_line(checked, color) + progress.render_status(checked.states, str(workspace), color))
    return EXIT_OK


def check_report(workspace: Path, step: Step | None, *, again: bool = False, show: int = 3,
                 color: bool = False) -> tuple[str, bool]:
    """What `check` says about one step, or the first not passing (naming the ones that pass on the
    way); and whether that step passes."""
    lines = []
    if notebooks.is_notebook_workspace(workspace):
        lines.append(progress.paint(f"(your notebooks as saved in {workspace})", "dim", color))
    if step is not None:
        checked = checking.check(workspace, [step], again=again)
        state = checked.states[0]
    else:
        checked = checking.check(workspace, list(STEPS), stop_at_failure=True, again=again)
        state = progress.first_unfinished(checked.states)
        for passing in checked.states[:checked.states.index(state) if state else None]:
            how = f" ({passing.note})" if passing.note else ""
            lines.append(progress.paint(f"{passing.step.label} passes{how}", progress.PASSING, color))
        if state is None:
            lines.append(progress.paint("Every step passes. `loopkata status` shows the whole picture.",
                                        progress.PASSING, color))
            return "\n".join(lines), True
        lines.append("")
    if checked.problem:
        lines.append(progress.paint(f"Note: {checked.problem}", progress.FAILING, color))
    lines.append(progress.render_check(state, color, show=show))
    if state.state == progress.FAILING and state.failures:
        stuck = hints.pointer_for(workspace, state.step, state.failures[0].name)
        if stuck:
            lines += ["", stuck]
    return "\n".join(lines).lstrip("\n"), state.state == progress.PASSING


def cmd_check(args) -> int:
    step = _step(args.step) if args.step else None
    text, passing = check_report(_workspace(args), step, again=args.again, show=99 if args.all else 3,
                                 color=progress.use_color(choice=args.color))
    print(text)
    return EXIT_OK if passing else EXIT_FAILED


def cmd_watch(args) -> int:
    workspace = _workspace(args)
    start = _step(args.step) if args.step else None
    return watch(workspace, start, poll=args.poll, color=progress.use_color(choice=args.color))


def without_markers(source: str) -> str:
    """The reference's module as a learner reads it: the solution markers left out."""
    return "".join(line for line in source.splitlines(keepends=True) if line.strip() not in (BEGIN, END))


def cmd_diff(args) -> int:
    step = _step(args.step)
    if step.module is None:
        raise UsageError("the integration has no module of its own: diff a step (init ... device)")
    workspace = _workspace(args)
    reference = without_markers((paths.reference_tree() / step.module_file).read_text())
    files, _ = notebooks.read_workspace(workspace)
    if step.module_file not in files:
        raise UsageError(f"your workspace has no {step.module_file}")
    if not args.before_passing:
        state = checking.check(workspace, [step]).states[0]
        if state.state != progress.PASSING:
            raise UsageError(f"{step.label} does not pass yet ({state.passed} of {state.total} tests): the "
                             f"reference is there to compare with once yours works. `loopkata hint {step.id}` "
                             "helps; `--before-passing` shows it anyway")
    diff = list(difflib.unified_diff(
        reference.splitlines(keepends=True), files[step.module_file].decode().splitlines(keepends=True),
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
    files, exported = notebooks.read_workspace(workspace)
    with tempfile.TemporaryDirectory(prefix="loopkata-") as tmp:
        tree = workspace if exported is None else write_files(files, Path(tmp) / "tree")
        outcome = compare.compare_with_reference(tree)
    text = compare.render(outcome, str(workspace), color)
    print(text if exported is None else exported.relocate(text))
    return EXIT_OK if outcome.agree else EXIT_FAILED


def cmd_demo(args) -> int:
    color = progress.use_color(choice=args.color)
    if args.impl:
        workspace = _workspace(args)
        files, exported = notebooks.read_workspace(workspace)
        name = f"your loop in {workspace}"
    else:
        workspace, exported, name = paths.reference_tree(), None, "the reference rebuild"
    if args.data and not Path(args.data).is_file():
        raise UsageError(f"--data {args.data}: no such file (the course's mnist.pkl.gz)")
    print(progress.paint(f"loopkata demo: notebook 05's run, with {name}", "bold", color))
    with tempfile.TemporaryDirectory(prefix="loopkata-") as tmp:
        tree = workspace if exported is None else write_files(files, Path(tmp) / "tree")
        figures, problem = demo.demo(tree, Path(args.out), args.data, args.epochs, color)
    if problem:
        print(progress.paint(exported.relocate(problem) if exported else problem, progress.FAILING, color))
    for figure in figures:
        print(f"Wrote {figure}")
    return EXIT_FAILED if problem else EXIT_OK


def cmd_hint(args) -> int:
    step = _step(args.step)
    items = hints.hints_of(step)
    if not items:
        raise UsageError(f"{step.label} has no hints")
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
            raise UsageError(f"{step.label} has hints 1 to {len(items)}")
        chosen = [args.number]
    else:
        chosen = [min(seen + 1, len(items))]
    color = progress.use_color(choice=args.color)
    for n in chosen:
        hint = items[n - 1]
        print(progress.paint(f"Hint {n} of {len(items)} ({step.label}):", "bold", color))
        print(hint.wrapped())
        if hint.tests:
            helps = textwrap.fill(f"(helps with {', '.join(hint.tests)})", 88, initial_indent="  ",
                                  subsequent_indent="   ", break_on_hyphens=False)
            print(progress.paint(helps, "dim", color))
        print()
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
    p.add_argument("--notebooks", action="store_true",
                   help="a Jupyter notebook per step (the step's page, then its skeleton in export cells)")
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

    p = learner("diff", "your module against the reference, as a unified diff (once your step passes)")
    p.add_argument("step", help="step id or number")
    p.add_argument("--before-passing", action="store_true", help="show it even though your step does not pass yet")
    p.set_defaults(func=cmd_diff)

    p = learner("compare", "your loop and the reference on the same tiny seeded run: where they first differ")
    p.set_defaults(func=cmd_compare)

    p = learner("demo", "notebook 05's training run with the reference (or, with --impl, your loop), and its plots")
    p.add_argument("--data", metavar="FILE", help="the course's mnist.pkl.gz (default: the MNIST subset shipped here)")
    p.add_argument("--out", default="loopkata-demo", metavar="DIR", help="where the PNG figures go (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=3, help="epochs to train (default: %(default)s, as notebook 05)")
    p.set_defaults(func=cmd_demo)

    p = learner("hint", "the step's hints, one at a time")
    p.add_argument("step", help="step id or number")
    p.add_argument("number", nargs="?", type=int, help="show this hint")
    p.add_argument("--all", action="store_true", help="show every hint")
    p.add_argument("--reset", action="store_true", help="hide the hints again")
    p.set_defaults(func=cmd_hint)
