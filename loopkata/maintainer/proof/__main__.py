"""`python -m loopkata.maintainer.proof zoo | alternatives | notebook`: run a proof, print its table, exit 1
on any problem."""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from loopkata.kata import paths
from loopkata.kata.pages import DIFFERS, bullets
from loopkata.kata.steps import BY_ID, MODULE_STEPS, STEPS
from loopkata.maintainer.proof import __doc__ as PROOF_DOC
from loopkata.maintainer.proof.data import MAX_COSTS, PROOF_DIR, ZooError, load_notebook, load_zoo
from loopkata.maintainer.proof.pages import coverage_problems, notebook_page_problems, tests_named
from loopkata.maintainer.proof.verdicts import (apply_bug, apply_edits, bug_verdict, difference_verdict, full,
                                                grade_trees, others_lost, own, step_verdict)


def run_zoo(jobs: int, only_steps: list[str] | None = None) -> int:
    started = time.monotonic()
    try:
        bugs = load_zoo()
    except ZooError as e:
        print(e, file=sys.stderr)
        return 1
    step_ids = only_steps or [s.id for s in MODULE_STEPS]
    bugs = [b for b in bugs if b.step.id in step_ids]
    pages = {s: (paths.kata_root() / BY_ID[s].page).read_text() for s in step_ids}
    problems = coverage_problems(bugs, pages)
    with tempfile.TemporaryDirectory(prefix="loopkata-zoo-") as tmp:
        reference, tmp_path = paths.reference_tree(), Path(tmp)
        trees = [(b.id, apply_bug(b, reference, tmp_path / "bugs" / b.id)) for b in bugs]
        grades = grade_trees(trees, list(MODULE_STEPS), jobs, tmp_path)
    print(f"{'bug':44} {'step':10} {'score':>11}  verdict")
    for bug, grade in zip(bugs, grades):
        score, bug_problems = bug_verdict(bug, grade)
        problems += [p for p in bug_problems if p not in problems]
        step_grade = own(bug.step, grade)
        failing = len(step_grade.failing)
        verdict = "FAIL" if bug_problems else f"caught by {failing} test(s)" if failing else "caught"
        print(f"{bug.id:44} {bug.step.id:10} {score:>5.2f} / {step_grade.max_score:<3g}  {verdict}")
    counts = Counter(b.step.id for b in bugs)
    print("\nbugs per step: " + ", ".join(f"{s} {counts[s]}" for s in step_ids))
    print(f"{len(bugs)} bugs graded in {time.monotonic() - started:.0f} s with {jobs} job(s)")
    return _report(problems)


def run_alternatives(jobs: int) -> int:
    started = time.monotonic()
    root = paths.kata_root() / PROOF_DIR / "alternatives"
    trees = sorted(p for p in root.glob("*") if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []
    if not trees:
        print(f"no alternative rebuilds under {PROOF_DIR / 'alternatives'}: nothing to grade")
        return 0
    with tempfile.TemporaryDirectory(prefix="loopkata-alternatives-") as tmp:
        grades = grade_trees([(p.name, p) for p in trees], list(STEPS), jobs, Path(tmp))
    problems = []
    for grade in grades:
        lost = [g for g in grade.steps if not full(g.score, g.max_score)]
        print(f"{grade.name:40} {grade.score:6.2f} / {grade.max_score:g}  {'FAIL' if lost else 'full marks'}")
        if grade.problem:
            problems.append(f"{grade.name}: {grade.problem}")
        for g in lost:
            failing = [t.name for t in g.failing]
            why = g.problem or ", ".join(failing[:3]) + (" ..." if len(failing) > 3 else "")
            problems.append(f"{grade.name}: step {g.step.id} {g.score:g} / {g.max_score:g}: {why}")
    print(f"\n{len(trees)} alternative rebuild(s) graded in {time.monotonic() - started:.0f} s with {jobs} job(s)")
    return _report(problems)


def run_notebook(jobs: int, only_steps: list[str] | None = None) -> int:
    started = time.monotonic()
    try:
        differences = load_notebook()
    except ZooError as e:
        print(e, file=sys.stderr)
        return 1
    steps = [BY_ID[s] for s in only_steps] if only_steps else list(MODULE_STEPS)
    differences = [d for d in differences if d.step in steps]
    pages = {s.id: (paths.kata_root() / s.page).read_text() for s in steps}
    problems = notebook_page_problems(differences, pages)
    counts = {s.id: len(bullets(pages[s.id], DIFFERS)) for s in steps}
    by_step = {s: [d for d in differences if d.step == s] for s in steps}
    rebuild = paths.kata_root() / PROOF_DIR / "notebook"
    with tempfile.TemporaryDirectory(prefix="loopkata-notebook-") as tmp:
        reference, tmp_path = paths.reference_tree(), Path(tmp)
        trees = [(d.id, apply_edits(d.step, d.edits, reference, tmp_path / "alone" / d.id)) for d in differences]
        together = [s for s in steps if by_step[s]]
        trees += [(f"{s.id}-together", apply_edits(s, tuple(e for d in by_step[s] for e in d.edits), reference,
                                                   tmp_path / "together" / s.id)) for s in together]
        trees.append(("notebook-rebuild", rebuild))
        grades = grade_trees(trees, list(MODULE_STEPS), jobs, tmp_path)
    alone, combined, rebuilt = grades[:len(differences)], grades[len(differences):-1], grades[-1]

    print(f"{'difference':36} {'step':10} verdict")
    for difference, grade in zip(differences, alone):
        failed, verdict_problems = difference_verdict(difference, grade)
        problems += [p for p in verdict_problems if p not in problems]
        verdict = "FAIL" if verdict_problems else f"costs {tests_named(tuple(failed))}"
        print(f"{difference.id:36} {difference.step.id:10} {verdict}")

    print(f"\n{'tree':22} {'step':10} {'bullets':>7} {'failed':>6} {'limit':>5}  verdict")
    rows = [(f"{s.id} differences", s, grade, None) for s, grade in zip(together, combined)]
    rows += [("notebook rebuild", s, rebuilt, tuple(c for d in by_step[s] for c in d.costs)) for s in steps]
    for label, step, grade, costs in rows:
        mine = own(step, grade)
        verdict_problems = step_verdict(label, mine, counts[step.id], costs)
        if costs is None:  # a step's differences together: the other steps are the reference's own
            verdict_problems += others_lost(step, grade)
        problems += [p for p in verdict_problems if p not in problems]
        print(f"{label:22} {step.id:10} {counts[step.id]:>7} {len(mine.failing):>6} {MAX_COSTS * counts[step.id]:>5}"
              f"  {'FAIL' if verdict_problems else 'ok'}")
    print(f"\n{len(differences)} differences and the notebook rebuild graded in {time.monotonic() - started:.0f} s "
          f"with {jobs} job(s)")
    return _report(problems)


def _report(problems: list[str]) -> int:
    if problems:
        print(f"\n{len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems))
        return 1
    print("all good")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopkata.maintainer.proof", description=PROOF_DOC.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    zoo = sub.add_parser("zoo", help="every bug in tests/proof/zoo.toml is caught by its own step only")
    zoo.add_argument("--step", action="append", choices=[s.id for s in MODULE_STEPS],
                     help="only this step's bugs and pitfalls (repeatable)")
    alternatives = sub.add_parser("alternatives", help="every tree under tests/proof/alternatives/ gets full marks")
    notebook = sub.add_parser("notebook", help="every difference from the notebook in tests/proof/notebook.toml "
                                               "costs the tests its page names, and the notebook rebuild no more")
    notebook.add_argument("--step", action="append", choices=[s.id for s in MODULE_STEPS],
                          help="only this step's differences, bullets and rebuild results (repeatable)")
    for p in (zoo, alternatives, notebook):
        p.add_argument("--jobs", type=int, default=1, help="steps graded at once (default 1)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.command == "zoo":
        return run_zoo(args.jobs, args.step)
    if args.command == "notebook":
        return run_notebook(args.jobs, args.step)
    return run_alternatives(args.jobs)


if __name__ == "__main__":
    sys.exit(main())
